"""Meeting metadata from the cover page of a KKR agenda or minutes.

The cover carries a big title ("Dagsorden" / "Referat"), the council name, labelled
fields ("Mødedato:", "Dato:", "Tid:", "Mødested:", ...) and, in minutes, the lists of
attendees ("Deltagere:") and absentees ("Afbud:", "Fraværende:"). The file name
(``<council-slug>_<yyyy-mm-dd>_<kind>.pdf``) is only a fallback for missing fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date

from archive.storage.model import KINDS
from indexer.layout import Line

MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip

_DATE_TEXT_RE = re.compile(r"(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})", re.IGNORECASE)
_DATE_NUM_RE = re.compile(r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})")
_FILE_RE = re.compile(r"^(?P<slug>.+?)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<kind>[a-z]+)$")
_LABEL_RE = re.compile(r"^(?P<label>[^\W\d][\w .]{0,30}?):\s*(?P<value>.*)$")

# Label words (lower case, without colon) mapped to the field they fill.
LABELS: dict[str, str] = {
    "mødedato": "date", "dato": "date", "mødedag": "date",
    "mødetidspunkt": "time", "tidspunkt": "time", "tid": "time", "klokkeslæt": "time",
    "mødested": "place", "sted": "place", "lokale": "place",
    "deltagere": "attendees", "til stede": "attendees", "tilstede": "attendees",
    "deltager": "attendees", "fremmødte": "attendees",
    "afbud": "absent", "fraværende": "absent", "fravær": "absent",
}  # fmt: skip
LIST_FIELDS = ("attendees", "absent")


@dataclass
class Metadata:
    council: str = ""
    kind: str = ""
    date: Date | None = None
    time: str = ""
    place: str = ""
    attendees: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)


def parse_danish_date(text: str) -> Date | None:
    """Parse "7. april 2026" or "07-04-2026" into a date; None if there is none."""
    m = _DATE_TEXT_RE.search(text)
    if m and m.group(2).lower() in MONTHS:
        return _safe_date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    m = _DATE_NUM_RE.search(text)
    if m:
        return _safe_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def _safe_date(year: int, month: int, day: int) -> Date | None:
    try:
        return Date(year, month, day)
    except ValueError:
        return None


def read_metadata(cover: list[Line], stem: str) -> Metadata:
    """Read the metadata from the cover lines; fill gaps from the file name ``stem``."""
    meta = Metadata()
    _read_title(cover, meta)
    _read_fields(cover, meta)
    _fill_from_file_name(stem, meta)
    return meta


def _read_title(cover: list[Line], meta: Metadata) -> None:
    """Kind from the biggest title, council from the biggest unlabelled line after it."""
    by_size = sorted(
        (ln for ln in cover if not _LABEL_RE.match(ln.text)), key=lambda ln: -ln.size
    )
    for line in by_size:
        word = line.text.strip().lower()
        if not meta.kind and word in KINDS:
            meta.kind = word
        elif not meta.council and word not in KINDS and not _is_date_line(line.text):
            meta.council = " ".join(line.text.split())
        if meta.kind and meta.council:
            return


def _is_date_line(text: str) -> bool:
    return parse_danish_date(text) is not None and len(text.split()) <= 5


def _label_field(text: str) -> tuple[str, str] | None:
    """("date", "7. april 2026") for "Mødedato: 7. april 2026"; None for other lines."""
    m = _LABEL_RE.match(text.strip())
    if not m:
        return None
    name = LABELS.get(" ".join(m.group("label").lower().split()))
    return (name, m.group("value").strip()) if name else None


def _read_fields(cover: list[Line], meta: Metadata) -> None:
    """Labelled single-value fields, and the entry lines under list labels."""
    current: str | None = None
    entries: dict[str, list[Line]] = {name: [] for name in LIST_FIELDS}
    for line in cover:
        labelled = _label_field(line.text)
        if labelled:
            name, value = labelled
            current = name if name in LIST_FIELDS else None
            if current:
                if value:
                    entries[current].append(line)
            else:
                _set_scalar(meta, name, value)
        elif current:
            entries[current].append(line)
    meta.attendees = join_entries(entries["attendees"])
    meta.absent = join_entries(entries["absent"])


def _set_scalar(meta: Metadata, name: str, value: str) -> None:
    if name == "date" and meta.date is None:
        meta.date = parse_danish_date(value)
    elif name == "time" and not meta.time:
        meta.time = value
    elif name == "place" and not meta.place:
        meta.place = value


def join_entries(lines: list[Line]) -> list[str]:
    """Join list lines into entries; a wrapped line continues the entry above it.

    A line continues the previous entry when that entry has an unclosed parenthesis or
    ends in a comma/dash/conjunction, when the line starts in lower case or is indented
    past the list's margin, or when the line above filled the list's width (the first
    word would not have fit) and the line itself carries none of an entry's commas or
    parentheses (a lone wrapped "Kommune").
    """
    entries: list[str] = []
    margin = min((ln.x0 for ln in lines), default=0.0)
    right = max((ln.x1 for ln in lines), default=0.0)
    previous: Line | None = None
    for line in lines:
        text = " ".join(line.text.split())
        text = text.split(":", 1)[1].strip() if _label_field(text) else text
        if not text:
            continue
        if entries and previous and _continues(entries[-1], text, line, previous, margin, right):
            entries[-1] = f"{entries[-1]} {text}"
        else:
            entries.append(text)
        previous = line
    return entries


def _continues(
    entry: str, text: str, line: Line, previous: Line, margin: float, right: float
) -> bool:
    if entry.count("(") > entry.count(")") or entry.endswith((",", "-", "–", " og")):
        return True
    if line.x0 - margin > line.size or text[0].islower():
        return True
    first = line.words[0]
    filled = previous.x1 + 0.3 * line.size + (first.x1 - first.x0) > right
    return filled and not any(c in text for c in ",()")


def _fill_from_file_name(stem: str, meta: Metadata) -> None:
    m = _FILE_RE.match(stem)
    if not m:
        return
    if not meta.kind and m.group("kind") in KINDS:
        meta.kind = m.group("kind")
    if meta.date is None:
        meta.date = _safe_date(*(int(x) for x in m.group("date").split("-")))
    if not meta.council:
        meta.council = _council_from_slug(m.group("slug"))


def _council_from_slug(slug: str) -> str:
    """"kkr-hovedstaden" -> "KKR Hovedstaden" (Danish letters cannot be recovered)."""
    parts = slug.split("-")
    return " ".join(p.upper() if len(p) <= 3 else p.capitalize() for p in parts)
