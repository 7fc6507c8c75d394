"""Two-step keyword matching on a real PostgreSQL: a query whose tsquery needs a recheck
(field weights, phrases, compound parts in one field) finds its candidates by its loose form
from the GIN index alone and is checked exactly on at most `candidate_window` of them."""
from __future__ import annotations

from dataclasses import replace

import pytest

from archive.keyword.fulltext import Filters
from archive.postgres.store import PostgresArchive
from archive.settings import DEFAULT
from archive.text.query import parse

# a phrase, a compound (its parts in one field), a phrase with a compound, a plain AND
QUERIES = ['"ny model for kapacitetsstyring"', "herbergspladser", '"kommunernes økonomi"',
           "klimaalliance forretningsorden", '"det specialiserede socialområde"']


def _archive(url: str, runtime, **postgres) -> PostgresArchive:
    return PostgresArchive(url, runtime=runtime, settings=replace(DEFAULT.postgres, **postgres))


def _exact_matches(archive: PostgresArchive, query: str, filters: Filters) -> set[str]:
    """Every item the exact tsquery matches, by a plain scan (the truth to compare with)."""
    sql = "SELECT s.item_id FROM item_search s WHERE s.terms @@ ?::tsquery"
    if filters.decisions_only:
        sql += " AND s.has_decision"
    return {r[0] for r in archive.conn.execute(sql, (query,)).fetchall()}


def _compiled(archive: PostgresArchive, text: str, filters: Filters) -> tuple:
    with archive.keyword_index().searcher() as searcher:
        root = parse(text).root
        return root, searcher.compile(root, filters), searcher.compile(root, filters, loose=True)


@pytest.mark.parametrize("text", ['"ny model for kapacitetsstyring"', "herbergspladser"])
def test_the_loose_form_has_no_weights_and_no_word_order(corpus_postgres_url, runtime, text):
    with _archive(corpus_postgres_url, runtime) as archive:
        _root, exact, loose = _compiled(archive, text, Filters())
        assert "<->" in exact or ":A" in exact  # this one needs a recheck
        assert "<->" not in loose and not any(f"':{w}" in loose for w in "ABCD")
        # a superset of the exact matches
        assert _exact_matches(archive, exact, Filters()) <= _exact_matches(archive, loose, Filters())


@pytest.mark.parametrize("decisions_only", [False, True])
@pytest.mark.parametrize("text", QUERIES)
def test_within_the_window_totals_facets_and_hits_are_exact(corpus_postgres_url, runtime, text, decisions_only):
    filters = Filters(decisions_only=decisions_only)
    with _archive(corpus_postgres_url, runtime) as archive:
        root, exact, _loose = _compiled(archive, text, filters)
        truth = _exact_matches(archive, exact, filters)
        with archive.keyword_index().searcher() as searcher:
            results = searcher.search(root, filters, limit=200)
            assert searcher.count(root, filters) == len(truth)
        assert results.total == len(truth)
        assert {h.item_id for h in results.hits} == truth
        assert sum(results.facets["kind"].values()) == len(truth)
        scores = [h.score for h in results.hits]
        assert scores == sorted(scores, reverse=True)


def test_above_the_window_every_hit_matches_exactly_and_the_best_are_kept(corpus_postgres_url, runtime):
    text = '"ny model for kapacitetsstyring"'
    with _archive(corpus_postgres_url, runtime) as wide:
        root, exact, loose = _compiled(wide, text, Filters())
        truth = _exact_matches(wide, exact, Filters())
        loose_matches = _exact_matches(wide, loose, Filters())
        with wide.keyword_index().searcher() as searcher:
            best = searcher.search(root, Filters(), limit=3).hits
    assert len(loose_matches) > len(truth) >= 3
    window = len(loose_matches) - 1  # one loose match more than the window
    with _archive(corpus_postgres_url, runtime, candidate_window=window) as narrow:
        with narrow.keyword_index().searcher() as searcher:
            results = searcher.search(root, Filters(), limit=10)
            counted = searcher.count(root, Filters())
    assert results.hits and {h.item_id for h in results.hits} <= truth
    assert results.total == counted == len(loose_matches)  # above the window: the loose matches
    # the strong candidates (the words in a title or decision) come first, so the best survive
    assert [h.item_id for h in results.hits[:1]] == [h.item_id for h in best[:1]]


def test_a_decision_only_query_above_the_window_finds_decisions(corpus_postgres_url, runtime):
    text = "kommunerne"
    filters = Filters(decisions_only=True)
    with _archive(corpus_postgres_url, runtime, candidate_window=5) as archive:
        root, exact, _loose = _compiled(archive, text, filters)
        truth = _exact_matches(archive, exact, filters)
        assert len(truth) > 5
        with archive.keyword_index().searcher() as searcher:
            results = searcher.search(root, filters, limit=10)
    assert results.hits and {h.item_id for h in results.hits} <= truth
