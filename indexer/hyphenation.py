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
_PART_SPLIT = re.compile(r"[/\-‑]")
_URL_CONTINUATION = tuple("%/?&=#_.")


class Join(Enum):
    """How two pieces of a word broken at a line end are put together."""

    JOIN = "join"  # drop the hyphen: "med-" + "lemmerne" -> "medlemmerne"
    KEEP = "keep"  # keep the hyphen, no space: "2027-" + "2028" -> "2027-2028"
    SPACE = "space"  # keep the hyphen and a space: "social-" + "og" -> "social- og"


class Vocabulary:
    """Word counts of a document, used to decide hyphenation by the document itself."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.counts: Counter[str] = Counter()
        self.prefixes: Counter[str] = Counter()
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        """Count the words of one printed line (its last word is left out: it may be broken).

        Parts of compound tokens are counted too ("kkr/om-kkr-sjaelland" also counts
        "om-kkr-sjaelland" and "sjaelland"), and hyphen prefixes ("ikke" of
        "ikke-offentlige") are remembered as prefixes the document writes hyphenated.
        """
        tokens = text.split()
        if tokens and tokens[-1][-1:] in _HYPHENS:
            tokens = tokens[:-1]
        for token in tokens:
            word = token.strip(_STRIP).lower()
            if not word:
                continue
            self.counts[word] += 1
            for part in _PART_SPLIT.split(word)[1:] if _PART_SPLIT.search(word) else ():
                if part:
                    self.counts[part] += 1
            head, sep, rest = word.partition("-")
            if sep and head and rest and "/" not in word:
                self.prefixes[head] += 1

    def __getitem__(self, word: str) -> int:
        return self.counts[word.lower()]


def ends_with_break_hyphen(text: str) -> bool:
    """True when a line ends in a word with a trailing hyphen ("med-"), not a lone dash."""
    token = text.rsplit(None, 1)[-1] if text.strip() else ""
    return len(token) > 1 and token[-1] in _HYPHENS and token[-2].isalnum()


def decide(head: str, tail: str, vocab: Vocabulary | None = None, before: str = "") -> Join:
    """Decide how the line-end word ``head`` (with its hyphen) joins the next word ``tail``.

    ``before`` is the word printed before ``head`` on its line, if any.
    """
    stem = head[:-1]
    core_stem = stem.strip(_STRIP)
    tail_word = tail.strip(_STRIP)
    if not tail_word or tail[:1] in ",;":
        return Join.SPACE
    if vocab is not None and _known_join(core_stem, tail_word, vocab):
        return Join.JOIN  # the document itself spells the joined word: "sam-" + "men"
    if tail_word.lower() in CONJUNCTIONS:
        return Join.SPACE
    if "://" in stem and "/" not in stem.split("://", 1)[1]:
        return Join.JOIN  # a host name broken by the typesetter: "https://www.grea-" + "ter"
    if "://" in stem or "www." in stem or "/" in core_stem or "@" in stem:
        return Join.KEEP
    last_part = re.split(r"[-‑]", core_stem)[-1] if core_stem else ""
    if last_part[-1:].isdigit() or tail_word[:1].isdigit():
        return Join.KEEP
    if len(last_part) == 1 or (len(last_part) >= 2 and last_part.isupper()):
        # "a-" + "kasserne", "e-" + "handel", "SOSU-" + "området": never a syllable break
        return Join.KEEP
    if tail_word[:1].isupper():
        return Join.KEEP
    if _ends_proper_name(core_stem, before):
        return Join.KEEP  # "United Minds-" + "kampagnen": a compound on a multi-word name
    if vocab is not None:
        verdict = _by_vocabulary(core_stem, tail_word, vocab)
        if verdict is not None:
            return verdict
    return Join.JOIN


def _ends_proper_name(stem: str, before: str) -> bool:
    """The stem is a capitalised word closing a run of capitalised words ("United Minds")."""
    word = before.strip(_STRIP)
    return (
        4 <= len(stem) <= 10
        and before == word
        and word.istitle()
        and stem[:1].isupper()
        and stem.isalpha()
        and word[:1].isupper()
        and not before.endswith((".", ":", "!", "?"))
    )


def _known_join(stem: str, tail: str, vocab: Vocabulary) -> bool:
    """The joined word occurs in the document, the hyphenated one does not.

    For URL-like tokens only the last path/hyphen segment is compared
    ("https://www.kl.dk/kkr/kkr-sja-" + "elland/om" -> "sjaelland").
    """
    if vocab[stem + tail] and not vocab[f"{stem}-{tail}"]:
        return True
    head = _PART_SPLIT.split(stem)[-1]
    first = _PART_SPLIT.split(tail)[0]
    return head != stem and bool(head and first) and vocab[head + first] > 0 and not vocab[
        f"{head}-{first}"
    ]


def _by_vocabulary(stem: str, tail: str, vocab: Vocabulary) -> Join | None:
    joined = vocab[stem + tail]
    hyphenated = vocab[f"{stem}-{tail}"]
    if joined == hyphenated == 0:
        # a prefix the document writes hyphenated elsewhere: "ikke-" + "vestlige"
        return Join.KEEP if vocab.prefixes[stem.lower()] else None
    return Join.JOIN if joined >= hyphenated else Join.KEEP


def is_url_like(token: str) -> bool:
    """A URL or a piece of one wrapped over lines ("https://...", "www...", "...%20og")."""
    return "://" in token or token.startswith("www.") or "%" in token


def continues_url(prev_text: str, text: str) -> bool:
    """``text`` continues a URL that the line ``prev_text`` could not hold."""
    last = prev_text.rsplit(None, 1)[-1] if prev_text.strip() else ""
    return is_url_like(last) and (last.endswith("/") or text.startswith(_URL_CONTINUATION))


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
            words = out.rsplit(None, 2)
            head, before = words[-1], (words[-2] if len(words) > 1 else "")
            tail = text.split(None, 1)[0]
            verdict = decide(head, tail, vocab, before)
            if verdict is Join.JOIN:
                out = out[:-1] + text
            elif verdict is Join.KEEP:
                out = out + text
            else:
                out = out + " " + text
        elif out.endswith("/") or continues_url(out, text):
            out = out + text  # "segmentet/" + "turisme", a URL wrapped before "%20..."
        else:
            out = out + " " + text
    return out
