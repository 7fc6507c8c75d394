"""Scale corpus straight into PostgreSQL: bulk COPY of a staged scale archive, search rows
computed on every core, indexes built after loading.

    python -m benchmarks.scale_postgres --source .bench/1x --factor 775 \
        --url postgresql://postgres@127.0.0.1:55434/x1m [--staging DIR] [--jobs 2]
    python -m benchmarks.scale_postgres --staged .bench/1m --url postgresql://...

`benchmarks/scale.py` makes the synthetic meetings; with `--source` and `--factor` they are
first stored by `indexer.store.store_document` (the one write path, so the rows are exactly
those an ingest writes) into a staging SQLite file with no keyword index and no vector
files, which is removed afterwards; `--staged DIR` loads a scale archive that already exists
(the embedded archive of the same run, so both backends hold the same documents). Going row
by row through `kkr-arkiv migrate` would take hours at 1M passages; this takes minutes:

1. the schema of indexer/postgres_schema.py is created and every index that backs no
   constraint is dropped; foreign keys are not checked while loading
   (`session_replication_role = replica`: the rows come from a consistent archive);
2. every table is copied with COPY (vectors in binary as halfvec), identity sequences are
   moved past the copied ids, the PDFs are copied as rows;
3. the search rows: the vocabulary of every item (each distinct text tokenised once), then
   each item's tsvector (as `indexer.postgres_store.search_rows` gives it), both on
   `--jobs` processes;
4. the dropped indexes are built again from the same schema text, the HNSW index with
   `maintenance_work_mem` of `--maintenance-work-mem` and `--jobs` - 1 parallel workers;
   then VACUUM ANALYZE.

The database must be new (empty) or is emptied with `--replace`.
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sqlite3
import struct
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg

from archive.storage.store import Archive
from archive.text.analysis import Analysis, Decompounder, vocabulary
from indexer.postgres_schema import DIMENSION, SCHEMA
from indexer.postgres_store import SEARCH_COLUMNS, search_rows

# the structure tables in the order they reference each other
TABLES = ("meetings", "documents", "items", "blocks", "paragraphs", "decisions", "passages")
IDENTITY_TABLES = ("blocks", "paragraphs", "decisions", "passages")
CHUNK = 40  # documents per task of a worker
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)


@dataclass
class LoadStats:
    documents: int = 0
    items: int = 0
    passages: int = 0
    vectors: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def halfvec_binary(vector: np.ndarray) -> bytes:
    """pgvector's binary input of a halfvec: dimension, an unused int16, then big-endian
    half floats."""
    return struct.pack(">hh", vector.shape[0], 0) + vector.astype(">f2").tobytes()


# ---------------------------------------------------------------------------- workers


_WORKER: dict = {}


def _init_worker(staged: str, words: dict[str, int]) -> None:
    _WORKER["archive"] = Archive(staged)
    _WORKER["analysis"] = Analysis(Decompounder(words))


def _vocabulary_of(texts: list[tuple[str, int]]) -> Counter[str]:
    """`vocabulary` of texts given once each with how often they occur."""
    counts: Counter[str] = Counter()
    for text, n in texts:
        for word, k in vocabulary([text]).items():
            counts[word] += k * n
    return counts


def _vocabulary_texts(staged: Path) -> Counter[str]:
    """The texts `indexer.keyword_index.archive_vocabulary` counts (every item's title and
    paragraphs), read straight from SQLite, each with how often it occurs: recombined
    meetings repeat most paragraphs, and tokenising each text once is the slow part."""
    conn = sqlite3.connect(f"file:{staged / 'archive.sqlite3'}?mode=ro", uri=True)
    try:
        texts = Counter(r[0] for r in conn.execute("SELECT title FROM items"))
        texts.update(r[0] for r in conn.execute(
            "SELECT p.text FROM paragraphs p JOIN blocks b ON b.id = p.block_id JOIN items i ON i.id = b.item_id"))
    finally:
        conn.close()
    return texts


def _rows_of(document_ids: list[str]) -> tuple[list[tuple], Counter[str]]:
    rows, terms = [], Counter()
    for document_id in document_ids:
        more, held = search_rows(_WORKER["archive"], _WORKER["analysis"], document_id)
        rows += more
        terms.update(held)
    return rows, terms


# ---------------------------------------------------------------------------- loading


def _droppable_indexes(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        """SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""")]


def _copy_table(conn: psycopg.Connection, source: sqlite3.Connection, table: str) -> int:
    cursor = source.execute(f"SELECT * FROM {table}")
    columns = [d[0] for d in cursor.description]
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in cursor:
            copy.write_row(row)
            count += 1
    return count


def _copy_vectors(conn: psycopg.Connection, source: sqlite3.Connection) -> int:
    count = 0
    with conn.cursor().copy("COPY embeddings (hash, model, dimension, vector) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_BINARY_HEADER)
        for h, model, dimension, blob in source.execute("SELECT hash, model, dimension, vector FROM embeddings"):
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape[0] != DIMENSION:
                continue  # halfvec columns have one width
            fields = [h.encode(), model.encode(), struct.pack(">i", dimension), halfvec_binary(vector)]
            copy.write(struct.pack(">h", len(fields)) + b"".join(struct.pack(">i", len(f)) + f for f in fields))
            count += 1
        copy.write(struct.pack(">h", -1))
    return count


def _copy_pdfs(conn: psycopg.Connection, archive: Archive) -> None:
    with conn.cursor().copy("COPY pdf_files (sha256, content) FROM STDIN") as copy:
        for doc in archive.documents():
            path = archive.paths.pdf(doc.sha256)
            if path.exists():
                copy.write_row((doc.sha256, path.read_bytes()))


def load(staged: Path, url: str, *, jobs: int = 2, maintenance_work_mem: str = "2GB", replace: bool = False,
         say=print) -> LoadStats:
    """Copy the scale archive at `staged` into the (new) database at `url`."""
    stats = LoadStats()
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        if replace:
            conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        elif conn.execute("SELECT to_regclass('public.documents')").fetchone()[0] is not None:
            raise SystemExit(f"{url}: already holds an archive (use --replace to empty it)")
        conn.execute(SCHEMA)
        for name in _droppable_indexes(conn):
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        source = sqlite3.connect(f"file:{staged / 'archive.sqlite3'}?mode=ro", uri=True)
        with conn.transaction():
            for table in TABLES:
                n = _copy_table(conn, source, table)
                say(f"  {table}: {n:,} rows ({time.perf_counter() - started:.0f} s)")
            for table in IDENTITY_TABLES:
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
            stats.vectors = _copy_vectors(conn, source)
            say(f"  embeddings: {stats.vectors:,} rows ({time.perf_counter() - started:.0f} s)")
        stats.seconds["copy"] = time.perf_counter() - started
        with Archive(staged) as archive:
            stats.documents = archive.document_count()
            stats.passages = archive.passage_count()
            document_ids = sorted(d.id for d in archive.documents())
            step = time.perf_counter()
            _copy_pdfs(conn, archive)
        stats.seconds["pdfs"] = time.perf_counter() - step
        say(f"  pdf_files ({stats.seconds['pdfs']:.0f} s)")
        step = time.perf_counter()
        stats.items = _search_rows(conn, staged, document_ids, jobs, say)
        stats.seconds["search rows"] = time.perf_counter() - step
        conn.execute("SET session_replication_role = DEFAULT")
        step = time.perf_counter()
        conn.execute(f"SET maintenance_work_mem = '{maintenance_work_mem}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {max(jobs - 1, 0)}")
        conn.execute(SCHEMA)  # CREATE INDEX IF NOT EXISTS: the dropped indexes, as the schema defines them
        stats.seconds["indexes"] = time.perf_counter() - step
        say(f"  indexes built ({stats.seconds['indexes']:.0f} s)")
        step = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        stats.seconds["vacuum analyze"] = time.perf_counter() - step
    stats.seconds["total"] = time.perf_counter() - started
    return stats


def _search_rows(conn: psycopg.Connection, staged: Path, document_ids: list[str], jobs: int, say) -> int:
    """item_search, index_terms, vocabulary and search_meta, as `PostgresSearchIndex.rebuild`
    writes them, computed on `jobs` processes."""
    chunks = [document_ids[i:i + CHUNK] for i in range(0, len(document_ids), CHUNK)]
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    words: Counter[str] = Counter()
    texts = list(_vocabulary_texts(staged).items())
    with context.Pool(jobs) as pool:
        for counted in pool.imap_unordered(_vocabulary_of, [texts[i::jobs * 8] for i in range(jobs * 8)]):
            words.update(counted)
    decompounder = Decompounder.from_vocabulary(words)
    say(f"  vocabulary: {len(decompounder.words):,} words ({time.perf_counter() - started:.0f} s)")
    terms: Counter[str] = Counter()
    items = 0
    with conn.transaction(), \
            context.Pool(jobs, _init_worker, (str(staged), decompounder.words)) as pool, \
            conn.cursor().copy(f"COPY item_search ({', '.join(SEARCH_COLUMNS)}) FROM STDIN") as copy:
        for done, (rows, held) in enumerate(pool.imap_unordered(_rows_of, chunks), start=1):
            for row in rows:
                copy.write_row(row)
            items += len(rows)
            terms.update(held)
            if done % 20 == 0:
                say(f"  search rows: {items:,} items ({time.perf_counter() - started:.0f} s)")
    with conn.transaction():
        with conn.cursor().copy("COPY index_terms (term, items) FROM STDIN") as copy:
            for row in sorted(terms.items()):
                copy.write_row(row)
        with conn.cursor().copy("COPY vocabulary (word, count) FROM STDIN") as copy:
            for row in sorted(decompounder.words.items()):
                copy.write_row(row)
        for key, value in (("words_at_build", sum(words.values())), ("words_added", 0), ("generation", 1)):
            conn.execute("INSERT INTO search_meta (key, value) VALUES (%s, %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
    say(f"  search rows: {items:,} items, {len(terms):,} terms ({time.perf_counter() - started:.0f} s)")
    return items


def main(argv: list[str] | None = None) -> int:
    from benchmarks.scale import build_scaled

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="postgresql://... of a new database")
    parser.add_argument("--source", type=Path, help="a 1x archive (corpus ingested and embedded)")
    parser.add_argument("--factor", type=float, help="size in multiples of the source")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--staged", type=Path, help="an existing scale archive to load instead")
    parser.add_argument("--staging", type=Path, help="where to stage (default: a temporary folder)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--maintenance-work-mem", default="2GB")
    parser.add_argument("--replace", action="store_true", help="empty the database first")
    args = parser.parse_args(argv)
    if args.staged is None and (args.source is None or args.factor is None):
        parser.error("give --staged DIR, or --source and --factor")
    staging = None
    staged = args.staged
    if staged is None:
        staging = Path(tempfile.mkdtemp(prefix="kkr-scale-", dir=args.staging))
        staged = staging / "archive"
        built = build_scaled(args.source, staged, args.factor, seed=args.seed, keyword_index=False)
        print(built)
    try:
        print(load(staged, args.url, jobs=args.jobs, maintenance_work_mem=args.maintenance_work_mem,
                   replace=args.replace))
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
