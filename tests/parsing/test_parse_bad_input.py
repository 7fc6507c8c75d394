"""Unusable files must be rejected with a RejectedPDF naming the file and the reason."""
from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.errors import RejectedPDF
from indexer.parse import parse_pdf
from tests.reliability.helpers import xref_pdf

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
    """A scan: every page is a placed picture and there is not one word."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    picture = Image.new("L", (600, 840), 255)
    draw = ImageDraw.Draw(picture)
    for row in range(30):
        draw.rectangle((60, 40 + row * 26, 540 - 7 * row, 52 + row * 26), fill=40)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for _page in range(2):
        c.drawImage(ImageReader(picture), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    assert _reject(path).reason == "the PDF has no text layer (scanned?)"


def test_drawings_without_text_are_not_called_a_scan(tmp_path: Path) -> None:
    """Text converted to outlines (or a drawing) has no words and no picture either."""
    path = tmp_path / "outlines.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for row in range(30):
        c.setFillGray(0.2 + 0.02 * row)
        c.rect(72, 760 - row * 22, 450 - 7 * row, 12, stroke=0, fill=1)
    c.showPage()
    c.save()
    assert _reject(path).reason == "the PDF has no text, only drawings (text converted to outlines?)"


def _one_page_pdf(content: bytes, stream_dict: bytes = b"") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< " + stream_dict + b"/Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return xref_pdf(objects)


@pytest.mark.parametrize("content, stream_dict", [
    (bytes(range(256)) * 40, b""),  # bytes that are no drawing operators
    (b"this is not zlib data", b"/Filter /FlateDecode "),  # a stream that does not inflate
], ids=["garbage-operators", "broken-flate"])
def test_damaged_page_content_is_not_called_a_scan(tmp_path: Path, content: bytes, stream_dict: bytes) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(_one_page_pdf(content, stream_dict))
    assert _reject(path).reason == "the PDF's pages show nothing readable (empty or damaged page content)"


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
