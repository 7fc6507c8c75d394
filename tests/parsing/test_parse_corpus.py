"""The parser against the sample corpus and its ground truth (tests/fixtures)."""
from __future__ import annotations

import difflib
import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from archive.storage.model import Document
from indexer.hyphenation import Join, Vocabulary, decide, join_lines
from indexer.parse import parse_pdf

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STEMS = sorted(p.stem for p in CORPUS.glob("*.pdf"))
# `make test-fast` parses one agenda and one set of minutes; `make test` every document.
FAST_STEMS = ("kkr-sjaelland_2026-09-24_dagsorden", "kkr-sjaelland_2026-09-24_referat")
PARAMS = [stem if stem in FAST_STEMS else pytest.param(stem, marks=pytest.mark.slow) for stem in STEMS]


def norm(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=None)
def parsed(stem: str) -> Document:
    return parse_pdf(CORPUS / f"{stem}.pdf")


@lru_cache(maxsize=None)
def source(stem: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def truth(stem: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{stem}.truth.json").read_text(encoding="utf-8"))


def expected_words(stem: str) -> list[str]:
    words: list[str] = []
    for item in source(stem)["items"]:
        words += [item["number"], *item["title"].split(), *item["case"].split()]
        for block in item["blocks"]:
            words.append(block["heading"])
            for para in block["paragraphs"]:
                words += para.split()
    return words


def parsed_words(doc: Document) -> list[str]:
    words: list[str] = []
    for item in doc.items:
        words += [item.number, *item.title.split(), *item.case_number.split(),
                  *item.case_initials.split()]
        for block in item.blocks:
            words.append(block.heading)
            for para in block.paragraphs:
                words += para.text.split()
    return words


def word_accuracy(expected: list[str], got: list[str]) -> float:
    """Share of the expected words matched in order (difflib over word sequences)."""
    matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / max(len(expected), len(got), 1)


def test_corpus_present() -> None:
    assert len(STEMS) >= 10
    for stem in STEMS:
        assert (FIXTURES / f"{stem}.json").exists()


@pytest.mark.parametrize("stem", PARAMS)
def test_metadata(stem: str) -> None:
    doc, src = parsed(stem), source(stem)
    assert doc.council == src["council"]
    assert doc.kind == src["kind"]
    assert doc.date == date.fromisoformat(src["date"])
    assert doc.time == src["time"]
    assert doc.place == src["place"]
    assert doc.attendees == src.get("attendees", [])
    assert doc.absent == src.get("absent", [])
    assert doc.page_count == truth(stem)["pages"]
    assert doc.file_name == f"{stem}.pdf"
    assert len(doc.sha256) == 64


@pytest.mark.parametrize("stem", PARAMS)
def test_items_and_pages(stem: str) -> None:
    doc = parsed(stem)
    got = [(i.number, i.title, f"{i.case_number} {i.case_initials}".strip(), i.page_first,
            i.page_last) for i in doc.items]
    want = [(t["number"], t["title"], t["case"], t["start_page"], t["end_page"])
            for t in truth(stem)["items"]]
    assert got == want
    groups = [(i.number, i.group) for i in doc.items]
    assert groups == [(i["number"], i["group"]) for i in source(stem)["items"]]
    for item in doc.items:
        assert item.number.split(".")[0] == item.group_number


@pytest.mark.parametrize("stem", PARAMS)
def test_blocks_and_paragraphs(stem: str) -> None:
    doc = parsed(stem)
    for item, want in zip(doc.items, source(stem)["items"], strict=True):
        assert [b.heading for b in item.blocks] == [b["heading"] for b in want["blocks"]], item.number
        for block, want_block in zip(item.blocks, want["blocks"]):
            got_paras = [norm(p.text) for p in block.paragraphs]
            want_paras = [norm(p) for p in want_block["paragraphs"]]
            assert got_paras == want_paras, f"{item.number} {block.heading}"
            for para in block.paragraphs:
                assert para.lines and para.page_first <= para.page_last
                assert item.page_first <= para.page_first and para.page_last <= item.page_last
                assert para.attachment == para.text.startswith("./.")


@pytest.mark.slow  # parses every document of the corpus
def test_word_accuracy() -> None:
    """Word-level accuracy over the whole corpus must be 100%."""
    total_expected = total_matched = 0
    for stem in STEMS:
        expected, got = expected_words(stem), parsed_words(parsed(stem))
        acc = word_accuracy(expected, got)
        print(f"{stem}: {acc:.4%} of {len(expected)} words")
        total_expected += max(len(expected), len(got))
        total_matched += round(acc * max(len(expected), len(got)))
    overall = total_matched / total_expected
    print(f"corpus word accuracy: {overall:.4%} ({total_expected} words)")
    assert overall == 1.0


def test_numbered_line_in_text_is_not_an_item() -> None:
    doc = parsed("kkr-hovedstaden_2026-04-07_dagsorden")
    assert "1" not in {i.number for i in doc.items}
    item = next(i for i in doc.items if i.number == "3.1")
    paras = [p.text for p in item.block("Sagsfremstilling").paragraphs]  # type: ignore[union-attr]
    assert "1. Kommunerne skal have fælles tilgang til styring og takster" in paras
    assert all(not i.title.startswith("Kommunerne skal") for i in doc.items)


def test_subheading_and_attachment_flags() -> None:
    doc = parsed("kkr-hovedstaden_2026-04-07_dagsorden")
    block = doc.items[2].block("Baggrund")
    assert block is not None
    sub = next(p for p in block.paragraphs if p.text == "SKF Østdanmark")
    assert sub.subheading and not sub.attachment
    att = next(p for p in block.paragraphs if p.text.startswith("./."))
    assert att.attachment and not att.subheading


@pytest.mark.parametrize(
    ("head", "tail", "verdict"),
    [
        ("med-", "lemmerne", Join.JOIN),
        ("herbergs-", "området", Join.JOIN),
        ("SOSU-", "området", Join.KEEP),
        ("EU-", "projektet", Join.KEEP),
        ("KKR-", "geografien.", Join.KEEP),
        ("2027-", "2028", Join.KEEP),
        ("Høje-", "Taastrup", Join.KEEP),
        ("social-", "og", Join.SPACE),
        ("sundheds-", "eller", Join.SPACE),
        ("https://www.greatercph.com/da/news/ny-rapport-viser-stort-potentiale-i-",
         "svensk-hjaelp", Join.KEEP),
    ],
)
def test_hyphenation_shapes(head: str, tail: str, verdict: Join) -> None:
    assert decide(head, tail) is verdict


def test_hyphenation_uses_document_vocabulary() -> None:
    vocab = Vocabulary(["de ikke-offentlige pladser", "myndighedsansvaret og mere"])
    assert decide("ikke-", "offentlige", vocab) is Join.KEEP
    assert decide("ikke-", "offentlige") is Join.JOIN  # without evidence: a line-end break
    assert decide("myndigheds-", "ansvaret", vocab) is Join.JOIN


def test_join_lines_real_examples() -> None:
    assert join_lines(["KKR Hovedstaden den 26. januar 2026 er udsendt til med-",
                       "lemmerne via Prepare"]) == (
        "KKR Hovedstaden den 26. januar 2026 er udsendt til medlemmerne via Prepare")
    assert join_lines(["godkende den ny rammeaftale for 2027-", "2028 i efteråret"]) == (
        "godkende den ny rammeaftale for 2027-2028 i efteråret")
    assert join_lines(["fordeling af sundheds- og", "omsorgspladserne"]) == (
        "fordeling af sundheds- og omsorgspladserne")
    assert join_lines(["overtager myndigheds-", "og finansieringsansvaret"]) == (
        "overtager myndigheds- og finansieringsansvaret")
    assert join_lines(["oplæringspladser på SOSU-", "området og ad-hoc"]) == (
        "oplæringspladser på SOSU-området og ad-hoc")


def test_item_title_rejoined_across_lines() -> None:
    doc = parsed("kkr-hovedstaden_2026-04-07_dagsorden")
    titles = {i.number: i.title for i in doc.items}
    assert titles["3.2"] == "Orientering om ny model for kapacitetsstyring på herbergsområdet"
    assert titles["4.1"].startswith("Udpegning af repræsentanter for videninstitutioner, "
                                    "arbejdstager- og erhvervsorganisationer")


def test_wrapped_attendee_joined() -> None:
    doc = parsed("kkr-sjaelland_2026-09-24_referat")
    assert ("1. viceborgmester Ib Dalsgaard Holm (V), Kalundborg Kommune (stedfortræder for "
            "borgmester Thomas Vinding Pedersen)") in doc.attendees
