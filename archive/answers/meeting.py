"""Questions about a meeting itself: who attended, who was absent, where and when it was held,
what it dealt with. Answered from the meeting's own data (the cover of its referat, else of
its dagsorden: attendees, absent members, place, time; its agenda items), cited to the cover.

`meeting_question(parsed)` -> `MeetingQuestion | None` tells whether a parsed question asks about
a meeting; `meeting_facts(archive, asked, refs)` finds the meeting(s) and returns what to say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from archive.answers.question import MONTHS, ParsedQuestion, _latest_month, _month_end
from archive.storage.model import Document
from archive.text.citation import KIND_DA, body_label, format_date_da

MEETING_WORD = re.compile(rf"\b(?:møde(?:t|s|r)?|(?:{'|'.join(MONTHS)})møde(?:t)?)\b", re.I)
MONTH_MEETING = re.compile(rf"\b({'|'.join(MONTHS)})møde(?:t)?\b(?:\s+((?:19|20)\d\d))?", re.I)

# what is asked about the meeting, first match wins (lowercase text)
ASPECTS: list[tuple[str, re.Pattern]] = [
    ("absent", re.compile(r"\b(?:fraværende|afbud|ikke til stede|ikke med|forfald|manglede)\b")),
    ("attendees", re.compile(r"\b(?:deltog|deltagere|deltagerne|til stede|fremmødte|mødte|stedfortræder\w*|"
                             r"hvem var med)\b")),
    ("time", re.compile(r"\b(?:på dagen|klokken|kl\.|startede|begyndte|sluttede|tidspunkt)\b")),
    ("place", re.compile(r"\b(?:hvor blev|hvor var|hvor foregik|hvor holdt|afholdt|holdt|mødested|sted)\b")),
    ("items", re.compile(r"\b(?:handlede|behandlet|behandlede|punkter|dagsorden(?:en)?|på programmet|drøftede|"
                         r"drøftet|om hvad)\b")),
]


# "Hvem er formand for <body>?": a role on the body, read from its latest meeting's cover
ROLE_WORDS = {"formand": "formand", "formanden": "formand", "næstformand": "næstformand",
              "næstformanden": "næstformand"}


@dataclass(frozen=True)
class MeetingQuestion:
    aspect: str  # absent | attendees | time | place | items | role:<formand|næstformand>
    council: str
    date_from: date
    date_to: date
    # role questions are answered from the items when they say it, else from the cover
    fallback: bool = False


def meeting_question(parsed: ParsedQuestion, today: date) -> MeetingQuestion | None:
    """The meeting asked about, when the question is about one council's meeting in a period."""
    lowered = parsed.text.lower()
    if len(parsed.councils) != 1:
        return None
    roles = {ROLE_WORDS.get(w.lower()) for w in parsed.topic_words}
    if parsed.intent == "people" and parsed.topic_words and None not in roles and len(roles) == 1:
        # nothing but the role is asked about the body: its members as of the latest meeting
        return MeetingQuestion(f"role:{roles.pop()}", parsed.councils[0], parsed.date_from or date.min,
                               parsed.date_to or date.max, fallback=True)
    if not MEETING_WORD.search(lowered):
        return None
    aspect = next((name for name, pattern in ASPECTS if pattern.search(lowered)), None)
    if aspect is None or (aspect in ("place", "time", "items") and _asks_more(parsed, lowered)):
        return None
    date_from, date_to = parsed.date_from, parsed.date_to
    if date_from is None and date_to is None:
        m = MONTH_MEETING.search(lowered)
        if m is None:
            return None
        month = MONTHS.index(m.group(1)) + 1
        year = int(m.group(2)) if m.group(2) else _latest_month(month, today)
        date_from, date_to = date(year, month, 1), _month_end(year, month)
    if date_from is None or date_to is None:
        return None
    return MeetingQuestion(aspect, parsed.councils[0], date_from, date_to)


# the kind of meeting ("det ekstraordinære møde") says which meeting, not what is asked
MEETING_KIND = re.compile(r"^(?:ekstra)?ordinære?$|^sidste$|^første$|^seneste$", re.I)


def _asks_more(parsed: ParsedQuestion, lowered: str) -> bool:
    """The question asks about something in the meeting ("Hvem holdt oplæg om økonomien på
    mødet?"), not about the meeting itself: a topic word outside the meeting and aspect words."""
    spans = [m.span() for p in [MEETING_WORD, MONTH_MEETING] + [p for _n, p in ASPECTS] for m in p.finditer(lowered)]
    for word in parsed.topic_words:
        low = word.lower()
        if MEETING_KIND.match(low) or re.fullmatch(r"(?:19|20)\d\d", low):
            continue
        at = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(low)}(?!\w)", lowered)]
        if not any(a <= i < b for i in at for a, b in spans):
            return True
    return False


@dataclass
class MeetingAnswer:
    lead: str
    lines: list[str]
    citations: list[dict]


def possessive(council: str) -> str:
    """"KKR Sjællands"; a name that ends in s, x or z takes an apostrophe ("Syddjurs'"), one
    that ends in a bracket keeps the genitive on its name ("Udvalget for plan, udvikling og
    kultur (PUK)" -> "Udvalget for plan, udvikling og kulturs (PUK)")."""
    m = re.match(r"^(.*?)(\s*\([^()]*\))$", council)
    if m:
        return possessive(m.group(1)) + m.group(2)
    return council + ("'" if council.endswith(("s", "x", "z")) else "s")


def _cover_citation(doc: Document) -> dict:
    kind = KIND_DA.get(doc.kind, doc.kind)
    return {
        "item_id": "", "document_id": doc.id, "council": doc.council, "authority": doc.authority,
        "body": body_label(doc.council, doc.authority), "date": doc.date.isoformat(),
        "kind": doc.kind, "number": "", "title": f"{kind.capitalize()} af mødet {format_date_da(doc.date)}",
        "case": "", "page": 1, "quote": "", "block": "forside", "role": "meeting",
        "url": f"/moede/{doc.meeting_id}" if doc.meeting_id else "", "pdf_url": f"/pdf/{doc.id}#page=1",
        "cite": f"{body_label(doc.council, doc.authority)}, {kind} af mødet {format_date_da(doc.date)}, forsiden, s. 1",
    }


def meeting_answer(archive, asked: MeetingQuestion) -> MeetingAnswer | None:
    """What the meeting's own documents say about `asked`, or None when the archive has no
    meeting of that council in that period."""
    meetings = [m for m in archive.meetings()
                if m.council == asked.council and asked.date_from <= m.date <= asked.date_to]
    if not meetings:
        return None
    lead_parts: list[str] = []
    lines: list[str] = []
    citations: list[dict] = []
    if asked.aspect.startswith("role:"):
        meetings = sorted(meetings, key=lambda m: m.date)[-1:]
    for meeting in sorted(meetings, key=lambda m: m.date):
        doc = _cover_document(archive.documents(meeting_id=meeting.id))
        if doc is None:
            continue
        full = archive.document(doc.id, with_items=True) if asked.aspect == "items" else doc
        doc = full or doc
        where = f"{possessive(doc.council)} møde den {format_date_da(doc.date)}"
        source = f"ifølge {KIND_DA.get(doc.kind, doc.kind)}ets forside"
        if asked.aspect.startswith("role:"):
            role = asked.aspect.split(":", 1)[1]
            holders = [a for a in doc.attendees
                       if re.search(rf"(?<!\w){role}(?!\w)", a, re.I)]
            if not holders:
                continue
            said = f"{role.capitalize()} ifølge forsiden af {where}: {join_da(holders)}."
        elif asked.aspect == "absent":
            said = (f"Fraværende ved {where} ({source}): {join_da(doc.absent)}." if doc.absent
                    else f"{KIND_DA.get(doc.kind, doc.kind).capitalize()}et af {where} nævner ingen fraværende.")
        elif asked.aspect == "attendees":
            said = f"Til stede ved {where} ({source}): {join_da(doc.attendees)}." if doc.attendees else (
                f"{KIND_DA.get(doc.kind, doc.kind).capitalize()}et af {where} nævner ingen deltagere.")
            if doc.attendees and doc.absent:
                said += f" Fraværende: {join_da(doc.absent)}."
        elif asked.aspect == "time":
            said = f"{where[0].upper()}{where[1:]} blev holdt {doc.time}." if doc.time else (
                f"Forsiden af {where} angiver intet tidspunkt.")
        elif asked.aspect == "place":
            said = f"Mødested for {where}: {doc.place}." if doc.place else (
                f"Forsiden af {where} angiver intet mødested.")
        else:
            items = list(doc.items)
            said = (f"{where[0].upper()}{where[1:]} behandlede {len(items)} punkter ({KIND_DA.get(doc.kind, doc.kind)}):"
                    if items else f"Arkivet har ingen punkter fra {where}.")
            lines += [f"   pkt. {i.number} \"{i.title}\"" for i in items]
        lead_parts.append(said)
        citations.append(_cover_citation(doc))
    if not citations:
        return None
    return MeetingAnswer(" ".join(lead_parts), lines, citations)


def _cover_document(docs: list[Document]) -> Document | None:
    """The document whose cover speaks for the meeting: its referat (the full one, with the
    members, over a one-item export), else its dagsorden."""
    if not docs:
        return None
    return max(docs, key=lambda d: (d.kind == "referat", bool(d.attendees or d.absent), d.page_count))


def join_da(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]

