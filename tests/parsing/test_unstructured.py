"""A meeting document whose items cannot be found is kept unstructured, not rejected."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.parse import parse_pdf


def _minutes_without_numbered_items(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 26)
    c.drawString(72, 700, "Referat")
    c.setFont("Helvetica", 16)
    c.drawString(72, 660, "Ældrerådet")
    c.setFont("Helvetica", 11)
    c.drawString(72, 620, "Mødedato: 12. marts 2026")
    c.drawString(72, 600, "Afbud: Jens Hansen")
    c.showPage()
    c.setFont("Helvetica", 11)
    y = 760
    for text in ["Rådet drøftede budgettet for 2027 og bad om en orientering om",
                 "plejeboligerne på næste møde.", "", "Formanden orienterede om høringen."]:
        c.drawString(72, y, text)
        y -= 16
    c.showPage()
    c.save()


def test_meeting_document_without_items_is_unstructured(tmp_path: Path) -> None:
    path = tmp_path / "aeldreraadet.pdf"
    _minutes_without_numbered_items(path)
    doc = parse_pdf(path)
    assert not doc.structured and doc.items == []
    assert doc.unstructured_reason == "no agenda items found"
    assert (doc.kind, doc.council, doc.date) == ("referat", "Ældrerådet", date(2026, 3, 12))
    assert doc.absent == ["Jens Hansen"]
    assert len(doc.page_texts) == 2 and "plejeboligerne" in doc.page_texts[1]
