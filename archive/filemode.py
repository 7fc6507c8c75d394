"""Files the archive writes through temporary files get the mode a plain ``open`` would give.

``tempfile.mkstemp`` creates files 0600, so a stored PDF or an index file moved into place
would be unreadable to a web server running as another user; this applies the process umask
instead (0644 under the usual 022).
"""
from __future__ import annotations

import os
import threading

_LOCK = threading.Lock()


def as_if_opened(path: str | os.PathLike) -> None:
    """chmod ``path`` to 0666 minus the current umask."""
    with _LOCK:  # reading the umask means setting it for a moment
        mask = os.umask(0o022)
        os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
