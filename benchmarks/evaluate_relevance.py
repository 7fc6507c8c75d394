"""Graded relevance evaluation of keyword, semantic and hybrid search (tests/relevance/search_set.json).

Builds (and caches, keyed by the corpus hash) an archive from corpus/ plus ../shared/real/*.pdf,
embeds it with the offline default model, runs every query in every mode through the public
search API and reports MRR, nDCG@10 (graded gains) and Recall@10 (grade >= 1) per class and mode
with bootstrap 95 % intervals. `evaluate_settings` scores one settings object on a subset of query
ids; `--cv` chooses among candidate settings with 5-fold cross-validation and reports held-out
folds only.

Judgment keys are resolved against the archive (the resolver of benchmarks/evaluate_answers_v2):
sample items by their archive id, real documents' `<pdf stem>#<number>` to the item with that
number in the document whose stored file name has that stem. Keys that do not resolve (a document
the parser rejected, an item it did not find) are skipped and counted.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataclasses import replace  # noqa: E402
from itertools import product  # noqa: E402

from archive.search.modes import SearchRequest, search  # noqa: E402
from archive.settings import DEFAULT, SearchSettings  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from indexer.schema import open_writable  # noqa: E402
from benchmarks.evaluate_answers_v2 import REAL, _key_resolver  # noqa: E402
from benchmarks.stats import bootstrap_ci, cross_validate  # noqa: E402

SET = ROOT / "tests" / "relevance" / "search_set.json"
REPORT = ROOT / "docs" / "EVALUATION.md"
START, END = "<!-- relevance:start -->", "<!-- relevance:end -->"
MODES = ("keyword", "semantic", "hybrid")
CLASSES = ("keyword", "question", "paraphrase")
K = 10


@dataclass(frozen=True)
class Settings:
    """One configuration to evaluate: the mode and the search settings it runs with."""
    mode: str = "keyword"
    search: SearchSettings = DEFAULT.search


def candidates(mode: str) -> list[Settings]:
    """The configurations --cv chooses among for `mode` (on training folds only)."""
    if mode == "keyword":
        return [Settings(mode, replace(DEFAULT.search, relax_below=r)) for r in (0, 3)]
    if mode == "semantic":
        return [Settings(mode, DEFAULT.search)]
    out = []
    for fusion, kw, relaxed, question, code in product(("rrf", "convex"), (1.0,), (0.2, 0.5),
                                                       (0.25, 0.5, 1.0), (2.0,)):
        if relaxed <= kw:
            out.append(Settings(mode, replace(DEFAULT.search, fusion=fusion, keyword_weight=kw,
                                              relaxed_keyword_weight=relaxed, question_factor=question,
                                              code_factor=code)))
    return out


def sources() -> list[Path]:
    return sorted((ROOT / "corpus").glob("*.pdf")) + sorted(REAL.glob("*.pdf"))


def corpus_hash(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_archive(paths: Sequence[Path]) -> Path:
    data = Path(tempfile.gettempdir()) / f"kkr-relevance-{corpus_hash(paths)}"
    done = data / ".relevance-built"
    if done.exists():
        return data
    from indexer.embed import embed_missing
    from indexer.pipeline import ingest_paths

    data.mkdir(parents=True, exist_ok=True)
    with open_writable(data) as archive:
        report = ingest_paths(archive, list(paths), say=lambda _m: None)
        for rejected in report.rejected:
            print(f"skipped (parser rejected): {rejected}", file=sys.stderr)
        embed_missing(archive, say=lambda _m: None, progress=False)
    done.write_text("ok\n")
    return data


def score(ranking: list[str], gains: dict[str, int]) -> tuple[float, float, float]:
    rr = next((1.0 / (i + 1) for i, item in enumerate(ranking[:K]) if item in gains), 0.0)
    dcg = sum((2 ** gains.get(item, 0) - 1) / math.log2(i + 2) for i, item in enumerate(ranking[:K]))
    ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:K]))
    recall = len(set(gains) & set(ranking[:K])) / len(gains)
    return rr, (dcg / ideal if ideal else 0.0), recall


class Evaluator:
    def __init__(self, archive: Archive, queries: list[dict]):
        self.archive = archive
        self.queries = {q["id"]: q for q in queries}
        self.skipped = 0
        self.unresolved: list[str] = []
        self.gains: dict[str, dict[str, int]] = {}
        resolve, _texts = _key_resolver(archive)
        for q in queries:
            g = {}
            for key, grade in q["judgments"].items():
                item = resolve(key)
                if item is None:
                    self.skipped += 1
                    self.unresolved.append(f"{q['id']}: {key}")
                else:
                    g[item] = grade
            if g:
                self.gains[q["id"]] = g
        self.zero_hits: dict[str, set[str]] = {}
        self._cache: dict[tuple[Settings, str], tuple[float, float, float]] = {}

    def per_query(self, settings: Settings, ids: Sequence[str]) -> dict[str, tuple[float, float, float]]:
        out = {}
        for qid in ids:
            if qid not in self.gains:
                continue
            key = (settings, qid)
            if key not in self._cache:
                request = SearchRequest(q=self.queries[qid]["q"], mode=settings.mode, limit=K)
                hits = search(self.archive, request, settings.search).hits
                if not hits and settings.search == DEFAULT.search:
                    self.zero_hits.setdefault(settings.mode, set()).add(qid)
                self._cache[key] = score([h.item_id for h in hits], self.gains[qid])
            out[qid] = self._cache[key]
        return out

    def evaluate_settings(self, settings: Settings, ids: Sequence[str]) -> float:
        """Mean nDCG@10 of `settings` on the query ids `ids` (the objective for tuning)."""
        scores = self.per_query(settings, ids)
        return sum(s[1] for s in scores.values()) / len(scores) if scores else 0.0


def table(ev: Evaluator, results: dict[str, dict[str, tuple]], command: str) -> str:
    lines = [f"Command: `{command}`", "",
             f"{len(ev.queries)} queries, {len(ev.gains)} with resolvable judgments; "
             f"{ev.skipped} judgments skipped (key does not resolve to an archived item).", "",
             "| class | mode | n | MRR | nDCG@10 | Recall@10 |", "|---|---|---|---|---|---|"]
    for cls in CLASSES + ("all",):
        for mode in MODES:
            rows = [v for qid, v in results[mode].items() if cls == "all" or ev.queries[qid]["class"] == cls]
            cis = [bootstrap_ci([r[i] for r in rows]) for i in range(3)]
            lines.append(f"| {cls} | {mode} | {len(rows)} | " + " | ".join(str(c) for c in cis) + " |")
    return "\n".join(lines) + "\n"


def describe(c: Settings) -> str:
    s = c.search
    if c.mode == "keyword":
        return f"relax_below={s.relax_below}"
    if c.mode == "semantic":
        return f"semantic_window={s.semantic_window}"
    return (f"{s.fusion} kw={s.keyword_weight} relaxed={s.relaxed_keyword_weight} "
            f"question={s.question_factor} code={s.code_factor}")


def zero_line(ev: Evaluator) -> str:
    zero = [q for q in ev.zero_hits.get("keyword", set()) if ev.queries[q]["class"] == "question"]
    total = sum(1 for q in ev.gains if ev.queries[q]["class"] == "question")
    return f"Keyword mode (default settings): {len(zero)} of {total} question queries return zero results.\n"


def write_section(text: str) -> None:
    doc = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    block = f"{START}\n{text}{END}"
    if START in doc and END in doc:
        doc = doc[: doc.index(START)] + block + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip() + "\n\n## Graded relevance set\n\n" + block + "\n"
    REPORT.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON to stdout")
    parser.add_argument("--cv", action="store_true", help="choose settings by 5-fold CV, held-out only")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.evaluate_relevance" + (" --cv" if args.cv else "")
    queries = json.loads(SET.read_text(encoding="utf-8"))
    with open_writable(build_archive(sources())) as archive:
        ev = Evaluator(archive, queries)
        ids = sorted(ev.gains)
        if args.cv:
            results, chosen = {}, {}
            for mode in MODES:
                folds = cross_validate(ids, candidates(mode), ev.evaluate_settings, k=5)
                results[mode] = {}
                for f in folds:
                    results[mode].update(ev.per_query(f.chosen, f.held_out))
                chosen[mode] = [f.chosen for f in folds]
            for mode in MODES:  # default settings, for the zero-hit count
                ev.per_query(Settings(mode=mode), ids)
            text = table(ev, results, command)
            text += "\nHeld-out folds only (5-fold cross-validation); settings chosen per fold on the other four:\n"
            for mode in MODES:
                text += f"- {mode}: " + "; ".join(describe(c) for c in chosen[mode]) + "\n"
            text += "\n" + zero_line(ev)
            print(text)
            if not args.no_write:
                write_section(text)
            return 0
        results = {mode: ev.per_query(Settings(mode=mode), ids) for mode in MODES}
    text = table(ev, results, command)
    zero_q = sum(1 for q in ev.zero_hits.get("keyword", []) if ev.queries[q]["class"] == "question")
    text += "\n" + zero_line(ev)
    if args.json:
        print(json.dumps({"results": {m: {q: list(v) for q, v in r.items()} for m, r in results.items()},
                          "skipped": ev.skipped, "zero_hit_questions_keyword": zero_q}, indent=1))
    else:
        print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
