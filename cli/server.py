"""Running the web app under gunicorn: one worker process per core, a bounded thread pool each.

The search work is CPU-bound Python, so one process serves one core however many threads
it has (the GIL); on a 2-core machine two worker processes roughly double the throughput
of a single waitress process (docs/BENCHMARKS.md). Each worker builds its own app after
the fork, so every worker has its own SQLite connections and search caches.

Slow and idle clients (slowloris) must not take the threads other users need:
- a new connection is given to a thread only once its whole request head has arrived: until
  then each readable moment takes what has come, without waiting, and hands the connection
  back to the worker's poller (stock gthread lends a silent connection a thread for up to 5 s
  and then blocks a thread on a client that drips its headers, so 8 such clients stop it);
- a head that is not complete within ``HEADER_TIMEOUT`` s, or grows past ``MAX_HEAD`` bytes,
  closes the connection; a silent one is closed after ``KEEPALIVE`` s;
- once a thread reads, each read waits at most ``READ_TIMEOUT`` s for the client's next bytes
  (a body, or a kept-alive connection's next request), so a stalled client frees its thread;
- the pool is bounded (``DEFAULT_THREADS``) and a little larger than the cores need, because a
  thread writing a response to a slow reader costs no CPU.
A reverse proxy that buffers whole requests in front is still the recommended production set-up
(README).
"""
from __future__ import annotations

import os
import socket
import struct
import time

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import _DEFER, ThreadWorker

DEFAULT_THREADS = 16
HEADER_TIMEOUT = 10.0  # seconds a client may take to send its request line and headers
MAX_HEAD = 64 * 1024  # bytes of request line and headers
READ_TIMEOUT = 5.0  # seconds a reading thread waits for the client's next bytes
KEEPALIVE = 5  # seconds an idle kept-alive (or never-speaking) connection stays open


class SlowClientWorker(ThreadWorker):
    """gthread that starts a request in a thread only when its head is complete, and drops a
    connection whose next bytes do not come within ``READ_TIMEOUT``."""

    def handle(self, conn):
        if not conn.initialized:
            head_complete = self._gather_head(conn)
            if head_complete is None:
                conn.data_ready = False
                return _DEFER  # back to the poller: no thread waits for this client
            if not head_complete:  # closed, too slow or too big
                conn.sock.close()  # at once, in this thread (see _closed)
                return False
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(bytes(conn.head))
        # A kernel receive timeout survives gunicorn's setblocking(True): a stalled read fails
        # with EAGAIN and gunicorn closes the connection.
        seconds = int(READ_TIMEOUT)
        micro = int((READ_TIMEOUT - seconds) * 1e6)
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, micro))
        return self._closed(conn, super().handle(conn))

    @staticmethod
    def _closed(conn, result):
        """Close a finished connection here, in the pool thread: gunicorn would close it in the
        worker's main loop, lingering up to 2 s to drain it, and a crowd of dripping clients
        would then stall every other connection of the worker."""
        if result is False:
            util.close_graceful(conn.sock)
        return result

    @staticmethod
    def _gather_head(conn) -> bool | None:
        """Read what the client has sent so far without waiting: True when the request head is
        complete, None when more is to come, False when the connection should be closed."""
        if not hasattr(conn, "head"):
            conn.head, conn.head_started = bytearray(), time.monotonic()
        try:
            chunk = conn.sock.recv(MAX_HEAD)
        except BlockingIOError:
            chunk = None
        except OSError:
            return False
        if chunk == b"":
            return False
        conn.head += chunk or b""
        if b"\r\n\r\n" in conn.head or b"\n\n" in conn.head:
            return True
        if len(conn.head) > MAX_HEAD or time.monotonic() - conn.head_started > HEADER_TIMEOUT:
            return False
        return None


class WebServer(BaseApplication):
    def __init__(self, data: str | None, *, host: str, port: int, workers: int, threads: int):
        self.data = data
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": f"{__name__}.SlowClientWorker",
            "worker_connections": 1000,
            "keepalive": KEEPALIVE,
            "timeout": 120,
            "graceful_timeout": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "critical",  # a dropped slow client is not an error worth a traceback
            "limit_request_line": 8190,
            "limit_request_fields": 100,
            "limit_request_field_size": 8190,
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
