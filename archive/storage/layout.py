"""The one place that knows how an archive is laid out on disk.

    <root>/archive.sqlite3        meetings, documents, items, blocks, paragraphs, passages, vectors
    <root>/pdfs/ab/abcdef....pdf  original PDFs, stored by their sha256
    <root>/index/CURRENT          name of the live keyword index directory
    <root>/index/<name>/          a Whoosh index (derived data: can be rebuilt from SQLite)
    <root>/vectors/<model>.usearch approximate nearest-neighbour index of a large archive's
                                  vectors (derived data: rebuilt by `kkr-arkiv embed`)
    <root>/ingest.lock            held while a writer runs

The root is `--data DIR`, else the environment variable KKR_ARKIV_DATA, else ./data.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "KKR_ARKIV_DATA"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def resolve_root(data: str | os.PathLike | None = None) -> Path:
    if data:
        return Path(data)
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else Path("data")


@dataclass(frozen=True)
class ArchivePaths:
    root: Path

    @classmethod
    def at(cls, data: str | os.PathLike | None = None) -> "ArchivePaths":
        return cls(resolve_root(data).absolute())

    @property
    def database(self) -> Path:
        return self.root / "archive.sqlite3"

    @property
    def pdf_dir(self) -> Path:
        return self.root / "pdfs"

    def pdf(self, sha256: str) -> Path:
        """Path of an archived PDF. Only a well-formed sha256 ever reaches the file system."""
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return self.pdf_dir / sha256[:2] / f"{sha256}.pdf"

    @property
    def index_root(self) -> Path:
        return self.root / "index"

    @property
    def index_pointer(self) -> Path:
        return self.index_root / "CURRENT"

    def vector_index(self, model_id: str) -> Path:
        """The approximate vector index of one embedding model."""
        import hashlib

        name = re.sub(r"[^a-z0-9]+", "-", model_id.lower()).strip("-")[:60]
        digest = hashlib.sha1(model_id.encode()).hexdigest()[:8]
        return self.root / "vectors" / f"{name}-{digest}.usearch"

    @property
    def ingest_lock(self) -> Path:
        return self.root / "ingest.lock"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.pdf_dir.mkdir(exist_ok=True)
        self.index_root.mkdir(exist_ok=True)
