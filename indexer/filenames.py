"""File names as they are shown and stored: any bytes in, one safe printable line out.

A name copied from an old share may hold bytes that are not UTF-8 (Python gives them to us as
surrogate escapes, which SQLite and terminals refuse), and a name may hold a newline that would
forge a second line in a report. ``display_name`` escapes both, reversibly enough to recognise.
"""
from __future__ import annotations

import os


def display_name(name: str | os.PathLike) -> str:
    """``name`` with undecodable bytes as ``\\xff`` and control characters as ``\\n``, ``\\x1b`` ..."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch.isprintable() or ch == " ":
        return ch
    return ch.encode("unicode_escape").decode("ascii")
