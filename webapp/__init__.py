"""The read-only Flask web app over the archive.

`create_app(data=...)` is the only public name; `cli.main serve` runs it under gunicorn.
Each request opens the archive read-only (SQLite connections are cheap) and closes it
when the request ends. The app never writes and has no POST endpoints.
"""
from __future__ import annotations

import os

from flask import Flask, g, url_for

from archive.backend import database_url
from archive.runtime import LruCache, Runtime
from archive.storage.layout import resolve_root

from . import errors, filters

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


def create_app(data: str | os.PathLike | None = None, *, runtime: Runtime | None = None, **config) -> Flask:
    """The app over the archive at `data`; `runtime` is this process's state (a new one by default)."""
    app = Flask(__name__)
    app.config.update(
        ARCHIVE_ROOT=database_url(data) or str(resolve_root(data).absolute()),  # a folder or a database
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

    from .api import api
    from .views import views

    app.extensions["kkr_runtime"] = runtime or Runtime(page_images=LruCache(app.config["PAGE_IMAGE_CACHE_SIZE"]))
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

    errors.register(app)
    return app
