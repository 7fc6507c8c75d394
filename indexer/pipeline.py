"""Ingest: PDF files -> parsed documents -> the archive (SQLite + PDF store) -> keyword index.

Each file is parsed completely before anything is written; the archive then takes it in
one transaction, so a rejected or interrupted file never changes what was archived.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from archive.storage.store import Archive
from archive.storage.writelock import writer_lock

from .chunk import split_passages
from .errors import RejectedPDF
from .parse import parse_pdf
from .store import store_document, storable


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RejectedPDF] = field(default_factory=list)
    unstructured: list[tuple[str, str]] = field(default_factory=list)  # (file, reason), archived by page
    items: int = 0
    pages: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        line = (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, {len(self.replaced)} replaced, "
            f"{len(self.rejected)} rejected; {self.items} items, {self.pages} pages in {self.seconds:.1f} s"
        )
        if self.unstructured:
            line += f"\n{len(self.unstructured)} archived unstructured: " + "; ".join(
                f"{name}: {reason}" for name, reason in self.unstructured)
        return line


def find_pdfs(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line are taken as they are (a non-PDF is then rejected
    with a reason); folders are searched recursively for *.pdf."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        else:
            found.append(path)
    seen: set[Path] = set()
    return [p for p in found if not (p.resolve() in seen or seen.add(p.resolve()))]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_paths(
    archive: Archive,
    paths: Iterable[Path],
    *,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    say: Callable[[str], None] = print,
) -> IngestReport:
    """Ingest every PDF in `paths` and bring the keyword index up to date."""
    from archive.keyword.fulltext import KeywordIndex  # the index is derived: updated after the archive

    report = IngestReport()
    started = time.perf_counter()
    files = find_pdfs(Path(p) for p in paths)
    with writer_lock(archive.paths.ingest_lock, say=say):
        for path in progress(files) if progress else files:
            _ingest_one(archive, path, report)
        KeywordIndex(archive.paths, say=say).sync(archive)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(archive: Archive, path: Path, report: IngestReport) -> None:
    try:
        if not path.exists():
            raise RejectedPDF(path, "the file does not exist")
        if archive.has_sha256(file_sha256(path)):
            report.unchanged.append(str(path))
            return
        doc = parse_pdf(path)
    except RejectedPDF as rejection:
        report.rejected.append(rejection)
        return
    doc = storable(doc)
    passages = [split_passages(item) for item in doc.items]
    result = store_document(archive, doc, path, passages=passages)
    {"added": report.added, "replaced": report.replaced, "unchanged": report.unchanged}[result.status].append(
        str(path)
    )
    if result.status != "unchanged" and not doc.structured:
        report.unstructured.append((path.name, doc.unstructured_reason))
    if result.status != "unchanged" and doc.structured:
        report.items += len(doc.items)
    if result.status != "unchanged":
        report.pages += doc.page_count
