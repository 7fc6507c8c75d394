"""The genre test set: the fixture meetings typeset in eighteen further house styles and sixteen
random combinations of their dimensions parse back to the fixture exactly (numbers, titles,
cases, pages, block headings, words, decisions, the meeting time)."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from indexer.parse import parse_pdf

import random

from .housestyles import STYLES, random_style, render

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SOURCES = sorted(p.name for p in FIXTURES.glob("*_referat.json"))
CASES = [(style, SOURCES[k % len(SOURCES)]) for k, style in enumerate(STYLES)]


def norm(text: str) -> str:
    return " ".join(text.split())


def clock(text: str) -> str:
    """"16.00-18.00" of "kl. 16.00 - 18.00": the clock as printed, without "kl." and spaces."""
    return re.sub(r"^kl\.?", "", text.strip(), flags=re.IGNORECASE).replace(" ", "")


RANDOM = [(random_style(random.Random(seed), f"random-{seed}"), SOURCES[seed % len(SOURCES)]) for seed in range(16)]


@pytest.mark.parametrize(("style", "fixture"), CASES + RANDOM, ids=[s.name for s, _ in CASES + RANDOM])
def test_house_style_parses_to_the_fixture(tmp_path, style, fixture):
    """The named styles, and random combinations of their dimensions (fixed seeds: the same
    sixteen on every run; `housestyles.random_style` draws them)."""
    source = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    pdf = tmp_path / f"{style.name}.pdf"
    want = render(source, style, pdf)
    doc = parse_pdf(pdf)
    assert doc.structured
    assert (doc.council, doc.kind, doc.date) == (
        source["council"], source["kind"], date.fromisoformat(source["date"]))
    assert doc.page_count == want.pages
    assert clock(doc.time) == clock(want.time)
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
        if w["decision"] is not None:
            assert item.decision is not None and norm(item.decision.text) == norm(w["decision"]), item.number
