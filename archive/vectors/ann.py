"""Approximate nearest-neighbour search (HNSW, usearch) for archives too large for exact search.

Exact search multiplies the query by every stored vector; at 384 dimensions that is a
memory-bound pass over 1.5 kB a vector, which crosses 50 ms somewhere near 100,000 vectors
on a 2-core machine (docs/BENCHMARKS.md). Above `ANN_THRESHOLD` vectors the embedder side
(`kkr-arkiv embed`) keeps an HNSW index on disk, updated incrementally, and the search side
memory-maps it. Keys are the rowids of the `embeddings` table, so identical passage texts
(an agenda and its minutes share most paragraphs) are stored once.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from archive.storage.store import Archive

ANN_THRESHOLD = 50_000  # vectors; below it exact search is fast enough and no index is kept
_HNSW = {"metric": "ip", "dtype": "f32", "connectivity": 16, "expansion_add": 128, "expansion_search": 96}


def _new_index(dimension: int):
    from usearch.index import Index

    return Index(ndim=dimension, **_HNSW)


def update_vector_index(archive: Archive, model_id: str, *, threshold: int = ANN_THRESHOLD) -> str:
    """Bring the on-disk HNSW index of `model_id` in line with the stored vectors.
    Returns a short description of what was done."""
    from usearch.index import Index

    path = archive.paths.vector_index(model_id)
    rowids, dimension = archive.vector_rowids(model_id)
    if len(rowids) < threshold:
        if path.exists():
            path.unlink()
        return f"no approximate index ({len(rowids)} vectors < {threshold})"
    index = Index.restore(str(path)) if path.exists() else None
    if index is None or index.ndim != dimension:
        index = _new_index(dimension)
    present = np.asarray(index.keys, dtype=np.int64) if len(index) else np.zeros(0, dtype=np.int64)
    wanted = np.asarray(rowids, dtype=np.int64)
    stale = np.setdiff1d(present, wanted)
    missing = np.setdiff1d(wanted, present)
    if len(stale) > len(wanted) // 5:  # many deletions: a fresh graph is better than tombstones
        index, missing = _new_index(dimension), wanted
    elif len(stale):
        index.remove(stale)
    for start in range(0, len(missing), 20_000):
        keys = missing[start:start + 20_000]
        index.add(keys, archive.vectors_by_rowid(model_id, keys.tolist()), threads=os.cpu_count() or 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    index.save(str(tmp))
    os.replace(tmp, path)
    return f"approximate index: {len(index)} vectors ({len(missing)} added, {len(stale)} removed)"


def open_vector_index(path: Path, expected: int):
    """The memory-mapped HNSW index at `path`, or None when it is missing or out of date."""
    if not path.exists():
        return None
    from usearch.index import Index

    try:
        index = Index.restore(str(path), view=True)
    except Exception:  # a damaged derived file: fall back to exact search
        return None
    if index is None or len(index) != expected:
        return None
    return index
