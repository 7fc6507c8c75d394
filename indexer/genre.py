"""The vocabulary of the Danish meeting-document genre (dagsordener, referater).

One place for the words the parser recognises: kind words, block headings and their roles,
decision heading shapes, item numbering shapes, case lines, attendance notes and closing
sections. Typography is judged elsewhere (structure, layout); this module only knows words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date

from archive.text.danish import ATTENDANCE_NOTE_RE, MONTH_NUMBER  # noqa: F401 (ATTENDANCE_NOTE_RE: part of the genre vocabulary)

MONTHS = MONTH_NUMBER  # the one copy of the Danish month names: archive/text/danish.py

_DATE_TEXT_RE = re.compile(r"(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})", re.IGNORECASE)
_DATE_NUM_RE = re.compile(r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})")
_CLOCK_RE = re.compile(r"\bkl\.?\s*(\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?)", re.IGNORECASE)


def parse_danish_date(text: str) -> Date | None:
    """Parse "7. april 2026", "den 4. december 2012", "04.12.2012", "20-06-2013"."""
    m = _DATE_TEXT_RE.search(text)
    if m and m.group(2).lower() in MONTHS:
        return safe_date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    m = _DATE_NUM_RE.search(text)
    if m:
        return safe_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def safe_date(year: int, month: int, day: int) -> Date | None:
    try:
        return Date(year, month, day)
    except ValueError:
        return None


def clock_of(text: str) -> str:
    """"13:00" of "tirsdag den 4. december 2012, kl. 13:00"; "" when none."""
    m = _CLOCK_RE.search(text)
    return m.group(1) if m else ""

ROLES = ("decision", "recommendation", "presentation", "background", "attachments", "other")

# Kind words printed on covers and running headers -> the archive's kind.
KIND_WORDS: dict[str, str] = {
    "dagsorden": "dagsorden", "åben dagsorden": "dagsorden", "dagsorden (åben)": "dagsorden",
    "referat": "referat", "åbent referat": "referat", "beslutningsprotokol": "referat",
    "mødereferat": "referat", "referat (åbent)": "referat",
}  # fmt: skip

# Block headings (lower case, no colon) -> role. Canonical heading = the printed words.
BLOCK_ROLES: dict[str, str] = {
    "baggrund": "background", "resumé": "background", "resume": "background",
    "sammendrag": "background", "kort om sagen": "background", "sagens kerne": "background",
    "indstilling": "recommendation", "indstillinger": "recommendation",
    "forslag til beslutning": "recommendation", "indstilling til beslutning": "recommendation",
    "sagsfremstilling": "presentation", "supplerende sagsfremstilling": "presentation",
    "sagsbeskrivelse": "presentation", "vurdering": "presentation", "høring": "presentation",
    "økonomi": "other", "økonomiske konsekvenser": "other",
    "økonomiske konsekvenser og finansiering": "other",
    "økonomi og organisatoriske konsekvenser": "other", "økonomi og finansiering": "other",
    "beslutningen træffes af": "other", "kompetence": "other", "lovgrundlag": "other",
    "retsgrundlag": "other", "kommunikation": "other", "videre proces": "other",
    "bilag": "attachments", "bilagsfortegnelse": "attachments",
    "beslutning": "decision", "beslutninger": "decision", "afgørelse": "decision",
    "udvalgets beslutning": "decision", "protokol": "decision",
    # the headings of the municipal case systems' templates (Acadre, SBSYS, eDoc, FirstAgenda,
    # Prisme): the same roles under other names
    "sagens baggrund": "background", "baggrund og formål": "background", "indledning": "background",
    "formål": "background", "problemstilling": "background", "beslutningstema": "background",
    "sagsresumé": "background", "sagsresume": "background", "tidligere beslutninger": "background",
    "sagens indhold": "presentation", "beskrivelse af sagen": "presentation", "redegørelse": "presentation",
    "løsning": "presentation", "supplerende oplysninger": "presentation", "høringssvar": "presentation",
    "udtalelser": "presentation", "ændringer siden sidste behandling": "presentation",
    "indstilling fra forvaltningen": "recommendation", "indstilling fra administrationen": "recommendation",
    # a bare recommendation heading (a body's "Administrationen indstiller": _RECOMMENDS_RE)
    "anbefaling": "recommendation",
    "konsekvenser": "other", "personalemæssige konsekvenser": "other",
    "økonomiske og personalemæssige konsekvenser": "other", "miljømæssige konsekvenser": "other",
    "handicappolitisk konsekvensvurdering": "other", "risikovurdering": "other", "tidsplan": "other",
    "det videre forløb": "other", "sagen afgøres af": "other", "beslutningskompetence": "other",
}  # fmt: skip
# "Forvaltningens indstilling", "Direktionens indstilling", "Byrådets beslutning",
# "Kommunalbestyrelsens beslutning": a body's recommendation or decision, undated.
_GENITIVE_HEADING_RE = re.compile(
    r"^(?P<body>[A-ZÆØÅ][\w\-]*(?:\s+(?:og|for|i|[A-ZÆØÅ][\w\-]*)){0,4}?s)\s+"
    r"(?P<what>indstilling|anbefaling|beslutning)$"
)
# "Administrationen indstiller", "Børne- og Ungeforvaltningen indstiller, at": a body's
# recommendation in the present tense; "Økonomiudvalgets anbefaling": a committee's
# recommendation along the chain of committees. The body must be one that recommends (the
# last word names an administration, a committee or a board), so "Dagens anbefaling" or a
# sentence is no heading.
_RECOMMENDS_RE = re.compile(
    r"^(?P<body>[A-ZÆØÅ][\w\-]*(?:\s+(?:og|for|i|[A-ZÆØÅ][\w\-]*)){0,4}?)\s+indstiller(?:\s*,?\s+at)?$"
)
_RECOMMENDING_BODIES = ("administration", "forvaltning", "direktion", "udvalg", "sekretariat", "råd",
                        "bestyrelse", "formandskab", "styregruppe", "borgmester", "direktør")
DECISION = "Beslutning"
RECOMMENDATION = "Indstilling"
# Generic words that are as often a subheading inside a block ("Økonomi" inside a
# Sagsfremstilling) as a block of their own: a block only where the document uses them
# so in many of its items.
GENERIC_HEADINGS = frozenset({"økonomi", "vurdering", "høring", "kommunikation",
                              "videre proces", "lovgrundlag", "retsgrundlag", "kompetence",
                              "indledning", "formål", "løsning", "høringssvar", "udtalelser",
                              "konsekvenser", "personalemæssige konsekvenser", "miljømæssige konsekvenser",
                              "risikovurdering", "tidsplan", "det videre forløb", "supplerende oplysninger",
                              "anbefaling"})

# "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 1",
# "Beslutning i Udvalget for plan, udvikling og kultur (PUK) den 20-06-2013".
_DECISION_DATED_RE = re.compile(
    r"^(?:(?P<body>.{2,120}?)s\s+)?beslutning(?:er)?\b(?:\s+(?:i|på)\s+(?P<in>.{2,120}?))?"
    r"\s+(?:den|d\.)\s+(?P<date>\d{1,2}[.\-/]\d{1,2}[.\-/]\d{4}|\d{1,2}\.?\s+[a-zæøå]+\.?\s+\d{4})"
    r"(?:,?\s+(?:punkt|pkt\.?)\s*\d+(?:\.\d+)?)?$",
    re.IGNORECASE,
)
# The words before an item number: "Punkt 3", "Pkt. 3", "Punkt nr. 3", "Sag 3:", "Sag nr. 3",
# "Dagsordenspunkt 3".
_ITEM_PREFIX = r"(?P<prefix>punkt(?:\s+nr\.?)?|pkt\.?|sag(?:\s+nr\.?)?|dagsordenspunkt|dagsordenspkt\.?)"
# Item numbering: "3.2.", "3.2", "Punkt 3.2", "Punkt 3:", "Pkt. 3", "3.", "715.", "Sag 3:", ...
ITEM_NUMBER_RE = re.compile(
    rf"^(?:{_ITEM_PREFIX}\s*)?(?P<major>\d{{1,4}})(?:\.(?P<minor>\d{{1,2}}))?"
    r"(?P<sep>\.|:|\))?\s+(?P<title>\S.*)$",
    re.IGNORECASE,
)
# An item label printed on a line of its own, the title on the next: "Punkt 3", "715.", "3.2".
_ITEM_LABEL_RE = re.compile(
    rf"^(?:{_ITEM_PREFIX}\s*)?(?P<major>\d{{1,4}})(?:\.(?P<minor>\d{{1,2}}))?(?P<sep>\.|:|\))?$",
    re.IGNORECASE,
)
# A short number after a case label is an item's number ("Sag 3:", "Sag nr. 12"), not its case.
_ITEM_NO_TOKEN_RE = re.compile(r"^\d{1,3}[.:)]?$")
# Two years joined ("2014-2017", "2025-2028"): a period in a title, not a case number.
_PERIOD_RE = re.compile(r"^((?:19|20)\d{2})[-–]((?:19|20)\d{2})$")
# Whether an item is public, printed in its head: "Åben sag", "Åbent punkt", "Lukket punkt".
_STATUS_RE = re.compile(r"^(?:åben|åbent|åbne|lukket|lukkede|fortrolig|fortroligt)"
                        r"(?:\s+(?:sag|punkt|dagsordenspunkt|dagsorden|referat|beslutning))?$", re.IGNORECASE)
# Case lines: "SAG-2026-00541 gitb", "Sagsnr.: 2012-31114", "Sagsnr.: 12/27845", "EMN-2025-003383".
_CASE_LABEL_RE = re.compile(
    r"^(?:sags?\s*nr\.?|sags?nummer|sags?\s*id|sag|j\.\s?nr\.?|journalnr\.?|journalnummer|emne\s*nr\.?)"
    r"(?:\s*:\s*|\s+)(?P<rest>\S.*)$",
    re.IGNORECASE,
)
# "SAG-2026-00541", "2013-0012345", "13/27845", and the KLE journal numbers of the municipal
# case systems, "27.69.48-G01-1-13", "00.01.00-A00-1-20".
_CASE_TOKEN_RE = re.compile(r"^(?:(?:[A-ZÆØÅ]{2,6}-)?\d{2,4}(?:[-/.]\d{1,8}){1,3}(?:-[A-Z]{1,4})?"
                            r"|\d{2}\.\d{2}\.\d{2}-[A-ZÆØÅ]\d{2}-\d{1,4}-\d{2})$")
_DOC_NO_RE = re.compile(r"^(?:dok\.?\s*nr\.?|dokumentnr\.?|dok\.?\s*id)\s*:?\s*(?P<rest>\S.*)$",
                        re.IGNORECASE)
_EARLIER_RE = re.compile(r"^(?:tidligere\s+behandl\w*|tidl\.\s*behandlet)\s*(?:i|af)?\s*:?\s*(?P<rest>.*)$",
                         re.IGNORECASE)
# Notes that belong to a decision and close it: a statement for the minutes, a minority's
# or a member's own statement; with the attendance notes ("Fraværende: ...", "Følgende
# deltog ikke ..."). They are part of the decision block, never a heading of their own.
_DECISION_NOTE_RE = re.compile(
    r"^(?:protokoltilførsel|protokoltilføjelse|tilføjelse til protokollen|mindretalsudtalelse|"
    r"flertalsudtalelse|særudtalelse|mindretalsindstilling|stemmeforklaring)s?\b", re.IGNORECASE)
# Key/value rows of an item head ("Sagsansvarlig: Anne Hansen", "Åben/Lukket: Åben").
_HEAD_FIELD_RE = re.compile(
    r"^(?:sagsansvarlig|sagsbehandler|ansvarlig|ansvarlig\s+forvaltning|fagområde|afdeling|enhed|"
    r"forvaltning|åben\s*/\s*lukket|åbent\s*/\s*lukket|status|sagstype|dokumentansvarlig|forfatter|"
    r"mødesagsbehandler|udvalg|kle(?:-nr\.?)?)\s*:\s*(?P<value>\S.*)$", re.IGNORECASE)
# Sections that close the items of a meeting.
CLOSING_HEADINGS = frozenset({"underskriftsside", "underskrifter", "underskrift", "mødet hævet"})
# Cover signals of a meeting document (besides a kind word).
MEETING_LABELS = ("mødedato", "afbud", "fraværende", "tilstede", "til stede", "deltagere",
                  "medlemmer", "mødested", "mødetidspunkt")


def kind_of(text: str) -> str | None:
    """"referat" for "Åbent referat", "dagsorden" for "Dagsorden"; None for other text."""
    return KIND_WORDS.get(" ".join(text.lower().split()).rstrip(":"))


@dataclass(frozen=True)
class Heading:
    """A recognised block heading: canonical name, role, printed line, and for a decision
    its date (when the heading prints one)."""

    name: str
    role: str
    printed: str
    date: Date | None = None
    body: str = ""  # the deciding body a dated decision heading names

    @property
    def generic(self) -> bool:
        return self.name.lower() in GENERIC_HEADINGS


def block_heading_of(text: str) -> Heading | None:
    """The block heading a whole line is, by its words alone; None for other text."""
    printed = " ".join(text.split())
    bare = printed.rstrip(":").strip()
    role = BLOCK_ROLES.get(bare.lower())
    if role == "decision":
        return Heading(DECISION, role, printed)
    if role:
        return Heading(canonical_heading(bare), role, printed)
    m = _GENITIVE_HEADING_RE.match(bare) or _GENITIVE_HEADING_RE.match(canonical_heading(bare))
    if m and m.group("body").lower() not in _NOT_BODIES:
        if m.group("what") == "beslutning":
            return Heading(DECISION, "decision", printed, None, m.group("body")[:-1])
        if m.group("what") == "indstilling" or _recommends(m.group("body")[:-1]):
            return Heading(RECOMMENDATION, "recommendation", printed)
    m = _RECOMMENDS_RE.match(canonical_heading(bare))
    if m and _recommends(m.group("body")):
        return Heading(RECOMMENDATION, "recommendation", printed)
    m = _DECISION_DATED_RE.match(bare)
    if m and len(bare.split()) <= 20 and bare[:1].isupper() and not printed.endswith((".", ",")):
        when = parse_danish_date(m.group("date"))
        if when is not None:
            body = (m.group("body") or m.group("in") or "").strip()
            return Heading(DECISION, "decision", printed, when, body)
    return None


def _recommends(body: str) -> bool:
    """"Administrationen", "Økonomiudvalget", "Direktionen": a body that recommends."""
    last = body.split()[-1].lower() if body.split() else ""
    stem = re.sub(r"(?:en|et|ne|erne|ene)$", "", last)
    return any(stem.endswith(noun) or last.endswith(noun) for noun in _RECOMMENDING_BODIES)


# Genitives that are no deciding body: "Dagens beslutning", "Sagens indstilling".
_NOT_BODIES = frozenset({"dagens", "sagens", "mødets", "tidens", "årets", "dens", "dets", "deres", "hans", "hendes"})


def canonical_heading(heading: str) -> str:
    """A heading printed in capitals ("SAGSFREMSTILLING") as it is written ("Sagsfremstilling")."""
    return heading[:1] + heading[1:].lower() if heading.isupper() else heading


def inline_heading_of(text: str) -> tuple[Heading, str] | None:
    """"Beslutning: Godkendt." -> (Beslutning heading, "Godkendt."); None otherwise."""
    head, sep, rest = text.partition(":")
    if not sep or not rest.strip() or len(head.split()) > 20:
        return None
    heading = block_heading_of(head)
    return (heading, rest.strip()) if heading else None


def split_item_number(text: str) -> tuple[str, str, str] | None:
    """("3", "2", "Title") for "3.2. Title"; ("715", "", "Title") for "715. Title"; a label
    alone ("Punkt 3", "715.") has the title "" (it is printed on the next line)."""
    m = ITEM_NUMBER_RE.match(text.strip()) or _ITEM_LABEL_RE.match(text.strip())
    if not m:
        return None
    title = m.groupdict().get("title") or ""
    if not m.group("minor") and not m.group("sep") and not m.group("prefix"):
        return None  # "2026 Title": a bare number is no item number
    if (m.group("prefix") or "").lower().startswith("sag") and len(m.group("major")) > 3:
        return None  # "Sag 2013 ...": a case's year, no item number
    return m.group("major"), m.group("minor") or "", title


def case_of(text: str) -> tuple[str, str] | None:
    """(case number, initials) of a case line, else None. An item label ("Sag 3:", "Sag nr.
    3") and a period of years ("2025-2028") are no case numbers."""
    t = " ".join(text.split())
    m = _CASE_LABEL_RE.match(t)
    if m:
        parts = m.group("rest").split(None, 1)
        if any(c.isdigit() for c in parts[0]) and not _ITEM_NO_TOKEN_RE.match(parts[0]):
            return parts[0], (parts[1] if len(parts) > 1 else "")
        return None
    parts = t.split(None, 1)
    if parts and _CASE_TOKEN_RE.match(parts[0]) and not _is_period(parts[0]):
        return parts[0], (parts[1] if len(parts) > 1 else "")
    return None


def is_case_line(text: str) -> bool:
    """A line that is a case line beyond doubt: labelled ("Sagsnr.: 12/345", "Sag:"), or a
    bare case number with a dash or slash and at least five digits ("SAG-2026-00806 hmj",
    "13/27845"), never a clock time or a decimal ("10.00 til kl. 12.00")."""
    t = " ".join(text.split())
    if is_empty_case_label(t):
        return True
    case = case_of(t)
    if case is None:
        return False
    if _CASE_LABEL_RE.match(t):
        return True
    return any(c in case[0] for c in "-/") and sum(c.isdigit() for c in case[0]) >= 5


def _is_period(token: str) -> bool:
    """"2014-2017": two years, the later after the earlier."""
    m = _PERIOD_RE.match(token)
    return bool(m) and 0 < int(m.group(2)) - int(m.group(1)) <= 20


_TRAILING_CASE_RE = re.compile(r"^(?P<title>.*\S)\s*\((?P<case>[^()]{4,40})\)$")


def trailing_case(title: str) -> tuple[str, tuple[str, str]] | None:
    """A case number printed in brackets after the title, "Budget 2014 (2013-0012345)":
    (the title without it, (case number, initials)); None otherwise."""
    m = _TRAILING_CASE_RE.match(" ".join(title.split()))
    if not m:
        return None
    case = case_of(m.group("case"))
    if case is None or case[1]:  # only a case number in the brackets, no other words
        return None
    return m.group("title"), case


_EMPTY_CASE_RE = re.compile(r"^(?:(?:sags?\s*nr\.?|sagsnummer|j\.\s?nr\.?|journalnr\.?)\s*:?|sag\s*:)$", re.IGNORECASE)


def is_status_line(text: str) -> bool:
    """"Åben sag", "Lukket punkt": whether the item is public, not part of its text."""
    return bool(_STATUS_RE.match(" ".join(text.split())))


def is_empty_case_label(text: str) -> bool:
    """"Sagsnr.:" or "Sag:" printed with no number (an item without a case)."""
    return bool(_EMPTY_CASE_RE.match(" ".join(text.split())))


def is_decision_note(text: str) -> bool:
    """"Protokoltilførsel: ...", "Mindretalsudtalelse", "Fraværende: Anne Hansen (A)": a
    note that belongs to the decision above it."""
    t = " ".join(text.split())
    return bool(_DECISION_NOTE_RE.match(t) or ATTENDANCE_NOTE_RE.match(t))


def head_field_of(text: str) -> str | None:
    """The value of a key/value row of an item head ("Sagsansvarlig: Anne Hansen")."""
    m = _HEAD_FIELD_RE.match(" ".join(text.split()))
    return m.group("value") if m else None


def document_number_of(text: str) -> str | None:
    m = _DOC_NO_RE.match(" ".join(text.split()))
    return m.group("rest") if m else None


def earlier_treatment_of(text: str) -> str | None:
    m = _EARLIER_RE.match(" ".join(text.split()))
    return m.group("rest") if m else None


_KOMMUNE_RE = re.compile(r"\b([A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)?) Kommune\b")


def authority_of(body: str, texts: list[str]) -> str:
    """"KL" for a KKR; otherwise the municipality the document names most often."""
    if body.upper().startswith("KKR"):
        return "KL"
    counts: dict[str, int] = {}
    for text in texts:
        for m in _KOMMUNE_RE.finditer(text):
            name = m.group(1)
            if name not in {"Den", "Hver", "Denne", "Én", "En", "Anden", "Hvilken"}:
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return ""
    return f"{max(counts, key=lambda k: counts[k])} Kommune"
