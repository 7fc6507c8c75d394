"""The CLI on a PostgreSQL archive: `migrate --to` copies an embedded archive (idempotently),
then every read command runs on the database through --data or $KKR_ARKIV_DATABASE_URL."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("KKR_ARKIV_DATA", "KKR_ARKIV_DATABASE_URL")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=ROOT,
                          env=full_env, timeout=600)


def test_migrate_then_search_show_and_export_on_the_database(postgres_server, corpus_archive_dir):
    url = postgres_server.create_database("cli")
    first = _cli("--data", str(corpus_archive_dir), "migrate", "--to", url)
    assert first.returncode == 0, first.stderr
    assert "10 of 10 documents copied" in first.stdout
    second = _cli("--data", str(corpus_archive_dir), "migrate", "--to", url)
    assert second.returncode == 0 and "0 of 10 documents copied" in second.stdout, second.stdout

    found = _cli("--data", url, "search", "SAG-2026-00541", "--mode", "keyword", "--json")
    assert found.returncode == 0, found.stderr
    embedded = _cli("--data", str(corpus_archive_dir), "search", "SAG-2026-00541", "--mode", "keyword", "--json")
    ids = {r["item_id"] for r in json.loads(found.stdout)["results"]}
    assert ids and ids == {r["item_id"] for r in json.loads(embedded.stdout)["results"]}

    shown = _cli("show", "kkr-hovedstaden_2026-04-07_referat_3.2", env={"KKR_ARKIV_DATABASE_URL": url})
    assert shown.returncode == 0 and "Beslutning" in shown.stdout, shown.stderr
    exported = _cli("--data", url, "export", "--json")
    assert exported.returncode == 0
    assert exported.stdout == _cli("--data", str(corpus_archive_dir), "export", "--json").stdout


def test_a_database_without_an_archive_is_one_clear_line(postgres_server):
    url = postgres_server.create_database("empty")
    result = _cli("--data", url, "search", "herberg")
    assert result.returncode != 0
    assert "no archive in" in result.stderr and "Traceback" not in result.stderr
