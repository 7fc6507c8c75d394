"""Graded relevance evaluation of keyword, semantic and hybrid search (tests/relevance/search_set.json).

Builds (and caches, keyed by the hash of the sources and of the indexing code) an archive from
corpus/ plus ../shared/real/*.pdf, embeds it with the offline default model (vectors of earlier
evaluation archives are reused by passage-text hash), runs every query in every mode through the public
search API and reports MRR, nDCG@10 (graded gains) and Recall@10 (grade >= 1) per class and mode
with bootstrap 95 % intervals, per class and for the queries judged on the real documents.
`evaluate_settings` scores one settings object on a subset of query ids; `--cv` chooses among
candidate settings with 5-fold cross-validation and reports held-out folds only. Each query's
rankings are read once; a hybrid candidate re-runs only the fusion (`Evaluator`).

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
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataclasses import replace  # noqa: E402
from itertools import product  # noqa: E402

from archive.search.hybrid import HybridRankings, fused_ranking, hybrid_rankings  # noqa: E402
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
    fusions = [("rrf", "minmax"), ("convex", "minmax"), ("convex", "tmm")]
    for (fusion, norm), kw, relaxed, coverage, question, code, floor in product(
            fusions, (0.25, 0.5, 1.0), (0.1, 0.25, 0.5), (False, True), (0.1, 0.25, 0.5), (2.0, 4.0, 8.0),
            (0.0, 0.82)):
        out.append(Settings(mode, replace(DEFAULT.search, fusion=fusion, convex_norm=norm, keyword_weight=kw,
                                          relaxed_keyword_weight=relaxed, relaxed_by_coverage=coverage,
                                          question_factor=question, code_factor=code, semantic_floor=floor)))
    return out


def sources() -> list[Path]:
    return sorted((ROOT / "corpus").glob("*.pdf")) + sorted(REAL.glob("*.pdf"))


# the code that decides what an archive holds: a change here rebuilds the evaluation archive
BUILD_CODE = ("indexer", "archive/storage", "archive/text", "archive/keyword", "archive/vectors")
READ_ONLY_CODE = {"query.py", "fulltext.py", "cache.py"}  # query parsing, keyword search, the vector cache


def corpus_hash(paths: Sequence[Path]) -> str:
    """Hash of the sources and of the indexing code (a parser fix must not be scored on an
    archive the old parser built)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    for folder in BUILD_CODE:
        for source in sorted((ROOT / folder).rglob("*.py")):
            if source.name in READ_ONLY_CODE:
                continue
            h.update(str(source.relative_to(ROOT)).encode())
            h.update(source.read_bytes())
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
    _reuse_vectors(data)
    with open_writable(data) as archive:
        embed_missing(archive, say=lambda _m: print(_m, file=sys.stderr), progress=False)
    done.write_text("ok\n")
    return data


def _reuse_vectors(data: Path) -> None:
    """Copy the vectors of earlier evaluation archives for this archive's passages. Vectors are
    keyed by passage-text hash and model (the embedder's own cache key), so a copied vector is
    the one embedding would compute; only passages whose text changed are embedded again."""
    database = data / "archive.sqlite3"
    with sqlite3.connect(f"file:{database}", uri=True) as db:
        for other in sorted(data.parent.glob("kkr-relevance-*/archive.sqlite3")):
            if other == database:
                continue
            db.execute("ATTACH DATABASE ? AS other", (f"file:{other}?mode=ro",))
            db.execute("INSERT OR IGNORE INTO embeddings SELECT * FROM other.embeddings "
                       "WHERE hash IN (SELECT hash FROM passages)")
            db.commit()
            db.execute("DETACH DATABASE other")


def score(ranking: list[str], gains: dict[str, int]) -> tuple[float, float, float]:
    rr = next((1.0 / (i + 1) for i, item in enumerate(ranking[:K]) if item in gains), 0.0)
    dcg = sum((2 ** gains.get(item, 0) - 1) / math.log2(i + 2) for i, item in enumerate(ranking[:K]))
    ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:K]))
    recall = len(set(gains) & set(ranking[:K])) / len(gains)
    return rr, (dcg / ideal if ideal else 0.0), recall


def is_real(query: dict) -> bool:
    """A query judged on the real documents of ../shared/real (keys `<pdf stem>#<number>`)."""
    return any("#" in key for key in query["judgments"])


class Evaluator:
    """Scores settings on queries. Each query's rankings are computed once per setting that
    changes them (keyword: `relax_below`; hybrid: the keyword pool and the semantic ranking,
    `hybrid_rankings`); a hybrid candidate that differs only in fusion settings re-runs the
    fusion alone (`fused_ranking`, the function `hybrid_search` ranks with)."""

    def __init__(self, archive: Archive, queries: list[dict], progress: bool = False):
        self.archive = archive
        self.queries = {q["id"]: q for q in queries}
        self.skipped = 0
        self.unresolved: list[str] = []
        self.gains: dict[str, dict[str, int]] = {}
        self.progress = progress
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
        self._rankings: dict[tuple, HybridRankings] = {}
        self._lists: dict[tuple, list[str]] = {}

    def ranking(self, settings: Settings, qid: str) -> list[str]:
        """The item ids `settings` ranks first (at most K) for query `qid`."""
        q = self.queries[qid]["q"]
        s = settings.search
        if settings.mode == "hybrid":
            key = ("hybrid", s.relax_below, s.semantic_window, s.pool, qid)
            if key not in self._rankings:
                self._rankings[key] = hybrid_rankings(self.archive, SearchRequest(q=q, mode="hybrid", limit=K), s)
                self._tick()
            return [h.item_id for h in fused_ranking(q, self._rankings[key], s)[:K]]
        key = (settings.mode, s.relax_below if settings.mode == "keyword" else s.semantic_window, qid)
        if key not in self._lists:
            hits = search(self.archive, SearchRequest(q=q, mode=settings.mode, limit=K), s).hits
            self._lists[key] = [h.item_id for h in hits]
            self._tick()
        return self._lists[key]

    def _tick(self) -> None:
        if self.progress and (len(self._rankings) + len(self._lists)) % 25 == 0:
            print(f"  {len(self._rankings)} hybrid rankings, {len(self._lists)} single rankings",
                  file=sys.stderr, flush=True)

    def per_query(self, settings: Settings, ids: Sequence[str]) -> dict[str, tuple[float, float, float]]:
        out = {}
        for qid in ids:
            if qid not in self.gains:
                continue
            key = (settings, qid)
            if key not in self._cache:
                ranking = self.ranking(settings, qid)
                if not ranking and settings.search == DEFAULT.search:
                    self.zero_hits.setdefault(settings.mode, set()).add(qid)
                self._cache[key] = score(ranking, self.gains[qid])
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
    for cls in CLASSES + ("real", "all"):
        for mode in MODES:
            rows = [v for qid, v in results[mode].items() if cls == "all" or ev.queries[qid]["class"] == cls
                    or (cls == "real" and is_real(ev.queries[qid]))]
            cis = [bootstrap_ci([r[i] for r in rows]) for i in range(3)]
            lines.append(f"| {cls} | {mode} | {len(rows)} | " + " | ".join(str(c) for c in cis) + " |")
    return "\n".join(lines) + "\n"


def describe(c: Settings) -> str:
    s = c.search
    if c.mode == "keyword":
        return f"relax_below={s.relax_below}"
    if c.mode == "semantic":
        return f"semantic_window={s.semantic_window}"
    return (f"{s.fusion}" + (f"/{s.convex_norm}" if s.fusion == "convex" else "")
            + f" kw={s.keyword_weight} relaxed={s.relaxed_keyword_weight}"
            + (" x coverage" if s.relaxed_by_coverage else "")
            + f" question={s.question_factor} code={s.code_factor} floor={s.semantic_floor}")


def zero_line(ev: Evaluator) -> str:
    """How many queries of each class keyword mode (default settings) answers with nothing."""
    zero = ev.zero_hits.get("keyword", set())
    parts = []
    for cls in CLASSES:
        ids = [q for q in ev.gains if ev.queries[q]["class"] == cls]
        parts.append(f"{sum(1 for q in ids if q in zero)} of {len(ids)} {cls}")
    return "Keyword mode (default settings) returns nothing for " + ", ".join(parts) + " queries.\n"


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
    parser.add_argument("--per-query", metavar="FILE", help="write per-query scores and rankings (JSON)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.evaluate_relevance" + (" --cv" if args.cv else "")
    queries = json.loads(SET.read_text(encoding="utf-8"))
    with Archive(build_archive(sources())) as archive:
        ev = Evaluator(archive, queries, progress=True)
        ids = sorted(ev.gains)
        chosen: dict[str, list[Settings]] = {}
        if args.cv:
            results = {}
            for mode in MODES:
                configs = candidates(mode)
                print(f"{mode}: {len(configs)} candidates", file=sys.stderr, flush=True)
                folds = cross_validate(ids, configs, ev.evaluate_settings, k=5)
                results[mode] = {}
                for f in folds:
                    results[mode].update(ev.per_query(f.chosen, f.held_out))
                chosen[mode] = [f.chosen for f in folds]
        else:
            results = {mode: ev.per_query(Settings(mode=mode), ids) for mode in MODES}
        for mode in MODES:  # default settings, for the zero-hit count
            ev.per_query(Settings(mode=mode), ids)
        if args.per_query:
            dump = {}
            for qid in ids:
                q = ev.queries[qid]
                dump[qid] = {"q": q["q"], "class": q["class"], "real": is_real(q), "gains": ev.gains[qid],
                             "scores": {m: results[m][qid] for m in MODES},
                             "default_rankings": {m: ev.ranking(Settings(mode=m), qid) for m in MODES}}
            Path(args.per_query).write_text(json.dumps(dump, indent=1, ensure_ascii=False), encoding="utf-8")
    text = table(ev, results, command)
    if args.cv:
        text += "\nHeld-out folds only (5-fold cross-validation); settings chosen per fold on the other four:\n"
        for mode in MODES:
            text += f"- {mode}: " + "; ".join(describe(c) for c in chosen[mode]) + "\n"
    text += "\n" + zero_line(ev)
    if args.json:
        print(json.dumps({"results": {m: {q: list(v) for q, v in r.items()} for m, r in results.items()},
                          "skipped": ev.skipped, "zero_hits_keyword": sorted(ev.zero_hits.get("keyword", []))},
                         indent=1))
    else:
        print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
