"""Where a paragraph's text is printed: offset to PDF page, and the text split at page breaks.

`Paragraph.text` is its printed lines de-hyphenated and whitespace-normalised, so counting
letters and digits (which neither changes) lines an offset in the text up with the lines.
This is the one copy used by search snippets, passages, answers and the item page.
"""
from __future__ import annotations

import unicodedata

from archive.storage.model import Paragraph


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
