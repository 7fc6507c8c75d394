"""The archive's single-writer lock.

Only one ingest or reindex may write at a time. The lock is an OS file lock (flock), so
the kernel releases it when a writer dies; the file keeps the writer's pid, so a lock left
behind by a killed writer is recognised and reported when the next writer takes over.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


class ArchiveBusy(RuntimeError):
    pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def writer_lock(path: Path, *, wait_seconds: float = 600, say: Callable[[str], None] = print) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    say(f"Another writer holds {path}; waiting for it to finish ...")
                    told = True
                if time.monotonic() > deadline:
                    raise ArchiveBusy(f"{path}: another writer has held the archive for over {wait_seconds:.0f} s")
                time.sleep(0.2)
        previous = os.pread(fd, 64, 0).decode(errors="replace").strip()
        if previous.isdigit() and int(previous) != os.getpid() and not _pid_alive(int(previous)):
            say(f"Recovered the archive lock left by an interrupted writer (pid {previous}); "
                "what it had not committed was discarded.")
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
