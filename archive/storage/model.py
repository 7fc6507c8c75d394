"""Domain objects shared by the indexer (which produces them) and the read side.

These are plain dataclasses: no I/O, no database ids unless the object came out of
the archive. Pages are always 1-based physical PDF pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date

BLOCK_HEADINGS = ("Baggrund", "Indstilling", "Sagsfremstilling", "Beslutning", "Bilag")
PAGE_HEADING = "Sidetekst"  # the one block of a page of an unstructured document
KINDS = ("dagsorden", "referat")
# Why a meeting document was archived unstructured (stored in documents.unstructured_reason).
NO_ITEMS_FOUND = "no agenda items found"


@dataclass(frozen=True)
class LineBox:
    """One printed line of a paragraph: where it stands on which page, and its raw text."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass
class Paragraph:
    text: str  # de-hyphenated, whitespace-normalised text
    raw: str  # the text as printed, line breaks and line-end hyphens kept
    page_first: int
    page_last: int
    attachment: bool = False  # the paragraph carries the "./." attachment marker
    subheading: bool = False  # a short heading inside a block ("SKF Østdanmark")
    lines: list[LineBox] = field(default_factory=list)


@dataclass
class Block:
    heading: str  # canonical heading ("Beslutning" for every decision heading), else as printed
    paragraphs: list[Paragraph]
    page_first: int
    page_last: int
    role: str = "other"  # decision | recommendation | presentation | background | attachments | other
    printed: str = ""  # the heading line as printed ("" when the block had no printed heading)


@dataclass
class Decision:
    """One decision printed in an item; an item may carry several, dated, from its treatments."""

    heading: str  # the heading line as printed ("Beslutning i Udvalget ... den 20-06-2013")
    text: str
    date: Date | None = None  # the date the heading prints, if any
    this_meeting: bool = False  # made at the meeting of this document
    page: int = 0


@dataclass
class Item:
    number: str  # "3.2"
    group: str  # "Regionalpolitiske sager" (title of top-level group "3.")
    title: str
    case_number: str  # "SAG-2026-00541" ("" when the item has none)
    case_initials: str  # "mama/jebj"
    blocks: list[Block]
    page_first: int
    page_last: int
    id: str | None = None  # stable id "<council-slug>_<date>_<kind>_<number>", set by the archive
    document_id: str | None = None
    document_number: str = ""  # "Dok.nr.: 2012-202935"
    earlier_treatments: list[str] = field(default_factory=list)  # "Tidligere behandlet i ..."
    decisions: list[Decision] = field(default_factory=list)

    @property
    def decision(self) -> Decision | None:
        """The decision made at this document's meeting, if the item records one."""
        return next((d for d in self.decisions if d.this_meeting), None)

    @property
    def group_number(self) -> str:
        return self.number.split(".")[0]

    def block(self, heading: str) -> Block | None:
        return next((b for b in self.blocks if b.heading == heading), None)


@dataclass
class Document:
    """One published PDF: an agenda (dagsorden) or minutes (referat) of a meeting."""

    council: str  # "KKR Hovedstaden"
    kind: str  # "dagsorden" | "referat"
    date: Date
    time: str  # "kl. 10.00 - 12.00"
    place: str
    attendees: list[str]
    absent: list[str]
    items: list[Item]
    page_count: int
    file_name: str = ""  # the name the file was ingested under
    sha256: str = ""
    id: str | None = None  # stable id "<council-slug>_<date>_<kind>", set by the archive
    meeting_id: str | None = None
    authority: str = ""  # "KL" for a KKR, else the municipality ("Ballerup Kommune")
    structured: bool = True  # False: a meeting document whose items could not be found
    unstructured_reason: str = ""
    page_texts: list[str] = field(default_factory=list)  # only for unstructured documents


@dataclass
class Meeting:
    id: str  # "<body-slug>_<date>"
    council: str  # the body that met: "KKR Hovedstaden", "Sundheds- og Forebyggelsesudvalget"
    date: Date
    time: str
    place: str
    documents: list[Document] = field(default_factory=list)
    authority: str = ""  # "KL" for a KKR, else the municipality ("Ballerup Kommune")


@dataclass
class Passage:
    """A unit of text embedded for semantic search, with its provenance."""

    item_id: str
    block: str
    page: int
    text: str  # the text embedded (prefixed with its item title)
    paragraph_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class ItemRef:
    """An item with the context needed to list, cite and link it, without its text."""

    item_id: str
    document_id: str
    meeting_id: str
    council: str
    date: Date
    kind: str
    number: str
    group: str
    title: str
    case_number: str
    page_first: int
    page_last: int
    authority: str = ""  # "KL" for a KKR, else the municipality
    structured: bool = True  # False: a page of a document whose items could not be found
