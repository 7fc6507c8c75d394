"""Every tunable of the read side in one typed settings object.

Code takes its numbers from a ``Settings`` instance (``Runtime.settings``); an evaluation or a
calibration builds another instance with ``dataclasses.replace`` instead of patching modules.
Each area keeps its own section; ``DEFAULT`` is what the CLI and the web app use.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchSettings:
    """Keyword, semantic and hybrid search. docs/EVALUATION.md has the measurements (held-out
    folds of tests/relevance/search_set.json) behind the fusion numbers."""

    # keyword: relax the AND of all words to a stepwise minimum-should-match when fewer
    # than this many items match every word
    relax_below: int = 3
    # semantic: e5 cosine similarities crowd into a narrow band, so a ranking keeps the
    # items within this distance of its best item, at most semantic_max_results of them
    semantic_window: float = 0.05
    semantic_max_results: int = 50
    # hybrid: how deep each ranking is read before fusion, and how they are fused
    pool: int = 100
    fusion: str = "rrf"  # "rrf" (weighted reciprocal rank fusion) | "convex" (normalised scores)
    rrf_k: int = 60
    # weight of the keyword ranking against the semantic one (semantic weight 1.0) ...
    keyword_weight: float = 1.0  # ... when every word matched (exact AND)
    relaxed_keyword_weight: float = 0.5  # ... when only some words matched
    # ... multiplied by these for the shape of the query
    question_factor: float = 0.5  # a question ("hvad blev besluttet om ...?")
    code_factor: float = 2.0  # a case number, a code or a quoted phrase


@dataclass(frozen=True)
class AnswerSettings:
    """Question answering: evidence scoring, citation and decline thresholds."""


@dataclass(frozen=True)
class Settings:
    search: SearchSettings = field(default_factory=SearchSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)


DEFAULT = Settings()
