"""Reading and writing the archive's SQLite database and its store of original PDFs.

`Archive` is the only class that runs SQL. The indexer writes through
`Archive.store_document`; the web app and the CLI use the read methods.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date as Date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    import numpy as np

from archive.filemode import as_if_opened
from archive.storage import db, ids
from archive.storage.layout import ArchivePaths
from archive.storage.model import Block, Document, Item, ItemRef, LineBox, Meeting, Paragraph

CRASH_POINT_ENV = "KKR_ARKIV_CRASH_POINT"  # test hook: simulate a writer killed mid-transaction


@dataclass(frozen=True)
class StoreResult:
    status: str  # "added" | "replaced" | "unchanged"
    document_id: str
    replaced_sha256: str | None = None


_ITEM_REF_SQL = """
    SELECT i.id AS item_id, d.id AS document_id, m.id AS meeting_id, m.council, m.date, d.kind,
           i.number, i.group_title, i.title, i.case_number, i.page_first, i.page_last
    FROM items i JOIN documents d ON d.id = i.document_id JOIN meetings m ON m.id = d.meeting_id
"""


def _item_ref(row: sqlite3.Row) -> ItemRef:
    return ItemRef(
        item_id=row["item_id"],
        document_id=row["document_id"],
        meeting_id=row["meeting_id"],
        council=row["council"],
        date=Date.fromisoformat(row["date"]),
        kind=row["kind"],
        number=row["number"],
        group=row["group_title"],
        title=row["title"],
        case_number=row["case_number"],
        page_first=row["page_first"],
        page_last=row["page_last"],
    )


class Archive:
    def __init__(self, data: str | os.PathLike | None = None, *, readonly: bool = False):
        self.paths = ArchivePaths.at(data)
        self.readonly = readonly
        if readonly and not self.paths.database.exists():
            raise FileNotFoundError(f"no archive at {self.paths.root} (run 'kkr-arkiv ingest' first)")
        if not readonly:
            self.paths.ensure()
        self.conn = db.connect(self.paths.database, readonly=readonly)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def has_sha256(self, sha256: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def store_document(self, doc: Document, pdf_path: Path, *, passages=None,
                       before_commit: Callable[[], None] | None = None) -> StoreResult:
        """Add `doc` (parsed from `pdf_path`), replacing an earlier version of the same
        document (same council, date and kind) in one transaction.

        `passages` optionally maps item number -> list of passage drafts to store with it.
        """
        if self.has_sha256(doc.sha256):
            existing = self.conn.execute("SELECT id FROM documents WHERE sha256 = ?", (doc.sha256,)).fetchone()
            return StoreResult("unchanged", existing["id"])
        meeting = ids.meeting_id(doc.council, doc.date)
        doc_id = ids.document_id(doc.council, doc.date, doc.kind)
        self._keep_pdf(pdf_path, doc.sha256)
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            old = conn.execute("SELECT sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if old:
                conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            conn.execute(
                """INSERT INTO meetings (id, council, date, time, place) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET
                     time = CASE WHEN excluded.time != '' THEN excluded.time ELSE time END,
                     place = CASE WHEN excluded.place != '' THEN excluded.place ELSE place END""",
                (meeting, doc.council, doc.date.isoformat(), doc.time, doc.place),
            )
            conn.execute(
                """INSERT INTO documents (id, meeting_id, kind, file_name, sha256, page_count,
                                          attendees, absent, ingested_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    doc_id, meeting, doc.kind, doc.file_name, doc.sha256, doc.page_count,
                    json.dumps(doc.attendees, ensure_ascii=False),
                    json.dumps(doc.absent, ensure_ascii=False),
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                ),
            )
            seen: set[str] = set()
            for position, item in enumerate(doc.items):
                item_id = ids.item_id(doc_id, item.number)
                while item_id in seen:  # a malformed document repeating a number
                    item_id += "b"
                seen.add(item_id)
                self._insert_item(item_id, doc_id, position, item)
                if passages is not None:
                    self._insert_passages(item_id, passages.get(item.number, []))
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

    def _keep_pdf(self, pdf_path: Path, sha256: str) -> None:
        target = self.paths.pdf(sha256)
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

    def _insert_item(self, item_id: str, doc_id: str, position: int, item: Item) -> None:
        conn = self.conn
        conn.execute(
            """INSERT INTO items (id, document_id, position, number, group_title, title,
                                  case_number, case_initials, page_first, page_last)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (item_id, doc_id, position, item.number, item.group, item.title,
             item.case_number, item.case_initials, item.page_first, item.page_last),
        )
        for b_pos, block in enumerate(item.blocks):
            cur = conn.execute(
                "INSERT INTO blocks (item_id, position, heading, page_first, page_last) VALUES (?, ?, ?, ?, ?)",
                (item_id, b_pos, block.heading, block.page_first, block.page_last),
            )
            block_id = cur.lastrowid
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

    def _insert_passages(self, item_id: str, drafts) -> None:
        self.conn.executemany(
            """INSERT INTO passages (item_id, position, block, page, paragraph_index, text, hash)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [(item_id, i, d.block, d.page, d.paragraph_index, d.text, d.hash) for i, d in enumerate(drafts)],
        )

    # ------------------------------------------------------------------ reading

    def document_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def meetings(self) -> list[Meeting]:
        rows = self.conn.execute("SELECT * FROM meetings ORDER BY date DESC, council").fetchall()
        docs = {}
        for d in self.documents():
            docs.setdefault(d.meeting_id, []).append(d)
        return [self._meeting(r, docs.get(r["id"], [])) for r in rows]

    def items_with_block(self, item_ids: list[str], heading: str) -> set[str]:
        """The ids among `item_ids` whose item has a block with this heading."""
        if not item_ids:
            return set()
        rows = self.conn.execute(
            f"SELECT DISTINCT item_id FROM blocks WHERE heading = ? AND item_id IN ({','.join('?' * len(item_ids))})",
            (heading, *item_ids),
        )
        return {r[0] for r in rows}

    def councils(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT council FROM meetings ORDER BY council")]

    def meeting(self, meeting_id: str) -> Meeting | None:
        row = self.conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        if row is None:
            return None
        return self._meeting(row, self.documents(meeting_id=meeting_id))

    @staticmethod
    def _meeting(row: sqlite3.Row, documents: list[Document]) -> Meeting:
        return Meeting(
            id=row["id"], council=row["council"], date=Date.fromisoformat(row["date"]),
            time=row["time"], place=row["place"],
            documents=sorted(documents, key=lambda d: d.kind),
        )

    def documents(self, *, meeting_id: str | None = None) -> list[Document]:
        """Documents without their items, newest meeting first."""
        sql = """SELECT d.*, m.council, m.date, m.time, m.place FROM documents d
                 JOIN meetings m ON m.id = d.meeting_id"""
        args: tuple = ()
        if meeting_id is not None:
            sql += " WHERE d.meeting_id = ?"
            args = (meeting_id,)
        sql += " ORDER BY m.date DESC, m.council, d.kind"
        return [self._document(r, []) for r in self.conn.execute(sql, args)]

    def document(self, document_id: str, *, with_items: bool = False) -> Document | None:
        row = self.conn.execute(
            """SELECT d.*, m.council, m.date, m.time, m.place FROM documents d
               JOIN meetings m ON m.id = d.meeting_id WHERE d.id = ?""",
            (document_id,),
        ).fetchone()
        if row is None:
            return None
        items = list(self.items(document_id=document_id)) if with_items else []
        return self._document(row, items)

    @staticmethod
    def _document(row: sqlite3.Row, items: list[Item]) -> Document:
        return Document(
            council=row["council"], kind=row["kind"], date=Date.fromisoformat(row["date"]),
            time=row["time"], place=row["place"], attendees=json.loads(row["attendees"]),
            absent=json.loads(row["absent"]), items=items, page_count=row["page_count"],
            file_name=row["file_name"], sha256=row["sha256"], id=row["id"], meeting_id=row["meeting_id"],
        )

    def item(self, item_id: str) -> Item | None:
        return next(self.items(item_ids=[item_id]), None)

    def items(self, *, document_id: str | None = None, item_ids: list[str] | None = None) -> Iterator[Item]:
        """Items with their blocks and paragraphs, in document order."""
        where, args = "", ()
        if document_id is not None:
            where, args = "WHERE i.document_id = ?", (document_id,)
        elif item_ids is not None:
            where = f"WHERE i.id IN ({','.join('?' * len(item_ids))})"
            args = tuple(item_ids)
        rows = self.conn.execute(
            f"SELECT i.* FROM items i JOIN documents d ON d.id = i.document_id {where} "
            "ORDER BY d.id, i.position", args
        ).fetchall()
        for row in rows:
            yield Item(
                number=row["number"], group=row["group_title"], title=row["title"],
                case_number=row["case_number"], case_initials=row["case_initials"],
                blocks=self._blocks(row["id"]), page_first=row["page_first"], page_last=row["page_last"],
                id=row["id"], document_id=row["document_id"],
            )

    def _blocks(self, item_id: str) -> list[Block]:
        blocks = []
        for b in self.conn.execute("SELECT * FROM blocks WHERE item_id = ? ORDER BY position", (item_id,)):
            paragraphs = [
                Paragraph(
                    text=p["text"], raw=p["raw"], page_first=p["page_first"], page_last=p["page_last"],
                    attachment=bool(p["attachment"]), subheading=bool(p["subheading"]),
                    lines=[LineBox(*l) for l in json.loads(p["lines"])],
                )
                for p in self.conn.execute(
                    "SELECT * FROM paragraphs WHERE block_id = ? ORDER BY position", (b["id"],)
                )
            ]
            blocks.append(Block(b["heading"], paragraphs, b["page_first"], b["page_last"]))
        return blocks

    def item_ref(self, item_id: str) -> ItemRef | None:
        row = self.conn.execute(_ITEM_REF_SQL + " WHERE i.id = ?", (item_id,)).fetchone()
        return _item_ref(row) if row else None

    def item_refs(self, item_ids: list[str] | None = None) -> dict[str, ItemRef]:
        sql, args = _ITEM_REF_SQL, ()
        if item_ids is not None:
            if not item_ids:
                return {}
            sql += f" WHERE i.id IN ({','.join('?' * len(item_ids))})"
            args = tuple(item_ids)
        return {r["item_id"]: _item_ref(r) for r in self.conn.execute(sql, args)}

    def counterpart(self, item_id: str) -> ItemRef | None:
        """The same item in the meeting's other document (dagsorden <-> referat)."""
        ref = self.item_ref(item_id)
        if ref is None:
            return None
        row = self.conn.execute(
            _ITEM_REF_SQL + " WHERE m.id = ? AND i.number = ? AND d.kind != ?",
            (ref.meeting_id, ref.number, ref.kind),
        ).fetchone()
        return _item_ref(row) if row else None

    def case_history(self, case_number: str) -> list[ItemRef]:
        """Every item filed under `case_number`, oldest first."""
        if not case_number:
            return []
        rows = self.conn.execute(
            _ITEM_REF_SQL + " WHERE i.case_number = ? ORDER BY m.date, m.council, d.kind, i.position",
            (case_number,),
        ).fetchall()
        return [_item_ref(r) for r in rows]

    def pdf_path(self, document_id: str) -> Path | None:
        row = self.conn.execute("SELECT sha256 FROM documents WHERE id = ?", (document_id,)).fetchone()
        return self.paths.pdf(row["sha256"]) if row else None

    # ------------------------------------------------------------------ passages and vectors

    def passages_without_vectors(self, model_id: str) -> list[tuple[str, str]]:
        """(hash, text) of every distinct passage text that has no vector for `model_id`."""
        rows = self.conn.execute(
            """SELECT p.hash, MIN(p.text) AS text FROM passages p
               LEFT JOIN embeddings e ON e.hash = p.hash AND e.model = ?
               WHERE e.hash IS NULL GROUP BY p.hash ORDER BY MIN(p.id)""",
            (model_id,),
        ).fetchall()
        return [(r["hash"], r["text"]) for r in rows]

    def store_vectors(self, model_id: str, dimension: int, vectors: list[tuple[str, "np.ndarray"]]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (hash, model, dimension, vector) VALUES (?, ?, ?, ?)",
                [(h, model_id, dimension, v.astype("float32").tobytes()) for h, v in vectors],
            )

    def passage_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]

    def embedded_models(self) -> dict[str, int]:
        """Model id -> number of vectors stored for it."""
        return {r["model"]: r["n"] for r in
                self.conn.execute("SELECT model, COUNT(*) AS n FROM embeddings GROUP BY model")}

    def passage_vectors(self, model_id: str):
        """Every passage that has a vector for `model_id`: (rows, float32 matrix)."""
        import numpy as np

        rows = self.conn.execute(
            """SELECT p.id, p.item_id, p.block, p.page, p.text, e.rowid AS vector_key, e.dimension, e.vector
               FROM passages p
               JOIN embeddings e ON e.hash = p.hash AND e.model = ? ORDER BY p.id""",
            (model_id,),
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        dim = rows[0]["dimension"]
        matrix = np.frombuffer(b"".join(r["vector"] for r in rows), dtype=np.float32).reshape(len(rows), dim)
        meta = [(r["id"], r["item_id"], r["block"], r["page"], r["text"], r["vector_key"]) for r in rows]
        return meta, matrix

    def item_ids_where(self, *, council_slug: str | None = None, kind: str | None = None,
                       date_from: str | None = None, date_to: str | None = None) -> set[str]:
        """Ids of the items whose document passes the search filters (ISO date bounds, inclusive)."""
        from archive.storage.ids import slugify

        clauses, args = [], []
        if kind:
            clauses.append("d.kind = ?")
            args.append(kind)
        if date_from:
            clauses.append("m.date >= ?")
            args.append(date_from)
        if date_to:
            clauses.append("m.date <= ?")
            args.append(date_to if len(date_to) > 4 else f"{date_to}-12-31")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(
            f"SELECT i.id, m.council FROM items i JOIN documents d ON d.id = i.document_id "
            f"JOIN meetings m ON m.id = d.meeting_id {where}", args
        ).fetchall()
        return {r["id"] for r in rows if council_slug is None or slugify(r["council"]) == council_slug}

    def vector_rowids(self, model_id: str) -> tuple[list[int], int]:
        """Rowids of the stored vectors of `model_id` and their dimension."""
        rows = self.conn.execute(
            "SELECT rowid, dimension FROM embeddings WHERE model = ? ORDER BY rowid", (model_id,)
        ).fetchall()
        return [r[0] for r in rows], (rows[0][1] if rows else 0)

    def vectors_by_rowid(self, model_id: str, rowids: list[int]):
        """The vectors with these rowids, in that order, as a float32 matrix."""
        import numpy as np

        found: dict[int, bytes] = {}
        for start in range(0, len(rowids), 900):
            chunk = rowids[start:start + 900]
            for r in self.conn.execute(
                f"SELECT rowid, vector FROM embeddings WHERE model = ? AND rowid IN ({','.join('?' * len(chunk))})",
                (model_id, *chunk),
            ):
                found[r[0]] = r[1]
        return np.frombuffer(b"".join(found[r] for r in rowids), dtype=np.float32).reshape(len(rowids), -1)
