"""The per-process cache of what answering reads of the whole archive: every item's `ItemRef`
(council, body, date, kind of each item: the question's scope is chosen from them). Held by
the process's `Runtime` (`Runtime.answers`, reached as `archive.runtime.answers`).

Building the map costs a scan of every item (0.2 s at 100x the sample corpus), once per
question without the cache. For an embedded (SQLite) archive the map is kept per database and
rebuilt when `PRAGMA data_version` of a long-lived watcher connection changes, which happens
whenever any other connection commits; any other archive is read afresh each time.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Callable

from archive.storage.model import ItemRef


class AnswerCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._watchers: dict[str, sqlite3.Connection] = {}
        self._refs: dict[str, tuple[int, dict[str, ItemRef]]] = {}

    def item_refs(self, database: Path | None, load: Callable[[], dict[str, ItemRef]]) -> dict[str, ItemRef]:
        """Every item's ref (`load()`, the archive's `item_refs()`), cached for the SQLite
        `database` while its data is unchanged; `database` None: not cached. Callers must
        not change the map they get."""
        if database is None:
            return load()
        key = str(database)
        with self._lock:
            watcher = self._watchers.get(key)
            if watcher is None:
                watcher = sqlite3.connect(f"file:{key}?mode=ro", uri=True, timeout=30, check_same_thread=False)
                self._watchers[key] = watcher
            version = watcher.execute("PRAGMA data_version").fetchone()[0]
            cached = self._refs.get(key)
            if cached is not None and cached[0] == version:
                return cached[1]
        refs = load()  # read after the version: a commit in between only makes the next call reload
        with self._lock:
            self._refs[key] = (version, refs)
        return refs
