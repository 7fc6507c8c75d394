"""Ingest: PDF files -> parsed documents -> the archive (SQLite + PDF store) -> keyword index.

The stages read top to bottom, one function each, for every file in turn:

    find   -> the files named, and the *.pdf files of the folders named (symlinks not followed)
    check  -> refuse what must not be opened (pipes, devices, sockets, loops, missing, unreadable)
              and skip files whose bytes are archived already
    parse  -> in a child process with a time budget and a memory cap (``IngestSettings``), so a
              hostile file cannot hang, exhaust or crash the run
    chunk  -> split each item into passages for the answer and semantic side
    store  -> one SQLite transaction per document (a rejected file never changes the archive)
    index  -> the keyword index takes each document inside its SQLite transaction and commits
              just before it, so a document is findable the moment it is stored; at the start
              the index drops anything a killed run indexed but never committed
    (embed -> vectors for new passages: ``indexer.embed``, run by the CLI after the ingest)

Every rejected file gives one ``RejectedPDF`` naming the file and the reason; the run goes on.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import multiprocessing
import os
import resource
import signal
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from archive.postgres.store import PostgresArchive
from indexer.keyword_index import KeywordIndexWriter
from archive.settings import DEFAULT, IngestSettings
from archive.storage.model import Document
from archive.storage.store import Archive
from archive.storage.writelock import writer_lock

from .chunk import PassageDraft, split_passages
from .errors import RejectedPDF
from .filenames import display_name
from .parse import parse_pdf
from .postgres_store import PostgresSearchIndex
from .preflight import check_pdf
from .store import storable, store_document

Say = Callable[[str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RejectedPDF] = field(default_factory=list)
    unstructured: list[tuple[str, str]] = field(default_factory=list)  # (file, reason), archived by page
    items: int = 0
    pages: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        line = (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, {len(self.replaced)} replaced, "
            f"{len(self.rejected)} rejected; {self.items} items, {self.pages} pages in {self.seconds:.1f} s"
        )
        if self.unstructured:
            line += f"\n{len(self.unstructured)} archived unstructured: " + "; ".join(
                f"{name}: {reason}" for name, reason in self.unstructured)
        return line


def ingest_paths(
    archive: Archive,
    paths: Iterable[Path],
    *,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    say: Say = print,
    settings: IngestSettings = DEFAULT.ingest,
) -> IngestReport:
    """Ingest every PDF in `paths`; each stored document is in the keyword index at once."""
    report = IngestReport()
    started = time.perf_counter()
    files = find_pdfs(Path(p) for p in paths)
    index = keyword_writer(archive, say)
    with writer_lock(archive.paths.ingest_lock, wait_seconds=settings.lock_wait_seconds, say=say):
        index.sync(archive)  # repair: documents a killed run committed but did not index
        for path in progress(files) if progress else files:
            try:
                if check_file(archive, path):
                    doc = storable(parse_in_child(path, settings))
                    stored = store(archive, path, doc, chunk(doc), index=lambda: index.sync(archive))
                    report_stored(report, path, doc, stored)
                else:
                    report.unchanged.append(display_name(path))
            except RejectedPDF as rejection:
                report.rejected.append(rejection)
    report.seconds = time.perf_counter() - started
    return report


def keyword_writer(archive: Archive, say: Say) -> KeywordIndexWriter | PostgresSearchIndex:
    """What keeps the archive's keyword search up to date: the Whoosh index beside an embedded
    archive, the search rows of a PostgreSQL one."""
    if isinstance(archive, PostgresArchive):
        return PostgresSearchIndex(say=say)
    return KeywordIndexWriter(archive.paths, say=say)


# -- find

def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line are taken as they are (a non-PDF is then rejected with a
    reason); folders are searched recursively for entries named *.pdf without following symlinks
    to folders. Each entry is checked later, so a pipe or a broken link named *.pdf is reported."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs.sort()
                found.extend(Path(root) / n for n in sorted(names) if n.lower().endswith(".pdf"))
        else:
            found.append(path)
    seen: set[str] = set()
    unique = []
    for p in found:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# -- check

_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO), not a file"),
    (stat.S_ISSOCK, "a socket, not a file"),
    (stat.S_ISCHR, "a character device, not a file"),
    (stat.S_ISBLK, "a block device, not a file"),
    (stat.S_ISDIR, "a folder, not a file"),
)


def check_file(archive: Archive, path: Path) -> bool:
    """Raise ``RejectedPDF`` for what cannot be a PDF file, before anything opens it; return
    False when these exact bytes are archived already."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise RejectedPDF(path, _stat_failure(path, exc)) from exc
    for test, reason in _NOT_REGULAR:
        if test(mode):
            raise RejectedPDF(path, f"the path is {reason}")
    if not stat.S_ISREG(mode):
        raise RejectedPDF(path, "the path is not a regular file")
    try:
        sha256 = file_sha256(path)
    except OSError as exc:
        raise RejectedPDF(path, f"the file cannot be read: {exc.strerror or exc}") from exc
    return not archive.has_sha256(sha256)


def _stat_failure(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "the path is a symlink loop"
    if exc.errno == errno.ENOENT:
        return "the file does not exist (broken symbolic link)" if os.path.islink(path) else "the file does not exist"
    return f"the file cannot be read: {exc.strerror or exc}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- parse (child process)

def parse_in_child(path: Path, settings: IngestSettings) -> Document:
    """``parse_pdf`` in a forked child with a wall-clock budget and an address-space cap."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_parse_child, args=(path, settings, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(settings.parse_seconds):
            child.kill()
            raise RejectedPDF(path, f"parsing took longer than {settings.parse_seconds:g} s (the per-file time budget)")
        try:
            outcome, value = receive.recv()
        except EOFError:
            child.join(5)
            raise RejectedPDF(path, _child_death(child.exitcode, settings)) from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if outcome == "rejected":
        raise RejectedPDF(path, value)
    return value


_EXIT_MEMORY = 75


def _child_death(exitcode: int | None, settings: IngestSettings) -> str:
    if exitcode == _EXIT_MEMORY:
        return _memory_reason(settings)
    if exitcode is not None and exitcode < 0:
        return (f"the parser process died (signal {-exitcode}); the file may need more than "
                f"{settings.parse_memory_mb} MB of memory (the per-file cap) or be malformed")
    return f"the parser process ended without a result (exit code {exitcode})"


def _parse_child(path: Path, settings: IngestSettings, send) -> None:
    _die_with_parent()
    limit = settings.parse_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.setrecursionlimit(settings.max_recursion)
    try:
        check_pdf(path, settings)
        send.send(("document", parse_pdf(path)))
    except RejectedPDF as rejection:
        reason = _limit_reason(rejection)
        if reason is None:
            os._exit(_EXIT_MEMORY)
        send.send(("rejected", reason))
    except RecursionError:
        send.send(("rejected", _recursion_reason()))
    except MemoryError:
        os._exit(_EXIT_MEMORY)  # no memory left even to report it: the exit code says it
    except SystemError:
        # A C extension (pdfminer's, Pillow's) whose allocation the address-space cap refused
        # returns NULL without setting MemoryError: "error return without exception set".
        os._exit(_EXIT_MEMORY)
    finally:
        send.close()


def _die_with_parent() -> None:
    """On Linux the kernel kills the child when the ingest dies (a kill -9 leaves no parser
    running on a hostile file with nobody to stop it)."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the call
            os._exit(1)


def _limit_reason(rejection: RejectedPDF) -> str | None:
    """The reason, made accurate when what went wrong was one of the child's limits (None: the
    memory cap, which the child reports by its exit code)."""
    cause = rejection.__cause__
    while cause is not None:
        if isinstance(cause, MemoryError):
            return None
        if isinstance(cause, RecursionError):
            return _recursion_reason()
        cause = cause.__cause__ or (cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None)
    return rejection.reason


def _memory_reason(settings: IngestSettings) -> str:
    return f"parsing needs more than {settings.parse_memory_mb} MB of memory (the per-file cap)"


def _recursion_reason() -> str:
    return "the PDF's objects are nested too deeply or refer to themselves"


# -- chunk

def chunk(doc: Document) -> list[list[PassageDraft]]:
    return [split_passages(item) for item in doc.items]


# -- store

def store(archive: Archive, path: Path, doc: Document, passages: list[list[PassageDraft]], *, index: Callable[[], None]) -> str:
    """One transaction; the file name is kept in its escaped display form (any bytes in).

    ``index`` runs inside the transaction, before its commit: the keyword index reads the new
    rows through the same connection and commits first, so whatever SQLite has committed is
    already findable. A kill between the two commits leaves the index one document ahead, which
    search skips (it shows only items SQLite has) and the next writer's sync removes."""
    doc = dataclasses.replace(doc, file_name=display_name(path.name))
    return store_document(archive, doc, path, passages=passages, before_commit=index).status


def report_stored(report: IngestReport, path: Path, doc: Document, status: str) -> None:
    shown = display_name(path)
    {"added": report.added, "replaced": report.replaced, "unchanged": report.unchanged}[status].append(shown)
    if status != "unchanged" and not doc.structured:
        report.unstructured.append((display_name(path.name), doc.unstructured_reason))
    if status != "unchanged" and doc.structured:
        report.items += len(doc.items)
    if status != "unchanged":
        report.pages += doc.page_count
