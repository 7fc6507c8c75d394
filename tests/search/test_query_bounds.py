"""The per-query cost bound (#18): one bound on the words of a query holds for keyword,
semantic and hybrid search and for question answering, and says so in Danish; "Mente du"
looks up only a few unknown words of a long query."""
from __future__ import annotations

import pytest

from archive.answers.question import parse_question
from archive.search.keyword import closest_word
from archive.search.modes import SearchRequest, search
from archive.text.query import MAX_QUERY_WORDS, MESSAGE_TOO_MANY, normalise, parse

LONG = " ".join(["herberger", "hjemløse", "kvinder", "pladser", "Sjælland", "Hovedstaden"] * 7)  # 42 words, under the character cap


def test_normalise_keeps_the_first_words_and_says_so():
    text, messages = normalise(LONG)
    assert text.split() == LONG.split()[:MAX_QUERY_WORDS]
    assert messages == [MESSAGE_TOO_MANY]
    assert MESSAGE_TOO_MANY == f"Søgningen har mange ord; kun de første {MAX_QUERY_WORDS} er brugt."
    assert normalise("herberger i Sjælland") == ("herberger i Sjælland", [])


def test_the_keyword_tree_is_built_from_the_bounded_words_only():
    parsed = parse(LONG + " allersidsteord")
    assert len(parsed.root.parts) <= MAX_QUERY_WORDS
    assert "allersidsteord" not in parsed.text
    assert MESSAGE_TOO_MANY in parsed.messages


def test_question_answering_reads_the_same_bounded_text():
    parsed = parse_question("Hvad besluttede KKR om " + LONG + " allersidsteord?")
    assert len(parsed.text.split()) == MAX_QUERY_WORDS
    assert "allersidsteord" not in parsed.topic_words


def test_keyword_search_of_a_long_query_is_bounded_and_finds_the_words(corpus_archive):
    response = search(corpus_archive, SearchRequest(q=LONG + " allersidsteord", mode="keyword"))
    assert MESSAGE_TOO_MANY in response.messages
    assert len(response.query.split()) == MAX_QUERY_WORDS
    assert response.hits  # the words it kept still find items (relaxed where needed)


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_semantic_and_hybrid_read_the_bounded_text(embedded_archive, mode):
    response = search(embedded_archive, SearchRequest(q=LONG + " allersidsteord", mode=mode))
    assert MESSAGE_TOO_MANY in response.messages
    assert len(response.query.split()) == MAX_QUERY_WORDS
    bounded = search(embedded_archive, SearchRequest(q=" ".join(LONG.split()[:MAX_QUERY_WORDS]), mode=mode))
    assert [h.item_id for h in response.hits] == [h.item_id for h in bounded.hits]


def test_a_long_query_of_misspelt_words_corrects_only_the_first_few(corpus_archive):
    misspelt = "herbrger hjemlse kvindr pladsr boliigr flygtnnge uddannlse borgre"
    response = search(corpus_archive, SearchRequest(q=misspelt, mode="keyword"))
    if response.suggestion is not None:
        changed = [a for a, b in zip(misspelt.split(), response.suggestion.split()) if a != b]
        assert 1 <= len(changed) <= 3


def test_closest_word_counts_a_swap_as_one_edit_and_folds_spellings():
    vocabulary = {"herberger": 3, "herbergerne": 2, "kvinder": 5, "pædagoger": 4}
    assert closest_word("herbrger", vocabulary) == "herberger"
    assert closest_word("kvinedr", vocabulary) == "kvinder"  # neighbours swapped
    assert closest_word("paedagoger", vocabulary) == "pædagoger"  # folded spelling
    assert closest_word("xyzxyz", vocabulary) is None
