"""The read-only Flask web app over the archive.

`create_app(data=...)` is the only public name; `cli.main serve` runs it under gunicorn.
Each request opens the archive read-only (SQLite connections are cheap) and closes it
when the request ends. The app never writes and has no POST endpoints.
"""
from __future__ import annotations

import os

from flask import Flask, g, jsonify, render_template, request, url_for

from archive.storage.layout import resolve_root

from . import filters

MAX_QUERY_LENGTH = 500
# The public address of the archive (e.g. https://arkiv.example.dk), for permalinks. Unset, links
# are relative: the Host header a client sends is never written into a page.
BASE_URL_ENV = "KKR_ARKIV_BASE_URL"

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# The browser's PDF viewer must be free to run in its own way; the PDF still cannot be framed.
# An archived PDF is someone else's file on our origin: sandboxed, it cannot run script as us.
PDF_CSP = "sandbox; frame-ancestors 'none'"


def create_app(data: str | os.PathLike | None = None, **config) -> Flask:
    app = Flask(__name__)
    app.config.update(
        ARCHIVE_ROOT=str(resolve_root(data).absolute()),
        MAX_CONTENT_LENGTH=16 * 1024,  # nothing is ever uploaded
        MAX_QUERY_LENGTH=MAX_QUERY_LENGTH,
        PAGE_IMAGE_RESOLUTION=100,
        PAGE_IMAGE_CACHE_SIZE=64,
        JSON_SORT_KEYS=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        BASE_URL=os.environ.get(BASE_URL_ENV, "").rstrip("/"),
    )
    app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.debug = False

    from . import pageimage
    from .api import api
    from .views import views

    app.extensions["kkr_page_images"] = pageimage.PageImageCache(app.config["PAGE_IMAGE_CACHE_SIZE"])
    app.register_blueprint(views)
    app.add_template_global(lambda endpoint, **values: app.config["BASE_URL"] + url_for(endpoint, **values),
                            "permalink_for")
    app.register_blueprint(api, url_prefix="/api")
    filters.register(app)

    @app.teardown_appcontext
    def _close_archive(_exc) -> None:
        archive = g.pop("archive", None)
        if archive is not None:
            archive.close()

    @app.after_request
    def _security_headers(response):
        is_pdf = response.mimetype == "application/pdf"
        response.headers["Content-Security-Policy"] = PDF_CSP if is_pdf else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-cache")
        return response

    def _wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(404)
    def _not_found(_exc):
        if _wants_json():
            return jsonify(error="not_found", message="Findes ikke i arkivet."), 404
        return render_template("error.html", title="Siden findes ikke",
                               message="Siden findes ikke. Den kan være flyttet, eller adressen er skrevet forkert."), 404

    @app.errorhandler(405)
    def _method_not_allowed(_exc):
        if _wants_json():
            return jsonify(error="method_not_allowed", message="Kun GET er tilladt."), 405
        return render_template("error.html", title="Ikke tilladt",
                               message="Arkivet kan kun læses. Den handling er ikke tilladt."), 405

    @app.errorhandler(413)
    def _too_large(_exc):
        if _wants_json():
            return jsonify(error="too_large", message="Forespørgslen er for stor."), 413
        return render_template("error.html", title="For stor forespørgsel",
                               message="Forespørgslen er for stor."), 413

    @app.errorhandler(503)
    def _unavailable(exc):
        message = getattr(exc, "description", None) or "Arkivet er ikke tilgængeligt lige nu."
        if _wants_json():
            return jsonify(error="unavailable", message=message), 503
        return render_template("error.html", title="Ikke tilgængelig", message=message), 503

    @app.errorhandler(500)
    def _server_error(_exc):
        if _wants_json():
            return jsonify(error="server_error", message="Der opstod en fejl på serveren."), 500
        return render_template("error.html", title="Der opstod en fejl",
                               message="Der opstod en fejl på serveren. Prøv igen om lidt."), 500

    return app
