"""Keyword search over a real archive ingested from corpus/ PDFs, with a real Whoosh index."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from archive.text.analysis import Analysis, Decompounder, fold, stem, vocabulary, words
from archive.keyword.fulltext import KeywordIndex, KeywordIndexBusy
from archive.search.keyword import (
    MESSAGE_NO_INDEX,
    MESSAGE_ONLY_STOP_WORDS,
    closest_word,
)
from archive.search.modes import SearchRequest, search
from archive.settings import SearchSettings
from archive.storage.store import Archive
from indexer.store import store_document
from tests.conftest import BACKENDS, open_backend

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
HERBERG_CASE = "SAG-2026-00541"


def run(archive: Archive, q: str, **kwargs):
    return search(archive, SearchRequest(q=q, **kwargs))


def ids(response) -> list[str]:
    return [h.item_id for h in response.hits]


def item_text(archive: Archive, item_id: str) -> str:
    item = archive.item(item_id)
    return " ".join([item.title] + [p.text for b in item.blocks for p in b.paragraphs])


def marked(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request):
    """The corpus archive on each backend: embedded (SQLite + Whoosh) and PostgreSQL."""
    with open_backend(request, request.param) as opened:
        yield opened


@pytest.fixture()
def scratch(corpus_archive_dir, tmp_path):
    """A private, writable copy of the ingested archive (for index lifecycle tests)."""
    target = tmp_path / "archive"
    shutil.copytree(corpus_archive_dir, target)
    with Archive(target) as opened:
        yield opened


# ---------------------------------------------------------------------------- analysis


def test_tokenizer_keeps_codes_and_numbers_whole():
    texts = [w.text for w in words("Sag SAG-2026-00541: 1.380 pladser, 6,5 pct. i 2026-2030 (Høje-Taastrup)")]
    assert "sag-2026-00541" in texts and "1.380" in texts and "6,5" in texts and "2026-2030" in texts
    assert "høje" in texts and "taastrup" in texts
    code = next(w for w in words("SAG-2026-00541"))
    assert code.parts == ("sag", "2026", "00541")


def test_stemming_folding_and_stop_words():
    analysis = Analysis()
    assert [t.text for t in analysis.terms("og i at herbergerne")] == [stem("herberg")]
    assert stem("krisecenter") == stem("krisecentre")
    assert fold(stem("pædagoguddannelsen")) == stem("paedagoguddannelsen")
    assert fold("åbenrå") == fold("aabenraa")


def test_decompounder_splits_compounds_but_not_simple_words(archive):
    decompounder = Decompounder.from_vocabulary(
        vocabulary(p.text for i in archive.items() for b in i.blocks for p in b.paragraphs)
    )
    assert decompounder.split("herbergspladser") == ("herberg", "pladser")
    assert decompounder.split("pædagoguddannelsen") == ("pædagog", "uddannelsen")
    assert decompounder.split("flygtningefordeling") == ("flygtning", "fordeling")
    for simple in ("hovedstaden", "kommunerne", "forslag", "beslutning", "samarbejde", "medlemmer"):
        assert decompounder.split(simple) == (), simple
    assert all(len(p) >= 3 for w in list(decompounder.words)[:2000] for p in decompounder.split(w))


def test_decompounder_round_trips_through_json(tmp_path):
    original = Decompounder.from_vocabulary(vocabulary(["herberg herberger pladser herbergspladser"] * 3))
    original.save(tmp_path / "d.json")
    loaded = Decompounder.load(tmp_path / "d.json")
    assert loaded.words == original.words
    assert loaded.split("herbergspladser") == original.split("herbergspladser")


# ---------------------------------------------------------------------------- search


def test_herberg_finds_herberg_items_of_every_council(archive):
    response = run(archive, "herberg", limit=50)
    councils = {h.council for h in response.hits}
    assert {"KKR Hovedstaden", "KKR Sjælland"} <= councils
    case_items = {r.item_id for r in archive.case_history(HERBERG_CASE)}
    assert case_items <= set(ids(response))
    assert response.hits[0].item_id in case_items | {"kkr-hovedstaden_2025-09-29_referat_3.1"}


def test_json_shape(archive):
    data = run(archive, "herberg", limit=3).to_json()
    assert {"query", "mode", "total", "results", "facets", "suggestion"} <= set(data)
    assert data["mode"] == "keyword" and data["total"] >= 3 and len(data["results"]) == 3
    hit = data["results"][0]
    assert set(hit) >= {"item_id", "council", "date", "kind", "number", "title", "case", "pages",
                        "page", "score", "snippet", "url", "pdf_url"}
    assert hit["url"] == f"/punkt/{hit['item_id']}"
    document_id = hit["item_id"].rsplit("_", 1)[0]
    assert hit["pdf_url"] == f"/pdf/{document_id}#page={hit['page']}"
    assert hit["pages"][0] <= hit["page"] <= hit["pages"][1]


def test_decisions_only_matches_inside_beslutning(archive):
    response = run(archive, "herbergspladser", decisions_only=True, limit=50)
    assert response.hits
    analysis = Analysis()
    for hit in response.hits:
        item = archive.item(hit.item_id)
        decision = " ".join(p.text for p in item.block("Beslutning").paragraphs)
        assert "herberg" in decision.lower()
        assert hit.kind == "referat"  # agendas have no Beslutning
    assert analysis  # decision snippets come from the Beslutning block
    top = response.hits[0]
    assert "herberg" in " ".join(marked(top.snippet)).lower()


def test_phrase(archive):
    response = run(archive, '"ny model for kapacitetsstyring"')
    assert response.hits
    for hit in response.hits:
        assert "ny model for kapacitetsstyring" in item_text(archive, hit.item_id).lower()
    loose = run(archive, "ny model for kapacitetsstyring")
    assert loose.total >= response.total


def test_or_and_exclusion(archive):
    either = set(ids(run(archive, "klimaalliance OR forretningsorden", limit=50)))
    assert "kkr-sjaelland_2026-09-24_referat_3.5" in either
    assert "kkr-hovedstaden_2026-01-26_referat_2.2" in either
    without = run(archive, "flygtninge -sjælland", limit=50)
    assert without.hits
    for hit in without.hits:
        assert "sjælland" not in item_text(archive, hit.item_id).lower()


def test_all_words_must_match_for_an_exact_hit(archive):
    both = run(archive, "klimaalliance forretningsorden")
    assert 0 <= both.exact < run(archive, "klimaalliance").total
    strict = search(archive, SearchRequest(q="klimaalliance forretningsorden"), SearchSettings(relax_below=0))
    assert strict.total == both.exact and not strict.relaxed


def test_prefix(archive):
    response = run(archive, "klimaallian*")
    assert {"kkr-sjaelland_2026-09-24_dagsorden_3.5", "kkr-sjaelland_2026-09-24_referat_3.5"} <= set(ids(response))
    assert marked(response.hits[0].snippet)


def test_filters(archive):
    sjaelland = run(archive, "herberg", council="KKR Sjælland", limit=50)
    assert sjaelland.hits and all(h.council == "KKR Sjælland" for h in sjaelland.hits)
    assert run(archive, "herberg", council="kkr-sjaelland").total == sjaelland.total
    agendas = run(archive, "herberg", kind="dagsorden", limit=50)
    assert agendas.hits and all(h.kind == "dagsorden" for h in agendas.hits)
    spring = run(archive, "herberg", date_from=date(2026, 3, 1), date_to="2026-06-30", limit=50)
    assert spring.hits and all("2026-03-01" <= h.date <= "2026-06-30" for h in spring.hits)
    bad = run(archive, "herberg", date_from="i går", kind="nyhedsbrev")
    assert bad.total == run(archive, "herberg").total and len(bad.messages) == 2


def test_sort_by_date(archive):
    dates = [h.date for h in run(archive, "herberg", sort="date", limit=30).hits]
    assert dates == sorted(dates, reverse=True)
    dates = [h.date for h in run(archive, "herberg", sort="date-asc", limit=30).hits]
    assert dates == sorted(dates)


def test_facets(archive):
    response = run(archive, "herberg")
    facets = response.facets
    assert sum(f["count"] for f in facets["council"]) == response.total
    assert sum(f["count"] for f in facets["kind"]) == response.total
    assert {f["value"] for f in facets["council"]} == {"kkr-hovedstaden", "kkr-sjaelland"}
    assert {f["label"] for f in facets["year"]} <= {"2025", "2026"}


def test_mente_du(archive):
    assert run(archive, "herbrger").suggestion == "herberger"
    assert run(archive, "pædagogudannelsen").suggestion == "pædagoguddannelsen"
    assert run(archive, "herberger").suggestion is None
    assert closest_word("herbrger", {"herberger": 3, "herbergerne": 2}) == "herberger"


def test_case_number(archive):
    response = run(archive, HERBERG_CASE, limit=50)
    assert set(ids(response)) == {r.item_id for r in archive.case_history(HERBERG_CASE)}


def test_numbers_with_dots(archive):
    response = run(archive, "1.380")
    assert "kkr-hovedstaden_2026-09-21_referat_3.1" in ids(response)
    for hit in response.hits:
        assert "1.380" in item_text(archive, hit.item_id)
    assert "1.380" in marked(response.hits[0].snippet)


def test_folding(archive):
    ascii_typed = set(ids(run(archive, "paedagoguddannelsen", limit=50)))
    danish = set(ids(run(archive, "pædagoguddannelsen", limit=50)))  # also finds its parts
    exact = {i.id for i in archive.items() if "pædagoguddannelsen" in item_text(archive, i.id).lower()}
    assert exact and exact <= ascii_typed <= danish
    taastrup = set(ids(run(archive, "Høje-Tåstrup", limit=50)))
    assert taastrup and taastrup == set(ids(run(archive, "Høje-Taastrup", limit=50)))
    exact = {i.id for i in archive.items() if "økonomiaftalen" in item_text(archive, i.id).lower()}
    assert exact and exact <= set(ids(run(archive, "oekonomiaftalen", limit=50)))


def test_compound_part_finds_compounds(archive):
    # "krisecenter" occurs only inside "kvindekrisecentre"
    response = run(archive, "krisecenter", limit=50)
    assert response.total >= 9
    for hit in response.hits:
        assert "kvindekrisecent" in item_text(archive, hit.item_id).lower()
    assert any("kvindekrisecentre" in m for m in marked(response.hits[0].snippet))
    # "pædagog" finds "pædagoguddannelsen"
    assert "kkr-sjaelland_2026-03-23_referat_3.3" in ids(run(archive, "pædagog"))


def test_compound_query_finds_its_parts(archive):
    # the Hovedstaden items say "fordeling af flygtninge", never "flygtningefordeling"
    item = "kkr-hovedstaden_2026-06-16_referat_3.3"
    assert "flygtningefordeling" not in item_text(archive, item).lower()
    assert item in ids(run(archive, "flygtningefordeling", limit=20))


def test_snippet_is_escaped_html_with_marks(archive):
    for q in ("herberg", "KKR", "1.380", '"ny model"'):
        for hit in run(archive, q).hits:
            plain = hit.snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in plain and ">" not in plain
            assert html.unescape(plain) == "".join(text for text, _ in hit.fragments)


def _letters(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


@pytest.mark.parametrize("q", ["herberg", "kvindekrisecentre", "1.380", "pædagoguddannelsen", "klimaalliance",
                               "sundhedsråd", "unge hjemløse"])
def test_snippet_page_holds_the_highlighted_word(archive, q):
    for hit in run(archive, q, limit=10).hits:
        words_marked = marked(hit.snippet)
        assert words_marked, hit.item_id
        item = archive.item(hit.item_id)
        on_page = "".join(
            _letters(line.text)
            for block in item.blocks for p in block.paragraphs for line in p.lines if line.page == hit.page
        )
        first = _letters(html.unescape(words_marked[0]))
        # a word hyphenated over two lines is whole in the letters-only text of the page
        assert first[:6] in on_page, (q, hit.item_id, hit.page, first)


def test_any_input_never_raises(archive):
    cases = ['"unbalanced', "herberg OR", "OR OR -", "-", "*", '""', "(((", "\x00herberg\x00",
             "😀 herberg 🏠", "x" * 10_000, "herberg " * 2000, "og i at", "-herberg", "AND NOT",
             "\u202e\u200b", "herb*", "a*", "SAG-", "1.", ",,,", "'", "\\", "%s%n", "<script>alert(1)</script>"]
    for q in cases:
        response = run(archive, q)
        assert isinstance(response.to_json(), dict)
    assert "for lang" in run(archive, "herberg " * 2000).message
    assert run(archive, "og i at").message == MESSAGE_ONLY_STOP_WORDS
    assert run(archive, "\x00herberg\x00").total == run(archive, "herberg").total
    assert run(archive, '"ny model').total > 0


def test_unknown_mode_is_a_clear_error(archive):
    with pytest.raises(ValueError, match="unknown search mode"):
        run(archive, "herberg", mode="magic")
    with pytest.raises(ValueError, match="sort"):
        run(archive, "herberg", sort="alphabet")


def test_paging(archive):
    first = ids(run(archive, "herberg", limit=5))
    second = ids(run(archive, "herberg", limit=5, offset=5))
    assert len(first) == 5 and not set(first) & set(second)
    assert ids(run(archive, "herberg", limit=10)) == first + second


# ---------------------------------------------------------------------------- index lifecycle


def _parse_copy(pdf: Path, sha256: str):
    from indexer.parse import parse_pdf

    doc = parse_pdf(pdf)
    return replace(doc, sha256=sha256)


def test_sync_is_incremental(scratch):
    index = KeywordIndex(scratch.paths)
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
    before = index.current_dir()
    with index.searcher() as reader:
        stats = index.rebuild(scratch)
        after = index.current_dir()
        assert stats.rebuilt and after != before
        assert scratch.paths.index_pointer.read_text().strip() == after.name
        # the reader opened before the swap still answers
        from archive.text.query import parse
        from archive.keyword.fulltext import Filters

        assert reader.search(parse("herberg").root, Filters()).total > 0
    assert run(scratch, "herberg").total > 0
    index.rebuild(scratch)
    assert not before.exists()  # the generation before the previous one is cleaned up


_CRASHING_WRITER = """
import os, signal, sys
from archive.storage.store import Archive
from indexer.store import store_document
from tests.conftest import BACKENDS, open_backend
from archive.keyword.fulltext import KeywordIndex, SyncStats, Decompounder, DICTIONARY_FILE
from whoosh import index as whoosh_index
archive = Archive(sys.argv[1])
ki = KeywordIndex(archive.paths)
directory = ki.current_dir()
ix = whoosh_index.open_dir(str(directory))
with ki._writer(ix, directory, Decompounder.load(directory / DICTIONARY_FILE), SyncStats()) as writer:
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
    stats = KeywordIndex(scratch.paths, say=messages.append).sync(scratch)
    assert any("crashed writer" in m for m in stats.messages) and messages
    assert not (directory / "WRITER.pid").exists()
    # the crashed writer's uncommitted delete was discarded; the sync's changes are in
    assert "kkr-sjaelland_2026-09-24_referat_3.5" in ids(run(scratch, "klimaalliance", limit=50))


def test_live_writer_makes_sync_wait_then_fail_clearly(scratch):
    from whoosh import index as whoosh_index

    index = KeywordIndex(scratch.paths, lock_timeout=0.2)
    writer = whoosh_index.open_dir(str(index.current_dir())).writer()
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
    index = KeywordIndex(scratch.paths)
    expected = run(scratch, "herberg").total
    index.delete()
    assert not index.exists()
    with Archive(scratch.paths.root, readonly=True) as reader:
        response = run(reader, "herberg")
        assert response.total == 0 and MESSAGE_NO_INDEX in response.message
    response = run(scratch, "herberg")  # a writable archive does not rebuild on a search either
    assert response.total == 0 and "kkr-arkiv reindex" in response.message
    assert not index.exists()
    stats = index.sync(scratch)
    assert stats.rebuilt and stats.reason == "no index"
    assert run(scratch, "herberg").total == expected


@pytest.mark.slow  # rebuilds the index twice
def test_compound_flag_switch_rebuilds(scratch):
    stats = KeywordIndex(scratch.paths, compounds=False).sync(scratch)
    assert stats.rebuilt and "compound" in stats.reason
    assert run(scratch, "krisecenter").total == 0
    KeywordIndex(scratch.paths).sync(scratch)
    assert run(scratch, "krisecenter").total > 0


def test_vectorised_search_equals_whoosh_search_on_segmented_index(scratch):
    """The numpy evaluator gives Whoosh's own totals, order, scores and facet counts, also
    on an index with several segments and deleted documents."""
    from whoosh import sorting

    from archive.keyword.fulltext import DICTIONARY_FILE, Decompounder, Filters, SyncStats, _documents
    from archive.text.query import parse
    from whoosh import index as whoosh_index

    index = KeywordIndex(scratch.paths)
    directory = index.current_dir()
    ix = whoosh_index.open_dir(str(directory))
    documents = list(_documents(scratch).values())
    decompounder = Decompounder.load(directory / DICTIONARY_FILE)
    for batch in (documents[:2], documents[2:4]):  # re-added: new segments, deletions
        with index._writer(ix, directory, decompounder, SyncStats()) as writer:
            for doc in batch:
                writer.delete_by_term("document_id", doc.id)
            index._add_documents(writer, scratch, batch)
    queries = ["herberger", "kvindekrisecenter", "paedagog", "herberg*", '"ny model"', "herberg -flygtninge",
               "herberg OR krisecenter", HERBERG_CASE, "2026"]
    for q in queries:
        for filters in (Filters(), Filters(council="hovedstaden"), Filters(decisions_only=True)):
            for sort in ("relevance", "date"):
                with index.searcher() as searcher:
                    assert not searcher.searcher.is_atomic()
                    root = parse(q).root
                    ours = searcher.search(root, filters, sort=sort, limit=25)
                    kwargs = {"groupedby": {n: sorting.FieldFacet(n) for n in ("council_name", "year", "kind")},
                              "maptype": sorting.Count}
                    if sort == "date":
                        kwargs["sortedby"] = sorting.MultiFacet([sorting.FieldFacet("date", reverse=True)])
                    theirs = searcher.searcher.search(searcher.compile(root, filters), filter=searcher._filter(filters),
                                                      mask=searcher.exclusion(root), limit=25, **kwargs)
                    assert ours.total == len(theirs), (q, filters, sort)
                    expected = list(theirs)[:25]  # Whoosh may return more than `limit` when grouping
                    assert [h.item_id for h in ours.hits] == [h["item_id"] for h in expected], (q, filters, sort)
                    if sort == "relevance":
                        assert [h.score for h in ours.hits] == pytest.approx([h.score for h in expected])
                    assert ours.facets == {"council": dict(theirs.groups("council_name")),
                                           "year": dict(theirs.groups("year")), "kind": dict(theirs.groups("kind"))}
