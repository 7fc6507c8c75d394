"""Semantic search over passage embeddings, ranked at item level.

The vectors of one model live in a float32 matrix held in memory per process and
refreshed when the archive gains vectors (new ones land while `kkr-arkiv embed` runs).
Search is exact (one matrix-vector product); `benchmarks/` measures where that stops
being fast enough (see docs/BENCHMARKS.md).
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embedding import Embedder, EmbedderUnavailable, load_embedder
from .store import Archive


class SemanticUnavailable(RuntimeError):
    """Semantic search cannot run; the message (Danish, for users) says why."""


@dataclass(frozen=True)
class PassageHit:
    item_id: str
    score: float
    block: str
    page: int
    text: str


class VectorIndex:
    """The passages of one model: metadata arrays and an L2-normalised float32 matrix."""

    def __init__(self, meta: list[tuple], matrix: np.ndarray):
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.item_ids = [m[1] for m in meta]
        self.blocks = [m[2] for m in meta]
        self.pages = [m[3] for m in meta]
        self.texts = [m[4] for m in meta]
        self._item_codes, self._item_names = self._encode(self.item_ids)
        self._decision = np.array([b == "Beslutning" for b in self.blocks], dtype=bool)

    @staticmethod
    def _encode(item_ids: list[str]) -> tuple[np.ndarray, dict[str, int]]:
        names: dict[str, int] = {}
        codes = np.fromiter((names.setdefault(i, len(names)) for i in item_ids), dtype=np.int32,
                            count=len(item_ids))
        return codes, names

    def __len__(self) -> int:
        return len(self.item_ids)

    def search(self, query: np.ndarray, *, limit: int, allowed_items: set[str] | None = None,
               decisions_only: bool = False) -> list[PassageHit]:
        """Best passage per item, best items first."""
        if not len(self):
            return []
        scores = self.matrix @ query.astype(np.float32)
        mask = np.ones(len(self), dtype=bool)
        if allowed_items is not None:
            codes = [self._item_names[i] for i in allowed_items if i in self._item_names]
            mask &= np.isin(self._item_codes, np.array(codes, dtype=np.int32))
        if decisions_only:
            mask &= self._decision
        scores = np.where(mask, scores, -np.inf)
        hits: list[PassageHit] = []
        seen: set[int] = set()
        # take a generous top-k of passages, then the best one per item
        k = min(len(scores), max(limit * 8, 64))
        while True:
            top = np.argpartition(-scores, k - 1)[:k]
            for row in top[np.argsort(-scores[top])]:
                if not np.isfinite(scores[row]):
                    break
                code = int(self._item_codes[row])
                if code in seen:
                    continue
                seen.add(code)
                hits.append(PassageHit(self.item_ids[row], float(scores[row]), self.blocks[row],
                                       self.pages[row], self.texts[row]))
                if len(hits) == limit:
                    return hits
            if k == len(scores):
                return hits
            hits, seen, k = [], set(), min(len(scores), k * 4)


class _VectorCache:
    """One VectorIndex per (archive, model) and process, reloaded when vectors change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[tuple, VectorIndex]] = {}

    @staticmethod
    def _signature(db_path: Path, model_id: str) -> tuple:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            row = conn.execute(
                "SELECT COUNT(*), (SELECT MAX(id) FROM passages) FROM embeddings WHERE model = ?", (model_id,)
            ).fetchone()
            return tuple(row)
        finally:
            conn.close()

    def get(self, archive: Archive, model_id: str) -> VectorIndex:
        key = (str(archive.paths.database), model_id)
        signature = self._signature(archive.paths.database, model_id)
        with self._lock:
            cached = self._entries.get(key)
            if cached and cached[0] == signature:
                return cached[1]
            meta, matrix = archive.passage_vectors(model_id)
            index = VectorIndex(meta, matrix)
            self._entries[key] = (signature, index)
            return index


_CACHE = _VectorCache()


def active_embedder(archive: Archive, model: str | None = None) -> Embedder:
    """The embedder whose vectors the archive holds, or a clear reason why there is none."""
    try:
        embedder = load_embedder(model)
    except EmbedderUnavailable as exc:
        raise SemanticUnavailable(f"Semantisk søgning er ikke tilgængelig: {exc}") from exc
    stored = archive.embedded_models()
    if embedder.model_id not in stored and stored:
        others = ", ".join(sorted(stored))
        raise SemanticUnavailable(
            f"Arkivets vektorer er lavet med en anden model ({others}) end den aktive "
            f"({embedder.model_id}). Kør 'kkr-arkiv embed' for at indlejre med den aktive model."
        )
    return embedder


def embedding_progress(archive: Archive, model: str | None = None) -> tuple[int, int]:
    """(passages embedded, passages in all) for the active model: shown while vectors land."""
    try:
        embedder = load_embedder(model)
    except EmbedderUnavailable:
        return 0, archive.vector_progress("")[1]
    return archive.vector_progress(embedder.model_id)


def semantic_passages(archive: Archive, query: str, *, limit: int, model: str | None = None,
                      allowed_items: set[str] | None = None, decisions_only: bool = False) -> list[PassageHit]:
    embedder = active_embedder(archive, model)
    index = _CACHE.get(archive, embedder.model_id)
    if not len(index):
        raise SemanticUnavailable(
            "Der er endnu ingen vektorer i arkivet; semantisk søgning virker, når indlejringen er færdig "
            "('kkr-arkiv embed')."
        )
    vector = embedder.embed_query(query)
    return index.search(vector, limit=limit, allowed_items=allowed_items, decisions_only=decisions_only)
