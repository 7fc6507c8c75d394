"""Parsing a KKR agenda (dagsorden) or minutes (referat) PDF into a ``Document``.

``parse_pdf`` never lets a raw exception escape: anything that makes the file unusable
is reported as ``RejectedPDF`` with a short reason.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from archive.storage.model import KINDS, Document
from indexer.errors import RejectedPDF
from indexer.layout import Page, body_font_size, read_pages
from indexer.metadata import read_metadata
from indexer.structure import split_document

NOT_AGENDA = "no agenda items found: not a KKR agenda or minutes"


def parse_pdf(path: Path) -> Document:
    """Parse one PDF; raise ``RejectedPDF`` when it is not a usable KKR agenda/minutes."""
    path = Path(path)
    data = _read_bytes(path)
    pages = _read_layout(path)
    if not any(p.word_count for p in pages):
        raise RejectedPDF(path, "the PDF has no text layer (scanned?)")
    try:
        return _build_document(path, data, pages)
    except RejectedPDF:
        raise
    except Exception as exc:  # a bug or an unforeseen layout must not crash ingestion
        raise RejectedPDF(path, f"the PDF could not be parsed: {exc!r}") from exc


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


def _build_document(path: Path, data: bytes, pages: list[Page]) -> Document:
    split = split_document(pages, body_font_size(pages))
    meta = read_metadata(split.cover, path.stem)
    if not split.items or meta.kind not in KINDS or not meta.council:
        raise RejectedPDF(path, NOT_AGENDA)
    if meta.date is None:
        raise RejectedPDF(path, "no meeting date found on the cover or in the file name")
    return Document(
        council=meta.council,
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
    )
