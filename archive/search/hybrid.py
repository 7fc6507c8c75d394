"""Semantic and hybrid search modes, at item level.

- semantic: the best passage per item by cosine similarity to the query embedding.
- hybrid (the default mode): reciprocal rank fusion (RRF) of the keyword ranking and the
  semantic ranking. RRF needs no score calibration between the two engines: an item's
  fused score is the sum over rankings of 1 / (K + rank).

Both honour the same filters as keyword search. When no vectors exist yet (embedding
still running, or never run), hybrid degrades to keyword results with a message saying
so, and semantic returns a message instead of results.
"""
from __future__ import annotations

import html
from dataclasses import replace

from archive.storage import ids
from archive.search.keyword import (
    SearchHit,
    SearchRequest,
    SearchResponse,
    _filters,
    fill_snippets,
    keyword_search,
    register_ranker,
)
from archive.search.semantic import PassageHit, SemanticUnavailable, embedding_progress, semantic_passages
from archive.storage.store import Archive

RRF_K = 60
POOL = 100  # how deep each ranking is read before fusion
SEMANTIC_MAX_RESULTS = 50  # a semantic ranking has no natural end; show at most this many items
SNIPPET_CHARS = 320
# Cosine similarities of e5 models crowd into a narrow band (0.80-0.90 for related and
# unrelated text alike), so an absolute cut-off means little. A semantic ranking keeps the
# items within this distance of its best item; see docs/EVALUATION.md for the calibration.
SEMANTIC_WINDOW = 0.05


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


def _semantic_hits(archive: Archive, request: SearchRequest, limit: int, messages: list[str]) -> list[SearchHit]:
    query = (request.q or "").strip()[:500]
    if not query:
        return []
    allowed = _allowed_items(archive, request, [])
    passages = semantic_passages(archive, query, limit=limit, model=getattr(request, "model", None),
                                 allowed_items=allowed, decisions_only=bool(request.decisions_only))
    if passages:
        floor = passages[0].score - SEMANTIC_WINDOW
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
    counts: dict[str, dict] = {"council": {}, "year": {}, "kind": {}}
    for hit in hits:
        for name, value in (("council", hit.council), ("year", hit.date[:4]), ("kind", hit.kind)):
            counts[name][value] = counts[name].get(value, 0) + 1
    out = {}
    for name, values in counts.items():
        entries = sorted(values.items(), reverse=True) if name == "year" else \
            sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = [{"value": ids.slugify(v) if name == "council" else v, "label": v, "count": c}
                     for v, c in entries]
    return out


def _page(hits: list[SearchHit], request: SearchRequest, limit: int) -> list[SearchHit]:
    offset = max(int(request.offset or 0), 0)
    return hits[offset: offset + limit]


def semantic_search(archive: Archive, request: SearchRequest, limit: int) -> SearchResponse:
    messages: list[str] = []
    _filters(request, messages)  # validates dates and kind, collecting messages
    response = SearchResponse((request.q or "").strip(), "semantic", 0, [], messages=messages)
    try:
        hits = _semantic_hits(archive, request, SEMANTIC_MAX_RESULTS, messages)
    except SemanticUnavailable as exc:
        messages.append(str(exc))
        return response
    if (note := _progress_message(archive, request)):
        messages.append(note)
    hits = _sorted(hits, request.sort)
    response.total = len(hits)
    response.facets = _facets(hits)
    response.hits = _page(hits, request, limit)
    return response


def hybrid_search(archive: Archive, request: SearchRequest, limit: int) -> SearchResponse:
    pool = max(POOL, limit + int(request.offset or 0))
    keyword = keyword_search(archive, replace(request, mode="keyword", limit=pool, offset=0, sort="relevance"),
                             snippets=False)
    messages = list(keyword.messages)
    try:
        semantic = _semantic_hits(archive, request, pool, [])
    except SemanticUnavailable as exc:
        semantic = []
        messages.append(f"{exc} Viser resultater for nøgleordssøgning.")
    else:
        if (note := _progress_message(archive, request)):
            messages.append(note)
    fused = fuse(keyword.hits, semantic)
    if semantic and keyword.total == 0:
        # nothing matched the words: the semantic ranking alone answers, so drop the
        # keyword "no hits" message and keep only messages about the query itself
        messages = [m for m in messages if "Ingen punkter" not in m]
    fused = _sorted(fused, request.sort)
    page = _page(fused, request, limit)
    # snippets only for the shown page: hits from the keyword ranking (kept by `fuse` where an
    # item is in both) get their marked words; semantic-only hits keep their passage
    if keyword.snippet_context is not None:
        needs = [h for h in page if not h.snippet]
        filled = {h.item_id: h for h in fill_snippets(archive, needs, keyword.snippet_context)}
        page = [filled.get(h.item_id, h) for h in page]
    return SearchResponse(keyword.query, "hybrid", len(fused), page,
                          facets=_facets(fused), suggestion=keyword.suggestion, messages=messages)


def fuse(keyword: list[SearchHit], semantic: list[SearchHit], k: int = RRF_K) -> list[SearchHit]:
    """Reciprocal rank fusion at item level. The keyword hit's snippet (with highlighted
    words) is kept where an item is in both rankings."""
    scores: dict[str, float] = {}
    best: dict[str, SearchHit] = {}
    for ranking in (keyword, semantic):
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.item_id] = scores.get(hit.item_id, 0.0) + 1.0 / (k + rank)
            best.setdefault(hit.item_id, hit)
    order = sorted(scores, key=lambda item_id: -scores[item_id])
    return [replace(best[item_id], score=scores[item_id]) for item_id in order]


register_ranker("semantic", semantic_search)
register_ranker("hybrid", hybrid_search)
