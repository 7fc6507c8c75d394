"""kill -9 at random moments of a folder ingest (#18): every document SQLite committed is
findable by its case number straight after the kill, with no reindex or ingest in between, and
the next writer completes the run without a full reindex."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from archive.search.keyword import SearchRequest, search
from archive.storage.store import Archive

from .helpers import CORPUS, ROOT, snapshot

MOMENTS = 5


def _committed_cases(data) -> dict[str, str]:
    """document id -> the case number of one of its items."""
    conn = sqlite3.connect(data / "archive.sqlite3")
    try:
        rows = conn.execute("SELECT document_id, case_number FROM items WHERE case_number != '' "
                            "GROUP BY document_id").fetchall()
        return dict(rows)
    finally:
        conn.close()


@pytest.mark.parametrize("moment", range(MOMENTS))
def test_kill_9_leaves_every_committed_document_findable(tmp_path, moment):
    data = tmp_path / "data"
    delay = random.Random(moment).uniform(2.0, 14.0)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KKR_ARKIV_DATA", None)
    writer = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--data", str(data), "ingest", str(CORPUS), "--no-embed"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(delay)
    os.killpg(writer.pid, signal.SIGKILL)  # the writer and its parser child, no cleanup
    writer.wait()
    if not (data / "archive.sqlite3").exists():
        pytest.skip(f"killed after {delay:.1f} s, before the archive was created")
    snapshot(data)  # PRAGMA integrity_check
    cases = _committed_cases(data)
    with Archive(data, readonly=True) as archive:
        for document_id, case in cases.items():
            response = search(archive, SearchRequest(q=case, mode="keyword", limit=200))
            assert document_id in {hit.document_id for hit in response.hits}, (
                f"killed after {delay:.1f} s: {document_id} is committed but {case} does not find it")
