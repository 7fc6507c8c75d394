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


def meeting_id(council: str, day: date) -> str:
    return f"{slugify(council)}_{day.isoformat()}"


def document_id(council: str, day: date, kind: str) -> str:
    return f"{meeting_id(council, day)}_{kind}"


def item_id(doc_id: str, number: str) -> str:
    return f"{doc_id}_{number}"


def is_valid_id(value: str) -> bool:
    """True when `value` has the shape of an id (used to reject hostile input early)."""
    return bool(_ID.match(value or ""))


def council_slug(name: str) -> str:
    """A council filter as users type it: 'KKR Sjælland', 'kkr-sjaelland' or just 'Sjælland'."""
    slug = slugify(name)
    return slug if slug.startswith("kkr-") or not slug else f"kkr-{slug}"
