"""Every write to the archive's database (SQLite, or PostgreSQL through the same SQL) and its
store of original PDFs (files beside SQLite; rows in PostgreSQL, `indexer.postgres_store`).

The read side (`archive.storage.store.Archive`) never writes; the indexer stores parsed
documents and passage vectors through the functions here, each in one transaction, so a
rejected or interrupted file never changes what was archived.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from archive.filemode import as_if_opened
from archive.storage import ids
from archive.storage.model import PAGE_HEADING, Block, Document, Item, Paragraph
from archive.postgres.store import PostgresArchive
from archive.storage.store import Archive
from indexer import postgres_store
from indexer.chunk import PassageDraft

if TYPE_CHECKING:
    import numpy as np

CRASH_POINT_ENV = "KKR_ARKIV_CRASH_POINT"  # test hook: simulate a writer killed mid-transaction


@dataclass(frozen=True)
class StoreResult:
    status: str  # "added" | "replaced" | "unchanged"
    document_id: str
    replaced_sha256: str | None = None


def extract_of(doc: Document) -> str:
    """The item number when `doc` is a single item exported as its own PDF, else "".

    Such a PDF has no cover: its one item starts on the first page and it lists no one
    present. A meeting with a single item has a cover (attendees, or the item further on).
    """
    if not doc.structured or len(doc.items) != 1 or doc.attendees:
        return ""
    item = doc.items[0]
    return item.number if item.page_first == 1 else ""


def document_id_of(doc: Document) -> str:
    return ids.document_id(doc.council, doc.date, doc.kind, doc.authority, extract_of=extract_of(doc))


def page_items(doc: Document) -> list[Item]:
    """An unstructured document as one item per page with text: 'Side 3', citable by page."""
    items = []
    for page, text in enumerate(doc.page_texts, start=1):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if not lines:
            continue
        paragraph = Paragraph(text=" ".join(" ".join(lines).split()), raw="\n".join(lines),
                              page_first=page, page_last=page)
        items.append(Item(number="", group="", title=f"Side {page}", case_number="", case_initials="",
                          blocks=[Block(PAGE_HEADING, [paragraph], page, page, role="other")],
                          page_first=page, page_last=page))
    return items


def storable(doc: Document) -> Document:
    """`doc` with the items the archive stores: its own, or its pages when unstructured."""
    return doc if doc.structured else replace(doc, items=page_items(doc))


def store_document(archive: Archive, doc: Document, pdf_path: Path, *,
                   passages: list[list[PassageDraft]] | None = None,
                   before_commit: Callable[[], None] | None = None) -> StoreResult:
    """Add `doc` (parsed from `pdf_path`), replacing an earlier version of the same
    document (same body, authority, date and kind) in one transaction.

    An unstructured document must come through `storable` first. `passages` optionally
    holds, for each of `doc.items` in order, the passage drafts to store with it.
    """
    conn = archive.conn
    existing = conn.execute("SELECT id FROM documents WHERE sha256 = ?", (doc.sha256,)).fetchone()
    if existing:
        return StoreResult("unchanged", existing["id"])
    if not doc.structured and not doc.items and doc.page_texts:
        raise ValueError("an unstructured document is stored through storable(doc)")
    meeting = ids.meeting_id(doc.council, doc.date, doc.authority)
    doc_id = document_id_of(doc)
    in_database = isinstance(archive, PostgresArchive)
    if not in_database:
        _keep_pdf(archive, pdf_path, doc.sha256)
    try:
        if in_database:
            postgres_store.begin_document(archive)
            existing = conn.execute("SELECT id FROM documents WHERE sha256 = ?", (doc.sha256,)).fetchone()
            if existing:  # another writer stored these bytes meanwhile
                conn.execute("ROLLBACK")
                return StoreResult("unchanged", existing["id"])
            postgres_store.keep_pdf(archive, pdf_path, doc.sha256)
        else:
            conn.execute("BEGIN IMMEDIATE")
        old = conn.execute("SELECT sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if old:
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        conn.execute(
            """INSERT INTO meetings (id, council, authority, date, time, place) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET
                 time = CASE WHEN excluded.time != '' THEN excluded.time ELSE meetings.time END,
                 place = CASE WHEN excluded.place != '' THEN excluded.place ELSE meetings.place END,
                 authority = CASE WHEN excluded.authority != '' THEN excluded.authority
                                  ELSE meetings.authority END""",
            (meeting, doc.council, doc.authority, doc.date.isoformat(), doc.time, doc.place),
        )
        conn.execute(
            """INSERT INTO documents (id, meeting_id, kind, file_name, sha256, page_count,
                                      attendees, absent, ingested_at, structured, unstructured_reason)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                doc_id, meeting, doc.kind, doc.file_name, doc.sha256, doc.page_count,
                json.dumps(doc.attendees, ensure_ascii=False),
                json.dumps(doc.absent, ensure_ascii=False),
                datetime.now(timezone.utc).isoformat(timespec="seconds"),
                int(doc.structured), doc.unstructured_reason,
            ),
        )
        seen: set[str] = set()
        for position, item in enumerate(doc.items):
            item_id = ids.item_id(doc_id, item.number) if doc.structured else ids.page_item_id(doc_id, item.page_first)
            while item_id in seen:  # a malformed document repeating a number
                item_id += "b"
            seen.add(item_id)
            _insert_item(archive, item_id, doc_id, position, item)
            if passages is not None:
                _insert_passages(archive, item_id, passages[position])
        if before_commit is not None:  # e.g. the keyword index, reading this transaction
            before_commit()
        if os.environ.get(CRASH_POINT_ENV) == "before-commit":
            os._exit(70)  # like SIGKILL: no cleanup, no rollback, no commit
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return StoreResult("replaced" if old else "added", doc_id, old["sha256"] if old else None)


def _keep_pdf(archive: Archive, pdf_path: Path, sha256: str) -> None:
    target = archive.paths.pdf(sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(pdf_path, tmp)
        as_if_opened(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _insert_item(archive: Archive, item_id: str, doc_id: str, position: int, item: Item) -> None:
    conn = archive.conn
    conn.execute(
        """INSERT INTO items (id, document_id, position, number, group_title, title, case_number,
                              case_initials, page_first, page_last, document_number, earlier_treatments)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (item_id, doc_id, position, item.number, item.group, item.title, item.case_number,
         item.case_initials, item.page_first, item.page_last, item.document_number,
         json.dumps(item.earlier_treatments, ensure_ascii=False)),
    )
    for b_pos, block in enumerate(item.blocks):
        block_id = conn.execute(
            """INSERT INTO blocks (item_id, position, heading, page_first, page_last, role, printed)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (item_id, b_pos, block.heading, block.page_first, block.page_last, block.role, block.printed),
        ).fetchone()[0]
        conn.executemany(
            """INSERT INTO paragraphs (block_id, position, text, raw, page_first, page_last,
                                       attachment, subheading, lines)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (block_id, p_pos, p.text, p.raw, p.page_first, p.page_last,
                 int(p.attachment), int(p.subheading),
                 json.dumps([[l.page, round(l.x0, 2), round(l.top, 2), round(l.x1, 2),
                              round(l.bottom, 2), l.text] for l in p.lines], ensure_ascii=False))
                for p_pos, p in enumerate(block.paragraphs)
            ],
        )
    conn.executemany(
        """INSERT INTO decisions (item_id, position, heading, text, date, this_meeting, page)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [(item_id, d_pos, d.heading, d.text, d.date.isoformat() if d.date else None,
          int(d.this_meeting), d.page) for d_pos, d in enumerate(item.decisions)],
    )


def _insert_passages(archive: Archive, item_id: str, drafts: list[PassageDraft]) -> None:
    archive.conn.executemany(
        """INSERT INTO passages (item_id, position, block, page, paragraph_index, text, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [(item_id, i, d.block, d.page, d.paragraph_index, d.text, d.hash) for i, d in enumerate(drafts)],
    )


def store_vectors(archive: Archive, model_id: str, dimension: int, vectors: list[tuple[str, "np.ndarray"]]) -> None:
    if isinstance(archive, PostgresArchive):
        postgres_store.store_vectors(archive, model_id, dimension, vectors)
        return
    with archive.conn:
        archive.conn.executemany(
            "INSERT OR REPLACE INTO embeddings (hash, model, dimension, vector) VALUES (?, ?, ?, ?)",
            [(h, model_id, dimension, v.astype("float32").tobytes()) for h, v in vectors],
        )
