"""The Whoosh adapter around the Danish analysis (`archive.text.analysis.Analysis`).

Whoosh pickles analyzers into the index schema, so this class's module path is part of the
index format (`archive.keyword.fulltext.INDEX_FORMAT`). `DanishAnalyzer` pickles only its small
config; the decompounding dictionary is a JSON file in the index directory that the index
opener and the indexer's writer attach (`attach_decompounder`).
"""
from __future__ import annotations

from typing import Iterable, Iterator

from whoosh.analysis import Analyzer, Token

from archive.text.analysis import Analysis, Decompounder


class DanishAnalyzer(Analyzer):
    """Whoosh adapter around `Analysis`. Pickles only `folded` and `compounds`; the index
    adapter attaches the decompounder after opening the index (`attach_decompounder`)."""

    def __init__(self, *, folded: bool = False, compounds: bool = True):
        self.folded = folded
        self.compounds = compounds
        self.analysis = Analysis(None, compounds=compounds)

    def __getstate__(self) -> dict:
        return {"folded": self.folded, "compounds": self.compounds}

    def __setstate__(self, state: dict) -> None:
        self.__init__(folded=state["folded"], compounds=state["compounds"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DanishAnalyzer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.folded, self.compounds))

    def __repr__(self) -> str:
        return f"DanishAnalyzer(folded={self.folded}, compounds={self.compounds})"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, start, end in self.analysis.index_tokens(str(value), folded=self.folded):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def attach_decompounder(analyzers: Iterable[object], decompounder: Decompounder | None) -> None:
    """Give every `DanishAnalyzer` among `analyzers` the archive's decompounder."""
    for analyzer in analyzers:
        if isinstance(analyzer, DanishAnalyzer):
            analyzer.analysis.decompounder = decompounder
