"""Which printed lines of a page the page image marks for a query: the Danish analysis and the
query parser decide (the one stop list, stems, no excluded words). Real items from corpus/."""
from __future__ import annotations

from archive.search.modes import SearchRequest, search
from archive.text.analysis import Analysis, fold
from webapp.pageimage import page_highlight, query_terms


def _herberg_item(archive):
    hit = search(archive, SearchRequest(q="herberger", mode="keyword")).hits[0]
    return archive.item(hit.item_id)


def _line_texts(item, page, boxes):
    lines = {(l.x0, l.top, l.x1, l.bottom): l.text for b in item.blocks for p in b.paragraphs
             for l in p.lines if l.page == page}
    return [lines[box] for box in boxes]


def test_question_words_and_stop_words_mark_nothing_only_the_topic_does(corpus_archive):
    assert query_terms("Hvad blev besluttet om herberger?") == [fold(Analysis().terms("herberger")[0].text)]
    assert query_terms("hvad er det og hvor") == []
    assert query_terms("-herberger") == []  # an excluded word is not looked for
    item = _herberg_item(corpus_archive)
    page = next(p.page_first for b in item.blocks for p in b.paragraphs if "herberg" in p.text.lower())
    marks = page_highlight(item, page, "Hvad blev besluttet om herberger?")
    boxes, matches = marks.item, marks.words
    assert matches and set(matches) <= set(boxes)
    for text in _line_texts(item, page, matches):
        assert "herberg" in text.lower(), text  # never a line marked only for "besluttet"


def test_a_compound_on_the_page_is_marked_for_its_first_part(corpus_archive):
    item = _herberg_item(corpus_archive)
    for block in item.blocks:
        for paragraph in block.paragraphs:
            for line in paragraph.lines:
                if "herbergs" in line.text.lower():
                    matches = page_highlight(item, line.page, "herberg").words
                    assert (line.x0, line.top, line.x1, line.bottom) in matches
                    return
    raise AssertionError("no line with a herbergs- compound in the first herberg item")
