"""Keyword search quality on the sample corpus: MRR, nDCG@10 and Recall@10 over the
relevance set tests/relevance/keyword_queries.json, with and without compound handling.

    python -m benchmarks.evaluate_search [--data DIR] [--no-write]

Without --data the PDFs in corpus/ are ingested into a temporary archive. The result is
written between the keyword markers of docs/EVALUATION.md (other sections are kept).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.keyword_index import KeywordIndexWriter  # noqa: E402
from archive.search.modes import SearchRequest, search  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from indexer.schema import open_writable  # noqa: E402

QUERIES = ROOT / "tests" / "relevance" / "keyword_queries.json"
REPORT = ROOT / "docs" / "EVALUATION.md"
START, END = "<!-- keyword:start -->", "<!-- keyword:end -->"
K = 10


@dataclass
class Scores:
    mrr: float
    ndcg: float
    recall: float
    misses: list[str]  # queries with no relevant item in the top K


def load_queries(path: Path = QUERIES) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def ranked_ids(archive: Archive, q: str, k: int = K) -> list[str]:
    return [h.item_id for h in search(archive, SearchRequest(q=q, limit=k)).hits]


def score_query(ranking: list[str], relevant: set[str], k: int = K) -> tuple[float, float, float]:
    rr = next((1.0 / (i + 1) for i, item in enumerate(ranking[:k]) if item in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranking[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    recall = len(relevant & set(ranking[:k])) / len(relevant)
    return rr, (dcg / ideal if ideal else 0.0), recall


def evaluate(archive: Archive, queries: list[dict]) -> Scores:
    totals = [0.0, 0.0, 0.0]
    misses = []
    for query in queries:
        rr, ndcg, recall = score_query(ranked_ids(archive, query["q"]), set(query["relevant"]))
        totals[0] += rr
        totals[1] += ndcg
        totals[2] += recall
        if rr == 0.0:
            misses.append(query["q"])
    n = len(queries)
    return Scores(totals[0] / n, totals[1] / n, totals[2] / n, misses)


def evaluate_both(archive: Archive, queries: list[dict]) -> dict[str, Scores]:
    out = {}
    for compounds in (False, True):  # finish with compounds on: the archive's normal state
        KeywordIndexWriter(archive.paths, compounds=compounds).rebuild(archive, reason="evaluation")
        out["with compounds" if compounds else "without compounds"] = evaluate(archive, queries)
    return out


def markdown(results: dict[str, Scores], n: int, command: str) -> str:
    lines = [
        START,
        "## Keyword search",
        "",
        f"{n} Danish queries with topic-judged relevant items (`tests/relevance/keyword_queries.json`), "
        f"over the sample corpus; binary relevance, cut-off {K}.",
        "",
        "| Analyzer | MRR | nDCG@10 | Recall@10 | Queries without a relevant hit |",
        "|---|---|---|---|---|",
    ]
    for name, s in results.items():
        lines.append(f"| {name} | {s.mrr:.3f} | {s.ndcg:.3f} | {s.recall:.3f} | {len(s.misses)} |")
    for name, s in results.items():
        if s.misses:
            lines += ["", f"Misses {name}: " + ", ".join(f"`{q}`" for q in s.misses)]
    lines += ["", f"Reproduce: `{command}`", END]
    return "\n".join(lines)


def write_section(section: str, path: Path = REPORT, start: str = START, end: str = END) -> None:
    """Replace the part of `path` between the markers `start` and `end` (which `section`
    carries itself), or append `section` when the markers are not there yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Evaluation\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="an existing archive (default: ingest corpus/ into a temp dir)")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {REPORT.name}")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.evaluate_search" + (f" --data {args.data}" if args.data else "")
    queries = load_queries()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or tmp
        started = time.perf_counter()
        with open_writable(data) as archive:
            if not args.data:
                from indexer.pipeline import ingest_paths

                ingest_paths(archive, [ROOT / "corpus"], say=lambda _m: None)
            results = evaluate_both(archive, queries)
        for name, s in results.items():
            print(f"{name:18s} MRR {s.mrr:.3f}  nDCG@10 {s.ndcg:.3f}  Recall@10 {s.recall:.3f}  "
                  f"misses {len(s.misses)}: {s.misses}")
        print(f"({len(queries)} queries, {time.perf_counter() - started:.1f} s)")
    if not args.no_write:
        write_section(markdown(results, len(queries), command))
        print(f"updated {REPORT.relative_to(ROOT)}")
    print(f"command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
