"""`kkr-arkiv migrate --to postgresql://...`: copy an embedded archive into PostgreSQL.

Each document goes through the one write path (`indexer.store.store_document`, one
transaction per document, idempotent by the PDF's sha256) with the passages stored beside it
in the source and the original PDF; then the vectors of those passages (by text hash and
model, none embedded again) and the search rows. A second run copies only what is new, so an
interrupted migration is finished by running it again.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from archive.postgres.store import PostgresArchive
from archive.storage.store import Archive
from indexer.chunk import PassageDraft
from indexer.postgres_store import PostgresSearchIndex
from indexer.store import store_document, store_vectors

VECTOR_BATCH = 500


@dataclass
class MigrationReport:
    documents: int = 0
    copied: int = 0
    vectors: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.copied} of {self.documents} documents copied ({self.documents - self.copied} there already), "
                f"{self.vectors} vectors, in {self.seconds:.1f} s")


def _passages(source: Archive, item_id: str) -> list[PassageDraft]:
    return [PassageDraft(r["block"], r["page"], r["text"], r["paragraph_index"], r["hash"])
            for r in source.conn.execute(
                "SELECT block, page, text, paragraph_index, hash FROM passages WHERE item_id = ? ORDER BY position",
                (item_id,))]


def migrate(source: Archive, target: PostgresArchive, *, say: Callable[[str], None] = print) -> MigrationReport:
    report = MigrationReport()
    started = time.perf_counter()
    index = PostgresSearchIndex(say=say)
    for listed in source.documents():
        report.documents += 1
        if target.has_sha256(listed.sha256):
            continue
        doc = source.document(listed.id, with_items=True)
        pdf = source.pdf_path(listed.id)
        if doc is None or pdf is None or not pdf.exists():
            say(f"{listed.file_name}: the original PDF is missing from the source archive; not copied")
            continue
        passages = [_passages(source, item.id) for item in doc.items]
        result = store_document(target, doc, pdf, passages=passages, before_commit=lambda: index.sync(target))
        if result.status != "unchanged":
            report.copied += 1
    report.vectors = _copy_vectors(source, target)
    index.sync(target)
    report.seconds = time.perf_counter() - started
    return report


def _copy_vectors(source: Archive, target: PostgresArchive) -> int:
    have = {(r[0], r[1]) for r in target.conn.execute("SELECT hash, model FROM embeddings")}
    batch: dict[tuple[str, int], list] = {}
    copied = 0
    for row in source.conn.execute("SELECT hash, model, dimension, vector FROM embeddings ORDER BY rowid"):
        if (row["hash"], row["model"]) in have:
            continue
        key = (row["model"], row["dimension"])
        batch.setdefault(key, []).append((row["hash"], np.frombuffer(row["vector"], dtype=np.float32)))
        if len(batch[key]) >= VECTOR_BATCH:
            store_vectors(target, key[0], key[1], batch.pop(key))
        copied += 1
    for (model, dimension), vectors in batch.items():
        store_vectors(target, model, dimension, vectors)
    return copied
