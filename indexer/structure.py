"""Splitting the body lines of a KKR agenda/minutes into groups, items, blocks, paragraphs.

Everything is decided from relative typography, never from absolute sizes or margins:

* body size = the most common font size; headings are bold and/or larger;
* group heading "3. Regionalpolitiske sager": numbered "N.", bold/larger than body;
* item heading "3.2. Orientering om ...": numbered "N.M", bold or larger, N equal to the
  current group (a plain "1. Kommunerne skal ..." inside a text is never an item);
* item label alone ("Punkt 3", "715.") with the title on the next line: one heading;
* case line "SAG-2026-00541 mama/jebj": a smaller line right after the item title, or set
  apart at the right of the heading's first line; a status line ("Åben sag") in the head;
* block headings (Baggrund, Indstilling, ...): bold body-size lines with those names;
* other bold body-size lines inside a block: subheading paragraphs;
* paragraphs: split on vertical gaps, bullet/numbered lines, hanging indents and lines
  that end short of the right margin at a sentence end.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from archive.storage.model import Block, Decision, Item, LineBox, Paragraph
from indexer import genre
from indexer.genre import Heading
from indexer.hyphenation import Vocabulary, continues_url, ends_with_break_hyphen, join_lines
from indexer.layout import Line, Page

_GROUP_RE = re.compile(r"^(\d{1,2})\.?\s+(\S.*)$")
_BULLET_RE = re.compile(r"^[–—\-•▪●◦·*]\s")
_NUMBERED_RE = re.compile(r"^\d{1,2}[.)]\s+[\"“”„(]?[A-ZÆØÅÉ]")
_ATTACHMENT = "./."
_TOC_TITLES = ("indholdsfortegnelse", "indhold", "dagsordenspunkter")
_TERMINAL = (".", ":", "!", "?", ")", "”", '"', "’")
_FALLBACK = Heading("Sagsfremstilling", "presentation", "")


@dataclass(frozen=True)
class Typography:
    """Document-wide measures the classification is relative to."""

    body_size: float
    pitch: float  # usual distance between the tops of consecutive body lines
    right: float  # right edge of the text column
    justified: bool  # full lines reach the right edge (only paragraph ends fall short)

    @property
    def heading_size(self) -> float:
        return self.body_size * 1.05


def measure(lines: list[Line], body_size: float) -> Typography:
    """Line pitch and right text edge of body-size lines."""
    body = [ln for ln in lines if abs(ln.size - body_size) < 0.2]
    steps: Counter[float] = Counter()
    for a, b in zip(body, body[1:]):
        if a.page == b.page and b.top > a.top:
            steps[round(b.top - a.top, 0)] += 1
    pitch = steps.most_common(1)[0][0] if steps else body_size * 1.4
    rights = sorted(ln.x1 for ln in body) or [0.0]
    right = rights[min(len(rights) - 1, int(len(rights) * 0.98))]
    # Lines ending in a break hyphen are surely full lines: in justified text they all
    # reach the right edge, in ragged text they end anywhere.
    full = [ln.x1 for ln in body if ends_with_break_hyphen(ln.text)]
    at_edge = sum(1 for x in full if x >= right - 0.2 * body_size)
    justified = bool(full) and at_edge >= 0.8 * len(full)
    return Typography(body_size=body_size, pitch=pitch, right=right, justified=justified)


# ---------------------------------------------------------------- line classification


def is_toc_page(page: Page, page_count: int) -> bool:
    """A table of contents: titled so, or most lines end in ascending page numbers."""
    if not page.lines:
        return False
    if any(ln.text.strip().lower().rstrip(":") in _TOC_TITLES for ln in page.lines[:3]):
        return True
    numbers = [_trailing_page_number(ln.text, page_count) for ln in page.lines]
    found = [n for n in numbers if n is not None]
    return (
        len(found) >= 3
        and len(found) >= 0.4 * len(page.lines)
        and all(a <= b for a, b in zip(found, found[1:]))
    )


def _trailing_page_number(text: str, page_count: int) -> int | None:
    last = text.rsplit(None, 1)[-1] if text.strip() else ""
    if last.isdigit() and 1 <= int(last) <= page_count and len(text.split()) > 1:
        return int(last)
    return None


def group_match(line: Line, typo: Typography) -> re.Match[str] | None:
    """A group heading: "N. Title", larger than body text and bold or clearly larger."""
    if line.size < typo.heading_size or _two_level(line):
        return None
    if not (line.bold or line.size > typo.body_size * 1.25):
        return None
    return _GROUP_RE.match(line.text)


def _two_level(line: Line) -> bool:
    number = genre.split_item_number(line.text)
    return bool(number and number[1])


def item_match(line: Line, typo: Typography) -> tuple[str, str, str] | None:
    """An item heading ("3.2. Title", "Punkt 3.2 Title", "8. Title", "715. Title"), bold
    or larger than the body text: (major, minor, title); minor is "" for one level. Text
    set apart at the right of the line (a case number) is not part of the heading."""
    line, _ = split_heading_line(line, typo.body_size)
    if line.size < typo.body_size - 0.05 or not (line.bold or line.size >= typo.heading_size):
        return None
    number = genre.split_item_number(line.text)
    if number is None:
        return None
    first = number[2][:1]
    if first.islower():  # "1. kommunerne skal ..." is a numbered sentence
        return None
    return number


def _item_at(lines: list[Line], i: int, typo: Typography) -> tuple[str, str, str] | None:
    """The item heading starting at lines[i]: `item_match`, where a label printed alone
    ("Punkt 3", "715.") counts only when a title follows right below it, in heading type
    (bold or larger than the body) and starting with a capital letter."""
    number = item_match(lines[i], typo)
    if number is None or number[2]:
        return number
    if i + 1 >= len(lines):
        return None
    label, title = lines[i], lines[i + 1]
    below = title.page == label.page and 0 < title.top - label.top <= 2.5 * max(typo.pitch, label.height)
    heading_type = title.bold or title.size >= typo.heading_size
    if below and heading_type and title.text[:1].isupper() and block_heading(title, typo) is None:
        return number
    return None


def _aside(words: list) -> bool:
    text = " ".join(w.text for w in words)
    return genre.case_of(text) is not None or genre.is_status_line(text) or genre.is_empty_case_label(text)


def _bare_label(words: list) -> bool:
    number = genre.split_item_number(" ".join(w.text for w in words))
    return number is not None and not number[2]


def split_heading_line(line: Line, body_size: float) -> tuple[Line, Line | None]:
    """An item heading with text set apart at its right ("3. Title      Sagsnr.: 12/345"):
    the heading and that text, split at the widest gap between words when it is wider than
    two ems; else (line, None). The gap after a label in a column of its own ("3.    Title")
    is no such gap."""
    words = line.words
    gaps = [(b.x0 - a.x1, k) for k, (a, b) in enumerate(zip(words, words[1:]), start=1)
            if not _bare_label(words[:k]) or _aside(words[k:])]  # "3.      Title": a label in a column of its own
    if not gaps:
        return line, None
    width, at = max(gaps)
    if width <= 2 * body_size:
        return line, None
    return Line(page=line.page, words=words[:at]), Line(page=line.page, words=words[at:])


def block_heading(line: Line, typo: Typography) -> Heading | None:
    """The block heading a whole line is: a heading word bold, italic or alone on a
    body-size line, or a decision heading ("Udvalgets beslutning den 04.12.2012")."""
    if line.size > typo.heading_size * 1.15:
        return None
    heading = genre.block_heading_of(line.text)
    if heading is None:
        return None
    if line.bold or line.italic or heading.date is not None:
        return heading
    # plain: a body-size line holding only the heading, written as a heading is
    text = line.text.strip()
    if abs(line.size - typo.body_size) <= 0.2 and text[:1].isupper():
        return heading
    return None


def is_marker_line(line: Line) -> bool:
    """A bullet ("– ", "- ", "• "), a numbered line ("1. Kommunerne") or "./."."""
    text = line.text
    return bool(_BULLET_RE.match(text) or _NUMBERED_RE.match(text)) or text.startswith(
        _ATTACHMENT
    )


# ---------------------------------------------------------------- the item walk


@dataclass
class _BlockDraft:
    heading: Heading
    head: Line | None
    lines: list[Line] = field(default_factory=list)


@dataclass
class _ItemDraft:
    number: str
    group: str
    heading: Line
    title_lines: list[Line]
    case_line: Line | None = None
    case: tuple[str, str] = ("", "")
    document_number: str = ""
    earlier: list[str] = field(default_factory=list)
    head_lines: list[Line] = field(default_factory=list)  # labelled lines of the item head
    blocks: list[_BlockDraft] = field(default_factory=list)
    closed_title: bool = False
    awaiting_title: bool = False  # the label was printed alone; the title is the next line
    in_head: bool = True  # still between title and first block
    generic_seen: set[str] = field(default_factory=set)
    own_seen: dict[str, str] = field(default_factory=dict)  # heading-like lines outside the vocabulary

    def all_lines(self) -> list[Line]:
        lines = [*self.title_lines, *self.head_lines]
        if self.case_line:
            lines.append(self.case_line)
        for block in self.blocks:
            lines.extend([block.head] if block.head else [])
            lines.extend(block.lines)
        return lines


@dataclass
class Split:
    """Result of the structure pass: the cover lines (for metadata) and the items."""

    cover: list[Line]
    items: list[Item]
    toc_pages: list[int] = field(default_factory=list)
    closing: list[Line] = field(default_factory=list)  # signature pages and the like


def split_document(pages: list[Page], body_size: float) -> Split:
    """Split the pages into cover lines and items."""
    lines = [ln for p in pages for ln in p.lines]
    typo = measure(lines, body_size)
    # The document's own words (and the targets of its links) decide hyphenation.
    vocab = Vocabulary([*(ln.text for ln in lines), *(uri for p in pages for uri in p.links)])
    toc_pages = {p.number for p in pages if is_toc_page(p, len(pages))}
    content = [ln for ln in lines if ln.page not in toc_pages]
    two_level = any(_two_level(ln) and _item_at(content, i, typo) for i, ln in enumerate(content))
    start = _body_start(content, typo, two_level)
    cover = content[:start]
    if start == len(content) and content:  # no items: the cover is the first page only
        cover = [ln for ln in content if ln.page == content[0].page]
    closing: list[Line] = []
    drafts = _walk(content[start:], typo, two_level, frozenset(), closing)
    generic = _recurring_generic(drafts)
    if generic:
        closing.clear()
        drafts = _walk(content[start:], typo, two_level, generic, closing)
    items = [_finish_item(d, typo, vocab) for d in drafts]
    return Split(cover=cover, items=items, toc_pages=sorted(toc_pages), closing=closing)


def _recurring_generic(drafts: list[_ItemDraft]) -> frozenset[str]:
    """Generic headings ("Økonomi") and the document's own headings (a bold line outside
    the vocabulary, "Administrationens bemærkninger") that it uses in many of its items."""
    counts: Counter[str] = Counter(name for d in drafts for name in {*d.generic_seen, *d.own_seen})
    need = max(2, (len(drafts) + 1) // 2)
    return frozenset(name for name, n in counts.items() if n >= need)


_OWN_HEADING_WORDS = 6


def _own_heading(line: Line, typo: Typography) -> str | None:
    """A line written as a block heading but not in the vocabulary: bold or italic, body
    size, a few words, a capital first and no sentence punctuation at the end. It becomes a
    heading only where the document uses it in many items (`_recurring_generic`)."""
    text = " ".join(line.text.split())
    bare = text.rstrip(":").strip()
    if not (line.bold or line.italic) or abs(line.size - typo.body_size) > 0.2:  # plain: a short sentence
        return None
    if not bare[:1].isupper() or bare.endswith((".", ",", ";", "!", "?")) or not 1 <= len(bare.split()) <= _OWN_HEADING_WORDS:
        return None
    if is_marker_line(line) or genre.case_of(text) or genre.is_status_line(text) or any(ch.isdigit() for ch in bare):
        return None
    return genre.canonical_heading(bare)


def _own_inline(line: Line) -> tuple[str, int] | None:
    """"Politisk behandling: Ingen bemærkninger." with the label in bold or italic: the
    label (a candidate heading, as `_own_heading`) and the number of its words."""
    cut = next((k for k, w in enumerate(line.words[:_OWN_HEADING_WORDS]) if w.text.endswith(":")), None)
    if cut is None or cut + 1 >= len(line.words):
        return None
    head = line.words[: cut + 1]
    label = " ".join(w.text for w in head).rstrip(":").strip()
    if not all(w.bold or w.italic for w in head) or not label[:1].isupper() or any(ch.isdigit() for ch in label):
        return None
    if genre.block_heading_of(label) is not None:
        return None
    return genre.canonical_heading(label), cut + 1


def _body_start(lines: list[Line], typo: Typography, two_level: bool) -> int:
    for i, line in enumerate(lines):
        im = _item_at(lines, i, typo)
        if (im and (bool(im[1]) == two_level)) or (two_level and group_match(line, typo)):
            return i - 1 if i and _case_above(lines[i - 1], line, typo) else i
    return len(lines)


def _case_above(line: Line, heading: Line, typo: Typography) -> bool:
    """A case line printed right above an item heading ("Sagsnr.: 12/345" over "4. Title"),
    as some case systems print the item head: it belongs to the item below."""
    if not genre.is_case_line(line.text) or line.page != heading.page:
        return False
    return 0 < heading.top - line.top <= 2.5 * max(typo.pitch, line.height)


def _walk(
    lines: list[Line], typo: Typography, two_level: bool, generic: frozenset[str],
    closing: list[Line],
) -> list[_ItemDraft]:
    """Assign every body line to an item draft (title, case line or a block)."""
    drafts: list[_ItemDraft] = []
    group_no, group_title_lines = "", list[Line]()
    current: _ItemDraft | None = None
    closed = False
    above: Line | None = None  # a case line printed above the next item's heading

    def opens_item(i: int) -> tuple[str, str, str] | None:
        im = _item_at(lines, i, typo)
        if im and bool(im[1]) != two_level:
            return None
        if im and not two_level and drafts and int(im[0]) <= int(drafts[-1].number):
            return None  # single-level numbers run upwards; a lower one is a list in a text
        return im if im and (not two_level or not group_no or im[0] == group_no) else None

    for i, line in enumerate(lines):
        im = opens_item(i)
        gm = group_match(line, typo) if two_level else None
        if (im is None and i + 1 < len(lines) and _case_above(line, lines[i + 1], typo)
                and (current is None or current.case_line is not None or not current.in_head)
                and opens_item(i + 1)):
            above = line  # the next item's case (a case line after an item's own is its text)
            continue
        if im:
            number = f"{im[0]}.{im[1]}" if im[1] else im[0]
            line, aside = split_heading_line(line, typo.body_size)
            current = _ItemDraft(
                number=number,
                group=_title_text(group_title_lines),
                heading=line,
                title_lines=[line],
                awaiting_title=not im[2],
            )
            if above is not None:
                _head_line(current, above, typo)
                above = None
            if aside is not None and not _head_line(current, aside, typo):
                current.title_lines.append(aside)  # not a case or status: part of the title
            drafts.append(current)
            closed = False
        elif gm and _opens_group(gm, group_no):
            group_no, group_title_lines = gm.group(1), [line]
            current = None
        elif closed:
            closing.append(line)
        elif current is None:
            if group_title_lines and _same_style(line, group_title_lines[-1]):
                group_title_lines.append(line)  # a group title running over two lines
        elif line.text.strip().rstrip(":").lower() in genre.CLOSING_HEADINGS:
            closed, current = True, None
            closing.append(line)
        else:
            _add_line(current, line, typo, generic)
    return drafts


def _opens_group(match: re.Match[str], group_no: str) -> bool:
    """Groups are numbered upwards and their titles start with a capital letter, so a bold
    title line that wraps to "1. januar 2027 ..." does not open group 1."""
    if group_no and int(match.group(1)) <= int(group_no):
        return False
    first = match.group(2)[:1]
    return first.isupper() or first.isdigit()


def _same_style(a: Line, b: Line) -> bool:
    return a.bold == b.bold and abs(a.size - b.size) < 0.3


def _inline_heading(draft: _ItemDraft, line: Line, typo: Typography,
                    generic: frozenset[str]) -> tuple[Heading, Line] | None:
    """"Beslutning: Godkendt." at the start of a paragraph: the heading and the rest; the
    document's own inline labels where it uses them in many items."""
    found = genre.inline_heading_of(line.text)
    if found is None:
        own = _own_inline(line)
        if own is None:
            return None
        draft.own_seen[own[0].lower()] = own[0]
        if own[0].lower() not in generic:
            return None
        head = " ".join(w.text for w in line.words[: own[1]])
        return genre.Heading(own[0], "other", head), Line(page=line.page, words=line.words[own[1]:])
    heading, _ = found
    cut = next((k for k, w in enumerate(line.words) if w.text.endswith(":")), None)
    if cut is None or cut + 1 >= len(line.words):
        return None
    head_words, rest = line.words[: cut + 1], line.words[cut + 1:]
    previous = draft.all_lines()[-1]
    starts = (
        all(w.bold for w in head_words) and not all(w.bold for w in rest)
        or previous.page != line.page
        or line.top - previous.top > 1.4 * typo.pitch
        or previous.text.rstrip().endswith(_TERMINAL) and not draft.blocks
    )
    if not starts or (heading.generic and heading.name.lower() not in draft.generic_seen):
        return None
    return heading, Line(page=line.page, words=rest)


def _add_line(draft: _ItemDraft, line: Line, typo: Typography, generic: frozenset[str]) -> None:
    if draft.blocks and draft.blocks[-1].heading.role == "decision" and genre.is_decision_note(line.text):
        draft.blocks[-1].lines.append(line)  # "Protokoltilførsel", "Fraværende: ...": part of the decision
        return
    heading = block_heading(line, typo)
    inline = None if heading else _inline_heading(draft, line, typo, generic)
    if inline:
        heading = inline[0]
    own = _own_heading(line, typo) if heading is None else None
    if own is not None:
        draft.own_seen[own.lower()] = own
        if own.lower() in generic:
            heading = genre.Heading(own, "other", " ".join(line.text.split()))
    if heading and heading.generic:
        draft.generic_seen.add(heading.name.lower())
        if heading.name.lower() not in generic:
            heading, inline = None, None
    if draft.awaiting_title:  # `_item_at` checked that this line is the title
        draft.awaiting_title = False
        draft.heading = line
        draft.title_lines.append(line)
        return
    if not draft.closed_title:
        if heading is None and _same_style(line, draft.heading):
            draft.title_lines.append(line)
            return
        draft.closed_title = True
    if heading is None and draft.in_head and _head_line(draft, line, typo):
        return
    if heading is not None:
        draft.in_head = False
        current = draft.blocks[-1] if draft.blocks else None
        if (current and current.heading.role != "decision" and current.heading.printed
                and current.heading.name == heading.name and not inline):
            return  # the same heading again ("Bilag" under each sub-point): one block
        block = _BlockDraft(heading, line if not inline else None)
        draft.blocks.append(block)
        if inline:
            block.head = Line(page=line.page, words=line.words[: len(line.words) - len(inline[1].words)])
            block.lines.append(inline[1])
    else:
        draft.in_head = False
        if not draft.blocks:
            draft.blocks.append(_BlockDraft(_FALLBACK, None))
        draft.blocks[-1].lines.append(line)


def _head_line(draft: _ItemDraft, line: Line, typo: Typography) -> bool:
    """Case number, document number and earlier treatments between title and blocks."""
    text = line.text
    case = genre.case_of(text)
    if case and draft.case_line is None:
        draft.case_line, draft.case = line, case
        return True
    if genre.is_status_line(text):
        draft.head_lines.append(line)
        return True
    if genre.is_empty_case_label(text) and draft.case_line is None:
        draft.head_lines.append(line)
        return True
    if genre.head_field_of(text) is not None:  # "Sagsansvarlig: Anne Hansen"
        draft.head_lines.append(line)
        return True
    number = genre.document_number_of(text)
    if number is not None:
        draft.document_number = number
        draft.head_lines.append(line)
        return True
    earlier = genre.earlier_treatment_of(text)
    if earlier is not None:
        draft.earlier.append(earlier)
        draft.head_lines.append(line)
        return True
    return False


def _title_text(lines: list[Line], vocab: Vocabulary | None = None) -> str:
    """Heading text without its "3." / "3.2." / "Punkt 3:" number, wrapped lines rejoined."""
    if not lines:
        return ""
    number = genre.split_item_number(lines[0].text)
    first = number[2] if number else re.sub(r"^\d{1,2}\.?\s+", "", lines[0].text)
    return join_lines([first, *(ln.text for ln in lines[1:])], vocab)


def _finish_item(draft: _ItemDraft, typo: Typography, vocab: Vocabulary) -> Item:
    case_number, initials = draft.case
    title = _title_text(draft.title_lines, vocab)
    bracketed = None if case_number else genre.trailing_case(title)
    if bracketed:
        title, (case_number, initials) = bracketed
    made = [(_make_block(b, typo, vocab), b.heading) for b in draft.blocks]
    made = [(b, h) for b, h in made if b.paragraphs or b.printed]
    blocks = [b for b, _ in made]
    pages = [ln.page for ln in draft.all_lines()]
    decisions = [_decision(b, h) for b, h in made if b.role == "decision"]
    return Item(
        number=draft.number,
        group=draft.group,
        title=title,
        case_number=case_number,
        case_initials=initials,
        blocks=blocks,
        page_first=min(pages),
        page_last=max(pages),
        document_number=draft.document_number,
        earlier_treatments=draft.earlier,
        decisions=decisions,
    )


def _decision(block: Block, heading: Heading) -> Decision:
    """The decision a decision block records: its text and the notes on it ("Protokoltilførsel",
    "Mindretalsudtalelse"), without a note on attendance ("Fraværende: ...", "Følgende deltog
    ikke ...:" and the names listed under it)."""
    texts: list[str] = []
    names = False  # under an attendance note ending in a colon: its names, one per paragraph
    for para in block.paragraphs:
        text = para.text.strip()
        if genre.ATTENDANCE_NOTE_RE.match(text):
            names = text.endswith(":")
            continue
        if names and not genre.is_decision_note(text) and not text.endswith((".", "!", "?")):
            continue
        names = False
        texts.append(para.text)
    return Decision(heading=heading.printed, text=" ".join(texts), date=heading.date,
                    page=block.page_first)


# ---------------------------------------------------------------- paragraphs


def _make_block(draft: _BlockDraft, typo: Typography, vocab: Vocabulary) -> Block:
    head, body = draft.head, draft.lines
    notes = draft.heading.role == "decision"
    paragraphs = [_make_paragraph(group, vocab) for group in split_paragraphs(body, typo, notes=notes)]
    pages = [ln.page for ln in ([head] if head else []) + body]
    return Block(
        heading=draft.heading.name, paragraphs=paragraphs, page_first=min(pages),
        page_last=max(pages), role=draft.heading.role, printed=draft.heading.printed,
    )


def split_paragraphs(lines: list[Line], typo: Typography, *, notes: bool = False) -> list[list[Line]]:
    """Group consecutive block lines into paragraphs. In a decision (``notes``) a note on it
    ("Fraværende: ...", "Protokoltilførsel") begins a paragraph of its own."""
    paragraphs: list[list[Line]] = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        note = notes and line.text[:1].isupper() and genre.is_decision_note(line.text)
        if paragraphs and not note and not _starts_paragraph(paragraphs[-1], line, following, typo):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _starts_paragraph(
    para: list[Line], line: Line, following: Line | None, typo: Typography
) -> bool:
    """Whether ``line`` begins a new paragraph after the lines of ``para``."""
    prev = para[-1]
    if line.bold != prev.bold:
        return True  # a subheading begins or ends
    if line.page == prev.page and line.top - prev.top > 1.4 * typo.pitch:
        return True  # a vertical gap
    if line.bold:
        return False  # a subheading running over two lines
    if _breaks_hanging_indent(para, line):
        return True
    if ends_with_break_hyphen(prev.text):
        return False
    ended = prev.text.rstrip().endswith(_TERMINAL)
    if is_marker_line(line) and (ended or is_marker_line(para[0]) or _is_short(prev, line, typo)):
        return True
    if continues_url(prev.text, line.text):
        return False
    if typo.justified:
        # Justified text: every line but a paragraph's last reaches the right edge.
        return prev.x1 < typo.right - 0.5 * prev.size
    starts_upper = line.text[:1].isupper() or line.text[:1].isdigit()
    if _is_short(prev, line, typo) and (ended or starts_upper):
        return True
    return line.text[:1].isupper() and _ragged_break(para, line, following)


def _ragged_break(para: list[Line], line: Line, following: Line | None) -> bool:
    """Paragraph ends in ragged text that left no gap and no short line (``line`` starts
    with a capital): a sentence end at a page break, a one-line lead-in ("... ud:")
    before a list, or a one-line plain heading followed by its text."""
    prev = para[-1]
    sentence_end = prev.text.rstrip().endswith((".", "!", "?", ":"))
    if sentence_end and line.page != prev.page:
        return True  # the paragraph gap was lost at the page break
    if sentence_end and line.text.rstrip().endswith(":") and following is not None:
        return is_marker_line(following) and following.page == line.page
    return len(para) == 1 and _is_plain_heading(prev)


def _is_plain_heading(line: Line) -> bool:
    """A title-like line: no sentence punctuation, not ending in a lower-case small word."""
    if any(c in line.text for c in ".,;:!?"):
        return False
    last = line.words[-1].text
    return not (last.islower() and len(last) <= 3)


def _breaks_hanging_indent(para: list[Line], line: Line) -> bool:
    """A bullet paragraph with indented continuation lines ends at a line back at its marker."""
    if len(para) < 2 or not is_marker_line(para[0]):
        return False
    tol = para[0].size * 0.5
    indented = para[1].x0 > para[0].x0 + tol
    return indented and line.x0 < para[1].x0 - tol


def _is_short(prev: Line, line: Line, typo: Typography) -> bool:
    """The previous line ended although the next line's first word would have fit."""
    first = line.words[0]
    space = 0.3 * prev.size
    return prev.x1 + space + (first.x1 - first.x0) < typo.right - 0.5 * prev.size


def _make_paragraph(lines: list[Line], vocab: Vocabulary) -> Paragraph:
    text = join_lines([ln.text for ln in lines], vocab)
    return Paragraph(
        text=text,
        raw="\n".join(ln.text for ln in lines),
        page_first=lines[0].page,
        page_last=lines[-1].page,
        attachment=text.startswith(_ATTACHMENT),
        subheading=all(ln.bold for ln in lines),
        lines=[
            LineBox(page=ln.page, x0=ln.x0, top=ln.top, x1=ln.x1, bottom=ln.bottom, text=ln.text)
            for ln in lines
        ],
    )
