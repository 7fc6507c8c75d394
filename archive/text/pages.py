"""Where a paragraph's text is printed: offset to PDF page, and the text split at page breaks.

`Paragraph.text` is its printed lines de-hyphenated and whitespace-normalised, so counting
letters and digits (which neither changes) lines an offset in the text up with the lines.
This is the one copy used by search snippets, passages, answers and the item page.
"""
from __future__ import annotations

import unicodedata

from archive.storage.model import LineBox, Paragraph


def _alnum_count(text: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


class PageLocator:
    """Maps offsets in a paragraph's text to the page that character is printed on."""

    def __init__(self, paragraph: Paragraph):
        self.paragraph = paragraph
        self.bounds: list[tuple[int, int]] = []  # (letters and digits up to the line's end, page)
        total = 0
        for line in paragraph.lines:
            total += _alnum_count(line.text)
            self.bounds.append((total, line.page))

    def page_at(self, offset: int, text: str | None = None) -> int:
        """The page of character `offset` of `text` (default: the paragraph's text; any text
        that differs from it only in spacing, hyphens or control characters will do)."""
        p = self.paragraph
        if p.page_first == p.page_last or not self.bounds:
            return p.page_first
        text = p.text if text is None else text
        # The character at `offset` is the (n+1)-th letter/digit from there on.
        n = _alnum_count(text[:offset])
        if not any(ch.isalnum() for ch in text[offset:]):
            n = max(n - 1, 0)
        for end, page in self.bounds:
            if n < end:
                return page
        return self.bounds[-1][1]


def page_of_offset(paragraph: Paragraph, text: str, offset: int) -> int:
    """The page of character `offset` of `text` (the paragraph's text, maybe normalised)."""
    return PageLocator(paragraph).page_at(offset, text)


def page_segments(paragraph: Paragraph) -> list[tuple[int, str]]:
    """The paragraph's text split where the printed page changes: [(page, text), ...]."""
    text = paragraph.text
    if paragraph.page_first == paragraph.page_last or not paragraph.lines:
        return [(paragraph.page_first, text)]
    locator = PageLocator(paragraph)
    segments: list[tuple[int, list[str]]] = []
    start = 0
    for word in text.split():
        start = text.index(word, start)
        page = locator.page_at(start)
        start += len(word)
        if segments and segments[-1][0] == page:
            segments[-1][1].append(word)
        else:
            segments.append((page, [word]))
    return [(page, " ".join(words)) for page, words in segments] or [(paragraph.page_first, text)]


def _alnum_key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def quote_lines(paragraph: Paragraph, quote: str) -> list[tuple[LineBox, float, float]]:
    """The printed lines that hold `quote` (a sentence of the paragraph, maybe normalised),
    as (line, start, end): the share of the line's width where the quote starts and ends
    (0.0 and 1.0 for a line it fills). [] when the paragraph does not hold the quote.
    Letters and digits are counted, as for pages; within a line they are taken as evenly
    spread, which places a sentence that starts mid-line to within a few letters."""
    parts = [p for p in (quote or "").replace("…", "\n").splitlines() if _alnum_key(p)]
    if not parts or not paragraph.lines:
        return []
    haystack = _alnum_key(paragraph.text)
    needle = _alnum_key(max(parts, key=len))  # an elided quote: its longest piece
    begin = haystack.find(needle)
    if begin < 0:
        return []
    end = begin + len(needle)
    out = []
    position = 0
    for line in paragraph.lines:
        count = _alnum_count(line.text)
        first, last = position, position + count
        position = last
        if count == 0 or last <= begin or first >= end:
            continue
        out.append((line, max(begin - first, 0) / count, min(end - first, count) / count))
    return out
