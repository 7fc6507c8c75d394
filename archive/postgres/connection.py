"""A PostgreSQL connection that speaks the archive's SQL as the SQLite read side writes it.

The structure tables of the PostgreSQL backend are those of SQLite schema v3 (text dates,
integer flags, the same names), so the queries of `archive.storage.store.Archive` and the
writes of `indexer.store` run unchanged on both engines: this adapter turns the qmark
placeholders (`?`) into psycopg's (`%s`) and gives rows that are read by name or by index,
as `sqlite3.Row` rows are. Statements are sent in autocommit mode; `BEGIN` ... `COMMIT`
(or the connection used as a context manager) makes a transaction, as on SQLite.
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Sequence

import psycopg
from psycopg.rows import RowMaker

_QMARK = re.compile(r"\?")


class Row(tuple):
    """A result row read by column name or by position (like `sqlite3.Row`)."""

    names: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: psycopg.Cursor) -> RowMaker[Row]:
    description = cursor.description or []
    names = {column.name: i for i, column in enumerate(description)}
    row_type = type("Row", (Row,), {"names": names})
    return lambda values: row_type(values)


def qmark_to_format(sql: str) -> str:
    """`?` placeholders -> `%s` (a literal `%` doubled). The archive's SQL has no `?` inside
    string literals."""
    return _QMARK.sub("%s", sql.replace("%", "%%"))


class Cursor:
    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class Connection:
    """The subset of `sqlite3.Connection` the archive uses, on psycopg 3."""

    def __init__(self, url: str, *, readonly: bool = False):
        self.url = url
        self.readonly = readonly
        options = "-c default_transaction_read_only=on" if readonly else None
        self.raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory, options=options)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Cursor:
        if sql.strip().upper() == "BEGIN IMMEDIATE":  # SQLite's writer transaction
            sql = "BEGIN"
        cursor = self.raw.cursor()
        if args:
            cursor.execute(qmark_to_format(sql), tuple(args))
        else:
            cursor.execute(sql)
        return Cursor(cursor)

    def executemany(self, sql: str, rows) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(qmark_to_format(sql), rows)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def __enter__(self) -> "Connection":
        if not self.in_transaction:
            self.raw.execute("BEGIN")
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def close(self) -> None:
        self.raw.close()
