"""Every write to the keyword index: the indexer decides when, this module writes.

`KeywordIndexWriter.sync` brings the index up to date with the SQLite archive after each
stored document (and repairs what a killed run left behind); `rebuild` builds a fresh index
in a new directory and swaps it in atomically (`kkr-arkiv reindex`). What an index holds
(fields, documents, meta, derived data) is defined on the read side in
`archive.keyword.fulltext`; this is the only module outside `archive/keyword/` that imports
whoosh, and it uses only Whoosh's public index API (create, open, writer).
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from whoosh import index as whoosh_index

from archive.filemode import as_if_opened
from archive.keyword.analyzer import attach_decompounder
from archive.keyword.fulltext import (
    DERIVED_FILE,
    DICTIONARY_FILE,
    META_FILE,
    WRITER_FILE,
    DocumentInfo,
    IndexMeta,
    KeywordIndex,
    KeywordIndexError,
    build_schema,
    derived_data,
    item_fields,
    read_derived,
)
from archive.storage.store import Archive
from archive.text.analysis import Decompounder, vocabulary

# Rebuild (new dictionary, all items re-analysed) once the archive's vocabulary has grown by
# this share since the dictionary was built; smaller growth is merged into the dictionary.
REBUILD_GROWTH = 0.25
LOCK_TIMEOUT = 60.0

Say = Callable[[str], None]


class KeywordIndexBusy(KeywordIndexError):
    """Another process holds the keyword index's write lock."""


@dataclass
class SyncStats:
    added_documents: int = 0
    deleted_documents: int = 0
    items: int = 0
    rebuilt: bool = False
    reason: str = ""
    seconds: float = 0.0
    directory: str = ""
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.rebuilt:
            return f"keyword index rebuilt ({self.reason}): {self.items} items in {self.seconds:.1f} s"
        if not (self.added_documents or self.deleted_documents):
            return "keyword index up to date"
        return (f"keyword index: {self.added_documents} documents added, {self.deleted_documents} removed "
                f"({self.items} items) in {self.seconds:.1f} s")


def atomic_write_text(path: Path, text: str) -> None:
    """Write `path` through a temporary file and a rename: readers see the old or the new text."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        as_if_opened(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def archive_vocabulary(archive: Archive, document_ids: Iterable[str] | None = None) -> Counter[str]:
    """Surface word counts of every item (or of the given documents' items)."""
    def texts() -> Iterator[str]:
        items = (
            (i for d in document_ids for i in archive.items(document_id=d))
            if document_ids is not None else archive.items()
        )
        for item in items:
            yield item.title
            for block in item.blocks:
                for paragraph in block.paragraphs:
                    yield paragraph.text

    return vocabulary(texts())


def documents_of(archive: Archive) -> dict[str, DocumentInfo]:
    return {
        d.id: DocumentInfo(d.id, d.council, d.kind, d.date.isoformat(), d.sha256)
        for d in archive.documents()
    }


def _read_marker(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


class KeywordIndexWriter:
    """Writes the keyword index of one archive. Cheap to construct; opens files on demand."""

    def __init__(self, paths, *, compounds: bool = True, say: Say | None = None,
                 lock_timeout: float = LOCK_TIMEOUT):
        self.paths = paths
        self.index = KeywordIndex(paths, compounds=compounds)
        self.compounds = compounds
        self.lock_timeout = lock_timeout
        self.say: Say = say or (lambda _message: None)

    def sync(self, archive: Archive) -> SyncStats:
        """Make the index match the archive: index documents whose sha256 is not indexed yet,
        drop documents that are gone or were replaced. Cheap when nothing changed."""
        started = time.perf_counter()
        directory = self.index.current_dir()
        usable, reason = self.index.usable(directory)
        if not usable:
            return self.rebuild(archive, reason=reason)
        documents = documents_of(archive)
        ix = whoosh_index.open_dir(str(directory))
        with ix.searcher() as searcher:
            indexed = {f["document_id"]: f["sha256"] for f in searcher.all_stored_fields()}
        stale = sorted(d for d, sha in indexed.items() if documents.get(d, None) is None or documents[d].sha256 != sha)
        fresh = sorted(d for d, info in documents.items() if indexed.get(d) != info.sha256)
        stats = SyncStats(directory=directory.name)
        if not stale and not fresh:
            if read_derived(directory, ix.latest_generation()) is None:
                self._write_derived(directory)
            stats.seconds = time.perf_counter() - started
            return stats
        meta = IndexMeta.read(directory)
        assert meta is not None
        growth = archive_vocabulary(archive, fresh)
        decompounder = Decompounder.load(directory / DICTIONARY_FILE)
        new_words = sum(n for w, n in growth.items() if w not in decompounder.words)
        if meta.words_added + new_words > REBUILD_GROWTH * max(meta.words_at_build, 1):
            return self.rebuild(archive, reason="vocabulary grew")
        for word, n in growth.items():
            decompounder.words[word] = decompounder.words.get(word, 0) + n
        with self.writer(ix, directory, decompounder, stats) as writer:
            for document_id in stale:
                writer.delete_by_term("document_id", document_id)
            stats.items = self.add_documents(writer, archive, [documents[d] for d in fresh])
        # readers reopen the index when its generation or this dictionary's mtime changes
        atomic_write_text(directory / DICTIONARY_FILE, decompounder.to_json())
        meta.words_added += new_words
        atomic_write_text(directory / META_FILE, meta.to_json())
        self._write_derived(directory)
        stats.added_documents, stats.deleted_documents = len(fresh), len(stale)
        stats.seconds = time.perf_counter() - started
        return stats

    def rebuild(self, archive: Archive, *, reason: str = "requested") -> SyncStats:
        """Build a complete index from the archive in a new directory, then swap it in
        atomically. Readers of the old directory keep working; it is removed at the next
        rebuild."""
        started = time.perf_counter()
        self.paths.index_root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        directory = self.paths.index_root / f"kw-{stamp}-{os.getpid()}"
        directory.mkdir()
        stats = SyncStats(rebuilt=True, reason=reason, directory=directory.name)
        try:
            words = archive_vocabulary(archive)
            decompounder = Decompounder.from_vocabulary(words)
            atomic_write_text(directory / DICTIONARY_FILE, decompounder.to_json())
            ix = whoosh_index.create_in(str(directory), build_schema(compounds=self.compounds))
            documents = documents_of(archive)
            with self.writer(ix, directory, decompounder, stats) as writer:
                stats.items = self.add_documents(writer, archive, documents.values())
            atomic_write_text(directory / META_FILE,
                              IndexMeta(self.compounds, sum(words.values()), built=stamp).to_json())
            self._write_derived(directory)
            stats.added_documents = len(documents)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        previous = self.index.current_dir()
        atomic_write_text(self.paths.index_pointer, directory.name + "\n")
        self._remove_old_dirs(keep={directory.name, previous.name if previous else ""})
        stats.seconds = time.perf_counter() - started
        return stats

    def delete(self) -> None:
        """Remove the whole index (it is derived data; `sync` recreates it)."""
        shutil.rmtree(self.paths.index_root, ignore_errors=True)

    def _remove_old_dirs(self, keep: set[str]) -> None:
        for path in self.paths.index_root.iterdir():
            if path.is_dir() and path.name.startswith("kw-") and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def _write_derived(directory: Path) -> None:
        atomic_write_text(directory / DERIVED_FILE, derived_data(directory))

    @staticmethod
    def add_documents(writer, archive: Archive, documents: Iterable[DocumentInfo]) -> int:
        count = 0
        for doc in documents:
            for position, item in enumerate(archive.items(document_id=doc.id)):
                writer.add_document(**item_fields(item, doc, position))
                count += 1
        return count

    @contextmanager
    def writer(self, ix, directory: Path, decompounder: Decompounder, stats: SyncStats):
        """A Whoosh writer with the decompounder attached and crash detection: Whoosh's
        WRITELOCK is an flock, released by the kernel when a writer dies; our WRITER.pid
        beside it tells that a writer died mid-way, which we report."""
        marker = directory / WRITER_FILE
        try:
            writer = ix.writer(timeout=self.lock_timeout)
        except whoosh_index.LockError as err:
            raise KeywordIndexBusy(
                f"the keyword index in {directory} is being written by another process "
                f"({_read_marker(marker) or 'unknown'}); try again when it has finished"
            ) from err
        previous = _read_marker(marker)
        if previous:
            message = (f"Recovered the keyword index lock left by a crashed writer ({previous}); "
                       "its unfinished changes were discarded.")
            stats.messages.append(message)
            self.say(message)
        atomic_write_text(marker, f"pid {os.getpid()} on {socket.gethostname()}\n")
        attach_decompounder((f.analyzer for f in writer.schema if hasattr(f, "analyzer")), decompounder)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        finally:
            marker.unlink(missing_ok=True)
