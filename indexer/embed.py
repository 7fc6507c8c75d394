"""Embedding passages for semantic search: fills in vectors that the archive lacks.

Vectors are cached by passage text hash and model, so re-ingesting an unchanged
document, or one whose paragraphs mostly stayed the same, embeds nothing new.
Batches are committed as they are done, so search can use vectors as they land.
One embedder at a time writes vectors and the vector index (``embed.lock``, apart from the
ingest lock so that ingest and a background embedder run side by side); a second one finds the
lock taken, says so and leaves the work to the first.
"""
from __future__ import annotations

import time
from typing import Callable

from archive.storage.store import Archive
from archive.storage.writelock import ArchiveBusy, writer_lock
from archive.vectors.ann import update_vector_index
from indexer.store import store_vectors

BATCH = 32
EMBED_LOCK = "embed.lock"


def embed_missing(
    archive: Archive,
    *,
    model: str | None = None,
    say: Callable[[str], None] = print,
    progress: bool = True,
) -> int:
    """Embed every passage without a vector for the active model; returns how many were embedded."""
    try:
        with writer_lock(archive.paths.root / EMBED_LOCK, wait_seconds=0, say=lambda _m: None):
            return _embed_missing(archive, model=model, say=say, progress=progress)
    except ArchiveBusy:
        say("Embeddings: another embedder is running on this archive; it will embed the new passages.")
        return 0


def _vector_index(archive: Archive, model_id: str) -> str:
    if archive.vectors_in_database:
        return "the database's HNSW index (pgvector) is kept by the database"
    return update_vector_index(archive, model_id)


def _embed_missing(archive: Archive, *, model: str | None, say: Callable[[str], None], progress: bool) -> int:
    embedder = archive.runtime.embedders.load(model)
    if getattr(embedder, "fallback_reason", None) is None:  # a fallback is announced by Embedders.load
        say(f"Embedder: {embedder.description}")
    todo = archive.passages_without_vectors(embedder.model_id)
    if not todo:
        say("Embeddings: every passage already has a vector.")
        say(f"Vector search: {_vector_index(archive, embedder.model_id)}")
        return 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="Embed", unit="passage")
    started = time.perf_counter()
    done = 0
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        vectors = embedder.embed_passages([text for _h, text in batch])
        store_vectors(archive, embedder.model_id, embedder.dimension,
                      [(h, vec) for (h, _t), vec in zip(batch, vectors)])
        done += len(batch)
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - started
    say(f"Embedded {done} passages in {seconds:.1f} s ({done / max(seconds, 1e-9):.1f} passages/s).")
    say(f"Vector search: {_vector_index(archive, embedder.model_id)}")
    return done
