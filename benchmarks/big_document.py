"""Parse speed against document size: one sample agenda's items repeated to about N pages,
typeset by ``benchmarks.render``, then parsed by the indexer and by a bare pdfplumber pass.

    python -m benchmarks.big_document --pages 10 100 300 [--profile 300]

Prints pages/s of both at each size; with --profile, the top cumulative functions of the
indexer parse at that size (cProfile), to find what grows faster than the page count.
"""
from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import tempfile
import time
from pathlib import Path

from benchmarks.parse_speed import bare_pass
from benchmarks.render import render
from indexer.parse import parse_pdf

SOURCE = Path(__file__).resolve().parents[1] / "corpus" / "kkr-hovedstaden_2026-04-07_dagsorden.pdf"


def big_pdf(pages: int, out: Path) -> tuple[Path, int]:
    base = parse_pdf(SOURCE)
    per_item = max(base.page_count / max(len(base.items), 1), 0.1)
    count = max(1, round(pages / per_item))
    items = [dataclasses.replace(base.items[i % len(base.items)], number=f"{i // 6 + 1}.{i % 6 + 1}")
             for i in range(count)]
    path = out / f"big-{pages}.pdf"
    rendered = render(dataclasses.replace(base, items=items), path)
    return path, rendered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--profile", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.pages:
            path, _ = big_pdf(target, Path(tmp))
            started = time.perf_counter()
            pages = bare_pass([path])
            bare = time.perf_counter() - started
            started = time.perf_counter()
            if target == args.profile:
                profile = cProfile.Profile()
                doc = profile.runcall(parse_pdf, path)
            else:
                doc = parse_pdf(path)
            full = time.perf_counter() - started
            print(f"{pages:5d} pages, {len(doc.items):4d} items: parse {pages / full:6.1f} pages/s ({full:6.1f} s), "
                  f"bare pdfplumber {pages / bare:6.1f} pages/s ({bare:6.1f} s)", flush=True)
            if target == args.profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
