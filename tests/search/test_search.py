"""Keyword search over a real archive ingested from corpus/ PDFs, with a real Whoosh index."""
from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest

from archive.text.analysis import Analysis
from archive.search.keyword import (
    MESSAGE_ONLY_STOP_WORDS,
    closest_word,
)
from archive.search.modes import SearchRequest, search
from archive.settings import SearchSettings
from archive.storage.store import Archive
from tests.conftest import BACKENDS, open_backend

ROOT = Path(__file__).resolve().parents[2]
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
