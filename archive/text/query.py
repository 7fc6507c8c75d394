"""A tolerant parser for the search box: user text -> engine-neutral query tree.

The language, for people rather than programmers:

    herberg kapacitet        every word must match (AND)
    "ny model"               a phrase (also “…”, „…“ and «…»); an unclosed quote runs to the end
    herberg OR krisecenter   either (also ELLER and |); binds tighter than AND
    -flygtninge              exclude (a minus or ! in front of a word or a phrase)
    herberg*                 prefix (at least 3 letters before the *)

Anything else is read as words: parentheses, stray operators and unknown symbols are
ignored, never an error. Input longer than `MAX_QUERY_CHARS` is cut, with a message. The
tree holds raw words; the search engine analyses them (stemming, stop words, compounds).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Union

from archive.text.analysis import QUESTION_WORDS, is_query_stop_word

MAX_QUERY_CHARS = 500
MIN_PREFIX_CHARS = 3
# The cost bound of one query: keyword clauses, the text embedded for semantic search and the
# topic words of a question all grow with the words, and people's questions have at most 15-20
# (the longest of the 393 in tests/relevance has 17); words past this add cost, not meaning.
MAX_QUERY_WORDS = 32

MESSAGE_TOO_LONG = (
    f"Søgningen er for lang; kun de første {MAX_QUERY_CHARS} tegn er brugt."
)
MESSAGE_ONLY_NEGATIVE = (
    "Søgningen udelukker kun ord (med minus); skriv mindst ét ord, der skal findes."
)
MESSAGE_TOO_MANY = f"Søgningen har mange ord; kun de første {MAX_QUERY_WORDS} er brugt."


@dataclass(frozen=True)
class QueryWord:
    """A word the user typed, as the query tree holds it (analysed later by the engine)."""

    text: str
    prefix: bool = False  # "herberg*"


@dataclass(frozen=True)
class Phrase:
    text: str  # the words between the quotes, unanalysed


@dataclass(frozen=True)
class AnyOf:
    options: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Node", ...]


Node = Union[QueryWord, Phrase, AnyOf, Not, AllOf]


@dataclass
class ParsedQuery:
    text: str  # the normalised query text that was parsed
    root: AllOf | None  # None when nothing searchable is left
    messages: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Node]:
        return [p for p in self.root.parts if not isinstance(p, Not)] if self.root else []


_OPEN_QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“", "«": "»", "»": "«", "‟": "”"}
_OR_WORDS = {"OR", "ELLER", "|", "||"}
_NOT_PREFIXES = "-!−–"  # ascii minus, bang, unicode minus, en dash
_WORD_CHARS = re.compile(r"[^\W_]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> tuple[str, list[str]]:
    """NFC, control characters (NUL, ...) to spaces, whitespace collapsed, length capped at
    MAX_QUERY_CHARS characters and MAX_QUERY_WORDS words (with a message saying so). Every
    mode and question answering read the query through this, so one bound holds for all."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = _SPACE.sub(" ", text).strip()
    messages = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rstrip()
        messages.append(MESSAGE_TOO_LONG)
    words = text.split(" ")
    if len(words) > MAX_QUERY_WORDS:
        text = " ".join(words[:MAX_QUERY_WORDS])
        messages.append(MESSAGE_TOO_MANY)
    return text, messages


@dataclass(frozen=True)
class _Token:
    kind: str  # "word" | "phrase" | "or"
    text: str
    negated: bool = False


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace() or c in "()[]{}":
            i += 1
            continue
        negated = False
        if c in _NOT_PREFIXES and i + 1 < n and not text[i + 1].isspace():
            negated, i = True, i + 1
            c = text[i]
        if c in _OPEN_QUOTES:
            close = _OPEN_QUOTES[c]
            end = min((j for j in (text.find(close, i + 1), text.find('"', i + 1)) if j != -1), default=n)
            tokens.append(_Token("phrase", text[i + 1:end], negated))
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '()[]{}"“”„«»':
            j += 1
        chunk = text[i:j]
        i = j
        if chunk in _OR_WORDS and not negated:
            tokens.append(_Token("or", chunk))
        elif chunk:
            tokens.append(_Token("word", chunk, negated))
    return tokens


def _node(token: _Token) -> Node | None:
    if token.kind == "phrase":
        node: Node | None = Phrase(token.text.strip()) if _WORD_CHARS.search(token.text) else None
    else:
        text = token.text
        prefix = text.endswith("*")
        core = text.rstrip("*").strip("*")
        if not _WORD_CHARS.search(core):
            return None
        letters = len(_WORD_CHARS.findall(core))
        node = QueryWord(core, prefix=prefix and letters >= MIN_PREFIX_CHARS)
    if node is not None and token.negated:
        return Not(node)
    return node


def parse(text: str) -> ParsedQuery:
    """Parse user input; never raises. `root` is None when nothing searchable is left."""
    normalised, messages = normalise(text)
    units: list[Node] = []
    pending_or = False
    for token in _lex(normalised):
        if token.kind == "or":
            pending_or = bool(units)
            continue
        node = _node(token)
        if node is None:
            continue
        if pending_or and not isinstance(node, Not) and not isinstance(units[-1], Not):
            previous = units.pop()
            options = previous.options if isinstance(previous, AnyOf) else (previous,)
            node = AnyOf(options + (node,))
        pending_or = False
        units.append(node)
    if units and all(isinstance(u, Not) for u in units):
        messages.append(MESSAGE_ONLY_NEGATIVE)
        return ParsedQuery(normalised, None, messages)
    return ParsedQuery(normalised, AllOf(tuple(units)) if units else None, messages)


def words_of(node: Node) -> list[str]:
    """The raw positive words of a tree (for spelling suggestions)."""
    if isinstance(node, QueryWord):
        return [node.text]
    if isinstance(node, Phrase):
        return node.text.split()
    if isinstance(node, AnyOf):
        return [w for o in node.options for w in words_of(o)]
    if isinstance(node, AllOf):
        return [w for p in node.parts for w in words_of(p)]
    return []


def significant(root: AllOf) -> AllOf | None:
    """`root` without the words that never decide a match (stop words and question words,
    `archive.text.analysis.QUERY_STOP_WORDS`); None when no positive part is left."""
    parts = tuple(p for p in root.parts if not (isinstance(p, QueryWord) and not p.prefix and is_query_stop_word(p.text)))
    if not any(not isinstance(p, Not) for p in parts):
        return None
    return AllOf(parts)


_CODE = re.compile(r"\d[\w]*[-./][\w]|[A-Za-zÆØÅæøå]+-\d")  # "SAG-2026-00801", "00.01.00-A00", "§ 18-1"


def query_shape(text: str, root: AllOf | None) -> str:
    """"code" for a case number, code or quoted phrase; "question" for a question as people
    type them (a question mark, or a question word among the first two words); else "words"."""
    if root is not None and any(isinstance(p, Phrase) for p in root.parts):
        return "code"
    if _CODE.search(text or ""):
        return "code"
    first = [w.lower() for w in (text or "").split()[:2]]
    if (text or "").rstrip().endswith("?") or any(w in QUESTION_WORDS for w in first):
        return "question"
    return "words"
