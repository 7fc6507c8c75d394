"""Running headers and footers are told from text by repetition across pages (indexer/layout.py)."""
from __future__ import annotations

from indexer.layout import Line, Page, PrintedWord, remove_furniture

HEIGHT = 842.0


def _line(page: int, text: str, top: float, *, bold: bool = False, size: float = 10.0) -> Line:
    words, x = [], 72.0
    for word in text.split():
        words.append(PrintedWord(word, x, x + 6 * len(word), top, top + size, bold, size))
        x += 6 * len(word) + 4
    return Line(page=page, words=words)


def _pages(tops: dict[int, list[tuple[str, float]]]) -> list[Page]:
    pages = []
    for number in range(1, 11):
        page = Page(number=number, width=595.0, height=HEIGHT)
        page.lines = [_line(number, "Brødtekst om sagen på denne side.", 300.0)]
        page.lines += [_line(number, text, top, bold=text.endswith("."), size=12.0 if text.endswith(".") else 8.0)
                       for text, top in tops.get(number, [])]
        page.lines.sort(key=lambda ln: ln.top)
        pages.append(page)
    return pages


def test_page_numbers_with_an_offset_and_a_repeated_date_are_furniture():
    pages = _pages({n: [(str(n - 1), 810.0), ("07.04.2026", 30.0)] for n in range(1, 11)})
    remove_furniture(pages)
    assert all(ln.text == "Brødtekst om sagen på denne side." for p in pages for ln in p.lines)


def test_item_labels_at_the_top_of_pages_are_not_page_numbers():
    """Items that start at the top of a page with their label alone ("720.") put a number
    in the header band on many pages; it does not follow the page numbers, so it stays."""
    labels = {2: "715.", 3: "716.", 5: "717.", 6: "718.", 9: "719.", 10: "720."}
    pages = _pages({n: [(label, 70.0)] for n, label in labels.items()})
    remove_furniture(pages)
    kept = {p.number: [ln.text for ln in p.lines if ln.text != "Brødtekst om sagen på denne side."] for p in pages}
    assert {n: texts[0] for n, texts in kept.items() if texts} == labels
