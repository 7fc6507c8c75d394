"""The bundled `serve` holds slow and idle clients (#18): with 50 connections that drip their
headers and 50 that never speak, for 30 s on 127.0.0.1, every probe request of another client
is answered within 1 s."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from indexer.schema import open_writable
from indexer.pipeline import ingest_paths

from .helpers import CORPUS, ROOT

SLOW, IDLE, SECONDS = 50, 50, 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _probe(url: str) -> float:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            response.read()
            assert response.status == 200
    except OSError:
        return float("inf")
    return time.monotonic() - started


def _attacker(port: int, slow: bool, stop: threading.Event) -> None:
    """Keeps one hostile connection open all the time, opening a new one when dropped."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                if slow:
                    s.sendall(b"GET /moeder HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                n = 0
                while not stop.is_set():
                    if slow:
                        s.sendall(b"X-Slow-%d: x\r\n" % n)
                        n += 1
                    if stop.wait(1.0):
                        break
        except OSError:
            stop.wait(0.2)


def test_slow_and_idle_clients_do_not_starve_other_users(tmp_path):
    data = tmp_path / "data"
    with open_writable(data) as archive:
        assert ingest_paths(archive, [CORPUS / "kkr-sjaelland_2026-09-24_dagsorden.pdf"], say=lambda _m: None).ok
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KKR_ARKIV_DATA", None)
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "--data", str(data), "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/moeder"
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 30
        while _probe(url) == float("inf"):
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.3)
        attackers = [threading.Thread(target=_attacker, args=(port, i < SLOW, stop), daemon=True)
                     for i in range(SLOW + IDLE)]
        for thread in attackers:
            thread.start()
        time.sleep(6)  # past gunicorn's 5 s per-connection data wait, where stock gthread starves
        latencies = []
        end = time.monotonic() + SECONDS - 6
        while time.monotonic() < end:
            latencies.append(_probe(url))
            time.sleep(0.5)
        stop.set()
        late = [f"{t:.2f}" for t in latencies if t > 1.0]
        assert latencies and not late, f"{len(late)} of {len(latencies)} probes over 1 s: {late}"
    finally:
        stop.set()
        server.terminate()
        server.wait(10)
