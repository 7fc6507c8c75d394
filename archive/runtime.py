"""Per-process state in one explicit object.

A `Runtime` is created by the composition roots (the CLI command group, the web app factory)
and passed to what needs it; nothing else keeps state between calls. Its caches hold what is
expensive to build and safe to share between requests of one process: rendered page images,
open keyword indexes, vector matrices, loaded embedders and per-archive answer tables.
Tunables are not state: they live in `settings` (archive/settings.py).

`vectors` is the vector cache of semantic search (archive/search/semantic.py), passed to
`search(..., vectors=runtime.vectors)`. The slots `keyword_indexes`, `embedders` and
`answer_rows` are where the module globals of archive/keyword/fulltext.py (`_OPEN`),
archive/vectors/embedding.py (`_cache`) and archive/answers/answer.py (`_ROWS_BY_ITEM`,
keyed by `id()`) are to move; their owners move them (see docs/ARCHITECTURE.md).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, Hashable, TypeVar

from archive.search.semantic import VectorCache
from archive.settings import DEFAULT, Settings

V = TypeVar("V")


class LruCache(Generic[V]):
    """A small thread-safe least-recently-used cache; size 0 keeps nothing."""

    def __init__(self, size: int = 64):
        self.size = max(0, size)
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        if not self.size:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class Runtime:
    settings: Settings = DEFAULT
    page_images: LruCache[bytes] = field(default_factory=lambda: LruCache(64))  # rendered PDF pages (PNG)
    keyword_indexes: dict = field(default_factory=dict)  # open Whoosh indexes by directory
    vectors: VectorCache = field(default_factory=VectorCache)  # vector matrices per (archive, model)
    embedders: dict = field(default_factory=dict)  # loaded embedding models by name
    answer_rows: dict = field(default_factory=dict)  # passage rows per item, by (database, model)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)  # guards the dict slots
