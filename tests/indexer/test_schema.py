"""The schema is the indexer's: writers create and migrate it, the read side only reads it.

Real SQLite files; the CLI in a child process for the upgrade path a user takes.
"""
from __future__ import annotations

import sqlite3

import pytest

from archive.storage import db
from archive.storage.store import Archive
from indexer import schema
from indexer.schema import open_writable

from .test_ingest import run_cli


def _v2_archive(data) -> None:
    """An empty archive as release v2 left it."""
    data.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(data / "archive.sqlite3")
    for number, script in enumerate(schema.MIGRATIONS[:2]):
        conn.executescript(f"BEGIN;{script}; PRAGMA user_version = {number + 1}; COMMIT;")
    conn.close()


def test_the_migrations_reach_the_schema_the_reader_reads(tmp_path):
    assert len(schema.MIGRATIONS) == db.SCHEMA_VERSION
    with open_writable(tmp_path / "data") as archive:
        assert schema.schema_version(archive.conn) == db.SCHEMA_VERSION
        schema.migrate(archive.conn)  # nothing left to do: a no-op, not an error
        assert schema.schema_version(archive.conn) == db.SCHEMA_VERSION
    with Archive(tmp_path / "data") as archive:
        assert archive.document_count() == 0


def test_the_read_side_connection_cannot_write(tmp_path):
    open_writable(tmp_path).close()
    with Archive(tmp_path) as archive:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            archive.conn.execute("INSERT INTO meetings (id, council, date) VALUES ('m', 'KKR Sjælland', '2026-01-01')")


def test_the_read_side_refuses_a_newer_schema(tmp_path):
    open_writable(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "archive.sqlite3")
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(db.ArchiveVersionError, match="newer than this program"):
        Archive(tmp_path)
    with pytest.raises(db.ArchiveVersionError, match="newer than this program"):
        open_writable(tmp_path)


@pytest.mark.slow  # the CLI in child processes
def test_a_v2_archive_is_refused_by_search_and_upgraded_by_reindex(tmp_path):
    data = tmp_path / "data"
    _v2_archive(data)
    refused = run_cli("search", "herberg", data=data)
    assert refused.returncode != 0
    assert "archive schema 2 is older than this program (3); run 'kkr-arkiv reindex' to upgrade it" in refused.stderr
    upgraded = run_cli("reindex", data=data)
    assert upgraded.returncode == 0, upgraded.stderr
    with Archive(data) as archive:
        assert schema.schema_version(archive.conn) == db.SCHEMA_VERSION
    assert run_cli("search", "herberg", data=data).returncode == 0
