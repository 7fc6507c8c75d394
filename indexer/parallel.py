"""Parallel and distributed ingest: parse (and embed) on N processes or a Dask cluster, write here.

    kkr-arkiv ingest --workers 4 PDFS...            four local processes
    kkr-arkiv ingest --scheduler tcp://HOST:8786    the workers of a Dask cluster

The CPU-bound stages run in `prepare`, a task that takes a PDF's bytes (so a worker on another
machine needs no shared disk), parses it in a child process under the per-file limits of
`IngestSettings` (as the sequential pipeline does), cuts the passages and, when asked, embeds
them. The writing stays here, in the one process that holds the writer lock: each document
in one transaction with its search rows, idempotent by the PDF's sha256 (a file archived
already is never sent; a document stored by another writer meanwhile is "unchanged"). A
worker that dies loses only its task: nothing of its file was written, and the next run
sends it again. Dask workers run their tasks in daemonic processes unless configured
otherwise; the parser's child needs ``distributed.worker.daemon: false``
(DASK_DISTRIBUTED__WORKER__DAEMON=False), which `local_cluster` sets.
"""
from __future__ import annotations

import os
import tempfile
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from archive.settings import DEFAULT, IngestSettings
from archive.storage.model import Document
from archive.storage.store import Archive
from archive.storage.writelock import writer_lock
from archive.runtime import Runtime
from indexer.chunk import PassageDraft
from indexer.errors import RejectedPDF
from indexer.filenames import display_name
from indexer.pipeline import IngestReport, check_file, chunk, find_pdfs, keyword_writer, parse_in_child, \
    report_stored, store
from indexer.store import storable, store_vectors

if TYPE_CHECKING:
    import numpy as np

Say = Callable[[str], None]

WORKER = Runtime()  # the per-process state of a worker process: its loaded embedder


@dataclass
class Prepared:
    """What a worker sends back for one file: the parsed document with its passages and
    their vectors, or the reason it was rejected."""

    doc: Document | None = None
    passages: list[list[PassageDraft]] = field(default_factory=list)
    model_id: str = ""
    dimension: int = 0
    vectors: list[tuple[str, "np.ndarray"]] = field(default_factory=list)
    rejection: str = ""


def prepare(name: str, content: bytes, settings: IngestSettings, model: str | None, embed: bool) -> Prepared:
    """Parse, chunk and (with `embed`) embed one PDF given by its bytes. Runs on a worker."""
    with tempfile.TemporaryDirectory(prefix="kkr-arkiv-") as tmp:
        path = Path(tmp) / (os.path.basename(name) or "document.pdf")
        path.write_bytes(content)
        try:
            doc = storable(parse_in_child(path, settings))
        except RejectedPDF as rejection:
            return Prepared(rejection=rejection.reason)
    passages = chunk(doc)
    prepared = Prepared(doc, passages)
    if embed:
        embedder = WORKER.embedders.load(model)
        texts = {d.hash: d.text for drafts in passages for d in drafts}
        if texts:
            vectors = embedder.embed_passages(list(texts.values()))
            prepared.vectors = list(zip(texts, vectors))
        prepared.model_id, prepared.dimension = embedder.model_id, embedder.dimension
    return prepared


def ingest_parallel(
    archive: Archive,
    paths: Iterable[Path],
    *,
    workers: int = 2,
    scheduler: str | None = None,
    embed: bool = False,
    model: str | None = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    say: Say = print,
    settings: IngestSettings = DEFAULT.ingest,
) -> IngestReport:
    """`indexer.pipeline.ingest_paths` with the parsing (and embedding) on `workers` local
    processes, or on the Dask cluster at `scheduler`."""
    report = IngestReport()
    started = time.perf_counter()
    files = find_pdfs(Path(p) for p in paths)
    index = keyword_writer(archive, say)
    with writer_lock(archive.paths.ingest_lock, wait_seconds=settings.lock_wait_seconds, say=say):
        index.sync(archive)
        todo: list[Path] = []
        for path in files:
            try:
                if check_file(archive, path):
                    todo.append(path)
                else:
                    report.unchanged.append(display_name(path))
            except RejectedPDF as rejection:
                report.rejected.append(rejection)
        with _pool(workers, scheduler) as submit:
            pending: deque[tuple[Path, Future]] = deque()
            window = max(2, 2 * workers)
            queue = iter(progress(todo) if progress else todo)
            for path in queue:
                pending.append((path, submit(prepare, path.name, path.read_bytes(), settings, model, embed)))
                while len(pending) >= window:
                    _store_next(archive, index, report, *pending.popleft())
            while pending:
                _store_next(archive, index, report, *pending.popleft())
    report.seconds = time.perf_counter() - started
    return report


def _store_next(archive: Archive, index, report: IngestReport, path: Path, future: Future) -> None:
    prepared: Prepared = future.result()
    if prepared.doc is None:
        report.rejected.append(RejectedPDF(path, prepared.rejection))
        return
    status = store(archive, path, prepared.doc, prepared.passages, index=lambda: index.sync(archive))
    report_stored(report, path, prepared.doc, status)
    if prepared.vectors:
        store_vectors(archive, prepared.model_id, prepared.dimension, prepared.vectors)


class _pool:
    """`submit` of a local process pool, or of a Dask client connected to `scheduler`."""

    def __init__(self, workers: int, scheduler: str | None):
        self.workers = workers
        self.scheduler = scheduler
        self._executor: ProcessPoolExecutor | None = None
        self._client = None

    def __enter__(self) -> Callable[..., Future]:
        if self.scheduler:
            from distributed import Client

            self._client = Client(self.scheduler)
            return lambda fn, *args: self._client.submit(fn, *args, pure=False)
        import multiprocessing

        self._executor = ProcessPoolExecutor(max_workers=max(1, self.workers),
                                             mp_context=multiprocessing.get_context("forkserver"))
        return self._executor.submit

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)


def local_cluster(workers: int):
    """A Dask LocalCluster on 127.0.0.1 whose worker processes may start the parser's child."""
    import dask
    from distributed import LocalCluster

    dask.config.set({"distributed.worker.daemon": False})
    return LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                        processes=True)
