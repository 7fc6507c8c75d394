"""kill -9 during `reindex` and during `embed` (#16): the archive stays whole and searchable
straight after the kill, and the next run of the same command completes the work without
duplicates or a confusing recovery message."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.search.modes import SearchRequest, search
from archive.storage.store import Archive

from .helpers import ROOT, copy_pdf, run_cli, snapshot

pytestmark = pytest.mark.slow

STEMS = ["kkr-sjaelland_2026-09-24_dagsorden", "kkr-hovedstaden_2026-04-07_referat",
         "kkr-sjaelland_2026-03-23_referat"]


def _start(data: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KKR_ARKIV_DATA", None)
    return subprocess.Popen([sys.executable, "-m", "cli.main", "--data", str(data), *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill_when(writer: subprocess.Popen, ready, timeout: float = 300) -> bool:
    """kill -9 the writer's process group as soon as ``ready()`` holds; False if it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and writer.poll() is None:
        if ready():
            os.killpg(writer.pid, signal.SIGKILL)
            writer.wait()
            return True
        time.sleep(0.02)
    writer.wait()
    return False


def _cases(data: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{data / 'archive.sqlite3'}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT document_id, case_number FROM items WHERE case_number != '' "
                                 "GROUP BY document_id").fetchall())
    finally:
        conn.close()


def _assert_every_document_findable(data: Path) -> None:
    with Archive(data) as archive:
        for document_id, case in _cases(data).items():
            hits = search(archive, SearchRequest(q=case, mode="keyword", limit=200)).hits
            assert document_id in {h.document_id for h in hits}, f"{case} does not find {document_id}"


@pytest.fixture
def archive_dir(tmp_path):
    folder = tmp_path / "in"
    for stem in STEMS:
        copy_pdf(stem, folder / f"{stem}.pdf")
    data = tmp_path / "data"
    assert run_cli("ingest", str(folder), "--no-embed", data=data, timeout=600).returncode == 0
    return data


def test_kill_9_during_reindex_keeps_the_old_index_and_the_next_reindex_completes(archive_dir):
    data = archive_dir
    before = snapshot(data)
    index_root = data / "index"
    existing = {p.name for p in index_root.iterdir()}
    writer = _start(data, "reindex")
    # kill once the new index directory exists, i.e. in the middle of writing it
    killed = _kill_when(writer, lambda: any(p.name not in existing for p in index_root.iterdir()))
    assert killed, "reindex finished before it could be killed"
    assert snapshot(data) == before  # reindex never touches the archive's rows
    _assert_every_document_findable(data)  # the old index is still the current one
    again = run_cli("reindex", data=data, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "rolled back" not in (again.stdout + again.stderr).lower()
    _assert_every_document_findable(data)
    kept = sorted(p.name for p in index_root.iterdir() if p.is_dir())
    assert len(kept) <= 2, f"the half-written index of the killed run was not cleaned up: {kept}"


def _vectors(data: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{data / 'archive.sqlite3'}?mode=ro", uri=True)
    try:
        stored = conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        wanted = conn.execute("SELECT COUNT(DISTINCT hash) FROM passages").fetchone()[0]
        return stored, wanted
    except sqlite3.OperationalError:  # the table is not there yet
        return 0, 0
    finally:
        conn.close()


def test_kill_9_during_embed_loses_no_committed_batch_and_the_next_embed_completes(archive_dir):
    data = archive_dir
    writer = _start(data, "embed")
    killed = _kill_when(writer, lambda: _vectors(data)[0] > 0)
    assert killed, "embed finished before it could be killed"
    snapshot(data)  # PRAGMA integrity_check
    stored, wanted = _vectors(data)
    assert 0 < stored < wanted
    with Archive(data) as archive:  # semantic search works on the vectors there are
        response = search(archive, SearchRequest(q="hjemløse og herberger", mode="semantic"))
        assert response.hits
    again = run_cli("embed", data=data, timeout=900)
    assert again.returncode == 0, again.stderr
    stored_after, wanted_after = _vectors(data)
    assert stored_after == wanted_after == wanted  # every passage once, none twice
    with Archive(data) as archive:
        assert search(archive, SearchRequest(q="hjemløse og herberger", mode="semantic")).hits
