"""The genre's vocabulary (indexer/genre.py): headings, case numbers and labels as the
municipal case systems print them."""
from __future__ import annotations

import pytest

from indexer import genre


@pytest.mark.parametrize(("printed", "name", "role", "body"), [
    ("Forvaltningens indstilling", "Indstilling", "recommendation", ""),
    ("Børne- og Ungeforvaltningens indstilling", "Indstilling", "recommendation", ""),
    ("Byrådets beslutning", "Beslutning", "decision", "Byrådet"),
    ("KKR Sjællands beslutning", "Beslutning", "decision", "KKR Sjælland"),
    ("Teknik- og Miljøudvalgets beslutning", "Beslutning", "decision", "Teknik- og Miljøudvalget"),
    ("SAGSFREMSTILLING", "Sagsfremstilling", "presentation", ""),
    ("Beslutningstema", "Beslutningstema", "background", ""),
])
def test_headings_of_other_templates(printed, name, role, body):
    heading = genre.block_heading_of(printed)
    assert heading is not None and (heading.name, heading.role, heading.body) == (name, role, body)


@pytest.mark.parametrize("text", ["Dagens beslutning", "Det er borgmesterens beslutning", "Hans beslutning",
                                  "Indstillingen blev godkendt"])
def test_sentences_and_other_genitives_are_no_headings(text):
    assert genre.block_heading_of(text) is None


@pytest.mark.parametrize(("title", "expected"), [
    ("Budget 2014 (2013-0012345)", ("Budget 2014", ("2013-0012345", ""))),
    ("Vandplan (27.69.48-G01-1-13)", ("Vandplan", ("27.69.48-G01-1-13", ""))),
    ("Valg af formand (Sagsnr. 13/4567)", ("Valg af formand", ("13/4567", ""))),
    ("Orientering (bilag 3)", None),
    ("Plan for 2026-2027 (2026)", None),
])
def test_case_number_in_brackets_after_the_title(title, expected):
    assert genre.trailing_case(title) == expected


def test_labels_statuses_and_empty_case_lines():
    assert genre.split_item_number("Punkt 7") == ("7", "", "")
    assert genre.split_item_number("715.") == ("715", "", "")
    assert genre.split_item_number("2026") is None  # a bare number is no label
    assert genre.case_of("Journalnummer: 00.01.00-A00-1-20") == ("00.01.00-A00-1-20", "")
    assert genre.case_of("Sags ID: EMN-2013-01234") == ("EMN-2013-01234", "")
    assert all(genre.is_status_line(t) for t in ("Åben sag", "Åbent punkt", "Lukket punkt", "LUKKET SAG"))
    assert not genre.is_status_line("Åben for alle borgere")
    assert genre.is_empty_case_label("Sag:") and not genre.is_empty_case_label("Sag")


@pytest.mark.parametrize(("text", "expected"), [
    ("Sag 3: Budget 2027", ("3", "", "Budget 2027")),
    ("Sag nr. 12 Valg af formand", ("12", "", "Valg af formand")),
    ("Dagsordenspunkt 4 Orientering om herberger", ("4", "", "Orientering om herberger")),
    ("Punkt nr. 3 Godkendelse af dagsorden", ("3", "", "Godkendelse af dagsorden")),
    ("Dagsordenspunkt 4", ("4", "", "")),
    ("Sag 2013 Budget", None),  # a year after "Sag" is no item number
])
def test_item_labels_of_other_case_systems(text, expected):
    assert genre.split_item_number(text) == expected


def test_an_item_label_is_no_case_line_and_a_period_is_no_case_number():
    assert genre.case_of("Sag 3: Budget 2027") is None
    assert genre.case_of("Sag nr. 12") is None
    assert genre.case_of("2014-2017 Handleplan for området") is None
    assert genre.case_of("Sag: 2013-0012345") == ("2013-0012345", "")
    assert genre.case_of("2012-31114 abc") == ("2012-31114", "abc")  # a year and a serial number


def test_case_lines_still_read_after_the_sag_labels():
    assert genre.case_of("Sag nr. 12/345") == ("12/345", "")
    assert genre.case_of("Sag: 2012-31114 abc") == ("2012-31114", "abc")
    assert genre.split_item_number("Sag: 12/345") is None


@pytest.mark.parametrize("text", ["2025-2028", "2014-2017 Handleplan", "2025–2028 Budget"])
def test_a_year_period_is_no_case_number(text):
    assert genre.case_of(text) is None


def test_a_year_period_in_brackets_stays_in_the_title():
    assert genre.trailing_case("Budget 2025 (2025-2028)") is None
    assert genre.trailing_case("Budget (2025-2028) (2013-0012345)") == ("Budget (2025-2028)", ("2013-0012345", ""))


@pytest.mark.parametrize("printed", [
    "Administrationen indstiller", "Forvaltningen indstiller", "Direktionen indstiller:",
    "Direktionens indstilling", "Økonomiudvalgets anbefaling", "ØKONOMIUDVALGETS ANBEFALING",
    "Børne- og Ungeforvaltningen indstiller, at", "Teknik- og Miljøudvalgets anbefaling",
])
def test_recommendations_along_the_committee_chain(printed):
    heading = genre.block_heading_of(printed)
    assert heading is not None and (heading.name, heading.role) == ("Indstilling", "recommendation")


@pytest.mark.parametrize("text", ["K29’s anbefaling", "Dagens anbefaling", "Kommunerne indstiller",
                                  "Han indstiller", "Administrationen indstiller, at planen godkendes."])
def test_other_recommending_words_are_no_headings(text):
    assert genre.block_heading_of(text) is None


@pytest.mark.parametrize(("text", "note"), [
    ("Protokoltilførsel", True), ("Protokoltilførsel: Anne Hansen (A) stemte imod.", True),
    ("Mindretalsudtalelse:", True), ("Særudtalelse fra Enhedslisten", True),
    ("Fraværende: Anne Hansen (A)", True), ("Følgende deltog ikke i behandlingen af punktet:", True),
    ("Protokollen blev godkendt.", False), ("Godkendt.", False),
])
def test_notes_on_a_decision(text, note):
    assert genre.is_decision_note(text) is note


@pytest.mark.parametrize(("text", "value"), [
    ("Sagsansvarlig: Anne Hansen", "Anne Hansen"), ("Åben/Lukket: Åben", "Åben"),
    ("Sagsbehandler: Ole Jensen", "Ole Jensen"), ("Sagsansvarlig", None),
    ("Forvaltningen har undersøgt sagen: den er klar", None),
])
def test_key_value_rows_of_an_item_head(text, value):
    assert genre.head_field_of(text) == value


def test_a_case_line_beyond_doubt_is_labelled_or_a_case_number_with_a_dash_or_slash():
    assert all(genre.is_case_line(t) for t in ("Sagsnr.: SAG-2026-00806 hmj", "SAG-2026-00806 hmj",
                                               "13/27845", "Sagsnr.:", "27.69.48-G01-1-13"))
    # a clock time or a decimal starting a wrapped line is text, also right above a heading
    assert not any(genre.is_case_line(t) for t in ("10.00 til kl. 12.00 hos KL", "12.5 mio. kr.", "2014-2017 plan"))
