"""The search and reindex commands of the CLI, run as a user runs them, on a real archive."""
from __future__ import annotations

import json
import shutil

import pytest

from archive.storage.store import Archive

from ..indexer.test_ingest import run_cli

SEARCH_KEYS = {"item_id", "council", "date", "kind", "number", "title", "case", "pages", "page", "score",
               "snippet", "url", "pdf_url"}


def test_search_json_prints_one_object_with_the_documented_shape(corpus_archive_dir):
    result = run_cli("search", "herberg", "--mode", "keyword", "--json", "--limit", "20", data=corpus_archive_dir)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {"query", "mode", "total", "results"} <= set(payload)
    assert payload["mode"] == "keyword" and payload["total"] >= 9
    for hit in payload["results"]:
        assert SEARCH_KEYS <= set(hit)
        assert hit["url"] == f"/punkt/{hit['item_id']}"
        assert hit["pdf_url"].endswith(f"#page={hit['page']}")
        assert hit["pages"][0] <= hit["page"] <= hit["pages"][1]
    assert {hit["council"] for hit in payload["results"]} == {"KKR Hovedstaden", "KKR Sjælland"}


def test_search_filters_on_the_command_line(corpus_archive_dir):
    result = run_cli("search", "herberg", "--mode", "keyword", "--json", "--council", "KKR Sjælland",
                     "--kind", "referat", "--from", "2026-06-01", "--decisions", data=corpus_archive_dir)
    payload = json.loads(result.stdout)
    assert payload["results"]
    assert all(h["council"] == "KKR Sjælland" and h["kind"] == "referat" and h["date"] >= "2026-06-01"
               for h in payload["results"])
    bad = run_cli("search", "herberg", "--kind", "protokol", data=corpus_archive_dir)
    assert bad.returncode == 2  # a usage error, not a crash


@pytest.mark.slow  # rebuilds the index in a child process
def test_reindex_rebuilds_into_a_new_folder_and_search_keeps_working(corpus_archive_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(corpus_archive_dir, data)
    pointer = data / "index" / "CURRENT"
    before = pointer.read_text().strip()
    result = run_cli("reindex", data=data)
    assert result.returncode == 0, result.stderr
    after = pointer.read_text().strip()
    assert after != before and (data / "index" / after).is_dir()
    with Archive(data) as archive:
        filed = {ref.item_id for ref in archive.case_history("SAG-2026-00541")}
    found = json.loads(run_cli("search", "SAG-2026-00541", "--mode", "keyword", "--json", "--limit", "50",
                               data=data).stdout)
    assert {h["item_id"] for h in found["results"]} == filed
    # the index is derived data: deleting it loses nothing
    shutil.rmtree(data / "index")
    assert run_cli("reindex", data=data).returncode == 0
    again = json.loads(run_cli("search", "SAG-2026-00541", "--mode", "keyword", "--json", "--limit", "50",
                               data=data).stdout)
    assert {h["item_id"] for h in again["results"]} == filed
