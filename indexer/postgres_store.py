"""The writes only the PostgreSQL backend has: search rows, halfvec vectors, PDFs as rows.

Structure rows (meetings ... passages) are written by `indexer.store`, whose SQL runs on
both engines. What the embedded archive keeps in files is kept here in tables, inside the
same one-transaction-per-document:

- `PostgresSearchIndex` is the counterpart of the Whoosh `KeywordIndexWriter`: `sync` gives every
  stored item without a search row its `item_search` row, with the tsvector of the terms
  the project's Danish analysis gives its fields (`archive.keyword.fulltext.item_fields`:
  the fields the keyword index has, so both backends match the same words). The
  decompounder's dictionary is the `vocabulary` table, grown as documents arrive and
  rebuilt, with every search row, when it has grown by `REBUILD_GROWTH` (as the Whoosh
  index is).
- `keep_pdf` stores the original PDF by sha256 (replicas carry it).
- `store_vectors` writes halfvec vectors (HNSW-indexed).
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from archive.keyword.fulltext import DocumentInfo, item_fields
from archive.postgres.keyword import FIELD_WEIGHTS, FOLDED_PREFIX
from archive.postgres.store import PostgresArchive
from archive.postgres.vectors import halfvec_literal
from archive.storage.store import Archive
from archive.text.analysis import Analysis, Decompounder
from indexer.keyword_index import REBUILD_GROWTH, SyncStats, archive_vocabulary

if TYPE_CHECKING:
    import numpy as np

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS = 256  # positions kept per lexeme
FIELD_GAP = 8  # positions between two fields, so that no phrase runs across them

Say = Callable[[str], None]


def tsvector_literal(analysis: Analysis, fields: dict) -> tuple[str, set[str]]:
    """The item's `terms` tsvector as text input, and its lexemes."""
    positions: dict[str, dict[int, str]] = {}

    def add(lexeme: str, position: int, weight: str) -> None:
        slots = positions.setdefault(lexeme, {})
        if len(slots) < MAX_POSITIONS:
            slots.setdefault(min(position, MAX_POSITION), weight)

    offset = 1
    for name, weight in FIELD_WEIGHTS.items():
        last = -1
        for text, position, _start, _end in analysis.index_tokens(str(fields[name] or "")):
            add(text, offset + position, weight)
            last = max(last, position)
        offset += last + 1 + FIELD_GAP
    for text, position, _start, _end in analysis.index_tokens(str(fields["folded"] or ""), folded=True):
        add(FOLDED_PREFIX + text, position + 1, "D")
    literal = " ".join(
        "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "':"
        + ",".join(f"{p}{w}" for p, w in sorted(slots.items()))
        for lexeme, slots in positions.items()
    )
    return literal, set(positions)


SEARCH_COLUMNS = ("item_id", "document_id", "council", "council_slug", "kind", "date", "year", "position",
                  "has_decision", "terms")


def search_rows(archive: Archive, analysis: Analysis, document_id: str) -> tuple[list[tuple], Counter[str]]:
    """The `item_search` rows (values of `SEARCH_COLUMNS`, the tsvector as text input) of one
    stored document's items, and how many of them hold each lexeme. `archive` is either
    backend: the bulk loader of benchmarks/scale_postgres.py reads an embedded archive."""
    doc = archive.document(document_id)
    if doc is None:
        return [], Counter()
    info = DocumentInfo(doc.id, doc.council, doc.kind, doc.date.isoformat(), doc.sha256)
    rows, terms = [], Counter()
    for position, item in enumerate(archive.items(document_id=document_id)):
        fields = item_fields(item, info, position)
        literal, lexemes = tsvector_literal(analysis, fields)
        terms.update(lexemes)
        rows.append((item.id, doc.id, doc.council, fields["council"], doc.kind, fields["date"],
                     fields["year"], position, fields["has_decision"], literal))
    return rows, terms


def _meta(conn, key: str) -> int:
    row = conn.execute("SELECT value FROM search_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else 0


def _set_meta(conn, key: str, value: int) -> None:
    conn.execute("INSERT INTO search_meta (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


class PostgresSearchIndex:
    """The search rows of a PostgreSQL archive (see the module docstring)."""

    def __init__(self, *, say: Say | None = None):
        self.say: Say = say or (lambda _message: None)

    def sync(self, archive: PostgresArchive) -> SyncStats:
        """Give every item without a search row one; cheap when nothing changed. Runs in the
        caller's transaction when there is one (the document's own), else in its own."""
        started = time.perf_counter()
        conn = archive.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            stats = self._sync(archive)
            if own:
                conn.execute("COMMIT")
        except BaseException:
            if own:
                conn.rollback()
            raise
        stats.seconds = time.perf_counter() - started
        return stats

    def _sync(self, archive: PostgresArchive) -> SyncStats:
        conn = archive.conn
        fresh = [r[0] for r in conn.execute(
            """SELECT d.id FROM documents d WHERE EXISTS (SELECT 1 FROM items i WHERE i.document_id = d.id)
               AND NOT EXISTS (SELECT 1 FROM item_search s WHERE s.document_id = d.id) ORDER BY d.id""")]
        stats = SyncStats(directory="item_search")
        if not fresh:
            return stats
        growth = archive_vocabulary(archive, fresh)
        words = {r[0]: r[1] for r in conn.execute("SELECT word, count FROM vocabulary")}
        new_words = sum(n for w, n in growth.items() if w not in words)
        words_at_build, words_added = _meta(conn, "words_at_build"), _meta(conn, "words_added")
        if not words or words_added + new_words > REBUILD_GROWTH * max(words_at_build, 1):
            return self._rebuild(archive, reason="vocabulary grew" if words else "no search rows")
        conn.executemany(
            "INSERT INTO vocabulary (word, count) VALUES (?, ?) "
            "ON CONFLICT (word) DO UPDATE SET count = vocabulary.count + excluded.count",
            sorted(growth.items()))
        for word, n in growth.items():
            words[word] = words.get(word, 0) + n
        stats.items = self._add_documents(archive, Analysis(Decompounder(words)), fresh)
        _set_meta(conn, "words_added", words_added + new_words)
        _set_meta(conn, "generation", _meta(conn, "generation") + 1)
        stats.added_documents = len(fresh)
        return stats

    def rebuild(self, archive: PostgresArchive, *, reason: str = "requested") -> SyncStats:
        """Every search row and the vocabulary anew, in one transaction (readers keep seeing
        the old rows until it commits)."""
        started = time.perf_counter()
        with archive.conn:
            stats = self._rebuild(archive, reason=reason)
        stats.seconds = time.perf_counter() - started
        return stats

    def _rebuild(self, archive: PostgresArchive, *, reason: str) -> SyncStats:
        conn = archive.conn
        for table in ("item_search", "index_terms", "vocabulary"):
            conn.execute(f"DELETE FROM {table}")
        words = archive_vocabulary(archive)
        decompounder = Decompounder.from_vocabulary(words)
        conn.executemany("INSERT INTO vocabulary (word, count) VALUES (?, ?)", sorted(decompounder.words.items()))
        documents = [d.id for d in archive.documents()]
        stats = SyncStats(rebuilt=True, reason=reason, directory="item_search")
        stats.items = self._add_documents(archive, Analysis(decompounder), documents)
        stats.added_documents = len(documents)
        _set_meta(conn, "words_at_build", sum(words.values()))
        _set_meta(conn, "words_added", 0)
        _set_meta(conn, "generation", _meta(conn, "generation") + 1)
        return stats

    @staticmethod
    def _add_documents(archive: PostgresArchive, analysis: Analysis, document_ids: Iterable[str]) -> int:
        conn = archive.conn
        count = 0
        for document_id in document_ids:
            rows, terms = search_rows(archive, analysis, document_id)
            conn.executemany(
                f"INSERT INTO item_search ({', '.join(SEARCH_COLUMNS)}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::tsvector)", rows)
            conn.executemany(
                "INSERT INTO index_terms (term, items) VALUES (?, ?) "
                "ON CONFLICT (term) DO UPDATE SET items = index_terms.items + excluded.items",
                sorted(terms.items()))
            count += len(rows)
        return count


WRITER_LOCK = 7_460_215  # pg_advisory_xact_lock key: one document transaction at a time


def begin_document(archive: PostgresArchive) -> None:
    """Start a document's transaction: writers on any machine take turns (the search rows'
    vocabulary and the replace-by-id of `indexer.store` assume one writer at a time)."""
    archive.conn.execute("BEGIN")
    archive.conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITER_LOCK,))


def keep_pdf(archive: PostgresArchive, pdf_path: Path, sha256: str) -> None:
    """The original PDF as a row (in the caller's transaction)."""
    archive.conn.execute("INSERT INTO pdf_files (sha256, content) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
                         (sha256, Path(pdf_path).read_bytes()))


def store_vectors(archive: PostgresArchive, model_id: str, dimension: int,
                  vectors: list[tuple[str, "np.ndarray"]]) -> None:
    with archive.conn:
        archive.conn.executemany(
            "INSERT INTO embeddings (hash, model, dimension, vector) VALUES (?, ?, ?, ?::halfvec) "
            "ON CONFLICT (hash, model) DO UPDATE SET vector = excluded.vector, dimension = excluded.dimension",
            [(h, model_id, dimension, halfvec_literal(v)) for h, v in vectors])
        # readers' cached counts (PostgresArchive.counted) are of the archive before these
        archive.conn.execute("INSERT INTO search_meta (key, value) VALUES ('vectors', 1) "
                             "ON CONFLICT (key) DO UPDATE SET value = search_meta.value + 1")
