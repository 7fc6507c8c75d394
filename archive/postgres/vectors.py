"""Semantic search on pgvector: the passages of one model nearest to a query vector.

The HNSW index (`halfvec_cosine_ops`) gives the nearest passage vectors; the best passage
per item is kept, best items first, as the in-memory `archive.search.semantic.VectorIndex`
does. With filters, the index is asked for as many more neighbours as the filters leave
out (a passage that fails them is skipped); when that would be more than
``PostgresSettings.vector_exact_below`` the filtered passages are scanned exactly instead.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from archive.search.semantic import PassageHit

if TYPE_CHECKING:
    # a PostgresArchive (archive.postgres.store, which imports this module): its `conn`,
    # `url` and `settings`
    from archive.storage.store import Archive as PostgresArchive


def halfvec_literal(vector: np.ndarray) -> str:
    """A vector as pgvector's text input ('[0.1,0.2,...]')."""
    return "[" + ",".join(f"{float(v):.6g}" for v in np.asarray(vector, dtype=np.float32).ravel()) + "]"


# the k nearest vectors, their passages (filtered), the best passage per item, the best
# `limit` items: only those rows leave the server, and only their passages' texts are read
# (the candidates come from the covering index passages_hash_items, no table row); `found`
# (how many vectors the index gave) comes on every row, and on one row of NULLs when no
# passage is left
_NEAREST = """
    WITH e AS MATERIALIZED (
        SELECT hash, 1 - (vector <=> ?::halfvec) AS score FROM embeddings WHERE model = ?
        ORDER BY vector <=> ?::halfvec LIMIT ?),
    best AS (
        SELECT DISTINCT ON (p.item_id) p.item_id, p.id, e.score
        FROM e JOIN passages p ON p.hash = e.hash WHERE TRUE {filters}
        ORDER BY p.item_id, e.score DESC, p.id),
    top AS (SELECT * FROM best ORDER BY score DESC, item_id LIMIT ?)
    SELECT t.item_id, p.block, p.page, p.text, t.score, f.found
    FROM (SELECT COUNT(*) AS found FROM e) f LEFT JOIN top t ON TRUE LEFT JOIN passages p ON p.id = t.id
    ORDER BY t.score DESC NULLS LAST, t.item_id
"""
_EXACT = """
    SELECT p.item_id, p.block, p.page, p.text, 1 - (e.vector <=> ?::halfvec) AS score
    FROM passages p JOIN embeddings e ON e.hash = p.hash AND e.model = ?
    WHERE p.item_id = ANY(?) {decisions}
    ORDER BY e.vector <=> ?::halfvec LIMIT ?
"""

_ITEM_PASSAGES = """
    SELECT p.item_id, p.block, p.page, p.text, 1 - (e.vector <=> ?::halfvec) AS score
    FROM passages p JOIN embeddings e ON e.hash = p.hash AND e.model = ?
    WHERE p.item_id = ANY(?) ORDER BY p.id
"""


class PostgresVectorIndex:
    """The vectors of one model in the archive database."""

    def __init__(self, archive: "PostgresArchive", model_id: str):
        self.archive = archive
        self.model_id = model_id
        self._count: int | None = None

    def __len__(self) -> int:
        """Passages with a vector of the model (counted once per archive state, `counted`)."""
        if self._count is None:
            self._count = self.archive.counted(f"vectors:{self.model_id}", lambda: self.archive.conn.execute(
                "SELECT COUNT(*) FROM passages p JOIN embeddings e ON e.hash = p.hash AND e.model = ?",
                (self.model_id,)).fetchone()[0])
        return self._count

    def search(self, query: np.ndarray, *, limit: int, allowed_items: set[str] | None = None,
               decisions_only: bool = False) -> list[PassageHit]:
        """Best passage per item, best items first."""
        settings = self.archive.settings
        vector = halfvec_literal(query)
        conn = self.archive.conn
        share = 1.0
        if allowed_items is not None:
            total_items = self.archive.counted("items", lambda: conn.execute(
                "SELECT COUNT(*) FROM items").fetchone()[0]) or 1
            share = max(len(allowed_items) / total_items, 1e-6)
        k = int(max(limit * 8, 64) / share) * (4 if decisions_only else 1)
        with conn:
            conn.execute(f"SET LOCAL hnsw.ef_search = {max(int(settings.hnsw_ef_search), 1)}")
            if allowed_items is not None and k > settings.vector_exact_below:
                decisions = "AND p.block = 'Beslutning'" if decisions_only else ""
                rows = conn.execute(_EXACT.format(decisions=decisions),
                                    (vector, self.model_id, sorted(allowed_items), vector, limit * 8)).fetchall()
                return _best_per_item(rows, limit)
            filters, args = "", []
            if allowed_items is not None:
                filters, args = " AND p.item_id = ANY(?)", [sorted(allowed_items)]
            if decisions_only:
                filters += " AND p.block = 'Beslutning'"
            while True:
                conn.execute(f"SET LOCAL hnsw.ef_search = {max(int(settings.hnsw_ef_search), min(k, 1000))}")
                if k > 1000:  # beyond pgvector's candidate list: keep scanning the graph
                    conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                rows = conn.execute(_NEAREST.format(filters=filters),
                                    (vector, self.model_id, vector, k, *args, limit)).fetchall()
                hits = _best_per_item([r for r in rows if r["item_id"] is not None], limit)
                if len(hits) >= limit or rows[0]["found"] < k or k >= settings.vector_exact_below:
                    return hits
                k *= 4

    def item_passages(self, query: np.ndarray, *, limit: int, allowed_items: set[str] | None = None,
                      include: list[str] | tuple[str, ...] = ()) -> dict[str, list[PassageHit]]:
        """Every passage of the `limit` items whose best passage scores highest (among
        `allowed_items`, through `search`) and of the items in `include`, scored in SQL:
        item id -> passages best first, the ranked items first in ranking order, as
        `VectorIndex.item_passages` gives them. Reads the vectors of those items only."""
        wanted = [h.item_id for h in self.search(query, limit=limit, allowed_items=allowed_items)] if limit > 0 else []
        wanted += [i for i in dict.fromkeys(include) if i not in set(wanted)]
        if not wanted:
            return {}
        vector = halfvec_literal(query)
        rows = self.archive.conn.execute(_ITEM_PASSAGES, (vector, self.model_id, wanted)).fetchall()
        found: dict[str, list[PassageHit]] = {}
        for r in rows:
            found.setdefault(r["item_id"], []).append(
                PassageHit(r["item_id"], float(r["score"]), r["block"], r["page"], r["text"]))
        out = {i: found[i] for i in wanted if i in found}  # items with no vector have no passages here
        for hits in out.values():
            hits.sort(key=lambda h: -h.score)
        return out


def _best_per_item(rows, limit: int) -> list[PassageHit]:
    ordered = sorted(rows, key=lambda r: -r["score"])
    hits: list[PassageHit] = []
    seen: set[str] = set()
    for r in ordered:
        if r["item_id"] in seen:
            continue
        seen.add(r["item_id"])
        hits.append(PassageHit(r["item_id"], float(r["score"]), r["block"], r["page"], r["text"]))
        if len(hits) == limit:
            break
    return hits
