"""The indexer's keyword index writer: incremental sync, atomic rebuild, crashed and live
writers, a deleted index, the compound switch. Real Whoosh over a copy of the corpus archive."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from archive.keyword.fulltext import KeywordIndex
from archive.search.keyword import MESSAGE_NO_INDEX
from archive.search.modes import SearchRequest, search
from archive.storage.store import Archive
from indexer.keyword_index import KeywordIndexBusy, KeywordIndexWriter
from indexer.store import store_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def run(archive: Archive, q: str, **kwargs):
    return search(archive, SearchRequest(q=q, **kwargs))


def ids(response) -> list[str]:
    return [h.item_id for h in response.hits]


def _parse_copy(pdf: Path, sha256: str):
    from indexer.parse import parse_pdf

    doc = parse_pdf(pdf)
    return replace(doc, sha256=sha256)


def test_sync_is_incremental(scratch):
    index = KeywordIndexWriter(scratch.paths)
    unchanged = index.sync(scratch)
    assert not unchanged.rebuilt and unchanged.added_documents == unchanged.deleted_documents == 0
    # replace one document with a new version (same council, date, kind; new bytes)
    pdf = CORPUS / "kkr-sjaelland_2026-09-24_referat.pdf"
    doc = _parse_copy(pdf, "f" * 64)
    assert store_document(scratch, doc, pdf).status == "replaced"
    stats = index.sync(scratch)
    assert not stats.rebuilt
    assert (stats.added_documents, stats.deleted_documents) == (1, 1)
    assert stats.items == len(doc.items)
    hits = ids(run(scratch, "klimaalliance", limit=50))
    assert hits.count("kkr-sjaelland_2026-09-24_referat_3.5") == 1
    assert index.sync(scratch).summary() == "keyword index up to date"


@pytest.mark.slow  # rebuilds the index
def test_rebuild_swaps_atomically_and_readers_keep_working(scratch):
    index = KeywordIndex(scratch.paths)
    writer = KeywordIndexWriter(scratch.paths)
    before = index.current_dir()
    with index.searcher() as reader:
        stats = writer.rebuild(scratch)
        after = index.current_dir()
        assert stats.rebuilt and after != before
        assert scratch.paths.index_pointer.read_text().strip() == after.name
        # the reader opened before the swap still answers
        from archive.text.query import parse
        from archive.keyword.fulltext import Filters

        assert reader.search(parse("herberg").root, Filters()).total > 0
    assert run(scratch, "herberg").total > 0
    writer.rebuild(scratch)
    assert not before.exists()  # the generation before the previous one is cleaned up


_CRASHING_WRITER = """
import os, signal, sys
from indexer.schema import open_writable
from archive.keyword.fulltext import DICTIONARY_FILE, KeywordIndex
from archive.text.analysis import Decompounder
from indexer.keyword_index import KeywordIndexWriter, SyncStats
from whoosh import index as whoosh_index
archive = open_writable(sys.argv[1])
directory = KeywordIndex(archive.paths).current_dir()
ix = whoosh_index.open_dir(str(directory))
with KeywordIndexWriter(archive.paths).writer(ix, directory, Decompounder.load(directory / DICTIONARY_FILE), SyncStats()) as writer:
    writer.delete_by_term("document_id", "kkr-sjaelland_2026-09-24_referat")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_crashed_writer_lock_is_recovered(scratch):
    result = subprocess.run([sys.executable, "-c", _CRASHING_WRITER, str(scratch.paths.root)], cwd=ROOT)
    assert result.returncode == -9
    directory = KeywordIndex(scratch.paths).current_dir()
    assert (directory / "MAIN_WRITELOCK").exists() and (directory / "WRITER.pid").exists()
    pdf = CORPUS / "kkr-sjaelland_2026-09-24_referat.pdf"
    store_document(scratch, _parse_copy(pdf, "e" * 64), pdf)
    messages: list[str] = []
    stats = KeywordIndexWriter(scratch.paths, say=messages.append).sync(scratch)
    assert any("crashed writer" in m for m in stats.messages) and messages
    assert not (directory / "WRITER.pid").exists()
    # the crashed writer's uncommitted delete was discarded; the sync's changes are in
    assert "kkr-sjaelland_2026-09-24_referat_3.5" in ids(run(scratch, "klimaalliance", limit=50))


def test_live_writer_makes_sync_wait_then_fail_clearly(scratch):
    from whoosh import index as whoosh_index

    index = KeywordIndexWriter(scratch.paths, lock_timeout=0.2)
    writer = whoosh_index.open_dir(str(index.index.current_dir())).writer()
    try:
        pdf = CORPUS / "kkr-sjaelland_2026-09-24_referat.pdf"
        store_document(scratch, _parse_copy(pdf, "d" * 64), pdf)
        with pytest.raises(KeywordIndexBusy, match="another process"):
            index.sync(scratch)
    finally:
        writer.cancel()
    assert index.sync(scratch).added_documents == 1


def test_deleted_index_is_recreated(scratch):
    """Searching never rebuilds the index (the read side never writes): a missing index is
    reported with the command that rebuilds it, and the indexer's sync brings it back."""
    index = KeywordIndexWriter(scratch.paths)
    expected = run(scratch, "herberg").total
    index.delete()
    assert not index.index.exists()
    with Archive(scratch.paths.root) as reader:
        response = run(reader, "herberg")
        assert response.total == 0 and MESSAGE_NO_INDEX in response.message
    response = run(scratch, "herberg")  # a writable archive does not rebuild on a search either
    assert response.total == 0 and "kkr-arkiv reindex" in response.message
    assert not index.index.exists()
    stats = index.sync(scratch)
    assert stats.rebuilt and stats.reason == "no index"
    assert run(scratch, "herberg").total == expected


@pytest.mark.slow  # rebuilds the index twice
def test_compound_flag_switch_rebuilds(scratch):
    stats = KeywordIndexWriter(scratch.paths, compounds=False).sync(scratch)
    assert stats.rebuilt and "compound" in stats.reason
    assert run(scratch, "krisecenter").total == 0
    KeywordIndexWriter(scratch.paths).sync(scratch)
    assert run(scratch, "krisecenter").total > 0
