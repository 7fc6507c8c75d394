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
from indexer.genre import clock_of, kind_of, parse_danish_date, safe_date
from indexer.layout import Line, PrintedWord
_FILE_RE = re.compile(r"^(?P<slug>.+?)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<kind>[a-z]+)$")
_LABEL_RE = re.compile(r"^(?P<label>[^\W\d][\w .]{0,30}?):\s*(?P<value>.*)$")

# Label words (lower case, without colon) mapped to the field they fill.
LABELS: dict[str, str] = {
    "mødedato": "date", "dato": "date", "mødedag": "date",
    "mødetidspunkt": "time", "tidspunkt": "time", "tid": "time", "klokkeslæt": "time",
    "mødetid": "time", "mødestart": "time", "starttidspunkt": "time",
    "mødested": "place", "sted": "place", "lokale": "place",
    "deltagere": "attendees", "til stede": "attendees", "tilstede": "attendees",
    "deltager": "attendees", "fremmødte": "attendees",
    "medlemmer": "attendees", "udvalgsmedlemmer": "attendees",
    "afbud": "absent", "fraværende": "absent", "fravær": "absent",
    "afbud/fraværende": "absent", "fraværende/afbud": "absent",
    "sekretær": "other", "referent": "other", "mødeleder": "other", "formand": "other",
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


def read_metadata(cover: list[Line], stem: str) -> Metadata:
    """Read the metadata from the cover lines; fill gaps from the file name ``stem``."""
    meta = Metadata()
    _read_title(cover, meta)
    _read_fields(cover, meta)
    _read_unlabelled(cover, meta)
    _fill_from_file_name(stem, meta)
    return meta


def _read_unlabelled(cover: list[Line], meta: Metadata) -> None:
    """Covers that print the date, time and place as lines of their own:
    "tirsdag den 4. december 2012, kl. 13:00" / "i Mødecenter C, ..." or
    "Torsdag den 20. juni 2013" / "Kl. 10:30" / "Kaløvig Kursuscenter" / "8410 Rønde"."""
    if meta.date is not None:
        return
    at = next((k for k, ln in enumerate(cover) if not _label_field(ln.text)
               and parse_danish_date(ln.text) and len(ln.text.split()) <= 10), None)
    if at is None:
        return
    date_line = cover[at]
    meta.date = parse_danish_date(date_line.text)
    place: list[str] = []
    for line in cover[at:]:
        text = " ".join(line.text.split())
        clock = clock_of(text)
        if clock and not meta.time:
            meta.time = clock
            continue
        if line is date_line:
            continue
        if (meta.place or _label_field(text) or kind_of(text) or abs(line.size - date_line.size) > 0.3
                or line.bold != date_line.bold):
            break
        place.append(text[2:] if text.startswith("i ") else text)
    if place and not meta.place:
        meta.place = ", ".join(place)


def _read_title(cover: list[Line], meta: Metadata) -> None:
    """Kind from the biggest title, council from the biggest unlabelled line after it."""
    by_size = sorted(
        (ln for ln in cover if not _LABEL_RE.match(ln.text)), key=lambda ln: -ln.size
    )
    for line in by_size:
        word = line.text.strip().lower()
        kind = kind_of(word)
        if not meta.kind and kind:
            meta.kind = kind
        elif not meta.council and not kind and not _is_date_line(line.text) and not _label_field(
            line.text
        ) and not clock_of(line.text):
            meta.council = " ".join(line.text.split())
        if meta.kind and meta.council:
            return


def _is_date_line(text: str) -> bool:
    return parse_danish_date(text) is not None and len(text.split()) <= 5


def _label_field(text: str) -> tuple[str, str] | None:
    """("date", "7. april 2026") for "Mødedato: 7. april 2026"; None for other lines."""
    bare = " ".join(text.split()).rstrip(":").lower()
    if bare in LABELS:  # a label on a line of its own, with or without colon ("Tilstede")
        return LABELS[bare], ""
    m = _LABEL_RE.match(text.strip())
    if not m:
        return None
    name = LABELS.get(" ".join(m.group("label").lower().split()))
    return (name, m.group("value").strip()) if name else None


def _read_fields(cover: list[Line], meta: Metadata) -> None:
    """Labelled single-value fields, and the entry lines under list labels."""
    current: str | None = None
    entries: dict[str, list[Line]] = {name: [] for name in LIST_FIELDS}
    columns: set[int] = set()  # ids of lines cut from a line set in columns: each an entry
    dated_clock = ""
    for line in cover:
        labelled = _label_field(line.text)
        if labelled:
            name, value = labelled
            if name == "date" and not dated_clock:
                dated_clock = clock_of(value)
            current = name if name in LIST_FIELDS else None
            if current:
                if value:
                    entries[current].append(line)
            else:
                _set_scalar(meta, name, value)
        elif current:
            parts = _columns(line)
            if len(parts) > 1:
                columns.update(id(part) for part in parts)
            entries[current].extend(parts)
    if not meta.time:  # "Mødedato: 4. december 2012, kl. 16.00-18.00": the time after the date
        meta.time = dated_clock
    meta.attendees = join_entries(entries["attendees"], columns)
    meta.absent = join_entries(entries["absent"], columns)


def _set_scalar(meta: Metadata, name: str, value: str) -> None:
    if name == "other":
        return
    if name == "date" and meta.date is None:
        meta.date = parse_danish_date(value)
    elif name == "time" and not meta.time:
        meta.time = value
    elif name == "place" and not meta.place:
        meta.place = value


def _columns(line: Line) -> list[Line]:
    """A list line set in columns ("Jesper Mathiesen (A)      Ole Bjerregaard (V)") as one
    line per column: words are split where the gap is far wider than a space."""
    parts: list[list[PrintedWord]] = [[line.words[0]]]
    for prev, word in zip(line.words, line.words[1:]):
        if word.x0 - prev.x1 > 2.5 * line.size:
            parts.append([word])
        else:
            parts[-1].append(word)
    if len(parts) == 1:
        return [line]
    return [Line(page=line.page, words=ws) for ws in parts]


def join_entries(lines: list[Line], columns: set[int] | None = None) -> list[str]:
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
        if (entries and previous and id(line) not in (columns or ())
                and _continues(entries[-1], text, line, previous, margin, right)):
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
        meta.date = safe_date(*(int(x) for x in m.group("date").split("-")))
    if not meta.council:
        meta.council = _council_from_slug(m.group("slug"))


def _council_from_slug(slug: str) -> str:
    """"kkr-hovedstaden" -> "KKR Hovedstaden" (Danish letters cannot be recovered)."""
    parts = slug.split("-")
    return " ".join(p.upper() if len(p) <= 3 else p.capitalize() for p in parts)
