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
from dataclasses import dataclass

from archive.storage.model import Item, Paragraph
from archive.text.pages import PageLocator
from archive.text.sentences import sentence_spans

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
