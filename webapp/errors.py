"""Error responses, one helper for the HTML pages and their JSON twins under /api/."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


@dataclass(frozen=True)
class ErrorText:
    code: str  # the JSON "error" field
    message: str  # the JSON "message" field
    title: str  # the HTML page's heading
    page_message: str  # the HTML page's text


ERRORS: dict[int, ErrorText] = {
    400: ErrorText("bad_request", "Forespørgslen kan ikke læses.", "Forkert forespørgsel",
                   "Forespørgslen kan ikke læses."),
    404: ErrorText("not_found", "Findes ikke i arkivet.", "Siden findes ikke",
                   "Siden findes ikke. Den kan være flyttet, eller adressen er skrevet forkert."),
    405: ErrorText("method_not_allowed", "Kun GET er tilladt.", "Ikke tilladt",
                   "Arkivet kan kun læses. Den handling er ikke tilladt."),
    413: ErrorText("too_large", "Forespørgslen er for stor.", "For stor forespørgsel", "Forespørgslen er for stor."),
    503: ErrorText("unavailable", "Arkivet er ikke tilgængeligt lige nu.", "Ikke tilgængelig",
                   "Arkivet er ikke tilgængeligt lige nu."),
    500: ErrorText("server_error", "Der opstod en fejl på serveren.", "Der opstod en fejl",
                   "Der opstod en fejl på serveren. Prøv igen om lidt."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str):
    """A JSON error body {"error": code, "message": message} with `status`."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def error_response(status: int, message: str | None = None):
    """The error page for `status`, or its JSON twin under /api/; `message` (Danish, for
    users) replaces the standard text."""
    text = ERRORS[status]
    if wants_json():
        return json_error(status, text.code, message or text.message)
    return render_template("error.html", title=text.title, message=message or text.page_message), status


def register(app: Flask) -> None:
    def handle(exc: HTTPException):
        # abort(503, description=...) carries a message of ours; werkzeug's defaults are English
        own = exc.description if exc.description != type(exc).description else None
        return error_response(exc.code, own)

    for status in ERRORS:
        app.register_error_handler(status, handle)
