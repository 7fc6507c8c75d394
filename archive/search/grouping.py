"""One result per agenda item.

A meeting's dagsorden and referat print the same agenda item twice; a search matches both,
and a list that shows them as two results is padded and its count is not the number of
items. `group_hits` merges the hits of one item (same meeting, same item number) into one
`ItemResult`: the referat's hit is the one shown (it holds the decision), the others are
"also in". `search_items` runs a search deep enough to group the whole ranking (the search
modes rank items of documents, not items of meetings), so the count of distinct items is
the same on every page, and pages the groups; only the hits of the shown page get snippets.

It also says which hybrid results matched only by meaning (no keyword hit for the item),
so a list can mark them instead of presenting them as word matches.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from archive.search.keyword import MAX_LIMIT, MAX_OFFSET, SearchHit, SearchRequest, SearchResponse, fill_snippets
from archive.search.keyword import keyword_search
from archive.search.modes import search
from archive.settings import DEFAULT, SearchSettings
from archive.storage.ids import slugify

# The referat first: it carries what was decided.
KIND_ORDER = {"referat": 0, "dagsorden": 1}
# At most this many hits are grouped; beyond it the count is a lower bound.
GROUP_DEPTH = MAX_OFFSET


@dataclass(frozen=True)
class ItemResult:
    """One agenda item among the results: the hit shown, and the same item's hits in the
    meeting's other documents ("også i dagsordenen")."""

    hit: SearchHit
    also: tuple[SearchHit, ...] = ()
    meaning_only: bool = False  # found by meaning, not by the words (hybrid and semantic modes)

    @property
    def hits(self) -> tuple[SearchHit, ...]:
        return (self.hit, *self.also)

    def to_json(self) -> dict:
        data = self.hit.to_json()
        data["also"] = [h.to_json() for h in self.also]
        data["matched"] = "meaning" if self.meaning_only else "words"
        return data


def item_key(hit: SearchHit) -> tuple[str, ...]:
    """What makes two hits the same agenda item: the meeting (body and date) and the item
    number. A hit without an item number (a page of an unstructured document) is its own."""
    if not hit.number:
        return (hit.item_id,)
    return (slugify(hit.council), hit.date[:10], hit.number)


def group_hits(hits: list[SearchHit], meaning_only: set[str] | frozenset[str] = frozenset()) -> list[ItemResult]:
    """The hits merged per agenda item, in the order of each item's best-ranked hit; within
    an item the referat's hit first (then by rank). `meaning_only`: ids of hits that matched
    by meaning only; an item is marked so when every one of its hits did."""
    groups: dict[tuple[str, ...], list[tuple[int, SearchHit]]] = {}
    for rank, hit in enumerate(hits):
        groups.setdefault(item_key(hit), []).append((rank, hit))
    out = []
    for members in groups.values():  # dicts keep insertion order: the best rank first
        members.sort(key=lambda rh: (KIND_ORDER.get(rh[1].kind, len(KIND_ORDER)), rh[0]))
        shown = [h for _, h in members]
        out.append(ItemResult(shown[0], tuple(shown[1:]),
                              meaning_only=bool(meaning_only) and all(h.item_id in meaning_only for h in shown)))
    return out


@dataclass
class ItemResults:
    """A page of one-per-item results and the count of distinct items."""

    response: SearchResponse  # the first chunk of the underlying search: messages, facets, suggestion
    results: list[ItemResult]  # this page
    total: int  # distinct items (a lower bound when not `exact`)
    exact: bool = True
    offset: int = 0
    limit: int = 10
    hits_total: int = 0  # hits of the underlying search (documents' items)
    facets: dict[str, list[dict]] = field(default_factory=dict)

    def to_json(self) -> dict:
        data = self.response.to_json()
        data.update({
            "total": self.total, "total_exact": self.exact, "hits_total": self.hits_total,
            "offset": self.offset, "limit": self.limit,
            "results": [r.to_json() for r in self.results], "facets": self.facets,
        })
        return data


def search_items(archive, request: SearchRequest, settings: SearchSettings = DEFAULT.search, *,
                 depth: int = GROUP_DEPTH) -> ItemResults:
    """`request` answered one result per item: its offset and limit count items, not hits."""
    limit = min(max(int(request.limit or 10), 1), MAX_LIMIT)
    offset = min(max(int(request.offset or 0), 0), MAX_OFFSET)
    hits, first = _ranking(archive, request, settings, depth)
    if request.mode == "hybrid":
        meaning_only = _meaning_only(archive, request, settings, hits)
    else:  # semantic mode finds by meaning only, keyword mode by the words only
        meaning_only = {h.item_id for h in hits} if request.mode == "semantic" else set()
    groups = group_hits(hits, meaning_only)
    page = groups[offset:offset + limit]
    page = _with_snippets(archive, page, first)
    exact = len(hits) >= first.total
    return ItemResults(first, page, len(groups), exact, offset, limit, first.total,
                       _facets(groups, first.facets) if exact else first.facets)


def _ranking(archive, request: SearchRequest, settings: SearchSettings,
             depth: int) -> tuple[list[SearchHit], SearchResponse]:
    """The first `depth` hits of the search (no snippets yet) and its first response."""
    hits: list[SearchHit] = []
    first: SearchResponse | None = None
    while True:
        chunk = replace(request, offset=len(hits), limit=MAX_LIMIT)
        response = search(archive, chunk, settings, snippets=False)
        if first is None:
            first = response
        hits.extend(response.hits)
        if not response.hits or len(hits) >= min(response.total, depth) or len(hits) >= MAX_OFFSET:
            break
    return hits[:depth], first


def _meaning_only(archive, request: SearchRequest, settings: SearchSettings, hits: list[SearchHit]) -> set[str]:
    """Ids among `hits` that the keyword ranking (all or some of the words) does not hold."""
    words: set[str] = set()
    while True:
        chunk = replace(request, mode="keyword", offset=len(words), limit=MAX_LIMIT)
        response = keyword_search(archive, chunk, settings, facets=False, suggest=False, snippets=False)
        words.update(h.item_id for h in response.hits)
        if not response.hits or len(words) >= min(response.total, MAX_OFFSET):
            break
    return {h.item_id for h in hits if h.item_id not in words}


def _with_snippets(archive, page: list[ItemResult], response: SearchResponse) -> list[ItemResult]:
    """The shown hits with their snippets (the others only link)."""
    needs = [r.hit for r in page if not r.hit.snippet]
    if not needs or response.snippet_context is None:
        return page
    filled = {h.item_id: h for h in fill_snippets(archive, needs, response.snippet_context)}
    return [replace(r, hit=filled.get(r.hit.item_id, r.hit)) for r in page]


def _facets(groups: list[ItemResult], facets: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Council and year facets counted in items, not hits (a kind facet stays per document)."""
    counts: dict[str, dict[str, int]] = {"council": {}, "year": {}}
    labels: dict[str, str] = {}
    for group in groups:
        hit = group.hit
        counts["council"][hit.council] = counts["council"].get(hit.council, 0) + 1
        counts["year"][hit.date[:4]] = counts["year"].get(hit.date[:4], 0) + 1
        labels[hit.council] = slugify(hit.council)
    out = dict(facets)
    if "council" in facets:
        out["council"] = [{"value": labels[v], "label": v, "count": c}
                          for v, c in sorted(counts["council"].items(), key=lambda kv: (-kv[1], kv[0]))]
    if "year" in facets:
        out["year"] = [{"value": v, "label": v, "count": c} for v, c in sorted(counts["year"].items(), reverse=True)]
    return out
