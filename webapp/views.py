"""HTML pages: search, item, meeting, case, PDF and page images, question answering."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, url_for

from archive.answers.answer import answer_question
from archive.text.citation import cite
from archive.text.danish import FOLD

from . import services as s
from .pageimage import page_highlight, query_terms, render_page_png

views = Blueprint("views", __name__)
MAX_QUOTE_LENGTH = 600  # a cited sentence in a link (?citat=)
# folded form -> the letters it stands for ("ae": ["æ", "ä"]), for the viewer's word marks
UNFOLD: dict[str, list[str]] = {}
for _letter, _folded in FOLD.items():
    UNFOLD.setdefault(_folded, []).append(_letter)

EXAMPLE_SEARCHES = [
    ("herberger", "keyword", "Herberger og kapacitetsstyring"),
    ("pædagoguddannelsen", "keyword", "Dimensionering af pædagoguddannelsen"),
    ("økonomiforhandlinger", "hybrid", "Indspil til økonomiforhandlingerne"),
    ("Erhvervshus", "keyword", "Erhvervshusene"),
    ("hvordan skal kommunerne samarbejde om det specialiserede socialområde", "semantic",
     "Et spørgsmål med almindelige ord"),
]


@views.app_context_processor
def _json_twin() -> dict:
    """The address of the page's JSON twin under /api/ (datasette's habit), for the footer."""
    return {"json_url": json_twin_url()}


def json_twin_url() -> str | None:
    args = request.view_args or {}
    endpoint = request.endpoint
    q = (request.args.get("q") or "").strip()
    if endpoint == "views.index":
        if not q:
            return url_for("api.meetings")
        params = s.parse_search_args(request.args)
        search_args = {k: v for k, v in params.url_args().items() if k != "side"}
        return url_for("api.search", **search_args, offset=params.offset or None)
    if endpoint == "views.item":
        return url_for("api.item", item_id=args["item_id"])
    if endpoint == "views.meeting":
        return url_for("api.meeting", meeting_id=args["meeting_id"])
    if endpoint == "views.meetings":
        return url_for("api.meetings")
    if endpoint == "views.case":
        return url_for("api.case", case_number=args["case_number"])
    if endpoint == "views.ask":
        return url_for("api.ask", q=q) if q else None
    if endpoint == "views.page_view":
        item_id = request.args.get("punkt") or ""
        if item_id and s.ids.is_valid_id(item_id):
            return url_for("api.item", item_id=item_id)
    return None


@views.route("/")
def index():
    archive = s.get_archive()
    params = s.parse_search_args(request.args)
    outcome = None
    rows = []
    if params.q and not params.too_long:
        outcome = s.run_search(archive, params)
        shown = outcome.results.results
        decided = s.items_with_decision(archive, [r.hit.item_id for r in shown])
        rows = [{"hit": r.hit, "also": r.also, "meaning_only": r.meaning_only,
                 "snippet": s.safe_snippet(r.hit.snippet), "document_id": r.hit.document_id,
                 "decision": r.hit.item_id in decided}
                for r in shown]
    facets = s.facet_rows(outcome.results.facets) if outcome else {}
    total = outcome.results.total if outcome else 0
    pages = (total + params.limit - 1) // params.limit if total else 0
    messages = outcome.messages if outcome else []
    suggestion = outcome.suggestion if outcome else None
    return render_template(
        "search.html", params=params, outcome=outcome, hits=rows, total=total, facets=facets,
        total_exact=outcome.results.exact if outcome else True,
        suggestion=suggestion, messages=messages,
        facet_labels=s.FACET_LABEL, pages=pages, councils=s.councils(archive),
        meetings=archive.meetings()[:6] if not params.q else [], examples=EXAMPLE_SEARCHES,
        document_count=archive.document_count(),
    )


@views.route("/punkt/<item_id>")
def item(item_id: str):
    archive = s.get_archive()
    item, ref = s.require_item(archive, item_id)
    meeting = archive.meeting(ref.meeting_id)
    counterpart = archive.counterpart(item_id)
    timeline = s.case_timeline(archive, item.case_number)
    exclude = {item_id} | ({counterpart.item_id} if counterpart else set())
    similar = s.similar_items(archive, item, exclude)
    return render_template(
        "item.html", item=item, ref=ref, meeting=meeting, counterpart=counterpart, timeline=timeline,
        similar=similar, blocks=s.item_blocks_view(item), citation=cite(ref),
        q=(request.args.get("q") or "")[: current_app.config["MAX_QUERY_LENGTH"]],
        document_id_of=s.document_id_of,
    )


@views.route("/moede/<meeting_id>")
def meeting(meeting_id: str):
    archive = s.get_archive()
    meeting = s.require_meeting(archive, meeting_id)
    documents = [archive.document(d.id, with_items=True) for d in meeting.documents]
    referat = next((d for d in documents if d.kind == "referat"), None)
    return render_template("meeting.html", meeting=meeting, documents=documents, referat=referat)


@views.route("/moeder")
def meetings():
    archive = s.get_archive()
    return render_template("meetings.html", meetings=archive.meetings())


@views.route("/sag/<case_number>")
def case(case_number: str):
    archive = s.get_archive()
    timeline = s.require_case_timeline(archive, case_number)
    decisions = {} if timeline["generic"] else s.decisions_of(archive, [r.item_id for r in timeline["refs"]])
    return render_template("case.html", timeline=timeline, case_number=case_number, decisions=decisions)


def _document_or_404(document_id: str):
    archive = s.get_archive()
    s.require_id(document_id)
    document = archive.document(document_id)
    if document is None:
        abort(404)
    path = archive.pdf_path(document_id)  # from the stored sha256, never from the request
    if path is None or not path.is_file():
        abort(404)
    return document, path


def _page_or_404(document_id: str, n: int):
    """The document and its PDF path when page `n` exists in it, else 404."""
    document, path = _document_or_404(document_id)
    if not 1 <= n <= document.page_count:
        abort(404)
    return document, path


@views.route("/pdf/<document_id>")
def pdf(document_id: str):
    document, path = _document_or_404(document_id)
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=f"{document.id}.pdf", conditional=True, etag=document.sha256)
    response.headers["Content-Disposition"] = f'inline; filename="{document.id}.pdf"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _page_item(document_id: str):
    """The item named by ?punkt=, when it belongs to this document."""
    item_id = request.args.get("punkt") or ""
    if not item_id or not s.ids.is_valid_id(item_id) or s.document_id_of(item_id) != document_id:
        return None
    return s.get_archive().item(item_id)


def _page_query() -> str:
    return " ".join((request.args.get("q") or "").split())[: current_app.config["MAX_QUERY_LENGTH"]]


def _page_quote() -> str:
    """The cited sentence to highlight (?citat=), as a citation link carries it."""
    return " ".join((request.args.get("citat") or "").split())[: MAX_QUOTE_LENGTH]


@views.route("/pdf/<document_id>/side/<int:n>.png")
def page_image(document_id: str, n: int):
    document, path = _page_or_404(document_id, n)
    highlight = page_highlight(_page_item(document_id), n, _page_query(), _page_quote())
    resolution = current_app.config["PAGE_IMAGE_RESOLUTION"]
    key = (document.sha256, n, resolution, highlight)
    cache = s.runtime().page_images
    png = cache.get(key)
    if png is None:
        png = render_page_png(path, n, resolution=resolution, highlight=highlight)
        cache.put(key, png)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@views.route("/pdf/<document_id>/side/<int:n>")
def page_view(document_id: str, n: int):
    document, _path = _page_or_404(document_id, n)
    item = _page_item(document_id)
    ref = s.get_archive().item_ref(item.id) if item else None
    q, quote = _page_query(), _page_quote()
    highlight = page_highlight(item, n, q, quote)
    viewer = None
    if s.pdf_viewer_available():
        viewer = {"pdf": url_for("views.pdf", document_id=document.id), "page": n,
                  "worker": url_for("static", filename=s.PDFJS_WORKER), "words": query_terms(q), "unfold": UNFOLD,
                  "boxes": highlight.to_json()}
    return render_template("page.html", document=document, n=n, item=item, ref=ref, q=q, quote=quote,
                           highlighted=bool(highlight), matched=bool(highlight.words),
                           quoted=bool(highlight.quote), viewer=viewer)


@views.route("/spoerg")
def ask():
    archive = s.get_archive()
    max_len = current_app.config["MAX_QUERY_LENGTH"]
    q = " ".join((request.args.get("q") or "").split())
    error = ""
    answer = None
    if len(q) > max_len:
        error = f"Spørgsmålet er for langt ({len(q)} tegn). Det må højst være {max_len} tegn."
        q = q[:max_len]
    elif q:
        answer = s.answer_view(answer_question(archive, q).to_json())
    return render_template("ask.html", q=q, answer=answer, error=error)


@views.route("/referencer")
def references():
    return render_template("references.html")
