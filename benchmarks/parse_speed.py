"""Parse speed of the indexer against a bare pdfplumber ``extract_words()`` pass.

Usage (from the project root): ``python -m benchmarks.parse_speed [--rounds N]``
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

import pdfplumber

from indexer.parse import parse_pdf

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def bare_pass(paths: list[Path]) -> int:
    """Only ``extract_words()`` on every page; returns the number of pages."""
    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
                pages += 1
    return pages


def full_parse(paths: list[Path]) -> int:
    """The whole parser on every file; returns the number of pages."""
    return sum(parse_pdf(path).page_count for path in paths)


def best_time(run: Callable[[list[Path]], int], paths: list[Path], rounds: int) -> tuple[float, int]:
    best, pages = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        pages = run(paths)
        best = min(best, time.perf_counter() - start)
    return best, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(CORPUS.glob("*.pdf"))
    bare_s, pages = best_time(bare_pass, paths, args.rounds)
    parse_s, _ = best_time(full_parse, paths, args.rounds)
    print(f"{len(paths)} files, {pages} pages, best of {args.rounds}")
    print(f"bare extract_words: {bare_s:6.2f} s  {pages / bare_s:7.1f} pages/s")
    print(f"parse_pdf:          {parse_s:6.2f} s  {pages / parse_s:7.1f} pages/s")
    print(f"ratio parse/bare:   {parse_s / bare_s:6.2f}x")


if __name__ == "__main__":
    main()
