"""Facts of the Danish language and of the KKR councils, one copy each.

Pure data, no I/O: month names (for parsing and for printing dates), the letter folding
that lets ASCII-typed text match Danish letters, the document kinds' definite forms, the
attendance note after a decision, and the names of the five KKR councils.
Stop words live with the analyser (archive/text/analysis.py).
"""
from __future__ import annotations

import re

MONTHS: tuple[str, ...] = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                           "september", "oktober", "november", "december")
MONTH_NUMBER: dict[str, int] = {name: n for n, name in enumerate(MONTHS, start=1)}
# Abbreviations as they are printed ("7. sept. 2026"); a period after them ends no sentence.
MONTH_ABBREVIATIONS: tuple[str, ...] = ("jan", "feb", "febr", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                                        "okt", "nov", "dec")
MONTH_PATTERN = "|".join(MONTHS)  # for regular expressions: (?:januar|...|december)

# The Danish letters as they are written without them ("Sjaelland", "Aarhus").
DANISH_FOLD: dict[str, str] = {"æ": "ae", "ø": "oe", "å": "aa"}
# Search folds a few more letters of names and loanwords the same way.
FOLD: dict[str, str] = {**DANISH_FOLD, "ä": "ae", "ö": "oe", "ü": "u", "é": "e"}

# The two kinds of meeting document, with the definite article ("Åbn dagsordenen som PDF").
KIND_DEFINITE: dict[str, str] = {"dagsorden": "dagsordenen", "referat": "referatet"}

# A note after a decision about who did not take part ("Følgende deltog ikke i behandlingen af
# punktet: ..."): not part of the decision, and no evidence for what was decided or when.
ATTENDANCE_NOTE_RE = re.compile(
    r"^(?:følgende deltog ikke|fraværende|afbud|ikke til stede|inhabil)", re.IGNORECASE
)

# The five regional councils (Kommunekontaktråd) of KL, by region.
REGIONS: tuple[str, ...] = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
COUNCILS: tuple[str, ...] = tuple(f"KKR {region}" for region in REGIONS)


def month_name(month: int) -> str:
    """4 -> 'april'."""
    return MONTHS[month - 1]
