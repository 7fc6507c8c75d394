"""Shared helpers for the reliability tests: run the real CLI on a real archive."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def run_cli(*args, data: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("KKR_ARKIV_DATA", None)
    full_env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--data", str(data), *[os.fsencode(a) if isinstance(a, Path) else a for a in args]],
        capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=timeout, errors="replace",
    )


def snapshot(data: Path) -> list[tuple]:
    conn = sqlite3.connect(data / "archive.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [(t, conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall())
                for t in ("meetings", "documents", "items", "blocks", "paragraphs", "passages")]
    finally:
        conn.close()


def document_ids(data: Path) -> set[str]:
    conn = sqlite3.connect(data / "archive.sqlite3")
    try:
        return {row[0] for row in conn.execute("SELECT id FROM documents")}
    finally:
        conn.close()


def copy_pdf(stem: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(CORPUS / f"{stem}.pdf", target))


def xref_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand from its numbered objects (object 1 the catalog), with a valid xref."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
