"""Running the web app under gunicorn: one worker process per core, a few threads each.

The search work is CPU-bound Python, so one process serves one core however many threads
it has (the GIL); on a 2-core machine two worker processes roughly double the throughput
of a single waitress process (docs/BENCHMARKS.md). Each worker builds its own app after
the fork, so every worker has its own SQLite connections and search caches.
"""
from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication


class WebServer(BaseApplication):
    def __init__(self, data: str | None, *, host: str, port: int, workers: int, threads: int):
        self.data = data
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 120,
            "graceful_timeout": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "limit_request_line": 8190,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from webapp import create_app

        return create_app(data=self.data)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
