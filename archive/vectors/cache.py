"""The per-process cache of what semantic search reads from an archive: a `VectorCache`,
held by the process's `Runtime` (`Runtime.vectors`, reached as `archive.runtime.vectors`).

Per archive it keeps the models with vectors, the passage count and, per model, the index
semantic search builds (archive/search/semantic.py `VectorIndex`; this module only caches it).
A long-lived read connection per archive watches `PRAGMA data_version`, which changes whenever
any other connection commits, so a query costs no counting when nothing changed and sees new
vectors as soon as they are committed.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Callable, TypeVar

T = TypeVar("T")


@dataclass
class _ArchiveState:
    """What semantic search knows about one archive, valid for one data version."""

    data_version: int
    embedded_models: dict[str, int]
    passage_count: int
    indexes: dict[str, tuple[object, object]] = field(default_factory=dict)  # model -> (stamp, index)


class VectorCache:
    """Per (archive, model): the vector index, rebuilt when the archive's data or the index
    file's stamp changed; per archive: its embedded models and passage count. The archive is
    any object with `paths.database`, `embedded_models()` and `passage_count()`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._watchers: dict[str, sqlite3.Connection] = {}
        self._states: dict[str, _ArchiveState] = {}

    def _state(self, archive) -> _ArchiveState:
        key = str(archive.paths.database)
        watcher = self._watchers.get(key)
        if watcher is None:
            watcher = sqlite3.connect(f"file:{key}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            self._watchers[key] = watcher
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        state = self._states.get(key)
        if state is None or state.data_version != version:
            state = _ArchiveState(version, archive.embedded_models(), archive.passage_count())
            self._states[key] = state
        return state

    def models(self, archive) -> dict[str, int]:
        """Models with vectors in the archive and how many vectors each has."""
        with self._lock:
            return self._state(archive).embedded_models

    def passage_count(self, archive) -> int:
        with self._lock:
            return self._state(archive).passage_count

    def index(self, archive, model_id: str, stamp: object, build: Callable[[int], T]) -> T:
        """The cached index of `model_id`, or `build(vector count)` when there is none for
        this data version and `stamp` (e.g. the ANN file's mtime)."""
        with self._lock:
            state = self._state(archive)
            cached = state.indexes.get(model_id)
            if cached and cached[0] == stamp:
                return cached[1]
            index = build(state.embedded_models.get(model_id, 0))
            state.indexes[model_id] = (stamp, index)
            return index
