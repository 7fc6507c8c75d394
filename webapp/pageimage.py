"""PDF pages rendered as PNG, with the cited lines highlighted.

Rendering goes through pdfplumber (pypdfium2 + Pillow). pypdfium2 is not thread-safe and
The server runs several threads per worker, so renders are serialised by one lock; the small LRU
cache in front of it makes repeated views (and prev/next browsing) cheap.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

from archive.storage.model import Item, LineBox
from archive.text.analysis import Analysis, is_query_stop_word
from archive.text.query import parse, words_of

HIGHLIGHT_FILL = (255, 213, 0, 90)  # warm yellow, translucent
HIGHLIGHT_STROKE = (214, 150, 0, 200)
MATCH_FILL = (255, 170, 0, 120)

_RENDER_LOCK = threading.Lock()


def query_terms(q: str) -> list[str]:
    """The folded stems of the query's words that decide a match (the Danish analysis and the
    query parser's: no stop or question words, no excluded words), at most 12."""
    parsed = parse(q or "")
    if parsed.root is None:
        return []
    terms: list[str] = []
    for term in Analysis().terms(" ".join(w for w in words_of(parsed.root) if not is_query_stop_word(w))):
        if len(term.folded) >= 3 and term.folded not in terms:
            terms.append(term.folded)
    return terms[:12]


def line_matches(text: str, terms: list[str], analysis: Analysis) -> bool:
    """A printed line holds a query term: one of its words' stems starts with it, so that
    "herberger" (stem "herberg") marks the line with "herbergsområdet"."""
    return any(t.folded.startswith(term) for t in analysis.terms(text) for term in terms)


def highlight_boxes(item: Item | None, page: int, q: str = "") -> tuple[list[tuple], list[tuple]]:
    """(item lines, query-matching lines) on `page` as (x0, top, x1, bottom) boxes in PDF points.

    With query words, only the lines containing one of them are returned as matches; when no line
    on the page matches, the item's lines stand in so the cited passage is still marked.
    """
    if item is None:
        return [], []
    lines: list[LineBox] = [
        line for block in item.blocks for para in block.paragraphs for line in para.lines if line.page == page
    ]
    boxes = [(l.x0, l.top, l.x1, l.bottom) for l in lines]
    terms = query_terms(q)
    matches = []
    if terms:
        analysis = Analysis()
        for line in lines:
            if line_matches(line.text, terms, analysis):
                matches.append((line.x0, line.top, line.x1, line.bottom))
    return boxes, matches


def render_page_png(pdf_path: Path, page_number: int, *, resolution: int = 100,
                    boxes: tuple = (), matches: tuple = ()) -> bytes:
    """Render physical page `page_number` (1-based) of `pdf_path` as PNG bytes."""
    import pdfplumber

    with _RENDER_LOCK:
        with pdfplumber.open(pdf_path) as pdf:
            page = pdf.pages[page_number - 1]
            image = page.to_image(resolution=resolution)
            pad = 1.5
            if matches:
                # the query's lines strongly, the rest of the item faintly
                faint = [b for b in boxes if b not in set(matches)]
                _draw(image, faint, (255, 213, 0, 45), None, pad)
                _draw(image, matches, MATCH_FILL, HIGHLIGHT_STROKE, pad)
            elif boxes:
                _draw(image, boxes, HIGHLIGHT_FILL, None, pad)
            buffer = io.BytesIO()
            image.annotated.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _draw(image, boxes, fill, stroke, pad: float) -> None:
    for x0, top, x1, bottom in boxes:
        bbox = (x0 - pad, top - pad, x1 + pad, bottom + pad)
        if stroke:
            image.draw_rect(bbox, fill=fill, stroke=stroke, stroke_width=1)
        else:
            image.draw_rect(bbox, fill=fill, stroke=fill, stroke_width=0)
