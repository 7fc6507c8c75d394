"""Render synthetic `Document`s to PDFs in the genre of the sample corpus (reportlab):
cover page, table of contents, each group on a new page with a bold 14 pt heading, bold
item headings "3.2. Title", a small case line "SAG-2026-00541 ab/cd", bold block headings,
10.5 pt body text, "./." attachment markers and the running header
"KKR X | dd-mm-yyyy  SIDE | n" on every page but the cover.

    python -m benchmarks.render --source .bench/1x --out .bench/pdfs --count 8
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from archive.storage.model import Document
from archive.text.citation import format_date_da

WIDTH, HEIGHT = A4
LEFT = 99.0
RIGHT = 510.0
TOP = 104.0  # first text line (distance from the top edge)
BOTTOM = 770.0  # last baseline (distance from the top edge)
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


def _safe(text: str) -> str:
    """Helvetica (WinAnsi) has no glyphs beyond Latin-1 and a few typographic marks."""
    return "".join(ch if ord(ch) < 256 or ch in "–—‘’“”•…€" else "?" for ch in text)


def wrap(text: str, font: str, size: float, width: float, *, heading: bool = False) -> list[str]:
    """Greedy word wrap. In a heading no continuation line may start with "1." or the like:
    the parser would read it as a new item (the sample PDFs never wrap there either)."""
    lines, current = [], ""
    for word in _safe(text).split():
        candidate = f"{current} {word}" if current else word
        if current and stringWidth(candidate, font, size) > width:
            head, _, last = current.rpartition(" ")
            if heading and head and re.match(r"\d+\.", word):
                lines.append(head)
                current = f"{last} {word}"
            else:
                lines.append(current)
                current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


class _Writer:
    def __init__(self, path: Path, doc: Document):
        self.c = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
        self.c.setTitle(f"{doc.kind.capitalize()} {doc.council} {doc.date.isoformat()}")
        self.doc = doc
        self.page = 1
        self.y = TOP  # distance from the top edge of the next line's top

    def text(self, x: float, top: float, text: str, font: str, size: float) -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, HEIGHT - top - size * 0.8, _safe(text))

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        header = f"{self.doc.council} | {self.doc.date.strftime('%d-%m-%Y')} SIDE | {self.page}"
        self.text(LEFT, 39, header, REGULAR, 8.5)
        self.y = TOP

    def need(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    def lines(self, lines: list[str], font: str, size: float, leading: float, x: float = LEFT) -> None:
        for line in lines:
            self.need(leading)
            self.text(x, self.y, line, font, size)
            self.y += leading

    def save(self) -> None:
        self.c.showPage()
        self.c.save()


def render(doc: Document, path: Path) -> int:
    """Write `doc` as a PDF at `path`; returns the number of pages."""
    w = _Writer(path, doc)
    d = doc.date
    w.text(LEFT, 203, "Dagsorden" if doc.kind == "dagsorden" else "Referat", BOLD, 30)
    w.text(LEFT, 249, doc.council, REGULAR, 18)
    top = 317
    for label, value in (("Mødedato", format_date_da(d)),
                         ("Mødetidspunkt", doc.time), ("Mødested", doc.place)):
        w.text(LEFT, top, f"{label}: {value}", BOLD, 11)
        top += 18
    if doc.attendees:
        top += 10
        w.text(LEFT, top, "Deltagere:", BOLD, 11)
        for name in doc.attendees[:20]:
            top += 15
            w.text(LEFT, top, name, REGULAR, 10.5)
    # table of contents (page numbers as the items carry them)
    w.new_page()
    w.text(LEFT, w.y, "Indholdsfortegnelse", BOLD, 16)
    w.y += 40
    last_group = None
    for item in doc.items:
        if item.group_number != last_group:
            last_group = item.group_number
            w.need(20)
            w.text(LEFT, w.y, f"{item.group_number}. {item.group}", BOLD, 10.5)
            w.text(RIGHT, w.y, str(item.page_first), BOLD, 10.5)
            w.y += 14
        lines = wrap(f"{item.number}. {item.title}", REGULAR, 10.5, RIGHT - LEFT - 30, heading=True)
        for k, line in enumerate(lines):
            w.need(14)
            w.text(LEFT if k == 0 else LEFT + 31, w.y, line, REGULAR, 10.5)
            if k == len(lines) - 1:
                w.text(RIGHT, w.y, str(item.page_first), REGULAR, 10.5)
            w.y += 14
    # the items
    last_group = None
    for item in doc.items:
        if item.group_number != last_group:
            last_group = item.group_number
            w.new_page()
            w.text(LEFT, w.y, f"{item.group_number}. {item.group}", BOLD, 14)
            w.y += 32
        else:
            w.y += 40
            w.need(80)
        w.lines(wrap(f"{item.number}. {item.title}", BOLD, 11.5, RIGHT - LEFT, heading=True), BOLD, 11.5, 15)
        if item.case_number:
            w.y += 1
            w.text(LEFT, w.y, f"{item.case_number} {item.case_initials}".strip(), REGULAR, 8.5)
            w.y += 25
        for block in item.blocks:
            w.need(40)
            w.text(LEFT, w.y, block.heading, BOLD, 10.5)
            w.y += 15
            for paragraph in block.paragraphs:
                font = BOLD if paragraph.subheading else REGULAR
                text = paragraph.text
                if paragraph.attachment and not text.startswith("./."):
                    text = "./. " + text
                lines = wrap(text, font, 10.5, RIGHT - LEFT)
                if lines and lines[0].startswith("./."):
                    w.need(14.6)
                    w.text(LEFT - 11, w.y, lines[0], font, 10.5)
                    w.y += 14.6
                    lines = lines[1:]
                w.lines(lines, font, 10.5, 14.6)
                w.y += 13
            w.y += 14
    pages = w.page
    w.save()
    return pages


def render_many(docs: list[Document], out_dir: Path) -> list[tuple[Path, int]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    from archive.storage.ids import document_id

    rendered = []
    for doc in docs:
        path = out_dir / f"{document_id(doc.council, doc.date, doc.kind)}.pdf"
        rendered.append((path, render(doc, path)))
    return rendered


def main(argv: list[str] | None = None) -> int:
    from benchmarks.scale import synthetic_documents

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="a 1x archive")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=8)
    args = parser.parse_args(argv)
    for path, pages in render_many(synthetic_documents(args.source, args.count), args.out):
        print(f"{path}  {pages} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
