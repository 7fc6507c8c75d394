"""House styles of the Danish meeting-document genre, typeset with reportlab from the
fixture JSON (tests/fixtures/*.json, the corpus source format).

Each style varies several dimensions at once: fonts (sans, serif, mono), sizes, margins,
item numbering ("3.2.", "3.2", "Punkt 3.2", "8.", "Punkt 8:", "Pkt. 8", running "715."),
item heading typography (bold, larger, both), block headings (bold, italic, plain, with
colon, inline "Beslutning: ..."), case line forms, table of contents or none, running
headers and footers ("Side N", "Side N af M", "N of M", multi-line), cover forms (labelled
fields or lines of their own) and one or two dated decisions per item.

``render(source, style, path)`` writes the PDF and returns what a reader should find there
(``Expected``), so a test can compare the parse to it.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from archive.text.danish import ATTENDANCE_NOTE_RE, MONTHS
from benchmarks.render import wrap

W, H = A4
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@dataclass(frozen=True)
class Style:
    name: str
    regular: str
    bold: str
    italic: str
    body: float
    left: float
    right: float
    numbering: str  # "3.2.", "3.2", "Punkt 3.2", "3.", "Punkt 3:", "Pkt. 3", "715.", "Sag 3:", "Sag nr. 3", ...
    groups: bool = False  # print group headings "3. Title" (two-level numbering only)
    item_bold: bool = True
    item_scale: float = 1.15
    block: str = "bold"  # bold | bold-colon | italic | plain | inline | inline-plain
    inline_decision: bool = False  # "Beslutning: text" on one line, other blocks as `block`
    case_form: str = "{case}"  # or "Sagsnr.: {case}"
    case_small: bool = True
    toc: bool = False
    header: tuple[str, ...] = ()
    footer: str = ""
    decision_form: str = "Beslutning"  # Beslutning | genitive | in | undated ("Byrådets beslutning")
    caps_headings: bool = False  # block headings in capitals ("SAGSFREMSTILLING")
    decisions: int = 1  # 2: an earlier dated decision precedes this meeting's
    cover: str = "labels"  # labels | lines
    leading: float = 1.3
    para_gap: float = 0.6
    title_below: bool = False  # the item label on a line of its own, the title on the next
    case_at: str = "after"  # after | right (right-aligned on the heading's first line) | brackets (after the title) | above (the line above the heading)
    status: str = ""  # a line after the heading, e.g. "Åbent punkt"
    item_per_page: bool = False  # every item starts on a new page
    number_column: float = 0.0  # > 0: the item label in a column of its own, the title this far right of it
    own_heading: str = ""  # a block heading outside the common vocabulary, in every item before its decision
    # Session 6: forms of other case systems (eDoc, Acadre, SBSYS, Prisme, FirstAgenda, Word)
    recommendation: str = ""  # how "Indstilling" is printed: "Administrationen indstiller", "Økonomiudvalgets anbefaling", ...
    decision_note: str = ""  # a note closing this meeting's decision: "Protokoltilførsel", "Mindretalsudtalelse", "Særudtalelse", "Fraværende"
    title_period: str = ""  # a year period in every title: "end" ("... 2025-2028") or "brackets" ("... (2025-2028)")
    head_fields: tuple[str, ...] = ()  # key/value rows in the item head ("Sagsansvarlig: ...", "Dok.nr.: ...")
    cover_time: str = ""  # the meeting time as printed: "in-date" (after the date), "mødetid" (own label), "clock" ("Kl. 10.30")
    one_page: bool = False  # every item exactly one page long (each block cut to its first paragraph; with item_per_page)


@dataclass
class Expected:
    items: list[dict] = field(default_factory=list)  # number, title, case, pages, blocks
    pages: int = 0
    time: str = ""  # the meeting time as printed on the cover


def _numbers(style: Style, source: dict) -> list[str]:
    if style.numbering in ("3.2.", "3.2", "Punkt 3.2"):
        return [i["number"] for i in source["items"]]
    start = 715 if style.numbering == "715." else 1
    return [str(start + k) for k in range(len(source["items"]))]


def _label(style: Style, number: str) -> str:
    forms = {"3.2.": f"{number}.", "3.2": number, "Punkt 3.2": f"Punkt {number}",
             "3.": f"{number}.", "Punkt 3:": f"Punkt {number}:", "Pkt. 3": f"Pkt. {number}",
             "715.": f"{number}.", "Sag 3:": f"Sag {number}:", "Sag nr. 3": f"Sag nr. {number}",
             "Dagsordenspunkt 3": f"Dagsordenspunkt {number}", "Punkt nr. 3": f"Punkt nr. {number}"}
    return forms[style.numbering]


def _decision_heading(style: Style, body: str, day: dt.date, number: str, earlier: bool = False) -> str:
    if style.decision_form == "undated":  # an earlier treatment by another body, this meeting's by its own
        return f"{'Økonomiudvalget' if earlier else body}s beslutning"
    if style.decision_form == "genitive":
        return f"{body}s beslutning den {day.strftime('%d.%m.%Y')} Punkt {number}"
    if style.decision_form == "in":
        return f"Beslutning i {body} den {day.strftime('%d-%m-%Y')}"
    return "Beslutning"


def _danish(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


class _Page:
    def __init__(self, path: Path, style: Style, source: dict, total: int | None):
        self.c = canvas.Canvas(str(path), pagesize=A4)
        self.style, self.source, self.total = style, source, total
        self.page, self.y = 1, 90.0

    def put(self, x: float, text: str, font: str, size: float) -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, H - self.y - size * 0.8, text)

    def furniture(self) -> None:
        s, src = self.style, self.source
        day = dt.date.fromisoformat(src["date"])
        fill = {"body": src["council"], "kind": src["kind"].capitalize(), "date": _danish(day),
                "num": day.strftime("%d.%m.%Y"), "page": self.page, "pages": self.total or 99}
        self.c.setFont(s.regular, 8)
        for k, text in enumerate(s.header):
            self.c.drawRightString(s.right, H - 30 - 10 * k, text.format(**fill))
        if s.footer:
            self.c.drawCentredString((s.left + s.right) / 2, 28, s.footer.format(**fill))

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.y = 60.0 + 10 * len(self.style.header)
        self.furniture()

    def line(self, x: float, text: str, font: str, size: float, leading: float) -> int:
        if self.y + leading > H - 60:
            self.new_page()
        self.put(x, text, font, size)
        self.y += leading
        return self.page

    def words(self, x: float, runs: list[tuple[str, str]], size: float, leading: float) -> int:
        """One line of several font runs ("Beslutning:" bold, then regular text)."""

        if self.y + leading > H - 60:
            self.new_page()
        for text, font in runs:
            self.put(x, text + " ", font, size)  # a real space character ends the run
            x += stringWidth(text + " ", font, size)
        self.y += leading
        return self.page


def render(source: dict, style: Style, path: Path) -> Expected:
    """Typeset ``source`` in ``style``; two passes so that footers and TOC know the pages."""
    first = _render_once(source, style, path, None)
    return _render_once(source, style, path, first.pages, first)


def _render_once(source: dict, style: Style, path: Path, total: int | None,
                 planned: Expected | None = None) -> Expected:
    s, p = style, _Page(path, style, source, total)
    day = dt.date.fromisoformat(source["date"])
    body, lead = s.body, s.body * s.leading
    width = s.right - s.left
    numbers = _numbers(s, source)
    expected = Expected()
    # cover
    p.y = 180
    p.put(s.left, source["kind"].capitalize(), s.bold, body * 2.6)
    p.y += body * 4
    p.put(s.left, source["council"], s.bold if s.cover == "lines" else s.regular, body * 1.6)
    p.y += body * 3.5
    expected.time = TIMES.get(s.cover_time, source["time"])
    if s.cover == "labels":
        rows = [("Mødedato", _danish(day)), ("Tid", source["time"]), ("Sted", source["place"])]
        if s.cover_time == "in-date":  # "Mødedato: 4. december 2026, kl. 16.00-18.00", no Tid
            rows = [("Mødedato", f"{_danish(day)}, {expected.time}"), ("Sted", source["place"])]
        elif s.cover_time:
            rows[1] = ("Mødetid" if s.cover_time == "mødetid" else "Tidspunkt", expected.time)
        for label, value in rows:
            p.put(s.left, f"{label}: {value}", s.bold, body)
            p.y += body * 1.6
    else:
        when = f"{WEEKDAYS[day.weekday()].capitalize()} den {_danish(day)}"
        rows = [when, expected.time, *source["place"].split(", ")]
        if s.cover_time == "in-date":  # "Torsdag den 20. juni 2026 kl. 16:00 - 18:00"
            rows = [f"{when} {expected.time}", *source["place"].split(", ")]
        for text in rows:
            p.put(s.left, text, s.regular, body * 1.2)
            p.y += body * 1.7
    for label, names in (("Deltagere", source.get("attendees", [])),
                         ("Afbud", source.get("absent", []))):
        if names and p.y < H - 200:
            p.y += body
            p.put(s.left, label if s.cover == "lines" else f"{label}:", s.bold, body)
            for name in names[:12]:
                p.y += body * 1.4
                p.put(s.left, name, s.regular, body - 1)
            p.y += body * 1.4
    p.new_page()
    if s.toc:
        p.put(s.left, "Indholdsfortegnelse", s.bold, body * 1.4)
        p.y += body * 3
        for k, item in enumerate(source["items"]):
            page = planned.items[k]["start_page"] if planned else 0
            for n, text in enumerate(wrap(f"{_label(s, numbers[k])} {item['title']}", s.regular,
                                          body, width - 40, heading=True)):
                p.line(s.left + (0 if n == 0 else 20), text, s.regular, body, lead)
            p.put(s.right - 10, str(page), s.regular, body)
        p.new_page()
    group = None
    for k, item in enumerate(source["items"]):
        number = numbers[k]
        if s.groups and item["number"].split(".")[0] != group:
            group = item["number"].split(".")[0]
            if p.y > 120:
                p.new_page()
            p.line(s.left, f"{group}. {item['group']}", s.bold, body * 1.45, body * 2.6)
        else:
            p.y += body * 2
        font = s.bold if s.item_bold else s.regular
        size = body * s.item_scale
        case_size = body - 2 if s.case_small else body
        case_text = s.case_form.format(case=item["case"])
        room = width - (stringWidth(case_text, s.regular, case_size) + 3 * body if s.case_at == "right" else 0)
        case_number = item["case"].split(" ")[0]
        item_title = item["title"] + {"": "", "end": f" {PERIOD}", "brackets": f" ({PERIOD})"}[s.title_period]
        title = f"{item_title} ({case_number})" if s.case_at == "brackets" and case_number else item_title
        if s.title_below:
            heading_lines = [_label(s, number), *wrap(title, font, size, room, heading=True)]
        elif s.number_column:  # the column is wide enough for the longest label
            column = max(s.number_column, stringWidth(_label(s, numbers[-1]) + "  ", font, size))
            heading_lines = wrap(title, font, size, room - column, heading=True)
        else:
            heading_lines = wrap(f"{_label(s, number)} {title}", font, size, room, heading=True)
        if (s.item_per_page and k > 0) or p.y + size * 1.3 * len(heading_lines) + 5 * lead > H - 60:
            p.new_page()
        if s.case_at == "above":  # the case line (or an empty "Sagsnr.:") over the heading
            p.line(s.left, case_text.strip(), s.regular, case_size, body * 1.6)
        start = p.page
        for n, text in enumerate(heading_lines):
            if n == 0 and s.case_at == "right":
                p.c.setFont(s.regular, case_size)
                p.c.drawRightString(s.right, H - p.y - size * 0.8, case_text)
            if s.number_column and not s.title_below:
                if n == 0:
                    p.put(s.left, _label(s, number), font, size)
                p.line(s.left + column, text, font, size, size * 1.3)
            else:
                p.line(s.left, text, font, size, size * 1.3)
        if s.status:
            p.line(s.left, s.status, s.italic, body, body * 1.5)
        if s.case_at == "after":
            p.line(s.left, case_text, s.regular, case_size, body * 2 if not s.head_fields else body * 1.5)
        elif not s.head_fields:
            p.y += body
        for row in s.head_fields:
            p.line(s.left, row, s.regular, case_size, body * 1.5)
        if s.head_fields:
            p.y += body * 0.5
        blocks = list(item["blocks"])
        if s.one_page:  # each block cut to its first paragraph: every item fits one page
            blocks = [{**b, "paragraphs": [" ".join(b["paragraphs"][0].split()[:40])]} for b in blocks if b["paragraphs"]]
        if s.own_heading:
            at = next((i for i, b in enumerate(blocks) if b["heading"] == "Beslutning"), len(blocks))
            blocks.insert(at, {"heading": s.own_heading,
                               "paragraphs": [f"Sagen har ingen {s.own_heading.split()[-1].lower()} ud over det beskrevne."]})
        if s.decisions == 2 and any(b["heading"] == "Beslutning" for b in blocks):
            at = next(i for i, b in enumerate(blocks) if b["heading"] == "Beslutning")
            blocks.insert(at, {"heading": "Beslutning", "earlier": True,
                               "paragraphs": ["Sagen blev udsat til næste møde."]})
        if s.decision_note:
            blocks = [{**b, "note": True} if b["heading"] == "Beslutning" and not b.get("earlier") else b
                      for b in blocks]
        for block in blocks:
            heading = block["heading"]
            when = day - dt.timedelta(days=35) if block.get("earlier") else day
            printed = s.recommendation if heading == "Indstilling" and s.recommendation else heading
            printed = (_decision_heading(s, source["council"], when, number, bool(block.get("earlier")))
                       if heading == "Beslutning" else printed.upper() if s.caps_headings else printed)
            end = _block(p, s, printed, block["paragraphs"], heading == "Beslutning")
            if block.get("note"):
                end, note = _note(p, s)
                block["paragraphs"] = [*block["paragraphs"], *note]
        this = next((b for b in blocks if b["heading"] == "Beslutning" and not b.get("earlier")), None)
        expected.items.append({
            "number": number, "title": item_title,
            "case": case_number if s.case_at == "brackets" else item["case"],
            "start_page": start, "end_page": end,
            "blocks": [b["heading"] for b in blocks],
            "paragraphs": [[" ".join(x.split()) for x in b["paragraphs"]] for b in blocks],
            "decisions": [not b.get("earlier") for b in blocks if b["heading"] == "Beslutning"],
            # this meeting's decision: its text with the notes on it, but without an attendance note
            "decision": None if this is None else " ".join(
                " ".join(x.split()) for x in this["paragraphs"] if not ATTENDANCE_NOTE_RE.match(x)),
        })
    expected.pages = p.page
    p.c.showPage()
    p.c.save()
    return expected


NOTES = {  # decision_note -> the note's text after its label
    "Protokoltilførsel": "Anne Hansen (A) ønskede tilført protokollen, at hun stemte imod.",
    "Mindretalsudtalelse": "Et mindretal (V) kan ikke anbefale forslaget, da finansieringen ikke er afklaret.",
    "Særudtalelse": "Ø tager forbehold for den endelige finansiering.",
    "Fraværende": "Anne Hansen (A)",
}
PERIOD = "2025-2028"
TIMES = {"in-date": "kl. 16.00-18.00", "mødetid": "kl. 16:00 - 18:00", "clock": "Kl. 10.30"}


def _note(p: _Page, s: Style) -> tuple[int, list[str]]:
    """The note closing this meeting's decision, with its label in the style's heading font:
    on a line of its own above the text, or inline ("Fraværende: Anne Hansen (A)")."""
    body, lead = s.body, s.body * s.leading
    label, text = s.decision_note, NOTES[s.decision_note]
    font = {"italic": s.italic, "plain": s.regular, "inline-plain": s.regular}.get(s.block, s.bold)
    width = s.right - s.left
    if label == "Fraværende" or s.block.startswith("inline"):
        first, *rest = wrap(text, s.regular, body, width - stringWidth(f"{label}: ", font, body))
        page = p.words(s.left, [(f"{label}:", font), (first, s.regular)], body, lead)
        for line in wrap(" ".join(rest), s.regular, body, width) if rest else []:
            page = p.line(s.left, line, s.regular, body, lead)
        p.y += body * s.para_gap
        return page, [f"{label}: {text}"]
    p.line(s.left, label, font, body, lead)
    for line in wrap(text, s.regular, body, width - 16):
        page = p.line(s.left, line, s.regular, body, lead)
    p.y += body * s.para_gap
    return page, [label, text]


def _block(p: _Page, s: Style, printed: str, paragraphs: list[str], decision: bool) -> int:
    body, lead = s.body, s.body * s.leading
    width = s.right - s.left
    mode = "inline" if decision and s.inline_decision else s.block
    p.y += body * 0.5
    if p.y + 3 * lead > H - 60:
        p.new_page()
    paragraphs = list(paragraphs)
    if mode.startswith("inline") and paragraphs and not paragraphs[0].startswith(("– ", "./.")):
        head_font = s.bold if mode == "inline" else s.regular
        label = f"{printed}:"

        room = width - stringWidth(label + " ", head_font, body)
        first, *rest = wrap(paragraphs[0], s.regular, body, room)
        page = p.words(s.left, [(label, head_font), (first, s.regular)], body, lead)
        if rest:
            for text in wrap(" ".join(rest), s.regular, body, width):
                page = p.line(s.left, text, s.regular, body, lead)
        p.y += body * s.para_gap
        paragraphs = paragraphs[1:]
    else:
        font = {"italic": s.italic, "plain": s.regular}.get(mode, s.bold)
        text = printed + (":" if mode in ("bold-colon", "inline", "inline-plain")
                          and printed in ("Baggrund", "Indstilling", "Sagsfremstilling", "Bilag",
                                          "Beslutning") else "")
        page = p.line(s.left, text, font, body, lead)
    for paragraph in paragraphs:
        bullet = paragraph.startswith(("– ", "./."))
        for n, text in enumerate(wrap(paragraph, s.regular, body, width - 16)):
            x = s.left + (16 if bullet and n > 0 else 0)
            page = p.line(x, text, s.regular, body, lead)
        p.y += body * s.para_gap
    return page


STYLES = [
    # KKR Syddanmark, LibreOffice look: Liberation-like serif, "Punkt 2.1 Siden sidst",
    # "Sagsnr.: SAG-2026-00812 lmo", "Baggrund:" with colon, inline "Beslutning: ...",
    # "Side N af M", no TOC.
    Style("syddanmark-libreoffice", "Times-Roman", "Times-Bold", "Times-Italic", 12, 70, 525,
          "Punkt 3.2", block="bold-colon", inline_decision=True,
          case_form="Sagsnr.: {case}", case_small=False, footer="Side {page} af {pages}"),
    # eDoc-like: single-level "8. Title", five-line running header, genitive dated decision,
    # plain-size bold headings, TOC.
    Style("edoc-committee", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10, 85, 515,
          "3.", item_scale=1.1, case_form="Sagsnr.: {case}", case_small=False, toc=True,
          header=("{body}", "Referat", "Åbent referat", "Dato: {num}", "Side {page}"),
          decision_form="genitive", cover="lines"),
    # Acadre-like: running numbers "715.", "N of M" at the top, two dated decisions,
    # larger bold item headings, dotted TOC-less.
    Style("acadre-running", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10, 71, 530,
          "715.", item_scale=1.4, case_form="Sagsnr.: {case}", case_small=False,
          header=("{page} of {pages}",), decision_form="in", decisions=2, cover="lines"),
    # Two-level "3.2" without trailing dot, groups, italic block headings, footer page only.
    Style("italic-blocks", "Times-Roman", "Times-Bold", "Times-Italic", 11, 60, 535, "3.2",
          groups=True, block="italic", footer="{page}", toc=True),
    # "Punkt 3:" numbering, larger but not bold item headings, plain block headings,
    # mono font, wide margins.
    Style("plain-mono", "Courier", "Courier-Bold", "Courier-Oblique", 10, 90, 500, "Punkt 3:",
          item_bold=False, item_scale=1.4, block="plain", header=("{body} - {kind} {date}",),
          footer="Side {page}"),
    # "Pkt. 3", every block heading inline with colon (bold), two decisions, serif.
    Style("inline-everything", "Times-Roman", "Times-Bold", "Times-Italic", 11, 65, 530,
          "Pkt. 3", block="inline", decisions=2, decision_form="in",
          footer="Side {page} af {pages}", leading=1.25),
    # KL classic with other metrics: "3.2." groups, bold headings, small case line, header
    # and footer, narrow column, tight leading.
    Style("kl-narrow", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 9.5, 110, 470,
          "3.2.", groups=True, item_scale=1.2, header=("{body} | {num} SIDE | {page}",),
          toc=True, leading=1.2),
    # Plain inline headings separated by space, single-level, bold-only items at body size,
    # genitive decisions with two dates, cover as lines.
    Style("inline-plain-gaps", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10.5, 72, 523,
          "3.", item_scale=1.0, block="inline-plain", decisions=2, decision_form="genitive",
          case_form="Sagsnr.: {case}", case_small=False, footer="{page} of {pages}",
          cover="lines", para_gap=1.0),
    # The label on a line of its own ("Punkt 3", the title below it), an "Åben sag" status
    # line between heading and case line, every item on a new page, the item label at the
    # top of the page where a page number would stand, a heading of the document's own
    # ("Administrationens bemærkninger") in every item.
    Style("label-above-title", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10.5, 72, 523,
          "715.", item_scale=1.2, title_below=True, status="Åben sag", item_per_page=True,
          own_heading="Administrationens bemærkninger",
          case_form="Sagsnr.: {case}", case_small=False, footer="Side {page}", cover="lines",
          decisions=2, decision_form="in"),
    # The case number right-aligned on the heading's first line ("3. Title    Sag: 12/345"),
    # an empty "Sag:" where an item has no case, plain headings, serif.
    Style("case-at-right", "Times-Roman", "Times-Bold", "Times-Italic", 11, 65, 530, "Punkt 3.2",
          groups=True, case_at="right", case_form="Sag: {case}", case_small=False, block="plain",
          toc=True, header=("{body} - {kind} {date}",), status="Åbent punkt"),
    # A municipal template: the case number in brackets after the title, block headings in
    # capitals, an earlier body's undated decision ("Økonomiudvalgets beslutning") before
    # this meeting's ("KKR Hovedstadens beslutning"), every item on a new page, the item
    # label in a column of its own left of the title.
    Style("municipal-template", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10, 70, 525, "Pkt. 3",
          case_at="brackets", caps_headings=True, decisions=2, decision_form="undated",
          item_per_page=True, number_column=50, footer="Side {page} af {pages}", cover="lines"),
    # A case system that calls its items cases: "Sag 3: Title", the case line "Sagsnr.: ..."
    # below, plain-colon headings, "Side N af M".
    Style("sag-labels", "Times-Roman", "Times-Bold", "Times-Italic", 11, 72, 523, "Sag 3:",
          case_form="Sagsnr.: {case}", case_small=False, block="bold-colon", footer="Side {page} af {pages}",
          decision_form="genitive", cover="lines"),
    # "Dagsordenspunkt 3" on a line of its own, the title below it, a period in some titles.
    Style("dagsordenspunkt-above", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10, 70, 525,
          "Dagsordenspunkt 3", title_below=True, case_form="Sag: {case}", case_small=True, toc=True,
          footer="{page}", decisions=2, decision_form="in"),
    # The case line printed above each item's heading ("Sagsnr.: ..." over "Sag 3: Title"),
    # an empty "Sagsnr.:" where an item has no case, every item on a new page.
    Style("case-above", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10.5, 72, 523, "3.",
          case_at="above", case_form="Sagsnr.: {case}", case_small=False, item_per_page=True,
          footer="Side {page} af {pages}", cover="lines", decision_form="undated", decisions=2),
    # "Punkt nr. 3" with the title on the same line, italic headings.
    Style("punkt-nr", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10.5, 80, 515, "Punkt nr. 3",
          block="italic", case_form="{case}", case_small=True, header=("{body}",)),
    # SBSYS-like: "Sag nr. 3", the case line above the heading (an empty "Sagsnr.:" where an
    # item has none), key/value rows in the item head, "Administrationen indstiller", a
    # "Protokoltilførsel" in the decision, the time after the date on the cover.
    Style("sbsys-case-above", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10, 72, 523, "Sag nr. 3",
          case_at="above", case_form="Sagsnr.: {case}", case_small=False,
          head_fields=("Sagsansvarlig: Anne Hansen", "Dok.nr.: 2026-123456"),
          recommendation="Administrationen indstiller", decision_note="Protokoltilførsel",
          cover_time="in-date", footer="Side {page} af {pages}"),
    # Prisme-like: "Dagsordenspunkt 3" on a line of its own, every item exactly one page
    # (the label at the head of each page, numbered like the pages), "Økonomiudvalgets
    # anbefaling", "Fraværende: ..." in the decision, a year period in brackets in the titles.
    Style("prisme-one-page", "Times-Roman", "Times-Bold", "Times-Italic", 11, 65, 530, "Dagsordenspunkt 3",
          title_below=True, item_per_page=True, one_page=True, recommendation="Økonomiudvalgets anbefaling",
          decision_note="Fraværende", title_period="brackets", case_form="Sag: {case}", case_small=False,
          cover="lines", cover_time="clock", footer="Side {page}"),
    # A Word template (FirstAgenda export): "Punkt nr. 3", italic headings, "Direktionen
    # indstiller", a "Mindretalsudtalelse", a period at the end of the titles, an
    # "Åben/Lukket" row in the head, "Mødetid:" on the cover.
    Style("word-firstagenda", "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", 10.5, 70, 525, "Punkt nr. 3",
          block="italic", recommendation="Direktionen indstiller", decision_note="Mindretalsudtalelse",
          title_period="end", head_fields=("Åben/Lukket: Åben", "Sagsbehandler: Ole Jensen"),
          cover_time="mødetid", toc=True, header=("{body} - {kind} {date}",)),
    # Acadre-like inline: "Sag 3:", every heading inline with colon, "Forvaltningen
    # indstiller", a "Særudtalelse", the case line above the heading.
    Style("acadre-inline-notes", "Times-Roman", "Times-Bold", "Times-Italic", 11, 65, 530, "Sag 3:",
          block="inline", recommendation="Forvaltningen indstiller", decision_note="Særudtalelse",
          case_at="above", case_form="Sagsnr. {case}", title_period="brackets", decisions=2,
          decision_form="in", footer="{page} of {pages}"),
]


FONTS = (("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"), ("Times-Roman", "Times-Bold", "Times-Italic"),
         ("Courier", "Courier-Bold", "Courier-Oblique"))
NUMBERINGS = ("3.2.", "3.2", "Punkt 3.2", "3.", "Punkt 3:", "Pkt. 3", "715.", "Sag 3:", "Dagsordenspunkt 3",
              "Punkt nr. 3", "Sag nr. 3")


def random_style(rng: random.Random, name: str) -> Style:
    """Any combination of the dimensions above: the styles a parser has not been shown."""
    numbering = rng.choice(NUMBERINGS)
    two_level = numbering in ("3.2.", "3.2", "Punkt 3.2")
    item_bold = rng.random() < 0.7
    style = Style(
        name, *rng.choice(FONTS), rng.choice([9.5, 10, 10.5, 11, 12]), rng.choice([60, 72, 85, 100]),
        rng.choice([470, 500, 525, 535]), numbering, groups=two_level and rng.random() < 0.5,
        item_bold=item_bold, item_scale=rng.choice([1.0, 1.1, 1.2, 1.4] if item_bold else [1.2, 1.4]),
        block=rng.choice(["bold", "bold-colon", "italic", "plain", "inline", "inline-plain"]),
        inline_decision=rng.random() < 0.3,
        case_form=rng.choice(["{case}", "Sagsnr.: {case}", "Sag: {case}", "Sagsnr. {case}"]),
        case_small=rng.random() < 0.5, toc=rng.random() < 0.5,
        header=rng.choice([(), ("{body}",), ("{page} of {pages}",), ("{body} - {kind} {date}",)]),
        footer=rng.choice(["", "Side {page}", "Side {page} af {pages}", "{page}"]),
        decision_form=rng.choice(["Beslutning", "genitive", "in", "undated"]),
        caps_headings=rng.random() < 0.25, decisions=rng.choice([1, 2]), cover=rng.choice(["labels", "lines"]),
        leading=rng.choice([1.2, 1.3, 1.45]), para_gap=rng.choice([0.4, 0.6, 1.0]),
        title_below=rng.random() < 0.3, case_at=rng.choice(["after", "right", "brackets", "above"]),
        status=rng.choice(["", "", "Åbent punkt", "Åben sag"]), item_per_page=rng.random() < 0.25,
        number_column=rng.choice([0.0, 0.0, 45.0, 60.0]),
        own_heading=rng.choice(["", "", "Administrationens bemærkninger", "Politisk behandling"]),
    )
    if style.block in ("plain", "inline-plain"):  # a plain line outside the vocabulary is text
        style = replace(style, own_heading="")
    # Session 6's dimensions, drawn after the others (the earlier dimensions of a seed stay as they were)
    style = replace(
        style,
        recommendation=rng.choice(["", "", "Administrationen indstiller", "Forvaltningen indstiller",
                                   "Direktionen indstiller", "Direktionens indstilling", "Økonomiudvalgets anbefaling"]),
        decision_note=rng.choice(["", "", "Protokoltilførsel", "Mindretalsudtalelse", "Særudtalelse", "Fraværende"]),
        title_period=rng.choice(["", "", "end", "brackets"]),
        head_fields=rng.choice([(), (), ("Sagsansvarlig: Anne Hansen",), ("Sagsansvarlig: Anne Hansen", "Dok.nr.: 2026-123456"),
                                ("Åben/Lukket: Åben", "Sagsbehandler: Ole Jensen")]),
        cover_time=rng.choice(["", "", "in-date", "mødetid", "clock"]),
    )
    if rng.random() < 0.15:
        style = replace(style, one_page=True, item_per_page=True)
    return style
