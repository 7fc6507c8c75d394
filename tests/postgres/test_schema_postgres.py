"""The PostgreSQL schema on a real server: an archive made before an index change gets the
new index (and loses the one it replaces) when the indexer next opens it."""
from __future__ import annotations

from indexer.schema import open_writable


def _indexes(url: str) -> set[str]:
    with open_writable(url) as archive:
        return {r[0] for r in archive.conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'passages'").fetchall()}


def test_an_older_archive_gets_the_covering_passage_index(postgres_server):
    url = postgres_server.create_database("schema_upgrade")
    assert {"passages_hash_items", "passages_item"} <= _indexes(url)
    with open_writable(url) as archive:  # the index as an archive of session 4 had it
        archive.conn.execute("DROP INDEX passages_hash_items")
        archive.conn.execute("CREATE INDEX passages_hash ON passages(hash)")
        archive.conn.commit()
    found = _indexes(url)
    assert "passages_hash_items" in found and "passages_hash" not in found
