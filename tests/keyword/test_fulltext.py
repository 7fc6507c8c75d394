"""The keyword engine's own evaluator against Whoosh's matchers on a real index."""
from __future__ import annotations

import pytest

from archive.keyword.fulltext import DICTIONARY_FILE, Filters, KeywordIndex
from archive.text.analysis import Decompounder
from archive.text.query import parse
from indexer.keyword_index import KeywordIndexWriter, SyncStats, documents_of

HERBERG_CASE = "SAG-2026-00541"


def test_vectorised_search_equals_whoosh_search_on_segmented_index(scratch):
    """The numpy evaluator gives Whoosh's own totals, order, scores and facet counts, also
    on an index with several segments and deleted documents."""
    from whoosh import index as whoosh_index
    from whoosh import sorting

    index = KeywordIndex(scratch.paths)
    writer_of = KeywordIndexWriter(scratch.paths)
    directory = index.current_dir()
    ix = whoosh_index.open_dir(str(directory))
    documents = list(documents_of(scratch).values())
    decompounder = Decompounder.load(directory / DICTIONARY_FILE)
    for batch in (documents[:2], documents[2:4]):  # re-added: new segments, deletions
        with writer_of.writer(ix, directory, decompounder, SyncStats()) as writer:
            for doc in batch:
                writer.delete_by_term("document_id", doc.id)
            writer_of.add_documents(writer, scratch, batch)
    queries = ["herberger", "kvindekrisecenter", "paedagog", "herberg*", '"ny model"', "herberg -flygtninge",
               "herberg OR krisecenter", HERBERG_CASE, "2026"]
    for q in queries:
        for filters in (Filters(), Filters(council="hovedstaden"), Filters(decisions_only=True)):
            for sort in ("relevance", "date"):
                with index.searcher() as searcher:
                    assert not searcher.searcher.is_atomic()
                    root = parse(q).root
                    ours = searcher.search(root, filters, sort=sort, limit=25)
                    kwargs = {"groupedby": {n: sorting.FieldFacet(n) for n in ("council_name", "year", "kind")},
                              "maptype": sorting.Count}
                    if sort == "date":
                        kwargs["sortedby"] = sorting.MultiFacet([sorting.FieldFacet("date", reverse=True)])
                    theirs = searcher.searcher.search(searcher.compile(root, filters), filter=searcher._filter(filters),
                                                      mask=searcher.exclusion(root), limit=25, **kwargs)
                    assert ours.total == len(theirs), (q, filters, sort)
                    expected = list(theirs)[:25]  # Whoosh may return more than `limit` when grouping
                    assert [h.item_id for h in ours.hits] == [h["item_id"] for h in expected], (q, filters, sort)
                    if sort == "relevance":
                        assert [h.score for h in ours.hits] == pytest.approx([h.score for h in expected])
                    assert ours.facets == {"council": dict(theirs.groups("council_name")),
                                           "year": dict(theirs.groups("year")), "kind": dict(theirs.groups("kind"))}
