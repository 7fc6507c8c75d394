"""Hostile inputs among good ones (#16): each gets one line naming the file and the reason,
the run never hangs, and every good file of the folder is ingested."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from .helpers import copy_pdf, document_ids, run_cli, snapshot

GOOD = ["kkr-sjaelland_2026-09-24_dagsorden", "kkr-hovedstaden_2026-04-07_referat"]


def rejected_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("rejected: ")]


def test_a_name_that_is_not_utf8_is_stored_and_shown_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = Path(os.fsdecode(bytes(folder) + b"/m\xf8de\xff.pdf"))  # Latin-1 bytes from an old share
    copy_pdf(GOOD[0], odd)
    copy_pdf(GOOD[1], folder / "z-after.pdf")
    result = run_cli("ingest", str(folder), "--no-embed", data=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "2 added" in result.stdout
    assert "Traceback" not in result.stderr
    assert document_ids(tmp_path / "data") == {GOOD[0], GOOD[1]}
    import sqlite3
    conn = sqlite3.connect(tmp_path / "data" / "archive.sqlite3")
    names = {row[0] for row in conn.execute("SELECT file_name FROM documents")}
    conn.close()
    assert "m\\xf8de\\xff.pdf" in names


def test_a_newline_in_a_name_cannot_forge_a_summary_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.pdf\nrejected: fake.pdf: forged").mkdir()  # not matched: a folder
    bad = folder / "evil\nrejected: forged.pdf: fake reason.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = run_cli("ingest", str(bad), "--no-embed", data=tmp_path / "data")
    assert result.returncode == 1
    lines = rejected_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "evil\\nrejected: forged.pdf" in lines[0] and "not a PDF" in lines[0]


def test_special_files_are_refused_before_opening_and_the_folder_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    copy_pdf(GOOD[0], folder / "a-good.pdf")
    os.mkfifo(folder / "b-pipe.pdf")
    (folder / "c-folder.pdf").mkdir()  # a directory named *.pdf: searched, holds nothing
    loop = folder / "d-loop.pdf"
    loop.symlink_to(loop.name)
    (folder / "e-dangling.pdf").symlink_to("nowhere.pdf")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "f-socket.pdf"))
    unreadable = folder / "g-unreadable.pdf"
    copy_pdf(GOOD[1], unreadable)
    unreadable.chmod(0)
    copy_pdf(GOOD[1], folder / "h-good.pdf")
    try:
        result = run_cli("ingest", str(folder), "--no-embed", data=tmp_path / "data", timeout=60)
        direct = run_cli("ingest", str(loop), str(folder / "b-pipe.pdf"), "--no-embed",
                         data=tmp_path / "data", timeout=60)
    finally:
        sock.close()
        unreadable.chmod(0o644)
    assert "Traceback" not in result.stderr + direct.stderr
    lines = rejected_lines(result.stderr)
    reasons = {line.split(": ")[1]: line for line in lines}
    assert "named pipe" in reasons["b-pipe.pdf"]
    assert "symlink loop" in reasons["d-loop.pdf"]
    assert "does not exist" in reasons["e-dangling.pdf"]
    assert "socket" in reasons["f-socket.pdf"]
    if os.geteuid() != 0:
        assert "cannot be read" in reasons["g-unreadable.pdf"]
    assert result.returncode == 1
    assert document_ids(tmp_path / "data") == {GOOD[0], GOOD[1]}
    assert direct.returncode == 1
    assert len(rejected_lines(direct.stderr)) == 2


def test_rejections_change_nothing_archived(tmp_path):
    data = tmp_path / "data"
    good = copy_pdf(GOOD[0], tmp_path / "a" / "good.pdf")
    assert run_cli("ingest", str(good), "--no-embed", data=data).returncode == 0
    before = snapshot(data)
    folder = tmp_path / "b"
    folder.mkdir()
    os.mkfifo(folder / "pipe.pdf")
    (folder / "loop.pdf").symlink_to("loop.pdf")
    (folder / "junk.pdf").write_bytes(os.urandom(4000))
    result = run_cli("ingest", str(folder), "--no-embed", data=data, timeout=60)
    assert result.returncode == 1 and len(rejected_lines(result.stderr)) == 3
    assert snapshot(data) == before
