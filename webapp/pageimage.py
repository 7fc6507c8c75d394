"""PDF pages rendered as PNG, with the cited lines highlighted.

Rendering goes through pdfplumber (pypdfium2 + Pillow). pypdfium2 is not thread-safe and
The server runs several threads per worker, so renders are serialised by one lock; the small LRU
cache in front of it makes repeated views (and prev/next browsing) cheap.
"""
from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from archive.storage.model import Item, LineBox

HIGHLIGHT_FILL = (255, 213, 0, 90)  # warm yellow, translucent
HIGHLIGHT_STROKE = (214, 150, 0, 200)
MATCH_FILL = (255, 170, 0, 120)

_RENDER_LOCK = threading.Lock()
_WORD = re.compile(r"\w+", re.UNICODE)


def query_words(q: str) -> list[str]:
    """Lower-cased words of a query worth matching against a printed line."""
    words = []
    for word in _WORD.findall((q or "").lower()):
        if len(word) >= 3 and word not in ("and", "not", "og", "eller", "ikke") and word not in words:
            words.append(word)
    return words[:12]


def _stem(word: str) -> str:
    # Danish inflection mostly adds endings: match on a prefix so "herberger" finds "herbergsområdet".
    return word[: max(4, len(word) - 3)] if len(word) > 5 else word


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
    stems = [_stem(w) for w in query_words(q)]
    matches = []
    if stems:
        for line in lines:
            text = line.text.lower()
            if any(s in text for s in stems):
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
