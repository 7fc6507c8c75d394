"""Case numbers as people type them.

"SAG-2026-00541", "sag 2026-00541", "2026-00541" and "2026 00541" all name the same case.
`case_number_in(query, known)` finds the archived case number a query names, comparing
letters and digits only, with the word "sag" in front optional.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_NOT_ALNUM = re.compile(r"[^0-9a-zæøå]+")
_PREFIX = "sag"
_MIN_DIGITS = 4  # fewer digits than this is a number, not a case number
_MAX_LENGTH = 40  # letters and digits


def case_key(text: str) -> str:
    """The letters and digits of a case number, lower-cased, without a leading "sag"."""
    key = _NOT_ALNUM.sub("", text.lower())
    return key[len(_PREFIX):] if key.startswith(_PREFIX) else key


def could_be_case_number(query: str) -> bool:
    """A cheap test before looking the query up among the archive's case numbers: digits
    enough, and no more than a case number's length."""
    key = case_key(query or "")
    return len(key) <= _MAX_LENGTH and sum(ch.isdigit() for ch in key) >= _MIN_DIGITS


def case_number_in(query: str, known: Iterable[str]) -> str | None:
    """The archived case number (from `known`) that the whole of `query` spells, or None."""
    if not could_be_case_number(query):
        return None
    key = case_key(query)
    for number in known:
        if number and case_key(number) == key:
            return number
    return None
