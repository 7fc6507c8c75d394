"""Stable, human-readable identifiers for meetings, documents and items.

Ids are derived from what a document *is* (council, date, kind, item number), not from
database row numbers, so permalinks survive re-ingesting a corrected PDF.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from archive.text.danish import DANISH_FOLD

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}$")
_FOLD = str.maketrans(DANISH_FOLD)


def slugify(text: str) -> str:
    """'KKR Sjælland' -> 'kkr-sjaelland'."""
    text = text.lower().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


KKR_AUTHORITY = "KL"
KKR_REGIONS = ("hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland")


def body_slug(body: str, authority: str = "") -> str:
    """The slug that names a meeting body in ids.

    A KKR (authority KL, or none recorded, as in archives from before bodies had an
    authority) is named by its own name alone, so KKR ids never change:
    'KKR Hovedstaden' -> 'kkr-hovedstaden'. A municipal body is named under its authority,
    since many municipalities have a body of the same name:
    ('Sundheds- og Forebyggelsesudvalget', 'Ballerup Kommune') ->
    'ballerup-kommune-sundheds-og-forebyggelsesudvalget'.
    """
    own = slugify(body)
    if not authority or authority == KKR_AUTHORITY:
        return own
    under = slugify(authority)
    if own.endswith("-" + under):  # "Teknik- og Miljøudvalget, Gribskov Kommune"
        own = own[: -len(under) - 1]
    return own if own == under or own.startswith(under + "-") else f"{under}-{own}"


def meeting_id(council: str, day: date, authority: str = "") -> str:
    return f"{body_slug(council, authority)}_{day.isoformat()}"


def document_id(council: str, day: date, kind: str, authority: str = "", *, extract_of: str = "") -> str:
    """'<meeting>_<kind>'; a PDF exporting a single item of the meeting's document is
    its own document '<meeting>_<kind>_punkt-<number>' (it never replaces the whole one)."""
    base = f"{meeting_id(council, day, authority)}_{kind}"
    return f"{base}_punkt-{slugify(extract_of)}" if extract_of else base


def item_id(doc_id: str, number: str) -> str:
    return f"{doc_id}_{number}"


def page_item_id(doc_id: str, page: int) -> str:
    """The id of one page of an unstructured document: '<document>_side-3'."""
    return f"{doc_id}_side-{page}"


def is_valid_id(value: str) -> bool:
    """True when `value` has the shape of an id (used to reject hostile input early)."""
    return bool(_ID.match(value or ""))


def council_slug(name: str) -> str:
    """A body filter as users type it: 'KKR Sjælland', 'kkr-sjaelland' or just 'Sjælland'
    (a KKR region's name alone means its KKR); any other body by its name or slug."""
    slug = slugify(name)
    return f"kkr-{slug}" if slug in KKR_REGIONS else slug
