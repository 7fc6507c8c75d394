"""The search entry point: `search(archive, request, settings)` runs the mode the request
names by calling its function directly. Every caller (CLI, web app, question answering,
benchmarks) goes through here or calls one of the three mode functions itself:

    keyword_search(archive, request, settings)   archive.search.keyword
    semantic_search(archive, request, settings)  archive.search.hybrid
    hybrid_search(archive, request, settings)    archive.search.hybrid

There is no registry: what a search returns never depends on what the process ran before.
"""
from __future__ import annotations

from archive.search.hybrid import hybrid_search, semantic_search
from archive.search.keyword import MODES, SORTS, SearchHit, SearchRequest, SearchResponse, keyword_search
from archive.settings import DEFAULT, SearchSettings

__all__ = ["MODES", "SORTS", "SearchHit", "SearchRequest", "SearchResponse", "search",
           "keyword_search", "semantic_search", "hybrid_search"]


def search(archive, request: SearchRequest, settings: SearchSettings = DEFAULT.search, *,
           snippets: bool = True) -> SearchResponse:
    """Search the archive. Never raises for any user text; raises ValueError for a mode or
    sort order that does not exist (a programming error, not user input). With
    snippets=False, keyword-matched hits come without snippets and `fill_snippets` with the
    response's `snippet_context` adds them later (for the few hits that are shown)."""
    if request.sort not in SORTS:
        raise ValueError(f"unknown sort order {request.sort!r}; expected one of {', '.join(SORTS)}")
    if request.mode == "keyword":
        return keyword_search(archive, request, settings, snippets=snippets)
    if request.mode == "semantic":
        return semantic_search(archive, request, settings)
    if request.mode == "hybrid":
        return hybrid_search(archive, request, settings, snippets=snippets)
    raise ValueError(f"unknown search mode {request.mode!r}; expected one of {', '.join(MODES)}")
