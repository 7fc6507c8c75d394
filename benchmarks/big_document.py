"""Parse speed against document size: one sample agenda's items repeated to about N pages,
typeset by ``benchmarks.render``, then parsed by the indexer and by a bare pdfplumber pass.

    python -m benchmarks.big_document --pages 10 100 1000 [--profile 300] [--keep DIR]

Prints pages per second of both at each size, by the process's CPU time (which another
process's load hardly moves, unlike the wall clock, also printed); their ratio staying flat
as the size grows shows the parser's own cost is linear in pages. With --profile, the top
cumulative functions of the indexer parse at that size (cProfile). --keep reuses the rendered
PDFs in DIR between runs.
"""
from __future__ import annotations

import argparse
import cProfile
import os
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
    parser.add_argument("--keep", type=Path, default=None, help="render into and reuse PDFs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print("| pages | items | indexer pages/CPU-s | bare pdfplumber pages/CPU-s | ratio | wall s (indexer / bare) | load |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for target in args.pages:
            path = folder / f"big-{target}.pdf"
            if not path.exists():
                path, _ = big_pdf(target, folder)
            wall, cpu = time.perf_counter(), time.process_time()
            pages = bare_pass([path])
            bare_wall, bare_cpu = time.perf_counter() - wall, time.process_time() - cpu
            wall, cpu = time.perf_counter(), time.process_time()
            if target == args.profile:
                profile = cProfile.Profile()
                doc = profile.runcall(parse_pdf, path)
            else:
                doc = parse_pdf(path)
            full_wall, full_cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"| {pages} | {len(doc.items)} | {pages / full_cpu:.1f} | {pages / bare_cpu:.1f} | "
                  f"{bare_cpu / full_cpu:.2f} | {full_wall:.0f} / {bare_wall:.0f} | {os.getloadavg()[0]:.1f} |", flush=True)
            if target == args.profile:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
