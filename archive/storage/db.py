"""The read side's SQLite connection: read-only, and only to a schema this program knows.

The schema itself and its migrations are the indexer's (`indexer/schema.py`): every writer
opens the archive through `indexer.schema.open_writable`, which creates or upgrades it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 3  # the schema the read side's queries are written for; indexer/schema.py reaches it
UPGRADE_COMMAND = "kkr-arkiv reindex"


class ArchiveVersionError(RuntimeError):
    """The archive's schema is not the one this program reads."""


class ArchiveTooOld(ArchiveVersionError):
    """An archive written by an older release: a writer upgrades it (`UPGRADE_COMMAND`)."""


def configure(conn: sqlite3.Connection) -> None:
    """What every connection to the archive sets, reading or writing."""
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")


def check_not_newer(version: int, *, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise ArchiveVersionError(
            f"{where}: archive schema {version} is newer than this program ({SCHEMA_VERSION}); upgrade kkr-arkiv")


def connect(path: Path) -> sqlite3.Connection:
    """Open the archive database read-only; an older schema is refused with the command that upgrades it."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    try:
        configure(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        check_not_newer(version, where=str(path))
        if version < SCHEMA_VERSION:
            raise ArchiveTooOld(
                f"{path}: archive schema {version} is older than this program ({SCHEMA_VERSION}); "
                f"run '{UPGRADE_COMMAND}' to upgrade it")
    except BaseException:
        conn.close()
        raise
    return conn
