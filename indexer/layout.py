"""Reading PDF pages into printed lines, with running headers and footers removed.

Every page is read with exactly one ``page.extract_words`` call; words are grouped into
lines by vertical overlap. Page furniture (running headers such as
"KKR Hovedstaden | 07-04-2026 SIDE | 26" or footers such as "Side 3 af 17") is recognised
by position (a line in the top or bottom margin band) together with repetition (the same
text, digits normalised, in that band on many pages) -- never by fixed strings.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

import pdfplumber

from indexer import genre

# Fraction of the page height that counts as top / bottom margin band.
MARGIN_BAND = 0.12
# A margin-band text is furniture when it recurs on at least this share of the pages.
REPEAT_SHARE = 0.3

_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_ITALIC_RE = re.compile(r"italic|oblique|kursiv", re.IGNORECASE)
# Outside the margin band, furniture must stand in a run of furniture lines from the page
# edge, within this share of the page height, at a position repeated on many pages.
RUN_BAND = 0.25
_DIGITS_RE = re.compile(r"\d+")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class PrintedWord:
    """A word as printed on the page: its text, box in PDF points and font."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool
    size: float
    italic: bool = False


@dataclass(slots=True)
class Line:
    """One printed line: its words left to right and its box on a 1-based page."""

    page: int
    words: list[PrintedWord]
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    text: str = ""
    bold: bool = False
    size: float = 0.0
    italic: bool = False

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute box, text and style from the words."""
        ws = self.words
        self.x0 = min(w.x0 for w in ws)
        self.x1 = max(w.x1 for w in ws)
        self.top = min(w.top for w in ws)
        self.bottom = max(w.bottom for w in ws)
        self.text = " ".join(w.text for w in ws)
        weight = Counter[bool]()
        slant = Counter[bool]()
        sizes = Counter[float]()
        for w in ws:
            weight[w.bold] += len(w.text)
            slant[w.italic] += len(w.text)
            sizes[w.size] += len(w.text)
        self.bold = weight[True] > weight[False]
        self.italic = slant[True] > slant[False]
        self.size = sizes.most_common(1)[0][0]

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    word_count: int = 0
    images: int = 0  # placed images (a scanned page is one)
    drawings: int = 0  # lines, rectangles and curves
    links: list[str] = field(default_factory=list)  # URIs of link annotations
    furniture: list[Line] = field(default_factory=list)  # removed running headers/footers


def read_pages(pdf: pdfplumber.PDF) -> list[Page]:
    """Read all pages of an open PDF into lines, with page furniture removed."""
    pages = [_read_page(p, i + 1) for i, p in enumerate(pdf.pages)]
    remove_furniture(pages)
    return pages


def _read_page(page: Any, number: int) -> Page:
    raw = page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    words = [
        PrintedWord(
            text=w["text"],
            x0=w["x0"],
            x1=w["x1"],
            top=w["top"],
            bottom=w["bottom"],
            bold=bool(_BOLD_RE.search(w["fontname"])),
            size=round(float(w["size"]), 1),
            italic=bool(_ITALIC_RE.search(w["fontname"])),
        )
        for w in raw
        if w["text"].strip()
    ]
    result = Page(number=number, width=float(page.width), height=float(page.height))
    result.lines = group_lines(words, number)
    result.word_count = len(words)
    result.images = len(page.images)
    result.drawings = len(page.lines) + len(page.rects) + len(page.curves)
    result.links = [str(h["uri"]) for h in page.hyperlinks if h.get("uri")]
    page.flush_cache()
    return result


def group_lines(words: Iterable[PrintedWord], page: int) -> list[Line]:
    """Group words into lines: a word joins a line when they overlap vertically by half."""
    lines: list[list[PrintedWord]] = []
    for w in sorted(words, key=lambda w: (round(w.top), w.x0)):
        for ws in reversed(lines[-3:]):
            ref = ws[0]
            overlap = min(ref.bottom, w.bottom) - max(ref.top, w.top)
            if overlap > 0.5 * min(ref.bottom - ref.top, w.bottom - w.top):
                ws.append(w)
                break
        else:
            lines.append([w])
    result = [Line(page=page, words=sorted(ws, key=lambda w: w.x0)) for ws in lines]
    result.sort(key=lambda ln: (ln.top, ln.x0))
    return result


def furniture_key(text: str) -> str:
    """Text of a margin line with digits and spacing normalised, for repetition counts."""
    return _SPACE_RE.sub(" ", _DIGITS_RE.sub("#", text)).strip().lower()


def _furniture_keys(line: Line, page: Page) -> tuple[str, ...]:
    """What makes a margin line the same on other pages: its exact text (a date, a body's
    name), or its text with one of its numbers replaced by that number's offset from the
    page number ("Side 5 af 17", "5 of 17", "KKR X | 07-04-2026 SIDE | 26"; the other
    numbers as printed). A line whose numbers do not follow the pages is the same only when
    printed alike: an item label ("720.", "Punkt 7:") or a case line ("Sagsnr.: 13/4567")
    at the top of a page, however often an item starts there, is no running header."""
    text = _SPACE_RE.sub(" ", line.text).strip().lower()
    numbers = list(_DIGITS_RE.finditer(text))
    keys = ["=" + text]
    for m in numbers:
        keys.append(f"{text[:m.start()]}#{int(m.group()) - page.number:+d}{text[m.end():]}")
    return tuple(keys)


def _in_margin_band(line: Line, page: Page) -> bool:
    return line.bottom <= page.height * MARGIN_BAND or line.top >= page.height * (
        1 - MARGIN_BAND
    )


def _in_run_band(line: Line, page: Page) -> bool:
    return line.bottom <= page.height * RUN_BAND or line.top >= page.height * (1 - RUN_BAND)


def _heads_an_item(line: Line, page: Page, body: float) -> bool:
    """Whether ``line`` at the head of a page begins an item: an item heading in heading type
    (bold or larger than the body text ``body``), or a label alone ("Punkt 3", "715.", or
    with only its case at the right) with the title right below it (a case line above it:
    `_case_line`). Such a line is no furniture, also when every item is one page and its
    numbers follow the page numbers."""
    if line.top >= page.height * MARGIN_BAND:
        return False
    k = page.lines.index(line)
    below = page.lines[k + 1] if k + 1 < len(page.lines) else None
    close = below is not None and 0 < below.top - line.top <= 3 * max(line.height, below.height)
    number = genre.split_item_number(line.text)
    if number is None:
        return False
    heading_type = line.bold or line.size > body * 1.05
    if number[2] and (genre.case_of(number[2]) is not None or genre.is_empty_case_label(number[2])):
        # "715.      Sagsnr.: 12/345": the label with its case at the right, the title below
        number, first = (number[0], number[1], ""), line.words[0]
        heading_type = first.bold or first.size > body * 1.05
    if number[2]:
        return heading_type and number[2][:1].isupper()
    return (close and below is not None and below.text[:1].isupper()
            and (heading_type or below.bold or below.size > body * 1.05))


def remove_furniture(pages: list[Page]) -> None:
    """Drop running headers/footers: margin lines whose text recurs on many pages.

    A line in the narrow margin band is furniture when it recurs there on many pages
    (`_furniture_keys`: a page number anywhere in the band, text printed alike in an
    unbroken run of furniture lines from the page edge). Deeper multi-line headers ("Sundheds- og Forebyggelsesudvalget /
    Referat / Dato: 04.12.2012 / Side 3") are furniture when they also recur at the same
    height and stand in an unbroken run of furniture lines from the page edge.
    """
    pages_with_text = [p for p in pages if p.lines]
    if len(pages_with_text) < 2:
        return
    counts: Counter[str] = Counter()
    placed: Counter[tuple[str, int]] = Counter()
    for page in pages_with_text:
        counts.update({k for ln in page.lines if _in_margin_band(ln, page) for k in _furniture_keys(ln, page)})
        zone = [ln for ln in page.lines if _in_run_band(ln, page)]
        placed.update({(k, round(ln.top / 2)) for ln in zone for k in _furniture_keys(ln, page)})
    threshold = max(2, math.ceil(REPEAT_SHARE * len(pages_with_text)))
    body = body_font_size(pages_with_text)
    furniture = {k for k, n in counts.items() if n >= threshold}

    def repeated_here(line: Line, page: Page) -> bool:
        keys = _furniture_keys(line, page)
        keys = keys[:1] if _case_line(line) else keys  # a case line repeats only as printed
        return any(placed[(k, round(line.top / 2))] >= threshold for k in keys)

    def recurring_text(line: Line, page: Page) -> bool:
        return _in_margin_band(line, page) and _furniture_keys(line, page)[0] in furniture

    for page in pages_with_text:
        # a number that follows the page numbers marks furniture wherever it is in the band,
        # except an item label heading the page (every item one page long: "Punkt 3" on page 4)
        drop = {
            id(ln) for ln in page.lines
            if _in_margin_band(ln, page) and not furniture.isdisjoint(_furniture_keys(ln, page)[1:])
            and not _heads_an_item(ln, page, body)
            and not _case_line(ln)
        }
        # text that recurs as printed only in a run from the page edge: the same case
        # line under the heading of items that start at the top of their page is no header
        for run in (page.lines, page.lines[::-1]):
            for k, ln in enumerate(run):
                if id(ln) in drop:
                    continue
                if _heads_an_item(ln, page, body) or not (
                        recurring_text(ln, page) or _in_run_band(ln, page) and repeated_here(ln, page)):
                    break
                if run is page.lines and _case_line(ln) and k + 1 < len(run) \
                        and genre.split_item_number(run[k + 1].text) is not None:
                    break  # a case line over an item's heading is the item's head, however often alike
                drop.add(id(ln))
        page.furniture = [ln for ln in page.lines if id(ln) in drop]
        page.lines = [ln for ln in page.lines if id(ln) not in drop]


def _case_line(line: Line) -> bool:
    """A case line ("Sagsnr.: SAG-2026-00806") without a page word: its number only seems to
    follow the page numbers (consecutive cases of items that each start a page)."""
    return genre.is_case_line(line.text) and not _PAGE_WORD_RE.search(line.text)


_PAGE_WORD_RE = re.compile(r"\b(?:side|page|of|af)\b", re.IGNORECASE)


def body_font_size(pages: list[Page]) -> float:
    """The most common font size, weighted by characters: the size of running text."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            for w in line.words:
                sizes[w.size] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0
