"""Evidence-weighted fusion of the keyword and the semantic ranking (issue #11), on the real
embedded archive of the sample corpus: a relaxed keyword match counts less the less of the query
it holds, semantic hits below the floor carry no evidence, the convex combination normalises
by theoretical bounds, and the query's shape is read from what people type."""
from __future__ import annotations

from dataclasses import replace

import pytest

from archive.search.hybrid import fuse, fused_ranking, fusion_weights, hybrid_rankings
from archive.search.modes import SearchRequest, search
from archive.settings import DEFAULT
from archive.text.query import parse, query_shape

# no item of the corpus holds every topic word of this question, so keyword search relaxes
RELAXED_QUESTION = "hvad koster en plads på et krisecenter for kvinder og deres børn om natten"


def _shape(text: str) -> str:
    return query_shape(text, parse(text).root)


@pytest.mark.parametrize("text", ["hvornår skal rammeaftalen for 2027-2028 godkendes", "budget 2025/26",
                                  "møde 7.4.2026 om herberg", "12.000 kr. til herberg", "plan for 2027-2035"])
def test_periods_dates_and_amounts_are_not_codes(text):
    assert _shape(text) != "code"


@pytest.mark.parametrize("text", ["SAG-2026-00541", "00.01.00-A00", "sag 13/8686", "2012-12345-01",
                                  "27.00.00 ordning", '"ny model"', "hvad blev besluttet i SAG-2026-00541"])
def test_case_numbers_codes_and_quoted_phrases_are_codes(text):
    assert _shape(text) == "code"


def test_question_shape():
    assert _shape("hvornår skal rammeaftalen for 2027-2028 godkendes") == "question"
    assert _shape("herberg kapacitet") == "words"


def test_a_relaxed_match_weighs_by_the_share_of_the_query_it_holds(embedded_archive):
    settings = replace(DEFAULT.search, relaxed_by_coverage=True)
    rankings = hybrid_rankings(embedded_archive, SearchRequest(q=RELAXED_QUESTION, mode="hybrid"), settings)
    keyword = rankings.keyword
    assert keyword.relaxed and 0 < keyword.coverage < 1  # the precondition: a partial match
    weighted = fusion_weights(RELAXED_QUESTION, keyword, rankings.semantic, settings)
    plain = fusion_weights(RELAXED_QUESTION, keyword, rankings.semantic, replace(settings, relaxed_by_coverage=False))
    assert weighted.relaxed == pytest.approx(plain.relaxed * keyword.coverage)
    assert weighted.exact == plain.exact
    # an exact match is full evidence
    exact = hybrid_rankings(embedded_archive, SearchRequest(q="herberg", mode="hybrid"), settings).keyword
    assert not exact.relaxed and exact.coverage == 1.0


def test_semantic_hits_below_the_floor_are_left_out_of_the_fusion(embedded_archive):
    wide = replace(DEFAULT.search, semantic_window=1.0)  # every semantic hit of the pool, not only the best few
    rankings = hybrid_rankings(embedded_archive, SearchRequest(q=RELAXED_QUESTION, mode="hybrid"), wide)
    semantic = rankings.semantic
    assert len(semantic) >= 3
    floor = semantic[1].score  # keeps the best two (ties aside)
    settings = replace(wide, semantic_floor=floor)
    fused = fused_ranking(RELAXED_QUESTION, rankings, settings)
    kept = {h.item_id for h in semantic if h.score >= floor}
    keyword_ids = {h.item_id for h in rankings.keyword.hits}
    assert {h.item_id for h in fused} == keyword_ids | kept
    # with the floor off every semantic hit enters
    everything = fused_ranking(RELAXED_QUESTION, rankings, replace(settings, semantic_floor=0.0))
    assert {h.item_id for h in everything} == keyword_ids | {h.item_id for h in semantic}


def test_convex_fusion_with_theoretical_bounds_keeps_the_keyword_score_ratio(embedded_archive):
    settings = replace(DEFAULT.search, fusion="convex", convex_norm="tmm", semantic_floor=0.0)
    keyword = search(embedded_archive, SearchRequest(q="herberg kapacitet", mode="keyword", limit=20)).hits
    assert len(keyword) >= 2
    weights = fusion_weights("herberg kapacitet", search(embedded_archive, SearchRequest(q="herberg kapacitet")),
                             [], settings)
    fused = fuse(keyword, [], weights, settings)
    # BM25 from 0 (not min-max): the last keyword hit keeps a share of the first one's score
    by_id = {h.item_id: h.score for h in fused}
    last, first = keyword[-1], keyword[0]
    assert by_id[last.item_id] > 0
    assert by_id[last.item_id] / by_id[first.item_id] == pytest.approx(last.score / first.score)
    minmax = {h.item_id: h.score for h in fuse(keyword, [], weights, replace(settings, convex_norm="minmax"))}
    assert minmax[last.item_id] == 0.0 or last.score == first.score


def test_a_question_with_only_a_partial_keyword_match_keeps_the_semantic_best_on_top(embedded_archive):
    keyword = search(embedded_archive, SearchRequest(q=RELAXED_QUESTION, mode="keyword"))
    assert keyword.relaxed
    semantic = search(embedded_archive, SearchRequest(q=RELAXED_QUESTION, mode="semantic"))
    hybrid = search(embedded_archive, SearchRequest(q=RELAXED_QUESTION, mode="hybrid"))
    assert semantic.hits and hybrid.hits
    assert semantic.hits[0].item_id in [h.item_id for h in hybrid.hits[:2]]
