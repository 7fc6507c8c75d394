"""Reading the archive's SQLite database and its store of original PDFs.

`Archive` is the read side: it opens the database read-only (`archive.storage.db`) and
runs every query. It never writes: the indexer opens the archive for writing through
`indexer.schema.open_writable`, which hands an `Archive` its writable connection, and
writes through `indexer.store`.
"""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import date as Date
from pathlib import Path
from typing import Iterator

from archive.keyword.fulltext import KeywordIndex
from archive.runtime import Runtime
from archive.storage import db
from archive.storage.model import Block, Decision, Document, Item, ItemRef, LineBox, Meeting, Paragraph
from archive.storage.layout import ArchivePaths


_BATCH = 500  # items whose blocks are read in one query (SQLite allows 999 parameters)

_ITEM_REF_SQL = """
    SELECT i.id AS item_id, d.id AS document_id, m.id AS meeting_id, m.council, m.authority, m.date,
           d.kind, d.structured, i.number, i.group_title, i.title, i.case_number, i.page_first, i.page_last
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
        authority=row["authority"],
        structured=bool(row["structured"]),
    )


class Archive:
    vectors_in_database = False  # vectors are read into memory by archive.search.semantic

    def __init__(self, data: str | os.PathLike | None = None, *, connection: sqlite3.Connection | None = None,
                 runtime: Runtime | None = None):
        """The archive at `data`, read-only; `connection` is the writer's, given by the indexer.
        `runtime` is the process's state (caches) that reading this archive uses."""
        self.paths = ArchivePaths.at(data)
        self.runtime = runtime if runtime is not None else Runtime()
        if connection is None:
            if not self.paths.database.exists():
                raise FileNotFoundError(f"no archive at {self.paths.root} (run 'kkr-arkiv ingest' first)")
            connection = db.connect(self.paths.database)
        self.conn = connection

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ search side

    def keyword_index(self) -> KeywordIndex:
        """The keyword index of this archive (the Whoosh directory beside the database)."""
        return KeywordIndex(self.paths, opened=self.runtime.keyword_indexes)

    def passage_index(self, model_id: str) -> None:
        """None: an embedded archive's vectors are read into memory by `archive.search.semantic`
        (the PostgreSQL archive answers with its pgvector index here)."""
        return None

    def has_sha256(self, sha256: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone() is not None

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
        """The names of the meeting bodies in the archive."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT council FROM meetings ORDER BY council")]

    def bodies(self) -> list[tuple[str, str]]:
        """(body, authority) of every meeting body in the archive."""
        return [(r[0], r[1]) for r in self.conn.execute(
            "SELECT DISTINCT council, authority FROM meetings ORDER BY authority, council")]

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
            documents=sorted(documents, key=lambda d: (d.kind, d.id)),
            authority=row["authority"],
        )

    def documents(self, *, meeting_id: str | None = None) -> list[Document]:
        """Documents without their items, newest meeting first."""
        sql = """SELECT d.*, m.council, m.authority, m.date, m.time, m.place FROM documents d
                 JOIN meetings m ON m.id = d.meeting_id"""
        args: tuple = ()
        if meeting_id is not None:
            sql += " WHERE d.meeting_id = ?"
            args = (meeting_id,)
        sql += " ORDER BY m.date DESC, m.council, d.kind"
        return [self._document(r, []) for r in self.conn.execute(sql, args)]

    def document(self, document_id: str, *, with_items: bool = False) -> Document | None:
        row = self.conn.execute(
            """SELECT d.*, m.council, m.authority, m.date, m.time, m.place FROM documents d
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
            authority=row["authority"], structured=bool(row["structured"]),
            unstructured_reason=row["unstructured_reason"],
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
        # blocks, paragraphs and decisions of all these items in a few queries (not per item:
        # a round trip costs more on a database server than in SQLite)
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            ids = [row["id"] for row in batch]
            blocks, decisions = self._blocks(ids), self._decisions(ids)
            for row in batch:
                yield Item(
                    number=row["number"], group=row["group_title"], title=row["title"],
                    case_number=row["case_number"], case_initials=row["case_initials"],
                    blocks=blocks.get(row["id"], []), page_first=row["page_first"], page_last=row["page_last"],
                    id=row["id"], document_id=row["document_id"],
                    document_number=row["document_number"],
                    earlier_treatments=json.loads(row["earlier_treatments"]),
                    decisions=decisions.get(row["id"], []),
                )

    def _decisions(self, item_ids: list[str]) -> dict[str, list[Decision]]:
        out: dict[str, list[Decision]] = {}
        for r in self.conn.execute(
            f"SELECT * FROM decisions WHERE item_id IN ({','.join('?' * len(item_ids))}) ORDER BY item_id, position",
            item_ids,
        ):
            out.setdefault(r["item_id"], []).append(
                Decision(heading=r["heading"], text=r["text"],
                         date=Date.fromisoformat(r["date"]) if r["date"] else None,
                         this_meeting=bool(r["this_meeting"]), page=r["page"]))
        return out

    def _blocks(self, item_ids: list[str]) -> dict[str, list[Block]]:
        marks = ",".join("?" * len(item_ids))
        paragraphs: dict[int, list[Paragraph]] = {}
        for p in self.conn.execute(
            f"""SELECT p.* FROM paragraphs p JOIN blocks b ON b.id = p.block_id WHERE b.item_id IN ({marks})
                ORDER BY p.block_id, p.position""", item_ids,
        ):
            paragraphs.setdefault(p["block_id"], []).append(Paragraph(
                text=p["text"], raw=p["raw"], page_first=p["page_first"], page_last=p["page_last"],
                attachment=bool(p["attachment"]), subheading=bool(p["subheading"]),
                lines=[LineBox(*l) for l in json.loads(p["lines"])],
            ))
        blocks: dict[str, list[Block]] = {}
        for b in self.conn.execute(
            f"SELECT * FROM blocks WHERE item_id IN ({marks}) ORDER BY item_id, position", item_ids,
        ):
            blocks.setdefault(b["item_id"], []).append(
                Block(b["heading"], paragraphs.get(b["id"], []), b["page_first"], b["page_last"],
                      role=b["role"], printed=b["printed"]))
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
            _ITEM_REF_SQL + " WHERE m.id = ? AND i.number = ? AND i.number != '' AND d.kind != ?",
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

    def case_numbers(self) -> list[str]:
        """Every distinct case number in the archive."""
        rows = self.conn.execute("SELECT DISTINCT case_number FROM items WHERE case_number != '' ORDER BY case_number")
        return [r[0] for r in rows]

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
