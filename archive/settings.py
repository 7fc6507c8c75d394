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
    # "Mente du ...": at most this many unknown words are corrected (each one scans the
    # vocabulary; a 40-word query of unknown words must not cost seconds)
    suggest_max_words: int = 3
    # semantic: e5 cosine similarities crowd into a narrow band, so a ranking keeps the
    # items within this distance of its best item, at most semantic_max_results of them
    semantic_window: float = 0.05
    semantic_max_results: int = 50
    # hybrid: how deep each ranking is read before fusion, and how they are fused. The fusion
    # numbers below were chosen by 5-fold cross-validation (benchmarks/evaluate_relevance.py
    # --cv): the setting chosen in most folds; docs/EVALUATION.md reports the held-out folds.
    pool: int = 100
    fusion: str = "convex"  # "rrf" (weighted reciprocal rank fusion) | "convex" (normalised scores)
    rrf_k: int = 60
    # convex fusion: "minmax" normalises each ranking by its own range, "tmm" (theoretical
    # min-max, Bruch et al.) BM25 from 0 and cosine from semantic_floor (min-max while it is 0)
    convex_norm: str = "tmm"
    # weight of the keyword ranking against the semantic one (semantic weight 1.0) ...
    keyword_weight: float = 0.5  # ... when every word matched (exact AND)
    relaxed_keyword_weight: float = 0.25  # ... when only some words matched
    # ... times the share of the query's parts a relaxed match holds at least
    relaxed_by_coverage: bool = True
    # ... multiplied by these for the shape of the query
    question_factor: float = 0.25  # a question ("hvad blev besluttet om ...?")
    code_factor: float = 2.0  # a case number, a code or a quoted phrase
    # semantic hits below this cosine similarity carry no evidence in hybrid fusion (0: off)
    semantic_floor: float = 0.0


@dataclass(frozen=True)
class AnswerSettings:
    """Question answering: evidence scoring, citation and decline thresholds.

    The defaults were chosen by cross-validation on tests/relevance/questions_v2.json
    (benchmarks/evaluate_answers_v2.py --cv); docs/EVALUATION.md reports held-out folds only.
    """

    threshold: float = 0.86  # decline below this item score (lexical coverage + semantic, less the intent check); folds: 0.86 x3, 0.92 x2
    sem_floor: float = 0.80  # e5 cosine range mapped to 0..1 for the semantic component
    sem_ceil: float = 0.93
    sem_weight: float = 0.6  # weight of the semantic component in the item score
    # an item that lacks a year the question's topic names ("kvoterne for 2026") loses this much
    year_penalty: float = 0.3  # all folds of the runs whose grid held 0.3 and 0.6
    # the intent check of an item's best sentence (issue #12 point 3): the question's constraint
    # words (the nouns, names and numbers that narrow the asked-for thing, `ParsedQuestion.
    # constraints`) must be in the sentence or its item's title, and the topic's years too
    constraint_penalty: float = 0.3  # x the IDF share of the heaviest constraint the sentence lacks; all folds
    sentence_year_penalty: float = 0.6  # the sentence (with the title) lacks a year the topic names; all folds
    head_penalty: float = 0.4  # a number question whose sentence (with the title) lacks what it counts; folds 0.4 x4, 0.2
    intent_checked: int = 12  # the best candidates (by item score) that get the intent check
    untyped_penalty: float = 0.15  # a number / person question whose item's best sentence holds none; folds 0.15 x3, 0.3 x2
    relative_cut: float = 0.5  # an item enters the answer when its score >= this share of the best (all folds; 0.5, 0.6)
    candidates: int = 20
    max_entries: int = 6
    max_see_also: int = 5
    # number / date / people questions: an item is evidence when its best sentence holds the
    # asked-for type and its item + sentence score is within this margin of the best one
    evidence_margin: float = 0.12
    # decision / overview questions: an item is evidence when its score >= this share of the best
    evidence_cut: float = 0.85  # chosen in all 5 folds (grid 0.85, 0.92)
    # "Hvad har KKR besluttet om ...?" (every treatment): an item per council and meeting is evidence
    # when its item + best sentence score >= this share of the best item's
    breadth_cut: float = 0.8  # folds: 0.8 x4, 0.7
    lookup_citations: int = 1  # evidence items (per council) for a lookup question; folds: 1 x4, 2
    sentence_type_weight: float = 0.45  # the asked-for type (number, person) in the sentence
    sentence_semantic_weight: float = 0.3  # the embedding score of the sentence's passage
    sentence_title_share: float = 0.6  # topic coverage read from the sentence with its item title (all folds)


@dataclass(frozen=True)
class IngestSettings:
    """Limits that keep one hostile or huge PDF from stalling an ingest run.

    Each file is parsed in a child process; one that runs past ``parse_seconds`` or needs more
    than ``parse_memory_mb`` of address space is stopped and rejected with that reason.
    """
    parse_seconds: float = 300.0
    parse_memory_mb: int = 2048
    max_pages: int = 3000
    # a page content stream that inflates past this is refused before layout (compression bomb)
    max_content_stream_mb: int = 64
    # Python frames the parser may nest (PDF object chains that refer to themselves or nest
    # absurdly deep are rejected rather than crashing the child).
    max_recursion: int = 1000
    lock_wait_seconds: float = 600.0  # how long a writer waits for another to finish


@dataclass(frozen=True)
class PostgresSettings:
    """The PostgreSQL backend (archive/postgres/): how much work one query may do.

    A keyword query ranks at most ``candidate_window`` matching items precisely (those with the
    words in a title, case number or decision first, then the rest), and counts matches and
    facets up to ``count_cap``: its cost stops growing with the number of matches there.
    docs/BENCHMARKS.md has the measurements at 100x and 1M passages.
    """
    candidate_window: int = 1000
    count_cap: int = 2_000
    hnsw_ef_search: int = 100  # pgvector HNSW candidate list per query (recall against cost)
    vector_exact_below: int = 20_000  # a filtered semantic query scans exactly when it needs more neighbours
    # ts_rank weights of the tsvector's weight classes {D, C, B, A}: body and folded text,
    # recommendation, decision, title and case number (the keyword index's field boosts 1/2/3/3)
    rank_weights: tuple[float, float, float, float] = (0.33, 0.67, 1.0, 1.0)


@dataclass(frozen=True)
class Settings:
    search: SearchSettings = field(default_factory=SearchSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    postgres: PostgresSettings = field(default_factory=PostgresSettings)


DEFAULT = Settings()
