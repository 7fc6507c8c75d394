"""Ingest into a real archive: SQLite, the PDF store, the CLI, bad input and interrupted writes."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.schema import open_writable
from indexer.pipeline import ingest_paths

from ..conftest import CORPUS, FIXTURES, ROOT, corpus_pdfs, source_json, truth_json

HOVEDSTADEN_APRIL = "kkr-hovedstaden_2026-04-07"


def run_cli(*args: str, data: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("KKR_ARKIV_DATA", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--data", str(data), *args],
        capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=600,
    )


def snapshot(data: Path) -> list[tuple]:
    """Everything archived, as comparable rows."""
    conn = sqlite3.connect(data / "archive.sqlite3")
    try:
        return _rows(conn)
    finally:
        conn.close()


def _rows(conn) -> list[tuple]:
    rows = []
    for table in ("meetings", "documents", "items", "blocks", "paragraphs", "passages"):
        rows.append((table, [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()]))
    return rows


@pytest.fixture()
def corpus_archive(corpus_backend):
    """The corpus archive on each backend (embedded and PostgreSQL)."""
    return corpus_backend


def copy_pdfs(target: Path, stems: list[str]) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for stem in stems:
        out.append(Path(shutil.copy(CORPUS / f"{stem}.pdf", target / f"{stem}.pdf")))
    return out


def test_corpus_archive_holds_every_document(corpus_archive):
    docs = corpus_archive.documents()
    assert len(docs) == len(corpus_pdfs())
    for pdf in corpus_pdfs():
        source = source_json(pdf)
        doc_id = pdf.stem
        doc = corpus_archive.document(doc_id, with_items=True)
        assert doc is not None, doc_id
        assert doc.page_count == truth_json(pdf)["pages"]
        assert [i.number for i in doc.items] == [i["number"] for i in source["items"]]
        assert all(i.id == f"{doc_id}_{i.number}" for i in doc.items)
        stored = corpus_archive.pdf_path(doc_id)
        assert stored.read_bytes() == pdf.read_bytes()


def test_agenda_and_minutes_share_a_meeting_and_items_link_to_their_counterpart(corpus_archive):
    meeting = corpus_archive.meeting(HOVEDSTADEN_APRIL)
    assert meeting is not None
    assert [d.kind for d in meeting.documents] == ["dagsorden", "referat"]
    other = corpus_archive.counterpart(f"{HOVEDSTADEN_APRIL}_dagsorden_3.2")
    assert other is not None and other.item_id == f"{HOVEDSTADEN_APRIL}_referat_3.2"
    back = corpus_archive.counterpart(other.item_id)
    assert back is not None and back.item_id == f"{HOVEDSTADEN_APRIL}_dagsorden_3.2"
    # a referat without an agenda in the archive has no counterpart
    assert corpus_archive.counterpart("kkr-hovedstaden_2026-09-21_referat_3.1") is None


def test_case_history_runs_across_meetings_and_councils(corpus_archive):
    history = corpus_archive.case_history("SAG-2026-00541")
    dates = [ref.date.isoformat() for ref in history]
    assert dates == sorted(dates)
    assert len({ref.meeting_id for ref in history}) >= 3
    assert {ref.council for ref in history} >= {"KKR Hovedstaden", "KKR Sjælland"}


@pytest.mark.slow  # ingests the corpus twice
def test_reingest_is_a_noop_and_a_changed_file_replaces_its_version(tmp_path, new_archive):
    src = copy_pdfs(tmp_path / "in", [f"{HOVEDSTADEN_APRIL}_referat"])
    with new_archive as archive:
        first = ingest_paths(archive, src, say=lambda _m: None)
        assert len(first.added) == 1 and first.items == 15
        before = _rows(archive.conn)
        old_sha = archive.document(f"{HOVEDSTADEN_APRIL}_referat").sha256
        second = ingest_paths(archive, src, say=lambda _m: None)
        assert len(second.unchanged) == 1 and not second.added and not second.replaced
        assert _rows(archive.conn) == before
        # the same document republished (different bytes, same council/date/kind)
        with open(src[0], "ab") as fh:
            fh.write(b"\n% republished\n")
        third = ingest_paths(archive, src, say=lambda _m: None)
        assert len(third.replaced) == 1
        assert archive.document_count() == 1
        assert archive.document(f"{HOVEDSTADEN_APRIL}_referat").sha256 != old_sha
        assert archive.item(f"{HOVEDSTADEN_APRIL}_referat_3.2") is not None  # permalinks survive


@pytest.mark.slow  # ingests in child processes
def test_cli_ingest_reports_and_exit_codes(tmp_path):
    data = tmp_path / "data"
    src = copy_pdfs(tmp_path / "in", [f"{HOVEDSTADEN_APRIL}_dagsorden", "kkr-sjaelland_2026-09-24_referat"])
    bad = tmp_path / "in" / "notes.pdf"
    bad.write_text("this is not a pdf", encoding="utf-8")
    result = run_cli("ingest", str(tmp_path / "in"), "--no-embed", data=data)
    assert result.returncode == 1, result.stderr
    assert "2 added" in result.stdout and "1 rejected" in result.stdout
    assert "notes.pdf" in result.stderr and "not a PDF" in result.stderr
    again = run_cli("ingest", *map(str, src), "--no-embed", data=data)
    assert again.returncode == 0, again.stderr
    assert "2 unchanged" in again.stdout
    usage = run_cli("ingest", data=data)
    assert usage.returncode == 2
    listing = run_cli("meetings", data=data)
    assert "kkr-hovedstaden_2026-04-07" in listing.stdout and "kkr-sjaelland_2026-09-24" in listing.stdout
    shown = run_cli("show", f"{HOVEDSTADEN_APRIL}_dagsorden_3.2", data=data)
    assert shown.returncode == 0
    assert "SAG-2026-00541" in shown.stdout and "Indstilling" in shown.stdout
    missing = run_cli("show", "no-such-item", data=data)
    assert missing.returncode == 1


@pytest.mark.slow  # ingests in a child process
def test_data_folder_from_environment(tmp_path):
    data = tmp_path / "envdata"
    src = copy_pdfs(tmp_path / "in", ["kkr-sjaelland_2026-09-24_dagsorden"])
    env = {**os.environ, "KKR_ARKIV_DATA": str(data)}
    result = subprocess.run([sys.executable, "-m", "cli.main", "ingest", str(src[0]), "--no-embed"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (data / "archive.sqlite3").exists()


def test_export_matches_the_source_documents(corpus_archive_dir):
    result = run_cli("export", "--json", data=corpus_archive_dir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(corpus_pdfs())
    for record in lines:
        stem = Path(record["file"]).stem
        source = json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))
        truth = json.loads((FIXTURES / f"{stem}.truth.json").read_text(encoding="utf-8"))
        assert (record["council"], record["date"], record["kind"]) == (source["council"], source["date"], source["kind"])
        assert record["page_count"] == truth["pages"]
        assert len(record["sha256"]) == 64
        for got, want, pages in zip(record["items"], source["items"], truth["items"]):
            assert got["number"] == want["number"] and got["title"] == want["title"]
            assert f'{got["case"]} {got["case_initials"]}'.strip() == want["case"]
            assert got["pages"] == [pages["start_page"], pages["end_page"]]
            assert [b["heading"] for b in got["blocks"]] == [b["heading"] for b in want["blocks"]]
            for block in got["blocks"]:
                assert got["pages"][0] <= block["pages"][0] <= block["pages"][1] <= got["pages"][1]


@pytest.mark.slow  # ingests the corpus files twice
def test_rejected_file_changes_nothing_archived(tmp_path):
    data = tmp_path / "data"
    src = copy_pdfs(tmp_path / "in", ["kkr-sjaelland_2026-09-24_dagsorden"])
    with open_writable(data) as archive:
        ingest_paths(archive, src, say=lambda _m: None)
        before = snapshot(data)
        # a corrupt copy of another document: truncated in the middle
        corrupt = tmp_path / "in" / "kkr-sjaelland_2026-09-24_referat.pdf"
        raw = (CORPUS / corrupt.name).read_bytes()
        corrupt.write_bytes(raw[: len(raw) // 2])
        # and a corrupt republication of the archived document
        broken_same = tmp_path / "in2" / src[0].name
        broken_same.parent.mkdir()
        broken_same.write_bytes(src[0].read_bytes()[:5000])
        report = ingest_paths(archive, [corrupt, broken_same], say=lambda _m: None)
        assert len(report.rejected) == 2
        assert snapshot(data) == before


@pytest.mark.slow  # ingests in child processes
def test_interrupted_ingest_leaves_the_archive_as_it_was(tmp_path):
    data = tmp_path / "data"
    first = copy_pdfs(tmp_path / "a", ["kkr-sjaelland_2026-09-24_dagsorden"])
    assert run_cli("ingest", str(first[0]), "--no-embed", data=data).returncode == 0
    before = snapshot(data)
    second = copy_pdfs(tmp_path / "b", ["kkr-sjaelland_2026-09-24_referat"])
    # the writer dies inside its transaction, as if killed (no cleanup handlers run)
    killed = run_cli("ingest", str(second[0]), "--no-embed", data=data,
                     env={"KKR_ARKIV_CRASH_POINT": "before-commit"})
    assert killed.returncode == 70
    assert snapshot(data) == before
    conn = sqlite3.connect(data / "archive.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    # the next writer takes over the lock, says so, and completes the file
    resumed = run_cli("ingest", str(second[0]), "--no-embed", data=data)
    assert resumed.returncode == 0, resumed.stderr
    assert "interrupted writer" in resumed.stderr
    assert "1 added" in resumed.stdout
