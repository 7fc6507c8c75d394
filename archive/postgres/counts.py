"""What a PostgreSQL archive computes over the whole archive (passage and vector counts,
every item's ref), kept per process while the archive stays the same: a stamp that every
document transaction and every vector write moves (`search_meta`) tells when to recompute.
Held by the process's `Runtime` (`Runtime.postgres_counts`)."""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


class StampedCounts:
    def __init__(self):
        self._lock = threading.Lock()
        self._by_database: dict[str, tuple[tuple, dict[str, object]]] = {}

    def get(self, database: str, stamp: tuple, name: str, compute: Callable[[], T]) -> T:
        """`compute()`'s value for `name` in `database` at `stamp`, computed once per stamp.
        Callers must not change what they get."""
        with self._lock:
            entry = self._by_database.get(database)
            if entry is None or entry[0] != stamp:
                entry = (stamp, {})
                self._by_database[database] = entry
            if name in entry[1]:
                return entry[1][name]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            entry[1][name] = value
        return value
