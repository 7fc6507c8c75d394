"""The PostgreSQL archive: the read side of the shared, multi-machine backend.

`PostgresArchive` is an `Archive` whose connection is a PostgreSQL session (through
`archive.postgres.connection`, which runs the archive's SQL unchanged), so every structure
query is the one `archive.storage.store` runs on SQLite. What differs is where the search
side reads: the keyword index is the `item_search` table (`archive.postgres.keyword`), the
vectors are pgvector columns with an HNSW index (`archive.postgres.vectors`), and the PDFs
are rows of `pdf_files` (replicas carry them), read into a local cache file when served.
The read side runs read-only transactions; the schema is created by the indexer
(indexer/postgres_schema.py).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable

import psycopg

from archive.postgres.connection import Connection
from archive.postgres.keyword import PostgresKeywordIndex
from archive.postgres.vectors import PostgresVectorIndex
from archive.runtime import Runtime
from archive.settings import DEFAULT, PostgresSettings
from archive.storage.layout import ArchivePaths
from archive.storage.model import ItemRef
from archive.storage.store import Archive


def local_paths(url: str) -> ArchivePaths:
    """A local folder per database for what stays on this machine: lock files of this
    machine's writers and the cache of PDFs being served."""
    digest = hashlib.sha1(url.encode()).hexdigest()[:16]
    return ArchivePaths(Path(tempfile.gettempdir()) / "kkr-arkiv-postgres" / digest)


class PostgresArchive(Archive):
    vectors_in_database = True  # pgvector answers nearest-neighbour queries (passage_index)

    def __init__(self, url: str, *, connection: Connection | None = None, runtime: Runtime | None = None,
                 settings: PostgresSettings = DEFAULT.postgres):
        """The archive in the database at `url`, read-only (read-only transactions);
        `connection` is the writer's, given by the indexer (indexer/postgres_schema.py)."""
        self.url = url
        self.settings = settings
        self.runtime = runtime if runtime is not None else Runtime()
        self.paths = local_paths(url)
        self.paths.root.mkdir(parents=True, exist_ok=True)
        if connection is None:
            try:
                connection = Connection(url, readonly=True)
            except psycopg.OperationalError as exc:
                raise FileNotFoundError(f"cannot connect to the archive database {_safe(url)}: "
                                        f"{str(exc).strip().splitlines()[0]}") from exc
            if connection.execute("SELECT to_regclass('search_meta')").fetchone()[0] is None:
                connection.close()
                raise FileNotFoundError(f"no archive in {_safe(url)} (run 'kkr-arkiv ingest' first)")
        self.conn = connection

    def __repr__(self) -> str:
        return f"PostgresArchive({_safe(self.url)!r})"

    # ------------------------------------------------------------------ search side

    def keyword_index(self) -> PostgresKeywordIndex:
        return PostgresKeywordIndex(self)

    def passage_index(self, model_id: str) -> PostgresVectorIndex:
        return PostgresVectorIndex(self, model_id)

    # ------------------------------------------------------------------ files

    def pdf_path(self, document_id: str) -> Path | None:
        row = self.conn.execute("SELECT sha256 FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            return None
        target = self.paths.pdf(row["sha256"])
        if not target.exists():
            content = self.conn.execute("SELECT content FROM pdf_files WHERE sha256 = ?",
                                        (row["sha256"],)).fetchone()
            if content is None:
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(content[0])
            os.replace(tmp, target)  # a cache of the database's bytes, never the archive itself
        return target

    # ------------------------------------------------------------------ counts

    def counted(self, name: str, compute: Callable[[], object]):
        """A count over the whole archive (passages, vectors per model), computed once per
        process while the archive stays the same: every document transaction moves the
        search rows' `generation`, every vector write the `vectors` stamp (search_meta), so
        a query reads one small row instead of counting a million."""
        stamp = tuple(r[0] for r in self.conn.execute(
            "SELECT value FROM search_meta WHERE key IN ('generation', 'vectors') ORDER BY key"))
        return self.runtime.postgres_counts.get(self.url, stamp, name, compute)

    def item_refs(self, item_ids: list[str] | None = None) -> dict[str, ItemRef]:
        """Every item's ref is read once per archive state (answering scopes each question
        with it: 98k items at 1M passages); a selection is read as asked."""
        if item_ids is not None:
            return super().item_refs(item_ids)
        return self.counted("item_refs", super().item_refs)

    def passage_count(self) -> int:
        return self.counted("passages", super().passage_count)

    def embedded_models(self) -> dict[str, int]:
        return dict(self.counted("models", super().embedded_models))

    # ------------------------------------------------------------------ vectors

    def vector_rowids(self, model_id: str) -> tuple[list[int], int]:
        """No vector files: the HNSW index lives in the database (nothing for `ann` to keep)."""
        return [], 0


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())
