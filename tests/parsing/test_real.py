"""Real committee minutes from other case systems (../shared/real) parse to their truth."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from archive.storage.model import Document
from indexer.errors import RejectedPDF
from indexer.parse import parse_pdf

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real"  # ../shared from the repo
if not REAL.exists():
    REAL = Path("/work/shared/real")
MEETINGS = sorted(p.stem for p in REAL.glob("*.pdf") if "bilag" not in p.stem)

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="../shared/real is not present")


@lru_cache(maxsize=None)
def parsed(stem: str) -> Document:
    return parse_pdf(REAL / f"{stem}.pdf")


def truth(stem: str) -> dict:
    return json.loads((REAL / f"{stem}.truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("stem", MEETINGS)
def test_metadata(stem: str) -> None:
    doc, want = parsed(stem), truth(stem)
    assert doc.structured
    assert (doc.council, doc.authority, doc.kind) == (want["body"], want["authority"], want["kind"])
    assert doc.date == date.fromisoformat(want["date"])
    assert doc.page_count == want["pages"]
    for key, got in (("time", doc.time), ("place", doc.place), ("attendees", doc.attendees)):
        if key in want:
            assert got == want[key], key


@pytest.mark.parametrize("stem", MEETINGS)
def test_items(stem: str) -> None:
    doc = parsed(stem)
    got = [(i.number, i.title, i.case_number, i.page_first, i.page_last,
            i.decision.text if i.decision else None) for i in doc.items]
    want = [(t["number"], t["title"], t["case"], t["start_page"], t["end_page"], t["decision"])
            for t in truth(stem)["items"]]
    assert got == want


@pytest.mark.parametrize("stem", MEETINGS)
def test_block_headings(stem: str) -> None:
    doc = parsed(stem)
    for item, want in zip(doc.items, truth(stem)["items"], strict=True):
        if want["blocks"] is not None:
            assert [b.heading for b in item.blocks if b.printed] == want["blocks"], item.number
        assert all(b.role == "decision" for b in item.blocks if b.heading == "Beslutning")


def test_three_dated_decisions_only_one_of_this_meeting() -> None:
    stem = next(s for s in MEETINGS if s.startswith("syddjurs"))
    item = parsed(stem).items[0]
    history = truth(stem)["decision_history"]
    assert [d.date.isoformat() for d in item.decisions if d.date] == [h["date"] for h in history]
    assert [d.this_meeting for d in item.decisions] == [False, False, True]
    assert item.decisions[0].heading.startswith("Beslutning i Udvalget for plan")
    assert item.decisions[1].text == history[1]["text"]


def test_ballerup_item_metadata_and_roles() -> None:
    stem = next(s for s in MEETINGS if s.endswith("_referat") and s.startswith("ballerup"))
    item = parsed(stem).items[1]
    assert item.document_number == "2012-203438"
    roles = {b.heading: b.role for b in item.blocks}
    assert roles["Indstilling"] == "recommendation"
    assert roles["Bilag"] == "attachments"
    assert roles["Sammendrag"] == "background"
    assert item.decision is not None and item.decision.heading.endswith("Punkt 2")


def test_memo_is_rejected_as_not_a_meeting_document() -> None:
    path = REAL / "ballerup_notat_2012-11-19_bilag.pdf"
    with pytest.raises(RejectedPDF) as info:
        parse_pdf(path)
    assert info.value.reason.startswith("not a meeting document")
    assert "\n" not in str(info.value)
