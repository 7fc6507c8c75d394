"""The Danish analysis on its own: tokens, stems, folding, stop words, the decompounder."""
from __future__ import annotations

import pytest

from archive.storage.store import Archive
from archive.text.analysis import Analysis, Decompounder, fold, stem, vocabulary, words


@pytest.fixture(scope="module")
def archive(corpus_archive_dir):
    with Archive(corpus_archive_dir) as opened:
        yield opened



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
    (tmp_path / "d.json").write_text(original.to_json(), encoding="utf-8")
    loaded = Decompounder.load(tmp_path / "d.json")
    assert loaded.words == original.words
    assert loaded.split("herbergspladser") == original.split("herbergspladser")
