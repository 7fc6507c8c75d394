"""Unusable files must be rejected with a RejectedPDF naming the file and the reason."""
from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.errors import RejectedPDF
from indexer.parse import parse_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _reject(path: Path) -> RejectedPDF:
    with pytest.raises(RejectedPDF) as info:
        parse_pdf(path)
    err = info.value
    assert err.path == path
    assert str(err).startswith(f"{path.name}: ")
    return err


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert _reject(path).reason == "the file is empty"


def test_text_file_renamed(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Dagsorden\nKKR Hovedstaden\n1.1. Godkendelse af referat\n", encoding="utf-8")
    assert _reject(path).reason == "the file is not a PDF"


def test_truncated_pdf(tmp_path: Path) -> None:
    data = sorted(CORPUS.glob("*.pdf"))[0].read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert _reject(path).reason.startswith("the PDF is corrupt: ")


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="hemmelig")
    c.drawString(72, 720, "Dagsorden")
    c.showPage()
    c.save()
    assert _reject(path).reason == "the PDF is encrypted"


def test_image_only_pdf(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(2):
        for row in range(30):
            c.setFillGray(0.2 + 0.02 * row)
            c.rect(72, 760 - row * 22, 450 - 7 * row, 12, stroke=0, fill=1)
        c.showPage()
    c.save()
    assert _reject(path).reason == "the PDF has no text layer (scanned?)"


def test_ordinary_letter(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    text = c.beginText(72, 760)
    text.setFont("Helvetica", 11)
    for line in [
        "Kære Jens",
        "",
        "Tak for dit brev af 3. marts 2026. Vi har drøftet sagen og vender tilbage",
        "med et svar inden udgangen af måneden.",
        "",
        "1. Vi ser positivt på forslaget.",
        "2. Økonomien skal afklares.",
        "",
        "Med venlig hilsen",
        "Karen",
    ]:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    assert _reject(path).reason == (
        "not a meeting document: no agenda or minutes, meeting body or agenda items found")


def test_error_message_format() -> None:
    err = RejectedPDF(Path("/x/y/file.pdf"), "the PDF is encrypted")
    assert str(err) == "file.pdf: the PDF is encrypted"
    assert err.reason == "the PDF is encrypted"
