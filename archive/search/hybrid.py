"""Semantic and hybrid search modes, at item level.

- semantic: the best passage per item by cosine similarity to the query embedding.
- hybrid (the default mode): fusion of the keyword ranking and the semantic ranking, each
  weighted by the evidence it carries for this query (`fusion_weights`): a keyword ranking
  of items holding every word counts more than one of partial matches; a question leans on
  the semantic ranking, a case number or a quoted phrase on the keyword ranking. Two fusion
  functions (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS
  2023): weighted reciprocal rank fusion (sum of w / (k + rank)) and a convex combination
  of min-max normalised scores. `SearchSettings` holds every tunable; docs/EVALUATION.md
  the held-out measurements behind them.

Both honour the same filters as keyword search. When no vectors exist yet (embedding
still running, or never run), hybrid degrades to keyword results with a message saying
so, and semantic returns a message instead of results.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, replace

from archive.search.facets import facet_entries, hit_counts
from archive.settings import DEFAULT, SearchSettings
from archive.storage import ids
from archive.search.keyword import (
    MESSAGE_NO_HITS,
    MESSAGE_RELAXED,
    SearchHit,
    SearchRequest,
    SearchResponse,
    _filters,
    _limit,
    fill_snippets,
    keyword_search,
)
from archive.search.semantic import PassageHit, SemanticUnavailable, embedding_progress, semantic_passages
from archive.storage.store import Archive
from archive.text.query import normalise, parse, query_shape

SNIPPET_CHARS = 320
_FEW_EXACT_START = "Kun "  # MESSAGE_FEW_EXACT, which only concerns keyword mode


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


def _semantic_hits(archive: Archive, request: SearchRequest, limit: int, settings: SearchSettings) -> list[SearchHit]:
    query, _messages = normalise(request.q)  # the same bounded text keyword search reads
    if not query:
        return []
    allowed = _allowed_items(archive, request, [])
    passages = semantic_passages(archive, query, limit=limit, model=getattr(request, "model", None),
                                 allowed_items=allowed, decisions_only=bool(request.decisions_only))
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


def _progress_message(archive: Archive, request: SearchRequest) -> str | None:
    done, total = embedding_progress(archive, getattr(request, "model", None))
    if total and done < total:
        return (f"Indlejringen af tekstafsnit er i gang ({done} af {total}); "
                "semantiske resultater bliver mere fuldstændige, når den er færdig.")
    return None


def _sorted(hits: list[SearchHit], sort: str) -> list[SearchHit]:
    if sort == "date":
        return sorted(hits, key=lambda h: h.date, reverse=True)
    if sort == "date-asc":
        return sorted(hits, key=lambda h: h.date)
    return hits


def _facets(hits: list[SearchHit]) -> dict[str, list[dict]]:
    return facet_entries(hit_counts(hits))


def _page(hits: list[SearchHit], request: SearchRequest, limit: int) -> list[SearchHit]:
    offset = max(int(request.offset or 0), 0)
    return hits[offset: offset + limit]


def semantic_search(archive: Archive, request: SearchRequest,
                    settings: SearchSettings = DEFAULT.search) -> SearchResponse:
    """Semantic mode: items by their best passage's similarity to the query."""
    query, messages = normalise(request.q)
    _filters(request, messages)  # validates dates and kind, collecting messages
    response = SearchResponse(query, "semantic", 0, [], messages=messages)
    try:
        hits = _semantic_hits(archive, request, settings.semantic_max_results, settings)
    except SemanticUnavailable as exc:
        messages.append(str(exc))
        return response
    if (note := _progress_message(archive, request)):
        messages.append(note)
    hits = _sorted(hits, request.sort)
    response.total = len(hits)
    response.facets = _facets(hits)
    response.hits = _page(hits, request, _limit(request))
    return response


def hybrid_search(archive: Archive, request: SearchRequest,
                  settings: SearchSettings = DEFAULT.search, *, snippets: bool = True) -> SearchResponse:
    """Hybrid mode: the keyword and the semantic ranking fused (`fuse`)."""
    limit = _limit(request)
    pool = max(settings.pool, limit + int(request.offset or 0))
    keyword = keyword_search(archive, replace(request, mode="keyword", limit=pool, offset=0, sort="relevance"),
                             settings, snippets=False)
    messages = list(keyword.messages)
    try:
        semantic = _semantic_hits(archive, request, pool, settings)
    except SemanticUnavailable as exc:
        semantic = []
        messages.append(f"{exc} Viser resultater for nøgleordssøgning.")
    else:
        if (note := _progress_message(archive, request)):
            messages.append(note)
    weights = fusion_weights(request.q, keyword, settings)
    fused = fuse(keyword.hits, semantic, weights, settings, exact=keyword.exact if keyword.exact >= 0 else None)
    if semantic:
        # the semantic ranking answers too: messages about how many items hold every word
        # concern keyword mode only; keep the messages about the query itself
        messages = [m for m in messages if m not in (MESSAGE_NO_HITS, MESSAGE_RELAXED)
                    and not m.startswith(_FEW_EXACT_START)]
    fused = _sorted(fused, request.sort)
    page = _page(fused, request, limit)
    # snippets only for the shown page: hits from the keyword ranking (kept by `fuse` where an
    # item is in both) get their marked words; semantic-only hits keep their passage
    if keyword.snippet_context is not None and snippets:
        needs = [h for h in page if not h.snippet]
        filled = {h.item_id: h for h in fill_snippets(archive, needs, keyword.snippet_context)}
        page = [filled.get(h.item_id, h) for h in page]
    return SearchResponse(keyword.query, "hybrid", len(fused), page,
                          facets=_facets(fused), suggestion=keyword.suggestion, messages=messages,
                          snippet_context=None if snippets else keyword.snippet_context)


@dataclass(frozen=True)
class FusionWeights:
    """Weights of one query's rankings: keyword hits holding every word, keyword hits holding
    some of them, and the semantic ranking."""

    exact: float
    relaxed: float
    semantic: float = 1.0


def fusion_weights(q: str, keyword: SearchResponse, settings: SearchSettings) -> FusionWeights:
    """How much each ranking counts for this query (see the module docstring)."""
    shape = query_shape(q, parse(q).root)
    factor = {"question": settings.question_factor, "code": settings.code_factor}.get(shape, 1.0)
    return FusionWeights(settings.keyword_weight * factor, settings.relaxed_keyword_weight * factor)


def fuse(keyword: list[SearchHit], semantic: list[SearchHit], weights: FusionWeights,
         settings: SearchSettings = DEFAULT.search, exact: int | None = None) -> list[SearchHit]:
    """Fusion at item level of a keyword ranking (its first `exact` hits hold every word;
    None: all do) and a semantic ranking. The keyword hit's snippet (with highlighted words)
    is kept where an item is in both rankings."""
    exact = len(keyword) if exact is None else exact
    scores: dict[str, float] = {}
    best: dict[str, SearchHit] = {}
    if settings.fusion == "convex":
        contributions = _convex(keyword, semantic, weights, exact)
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


def _normalised(hits: list[SearchHit]) -> list[float]:
    if not hits:
        return []
    values = [h.score for h in hits]
    lo, hi = min(values), max(values)
    return [1.0 if hi == lo else (v - lo) / (hi - lo) for v in values]


def _convex(keyword, semantic, weights: FusionWeights, exact: int):
    """Convex combination of min-max normalised scores: each ranking's share is its weight
    over the sum of the weights."""
    for rank, (hit, value) in enumerate(zip(keyword, _normalised(keyword))):
        w = _keyword_weight(rank, weights, exact)
        yield hit, value * w / (w + weights.semantic)
    for hit, value in zip(semantic, _normalised(semantic)):
        yield hit, value * weights.semantic / (_keyword_weight(0, weights, exact) + weights.semantic)
