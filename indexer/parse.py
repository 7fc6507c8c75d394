"""Parsing a meeting document (dagsorden, referat) PDF into a ``Document``.

A document is a meeting document by the genre's signals (a kind word, a meeting body and
date, cover labels such as "Mødedato" or "Afbud", items, dated decisions), never by its file
name. A meeting document whose items cannot be found is returned unstructured (its page
texts kept, with the reason); only other documents are rejected.

``parse_pdf`` never lets a raw exception escape: anything that makes the file unusable
is reported as ``RejectedPDF`` with a short reason.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from archive.storage.model import NO_ITEMS_FOUND, KINDS, Document, Item
from indexer import genre
from indexer.errors import RejectedPDF
from indexer.layout import Line, Page, body_font_size, read_pages
from indexer.metadata import Metadata, read_metadata
from indexer.structure import Split, split_document

NOT_AGENDA = "not a meeting document: no agenda or minutes, meeting body or agenda items found"
NO_ITEMS = NO_ITEMS_FOUND


def parse_pdf(path: Path) -> Document:
    """Parse one PDF; raise ``RejectedPDF`` when it is not a usable meeting document."""
    return parse_with_layout(path)[0]


def parse_with_layout(path: Path) -> tuple[Document, list[Page], Split]:
    """Parse one PDF and return the document with the pages and split it was read from
    (for ``inspect``); raises ``RejectedPDF`` like ``parse_pdf``."""
    path = Path(path)
    data = _read_bytes(path)
    pages = _read_layout(path)
    if not any(p.word_count for p in pages):
        raise RejectedPDF(path, no_text_reason(pages))
    try:
        return _build_document(path, data, pages)
    except RejectedPDF:
        raise
    except Exception as exc:  # a bug or an unforeseen layout must not crash ingestion
        raise RejectedPDF(path, f"the PDF could not be parsed: {exc!r}") from exc


def no_text_reason(pages: list[Page]) -> str:
    """Why a PDF without a single word has none, from what its pages do hold."""
    if not pages:
        return "the PDF has no pages"
    if any(p.images for p in pages):
        return "the PDF has no text layer (scanned?)"
    if any(p.drawings for p in pages):
        return "the PDF has no text, only drawings (text converted to outlines?)"
    return "the PDF's pages show nothing readable (empty or damaged page content)"


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RejectedPDF(path, f"the file cannot be read: {exc.strerror or exc}") from exc
    if not data:
        raise RejectedPDF(path, "the file is empty")
    if b"%PDF-" not in data[:1024]:
        raise RejectedPDF(path, "the file is not a PDF")
    return data


def _read_layout(path: Path) -> list[Page]:
    try:
        with pdfplumber.open(path) as pdf:
            return read_pages(pdf)
    except RejectedPDF:
        raise
    except Exception as exc:
        raise RejectedPDF(path, _open_failure_reason(exc)) from exc


def _open_failure_reason(exc: Exception) -> str:
    """A short reason for an exception raised while opening or reading a PDF."""
    cause: BaseException = exc
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        cause = exc.args[0]
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return "the PDF is encrypted"
    detail = str(cause).strip() or type(cause).__name__
    return f"the PDF is corrupt: {detail}"


def _build_document(path: Path, data: bytes, pages: list[Page]) -> tuple[Document, list[Page], Split]:
    split, meta = read_structure(path, pages)
    if not is_meeting_document(split, meta, pages):
        raise RejectedPDF(path, NOT_AGENDA)
    if meta.date is None:
        raise RejectedPDF(path, "no meeting date found on the cover or in the file name")
    mark_decisions(split.items, meta)
    structured = bool(split.items)
    texts = [ln.text for p in pages for ln in [*p.lines, *p.furniture]]
    return Document(
        council=meta.council or genre.authority_of("", texts),
        kind=meta.kind,
        date=meta.date,
        time=meta.time,
        place=meta.place,
        attendees=meta.attendees,
        absent=meta.absent,
        items=split.items,
        page_count=len(pages),
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        authority=genre.authority_of(meta.council, texts),
        structured=structured,
        unstructured_reason="" if structured else NO_ITEMS,
        page_texts=[] if structured else [page_text(p) for p in pages],
    ), pages, split


def read_structure(path: Path, pages: list[Page]) -> tuple[Split, Metadata]:
    """Items and metadata; gaps in the cover filled from running headers and decisions."""
    split = split_document(pages, body_font_size(pages))
    meta = read_metadata(split.cover, path.stem)
    furniture = [ln for p in pages for ln in p.furniture]
    if not meta.kind or meta.date is None:
        header = read_metadata(_distinct(furniture), "")
        meta.kind = meta.kind or header.kind
        meta.date = meta.date or header.date
        meta.council = meta.council or header.council
    decided = [(d, b) for it in split.items for d, b in _decision_headings(it)]
    if meta.date is None and decided:
        dates = Counter(d.date for d, _ in decided if d.date)
        meta.date = dates.most_common(1)[0][0] if dates else None
    if not meta.council:
        bodies = Counter(body for _, body in decided if body)
        meta.council = bodies.most_common(1)[0][0] if bodies else ""
    if not meta.kind and any(it.decisions for it in split.items):
        meta.kind = "referat"
    return split, meta


def _distinct(lines: list[Line]) -> list[Line]:
    seen: set[str] = set()
    out = []
    for ln in lines:
        if ln.text not in seen:
            seen.add(ln.text)
            out.append(ln)
    return out


def _decision_headings(item: Item) -> list[tuple[genre.Heading, str]]:
    found = []
    for decision in item.decisions:
        heading = genre.block_heading_of(decision.heading)
        if heading is not None:
            found.append((heading, " ".join(heading.body.split())))
    return found


def is_meeting_document(split: Split, meta: Metadata, pages: list[Page]) -> bool:
    """The genre's signals: a kind word (dagsorden, referat, beslutningsprotokol) with a
    body or date, or agenda items with a meeting date or recorded decisions."""
    if meta.kind in KINDS and (meta.council or meta.date is not None):
        return True
    decided = any(it.decisions for it in split.items)
    return bool(split.items) and (meta.date is not None or decided) and bool(meta.council)


def mark_decisions(items: list[Item], meta: Metadata) -> None:
    """Mark each item's decision of this meeting: the one dated the meeting date, else
    (no decision is dated), in minutes, the last one naming the meeting's body
    ("Byrådets beslutning" in the Byråd's minutes, after "Økonomiudvalgets beslutning"),
    else the last one."""
    for item in items:
        dated = [d for d in item.decisions if d.date is not None]
        if dated:
            for d in dated:
                d.this_meeting = d.date == meta.date
        elif item.decisions and meta.kind == "referat":
            own = [d for d in item.decisions if _names_body(d.heading, meta.council)]
            (own or item.decisions)[-1].this_meeting = True


def _names_body(printed: str, council: str) -> bool:
    """A decision heading that names `council` ("Byrådets beslutning", council "Byrådet")."""
    heading = genre.block_heading_of(printed)
    body, council = (heading.body if heading else "").casefold(), council.casefold()
    return bool(body and council) and (body == council or council.startswith(body) or body.startswith(council))


def page_text(page: Page) -> str:
    """The text of a page as lines, furniture removed (for unstructured documents)."""
    return "\n".join(ln.text for ln in page.lines)
