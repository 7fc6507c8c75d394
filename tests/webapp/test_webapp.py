"""The web app against a real archive ingested from the corpus PDFs: every route, 404s,
hostile input (queries, ids, paths and PDF text), security headers and the JSON API."""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from archive.text.citation import cite
from indexer.schema import open_writable
from webapp import create_app

APRIL = "kkr-hovedstaden_2026-04-07"
APRIL_REFERAT = f"{APRIL}_referat"
ITEM = f"{APRIL_REFERAT}_3.2"  # herberger; Beslutning on page 16; pages 13-16
ITEM_DAGSORDEN = f"{APRIL}_dagsorden_3.2"
GENERIC_ITEM = f"{APRIL_REFERAT}_1.1"  # SAG-2026-00801, a case number shared by many items
DANISH_DATE = re.compile(r"\b\d{1,2}\. (januar|februar|marts|april|maj|juni|juli|august|september|oktober|"
                         r"november|december) \d{4}\b")


@pytest.fixture(scope="module", params=["embedded", "postgresql"])
def app(request, corpus_archive_dir):
    """The app over the corpus archive on each backend: the folder, or its PostgreSQL copy."""
    data = corpus_archive_dir if request.param == "embedded" else request.getfixturevalue("corpus_postgres_url")
    return create_app(data=data)


@pytest.fixture()
def client(app):
    return app.test_client()


def html(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------------- search page


def test_search_page_without_query_helps(client):
    r = client.get("/")
    assert r.status_code == 200
    body = html(r)
    assert '<html lang="da">' in body
    assert 'class="skip-link" href="#indhold"' in body and 'id="indhold"' in body
    assert "Eksempler på søgninger" in body
    assert "Seneste møder" in body
    for label in ("Hybrid", "Nøgleord", "Semantisk", "Råd", "Dokumenttype", "Periode", "Kun beslutninger"):
        assert label in body
    # every input has a label
    for input_id in ("q", "council", "kind", "from", "to", "decisions", "sort"):
        assert f'for="{input_id}"' in body and f'id="{input_id}"' in body
    assert 'method="get"' in body


def test_keyword_search_lists_results_with_snippets_and_links(client):
    r = client.get("/?q=herberger&mode=keyword")
    assert r.status_code == 200
    body = html(r)
    assert "resultater for" in body
    assert "<mark>" in body
    assert DANISH_DATE.search(body)
    assert re.search(r'href="/punkt/[a-z0-9_.-]+\?q=herberger"', body)
    assert re.search(r'href="/pdf/[a-z0-9_-]+#page=\d+">Side \d+ i PDF</a>', body)
    assert 'class="badge badge-referat"' in body
    assert re.search(r'href="/punkt/[a-z0-9_.-]+_dagsorden_[\d.]+\?q=herberger">Også i dagsordenen', body)
    assert "Resultaterne fordelt på" in body  # facet counts
    assert 'aria-label="Resultatsider"' in body  # more than 10 hits: pagination
    page2 = html(client.get("/?q=herberger&mode=keyword&side=2"))
    assert 'start="11"' in page2


def test_default_hybrid_search_answers_even_without_semantic_search(client):
    r = client.get("/?q=herberger")
    assert r.status_code == 200
    body = html(r)
    assert "<mark>" in body or "resultater for" in body
    assert 'value="hybrid" checked' in body


def test_filters_are_applied_and_kept_in_the_form(client):
    body = html(client.get("/?q=herberger&mode=keyword&council=KKR+Sj%C3%A6lland&kind=referat&decisions=1"))
    metas = re.findall(r'<p class="result-meta">(.*?)</p>', body, re.S)
    assert metas
    for meta in metas:
        assert "KKR Sjælland" in meta and "badge-referat" in meta
    assert '<option value="KKR Sjælland" selected>' in body
    assert '<option value="referat" selected>' in body
    assert 'name="decisions" type="checkbox" value="1" checked' in body


def test_date_filter_and_sort_by_date(client):
    body = html(client.get("/?q=herberger&mode=keyword&from=2026-06-01&to=2026-12-31&sort=date"))
    dates = re.findall(r'<p class="result-meta">.*?<span>(\d{1,2}\. \w+ \d{4})</span>', body, re.S)
    assert dates
    assert all(d.endswith("2026") and not d.split()[1] in ("januar", "februar", "marts", "april", "maj") for d in dates)
    assert 'value="2026-06-01"' in body and '<option value="date" selected>' in body


def test_bad_date_gives_danish_message(client):
    body = html(client.get("/?q=herberger&mode=keyword&from=31-12-2026"))
    assert "kan ikke læses" in body and "åååå-mm-dd" in body


def test_did_you_mean(client):
    body = html(client.get("/?q=herbrger&mode=keyword"))
    assert "Mente du" in body
    assert "q=herberger" in body


def test_no_results_shows_help(client):
    body = html(client.get("/?q=zzyzxqqqq&mode=keyword"))
    assert "Ingen resultater for" in body
    assert "Eksempler på søgninger" in body


def test_query_is_escaped(client):
    body = html(client.get("/", query_string={"q": "<script>alert(1)</script>", "mode": "keyword"}))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_too_long_query_gets_a_clear_message(client):
    body = html(client.get("/", query_string={"q": "herberger " * 60}))
    assert "Søgningen er for lang" in body and "500 tegn" in body
    r = client.get("/api/search", query_string={"q": "x" * 501})
    assert r.status_code == 400
    assert r.get_json()["error"] == "query_too_long"


def test_snippets_are_sanitised_to_marks_only():
    from webapp.services import safe_snippet

    out = str(safe_snippet('a <b>fed</b> <mark>herberger</mark> &amp; <script>x</script> <mark>åben'))
    assert out == ("a &lt;b&gt;fed&lt;/b&gt; <mark>herberger</mark> &amp; "
                   "&lt;script&gt;x&lt;/script&gt; <mark>åben</mark>")
    assert str(safe_snippet("&lt;b&gt; already escaped")) == "&lt;b&gt; already escaped"
    assert str(safe_snippet(None)) == ""


# ---------------------------------------------------------------------------- item page


def test_item_page(client, corpus_archive):
    r = client.get(f"/punkt/{ITEM}")
    assert r.status_code == 200
    body = html(r)
    ref = corpus_archive.item_ref(ITEM)
    assert ref.title in body
    assert "7. april 2026" in body
    assert 'href="/sag/SAG-2026-00541"' in body
    assert 'class="block decision" id="beslutning"' in body
    # page markers lead to the page image page of the right page, with the item highlighted
    markers = re.findall(r'class="page-marker" href="/pdf/' + APRIL_REFERAT + r'/side/(\d+)\?punkt=' + re.escape(ITEM), body)
    assert markers[0] == "13" and "16" in markers
    assert [int(m) for m in markers] == sorted(int(m) for m in markers)
    # counterpart, case history, similar items, citation, permalink, reference list
    assert f'href="/punkt/{ITEM_DAGSORDEN}"' in body
    assert "Sagsforløb" in body and "23. marts 2026" in body
    assert "Lignende punkter" in body
    citation = cite(ref)
    assert citation.replace('"', "&#34;") in body
    assert f'data-ref-id="{ITEM}"' in body and "Tilføj til referenceliste" in body
    assert f'id="permalink">/punkt/{ITEM}<' in body  # relative: the Host header is not reflected
    assert 'href="/pdf/' + APRIL_REFERAT + '#page=13"' in body


def test_item_page_marks_page_breaks_inside_paragraphs(client, corpus_archive):
    item = corpus_archive.item(ITEM)
    spanning = [p for b in item.blocks for p in b.paragraphs if p.page_first != p.page_last]
    body = html(client.get(f"/punkt/{ITEM}"))
    text = re.sub(r"<[^>]+>", "", body)
    for para in spanning:
        assert f"s.&nbsp;{para.page_last}" in body
        # the text around the marker is still all there
        first_words = " ".join(para.text.split()[:4])
        assert first_words in text


def test_generic_case_number_is_not_listed_as_history(client):
    body = html(client.get(f"/punkt/{GENERIC_ITEM}"))
    assert "fælles sagsnummer" in body
    assert 'href="/sag/SAG-2026-00801"' in body


def test_item_page_of_agenda_links_to_minutes(client):
    body = html(client.get(f"/punkt/{ITEM_DAGSORDEN}"))
    assert f'href="/punkt/{ITEM}"' in body
    assert "Samme punkt i referatet" in body


# ---------------------------------------------------------------------------- meeting and case


def test_meeting_page(client, corpus_archive):
    r = client.get(f"/moede/{APRIL}")
    assert r.status_code == 200
    body = html(r)
    assert "Møde 7. april 2026" in body
    assert f'href="/pdf/{APRIL}_dagsorden"' in body and f'href="/pdf/{APRIL_REFERAT}"' in body
    assert "Deltagere" in body and "Afbud" in body
    referat = corpus_archive.document(APRIL_REFERAT)
    assert referat.attendees[0] in body and referat.absent[0] in body
    meeting = corpus_archive.meeting(APRIL)
    assert meeting.time in body and meeting.place in body
    assert f'href="/punkt/{ITEM}"' in body and f'href="/punkt/{ITEM_DAGSORDEN}"' in body


def test_meetings_list(client):
    body = html(client.get("/moeder"))
    assert f'href="/moede/{APRIL}"' in body


def test_case_page(client):
    body = html(client.get("/sag/SAG-2026-00541"))
    assert "SAG-2026-00541" in body
    dates = re.findall(r'<time datetime="([\d-]+)">', body)
    assert dates == sorted(dates) and len(dates) >= 3
    assert f'href="/punkt/{ITEM}"' in body


# ---------------------------------------------------------------------------- PDF and page images


def test_pdf_is_served_inline(client, corpus_archive):
    r = client.get(f"/pdf/{APRIL_REFERAT}")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline")
    assert r.data[:5] == b"%PDF-"
    assert r.data == corpus_archive.pdf_path(APRIL_REFERAT).read_bytes()


def png_pixels(data: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_page_image_highlights_the_item(client):
    plain = client.get(f"/pdf/{APRIL_REFERAT}/side/16.png")
    marked = client.get(f"/pdf/{APRIL_REFERAT}/side/16.png?punkt={ITEM}")
    query = client.get(f"/pdf/{APRIL_REFERAT}/side/16.png?punkt={ITEM}&q=herberger")
    for r in (plain, marked, query):
        assert r.status_code == 200 and r.mimetype == "image/png"
        assert r.data[:8] == b"\x89PNG\r\n\x1a\n"
    a, b, c = png_pixels(plain.data), png_pixels(marked.data), png_pixels(query.data)
    assert a.size == b.size == c.size
    assert a.width > 700  # about 100 dpi of an A4 page
    from PIL import ImageChops

    assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is not None
    assert ImageChops.difference(b.convert("RGB"), c.convert("RGB")).getbbox() is not None
    # yellow-ish highlight pixels appear only in the marked render
    def yellow(img):
        import numpy as np

        px = np.asarray(img.convert("RGB")).astype(int)
        return int(((px[..., 0] > 230) & (px[..., 1] > 200) & (px[..., 2] < 190)).sum())
    assert yellow(b) > 1000 and yellow(a) < 50
    # an item of another document highlights nothing
    other = client.get(f"/pdf/{APRIL_REFERAT}/side/16.png?punkt={ITEM_DAGSORDEN}")
    assert ImageChops.difference(a.convert("RGB"), png_pixels(other.data).convert("RGB")).getbbox() is None


def test_page_view(client):
    r = client.get(f"/pdf/{APRIL_REFERAT}/side/14?punkt={ITEM}&q=herberger")
    assert r.status_code == 200
    body = html(r)
    assert "Side 14 af 36" in body
    assert f'href="/pdf/{APRIL_REFERAT}#page=14"' in body
    assert f'/pdf/{APRIL_REFERAT}/side/13?punkt={ITEM}' in body and f'/pdf/{APRIL_REFERAT}/side/15?punkt={ITEM}' in body
    assert f'src="/pdf/{APRIL_REFERAT}/side/14.png?punkt={ITEM}&amp;q=herberger"' in body
    first = html(client.get(f"/pdf/{APRIL_REFERAT}/side/1"))
    assert "‹ Forrige" in first and 'aria-disabled="true"' in first


@pytest.mark.parametrize("url", [
    "/punkt/kkr-hovedstaden_2026-04-07_referat_99.9",
    "/punkt/UPPERCASE",
    "/punkt/..",
    "/punkt/a%2fb",
    "/moede/kkr-hovedstaden_1999-01-01",
    "/moede/..%2f..",
    "/sag/SAG-1999-00000",
    "/sag/..%2f..%2fetc",
    "/sag/%3Cscript%3E",
    "/pdf/kkr-hovedstaden_1999-01-01_referat",
    "/pdf/..%2f..%2fetc%2fpasswd",
    "/pdf/../../archive.sqlite3",
    "/pdf/..",
    "/pdf/.hidden",
    "/pdf/archive.sqlite3",
    "/pdf/%2e%2e%2farchive.sqlite3",
    f"/pdf/{APRIL_REFERAT}/side/0",
    f"/pdf/{APRIL_REFERAT}/side/37",
    f"/pdf/{APRIL_REFERAT}/side/37.png",
    f"/pdf/{APRIL_REFERAT}/side/-1.png",
    f"/pdf/{APRIL_REFERAT}/side/abc",
    f"/pdf/{APRIL_REFERAT}/side/abc.png",
    f"/pdf/{APRIL_REFERAT}/side/1.5.png",
    "/findes-ikke",
])
def test_unknown_and_hostile_paths_are_danish_404s(client, url):
    r = client.get(url)
    assert r.status_code == 404, url
    body = html(r)
    assert "Siden findes ikke" in body
    assert "SQLite format" not in body and "root:" not in body


def test_hostile_item_param_on_page_image_is_ignored(client):
    r = client.get(f"/pdf/{APRIL_REFERAT}/side/2.png", query_string={"punkt": "../../etc/passwd", "q": "<x>"})
    assert r.status_code == 200 and r.mimetype == "image/png"


# ---------------------------------------------------------------------------- headers and methods


@pytest.mark.parametrize("url", ["/", f"/punkt/{ITEM}", "/api/search?q=herberger&mode=keyword", "/findes-ikke"])
def test_security_headers(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "img-src 'self' data:" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]


def test_no_inline_scripts_or_styles(client):
    for url in ("/", f"/punkt/{ITEM}", f"/moede/{APRIL}", "/referencer", "/spoerg"):
        body = html(client.get(url))
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == [], url
        assert " style=" not in body and "<style" not in body, url
        assert " onclick=" not in body


def test_read_only(client):
    assert client.post("/").status_code == 405
    assert client.post("/api/search?q=x").status_code == 405
    assert client.delete(f"/punkt/{ITEM}").status_code == 405


def test_static_files(client):
    for name in ("style.css", "app.js"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200
        r.close()


# ---------------------------------------------------------------------------- JSON API


def test_api_search_returns_search_to_json(client):
    from archive.backend import open_archive
    from archive.search.grouping import search_items
    from archive.search.modes import SearchRequest

    r = client.get("/api/search?q=herberger&mode=keyword&council=KKR+Hovedstaden&kind=referat&limit=5&offset=2")
    assert r.status_code == 200
    data = r.get_json()
    with open_archive(client.application.config["ARCHIVE_ROOT"]) as archive:  # the app's own backend
        expected = search_items(archive, SearchRequest(q="herberger", mode="keyword", council="KKR Hovedstaden",
                                                       kind="referat", limit=5, offset=2)).to_json()
    assert data == {**expected, "case": None}
    assert {"query", "mode", "total", "results", "facets", "suggestion", "message"} <= set(data)
    hit = data["results"][0]
    assert {"item_id", "council", "date", "kind", "number", "title", "case", "pages", "page", "score",
            "snippet", "url", "pdf_url"} <= set(hit)
    assert len(data["results"]) == 5


def test_api_search_other_modes_answer(client):
    for mode in ("hybrid", "semantic"):
        r = client.get(f"/api/search?q=herberger&mode={mode}")
        assert r.status_code == 200
        assert r.get_json()["total"] > 0


def test_api_search_requires_a_query(client):
    r = client.get("/api/search")
    assert r.status_code == 400 and r.get_json()["error"] == "missing_query"
    r = client.get("/api/search?q=x&from=nodate")
    assert r.status_code == 400


def test_api_item(client, corpus_archive):
    data = client.get(f"/api/items/{ITEM}").get_json()
    ref = corpus_archive.item_ref(ITEM)
    assert data["item_id"] == ITEM and data["title"] == ref.title
    assert data["pages"] == [13, 16] and data["case"] == "SAG-2026-00541"
    assert [b["heading"] for b in data["blocks"]][-1] == "Beslutning"
    assert data["decision"]
    assert data["counterpart"]["item_id"] == ITEM_DAGSORDEN
    assert ITEM in [h["item_id"] for h in data["case_history"]]
    assert data["citation"] == cite(ref)
    assert data["url"] == f"/punkt/{ITEM}" and data["pdf_url"] == f"/pdf/{APRIL_REFERAT}#page=13"


def test_api_meeting_and_case(client):
    data = client.get(f"/api/meetings/{APRIL}").get_json()
    assert data["date"] == "2026-04-07" and data["council"] == "KKR Hovedstaden"
    assert sorted(d["kind"] for d in data["documents"]) == ["dagsorden", "referat"]
    referat = next(d for d in data["documents"] if d["kind"] == "referat")
    assert referat["attendees"] and referat["items"][0]["number"] == "1.1"
    case = client.get("/api/cases/SAG-2026-00541").get_json()
    assert case["case"] == "SAG-2026-00541" and case["total"] == len(case["items"]) >= 3


@pytest.mark.parametrize("url", ["/api/items/nope", "/api/items/..%2f..", "/api/meetings/nope",
                                 "/api/cases/SAG-0000-00000", "/api/cases/%3Cx%3E", "/api/nothing"])
def test_api_404_is_json(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert r.is_json and r.get_json()["error"] == "not_found"


# ---------------------------------------------------------------------------- Spørg arkivet


def test_semantic_search_without_vectors_shows_keyword_results_and_says_why(client, corpus_archive):
    """The corpus archive has no vectors: semantic search says so and the page shows keyword hits."""
    from markupsafe import escape

    from archive.search.grouping import search_items
    from archive.search.keyword import SearchRequest
    from archive.search.modes import search

    semantic = search(corpus_archive, SearchRequest(q="herberger", mode="semantic"))
    assert semantic.total == 0 and semantic.message  # the premise: semantic search cannot run here
    keyword = search(corpus_archive, SearchRequest(q="herberger", mode="keyword"))
    body = html(client.get("/?q=herberger&mode=semantic"))
    assert f'<p class="alert alert-info">{escape(semantic.message)}</p>' in body
    assert f'href="/punkt/{keyword.hits[0].item_id}?q=herberger"' in body
    data = client.get("/api/search?q=herberger&mode=semantic").get_json()
    items = search_items(corpus_archive, SearchRequest(q="herberger", mode="keyword")).total  # one result per item
    assert data["mode"] == "keyword" and data["total"] == items and data["message"] == semantic.message


def test_ask_answers_from_the_archive_with_page_links(client):
    body = html(client.get("/spoerg?q=Hvad+besluttede+KKR+Hovedstaden+om+herberger"))
    assert 'id="answer-heading"' in body
    assert f'/pdf/{APRIL_REFERAT}/side/16?punkt={ITEM}' in body
    r = client.get("/api/ask?q=Hvad+besluttede+KKR+Hovedstaden+om+herberger")
    assert r.status_code == 200
    data = r.get_json()
    # the April orientation is related ("Se også", not evidence); the cited decision is September's
    assert data["found"] and ITEM in [c["item_id"] for c in data["see_also_citations"]]
    assert ITEM not in [c["item_id"] for c in data["citations"]]


def test_ask_rejects_missing_and_too_long_questions(client):
    r = client.get("/api/ask?q=")
    assert r.status_code == 400 and r.get_json()["error"] == "missing_query"
    r = client.get("/api/ask?q=" + "x" * 501)
    assert r.status_code == 400 and r.get_json()["error"] == "query_too_long"
    assert "Spørgsmålet er for langt (501 tegn)" in html(client.get("/spoerg?q=" + "x" * 501))


def test_references_page(client):
    body = html(client.get("/referencer"))
    assert "data-ref-panel" in body and "Kopiér hele listen" in body


# ---------------------------------------------------------------------------- a PDF that contains HTML


def make_hostile_pdf(path: Path) -> None:
    """A small agenda in the genre of the corpus whose text is full of HTML."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    regular, bold = "Helvetica", "Helvetica-Bold"
    fonts = Path("/usr/share/fonts/truetype/liberation")
    if (fonts / "LiberationSans-Regular.ttf").exists() and (fonts / "LiberationSans-Bold.ttf").exists():
        pdfmetrics.registerFont(TTFont("LiberationSans", str(fonts / "LiberationSans-Regular.ttf")))
        pdfmetrics.registerFont(TTFont("LiberationSans-Bold", str(fonts / "LiberationSans-Bold.ttf")))
        regular, bold = "LiberationSans", "LiberationSans-Bold"
    _width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)

    def line(top: float, text: str, font: str, size: float) -> None:
        pdf.setFont(font, size)
        pdf.drawString(99, height - top - size, text)

    line(265, "Dagsorden", bold, 30)
    line(306, "KKR Testråd", regular, 18)
    line(367, "Mødedato: 1. oktober 2026", bold, 11)
    line(385, "Mødetidspunkt: kl. 10.00 - 12.00", bold, 11)
    line(403, "Mødested: <i>Testvej</i> 1, 1000 København K", bold, 11)
    pdf.showPage()
    line(36, "KKR Testråd | 01-10-2026 SIDE | 2", regular, 8.5)
    line(96, "1. Testsager <u>gruppe</u>", bold, 14)
    line(128, "1.1. <b>Fed</b> titel <script>x</script>", bold, 11.5)
    line(145, "SAG-2026-99999 ab", regular, 8.5)
    line(168, "Baggrund", bold, 10.5)
    line(183, 'Teksten indeholder <img src=x onerror=alert(1)> og <a href="javascript:alert(2)">et link</a>', regular, 10.5)
    line(197.5, 'samt & og "citater" som skal vises som tekst og aldrig som HTML i herbergsarkivet.', regular, 10.5)
    line(222, "Indstilling", bold, 10.5)
    line(237, "Det indstilles, at KKR Testråd tager <em>orienteringen</em> til efterretning.", regular, 10.5)
    line(277, "1.2. Almindeligt punkt om herberger", bold, 11.5)
    line(294, "SAG-2026-99998 cd", regular, 8.5)
    line(317, "Baggrund", bold, 10.5)
    line(332, "Et helt almindeligt punkt med almindelig tekst om herberger.", regular, 10.5)
    pdf.showPage()
    pdf.save()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    from indexer.pipeline import ingest_paths

    folder = tmp_path_factory.mktemp("hostile-pdf")
    pdf = folder / "kkr-testraad_2026-10-01_dagsorden.pdf"
    make_hostile_pdf(pdf)
    data = tmp_path_factory.mktemp("hostile-archive")
    with open_writable(data) as archive:
        report = ingest_paths(archive, [pdf], say=lambda _msg: None)
    assert report.ok, [str(r) for r in report.rejected]
    return create_app(data=data)


HOSTILE_ITEM = "kkr-testraad_2026-10-01_dagsorden_1.1"


def test_pdf_text_with_html_is_escaped_everywhere(hostile_app):
    client = hostile_app.test_client()
    item = client.get(f"/punkt/{HOSTILE_ITEM}")
    assert item.status_code == 200
    body = html(item)
    for raw in ("<script>x</script>", "<b>Fed</b>", "<img src=x", '<a href="javascript', "<em>", "<u>", "<i>"):
        assert raw not in body, raw
    assert "&lt;b&gt;Fed&lt;/b&gt; titel &lt;script&gt;x&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    meeting = html(client.get("/moede/kkr-testraad_2026-10-01"))
    assert "<script>x</script>" not in meeting and "&lt;script&gt;x&lt;/script&gt;" in meeting
    assert "<i>Testvej</i>" not in meeting
    results = html(client.get("/?q=herbergsarkivet&mode=keyword"))
    assert "<script>x</script>" not in results and "<img src=x" not in results
    assert "&lt;img src=x onerror=alert(1)&gt;" in results or "&lt;b&gt;Fed" in results
    api = client.get(f"/api/items/{HOSTILE_ITEM}").get_json()
    assert api["title"] == "<b>Fed</b> titel <script>x</script>"  # JSON carries the text as it is
    assert client.get(f"/api/items/{HOSTILE_ITEM}").mimetype == "application/json"


def test_empty_archive_folder_is_a_danish_503(tmp_path):
    client = create_app(data=tmp_path / "nothing").test_client()
    r = client.get("/")
    assert r.status_code == 503 and "Arkivet er tomt" in html(r)
    assert client.get("/api/items/x").status_code == 503


# ---------------------------------------------------------------------------- one result per item


def _result_ids(body: str) -> list[str]:
    return re.findall(r'<h3 class="result-title"><a href="/punkt/([a-z0-9_.-]+)\?', body)


def test_search_lists_each_item_once_with_a_stable_count(client):
    counts, ids = set(), []
    for side in (1, 2, 3, 99):
        body = html(client.get(f"/?q=herberger&mode=keyword&side={side}"))
        counts.add(re.search(r'(\d+) resultater for', body).group(1))
        ids += _result_ids(body)
        if side == 99:
            assert "Side 99 findes ikke" in body
            assert "ingen punkter" not in body.lower()
    assert len(counts) == 1
    total = int(counts.pop())
    assert len(ids) == total == len(set(ids))
    meeting_numbers = [(i.rsplit("_", 2)[0], i.rsplit("_", 1)[1]) for i in ids]
    assert len(set(meeting_numbers)) == len(ids)  # never the dagsorden and referat of one item


@pytest.mark.parametrize("typed", ["SAG-2026-00541", "2026-00541", "sag 2026-00541", "2026 00541"])
def test_a_case_number_in_any_spelling_offers_the_case_page_first(client, typed):
    body = html(client.get("/", query_string={"q": typed}))
    offer = body.find('href="/sag/SAG-2026-00541"')
    first = body.find('class="result-title"')
    assert offer != -1 and first != -1 and offer < first
    ids = _result_ids(body)
    assert ids and all(i.startswith("kkr-") for i in ids)
    assert client.get("/api/search", query_string={"q": typed}).get_json()["case"]["url"] == "/sag/SAG-2026-00541"


def test_a_question_typed_in_keyword_mode_links_to_ask(client):
    body = html(client.get("/", query_string={"q": "hvorfor zzyzxqqqq?", "mode": "keyword"}))
    assert "Ingen resultater for" in body
    assert 'href="/spoerg?q=hvorfor+zzyzxqqqq?"' in body
    body = html(client.get("/", query_string={"q": "hvad besluttede rådet om herberger", "mode": "keyword"}))
    assert "resultater for" in body and "Det ligner et spørgsmål" in body
    assert 'href="/spoerg?q=hvad+besluttede+r%C3%A5det+om+herberger"' in body


def test_json_search_counts_items_and_links_the_twin(client):
    data = client.get("/api/search?q=herberger&mode=keyword&limit=100").get_json()
    assert data["total"] == len(data["results"]) < data["hits_total"]
    assert any(r["also"] and r["also"][0]["kind"] == "dagsorden" for r in data["results"])


# ---------------------------------------------------------------------------- the cited sentence on the page


def _sentence_inside_a_line(item):
    """A sentence of `item` that starts in the middle of a printed line, with its paragraph."""
    from archive.text.pages import quote_lines
    from archive.text.sentences import split_sentences

    for block in item.blocks:
        for para in block.paragraphs:
            for sentence in split_sentences(para.text)[1:]:
                found = quote_lines(para, sentence)
                if found and found[0][1] > 0.2 and len(found) >= 2:
                    return para, sentence, found
    raise AssertionError("no sentence starting inside a line")


def test_the_quoted_sentence_is_found_in_the_stored_line_boxes(corpus_archive):
    from webapp.pageimage import page_highlight

    item = corpus_archive.item(ITEM)
    para, sentence, found = _sentence_inside_a_line(item)
    page = found[0][0].page
    highlight = page_highlight(item, page, quote=sentence)
    lines_here = [line for line, _, _ in found if line.page == page]
    assert len(highlight.quote) == len(lines_here) < len(highlight.item)
    first_line, start, _ = found[0]
    x0, top, x1, bottom = highlight.quote[0]
    assert first_line.x0 < x0 < first_line.x1 and (top, bottom) == (first_line.top, first_line.bottom)
    assert highlight.quote[-1][2] <= found[-1][0].x1
    # a sentence that is not in the item marks nothing strongly
    assert page_highlight(item, page, quote="Dette står ikke i punktet overhovedet.").quote == ()


def test_a_citation_link_opens_the_viewer_with_the_sentence(client, corpus_archive):
    from webapp.services import PDFJS_MODULE

    assert (Path(client.application.static_folder) / PDFJS_MODULE).is_file(), "run `make vendor` (npm ci) first"
    item = corpus_archive.item(ITEM)
    decision = item.block("Beslutning").paragraphs[0]
    body = html(client.get(f"/punkt/{ITEM}"))
    link = re.search(r'href="(/pdf/[^"]+/side/(\d+)\?punkt=[^"]*citat=[^"]+)">Vis beslutningen i PDF', body)
    assert link and int(link.group(2)) == decision.page_first
    page = html(client.get(link.group(1).replace("&amp;", "&")))
    assert "den citerede sætning er fremhævet" in page
    config = re.search(r"data-viewer='([^']+)'", page)
    import json
    data = json.loads(config.group(1))
    assert data["page"] == decision.page_first and data["boxes"]["quote"]
    assert data["pdf"] == f"/pdf/{item.document_id}"
    assert 'type="module" src="/static/viewer.js"' in page
    assert re.search(r'<img id="page-image" src="/pdf/[^"]+\.png\?punkt=[^"]+citat=', page)  # the no-JS fallback marks it too
    png = client.get(re.search(r'<img id="page-image" src="([^"]+)"', page).group(1).replace("&amp;", "&"))
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_a_hostile_quote_is_escaped_on_the_page(client):
    r = client.get(f"/pdf/{APRIL_REFERAT}/side/16", query_string={"punkt": ITEM, "citat": "<script>alert(1)</script>'\""})
    body = html(r)
    assert r.status_code == 200
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_every_answer_citation_can_be_copied_and_added_with_its_permalink(client):
    body = html(client.get("/spoerg", query_string={"q": "Hvad besluttede KKR om herberger?"}))
    quotes = re.findall(r"<blockquote>»(.+?)«</blockquote>", body)
    adds = re.findall(r'data-ref-add data-ref-id="[^"]+" data-ref-citation="([^"]+)" data-ref-url="([^"]+)"', body)
    copies = re.findall(r'data-copy-citation="([^"]+)" data-copy-url="([^"]+)"', body)
    assert quotes and len(adds) == len(copies) >= len(quotes)
    for citation, url in adds:
        assert re.fullmatch(r"/punkt/[a-z0-9_.-]+|/moede/[a-z0-9_.-]+", url)
        assert "«" in citation and '"' not in citation.replace("&#34;", "")  # Danish quotes
    assert any(c.startswith("»") for c, _ in copies)  # the quoted sentence, then the reference
    assert re.search(r'href="/pdf/[^"]+/side/\d+\?punkt=[^"]+&amp;citat=', body)  # the viewer at the sentence


# ---------------------------------------------------------------------------- JSON twins and smaller things


@pytest.mark.parametrize("url", ["/", "/?q=herberger&mode=keyword&side=2", f"/punkt/{ITEM}", f"/moede/{APRIL}",
                                 "/moeder", "/sag/SAG-2026-00541", f"/pdf/{APRIL_REFERAT}/side/16?punkt={ITEM}"])
def test_every_page_links_to_its_json_twin(client, url):
    body = html(client.get(url))
    link = re.search(r'<a href="([^"]+)">Denne side som JSON</a>', body)
    assert link, url
    twin = client.get(link.group(1).replace("&amp;", "&"))
    assert twin.status_code == 200 and twin.is_json
    assert f'<link rel="alternate" type="application/json" href="{link.group(1)}">' in body


def test_the_search_page_json_twin_is_the_same_page(client):
    body = html(client.get("/?q=herberger&mode=keyword&side=2"))
    twin = re.search(r'<a href="([^"]+)">Denne side som JSON</a>', body).group(1).replace("&amp;", "&")
    data = client.get(twin).get_json()
    assert [r["item_id"] for r in data["results"]] == _result_ids(body)


def test_api_meetings_lists_every_meeting(client, corpus_archive):
    data = client.get("/api/meetings").get_json()
    assert [m["id"] for m in data["meetings"]] == [m.id for m in corpus_archive.meetings()]
    first = data["meetings"][0]
    assert client.get(first["api_url"]).get_json()["id"] == first["id"]
    assert all(d["pdf_url"].startswith("/pdf/") for m in data["meetings"] for d in m["documents"])


def test_meeting_page_names_the_documents_in_danish(client):
    body = html(client.get(f"/moede/{APRIL}"))
    assert "Åbn dagsordenen som PDF" in body and "Åbn referatet som PDF" in body
    assert "dagsordenet" not in body


def test_case_page_shows_what_was_decided_at_each_step(client, corpus_archive):
    body = html(client.get("/sag/SAG-2026-00541"))
    decided = [r for r in corpus_archive.case_history("SAG-2026-00541")
               if (item := corpus_archive.item(r.item_id)).block("Beslutning")]
    assert decided
    assert body.count("<strong>Besluttet:</strong>") == len(decided)
    first = corpus_archive.item(decided[0].item_id).block("Beslutning").paragraphs[0].text
    assert str(__import__("markupsafe").escape(first.split()[0])) in body


def test_similar_items_leave_out_standing_items(client, corpus_archive):
    body = html(client.get(f"/punkt/{ITEM}"))
    similar = body[body.index('id="similar-heading"'):]
    assert "Punkter til næste møde" not in similar
    standing = corpus_archive.item(GENERIC_ITEM)  # SAG-2026-00801: many standing items share it
    assert standing.case_number not in similar


def test_a_skip_link_leads_to_the_first_result(client):
    body = html(client.get("/?q=herberger&mode=keyword"))
    assert body.index('href="#resultater"') < body.index('id="q"')
    assert 'id="resultater" tabindex="-1"' in body


def test_a_quote_across_a_page_break_is_marked_on_both_pages_and_an_elided_one_by_its_longest_piece(corpus_archive):
    from archive.text.pages import quote_lines
    from webapp.pageimage import page_highlight

    item = next(i for i in corpus_archive.items(document_id=APRIL_REFERAT)
                if any(p.page_first != p.page_last for b in i.blocks for p in b.paragraphs))
    para = next(p for b in item.blocks for p in b.paragraphs if p.page_first != p.page_last)
    first = page_highlight(item, para.page_first, quote=para.text).quote
    last = page_highlight(item, para.page_last, quote=para.text).quote
    on_first = [line for line in para.lines if line.page == para.page_first]
    assert len(first) == len(on_first) and len(last) == len(para.lines) - len(on_first)
    words = para.text.split()
    elided = " ".join(words[:2]) + " … " + " ".join(words[3:12]) + " …"
    found = quote_lines(para, elided)
    assert found and found[0][1] > 0  # the longest piece starts after the first words
