"""Judgment keys of the relevance set resolve against a real archive (benchmarks/evaluate_relevance.py)."""
from __future__ import annotations

import json

from benchmarks.evaluate_relevance import SET, Evaluator


def test_every_sample_key_of_the_set_resolves(corpus_archive):
    queries = json.loads(SET.read_text(encoding="utf-8"))
    ev = Evaluator(corpus_archive, queries)
    sample_misses = [u for u in ev.unresolved if "#" not in u.split(": ", 1)[1]]
    assert sample_misses == []


def test_stem_and_number_keys_resolve_by_file_name_and_unknown_ones_are_counted(corpus_archive):
    queries = [{"id": "t1", "class": "keyword", "q": "herberg", "judgments": {
        "kkr-sjaelland_2026-09-24_referat#3.1": 2,       # stem of an ingested PDF + item number
        "kkr-sjaelland_2026-09-24_dagsorden#3.1": 1,
        "kkr-sjaelland_2026-09-24_referat#9.9": 1,       # no such item
        "ballerup_ukendt_2012-12-04_referat#4": 1,       # no such document
    }}]
    ev = Evaluator(corpus_archive, queries)
    assert ev.gains["t1"] == {"kkr-sjaelland_2026-09-24_referat_3.1": 2, "kkr-sjaelland_2026-09-24_dagsorden_3.1": 1}
    assert ev.skipped == 2
    assert sorted(ev.unresolved) == ["t1: ballerup_ukendt_2012-12-04_referat#4", "t1: kkr-sjaelland_2026-09-24_referat#9.9"]
