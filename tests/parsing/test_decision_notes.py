"""The decision text of a decision block (indexer/structure.py `_decision`): the notes on a
decision stay in it, an attendance note and the names listed under it do not, and neither
ends it."""
from __future__ import annotations

from archive.storage.model import Block, Paragraph
from indexer import genre
from indexer.structure import _decision


def decision_text(*paragraphs: str) -> str:
    block = Block("Beslutning", [Paragraph(t, t, 3, 3) for t in paragraphs], 3, 3, "decision", "Beslutning")
    return _decision(block, genre.block_heading_of("Beslutning")).text


def test_notes_on_the_decision_are_part_of_its_text():
    assert decision_text("Godkendt.", "Protokoltilførsel", "Anne Hansen (A) stemte imod.") == (
        "Godkendt. Protokoltilførsel Anne Hansen (A) stemte imod.")


def test_an_attendance_note_first_does_not_empty_the_decision():
    assert decision_text("Fraværende: Anne Hansen (A)", "Indstillingen godkendt.") == "Indstillingen godkendt."


def test_the_names_under_an_attendance_note_are_left_out_and_a_later_note_kept():
    assert decision_text("Godkendt.", "Følgende deltog ikke i behandlingen af punktet:", "Anne Hansen (A)",
                         "Ole Jensen (V)", "Mindretalsudtalelse: V kan ikke anbefale forslaget.") == (
        "Godkendt. Mindretalsudtalelse: V kan ikke anbefale forslaget.")
