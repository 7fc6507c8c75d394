"""Danish dates and ready-to-paste references to archived items."""
from __future__ import annotations

from datetime import date

from archive.storage.ids import KKR_AUTHORITY
from archive.storage.model import ItemRef
from archive.text.danish import month_name
KIND_DA = {"dagsorden": "dagsorden", "referat": "referat"}


def format_date_da(day: date) -> str:
    """date(2026, 4, 7) -> '7. april 2026'."""
    return f"{day.day}. {month_name(day.month)} {day.year}"


# Danish typography: »guillemets« around a quoted title, an en dash in a page range.
QUOTE_OPEN, QUOTE_CLOSE = "»", "«"
RANGE_DASH = "\u2013"


def page_span(first: int, last: int) -> str:
    """'s. 7' or 's. 7–10'."""
    return f"s. {first}" if first == last else f"s. {first}{RANGE_DASH}{last}"


def quoted(text: str) -> str:
    """»text«"""
    return f"{QUOTE_OPEN}{text}{QUOTE_CLOSE}"


def body_label(council: str, authority: str) -> str:
    """The meeting body as named in citations and answers: "KKR Hovedstaden",
    "Sundheds- og Forebyggelsesudvalget, Ballerup Kommune"."""
    return council if authority in ("", KKR_AUTHORITY) else f"{council}, {authority}"


def cite(ref: ItemRef, *, pages: tuple[int, int] | None = None) -> str:
    """KKR Hovedstaden, referat af mødet 21. september 2026, pkt. 3.1 »Titel« (SAG-2026-00541), s. 14–16"""
    first, last = pages or (ref.page_first, ref.page_last)
    case = f" ({ref.case_number})" if ref.case_number else ""
    body = body_label(ref.council, ref.authority)
    head = f"{body}, {KIND_DA.get(ref.kind, ref.kind)} af mødet {format_date_da(ref.date)}, "
    if not ref.structured:  # a page of a document whose items could not be found
        return head + page_span(first, last)
    return head + f"pkt. {ref.number} {quoted(ref.title)}{case}, {page_span(first, last)}"


def cite_quote(quote: str, citation: str) -> str:
    """»Quoted sentence.« (citation), or the citation alone when nothing is quoted."""
    return f"{quoted(quote)} ({citation})" if quote else citation
