"""What the views and the JSON API share: the per-request archive, request parsing, the
search call with its graceful fallback, and the shaping of items for display and JSON."""
from __future__ import annotations

import html
import importlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from flask import abort, current_app, g, url_for
from markupsafe import Markup, escape

from archive.storage import ids
from archive.text.citation import cite, format_date_da
from archive.storage.model import KINDS, Item, ItemRef
from archive.storage.store import Archive

log = logging.getLogger(__name__)

MODES = ("hybrid", "keyword", "semantic")
SORTS = ("relevance", "date", "date-asc")
PAGE_SIZE = 10
MAX_OFFSET = 10_000
CASE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,60}$")
GENERIC_CASE_PER_DOCUMENT = 3  # a case number on more items than this in one document is a catch-all
TIMELINE_LIMIT = 20
FALLBACK_NOTICE = "Semantisk søgning er ikke tilgængelig lige nu. Viser resultater for nøgleordssøgning."

# ------------------------------------------------------------------ archive


def get_archive() -> Archive:
    archive = g.get("archive")
    if archive is None:
        try:
            archive = Archive(current_app.config["ARCHIVE_ROOT"], readonly=True)
        except FileNotFoundError:
            abort(503, description="Arkivet er tomt. Kør 'kkr-arkiv ingest' for at indlæse dokumenter.")
        g.archive = archive
    return archive


def require_id(value: str) -> str:
    """404 for anything that does not have the shape of an archive id (before any lookup)."""
    if not ids.is_valid_id(value):
        abort(404)
    return value


def require_item(archive: Archive, item_id: str):
    """The item and its reference, or 404."""
    require_id(item_id)
    item = archive.item(item_id)
    ref = archive.item_ref(item_id) if item else None
    if item is None or ref is None:
        abort(404)
    return item, ref


def require_meeting(archive: Archive, meeting_id: str):
    """The meeting, or 404."""
    require_id(meeting_id)
    meeting = archive.meeting(meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def require_case(value: str) -> str:
    if not CASE_RE.match(value or ""):
        abort(404)
    return value


def document_id_of(item_id: str) -> str:
    return item_id.rpartition("_")[0]


def items_with_decision(archive: Archive, item_ids: list[str]) -> set[str]:
    """The ids among `item_ids` whose item has a Beslutning block."""
    if not item_ids:
        return set()
    return archive.items_with_block(list(item_ids), "Beslutning")


def councils(archive: Archive) -> list[str]:
    return archive.councils()


# ------------------------------------------------------------------ search


def search_module():
    """archive.search.keyword, or None while it is not available."""
    try:
        return importlib.import_module("archive.search.keyword")
    except ImportError:
        log.warning("archive.search.keyword is not importable", exc_info=True)
        return None


def answer_module():
    """archive.answers.answer, or None while question answering is not available."""
    try:
        module = importlib.import_module("archive.answers.answer")
    except ImportError:
        return None
    return module if hasattr(module, "answer_question") else None


@dataclass
class SearchParams:
    q: str = ""
    mode: str = "hybrid"
    council: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    decisions: bool = False
    sort: str = "relevance"
    limit: int = PAGE_SIZE
    offset: int = 0
    errors: list[str] = field(default_factory=list)
    too_long: bool = False
    raw_from: str = ""
    raw_to: str = ""

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def has_filters(self) -> bool:
        return bool(self.council or self.kind or self.date_from or self.date_to or self.decisions)

    def url_args(self, **overrides) -> dict:
        """The GET parameters that reproduce this search (for links: pages, suggestion, sort)."""
        args = {
            "q": self.q, "mode": self.mode, "council": self.council, "kind": self.kind,
            "from": self.raw_from, "to": self.raw_to, "decisions": "1" if self.decisions else "",
            "sort": self.sort, "side": str(self.page),
        }
        args.update(overrides)
        defaults = {"mode": "hybrid", "sort": "relevance", "side": "1"}
        return {k: v for k, v in args.items() if v not in ("", None) and defaults.get(k) != v}

    def request(self, module):
        return module.SearchRequest(
            q=self.q, mode=self.mode, council=self.council or None, kind=self.kind or None,
            date_from=self.date_from, date_to=self.date_to, decisions_only=self.decisions,
            sort=self.sort, limit=self.limit, offset=self.offset,
        )


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def _date(value: str, label: str, errors: list[str]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"Datoen »{value[:20]}« i feltet {label} kan ikke læses. Brug formen åååå-mm-dd.")
        return None


def parse_search_args(args, *, api: bool = False) -> SearchParams:
    max_len = current_app.config["MAX_QUERY_LENGTH"]
    params = SearchParams()
    q = " ".join((args.get("q") or "").split())
    if len(q) > max_len:
        params.errors.append(f"Søgningen er for lang ({len(q)} tegn). Den må højst være {max_len} tegn.")
        params.too_long = True
        q = q[:max_len]
    params.q = q
    mode = args.get("mode") or "hybrid"
    params.mode = mode if mode in MODES else "hybrid"
    council = (args.get("council") or "").strip()
    params.council = council[:100]
    kind = args.get("kind") or ""
    params.kind = kind if kind in KINDS else ""
    params.raw_from = (args.get("from") or "").strip()[:20]
    params.raw_to = (args.get("to") or "").strip()[:20]
    params.date_from = _date(params.raw_from, "Fra", params.errors)
    params.date_to = _date(params.raw_to, "Til", params.errors)
    if params.date_from and params.date_to and params.date_from > params.date_to:
        params.errors.append("Periodens fra-dato ligger efter til-datoen.")
    params.decisions = (args.get("decisions") or "") in ("1", "on", "true", "ja")
    sort = args.get("sort") or "relevance"
    params.sort = sort if sort in SORTS else "relevance"
    if api:
        params.limit = _int(args.get("limit"), PAGE_SIZE, 1, 100)
        params.offset = _int(args.get("offset"), 0, 0, MAX_OFFSET)
    else:
        page = _int(args.get("side"), 1, 1, MAX_OFFSET // PAGE_SIZE)
        params.offset = (page - 1) * PAGE_SIZE
    return params


@dataclass
class SearchOutcome:
    response: object | None
    notice: str = ""  # shown above the results (fallback to keyword search, unavailable search)
    mode_used: str = "hybrid"


def run_search(archive: Archive, params: SearchParams) -> SearchOutcome:
    module = search_module()
    if module is None:
        return SearchOutcome(None, "Søgningen er ikke tilgængelig endnu.", params.mode)
    try:
        response = module.search(archive, params.request(module))
    except Exception as exc:  # semantic search may be missing (no model, no vectors): fall back
        if params.mode == "keyword":
            raise
        log.warning("%s search failed, falling back to keyword search: %s", params.mode, exc)
        response = module.search(archive, replace(params, mode="keyword").request(module))
        # a SemanticUnavailable carries a Danish message for users; anything else gets ours
        notice = str(exc) if "Unavailable" in type(exc).__name__ and str(exc) else FALLBACK_NOTICE
        return SearchOutcome(response, notice, "keyword")
    if params.mode != "keyword" and not getattr(response, "total", 0) and getattr(response, "message", ""):
        fallback = module.search(archive, replace(params, mode="keyword").request(module))
        if getattr(fallback, "total", 0):
            return SearchOutcome(fallback, response.message, "keyword")
    return SearchOutcome(response, "", params.mode)


_MARK = re.compile(r"(</?mark>)", re.IGNORECASE)


def safe_snippet(snippet: str | None) -> Markup:
    """Escape everything in a snippet except balanced <mark>…</mark>.

    Text between the marks is unescaped and re-escaped, so an already-escaped snippet stays as
    it is and a raw one (or one smuggling tags) becomes harmless text.
    """
    out: list[str] = []
    open_mark = False
    for part in _MARK.split(snippet or ""):
        low = part.lower()
        if low == "<mark>":
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif low == "</mark>":
            if open_mark:
                out.append("</mark>")
                open_mark = False
        elif part:
            out.append(str(escape(html.unescape(part))))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def normalize_facets(facets) -> dict[str, list[tuple[str, str, int]]]:
    """Facets in whatever reasonable shape search returns -> {name: [(value, label, count), ...]}."""
    result: dict[str, list[tuple[str, str, int]]] = {}
    if not isinstance(facets, dict):
        return result
    for name, values in facets.items():
        triples: list[tuple[str, str, int]] = []
        if isinstance(values, dict):
            triples = [(str(k), str(k), int(v)) for k, v in values.items() if isinstance(v, (int, float))]
        elif isinstance(values, (list, tuple)):
            for entry in values:
                if isinstance(entry, dict):
                    value = entry.get("value", entry.get("name", entry.get("key")))
                    label = entry.get("label", value)
                    count = entry.get("count", entry.get("n"))
                    if value is not None and isinstance(count, (int, float)):
                        triples.append((str(value), str(label), int(count)))
                elif isinstance(entry, (list, tuple)) and len(entry) == 2:
                    triples.append((str(entry[0]), str(entry[0]), int(entry[1])))
        if triples:
            result[str(name)] = triples
    return result


def hits_of(response) -> list:
    """The hits of a search response (`results`, or `hits` in archive.search.keyword)."""
    hits = getattr(response, "results", None)
    if hits is None:
        hits = getattr(response, "hits", None)
    return list(hits or [])


FACET_LABEL = {"council": "Råd", "kind": "Dokumenttype", "year": "År", "block": "Afsnit",
               "decision": "Beslutninger", "decisions": "Beslutninger", "group": "Gruppe"}


def similar_items(archive: Archive, item: Item, exclude: set[str], limit: int = 5) -> list:
    """'More like this': a keyword search on the content words of the item's title."""
    module = search_module()
    if module is None:
        return []
    similar = getattr(module, "similar_items", None)
    try:
        if similar is not None:
            hits = similar(archive, item.id, limit=limit + len(exclude) + 4)
        else:
            words = title_terms(item.title)
            if not words:
                return []
            request = module.SearchRequest(q=" OR ".join(words), mode="keyword", limit=limit + len(exclude) + 8)
            hits = hits_of(module.search(archive, request))
    except Exception:
        log.warning("similar items failed for %s", item.id, exc_info=True)
        return []
    seen_meeting_numbers: set[tuple] = set()
    out = []
    for hit in hits:
        if hit.item_id in exclude:
            continue
        key = (document_id_of(hit.item_id).rpartition("_")[0], hit.number)  # one per meeting and item
        if key in seen_meeting_numbers:
            continue
        seen_meeting_numbers.add(key)
        out.append(hit)
        if len(out) >= limit:
            break
    return out


_STOP = {
    "af", "og", "i", "på", "til", "for", "om", "med", "fra", "den", "det", "de", "en", "et", "at", "er",
    "samt", "ved", "under", "efter", "mellem", "orientering", "godkendelse", "drøftelse", "status",
    "udpegning", "behandling", "sag", "sager", "kkr", "nyt", "ny", "nye", "model",
    # council names say where, not what
    "hovedstaden", "hovedstadens", "sjælland", "sjællands", "syddanmark", "syddanmarks",
    "midtjylland", "midtjyllands", "nordjylland", "nordjyllands",
}


def title_terms(title: str) -> list[str]:
    words = [w for w in re.findall(r"\w+", title.lower()) if len(w) > 2 and w not in _STOP and not w.isdigit()]
    seen: list[str] = []
    for w in words:
        if w not in seen:
            seen.append(w)
    return seen[:6]


# ------------------------------------------------------------------ items


def item_page_url(document_id: str, page: int, item_id: str | None = None, q: str | None = None) -> str:
    args = {}
    if item_id:
        args["punkt"] = item_id
    if q:
        args["q"] = q
    return url_for("views.page_view", document_id=document_id, n=page, **args)


def pdf_url(document_id: str, page: int | None = None) -> str:
    url = url_for("views.pdf", document_id=document_id)
    return f"{url}#page={page}" if page else url


def ref_json(ref: ItemRef) -> dict:
    return {
        "item_id": ref.item_id,
        "document_id": ref.document_id,
        "meeting_id": ref.meeting_id,
        "council": ref.council,
        "date": ref.date.isoformat(),
        "date_da": format_date_da(ref.date),
        "kind": ref.kind,
        "number": ref.number,
        "group": ref.group,
        "title": ref.title,
        "case": ref.case_number,
        "pages": [ref.page_first, ref.page_last],
        "url": url_for("views.item", item_id=ref.item_id),
        "pdf_url": pdf_url(ref.document_id, ref.page_first),
    }


def _segments(para) -> list[tuple[int, str]]:
    """Split a paragraph's text where the printed page changes: [(page, text), ...].

    Words are counted line by line (a word hyphenated across a line end counts once), so the
    page marker lands between the right words even though the text was de-hyphenated.
    """
    if para.page_first == para.page_last or not para.lines:
        return [(para.page_first, para.text)]
    tokens = para.text.split()
    count = 0
    bounds: list[tuple[int, int]] = []  # (page, token index where the page starts)
    prev_last = ""
    page = para.lines[0].page
    for line in para.lines:
        words = line.text.split()
        if not words:
            continue
        joined = (
            prev_last.endswith("-") and len(prev_last) > 2 and prev_last[-2].isalpha()
            and words[0][:1].islower() and (prev_last[:-1] + words[0]) in para.text
        )
        if line.page != page:
            page = line.page
            bounds.append((page, min(count, len(tokens))))
        count += len(words) - (1 if joined else 0)
        prev_last = words[-1]
    segments: list[tuple[int, str]] = []
    start, current = 0, para.lines[0].page
    for page, index in bounds:
        if index > start:
            segments.append((current, " ".join(tokens[start:index])))
            start = index
        current = page
    segments.append((current, " ".join(tokens[start:])))
    return [s for s in segments if s[1]] or [(para.page_first, para.text)]


def item_blocks_view(item: Item) -> list[dict]:
    """Blocks with paragraphs split into page segments; `marker` is set where a new page starts."""
    current: int | None = None
    blocks = []
    for block in item.blocks:
        paragraphs = []
        for para in block.paragraphs:
            segments = []
            for page, text in _segments(para):
                segments.append({"page": page, "text": text, "marker": page if page != current else None})
                current = page
            paragraphs.append({"para": para, "segments": segments})
        blocks.append({"block": block, "paragraphs": paragraphs})
    return blocks


def require_case_timeline(archive: Archive, case_number: str) -> dict:
    """The whole timeline of a case, or 404 for a malformed or unknown case number."""
    require_case(case_number)
    timeline = case_timeline(archive, case_number, limit=0)
    if not timeline["total"]:
        abort(404)
    return timeline


def case_timeline(archive: Archive, case_number: str, limit: int = TIMELINE_LIMIT) -> dict:
    """The case history grouped by meeting, and whether the case number is a catch-all."""
    history = archive.case_history(case_number) if case_number else []
    per_document = Counter(ref.document_id for ref in history)
    generic = bool(per_document) and max(per_document.values()) > GENERIC_CASE_PER_DOCUMENT
    meetings: list[dict] = []
    for ref in history[:limit] if limit else history:
        if not meetings or meetings[-1]["meeting_id"] != ref.meeting_id:
            meetings.append({"meeting_id": ref.meeting_id, "date": ref.date, "council": ref.council, "refs": []})
        meetings[-1]["refs"].append(ref)
    return {"case": case_number, "total": len(history), "generic": generic, "meetings": meetings,
            "truncated": bool(limit) and len(history) > limit, "refs": history}


def item_json(archive: Archive, item: Item, ref: ItemRef) -> dict:
    counterpart = archive.counterpart(item.id)
    timeline = case_timeline(archive, item.case_number, limit=0)
    data = ref_json(ref)
    data.update({
        "case_initials": item.case_initials,
        "blocks": [
            {
                "heading": b.heading,
                "pages": [b.page_first, b.page_last],
                "paragraphs": [
                    {"text": p.text, "pages": [p.page_first, p.page_last],
                     "attachment": p.attachment, "subheading": p.subheading}
                    for p in b.paragraphs
                ],
            }
            for b in item.blocks
        ],
        "decision": _block_text(item, "Beslutning"),
        "counterpart": ref_json(counterpart) if counterpart else None,
        "case_history": [ref_json(r) for r in timeline["refs"]],
        "case_number_shared": timeline["generic"],
        "citation": cite(ref),
    })
    return data


def _block_text(item: Item, heading: str) -> str | None:
    block = item.block(heading)
    return "\n\n".join(p.text for p in block.paragraphs) if block else None
