"""Fuzzing the query parser and the keyword search: any input gives a response, never an
exception."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.text.query import MAX_QUERY_CHARS, AllOf, AnyOf, Not, Phrase, QueryWord, parse
from archive.search.modes import SearchRequest, search
from archive.storage.store import Archive

# Words of the corpus, operators and hostile characters, mixed
VOCABULARY = ["herberg", "Herbergspladser", "SAG-2026-00541", "1.380", "pædagog*", "paedagog", "Åbenrå",
              "og", "i", "OR", "ELLER", "-", "*", '"', "“", "(", ")", "|", "!", "\x00", "😀", "\u200b",
              "kvinde-krise", "2026-2030", "6,5", "<b>", "&amp;", "\\", "'", "-\"ny model", "sjælland"]

query_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(VOCABULARY), max_size=25).map(" ".join),
    st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=8)), max_size=12).map("".join),
)


def _walk(node):
    yield node
    if isinstance(node, AllOf):
        for part in node.parts:
            yield from _walk(part)
    elif isinstance(node, AnyOf):
        for option in node.options:
            yield from _walk(option)
    elif isinstance(node, Not):
        yield from _walk(node.node)


@settings(max_examples=400, deadline=None)
@given(query_text)
def test_parser_never_raises_and_builds_a_clean_tree(text):
    parsed = parse(text)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert "\x00" not in parsed.text
    if parsed.root is None:
        return
    assert any(not isinstance(p, Not) for p in parsed.root.parts)
    for node in _walk(parsed.root):
        if isinstance(node, QueryWord):
            assert node.text and "\x00" not in node.text
        elif isinstance(node, Phrase):
            assert node.text.strip()
        elif isinstance(node, Not):
            assert not isinstance(node.node, Not)


@st.composite
def requests(draw):
    return SearchRequest(
        q=draw(query_text),
        council=draw(st.sampled_from([None, "", "KKR Sjælland", "kkr-hovedstaden", "ukendt", "\x00"])),
        kind=draw(st.sampled_from([None, "", "dagsorden", "referat", "REFERAT", "x"])),
        date_from=draw(st.sampled_from([None, "", "2026-01-01", "2026", "2026-13-45", "i går"])),
        date_to=draw(st.sampled_from([None, "2026-12-31", "0000-00-00"])),
        decisions_only=draw(st.booleans()),
        sort=draw(st.sampled_from(["relevance", "date", "date-asc"])),
        limit=draw(st.integers(min_value=-5, max_value=500)),
        offset=draw(st.integers(min_value=-5, max_value=5000)),
    )


@pytest.fixture(scope="module")
def archive(corpus_archive_dir):
    with Archive(corpus_archive_dir) as opened:
        yield opened


@pytest.mark.slow  # fuzzing: 150 generated searches
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_search_never_raises(archive, request):
    response = search(archive, request)
    data = response.to_json()
    assert data["total"] >= len(data["results"])
    assert len(data["results"]) <= 100
    for hit in data["results"]:
        plain = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in plain
        assert hit["pages"][0] <= hit["page"] <= hit["pages"][1]
    if data["total"] == 0:
        assert data["message"]
