"""The one boundary between the archive's users and where the archive is kept.

Two backends implement `ArchiveBackend`: the embedded default (`archive.storage.store.Archive`:
SQLite, a Whoosh directory and vector files in one folder; `make run` needs nothing else) and
PostgreSQL (`archive.postgres.store.PostgresArchive`: the same structure tables, a tsvector of
the project's own Danish analysis, pgvector HNSW; shared by several machines). The CLI, the
web app, the search modes and question answering take an `ArchiveBackend`; `open_archive`
picks the implementation from what `--data` names: a folder or a ``postgresql://`` URL
(also ``$KKR_ARKIV_DATABASE_URL``). Writes go through the indexer (indexer/store.py), never
through this interface.
"""
from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol

from archive.postgres.store import PostgresArchive
from archive.runtime import Runtime
from archive.storage.layout import ArchivePaths
from archive.storage.model import Document, Item, ItemRef, Meeting
from archive.storage.store import Archive

if TYPE_CHECKING:
    import numpy as np

    from archive.keyword.fulltext import Filters, KeywordResults
    from archive.search.semantic import PassageHit
    from archive.text.analysis import Analysis
    from archive.text.query import AllOf


class KeywordSearcherLike(Protocol):
    analysis: "Analysis"

    def search(self, root: "AllOf", filters: "Filters", *, sort: str = ..., limit: int = ...,
               facets: bool = ..., relax_below: int = ...) -> "KeywordResults | None": ...

    def count(self, root: "AllOf", filters: "Filters") -> int: ...

    def term_matches(self, word: str) -> bool: ...

    def words(self) -> dict[str, int]: ...

    def doc_count(self) -> int: ...

    def doc_frequency(self, term: str) -> int: ...


class KeywordSource(Protocol):
    def searcher(self) -> AbstractContextManager[KeywordSearcherLike]: ...


class PassageIndex(Protocol):
    def __len__(self) -> int: ...

    def search(self, query: "np.ndarray", *, limit: int, allowed_items: set[str] | None = None,
               decisions_only: bool = False) -> list["PassageHit"]: ...

    def item_passages(self, query: "np.ndarray", *, limit: int, allowed_items: set[str] | None = None,
                      include: list[str] | tuple[str, ...] = ()) -> dict[str, list["PassageHit"]]: ...


class ArchiveBackend(Protocol):
    """The read operations of the search modes, question answering, the web app and the CLI."""

    vectors_in_database: bool  # False: archive.search.semantic keeps the vectors in memory
    paths: ArchivePaths  # local files: the embedded archive itself, or a database's lock and PDF cache

    def close(self) -> None: ...
    def has_sha256(self, sha256: str) -> bool: ...
    def document_count(self) -> int: ...
    def meetings(self) -> list[Meeting]: ...
    def meeting(self, meeting_id: str) -> Meeting | None: ...
    def councils(self) -> list[str]: ...
    def bodies(self) -> list[tuple[str, str]]: ...
    def documents(self, *, meeting_id: str | None = None) -> list[Document]: ...
    def document(self, document_id: str, *, with_items: bool = False) -> Document | None: ...
    def item(self, item_id: str) -> Item | None: ...
    def items(self, *, document_id: str | None = None, item_ids: list[str] | None = None) -> Iterator[Item]: ...
    def items_with_block(self, item_ids: list[str], heading: str) -> set[str]: ...
    def item_ref(self, item_id: str) -> ItemRef | None: ...
    def item_refs(self, item_ids: list[str] | None = None) -> dict[str, ItemRef]: ...
    def counterpart(self, item_id: str) -> ItemRef | None: ...
    def case_history(self, case_number: str) -> list[ItemRef]: ...
    def item_ids_where(self, *, council_slug: str | None = None, kind: str | None = None,
                       date_from: str | None = None, date_to: str | None = None) -> set[str]: ...
    def pdf_path(self, document_id: str) -> Path | None: ...
    def passage_count(self) -> int: ...
    def embedded_models(self) -> dict[str, int]: ...
    def passages_without_vectors(self, model_id: str) -> list[tuple[str, str]]: ...
    def keyword_index(self) -> KeywordSource: ...
    def passage_index(self, model_id: str) -> PassageIndex | None: ...


DATABASE_ENV = "KKR_ARKIV_DATABASE_URL"
_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(data: object) -> bool:
    """True when `data` names a PostgreSQL database rather than an archive folder."""
    return isinstance(data, str) and data.startswith(_SCHEMES)


def database_url(data: str | os.PathLike | None) -> str | None:
    """The PostgreSQL URL that `data` (or, without it, $KKR_ARKIV_DATABASE_URL) names, or None."""
    if data is not None:
        return str(data) if is_database_url(str(data)) else None
    env = os.environ.get(DATABASE_ENV, "")
    return env if is_database_url(env) else None


def open_archive(data: str | os.PathLike | None = None, *, runtime: Runtime | None = None) -> Archive:
    """The archive `data` names, read-only: a PostgreSQL URL, else a folder (`ArchivePaths.at`).
    The indexer opens it for writing (`indexer.schema.open_writable`)."""
    url = database_url(data)
    if url is not None:
        return PostgresArchive(url, runtime=runtime)
    return Archive(data, runtime=runtime)
