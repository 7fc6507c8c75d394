"""Hybrid search (the default mode), at item level: fusion of the keyword ranking and the
semantic ranking, each weighted by the evidence it carries for this query (`fusion_weights`):
a keyword hit holding every word counts more than a partial match, and a partial match counts
by the share of the query it holds; a question leans on the semantic ranking, a case number or
a quoted phrase on the keyword ranking; semantic hits below a cosine floor may be left out.
Two fusion functions (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval",
ACM TOIS 2023): weighted reciprocal rank fusion (sum of w / (k + rank)) and a convex
combination of normalised scores (min-max, or theoretical min-max: BM25 from 0). The two
rankings are read once (`hybrid_rankings`) and fused by `fused_ranking`, so an evaluation can
try fusion settings without searching again. `SearchSettings` holds every tunable (chosen by
cross-validation); docs/EVALUATION.md has the held-out measurements behind them.

It honours the same filters as keyword search. When no vectors exist yet (embedding still
running, or never run), hybrid degrades to keyword results with a message saying so.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from archive.search.keyword import (
    MESSAGE_NO_HITS,
    MESSAGE_RELAXED,
    SearchHit,
    SearchRequest,
    SearchResponse,
    _limit,
    fill_snippets,
    hit_facets,
    keyword_search,
    page_of_hits,
    sorted_hits,
)
from archive.search.semantic import SemanticUnavailable, progress_message, semantic_hits
from archive.settings import DEFAULT, SearchSettings
from archive.storage.store import Archive
from archive.text.query import parse, query_shape

_FEW_EXACT_START = "Kun "  # MESSAGE_FEW_EXACT, which only concerns keyword mode


@dataclass
class HybridRankings:
    """The two rankings hybrid search fuses, read once per query: the keyword pool (hits
    without snippets yet) and the semantic ranking (empty when no vectors are usable), with
    the messages to show."""

    keyword: SearchResponse
    semantic: list[SearchHit]
    messages: list[str]


def hybrid_rankings(archive: Archive, request: SearchRequest,
                    settings: SearchSettings = DEFAULT.search) -> HybridRankings:
    limit = _limit(request)
    pool = max(settings.pool, limit + int(request.offset or 0))
    keyword = keyword_search(archive, replace(request, mode="keyword", limit=pool, offset=0, sort="relevance"),
                             settings, snippets=False)
    messages = list(keyword.messages)
    try:
        semantic = semantic_hits(archive, request, pool, settings)
    except SemanticUnavailable as exc:
        semantic = []
        messages.append(f"{exc} Viser resultater for nøgleordssøgning.")
    else:
        if (note := progress_message(archive, request)):
            messages.append(note)
    if semantic:
        # the semantic ranking answers too: messages about how many items hold every word
        # concern keyword mode only; keep the messages about the query itself
        messages = [m for m in messages if m not in (MESSAGE_NO_HITS, MESSAGE_RELAXED)
                    and not m.startswith(_FEW_EXACT_START)]
    return HybridRankings(keyword, semantic, messages)


def fused_ranking(q: str, rankings: HybridRankings, settings: SearchSettings = DEFAULT.search) -> list[SearchHit]:
    """The whole fused ranking of one query (by relevance), from its two rankings."""
    keyword = rankings.keyword
    weights = fusion_weights(q, keyword, rankings.semantic, settings)
    return fuse(keyword.hits, rankings.semantic, weights, settings,
                exact=keyword.exact if keyword.exact >= 0 else None)


def hybrid_search(archive: Archive, request: SearchRequest,
                  settings: SearchSettings = DEFAULT.search, *, snippets: bool = True) -> SearchResponse:
    """Hybrid mode: the keyword and the semantic ranking fused (`fused_ranking`)."""
    rankings = hybrid_rankings(archive, request, settings)
    keyword = rankings.keyword
    fused = sorted_hits(fused_ranking(request.q, rankings, settings), request.sort)
    page = page_of_hits(fused, request, _limit(request))
    # snippets only for the shown page: hits from the keyword ranking (kept by `fuse` where an
    # item is in both) get their marked words; semantic-only hits keep their passage
    if keyword.snippet_context is not None and snippets:
        needs = [h for h in page if not h.snippet]
        filled = {h.item_id: h for h in fill_snippets(archive, needs, keyword.snippet_context)}
        page = [filled.get(h.item_id, h) for h in page]
    return SearchResponse(keyword.query, "hybrid", len(fused), page,
                          facets=hit_facets(fused), suggestion=keyword.suggestion, messages=rankings.messages,
                          snippet_context=None if snippets else keyword.snippet_context)


@dataclass(frozen=True)
class FusionWeights:
    """Weights of one query's rankings: keyword hits holding every word, keyword hits holding
    some of them, and the semantic ranking; semantic hits below `semantic_floor` (cosine)
    carry no evidence and are left out."""

    exact: float
    relaxed: float
    semantic: float = 1.0
    semantic_floor: float = 0.0


def fusion_weights(q: str, keyword: SearchResponse, semantic: list[SearchHit],
                   settings: SearchSettings) -> FusionWeights:
    """How much each ranking counts for this query: the keyword ranking by the evidence of
    its match (every word, or only `keyword.coverage` of the query's parts: a relaxed match
    counts less, the less of the query it holds) and by the shape of the query (a question
    leans on the semantic ranking, a case number or quoted phrase on the keyword ranking)."""
    shape = query_shape(q, parse(q).root)
    factor = {"question": settings.question_factor, "code": settings.code_factor}.get(shape, 1.0)
    relaxed = settings.relaxed_keyword_weight * factor
    if settings.relaxed_by_coverage:
        relaxed *= keyword.coverage
    return FusionWeights(settings.keyword_weight * factor, relaxed, 1.0, settings.semantic_floor)


def fuse(keyword: list[SearchHit], semantic: list[SearchHit], weights: FusionWeights,
         settings: SearchSettings = DEFAULT.search, exact: int | None = None) -> list[SearchHit]:
    """Fusion at item level of a keyword ranking (its first `exact` hits hold every word;
    None: all do) and a semantic ranking. The keyword hit's snippet (with highlighted words)
    is kept where an item is in both rankings."""
    exact = len(keyword) if exact is None else exact
    semantic = [h for h in semantic if h.score >= weights.semantic_floor]
    scores: dict[str, float] = {}
    best: dict[str, SearchHit] = {}
    if settings.fusion == "convex":
        contributions = _convex(keyword, semantic, weights, exact, settings.convex_norm)
    elif settings.fusion == "rrf":
        contributions = _rrf(keyword, semantic, weights, exact, settings.rrf_k)
    else:
        raise ValueError(f"unknown fusion {settings.fusion!r}; expected 'rrf' or 'convex'")
    for hit, value in contributions:
        scores[hit.item_id] = scores.get(hit.item_id, 0.0) + value
        best.setdefault(hit.item_id, hit)
    order = sorted(scores, key=lambda item_id: -scores[item_id])
    return [replace(best[item_id], score=scores[item_id]) for item_id in order]


def _keyword_weight(rank: int, weights: FusionWeights, exact: int) -> float:
    return weights.exact if rank < exact else weights.relaxed


def _rrf(keyword, semantic, weights: FusionWeights, exact: int, k: int):
    for rank, hit in enumerate(keyword):
        yield hit, _keyword_weight(rank, weights, exact) / (k + rank + 1)
    for rank, hit in enumerate(semantic):
        yield hit, weights.semantic / (k + rank + 1)


def _normalised(values: list[float], low: float | None) -> list[float]:
    """Scores mapped to [0, 1]: min-max, or from a fixed lower bound `low` to the best."""
    if not values:
        return []
    lo, hi = (min(values) if low is None else low), max(values)
    return [1.0 if hi <= lo else max(v - lo, 0.0) / (hi - lo) for v in values]


def _convex(keyword, semantic, weights: FusionWeights, exact: int, norm: str):
    """Convex combination of normalised scores (weights relative to each other; a keyword hit
    weighs by its tier). `norm` "minmax": each ranking's min-max; "tmm" (theoretical min-max,
    Bruch et al.): BM25 from 0, cosine from the semantic floor."""
    if norm not in ("minmax", "tmm"):
        raise ValueError(f"unknown normalisation {norm!r}; expected 'minmax' or 'tmm'")
    tmm = norm == "tmm"
    keyword_values = _normalised([h.score for h in keyword], 0.0 if tmm else None)
    semantic_values = _normalised([h.score for h in semantic],
                                  weights.semantic_floor if tmm and weights.semantic_floor else None)
    for rank, (hit, value) in enumerate(zip(keyword, keyword_values)):
        yield hit, value * _keyword_weight(rank, weights, exact)
    for hit, value in zip(semantic, semantic_values):
        yield hit, value * weights.semantic
