"""The smaller points of #18, each on a real archive."""
from __future__ import annotations

import fcntl
import json
import os
import stat

import pytest

from archive.storage.layout import ArchivePaths
from webapp import create_app

from .helpers import CORPUS, run_cli

DOC = "kkr-sjaelland_2026-09-24_dagsorden"


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    data = tmp_path_factory.mktemp("small") / "data"
    old = os.umask(0o022)
    try:
        result = run_cli("ingest", str(CORPUS / f"{DOC}.pdf"), "--no-embed", data=data)
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    return data


def test_archived_pdfs_are_sandboxed_and_not_sniffed(small_archive):
    response = create_app(data=small_archive).test_client().get(f"/pdf/{DOC}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "sandbox" in [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_stored_pdfs_and_index_files_are_readable_by_other_users(small_archive):
    files = [p for p in small_archive.rglob("*") if p.is_file() and not p.name.endswith((".lock", "-wal", "-shm"))]
    assert any(p.suffix == ".pdf" for p in files)
    unreadable = [str(p.relative_to(small_archive)) for p in files if not p.stat().st_mode & stat.S_IROTH]
    assert unreadable == []


def test_a_query_may_start_with_a_minus(small_archive):
    result = run_cli("search", "-sjælland flygtninge", "--mode", "keyword", "--json", data=small_archive)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["query"] == "-sjælland flygtninge"
    plain = run_cli("search", "flygtninge", "--mode", "keyword", "--json", data=small_archive)
    assert json.loads(result.stdout)["total"] <= json.loads(plain.stdout)["total"]


def test_waiting_for_the_writer_lock_ends_in_one_clear_line(small_archive):
    lock = ArchivePaths(small_archive).ingest_lock
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = run_cli("ingest", str(CORPUS / f"{DOC}.pdf"), "--no-embed", "--wait", "1", data=small_archive)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "another writer" in errors[0]


def test_the_host_header_is_not_written_into_permalinks(small_archive, monkeypatch):
    client = create_app(data=small_archive).test_client()
    page = client.get(f"/punkt/{DOC}_1.1", headers={"Host": "evil.example"})
    assert page.status_code == 200
    assert "evil.example" not in page.get_data(as_text=True)
    assert f'href="/punkt/{DOC}_1.1"' in page.get_data(as_text=True)
    monkeypatch.setenv("KKR_ARKIV_BASE_URL", "https://arkiv.example.dk/")
    page = create_app(data=small_archive).test_client().get(f"/punkt/{DOC}_1.1", headers={"Host": "evil.example"})
    assert f'href="https://arkiv.example.dk/punkt/{DOC}_1.1"' in page.get_data(as_text=True)
