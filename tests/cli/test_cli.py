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


def _listed_items(payload: dict) -> set[str]:
    """Every document item a one-per-item listing names: the shown hit and its "also"."""
    return {h["item_id"] for row in payload["results"] for h in (row, *row["also"])}


def test_search_lists_one_result_per_agenda_item_as_the_web_api_does(corpus_archive_dir):
    """A meeting's dagsorden and referat print the same item: the CLI lists it once (the
    referat shown, the dagsorden under "also"), and its JSON is the JSON of /api/search."""
    from webapp import create_app

    result = run_cli("search", "herberg", "--mode", "keyword", "--json", "--limit", "20", data=corpus_archive_dir)
    payload = json.loads(result.stdout)
    keys = [(h["council"], h["date"], h["number"]) for h in payload["results"]]
    assert len(keys) == len(set(keys))
    assert any(row["kind"] == "referat" and [a["kind"] for a in row["also"]] == ["dagsorden"]
               for row in payload["results"])
    assert payload["total"] < payload["hits_total"]  # items counted, not documents' items
    api = create_app(data=corpus_archive_dir).test_client().get(
        "/api/search", query_string={"q": "herberg", "mode": "keyword", "limit": 20}).get_json()
    assert [r["item_id"] for r in api["results"]] == [r["item_id"] for r in payload["results"]]
    assert api["total"] == payload["total"]
    text = run_cli("search", "herberg", "--mode", "keyword", "--limit", "3", data=corpus_archive_dir).stdout
    assert f"{payload['total']} punkter" in text and "også i dagsordenen" in text


def test_search_for_a_case_number_typed_any_way_lists_that_case(corpus_archive_dir):
    with Archive(corpus_archive_dir) as archive:
        filed = {ref.item_id for ref in archive.case_history("SAG-2026-00541")}
    payload = json.loads(run_cli("search", "sag 2026 00541", "--json", "--limit", "50", data=corpus_archive_dir).stdout)
    assert payload["case"] == {"case": "SAG-2026-00541", "items": len(filed)}
    assert payload["mode"] == "keyword"  # asked for hybrid: a case number is searched by its words
    assert _listed_items(payload) == filed


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
    assert _listed_items(found) == filed
    # the index is derived data: deleting it loses nothing
    shutil.rmtree(data / "index")
    assert run_cli("reindex", data=data).returncode == 0
    again = json.loads(run_cli("search", "SAG-2026-00541", "--mode", "keyword", "--json", "--limit", "50",
                               data=data).stdout)
    assert _listed_items(again) == filed
