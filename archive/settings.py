"""Every tunable of the read side in one typed settings object.

Code takes its numbers from a ``Settings`` instance (``Runtime.settings``); an evaluation or a
calibration builds another instance with ``dataclasses.replace`` instead of patching modules.
Each area keeps its own section; ``DEFAULT`` is what the CLI and the web app use.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchSettings:
    """Keyword, semantic and hybrid search (filled in by the search code)."""


@dataclass(frozen=True)
class AnswerSettings:
    """Question answering: evidence scoring, citation and decline thresholds."""


@dataclass(frozen=True)
class IngestSettings:
    """Limits that keep one hostile or huge PDF from stalling an ingest run.

    Each file is parsed in a child process; one that runs past ``parse_seconds`` or needs more
    than ``parse_memory_mb`` of address space is stopped and rejected with that reason.
    """
    parse_seconds: float = 300.0
    parse_memory_mb: int = 2048
    max_pages: int = 3000
    # Python frames the parser may nest (PDF object chains that refer to themselves or nest
    # absurdly deep are rejected rather than crashing the child).
    max_recursion: int = 1000
    lock_wait_seconds: float = 600.0  # how long a writer waits for another to finish


@dataclass(frozen=True)
class Settings:
    search: SearchSettings = field(default_factory=SearchSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)


DEFAULT = Settings()
