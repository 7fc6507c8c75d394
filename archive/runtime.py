"""Per-process state in one explicit object.

A `Runtime` is created by the composition roots (the CLI command group, the web app factory)
and passed to what needs it; nothing else keeps state between calls. Its caches hold what is
expensive to build and safe to share between requests of one process: rendered page images,
open keyword indexes, loaded embedders, vector indexes and the item refs answering reads.
Tunables are not state: they live in `settings`
(archive/settings.py).

The read side reaches it through the archive it reads: `Archive(data, runtime=...)` keeps
the runtime as `archive.runtime` (an `Archive` made without one gets a fresh `Runtime`, so
nothing is shared behind the caller's back).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, Hashable, TypeVar

from archive.answers.cache import AnswerCache
from archive.keyword.fulltext import OpenIndexes
from archive.postgres.counts import StampedCounts
from archive.settings import DEFAULT, Settings
from archive.vectors.cache import VectorCache
from archive.vectors.embedding import Embedders

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
    keyword_indexes: OpenIndexes = field(default_factory=OpenIndexes)  # opened Whoosh indexes by directory
    embedders: Embedders = field(default_factory=Embedders)  # loaded embedding models by name
    vectors: VectorCache = field(default_factory=VectorCache)  # semantic search's vector indexes per archive
    answers: AnswerCache = field(default_factory=AnswerCache)  # every item's ref per archive, for answering
    postgres_counts: StampedCounts = field(default_factory=StampedCounts)  # a PostgreSQL archive's whole-archive counts
