"""Rejoining words hyphenated at line ends, keeping real hyphens.

A line ending in "med-" followed by a line starting with "lemmerne" is a typesetter's
break and becomes "medlemmerne". But many hyphens are real:

* suspended compounds: "social- og sundhedsområdet" (next word a conjunction or ",")
* numeric ranges: "2027-" + "2028" -> "2027-2028"
* abbreviations and proper names: "SOSU-" + "området", "Høje-" + "Taastrup"
* URLs and other tokens with inner hyphens

The decision uses word shapes first and then the document's own vocabulary: if the
joined word occurs elsewhere unhyphenated, join; if the hyphenated form occurs elsewhere
mid-line, keep the hyphen.
"""
from __future__ import annotations

import re
from collections import Counter
from enum import Enum
from typing import Iterable

# Words that continue a suspended compound ("social- og sundhedsområdet").
CONJUNCTIONS = frozenset({"og", "eller", "samt", "men", "end", "til", "som", "and", "or", "&"})

_STRIP = "\"'“”‘’„«»()[]{}.,;:!?…"
_WORD_RE = re.compile(r"[^\W_](?:[\w\-‑]*[^\W_])?", re.UNICODE)
_HYPHENS = "-\u00ad\u2010"  # hyphen-minus, soft hyphen, hyphen


class Join(Enum):
    """How two pieces of a word broken at a line end are put together."""

    JOIN = "join"  # drop the hyphen: "med-" + "lemmerne" -> "medlemmerne"
    KEEP = "keep"  # keep the hyphen, no space: "2027-" + "2028" -> "2027-2028"
    SPACE = "space"  # keep the hyphen and a space: "social-" + "og" -> "social- og"


class Vocabulary:
    """Word counts of a document, used to decide hyphenation by the document itself."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.counts: Counter[str] = Counter()
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        """Count the words of one printed line (its last word is left out: it may be broken)."""
        tokens = text.split()
        if tokens and tokens[-1][-1:] in _HYPHENS:
            tokens = tokens[:-1]
        for token in tokens:
            word = token.strip(_STRIP).lower()
            if word:
                self.counts[word] += 1

    def __getitem__(self, word: str) -> int:
        return self.counts[word.lower()]


def ends_with_break_hyphen(text: str) -> bool:
    """True when a line ends in a word with a trailing hyphen ("med-"), not a lone dash."""
    token = text.rsplit(None, 1)[-1] if text.strip() else ""
    return len(token) > 1 and token[-1] in _HYPHENS and token[-2].isalnum()


def decide(head: str, tail: str, vocab: Vocabulary | None = None) -> Join:
    """Decide how the line-end word ``head`` (with its hyphen) joins the next word ``tail``."""
    stem = head[:-1]
    core_stem = stem.strip(_STRIP)
    tail_word = tail.strip(_STRIP)
    if not tail_word or tail[:1] in ",;" or tail_word.lower() in CONJUNCTIONS:
        return Join.SPACE
    if "://" in stem or "www." in stem or "/" in core_stem or "@" in stem:
        return Join.KEEP
    last_part = re.split(r"[-‑]", core_stem)[-1] if core_stem else ""
    if last_part[-1:].isdigit() or tail_word[:1].isdigit():
        return Join.KEEP
    if len(last_part) >= 2 and last_part.isupper():
        return Join.KEEP
    if tail_word[:1].isupper():
        return Join.KEEP
    if vocab is not None:
        verdict = _by_vocabulary(core_stem, tail_word, vocab)
        if verdict is not None:
            return verdict
    return Join.JOIN


def _by_vocabulary(stem: str, tail: str, vocab: Vocabulary) -> Join | None:
    joined = vocab[stem + tail]
    hyphenated = vocab[f"{stem}-{tail}"]
    if joined == hyphenated == 0:
        return None
    return Join.JOIN if joined >= hyphenated else Join.KEEP


def join_lines(lines: list[str], vocab: Vocabulary | None = None) -> str:
    """Join printed lines into one whitespace-normalised, de-hyphenated text."""
    out = ""
    for line in lines:
        text = " ".join(line.split())
        if not text:
            continue
        if not out:
            out = text
            continue
        if ends_with_break_hyphen(out):
            head = out.rsplit(None, 1)[-1]
            tail = text.split(None, 1)[0]
            verdict = decide(head, tail, vocab)
            if verdict is Join.JOIN:
                out = out[:-1] + text
            elif verdict is Join.KEEP:
                out = out + text
            else:
                out = out + " " + text
        else:
            out = out + " " + text
    return out
