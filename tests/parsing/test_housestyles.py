"""The genre test set: the fixture meetings typeset in eight further house styles parse back
to the fixture exactly (numbers, titles, cases, pages, block headings, words, decisions)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from indexer.parse import parse_pdf

from .housestyles import STYLES, render

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SOURCES = sorted(p.name for p in FIXTURES.glob("*_referat.json"))
CASES = [(style, SOURCES[k % len(SOURCES)]) for k, style in enumerate(STYLES)]


def norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("style", "fixture"), CASES, ids=[s.name for s, _ in CASES])
def test_house_style_parses_to_the_fixture(tmp_path, style, fixture):
    source = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    pdf = tmp_path / f"{style.name}.pdf"
    want = render(source, style, pdf)
    doc = parse_pdf(pdf)
    assert doc.structured
    assert (doc.council, doc.kind, doc.date) == (
        source["council"], source["kind"], date.fromisoformat(source["date"]))
    assert doc.page_count == want.pages
    got = [(i.number, i.title, f"{i.case_number} {i.case_initials}".strip(), i.page_first,
            i.page_last) for i in doc.items]
    assert got == [(w["number"], w["title"], w["case"], w["start_page"], w["end_page"])
                   for w in want.items]
    for item, w in zip(doc.items, want.items, strict=True):
        assert [b.heading for b in item.blocks] == w["blocks"], item.number
        for block, paragraphs in zip(item.blocks, w["paragraphs"]):
            assert norm(" ".join(p.text for p in block.paragraphs)) == norm(" ".join(paragraphs)), (
                item.number, block.heading)
        assert [d.this_meeting for d in item.decisions] == w["decisions"], item.number
