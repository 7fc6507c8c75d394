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
class Settings:
    search: SearchSettings = field(default_factory=SearchSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)


DEFAULT = Settings()
