"""One result per agenda item (archive.search.grouping) and case numbers as typed
(archive.search.casenumbers), on the archive ingested from the corpus PDFs."""
from __future__ import annotations

import pytest

from archive.search.casenumbers import case_key, case_number_in
from archive.search.grouping import group_hits, item_key, search_items
from archive.search.keyword import SearchRequest, keyword_search
from archive.search.modes import search


def _whole_ranking(archive, request: SearchRequest):
    hits, offset = [], 0
    while True:
        response = search(archive, SearchRequest(**{**request.__dict__, "offset": offset, "limit": 100}), snippets=False)
        hits += response.hits
        offset += 100
        if not response.hits or len(hits) >= response.total:
            return hits


@pytest.mark.parametrize("q", ["herberger", "kommunerne", "SAG-2026-00541"])
def test_each_item_is_one_result_and_the_count_is_the_same_on_every_page(corpus_archive, q):
    request = SearchRequest(q=q, mode="keyword", limit=10)
    ranking = _whole_ranking(corpus_archive, request)
    distinct = {item_key(h) for h in ranking}
    assert len(distinct) < len(ranking)  # the corpus holds dagsorden and referat of the same meetings
    first = search_items(corpus_archive, request)
    assert first.exact and first.total == len(distinct)
    assert first.hits_total == len(ranking)
    shown, offset = [], 0
    while offset < first.total + 10:
        page = search_items(corpus_archive, SearchRequest(q=q, mode="keyword", limit=10, offset=offset))
        assert page.total == first.total  # stable while paging, also past the end
        shown += page.results
        offset += 10
    assert len(shown) == first.total
    assert len({item_key(r.hit) for r in shown}) == first.total
    every_hit = [h.item_id for r in shown for h in r.hits]
    assert sorted(every_hit) == sorted(h.item_id for h in ranking)  # nothing lost, nothing twice
    for result in shown:
        kinds = [h.kind for h in result.hits]
        assert kinds == sorted(kinds, key=lambda k: k != "referat")  # the referat first
        assert all(item_key(h) == item_key(result.hit) for h in result.also)
    # the shown page has snippets, with the matched words where the words are in the text
    assert all(r.hit.snippet for r in first.results)
    if not q.startswith("SAG-"):  # a case number matches the item's metadata, not its text
        assert any("<mark>" in r.hit.snippet for r in first.results)


def test_group_order_follows_the_best_hit_of_each_item(corpus_archive):
    hits = _whole_ranking(corpus_archive, SearchRequest(q="herberger", mode="keyword"))
    groups = group_hits(hits)
    rank = {h.item_id: i for i, h in enumerate(hits)}
    best = [min(rank[h.item_id] for h in g.hits) for g in groups]
    assert best == sorted(best)


def test_json_search_is_one_result_per_item_with_the_twin_linked(corpus_archive):
    results = search_items(corpus_archive, SearchRequest(q="herberger", mode="keyword", limit=100))
    data = results.to_json()
    assert data["total"] == len(data["results"]) == results.total
    twins = [r for r in data["results"] if r["also"]]
    assert twins and all(r["kind"] == "referat" and r["also"][0]["kind"] == "dagsorden" for r in twins)
    assert all(r["matched"] == "words" for r in data["results"])


def test_results_found_only_by_meaning_are_marked(embedded_archive):
    request = SearchRequest(q="herberger", mode="hybrid", council="KKR Hovedstaden", decisions_only=True, limit=100)
    results = search_items(embedded_archive, request)
    words = {h.item_id for h in keyword_search(
        embedded_archive, SearchRequest(q="herberger", mode="keyword", council="KKR Hovedstaden",
                                        decisions_only=True, limit=100), snippets=False).hits}
    marked = [r for r in results.results if r.meaning_only]
    assert marked, "a hybrid search lists semantic neighbours"
    for result in results.results:
        assert result.meaning_only == all(h.item_id not in words for h in result.hits)
    semantic = search_items(embedded_archive, SearchRequest(q="herberger", mode="semantic", limit=100))
    assert semantic.results and all(r.to_json()["matched"] == "meaning" for r in semantic.results)


@pytest.mark.parametrize("typed", ["SAG-2026-00541", "2026-00541", "sag 2026-00541", "Sag 2026 00541",
                                   "sag-2026-00541", " 2026/00541 ", "SAG202600541"])
def test_a_case_number_is_found_however_it_is_typed(corpus_archive, typed):
    known = corpus_archive.case_numbers()
    assert case_number_in(typed, known) == "SAG-2026-00541"


@pytest.mark.parametrize("typed", ["2026", "herberger", "sag", "2026-0054", "SAG-2026-00541 herberger", ""])
def test_other_queries_are_not_case_numbers(corpus_archive, typed):
    assert case_number_in(typed, corpus_archive.case_numbers()) is None


def test_case_key_ignores_case_punctuation_and_the_word_sag():
    assert case_key("SAG-2026-00541") == case_key("sag 2026 00541") == case_key("2026.00541") == "202600541"
