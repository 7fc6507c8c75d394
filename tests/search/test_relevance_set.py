"""Validate the graded relevance set in tests/relevance/search_set.json against the fixtures."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # tests/
SET = ROOT / "relevance" / "search_set.json"
CLASSES = ("keyword", "question", "paraphrase")


def _fixture_item_ids() -> set[str]:
    ids = set()
    for path in (ROOT / "fixtures").glob("*.json"):
        if path.name.endswith(".truth.json"):
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        for item in doc.get("items", []):
            ids.add(f"{path.stem}_{item['number']}")
    return ids


def _queries() -> list[dict]:
    return json.loads(SET.read_text(encoding="utf-8"))


def test_sample_keys_exist_as_fixture_items():
    known = _fixture_item_ids()
    missing = [(q["id"], key) for q in _queries() for key in q["judgments"] if "#" not in key and key not in known]
    assert not missing, missing


def test_grades_and_a_grade_two_per_query():
    for q in _queries():
        assert set(q["judgments"].values()) <= {1, 2}, q["id"]
        assert 2 in q["judgments"].values(), q["id"]
        assert q["class"] in CLASSES, q["id"]


def test_ids_unique():
    ids = [q["id"] for q in _queries()]
    assert len(ids) == len(set(ids))


def test_size_and_balance():
    qs = _queries()
    counts = Counter(q["class"] for q in qs)
    assert len(qs) >= 150, counts
    assert min(counts[c] for c in CLASSES) >= 0.25 * len(qs), counts
    assert sum("#" in key for q in qs for key in q["judgments"]) >= 20
