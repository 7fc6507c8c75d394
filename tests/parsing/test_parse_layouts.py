"""The parser reads the genre, not the sample files: the same agenda typeset by another
office (other fonts, sizes, margins, page furniture) parses to the same structure."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from indexer.parse import parse_pdf

from ..conftest import FIXTURES

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
          "oktober", "november", "december")
W, H = A4


class Office:
    """A house style: fonts, sizes, margins, furniture."""

    def __init__(self, regular, bold, body, heading, left, right, header, footer):
        self.regular, self.bold, self.body, self.heading = regular, bold, body, heading
        self.left, self.right, self.header, self.footer = left, right, header, footer


OFFICES = {
    "times-footer": Office("Times-Roman", "Times-Bold", 12, 13, 72, 523,
                           header=None, footer="Side {page} af {pages}"),
    "helvetica-wide": Office("Helvetica", "Helvetica-Bold", 10, 12, 56, 540,
                             header="{council} · Dagsorden · {date}", footer="{page}"),
}


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + ([current] if current else [])


def render(source: dict, office: Office, path: Path) -> None:
    """Typeset `source` (the corpus JSON format) in the style of `office`: two passes, so
    the footer can say 'Side n af m'."""
    for pages_total in (None, render_once(source, office, path, None)):
        if pages_total:
            render_once(source, office, path, pages_total)


def render_once(source: dict, office: Office, path: Path, pages_total: int | None) -> int:
    c = canvas.Canvas(str(path), pagesize=A4)
    state = {"page": 1, "y": 90.0}
    day = source["date"].split("-")
    date_da = f"{int(day[2])}. {MONTHS[int(day[1]) - 1]} {day[0]}"

    def put(x, text, font, size):
        c.setFont(font, size)
        c.drawString(x, H - state["y"] - size * 0.8, text)

    def furniture():
        fill = {"council": source["council"], "date": date_da, "page": state["page"],
                "pages": pages_total or 99}
        c.setFont(office.regular, 8)
        if office.header:
            c.drawString(office.left, H - 40, office.header.format(**fill))
        if office.footer:
            c.drawRightString(office.right, 30, office.footer.format(**fill))

    def new_page():
        c.showPage()
        state["page"] += 1
        state["y"] = 80.0
        furniture()

    def line(x, text, font, size, leading):
        if state["y"] + leading > H - 70:
            new_page()
        put(x, text, font, size)
        state["y"] += leading

    # cover
    state["y"] = 200
    put(office.left, source["kind"].capitalize(), office.bold, 26)
    state["y"] += 40
    put(office.left, source["council"], office.regular, 16)
    state["y"] += 50
    for label, value in (("Dato", date_da), ("Tid", source["time"]), ("Sted", source["place"])):
        put(office.left, f"{label}: {value}", office.bold, office.body)
        state["y"] += office.body * 1.6
    new_page()
    group = None
    width = office.right - office.left
    lead = office.body * 1.35
    for item in source["items"]:
        number = item["number"].split(".")[0]
        if number != group:
            group = number
            if state["y"] > 80:
                new_page()
            line(office.left, f"{number}. {item['group']}", office.bold, office.heading + 3, 30)
        else:
            state["y"] += 24
        heading = f"{item['number']}. {item.get('typeset_title', item['title'])}"
        for segment in heading.split("\n"):  # "\n": a line break the typesetter chose
            for text in wrap(segment, office.bold, office.heading, width):
                line(office.left, text, office.bold, office.heading, office.heading * 1.3)
        line(office.left, item["case"], office.regular, office.body - 2, 22)
        for block in item["blocks"]:
            state["y"] += 4
            line(office.left, block["heading"], office.bold, office.body, lead)
            for paragraph in block["paragraphs"]:
                bullet = paragraph.startswith("– ")
                x = office.left + (14 if bullet else 0)
                for k, text in enumerate(wrap(paragraph, office.regular, office.body, width - 14)):
                    line(x if k == 0 else (office.left + 24 if bullet else x), text, office.regular,
                         office.body, lead)
                state["y"] += office.body * 0.7
    pages = state["page"]
    c.showPage()
    c.save()
    return pages


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("office", sorted(OFFICES))
@pytest.mark.parametrize("stem", ["kkr-sjaelland_2026-09-24_dagsorden", "kkr-hovedstaden_2026-06-16_referat"])
def test_another_offices_typesetting_parses_to_the_same_structure(tmp_path, office, stem):
    source = json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))
    pdf = tmp_path / f"{stem}.pdf"
    render(source, OFFICES[office], pdf)
    doc = parse_pdf(pdf)
    assert (doc.council, doc.kind, doc.date.isoformat()) == (source["council"], source["kind"], source["date"])
    assert [i.number for i in doc.items] == [i["number"] for i in source["items"]]
    for got, want in zip(doc.items, source["items"]):
        assert got.title == want["title"]
        assert f"{got.case_number} {got.case_initials}".strip() == want["case"]
        assert [b.heading for b in got.blocks] == [b["heading"] for b in want["blocks"]]
        for got_block, want_block in zip(got.blocks, want["blocks"]):
            assert normalise(" ".join(p.text for p in got_block.paragraphs)) == \
                normalise(" ".join(want_block["paragraphs"])), (got.number, got_block.heading)


def test_a_title_line_starting_with_a_date_is_not_a_new_group(tmp_path):
    """Found when rendering synthetic PDFs: a bold item title that wraps before "1. januar
    2027" made the line look like the heading of group 1."""
    source = json.loads((FIXTURES / "kkr-sjaelland_2026-09-24_dagsorden.json").read_text(encoding="utf-8"))
    item = next(i for i in source["items"] if i["number"] == "3.4")
    item["title"] = "Orientering om sundhedsrådenes arbejde og opgaveoverdragelsen pr. 1. januar 2027"
    item["typeset_title"] = "Orientering om sundhedsrådenes arbejde og opgaveoverdragelsen pr.\n1. januar 2027"
    pdf = tmp_path / "wrapped.pdf"
    render(source, OFFICES["times-footer"], pdf)
    doc = parse_pdf(pdf)
    assert [i.number for i in doc.items] == [i["number"] for i in source["items"]]
    assert next(i for i in doc.items if i.number == "3.4").title == item["title"]
