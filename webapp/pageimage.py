"""What to highlight on a PDF page, and the page rendered as PNG with it marked (the
no-JavaScript fallback of the page viewer, which draws the same boxes over pdf.js).

Rendering goes through pdfplumber (pypdfium2 + Pillow). pypdfium2 is not thread-safe and
the server runs several threads per worker, so renders are serialised by one lock; the small LRU
cache in front of it makes repeated views (and prev/next browsing) cheap.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

from archive.storage.model import Item, LineBox
from archive.text.analysis import Analysis, is_query_stop_word
from archive.text.pages import quote_lines
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


Box = tuple[float, float, float, float]  # (x0, top, x1, bottom) in PDF points from the page's top left


@dataclass(frozen=True)
class PageHighlight:
    """What to mark on one page: the item's lines (faintly), the cited sentence's lines (cut
    where the sentence starts and ends inside a line) and the lines holding query words."""

    item: tuple[Box, ...] = ()
    quote: tuple[Box, ...] = ()
    words: tuple[Box, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.item or self.quote)

    def to_json(self) -> dict:
        rounded = lambda boxes: [[round(v, 1) for v in box] for box in boxes]  # noqa: E731
        return {"item": rounded(self.item), "quote": rounded(self.quote), "words": rounded(self.words)}


def _box(line: LineBox) -> Box:
    return (line.x0, line.top, line.x1, line.bottom)


def page_highlight(item: Item | None, page: int, q: str = "", quote: str = "") -> PageHighlight:
    """The boxes to mark on `page` for `item`, the query `q` and the cited sentence `quote`.

    With query words, only the lines containing one of them are word matches. The quote is
    looked up in each paragraph's text; its lines on this page are the quote boxes.
    """
    if item is None:
        return PageHighlight()
    paragraphs = [para for block in item.blocks for para in block.paragraphs]
    lines = [line for para in paragraphs for line in para.lines if line.page == page]
    terms = query_terms(q)
    analysis = Analysis() if terms else None
    words = [_box(line) for line in lines if analysis and line_matches(line.text, terms, analysis)]
    quoted: list[Box] = []
    if quote:
        for para in paragraphs:
            found = quote_lines(para, quote)
            if found:
                for line, start, end in found:
                    if line.page == page:
                        width = line.x1 - line.x0
                        quoted.append((line.x0 + width * start, line.top, line.x0 + width * end, line.bottom))
                break
    return PageHighlight(tuple(_box(line) for line in lines), tuple(quoted), tuple(words))


def render_page_png(pdf_path: Path, page_number: int, *, resolution: int = 100,
                    highlight: PageHighlight = PageHighlight()) -> bytes:
    """Render physical page `page_number` (1-based) of `pdf_path` as PNG bytes."""
    import pdfplumber

    with _RENDER_LOCK:
        with pdfplumber.open(pdf_path) as pdf:
            page = pdf.pages[page_number - 1]
            image = page.to_image(resolution=resolution)
            pad = 1.5
            strong = highlight.quote or highlight.words
            if strong:
                # the cited sentence (or the query's lines) strongly, the rest of the item faintly
                faint = [b for b in highlight.item if b not in set(highlight.words)]
                _draw(image, faint, (255, 213, 0, 45), None, pad)
                _draw(image, strong, MATCH_FILL, HIGHLIGHT_STROKE, pad)
            elif highlight.item:
                _draw(image, highlight.item, HIGHLIGHT_FILL, None, pad)
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
