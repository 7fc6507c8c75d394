"""What the views and the JSON API share: the per-request archive, request parsing, the
search call with its graceful fallback, and the shaping of items for display and JSON."""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import abort, current_app, g, url_for
from markupsafe import Markup, escape

from archive.runtime import Runtime
from archive.search.keyword import (
    MAX_LIMIT,
    MAX_OFFSET,
    MESSAGE_NO_HITS,
    MODES,
    SORTS,
    SearchHit,
    SearchRequest,
    SearchResponse,
)
from archive.backend import open_archive
from archive.search.grouping import ItemResults
from archive.search.listing import Listing, search_listing
from archive.search.modes import search
from archive.storage import ids
from archive.storage.db import UPGRADE_COMMAND, ArchiveTooOld
from archive.storage.model import KINDS, Item, ItemRef
from archive.storage.store import Archive
from archive.text.analysis import STOP_WORDS
from archive.text.citation import cite, cite_quote, format_date_da
from archive.text.danish import REGIONS
from archive.text.pages import page_segments
from archive.text.query import parse, query_shape


DEFAULT_MODE = "hybrid"
PAGE_SIZE = 10
CASE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,60}$")
GENERIC_CASE_PER_DOCUMENT = 3  # a case number on more items than this in one document is a catch-all
TIMELINE_LIMIT = 20

# ------------------------------------------------------------------ archive


def runtime() -> Runtime:
    """This process's state, made by `create_app`."""
    return current_app.extensions["kkr_runtime"]


def get_archive() -> Archive:
    archive = g.get("archive")
    if archive is None:
        try:
            archive = open_archive(current_app.config["ARCHIVE_ROOT"], runtime=runtime())
        except FileNotFoundError:
            abort(503, description="Arkivet er tomt. Kør 'kkr-arkiv ingest' for at indlæse dokumenter.")
        except ArchiveTooOld:
            abort(503, description=f"Arkivet har et ældre format. Kør '{UPGRADE_COMMAND}' for at opgradere det.")
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


# The page viewer's pdf.js, vendored by `make vendor` (never a CDN); without it the page image stands alone.
PDFJS_MODULE = "vendor/pdfjs/pdf.min.mjs"
PDFJS_WORKER = "vendor/pdfjs/pdf.worker.min.mjs"


def pdf_viewer_available() -> bool:
    static = Path(current_app.static_folder)
    return (static / PDFJS_MODULE).is_file() and (static / PDFJS_WORKER).is_file()


# ------------------------------------------------------------------ search


@dataclass
class SearchParams:
    q: str = ""
    mode: str = DEFAULT_MODE
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
        defaults = {"mode": DEFAULT_MODE, "sort": "relevance", "side": "1"}
        return {k: v for k, v in args.items() if v not in ("", None) and defaults.get(k) != v}

    def request(self) -> SearchRequest:
        return SearchRequest(
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
    mode = args.get("mode") or DEFAULT_MODE
    params.mode = mode if mode in MODES else DEFAULT_MODE
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
        params.limit = _int(args.get("limit"), PAGE_SIZE, 1, MAX_LIMIT)
        params.offset = _int(args.get("offset"), 0, 0, MAX_OFFSET)
    else:
        page = _int(args.get("side"), 1, 1, MAX_OFFSET // PAGE_SIZE)
        params.offset = (page - 1) * PAGE_SIZE
    return params


@dataclass
class SearchOutcome:
    listing: Listing
    question: bool = False  # the query reads as a question: Spørg arkivet answers those

    @property
    def results(self) -> ItemResults:
        return self.listing.results

    @property
    def notice(self) -> str:  # shown above the results (keyword results instead of an unavailable mode)
        return self.listing.notice

    @property
    def mode_used(self) -> str:
        return self.listing.mode_used

    @property
    def case_number(self) -> str:  # the archived case number the query spells ("2026-00541"), if any
        return self.listing.case_number

    @property
    def case_items(self) -> int:
        return self.listing.case_items

    @property
    def response(self) -> SearchResponse:
        return self.results.response

    @property
    def messages(self) -> list[str]:
        """The response's messages worth showing: not the notice again, not "no hits" (the page
        says that itself)."""
        return [m for m in self.response.messages if m and m != MESSAGE_NO_HITS and m != self.notice]

    @property
    def suggestion(self) -> str | None:
        suggestion = self.response.suggestion
        return suggestion if suggestion and suggestion.strip() != self.response.query else None

    def to_json(self) -> dict:
        data = self.listing.to_json()
        if data["case"]:
            data["case"].update(url=url_for("views.case", case_number=self.case_number),
                                api_url=url_for("api.case", case_number=self.case_number))
        return data


def run_search(archive: Archive, params: SearchParams) -> SearchOutcome:
    """The one place the web app and its JSON twin search (`archive.search.listing`, which
    the CLI runs too): one result per agenda item, a case number searched as one, keyword
    results standing in for an unavailable mode."""
    listing = search_listing(archive, params.request())
    return SearchOutcome(listing, question=query_shape(params.q, parse(params.q).root) == "question")


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


def facet_rows(facets: dict[str, list[dict]]) -> dict[str, list[tuple[str, str, int]]]:
    """Search facets as {name: [(value, label, count), ...]} for the template."""
    return {name: [(str(f["value"]), str(f["label"]), int(f["count"])) for f in entries]
            for name, entries in facets.items() if entries}


FACET_LABEL = {"council": "Råd", "kind": "Dokumenttype", "year": "År", "block": "Afsnit",
               "decision": "Beslutninger", "group": "Gruppe"}


def similar_items(archive: Archive, item: Item, exclude: set[str], limit: int = 5) -> list[SearchHit]:
    """'More like this': a keyword search on the content words of the item's title, one hit
    per meeting and item number, no standing items (those filed under a catch-all case number)."""
    words = title_terms(item.title)
    if not words:
        return []
    request = SearchRequest(q=" OR ".join(words), mode="keyword", limit=limit + len(exclude) + 8)
    seen_meeting_numbers: set[tuple] = set()
    out = []
    shared: dict[str, bool] = {}  # case number -> a catch-all of standing items ("Punkter til næste møde")
    for hit in search(archive, request).hits:
        if hit.item_id in exclude:
            continue
        if hit.case and shared.setdefault(hit.case, case_timeline(archive, hit.case, limit=1)["generic"]):
            continue
        key = (document_id_of(hit.item_id).rpartition("_")[0], hit.number)  # one per meeting and item
        if key in seen_meeting_numbers:
            continue
        seen_meeting_numbers.add(key)
        out.append(hit)
        if len(out) >= limit:
            break
    return out


# Title words that name the kind of item or where it was held, not what it is about.
_TITLE_GENERIC = {
    "samt", "ved", "mellem", "orientering", "godkendelse", "drøftelse", "status",
    "udpegning", "behandling", "sag", "sager", "kkr", "nyt", "ny", "nye", "model",
} | {form for region in REGIONS for form in (region.lower(), region.lower() + "s")}


def title_terms(title: str) -> list[str]:
    words = [w for w in re.findall(r"\w+", title.lower()) if len(w) > 2 and w not in STOP_WORDS and w not in _TITLE_GENERIC and not w.isdigit()]
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


def item_blocks_view(item: Item) -> list[dict]:
    """Blocks with paragraphs split into page segments; `marker` is set where a new page starts."""
    current: int | None = None
    blocks = []
    for block in item.blocks:
        paragraphs = []
        for para in block.paragraphs:
            segments = []
            for page, text in page_segments(para):
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


def decisions_of(archive: Archive, item_ids: list[str]) -> dict[str, str]:
    """Item id -> the text of its Beslutning block, for the items that have one."""
    if not item_ids:
        return {}
    return {item.id: text for item in archive.items(item_ids=list(item_ids))
            if (text := _block_text(item, "Beslutning"))}


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


def answer_view(answer: dict) -> dict:
    """An answer's JSON with what its page needs per citation: the document, the text to
    copy (»quote« (reference)) and an id for the reference list."""
    entries = [e for name in ("entries", "see_also", "nearest") for e in answer.get(name) or []]
    for citation in answer["citations"] + [c for e in entries for c in e["citations"]]:
        item_id = citation.get("item_id") or ""
        citation["document_id"] = citation.get("document_id") or document_id_of(item_id)
        citation["copy_text"] = cite_quote(citation.get("quote") or "", citation.get("cite") or "")
        citation["ref_id"] = f"{item_id or citation['document_id']}|{citation.get('page') or ''}|{(citation.get('quote') or '')[:80]}"
        path = url_for("views.item", item_id=item_id) if item_id else (
            citation.get("url") or url_for("views.pdf", document_id=citation["document_id"]))
        citation["permalink"] = current_app.config["BASE_URL"] + path
    return answer
