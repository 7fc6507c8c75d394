"""Sentences of Danish meeting text.

Danish abbreviations such as "bl.a.", "jf.", "mio. kr." and dates such as "7. april" do
not end a sentence. (Passages for embedding are cut by `indexer.chunk`.)
"""
from __future__ import annotations

import re

from archive.text.danish import MONTH_ABBREVIATIONS, MONTHS


# --- sentences ----------------------------------------------------------------

# Abbreviations after which a period never ends a sentence (lower case, without
# the final period). Multi-part ones ("bl.a") are matched as the whole token.
_NEVER_ENDS = {
    "bl.a", "bla", "f.eks", "feks", "fx", "jf", "jfr", "mio", "mia", "ca", "nr",
    "nrs", "stk", "pkt", "kl", "ift", "i.f.t", "dvs", "d.v.s", "hhv", "vedr", "inkl",
    "ekskl", "evt", "iht", "i.h.t", "mht", "m.h.t", "pga", "p.g.a", "ang", "vha",
    "v.h.a", "f.s.v", "fsva", "bl", "ff", "pp", "kap", "afsn", "tlf", "tel", "hr",
    "fr", "dr", "prof", "att", "ref", "red", "sml", "jan", "feb", "febr", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec", "gl", "nuv",
    "tidl", "maks", "max", "mdr", "md", "årh", "nb", "n.b", "obs", "vol", "udg",
    "adm", "afd", "dir", "sekr", "vejl", "bek", "lbk", "cirk", "o.lign", "o.a",
    "a.m.b.a", "t.o.m", "f.o.m", "pr", "ml", "tilsv", "henv", "bilagsnr",
}
# Abbreviations that can end a sentence: a boundary only before an upper-case letter
# ("... 5 mio. kr. Det betyder"), never before lower case or a digit.
_MAY_END = {
    "kr", "pct", "mv", "m.v", "mm", "m.m", "osv", "o.s.v", "etc", "m.fl", "mfl",
    "o.l", "e.l",
}
_MONTHS = MONTHS + MONTH_ABBREVIATIONS

# A candidate boundary: ".", "!" or "?" (plus closing quotes/brackets), whitespace,
# then the start of the next sentence.
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+(?=\S)")
_TOKEN_BEFORE = re.compile(r"(\S+)$")


def _is_boundary(text: str, match: re.Match, start: int) -> bool:
    """Whether the candidate ``match`` ends the sentence that began at ``start``."""
    punct_end = match.start()
    if re.fullmatch(r"\s*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]?\s*", text[start:match.end()]):
        return False  # a list number ("1. Kommunerne skal ...") is no sentence
    # The token the punctuation ends ("bl.a.", "2026.", "kr."), without brackets/quotes.
    token = _TOKEN_BEFORE.search(text, 0, match.start() + len(match.group(0).rstrip()))
    word = token.group(1) if token else ""
    word = re.sub(r"[\"'”’»)\]]+$", "", word)
    word = word.lstrip("(\"'“‘«[")
    nxt = text[match.end():]
    first = nxt[0]
    next_word = re.match(r"[\w-]+", nxt)
    next_word = next_word.group(0).lower() if next_word else ""

    if text[punct_end] in "!?…":
        return first.isupper() or first.isdigit() or first in "\"'“‘«(-–•"
    # A period.
    stem = word.rstrip(".!?…").lower()  # "bl.a." -> "bl.a"
    if not stem:
        return first.isupper()
    if stem in _NEVER_ENDS:
        return False
    if re.fullmatch(r"\d+", stem):
        # "7. april", "den 1. januar": an ordinal before a month is no boundary;
        # "... i 2026. Det" is.
        if next_word in _MONTHS or next_word.rstrip(".") in _MONTHS:
            return False
        return first.isupper()
    if re.fullmatch(r"[^\W\d_]", stem, flags=re.UNICODE):
        return False  # an initial: "Steen C. Christiansen", "A. P. Møller"
    if re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", stem):
        return stem in _MAY_END and first.isupper()  # "f.eks", "m.m", ...
    if stem in _MAY_END:
        return first.isupper()
    if first.isupper() or first in "\"'“‘«(–•":
        return True
    return first.isdigit() and not re.search(r"\d", stem)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; together they cover it."""
    spans = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if match.end() >= len(text):
            break
        if _is_boundary(text, match, start):
            spans.append((start, match.end()))
            start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (whitespace-stripped)."""
    return [text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()]
