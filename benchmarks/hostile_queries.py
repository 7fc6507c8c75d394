"""Cost of hostile queries: long fuzzed queries (up to 499 characters of archive words, random
words, digits, punctuation and stray Unicode) through hybrid search and question answering,
in process, on an archive with vectors. Prints p50 / p95 / max and how many took over 1 s.

    python -m benchmarks.hostile_queries --data DIR [--count 500] [--seed 7] [--what hybrid,ask]

The queries are made from a seed, so two runs (before and after a change) see the same ones.
Writes nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.answers.answer import answer_question  # noqa: E402
from archive.search.modes import SearchRequest, search  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from benchmarks.search_latency import percentile  # noqa: E402

_NOISE = ["§", "–", "»", "«", "?", "!", "(", ")", "\"", "*", "-", "+", "AND", "OR", "NOT", "ﷺ",
          "😀", "İ", "ß", "ﬁ", "\u0301", "٣", "中文", "2026-00541", "SAG-2025-01234", "12.000", "10 %"]


def fuzzed_queries(words: list[str], count: int, seed: int, max_chars: int = 499) -> list[str]:
    """``count`` queries of 300-499 characters mixing archive words with noise."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        target = rng.randint(300, max_chars)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < target:
            roll = rng.random()
            if roll < 0.65:
                parts.append(rng.choice(words))
            elif roll < 0.85:
                parts.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyzæøå") for _ in range(rng.randint(2, 14))))
            else:
                parts.append(rng.choice(_NOISE))
        queries.append(" ".join(parts)[:max_chars])
    return queries


def archive_words(archive: Archive) -> list[str]:
    words = {w.strip(".,:;()»«\"") for ref in archive.item_refs().values() for w in ref.title.split()}
    return sorted(w for w in words if len(w) > 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="an archive with vectors (kkr-arkiv ingest + embed)")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--what", default="hybrid,ask")
    args = parser.parse_args(argv)
    with Archive(args.data) as archive:
        queries = fuzzed_queries(archive_words(archive), args.count, args.seed)
        runs = {
            "hybrid": lambda q: search(archive, SearchRequest(q=q, mode="hybrid")),
            "ask": lambda q: answer_question(archive, q),
        }
        load = os.getloadavg()[0]
        for name in args.what.split(","):
            run = runs[name]
            run("herberger")  # open indexes and model once; cold start is not measured
            timings = []
            for q in queries:
                started = time.perf_counter()
                run(q)
                timings.append((time.perf_counter() - started) * 1000)
            print(f"{name}: {len(queries)} fuzzed queries of {min(map(len, queries))}-{max(map(len, queries))} "
                  f"characters: p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
                  f"max {max(timings):.0f} ms, over 1 s: {sum(t > 1000 for t in timings)}")
        print(f"load average at start {load:.2f}; command: python -m benchmarks.hostile_queries "
              f"--data {args.data} --count {args.count} --seed {args.seed} --what {args.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
