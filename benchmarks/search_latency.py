"""Query latency per search mode on the sample corpus: p50 and p95 over the relevance queries
(tests/relevance/keyword_queries.json), end to end through `archive.search.search`
(parsing, Whoosh, facets, snippets, "Mente du"). Writes nothing.

    python -m benchmarks.search_latency [--data DIR] [--repeat N] [--mode keyword|semantic|hybrid]

Semantic and hybrid need an archive with vectors (--data of an embedded archive).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.search.modes import SearchRequest, search  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from indexer.schema import open_writable  # noqa: E402
from benchmarks.evaluate_search import load_queries  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(archive: Archive, queries: list[str], repeat: int, mode: str = "keyword") -> list[float]:
    search(archive, SearchRequest(q="herberg", mode=mode))  # open the indexes once (cold start is not measured)
    timings = []
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            search(archive, SearchRequest(q=q, mode=mode))
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="an existing archive (default: ingest corpus/ into a temp dir)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mode", choices=("keyword", "semantic", "hybrid"), default="keyword")
    args = parser.parse_args(argv)
    command = ("python -m benchmarks.search_latency" + (f" --data {args.data}" if args.data else "")
               + f" --repeat {args.repeat} --mode {args.mode}")
    queries = [q["q"] for q in load_queries()]
    with tempfile.TemporaryDirectory() as tmp:
        with open_writable(args.data or tmp) as archive:
            if not args.data:
                from indexer.pipeline import ingest_paths

                ingest_paths(archive, [ROOT / "corpus"], say=lambda _m: None)
            items = len(archive.item_refs())
            timings = measure(archive, queries, args.repeat, args.mode)
    print(f"{args.mode} search over {items} items, {len(queries)} queries x {args.repeat}: "
          f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
          f"max {max(timings):.1f} ms")
    print(f"command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
