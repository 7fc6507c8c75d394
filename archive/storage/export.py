"""The JSON Lines export format: one document a line, dates ISO, pages 1-based physical."""
from __future__ import annotations

from archive.storage.model import Document


def document_record(doc: Document) -> dict:
    return {
        "council": doc.council,
        "authority": doc.authority,
        "structured": doc.structured,
        "unstructured_reason": doc.unstructured_reason,
        "date": doc.date.isoformat(),
        "kind": doc.kind,
        "file": doc.file_name,
        "sha256": doc.sha256,
        "page_count": doc.page_count,
        "time": doc.time,
        "place": doc.place,
        "attendees": doc.attendees,
        "absent": doc.absent,
        "items": [
            {
                "item_id": item.id,
                "number": item.number,
                "group": item.group,
                "title": item.title,
                "case": item.case_number,
                "case_initials": item.case_initials,
                "document_number": item.document_number,
                "earlier_treatments": item.earlier_treatments,
                "decisions": [
                    {"heading": d.heading, "date": d.date.isoformat() if d.date else None,
                     "this_meeting": d.this_meeting, "text": d.text}
                    for d in item.decisions
                ],
                "pages": [item.page_first, item.page_last],
                "blocks": [
                    {
                        "heading": block.heading,
                        "role": block.role,
                        "pages": [block.page_first, block.page_last],
                        "paragraphs": [p.text for p in block.paragraphs],
                    }
                    for block in item.blocks
                ],
            }
            for item in doc.items
        ],
    }
