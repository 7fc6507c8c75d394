"""How the indexer creates the archive's SQLite schema and upgrades an older one.

The schema version lives in `PRAGMA user_version`; each migration moves it up by one in
its own `BEGIN IMMEDIATE` transaction (SQLite's write lock, so two writers never migrate
at once), re-reading the version inside it. Only writers migrate: the read side
(`archive.storage.db.connect`) opens the database read-only and refuses a schema it does
not know, naming the command that upgrades it.
"""
from __future__ import annotations

import os
import sqlite3

from archive.backend import database_url
from archive.runtime import Runtime
from archive.storage import db
from archive.storage.layout import ArchivePaths
from archive.storage.store import Archive
from archive.storage.writelock import writer_lock
from indexer.postgres_schema import open_writable_postgres

MIGRATIONS: list[str] = [
    # 1: the parsed structure of meetings and their documents
    """
    CREATE TABLE meetings (
        id TEXT PRIMARY KEY,
        council TEXT NOT NULL,
        date TEXT NOT NULL,
        time TEXT NOT NULL DEFAULT '',
        place TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('dagsorden', 'referat')),
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        page_count INTEGER NOT NULL,
        attendees TEXT NOT NULL DEFAULT '[]',
        absent TEXT NOT NULL DEFAULT '[]',
        ingested_at TEXT NOT NULL
    );
    CREATE TABLE items (
        id TEXT PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        number TEXT NOT NULL,
        group_title TEXT NOT NULL,
        title TEXT NOT NULL,
        case_number TEXT NOT NULL DEFAULT '',
        case_initials TEXT NOT NULL DEFAULT '',
        page_first INTEGER NOT NULL,
        page_last INTEGER NOT NULL
    );
    CREATE INDEX items_document ON items(document_id);
    CREATE INDEX items_case ON items(case_number);
    CREATE TABLE blocks (
        id INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        heading TEXT NOT NULL,
        page_first INTEGER NOT NULL,
        page_last INTEGER NOT NULL
    );
    CREATE INDEX blocks_item ON blocks(item_id);
    CREATE TABLE paragraphs (
        id INTEGER PRIMARY KEY,
        block_id INTEGER NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        raw TEXT NOT NULL,
        page_first INTEGER NOT NULL,
        page_last INTEGER NOT NULL,
        attachment INTEGER NOT NULL DEFAULT 0,
        subheading INTEGER NOT NULL DEFAULT 0,
        lines TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX paragraphs_block ON paragraphs(block_id);
    """,
    # 2: passages for semantic search and their embeddings, cached by text hash per model
    """
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        block TEXT NOT NULL,
        page INTEGER NOT NULL,
        paragraph_index INTEGER NOT NULL,
        text TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX passages_item ON passages(item_id);
    CREATE INDEX passages_hash ON passages(hash);
    CREATE TABLE embeddings (
        hash TEXT NOT NULL,
        model TEXT NOT NULL,
        dimension INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (hash, model)
    );
    """,
    # 3: any meeting body under an authority; unstructured documents; the genre's item
    # metadata, block roles and dated decisions. Rows written by v2 are KKR documents
    # (authority KL), structured, with blocks whose role follows from their heading.
    """
    ALTER TABLE meetings ADD COLUMN authority TEXT NOT NULL DEFAULT '';
    UPDATE meetings SET authority = 'KL' WHERE council LIKE 'KKR %';
    ALTER TABLE documents ADD COLUMN structured INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE documents ADD COLUMN unstructured_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE items ADD COLUMN document_number TEXT NOT NULL DEFAULT '';
    ALTER TABLE items ADD COLUMN earlier_treatments TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE blocks ADD COLUMN role TEXT NOT NULL DEFAULT 'other';
    ALTER TABLE blocks ADD COLUMN printed TEXT NOT NULL DEFAULT '';
    UPDATE blocks SET role = CASE heading
        WHEN 'Beslutning' THEN 'decision' WHEN 'Indstilling' THEN 'recommendation'
        WHEN 'Sagsfremstilling' THEN 'presentation' WHEN 'Baggrund' THEN 'background'
        WHEN 'Bilag' THEN 'attachments' ELSE 'other' END;
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        heading TEXT NOT NULL,
        text TEXT NOT NULL,
        date TEXT,
        this_meeting INTEGER NOT NULL DEFAULT 0,
        page INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX decisions_item ON decisions(item_id);
    INSERT INTO decisions (item_id, position, heading, text, date, this_meeting, page)
        SELECT b.item_id, 0, b.heading,
               (SELECT group_concat(p.text, char(10)) FROM
                  (SELECT text FROM paragraphs WHERE block_id = b.id ORDER BY position) p),
               m.date, 1, b.page_first
        FROM blocks b JOIN items i ON i.id = b.item_id JOIN documents d ON d.id = i.document_id
        JOIN meetings m ON m.id = d.meeting_id
        WHERE b.heading = 'Beslutning' AND d.kind = 'referat';
    """,
]


def open_writable(data: str | os.PathLike | None = None, *, runtime: Runtime | None = None) -> Archive:
    """The archive at `data` opened for writing: created when new, migrated when older.

    The returned `Archive` reads over the writer's connection, so the indexer sees what it
    has just written. The migration of an older archive runs under the writer lock.
    """
    url = database_url(data)
    if url is not None:  # the PostgreSQL backend
        return open_writable_postgres(url, runtime=runtime)
    paths = ArchivePaths.at(data)
    paths.ensure()
    conn = sqlite3.connect(paths.database, timeout=30, check_same_thread=False)
    db.configure(conn)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        if schema_version(conn) != db.SCHEMA_VERSION:
            with writer_lock(paths.ingest_lock, say=lambda _message: None):
                migrate(conn)
    except BaseException:
        conn.close()
        raise
    return Archive(paths.root, connection=conn, runtime=runtime)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the database to `db.SCHEMA_VERSION`, one migration per transaction."""
    db.check_not_newer(schema_version(conn), where="archive")
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            number = schema_version(conn)  # another writer may have migrated meanwhile
            db.check_not_newer(number, where="archive")
            if number == db.SCHEMA_VERSION:
                conn.rollback()
                return
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.commit()
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise


def _statements(script: str) -> list[str]:
    """A migration script as its statements (executescript would commit the open transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    assert not current.strip(), f"unterminated statement in a migration: {current!r}"
    return statements
