"""Checks made on a PDF's object structure before any page is laid out.

They reject, with a reason a user can act on, what would otherwise stall or exhaust the
parser: more pages than the guard allows, and a content stream that unpacks to more than the
cap (a "compression bomb": a few hundred kilobytes that inflate to gigabytes of drawing
operators). They read only the object structure and inflate streams incrementally, so they
cost milliseconds on a normal document and never hold more than one cap's worth of data.
"""
from __future__ import annotations

import zlib
from pathlib import Path

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFException, PDFStream, resolve1
from pdfminer.psparser import PSException, LIT

from archive.settings import IngestSettings
from indexer.errors import RejectedPDF

_FLATE = {"FlateDecode", "Fl"}
_CHUNK = 1 << 20


def check_pdf(path: Path, settings: IngestSettings) -> None:
    """Raise ``RejectedPDF`` when the page count or an unpacked content stream exceeds its limit.

    A PDF whose structure pdfminer cannot read this way passes: the parser then gives the
    precise reason."""
    try:
        with open(path, "rb") as fh:
            document = PDFDocument(PDFParser(fh))
            _check_page_count(path, document, settings.max_pages)
            cap = settings.max_content_stream_mb * 1024 * 1024
            for number, page in enumerate(PDFPage.create_pages(document), start=1):
                for stream in _content_streams(page):
                    size = unpacked_size(stream, cap)
                    if size > cap:
                        raise RejectedPDF(path, (
                            f"page {number} has a content stream that unpacks to more than "
                            f"{settings.max_content_stream_mb} MB (a compression bomb?)"))
    except (PDFException, PSException, AttributeError, KeyError, TypeError, ValueError):
        return


def _check_page_count(path: Path, document: PDFDocument, max_pages: int) -> None:
    count = resolve1(resolve1(document.catalog.get("Pages")).get("Count"))
    if isinstance(count, int) and count > max_pages:
        raise RejectedPDF(path, f"the PDF has {count} pages, more than the limit of {max_pages}")


def _content_streams(page: PDFPage) -> list[PDFStream]:
    """The page's own content streams and those of the form XObjects it names directly."""
    streams = [s for s in (resolve1(c) for c in page.contents) if isinstance(s, PDFStream)]
    resources = resolve1(page.resources) or {}
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    if isinstance(xobjects, dict):
        for ref in xobjects.values():
            obj = resolve1(ref)
            if isinstance(obj, PDFStream) and obj.get("Subtype") is LIT("Form"):
                streams.append(obj)
    return streams


def unpacked_size(stream: PDFStream, cap: int) -> int:
    """The stream's size once inflated, counted up to just past ``cap`` (never holding more
    than one chunk); a stream with filters other than Flate counts by its stored size."""
    raw = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
    filters = [_name(f) for f, _ in stream.get_filters()]
    if not filters or any(f not in _FLATE for f in filters) or len(filters) > 1:
        return len(raw)
    inflater = zlib.decompressobj()
    size = 0
    data = raw
    try:
        while data and size <= cap:
            size += len(inflater.decompress(data, _CHUNK))
            data = inflater.unconsumed_tail
    except zlib.error:
        return size  # damaged: the parser reports what it can read
    return size


def _name(f: object) -> str:
    return getattr(f, "name", str(f))
