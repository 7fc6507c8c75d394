"""`ask` latency: end to end through `archive.answers.answer.answer_question` (question parsing,
keyword search, query embedding, passage scores, evidence scoring, composing) over the
questions of tests/relevance/questions_v2.json. Writes nothing.

    python -m benchmarks.ask_latency --data DIR [--repeat N] [--clients N]

--data: an archive with vectors (e.g. one built by benchmarks.evaluate_answers.build_archive,
or a scaled one from benchmarks.scale). --clients N asks from N threads at once, as a web
server under load does; each answer's wall time is one sample. The load average of the machine
(1, 5, 15 min) is printed with the result: the machine is shared, so the figures say under
which load they were taken. The first question (opening indexes, loading the model) is not
measured.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.answers.answer import answer_question  # noqa: E402
from archive.storage.store import Archive  # noqa: E402
from benchmarks.evaluate_answers_v2 import load_questions  # noqa: E402
from benchmarks.search_latency import percentile  # noqa: E402


def measure(archive: Archive, questions: list[str], today, *, repeat: int, clients: int) -> list[float]:
    answer_question(archive, questions[0], today=today)  # warm: indexes open, model loaded
    work = [q for _ in range(repeat) for q in questions]
    timings: list[float] = []
    lock = threading.Lock()

    def client(part: list[str]) -> None:
        for q in part:
            started = time.perf_counter()
            answer_question(archive, q, today=today)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)

    threads = [threading.Thread(target=client, args=(work[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="an archive with vectors")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--clients", type=int, default=1, help="threads asking at once")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    args = parser.parse_args(argv)
    questions, today = load_questions()
    texts = [q["q"] for q in questions][: args.limit or None]
    with Archive(args.data) as archive:
        documents = len(archive.documents())
        before = os.getloadavg()
        started = time.perf_counter()
        timings = measure(archive, texts, today, repeat=args.repeat, clients=args.clients)
        wall = time.perf_counter() - started
        after = os.getloadavg()
    print(f"ask latency over {len(timings)} answers ({len(texts)} questions x {args.repeat}, "
          f"{args.clients} client(s)), archive {args.data} ({documents} documents), {os.cpu_count()} CPUs")
    print(f"  p50 {percentile(timings, 0.5):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, "
          f"max {max(timings):.0f} ms, throughput {len(timings) / wall:.1f} answers/s")
    print("  load average before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(*before, *after))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
