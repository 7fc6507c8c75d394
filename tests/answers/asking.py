"""What the answer tests over the sample corpus share: the question set's "today" (periods
like "i år" are read against it) and asking as the JSON API answers."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from archive.answers.answer import answer_question

QUESTIONS_V2 = Path(__file__).resolve().parents[1] / "relevance" / "questions_v2.json"
TODAY = date.fromisoformat(json.loads(QUESTIONS_V2.read_text(encoding="utf-8"))["today"])


def ask(archive, q: str) -> dict:
    return answer_question(archive, q, today=TODAY).to_json()
