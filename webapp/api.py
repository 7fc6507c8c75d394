"""The JSON API (read-only, GET only). Unknown ids answer a JSON 404."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from archive.answers.answer import answer_question

from . import services as s
from .errors import json_error

api = Blueprint("api", __name__)


@api.route("/search")
def search():
    archive = s.get_archive()
    params = s.parse_search_args(request.args, api=True)
    if params.too_long:
        return json_error(400, "query_too_long", params.errors[0])
    if params.errors:
        return json_error(400, "bad_request", " ".join(params.errors))
    if not params.q:
        return json_error(400, "missing_query", "Angiv en søgning med parameteren q.")
    return jsonify(s.run_search(archive, params).to_json())


@api.route("/items/<item_id>")
def item(item_id: str):
    archive = s.get_archive()
    item, ref = s.require_item(archive, item_id)
    return jsonify(s.item_json(archive, item, ref))


@api.route("/meetings")
def meetings():
    return jsonify({"meetings": [
        {"id": m.id, "council": m.council, "date": m.date.isoformat(), "time": m.time, "place": m.place,
         "url": url_for("views.meeting", meeting_id=m.id), "api_url": url_for("api.meeting", meeting_id=m.id),
         "documents": [{"id": d.id, "kind": d.kind, "pages": d.page_count,
                        "pdf_url": url_for("views.pdf", document_id=d.id)} for d in m.documents]}
        for m in s.get_archive().meetings()
    ]})


@api.route("/meetings/<meeting_id>")
def meeting(meeting_id: str):
    archive = s.get_archive()
    meeting = s.require_meeting(archive, meeting_id)
    documents = []
    for doc in meeting.documents:
        item_ids = [i.id for i in archive.items(document_id=doc.id)]
        refs = archive.item_refs(item_ids)
        items = [s.ref_json(refs[i]) for i in item_ids if i in refs]
        documents.append({
            "id": doc.id, "kind": doc.kind, "pages": doc.page_count, "file_name": doc.file_name,
            "sha256": doc.sha256, "attendees": doc.attendees, "absent": doc.absent,
            "pdf_url": url_for("views.pdf", document_id=doc.id), "items": items,
        })
    return jsonify({
        "id": meeting.id, "council": meeting.council, "date": meeting.date.isoformat(),
        "time": meeting.time, "place": meeting.place,
        "url": url_for("views.meeting", meeting_id=meeting.id), "documents": documents,
    })


@api.route("/cases/<case_number>")
def case(case_number: str):
    timeline = s.require_case_timeline(s.get_archive(), case_number)
    return jsonify({
        "case": case_number, "total": timeline["total"], "shared": timeline["generic"],
        "url": url_for("views.case", case_number=case_number),
        "items": [s.ref_json(r) for r in timeline["refs"]],
    })


@api.route("/ask")
def ask():
    archive = s.get_archive()
    max_len = current_app.config["MAX_QUERY_LENGTH"]
    q = " ".join((request.args.get("q") or "").split())
    if not q:
        return json_error(400, "missing_query", "Angiv et spørgsmål med parameteren q.")
    if len(q) > max_len:
        return json_error(400, "query_too_long", f"Spørgsmålet er for langt ({len(q)} tegn). Det må højst være {max_len} tegn.")
    return jsonify(answer_question(archive, q).to_json())


@api.route("/<path:_rest>")
def unknown(_rest: str):
    abort(404)
