"""Per-process state lives in one Runtime made by the composition root (archive/runtime.py)."""
from __future__ import annotations

from archive.runtime import LruCache, Runtime
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
