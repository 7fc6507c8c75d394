"""Storage of any meeting body under its authority, of unstructured documents, and the v3
migration: real municipal minutes from ../shared/real, a typeset unstructured referat, real
SQLite and Whoosh."""
from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from archive.search.modes import SearchRequest, search
from archive.storage import db
from archive.storage.store import Archive
from indexer import schema
from indexer.schema import open_writable
from archive.text.citation import cite
from indexer.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
REAL = next((p / "shared" / "real" for p in [ROOT.parent, *ROOT.parents] if (p / "shared" / "real").is_dir()), None)
BALLERUP = "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04"
BALLERUP_MEETING = "ballerup-kommune-sundheds-og-forebyggelsesudvalget_2012-12-04"

pytestmark = pytest.mark.skipif(REAL is None, reason="../shared/real is not present")


def _unstructured_referat(path: Path) -> None:
    """A referat with a cover (body, kind, date) but prose pages without numbered items."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 760, "Referat")
    c.setFont("Helvetica", 11)
    c.drawString(72, 735, "Teknik- og Miljøudvalget")
    c.drawString(72, 720, "Gribskov Kommune")
    c.drawString(72, 705, "Mødedato: 14.03.2019")
    c.drawString(72, 690, "Udvalget drøftede vintervedligeholdelsen af de kommunale veje og")
    c.drawString(72, 675, "besluttede at saltforbruget skal opgøres for hele sæsonen.")
    c.showPage()
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "Udvalget godkendte desuden tidsplanen for renoveringen af")
    c.drawString(72, 745, "cykelstierne ved Græsted og Helsinge stationer.")
    c.showPage()
    c.save()


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("bodies")
    pdf = data.parent / "gribskov_teknik_referat.pdf"
    _unstructured_referat(pdf)
    with open_writable(data) as archive:
        report = ingest_paths(archive, [*sorted(REAL.glob("*.pdf")), pdf], say=lambda _m: None)
    return data, report, pdf


def test_ids_bodies_and_authorities(archive_dir):
    data, report, _ = archive_dir
    with Archive(data) as archive:
        meeting = archive.meeting(BALLERUP_MEETING)
        assert meeting is not None
        assert (meeting.council, meeting.authority) == ("Sundheds- og Forebyggelsesudvalget", "Ballerup Kommune")
        # the referat and the single exported item are documents of the same meeting
        assert [d.id for d in meeting.documents] == [f"{BALLERUP_MEETING}_referat", f"{BALLERUP_MEETING}_referat_punkt-8"]
        item = archive.item(f"{BALLERUP_MEETING}_referat_8")
        assert item is not None and item.title.startswith("Evaluering af rygestopkurser")
        assert item.case_number == "2010-3082" and item.document_number
        assert {b.role for b in item.blocks} >= {"decision", "presentation"}
        assert [(d.date, d.this_meeting) for d in item.decisions] == [(date(2012, 12, 4), True)]
        assert archive.item(f"{BALLERUP_MEETING}_referat_punkt-8_8") is not None
        ref = archive.item_ref(f"{BALLERUP_MEETING}_referat_8")
        assert cite(ref).startswith(
            "Sundheds- og Forebyggelsesudvalget, Ballerup Kommune, referat af mødet 4. december 2012, pkt. 8 ")
        assert ("Sundheds- og Forebyggelsesudvalget", "Ballerup Kommune") in archive.bodies()


def test_several_dated_decisions_keep_the_one_of_this_meeting(archive_dir):
    data, _, _ = archive_dir
    with Archive(data) as archive:
        item = archive.item("syddjurs-kommune-udvalget-for-plan-udvikling-og-kultur-puk_2013-06-20_referat_715")
        assert item is not None
        assert [d.this_meeting for d in item.decisions] == [False, False, True]
        assert item.decision.date == date(2013, 6, 20)


def test_memo_rejected_and_unstructured_archived(archive_dir):
    data, report, pdf = archive_dir
    assert [r.path.name for r in report.rejected] == ["ballerup_notat_2012-11-19_bilag.pdf"]
    assert report.unstructured == [(pdf.name, "no agenda items found")]
    assert f"1 archived unstructured: {pdf.name}: no agenda items found" in report.summary()
    with Archive(data) as archive:
        doc = next(d for d in archive.documents() if d.file_name == pdf.name)
        assert not doc.structured and doc.unstructured_reason == "no agenda items found"
        assert doc.authority == "Gribskov Kommune"
        pages = list(archive.items(document_id=doc.id))
        assert [p.id for p in pages] == [f"{doc.id}_side-1", f"{doc.id}_side-2"]
        assert archive.passage_count() > 0
        ref = archive.item_ref(pages[1].id)
        assert cite(ref).endswith("referat af mødet 14. marts 2019, s. 2")
        response = search(archive, SearchRequest(q="cykelstierne", mode="keyword"))
        assert pages[1].id in [r.item_id for r in response.hits]
        council = search(archive, SearchRequest(q="cykelstierne", mode="keyword", council=doc.council))
        assert doc.council == "Teknik- og Miljøudvalget"
        assert pages[1].id in [r.item_id for r in council.hits]


def test_v2_archive_is_refused_by_the_reader_then_migrated_by_a_writer_and_read(tmp_path):
    path = tmp_path / "archive.sqlite3"
    conn = sqlite3.connect(path)
    for number, script in enumerate(schema.MIGRATIONS[:2]):
        conn.executescript(f"BEGIN;{script}; PRAGMA user_version = {number + 1}; COMMIT;")
    conn.executescript("""
        INSERT INTO meetings VALUES ('kkr-hovedstaden_2026-04-07', 'KKR Hovedstaden', '2026-04-07', 'kl. 10', 'KL');
        INSERT INTO documents VALUES ('kkr-hovedstaden_2026-04-07_referat', 'kkr-hovedstaden_2026-04-07', 'referat',
            'a.pdf', 'abc', 3, '[]', '[]', '2026-04-08');
        INSERT INTO items VALUES ('kkr-hovedstaden_2026-04-07_referat_3.2', 'kkr-hovedstaden_2026-04-07_referat', 0,
            '3.2', 'Sager', 'Herberger', 'SAG-2026-00541', 'gitb', 2, 3);
        INSERT INTO blocks VALUES (1, 'kkr-hovedstaden_2026-04-07_referat_3.2', 0, 'Beslutning', 3, 3);
        INSERT INTO paragraphs VALUES (1, 1, 0, 'Godkendt.', 'Godkendt.', 3, 3, 0, 0, '[]');
    """)
    conn.close()
    with pytest.raises(db.ArchiveTooOld, match="run 'kkr-arkiv reindex' to upgrade it"):
        Archive(tmp_path)  # the read side never migrates
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2
    with open_writable(tmp_path) as archive:  # opening it for writing migrates
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION == 3
    with Archive(tmp_path) as archive:
        item = archive.item("kkr-hovedstaden_2026-04-07_referat_3.2")
        assert item.blocks[0].role == "decision"
        assert item.decision is not None and item.decision.text == "Godkendt."
        ref = archive.item_ref(item.id)
        assert ref.authority == "KL" and ref.structured
        assert cite(ref) == ('KKR Hovedstaden, referat af mødet 7. april 2026, pkt. 3.2 »Herberger« '
                             '(SAG-2026-00541), s. 2–3')
        doc = archive.document("kkr-hovedstaden_2026-04-07_referat")
        assert doc.structured and doc.authority == "KL"


def test_web_pages_name_authority_and_mark_unstructured(archive_dir):
    from webapp import create_app

    data, _, pdf = archive_dir
    client = create_app(data).test_client()
    page = client.get(f"/moede/{BALLERUP_MEETING}").get_data(as_text=True)
    assert "Sundheds- og Forebyggelsesudvalget, Ballerup Kommune" in page
    with Archive(data) as archive:
        doc = next(d for d in archive.documents() if d.file_name == pdf.name)
    page = client.get(f"/moede/{doc.meeting_id}").get_data(as_text=True)
    assert "Dokumentet kunne ikke deles op i punkter: der blev ikke fundet nogen dagsordenspunkter" in page
    item_page = client.get(f"/punkt/{doc.id}_side-2").get_data(as_text=True)
    assert "Dokumentet kunne ikke deles op i punkter" in item_page and "cykelstierne" in item_page
