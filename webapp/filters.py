"""Jinja filters and globals: Danish dates, kinds and page spans."""
from __future__ import annotations

from datetime import date

from archive.storage.model import NO_ITEMS_FOUND
from archive.text.citation import format_date_da, page_span
from archive.text.danish import KIND_DEFINITE

KIND_LABEL = {"dagsorden": "Dagsorden", "referat": "Referat"}
# The stored reasons a meeting document was archived unstructured, as the pages say them.
REASON_DA = {NO_ITEMS_FOUND: "der blev ikke fundet nogen dagsordenspunkter"}
MODE_LABEL = {"hybrid": "Hybrid", "keyword": "Nøgleord", "semantic": "Semantisk"}


def date_da(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return format_date_da(value)


def reason_da(reason: str) -> str:
    return REASON_DA.get(reason, reason)


def kind_definite(kind: str) -> str:
    return KIND_DEFINITE.get(kind, kind)


def kind_label(kind: str) -> str:
    return KIND_LABEL.get(kind, kind)


def pages_da(first: int, last: int | None = None) -> str:
    return page_span(first, first if last is None else last)


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def number_da(n: int) -> str:
    """12345 -> '12.345' (Danish thousands separator)."""
    return f"{n:,}".replace(",", ".")


def register(app) -> None:
    app.jinja_env.filters.update(
        date_da=date_da, kind_label=kind_label, kind_definite=kind_definite, reason_da=reason_da, pages_da=pages_da, number_da=number_da,
    )
    app.jinja_env.globals.update(plural=plural, MODE_LABEL=MODE_LABEL, KIND_LABEL=KIND_LABEL)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
