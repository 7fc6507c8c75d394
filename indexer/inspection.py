"""What the parser found in one PDF, for people and tools (``kkr-arkiv inspect FILE``).

Metadata, items with pages, block headings with their roles, decisions, what was removed
as page furniture, and what the parser was unsure of. No archive is needed.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from archive.storage.model import Document
from indexer import genre
from indexer.layout import Page, furniture_key
from indexer.parse import parse_with_layout
from indexer.structure import Split


def inspect_pdf(path: Path) -> dict[str, Any]:
    """The parse of ``path`` as plain data; raises ``RejectedPDF`` like ``parse_pdf``."""
    doc, pages, split = parse_with_layout(path)
    return {
        "file": doc.file_name,
        "structured": doc.structured,
        "unstructured_reason": doc.unstructured_reason,
        "body": doc.council,
        "authority": doc.authority,
        "kind": doc.kind,
        "date": doc.date.isoformat(),
        "time": doc.time,
        "place": doc.place,
        "attendees": doc.attendees,
        "absent": doc.absent,
        "pages": doc.page_count,
        "toc_pages": split.toc_pages,
        "items": [
            {
                "number": it.number,
                "group": it.group,
                "title": it.title,
                "case": f"{it.case_number} {it.case_initials}".strip(),
                "document_number": it.document_number,
                "earlier_treatments": it.earlier_treatments,
                "pages": [it.page_first, it.page_last],
                "blocks": [{"heading": b.heading, "printed": b.printed, "role": b.role,
                            "pages": [b.page_first, b.page_last],
                            "paragraphs": len(b.paragraphs)} for b in it.blocks],
                "decisions": [{"heading": d.heading, "date": d.date.isoformat() if d.date else None,
                               "this_meeting": d.this_meeting, "text": d.text}
                              for d in it.decisions],
            }
            for it in doc.items
        ],
        "furniture": _furniture(pages),
        "closing_lines": len(split.closing),
        "unsure": _unsure(doc, pages, split),
    }


def _furniture(pages: list[Page]) -> list[dict[str, Any]]:
    """Removed running headers/footers: each distinct text (digits normalised), with pages."""
    seen: dict[str, dict[str, Any]] = {}
    for page in pages:
        for line in page.furniture:
            entry = seen.setdefault(furniture_key(line.text), {"example": line.text, "pages": []})
            entry["pages"].append(page.number)
    return [{"text": v["example"], "pages": len(v["pages"])} for v in seen.values()]


def _unsure(doc: Document, pages: list[Page], split: Split) -> list[str]:
    notes: list[str] = []
    if not doc.structured:
        notes.append(f"no items found ({doc.unstructured_reason}); kept as {doc.page_count} pages")
    for it in doc.items:
        if not it.case_number:
            notes.append(f"item {it.number}: no case number")
        if doc.kind == "referat" and it.decision is None:
            notes.append(f"item {it.number}: no decision of this meeting found")
        if not any(b.printed for b in it.blocks):
            notes.append(f"item {it.number}: no block heading recognised")
    toc = [genre.split_item_number(ln.text) for p in pages if p.number in split.toc_pages
           for ln in p.lines]
    toc_numbers = [f"{n[0]}.{n[1]}" if n[1] else n[0] for n in toc if n]
    found = {it.number for it in doc.items}
    missing = [n for n in toc_numbers
               if n not in found and not any(i.startswith(n + ".") for i in found)]
    if missing:
        notes.append("in the table of contents but not found: " + ", ".join(missing))
    counts = Counter(it.number for it in doc.items)
    notes += [f"item number {n} found {k} times" for n, k in counts.items() if k > 1]
    return notes


def format_text(report: dict[str, Any]) -> str:
    """The report as lines for a terminal."""
    out = [
        f"{report['file']}: {report['kind']} of {report['body']} ({report['authority'] or '?'}),"
        f" {report['date']} {report['time']}".rstrip(),
        f"  place: {report['place'] or '-'}",
        f"  attendees: {len(report['attendees'])}, absent: {len(report['absent'])},"
        f" pages: {report['pages']}, table of contents on: {report['toc_pages'] or '-'}",
    ]
    if not report["structured"]:
        out.append(f"  UNSTRUCTURED: {report['unstructured_reason']}")
    for it in report["items"]:
        out.append(f"  {it['number']}  {it['title']}  [{it['case'] or 'no case'}]"
                   f"  pages {it['pages'][0]}-{it['pages'][1]}")
        for b in it["blocks"]:
            printed = f" (printed: {b['printed']})" if b["printed"] and b["printed"] != b["heading"] else ""
            shown = b["heading"] if b["printed"] else f"({b['heading']}, no heading printed)"
            out.append(f"      {shown} -> {b['role']}{printed}")
        for d in it["decisions"]:
            mark = "this meeting" if d["this_meeting"] else "earlier"
            out.append(f"      decision {d['date'] or 'undated'} [{mark}]: {d['text'][:90]}")
    out.append("  removed as page furniture:")
    out += [f"      {f['text']!r} on {f['pages']} pages" for f in report["furniture"]] or ["      -"]
    out.append("  unsure:")
    out += [f"      {note}" for note in report["unsure"]] or ["      -"]
    return "\n".join(out)
