"""Semantic search over passage embeddings, ranked at item level: semantic mode
(`semantic_search`) and the semantic ranking hybrid search fuses (`semantic_hits`).

The vectors of one model live in a float32 matrix (`VectorIndex`) held in memory by the
process's `Runtime` (`archive.runtime.vectors`, a `VectorCache` of archive/vectors/cache.py)
and rebuilt when the archive gains vectors (new ones land while `kkr-arkiv embed` runs).
Search is exact (one matrix-vector product) for archives below `ann.ANN_THRESHOLD`
vectors and approximate (the HNSW index kept by `kkr-arkiv embed`) above it, behind the
same `VectorIndex.search`; docs/BENCHMARKS.md has the measurements behind the threshold.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from archive.search.keyword import (
    SearchHit,
    SearchRequest,
    SearchResponse,
    _filters,
    _limit,
    hit_facets,
    page_of_hits,
    sorted_hits,
)
from archive.settings import DEFAULT, SearchSettings
from archive.storage import ids
from archive.storage.store import Archive
from archive.text.query import normalise
from archive.vectors.ann import open_vector_index
from archive.vectors.embedding import Embedder, EmbedderUnavailable

SNIPPET_CHARS = 320


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

    def __init__(self, meta: list[tuple], matrix: np.ndarray, ann=None):
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.ann = ann  # an HNSW index keyed by vector key, or None for exact search
        self._rows_of_key: dict[int, list[int]] = {}
        for row, m in enumerate(meta):
            self._rows_of_key.setdefault(m[5], []).append(row)
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
        mask = np.ones(len(self), dtype=bool)
        if allowed_items is not None:
            codes = [self._item_names[i] for i in allowed_items if i in self._item_names]
            mask &= np.isin(self._item_codes, np.array(codes, dtype=np.int32))
        if decisions_only:
            mask &= self._decision
        query = query.astype(np.float32)
        if self.ann is not None:
            hits = self._approximate(query, limit, mask)
            if hits is not None:
                return hits
        scores = self.matrix @ query
        scores = np.where(mask, scores, -np.inf)
        return self._best_per_item(scores, limit)

    def item_passages(self, query: np.ndarray, *, limit: int, allowed_items: set[str] | None = None,
                      include: list[str] | tuple[str, ...] = ()) -> dict[str, list[PassageHit]]:
        """Every passage of the `limit` items whose best passage scores highest (among
        `allowed_items`) and of the items in `include`, scored: item id -> passages best first,
        the ranked items first in ranking order. Exact (one matrix-vector product)."""
        if not len(self):
            return {}
        scores = self.matrix @ query.astype(np.float32)
        ranked = scores
        if allowed_items is not None:
            codes = [self._item_names[i] for i in allowed_items if i in self._item_names]
            ranked = np.where(np.isin(self._item_codes, np.array(codes, dtype=np.int32)), scores, -np.inf)
        wanted = [h.item_id for h in self._best_per_item(ranked, limit)] if limit > 0 else []
        wanted += [i for i in dict.fromkeys(include) if i in self._item_names and i not in set(wanted)]
        out: dict[str, list[PassageHit]] = {i: [] for i in wanted}
        if not wanted:
            return out
        codes = np.array([self._item_names[i] for i in wanted], dtype=np.int32)
        for row in np.flatnonzero(np.isin(self._item_codes, codes)):
            out[self.item_ids[row]].append(PassageHit(self.item_ids[row], float(scores[row]), self.blocks[row],
                                                      self.pages[row], self.texts[row]))
        for hits in out.values():
            hits.sort(key=lambda h: -h.score)
        return out

    def _approximate(self, query: np.ndarray, limit: int, mask: np.ndarray) -> list[PassageHit] | None:
        """Best passage per item from the HNSW index; None when filters leave too few of its
        neighbours (then the exact path answers)."""
        share = max(mask.mean(), 1e-6)
        k = int(min(len(self.ann), max(limit * 8, 64) / share))
        if k > 20_000:
            return None
        found = self.ann.search(query, k)
        scores = np.full(len(self), -np.inf, dtype=np.float32)
        for key, distance in zip(found.keys.tolist(), found.distances.tolist()):
            for row in self._rows_of_key.get(key, ()):
                if mask[row]:
                    scores[row] = 1.0 - distance  # usearch "ip" distance is 1 - dot product
        hits = self._best_per_item(scores, limit)
        return hits if len(hits) == limit or k == len(self.ann) else None

    def _best_per_item(self, scores: np.ndarray, limit: int) -> list[PassageHit]:
        hits: list[PassageHit] = []
        seen: set[int] = set()
        # take a generous top-k of passages, then the best one per item
        k = min(len(scores), max(limit * 8, 64))
        while True:
            top = np.argpartition(-scores, k - 1)[:k]
            exhausted = False
            for row in top[np.argsort(-scores[top])]:
                if not np.isfinite(scores[row]):
                    exhausted = True  # every remaining passage is filtered out
                    break
                code = int(self._item_codes[row])
                if code in seen:
                    continue
                seen.add(code)
                hits.append(PassageHit(self.item_ids[row], float(scores[row]), self.blocks[row],
                                       self.pages[row], self.texts[row]))
                if len(hits) == limit:
                    return hits
            if exhausted or k == len(scores):
                return hits
            hits, seen, k = [], set(), min(len(scores), k * 4)


def _cached_index(archive: Archive, model_id: str) -> VectorIndex:
    """The passages of `model_id` in the archive, from the process's cache
    (`archive.runtime.vectors`, archive/vectors/cache.py), built when the archive changed."""
    ann_path = archive.paths.vector_index(model_id)
    stamp = ann_path.stat().st_mtime_ns if ann_path.exists() else None

    def build(expected: int) -> VectorIndex:
        meta, matrix = archive.passage_vectors(model_id)
        return VectorIndex(meta, matrix, open_vector_index(ann_path, expected=expected))

    return archive.runtime.vectors.index(archive, model_id, stamp, build)


def _stored_models(archive: Archive) -> dict[str, int]:
    """Model id -> vectors: cached per process for an embedded archive, asked of a database."""
    return archive.embedded_models() if archive.vectors_in_database else archive.runtime.vectors.models(archive)


def _passage_count(archive: Archive) -> int:
    return archive.passage_count() if archive.vectors_in_database else archive.runtime.vectors.passage_count(archive)


def vector_index(archive: Archive, model_id: str):
    """The vectors of `model_id`: the archive's own index (PostgreSQL, pgvector) or this
    process's in-memory `VectorIndex` (embedded)."""
    own = archive.passage_index(model_id)
    return _cached_index(archive, model_id) if own is None else own


def active_embedder(archive: Archive, model: str | None = None) -> Embedder:
    """The embedder whose vectors the archive holds, or a clear reason why there is none."""
    try:
        embedder = archive.runtime.embedders.load(model)
    except EmbedderUnavailable as exc:
        raise SemanticUnavailable(f"Semantisk søgning er ikke tilgængelig: {exc}") from exc
    stored = _stored_models(archive)
    if embedder.model_id not in stored and stored:
        others = ", ".join(sorted(stored))
        raise SemanticUnavailable(
            f"Arkivets vektorer er lavet med en anden model ({others}) end den aktive "
            f"({embedder.model_id}). Kør 'kkr-arkiv embed' for at indlejre med den aktive model."
        )
    return embedder


def embedding_progress(archive: Archive, model: str | None = None) -> tuple[int, int]:
    """(passages with a vector, passages in all) for the active model: shown while vectors
    land. Cheap: both counts come from the cache."""
    try:
        embedder = archive.runtime.embedders.load(model)
    except EmbedderUnavailable:
        return 0, _passage_count(archive)
    return len(vector_index(archive, embedder.model_id)), _passage_count(archive)


def semantic_passages(archive: Archive, query: str, *, limit: int, model: str | None = None,
                      allowed_items: set[str] | None = None, decisions_only: bool = False) -> list[PassageHit]:
    """The best passage per item, best first."""
    embedder = active_embedder(archive, model)
    index = vector_index(archive, embedder.model_id)
    if not len(index):
        raise SemanticUnavailable(
            "Der er endnu ingen vektorer i arkivet; semantisk søgning virker, når indlejringen er færdig "
            "('kkr-arkiv embed')."
        )
    vector = embedder.embed_query(query)
    return index.search(vector, limit=limit, allowed_items=allowed_items, decisions_only=decisions_only)


def item_passages(archive: Archive, query: str, *, limit: int, model: str | None = None,
                  allowed_items: set[str] | None = None,
                  include: list[str] | tuple[str, ...] = ()) -> dict[str, list[PassageHit]]:
    """Every passage, scored against `query`, of the `limit` best items among `allowed_items`
    and of the items in `include` (`item_passages` of the vector index: this process's
    `VectorIndex` for an embedded archive, SQL over the requested items' vectors on
    PostgreSQL, archive/postgres/vectors.py). Question answering scores each sentence by
    the passage it lies in. Raises SemanticUnavailable."""
    embedder = active_embedder(archive, model)
    index = vector_index(archive, embedder.model_id)
    if not len(index):
        raise SemanticUnavailable("Der er endnu ingen vektorer i arkivet ('kkr-arkiv embed').")
    return index.item_passages(embedder.embed_query(query), limit=limit, allowed_items=allowed_items,
                               include=include)


# ---------------------------------------------------------------------------- semantic mode


def _allowed_items(archive: Archive, request: SearchRequest, messages: list[str]) -> set[str] | None:
    filters = _filters(request, messages)
    if not (filters.council or filters.kind or filters.date_from or filters.date_to):
        return None
    return archive.item_ids_where(
        council_slug=ids.council_slug(filters.council) if filters.council else None,
        kind=filters.kind, date_from=filters.date_from, date_to=filters.date_to,
    )


def _passage_snippet(hit: PassageHit, title: str) -> str:
    text = hit.text
    prefix = f"{title}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    if len(text) > SNIPPET_CHARS:
        cut = text.rfind(" ", 0, SNIPPET_CHARS)
        text = text[: cut if cut > 0 else SNIPPET_CHARS] + " …"
    return html.escape(text, quote=False)


def semantic_hits(archive: Archive, request: SearchRequest, limit: int, settings: SearchSettings) -> list[SearchHit]:
    """The semantic ranking of a request (filters honoured): items by their best passage,
    within `settings.semantic_window` of the best item. Raises SemanticUnavailable."""
    query, _messages = normalise(request.q)  # the same bounded text keyword search reads
    if not query:
        return []
    allowed = _allowed_items(archive, request, [])
    passages = semantic_passages(archive, query, limit=limit, model=request.model, allowed_items=allowed,
                                 decisions_only=bool(request.decisions_only))
    if passages:
        floor = passages[0].score - settings.semantic_window
        passages = [p for p in passages if p.score >= floor]
    refs = archive.item_refs([p.item_id for p in passages])
    hits = []
    for passage in passages:
        ref = refs.get(passage.item_id)
        if ref is None:
            continue
        snippet = _passage_snippet(passage, ref.title)
        hits.append(SearchHit(
            item_id=ref.item_id, document_id=ref.document_id, council=ref.council, date=ref.date.isoformat(),
            kind=ref.kind, number=ref.number, title=ref.title, case=ref.case_number,
            pages=(ref.page_first, ref.page_last), page=passage.page, score=passage.score,
            snippet=snippet, fragments=[(html.unescape(snippet), False)],
        ))
    return hits


def progress_message(archive: Archive, request: SearchRequest) -> str | None:
    """A Danish note while passages are still being embedded, else None."""
    done, total = embedding_progress(archive, request.model)
    if total and done < total:
        return (f"Indlejringen af tekstafsnit er i gang ({done} af {total}); "
                "semantiske resultater bliver mere fuldstændige, når den er færdig.")
    return None


def semantic_search(archive: Archive, request: SearchRequest,
                    settings: SearchSettings = DEFAULT.search) -> SearchResponse:
    """Semantic mode: items by their best passage's similarity to the query."""
    query, messages = normalise(request.q)
    _filters(request, messages)  # validates dates and kind, collecting messages
    response = SearchResponse(query, "semantic", 0, [], messages=messages)
    try:
        hits = semantic_hits(archive, request, settings.semantic_max_results, settings)
    except SemanticUnavailable as exc:
        messages.append(str(exc))
        return response
    if (note := progress_message(archive, request)):
        messages.append(note)
    hits = sorted_hits(hits, request.sort)
    response.total = len(hits)
    response.facets = hit_facets(hits)
    response.hits = page_of_hits(hits, request, _limit(request))
    return response

