"""Cut an agenda item into passages for semantic search, keeping provenance.

A passage is normally one paragraph of one block. Within a block:

* a subheading paragraph ("SKF Østdanmark"), or a paragraph introducing a list
  (ending in ":"), is joined to the paragraph that follows it;
* very short paragraphs are merged with their neighbours (a short paragraph with
  the following one, a short last paragraph with the preceding one);
* long paragraphs are split at sentence boundaries (Danish abbreviations such as
  "bl.a.", "jf.", "mio. kr." and dates such as "7. april" do not end a sentence)
  into pieces of about equal size.

Every passage text is "<item title>: <text>" and at most ``max_chars`` long, which
keeps it well within e5's 512 tokens (Danish runs at roughly 4 characters per
token). Each passage knows its block heading, the flat index of the paragraph its
text starts in, and the page that text starts on (from the paragraph's printed
lines when it has them, else its first page).
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from archive.storage.model import Item, Paragraph
from archive.text.danish import MONTH_ABBREVIATIONS, MONTHS
from archive.text.pages import PageLocator

MAX_CHARS = 1200  # passage text including the "<title>: " prefix
MIN_CHARS = 120  # paragraphs shorter than this are merged with a neighbour

ATTACHMENT_MARKER = "./."


@dataclass(frozen=True)
class PassageDraft:
    block: str  # block heading ("Sagsfremstilling")
    page: int  # 1-based PDF page on which the passage's text starts
    text: str  # "<title>: <text>", the text to embed
    paragraph_index: int  # index in the item's paragraphs, flattened over its blocks
    hash: str  # text_hash(text), key of the embedding cache


def text_hash(text: str) -> str:
    """sha256 (hex) of the UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


# --- passages -----------------------------------------------------------------


@dataclass
class _Atom:
    """A sentence (or part of an overlong one) of one paragraph."""

    paragraph_index: int
    page: int
    text: str
    heading: bool = False  # part of a subheading paragraph


def _join(atoms: list[_Atom]) -> str:
    out = ""
    for i, atom in enumerate(atoms):
        if i:
            same = atom.paragraph_index == atoms[i - 1].paragraph_index
            out += " " if same else "\n"
        out += atom.text
    return out


def _joined_len(atoms: list[_Atom]) -> int:
    return sum(len(a.text) for a in atoms) + max(len(atoms) - 1, 0)


def _clean(text: str) -> tuple[str, int]:
    """Paragraph text without a leading attachment marker; and where it starts."""
    start = len(text) - len(text.lstrip())
    if text.startswith(ATTACHMENT_MARKER, start):
        start += len(ATTACHMENT_MARKER)
        start += len(text[start:]) - len(text[start:].lstrip())
    return text[start:].rstrip(), start


def _hard_split(text: str, base: int, budget: int) -> list[tuple[int, str]]:
    """Split an overlong sentence at spaces into parts of at most ``budget`` chars."""
    parts = []
    pos = 0
    while len(text) - pos > budget:
        cut = text.rfind(" ", pos + 1, pos + budget + 1)
        if cut <= pos:
            cut = pos + budget
        parts.append((base + pos, text[pos:cut].strip()))
        pos = cut
        while pos < len(text) and text[pos] == " ":
            pos += 1
    if pos < len(text):
        parts.append((base + pos, text[pos:].strip()))
    return [(o, t) for o, t in parts if t]


def _paragraph_atoms(index: int, paragraph: Paragraph, budget: int) -> list[_Atom]:
    """The sentences of a paragraph, each with the page it starts on."""
    text, start = _clean(paragraph.text)
    if not text:
        return []
    locator = PageLocator(paragraph)
    atoms = []
    for a, b in sentence_spans(text):
        sentence = text[a:b].strip()
        if not sentence:
            continue
        a += len(text[a:b]) - len(text[a:b].lstrip())
        for offset, part in _hard_split(sentence, a, budget):
            page = locator.page_at(start + offset)
            atoms.append(_Atom(index, page, part, heading=paragraph.subheading))
    return atoms


def _pack(atoms: list[_Atom], budget: int) -> list[list[_Atom]]:
    """Split a unit (one paragraph, maybe with its subheading) into chunks of
    about equal size, each at most ``budget`` chars, at sentence boundaries."""
    total = _joined_len(atoms)
    if total <= budget:
        return [atoms]
    target = total / math.ceil(total / budget)
    chunks: list[list[_Atom]] = [[]]
    for atom in atoms:
        current = chunks[-1]
        if current and (
            _joined_len(current + [atom]) > budget
            or _joined_len(current) + len(atom.text) / 2 > target
        ):
            chunks.append([atom])
        else:
            current.append(atom)
    return chunks


def split_passages(
    item: Item, max_chars: int = MAX_CHARS, min_chars: int = MIN_CHARS
) -> list[PassageDraft]:
    """The passages of ``item``, in document order (see the module docstring)."""
    title = " ".join(item.title.split())
    limit = max(max_chars // 4, 20)
    if len(title) > limit:
        title = title[: limit - 1].rstrip() + "…"
    prefix = f"{title}: " if title else ""
    budget = max_chars - len(prefix)
    if budget < 40:
        raise ValueError(f"max_chars={max_chars} leaves no room for the text")

    drafts: list[PassageDraft] = []
    index = 0
    for block in item.blocks:
        # 1. Units: a paragraph's sentences, glued to a preceding subheading.
        units: list[list[_Atom]] = []
        glue = False
        for paragraph in block.paragraphs:
            atoms = _paragraph_atoms(index, paragraph, budget)
            index += 1
            if not atoms:
                continue
            if glue and units:
                units[-1].extend(atoms)
            else:
                units.append(atoms)
            text = paragraph.text.rstrip()
            glue = paragraph.subheading or text.endswith(":")

        # 2. Long units split into chunks.
        chunks = [chunk for unit in units for chunk in _pack(unit, budget)]

        # 3. Short chunks merged with a neighbour.
        merged: list[list[_Atom]] = []
        for i, chunk in enumerate(chunks):
            if merged:
                current = merged[-1]
                last = i == len(chunks) - 1
                short = _joined_len(current) < min_chars or (
                    last and _joined_len(chunk) < min_chars
                )
                # A subheading starts a new passage (unless nothing follows it).
                new_section = chunk[0].heading and not all(a.heading for a in chunk)
                if short and not new_section and _joined_len(current + chunk) <= budget:
                    current.extend(chunk)
                    continue
            merged.append(list(chunk))

        for chunk in merged:
            text = prefix + _join(chunk)
            drafts.append(
                PassageDraft(
                    block=block.heading,
                    page=chunk[0].page,
                    text=text,
                    paragraph_index=chunk[0].paragraph_index,
                    hash=text_hash(text),
                )
            )
    return drafts
