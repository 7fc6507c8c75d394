"""Keyword search over agenda items, and the request and response every search mode shares.

`keyword_search(archive, request, settings)` is keyword mode; `archive.search.semantic` and
`archive.search.hybrid` hold the other two modes and `archive.search.modes.search` calls the
one a request names. When no item holds every word, keyword search ranks the items holding
most of them (a minimum-should-match that relaxes stepwise, BM25 within) after any exact
matches, with `MESSAGE_RELAXED` on the response. Stop words and question words never decide
a match (`archive.text.analysis.QUERY_STOP_WORDS`).

Snippets are HTML: the text is HTML-escaped first, then matched words are wrapped in
<mark>...</mark>, so a snippet can be inserted into a page as is and never carries markup
from the documents. `SearchHit.fragments` has the same snippet as (text, highlighted)
pairs for consumers that are not HTML.
"""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field, replace
from datetime import date as Date

from rapidfuzz import process
from rapidfuzz.distance import OSA

from archive.search.facets import facet_entries, hit_counts
from archive.text.analysis import Analysis, fold, normalise_text, token_spans, token_words, tokens
from archive.keyword.fulltext import (
    Filters,
    Highlight,
    KeywordIndexError,
    KeywordIndexMissing,
    KeywordResults,
)
from archive.storage.model import KINDS, Item, Paragraph
from archive.settings import DEFAULT, SearchSettings
from archive.text.pages import page_of_offset
from archive.text.query import AllOf, parse, significant, words_of

MODES = ("keyword", "semantic", "hybrid")
SORTS = ("relevance", "date", "date-asc")
MAX_LIMIT = 100
MAX_OFFSET = 1000
SNIPPET_WORDS = 36  # a snippet is at most this many words of one paragraph
BLOCK_PRIORITY = {"Beslutning": 3, "Indstilling": 2, "Sagsfremstilling": 1, "Baggrund": 1, "Bilag": 0}

MESSAGE_EMPTY = "Skriv et eller flere ord for at søge."
MESSAGE_ONLY_STOP_WORDS = (
    "Søgningen indeholder kun fyldord (som 'og', 'i', 'at') eller tegn, der ikke kan søges på. "
    "Tilføj et mere specifikt ord."
)
MESSAGE_NO_INDEX = "Søgeindekset mangler. Kør 'kkr-arkiv reindex' for at genopbygge det."
MESSAGE_BAD_DATE = "Datoen '{value}' blev ikke forstået (brug ÅÅÅÅ-MM-DD) og er ignoreret."
MESSAGE_BAD_KIND = "Dokumenttypen '{value}' findes ikke (dagsorden eller referat) og er ignoreret."
MESSAGE_NO_HITS = "Ingen punkter matcher søgningen."
MESSAGE_RELAXED = "Ingen punkter indeholder alle ordene – viser de bedste delvise træf."
MESSAGE_FEW_EXACT = "Kun {count} punkt(er) indeholder alle ordene; derefter følger de bedste delvise træf."


@dataclass
class SearchRequest:
    q: str = ""
    mode: str = "keyword"
    council: str | None = None
    kind: str | None = None
    date_from: Date | str | None = None
    date_to: Date | str | None = None
    decisions_only: bool = False
    sort: str = "relevance"  # "relevance" | "date" (newest first) | "date-asc"
    limit: int = 10
    offset: int = 0
    model: str | None = None  # embedding model for semantic/hybrid (default: the configured one)


@dataclass
class SearchHit:
    item_id: str
    document_id: str
    council: str
    date: str
    kind: str
    number: str
    title: str
    case: str
    pages: tuple[int, int]
    page: int  # physical PDF page of the snippet
    score: float
    snippet: str  # HTML-escaped text with <mark> around matched words
    fragments: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"/punkt/{self.item_id}"

    @property
    def pdf_url(self) -> str:
        return f"/pdf/{self.document_id}#page={self.page}"

    def to_json(self) -> dict:
        return {
            "item_id": self.item_id,
            "document_id": self.document_id,
            "council": self.council,
            "date": self.date,
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "case": self.case,
            "pages": list(self.pages),
            "page": self.page,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "url": self.url,
            "pdf_url": self.pdf_url,
        }


@dataclass
class SearchResponse:
    query: str
    mode: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[dict]] = field(default_factory=dict)
    suggestion: str | None = None
    messages: list[str] = field(default_factory=list)
    snippet_context: object = field(default=None, repr=False, compare=False)
    exact: int = -1  # keyword mode: items holding every word (the first hits); -1: not known
    coverage: float = 1.0  # keyword mode: share of the query's parts every hit holds at least

    @property
    def relaxed(self) -> bool:
        """Keyword mode: some hits hold only some of the words."""
        return 0 <= self.exact < self.total

    @property
    def message(self) -> str | None:
        return " ".join(self.messages) or None

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "results": [h.to_json() for h in self.hits],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "message": self.message,
        }


@dataclass(frozen=True)
class RankedItem:
    """One item of a ranking, for fusion with other rankers."""

    item_id: str
    score: float
    snippet: str
    page: int


# ---------------------------------------------------------------------------- shared by the modes


def sorted_hits(hits: list[SearchHit], sort: str) -> list[SearchHit]:
    """`hits` (ranked by relevance) in the request's sort order."""
    if sort == "date":
        return sorted(hits, key=lambda h: h.date, reverse=True)
    if sort == "date-asc":
        return sorted(hits, key=lambda h: h.date)
    return hits


def hit_facets(hits: list[SearchHit]) -> dict[str, list[dict]]:
    """Facet counts (council, year, kind) over a whole ranking of hits."""
    return facet_entries(hit_counts(hits))


def page_of_hits(hits: list[SearchHit], request: SearchRequest, limit: int) -> list[SearchHit]:
    """The page of `hits` the request's offset and limit ask for."""
    offset = max(int(request.offset or 0), 0)
    return hits[offset: offset + limit]


# ---------------------------------------------------------------------------- keyword mode


def keyword_ranking(archive, request: SearchRequest, limit: int,
                    settings: SearchSettings = DEFAULT.search) -> list[RankedItem]:
    """The keyword ranking alone (filters and sort of `request` applied, offset ignored):
    the first `limit` items with score, snippet and snippet page, for rank fusion."""
    wide = replace(request, mode="keyword", limit=limit, offset=0)
    response = keyword_search(archive, wide, settings, facets=False, suggest=False)
    return [RankedItem(h.item_id, h.score, h.snippet, h.page) for h in response.hits]


def keyword_search(archive, request: SearchRequest, settings: SearchSettings = DEFAULT.search, *,
                   facets: bool = True, suggest: bool = True, snippets: bool = True) -> SearchResponse:
    """Keyword search. With snippets=False the hits carry no snippet yet (page = the item's
    first page) and `response.snippet_context` lets `fill_snippets` add them later, for the
    few hits that are shown (hybrid search ranks a deep pool and shows a page of it).
    `response.exact` is the number of items holding every word (the first hits); fewer
    than `response.total` when the match was relaxed."""
    parsed = parse(request.q)
    messages = list(parsed.messages)
    filters = _filters(request, messages)
    response = SearchResponse(parsed.text, "keyword", 0, [], messages=messages)
    if parsed.root is None:
        if not messages:
            messages.append(MESSAGE_EMPTY)
        return response
    root = significant(parsed.root)
    if root is None:
        messages.append(MESSAGE_ONLY_STOP_WORDS)
        return response
    index = archive.keyword_index()
    try:
        return _run(archive, index, root, request, filters, response, facets=facets, suggest=suggest,
                    snippets=snippets, relax_below=settings.relax_below,
                    suggest_max_words=settings.suggest_max_words)
    except KeywordIndexMissing:
        # The read side never writes: the index is built by the indexer (`kkr-arkiv reindex`).
        messages.append(MESSAGE_NO_INDEX)
        return response
    except KeywordIndexError as err:
        messages.append(str(err))
        return response


def _run(archive, index, root: AllOf, request: SearchRequest, filters: Filters,
         response: SearchResponse, *, facets: bool, suggest: bool, snippets: bool = True,
         relax_below: int = 0, suggest_max_words: int = 3) -> SearchResponse:
    limit = _limit(request)
    offset = min(max(int(request.offset or 0), 0), MAX_OFFSET)
    with index.searcher() as searcher:
        results = searcher.search(root, filters, sort=request.sort, limit=offset + limit, facets=facets,
                                  relax_below=relax_below)
        if results is None:
            response.messages.append(MESSAGE_ONLY_STOP_WORDS)
            return response
        if suggest and (results.total == 0 or _has_unknown_word(searcher, root)):
            response.suggestion = _suggestion(searcher, response.query, root, filters, suggest_max_words)
        analysis = searcher.analysis
    response.total = results.total
    response.exact = results.total
    if results.relaxed:
        response.exact = results.exact
        response.coverage = results.min_match / results.parts
        response.messages.append(MESSAGE_FEW_EXACT.format(count=results.exact) if results.exact
                                 else MESSAGE_RELAXED)
    response.facets = _facets(results)
    if snippets:
        response.hits = _hits(archive, results, analysis, offset, limit, filters.decisions_only)
    else:
        response.hits = _bare_hits(archive, results.hits[offset:offset + limit])
        response.snippet_context = (results.highlight, analysis, filters.decisions_only)
    if results.total == 0:
        response.messages.append(MESSAGE_NO_HITS)
    return response


def _limit(request: SearchRequest) -> int:
    try:
        return min(max(int(request.limit), 1), MAX_LIMIT)
    except (TypeError, ValueError):
        return 10


def _filters(request: SearchRequest, messages: list[str]) -> Filters:
    kind = (request.kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        messages.append(MESSAGE_BAD_KIND.format(value=request.kind))
        kind = None
    return Filters(
        council=(request.council or "").strip() or None,
        kind=kind,
        date_from=_iso_date(request.date_from, messages),
        date_to=_iso_date(request.date_to, messages),
        decisions_only=bool(request.decisions_only),
    )


def _iso_date(value: Date | str | None, messages: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, Date):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return text  # a bare year compares correctly with ISO dates as a bound
    try:
        return Date.fromisoformat(text).isoformat()
    except ValueError:
        messages.append(MESSAGE_BAD_DATE.format(value=text[:40]))
        return None


def _facets(results: KeywordResults) -> dict[str, list[dict]]:
    return facet_entries(results.facets)


# ---------------------------------------------------------------------------- "Mente du ..."


def _has_unknown_word(searcher, root: AllOf) -> bool:
    return any(not searcher.term_matches(w) for w in words_of(root) if len(w) >= 4)


def _suggestion(searcher, text: str, root: AllOf, filters: Filters, max_words: int) -> str | None:
    """A corrected query ("herbrger" -> "herberger") that has hits, or None. Only the first
    ``max_words`` unknown words are looked up, which bounds the cost of a long query."""
    corrected = text
    changed = False
    unknown = [w for w in dict.fromkeys(words_of(root)) if len(w) >= 4 and not searcher.term_matches(w)]
    for word in unknown[:max_words]:
        best = closest_word(word.lower(), searcher.words())
        if best:
            corrected = re.sub(re.escape(word), best, corrected, count=1, flags=re.IGNORECASE)
            changed = True
    if not changed:
        return None
    reparsed = parse(corrected)
    if reparsed.root is None or searcher.count(reparsed.root, filters) == 0:
        return None
    return corrected


def closest_word(word: str, vocabulary: dict[str, int]) -> str | None:
    """The most frequent word of `vocabulary` within edit distance 1 (2 from 7 letters),
    counting a swap of neighbours as one edit (optimal string alignment, computed by
    rapidfuzz in C); folded spellings ("ae" for "æ") count as equal."""
    limit = 1 if len(word) < 7 else 2
    folded = fold(word)
    low, high = len(word) - limit - 2, len(word) + limit + 2  # folding changes lengths by a little
    candidates = [c for c in vocabulary if low <= len(c) <= high and c != word]
    found = process.extract(folded, [fold(c) for c in candidates], scorer=OSA.distance,
                            score_cutoff=limit, limit=None)
    best = min(((distance, -vocabulary[candidates[at]], candidates[at]) for _f, distance, at in found),
               default=None)
    return best[2] if best else None


# ---------------------------------------------------------------------------- hits and snippets


def _hits(archive, results: KeywordResults, analysis: Analysis, offset: int, limit: int,
          decisions_only: bool) -> list[SearchHit]:
    page_hits = results.hits[offset:offset + limit]
    items = {item.id: item for item in archive.items(item_ids=[h.item_id for h in page_hits])} if page_hits else {}
    refs = archive.item_refs([h.item_id for h in page_hits]) if page_hits else {}
    out = []
    for hit in page_hits:
        item, ref = items.get(hit.item_id), refs.get(hit.item_id)
        if item is None or ref is None:
            continue  # the index is a little behind the archive: skip what is gone
        snippet = best_snippet(item, results.highlight, analysis, decisions_only=decisions_only)
        out.append(SearchHit(
            item_id=item.id, document_id=ref.document_id, council=ref.council, date=ref.date.isoformat(),
            kind=ref.kind, number=ref.number, title=ref.title, case=ref.case_number,
            pages=(ref.page_first, ref.page_last), page=snippet.page, score=hit.score,
            snippet=snippet.html, fragments=snippet.fragments,
        ))
    return out


def _bare_hits(archive, page_hits) -> list[SearchHit]:
    refs = archive.item_refs([h.item_id for h in page_hits]) if page_hits else {}
    return [
        SearchHit(
            item_id=ref.item_id, document_id=ref.document_id, council=ref.council, date=ref.date.isoformat(),
            kind=ref.kind, number=ref.number, title=ref.title, case=ref.case_number,
            pages=(ref.page_first, ref.page_last), page=ref.page_first, score=hit.score, snippet="",
        )
        for hit in page_hits if (ref := refs.get(hit.item_id)) is not None
    ]


def fill_snippets(archive, hits: list[SearchHit], context) -> list[SearchHit]:
    """Add snippets to hits of a `keyword_search(..., snippets=False)` response."""
    highlight, analysis, decisions_only = context
    items = {item.id: item for item in archive.items(item_ids=[h.item_id for h in hits])} if hits else {}
    out = []
    for hit in hits:
        item = items.get(hit.item_id)
        if item is not None:
            snippet = best_snippet(item, highlight, analysis, decisions_only=decisions_only)
            hit = replace(hit, snippet=snippet.html, fragments=snippet.fragments, page=snippet.page)
        out.append(hit)
    return out


@dataclass
class Snippet:
    fragments: list[tuple[str, bool]]
    page: int

    @property
    def html(self) -> str:
        return "".join(
            f"<mark>{html.escape(text)}</mark>" if marked else html.escape(text)
            for text, marked in self.fragments
        )


def _probes(highlight: Highlight) -> tuple:
    """What a word must contain to possibly match: the first letters of a query term (stems
    and parts are prefixes of the words they come from), or, folded, of a folded term or a
    prefix."""
    plain = tuple(dict.fromkeys(t[:4] for t in sorted(highlight.terms)))
    folded = tuple(dict.fromkeys([t[:4] for t in sorted(highlight.folded)] + [fold(p[:4]) for p in highlight.prefixes]))
    return plain, folded, _probe_regex(plain), _probe_regex(folded)


def _could_match(text: str, highlight: Highlight, probes: tuple | None = None) -> bool:
    """A cheap test before analysing a text: a word can only match when the text holds
    one of the probes of `_probes`."""
    plain, folded_probes = (probes or _probes(highlight))[:2]
    lowered = text.lower()
    if any(p in lowered for p in plain):
        return True
    folded = fold(lowered)
    return any(p in folded for p in folded_probes)


_EXPANDING = re.compile("[åæøäö]")  # the letters `fold` writes as two


def _probe_regex(probes: tuple[str, ...]) -> re.Pattern | None:
    # a lookahead finds every position where a probe starts, overlapping ones included
    return re.compile("(?=(?:" + "|".join(map(re.escape, probes)) + "))") if probes else None


def _candidate_tokens(text: str, probes: tuple) -> list[tuple[str, int]] | None:
    """The tokens of `text` that contain a probe, as (raw, start); found by searching the
    whole text for the probes instead of testing every token. None when the offsets of the
    lowercased or folded text cannot be mapped back (then every token is tested)."""
    plain, folded_probes, plain_re, folded_re = probes
    lowered = text.lower()
    if len(lowered) != len(text):
        return None
    positions = [m.start() for m in plain_re.finditer(lowered)] if plain_re else []
    if folded_re is not None:
        folded = fold(lowered)
        hits = [m.start() for m in folded_re.finditer(folded)]
        if hits and len(folded) != len(lowered):
            if len(folded) - len(lowered) != len(_EXPANDING.findall(lowered)):
                return None
            expanding = [m.start() for m in _EXPANDING.finditer(lowered)]
            mapped = []
            for q in hits:  # folded offset -> offset in the text
                shift = 0
                for i, e in enumerate(expanding):
                    if e + i + 2 <= q:
                        shift += 1
                    else:
                        break
                mapped.append(q - shift)
            hits = mapped
        positions += hits
    if not positions:
        return []
    spans = token_spans(text)
    starts = [a for a, _ in spans]
    picked: dict[int, None] = {}
    for position in positions:
        index = bisect.bisect_right(starts, position) - 1
        if index >= 0 and position < spans[index][1]:
            picked[index] = None
    return [(text[spans[i][0]:spans[i][1]], spans[i][0]) for i in sorted(picked)]


def _matches(analysis: Analysis, text: str, highlight: Highlight,
             probes: tuple | None = None) -> list[tuple[int, int, str]]:
    """(start, end, key) of every word in `text` that the query matched; key names the query
    term it matched, to count distinct matches."""
    found: list[tuple[int, int, str]] = []
    probes = probes or _probes(highlight)
    if not _could_match(text, highlight, probes):
        return found
    plain, folded_probes = probes[0], probes[1]
    terms, folded_terms = highlight.terms, highlight.folded
    candidates = _candidate_tokens(text, probes)
    for raw, start in (tokens(text) if candidates is None else candidates):
        lowered = raw.lower()  # the same test per token: most words are skipped unanalysed
        if not any(p in lowered for p in plain):
            folded_token = fold(lowered)
            if not any(p in folded_token for p in folded_probes):
                continue
        for word in token_words(raw, start):
            forms = analysis.forms(word)
            if forms is None:
                continue
            main, folded, parts = forms
            keys = [t for t in (main, *parts) if t in terms]
            if not keys and folded in folded_terms:
                keys = [folded]
            if not keys:
                keys = [p for p in highlight.prefixes if word.text.startswith(p) or fold(word.text).startswith(fold(p))]
            if keys:
                found.append((word.start, word.end, keys[0]))
    return found


def best_snippet(item: Item, highlight: Highlight, analysis: Analysis, *, decisions_only: bool = False) -> Snippet:
    """The paragraph matching the most distinct query terms (ties: Beslutning first, then
    Indstilling, then document order), cut to a window around its matches."""
    best: tuple[tuple, Paragraph, list] | None = None
    position = 0
    probes = _probes(highlight)
    for block in item.blocks:
        if decisions_only and block.heading != "Beslutning":
            continue
        for paragraph in block.paragraphs:
            position += 1
            text = normalise_text(paragraph.text)
            matches = _matches(analysis, text, highlight, probes)
            if not matches:
                continue
            key = (len({m[2] for m in matches}), BLOCK_PRIORITY.get(block.heading, 0), -position)
            if best is None or key > best[0]:
                best = (key, paragraph, matches)
    if best is None:
        return _fallback_snippet(item)
    _, paragraph, matches = best
    text = normalise_text(paragraph.text)
    fragments, first_match = _window(text, matches)
    return Snippet(fragments, page_of_offset(paragraph, text, first_match))


def _fallback_snippet(item: Item) -> Snippet:
    """No paragraph matched (the title or case number did): the item's first paragraph."""
    for block in sorted(item.blocks, key=lambda b: -BLOCK_PRIORITY.get(b.heading, 0)):
        for paragraph in block.paragraphs:
            text = normalise_text(paragraph.text)
            tokens = text.split(" ")
            cut = " ".join(tokens[:SNIPPET_WORDS]) + (" …" if len(tokens) > SNIPPET_WORDS else "")
            return Snippet([(cut, False)], paragraph.page_first)
    return Snippet([], item.page_first)


def _window(text: str, matches: list[tuple[int, int, str]]) -> tuple[list[tuple[str, bool]], int]:
    """Fragments of the best window of about SNIPPET_WORDS words, and the offset of its
    first match."""
    spaces = [m.start() for m in re.finditer(" ", text)]
    word_starts = [0] + [s + 1 for s in spaces]

    def word_index(offset: int) -> int:
        lo, hi = 0, len(word_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if word_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    first_word, last_word = 0, len(word_starts) - 1
    if len(word_starts) > SNIPPET_WORDS:
        best_start, best_count = 0, -1
        for start, _end, _key in matches:
            begin = max(0, word_index(start) - 6)
            end_word = begin + SNIPPET_WORDS - 1
            count = len({m[2] for m in matches if begin <= word_index(m[0]) <= end_word})
            if count > best_count:
                best_start, best_count = begin, count
        first_word = best_start
        last_word = min(len(word_starts) - 1, first_word + SNIPPET_WORDS - 1)
    lo = word_starts[first_word]
    hi = spaces[last_word] if last_word < len(spaces) else len(text)
    inside = [m for m in matches if m[0] >= lo and m[1] <= hi]
    fragments: list[tuple[str, bool]] = []
    if lo > 0:
        fragments.append(("… ", False))
    cursor = lo
    for start, end, _key in inside:
        if start > cursor:
            fragments.append((text[cursor:start], False))
        fragments.append((text[start:end], True))
        cursor = end
    if cursor < hi:
        fragments.append((text[cursor:hi], False))
    if hi < len(text):
        fragments.append((" …", False))
    return fragments, (inside[0][0] if inside else lo)
