"""What a search lists, for the web app, its JSON twin and the CLI alike.

One result per agenda item (`grouping.search_items`), and two rules about what the user
meant: a query that spells an archived case number in any common way ("sag 2026-00541",
"2026 00541") is searched as that case number, by keyword (items near it in meaning are not
that case); a semantic or hybrid search that finds nothing and says why (no model, no
vectors yet) is answered with keyword results under that message.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from archive.search.casenumbers import case_number_in, could_be_case_number
from archive.search.grouping import ItemResults, search_items
from archive.search.keyword import SearchRequest
from archive.settings import DEFAULT, SearchSettings


@dataclass
class Listing:
    results: ItemResults
    notice: str = ""  # said above the results: keyword results stand in for an unavailable mode
    mode_used: str = "hybrid"
    case_number: str = ""  # the archived case number the query spells, if any
    case_items: int = 0  # items of that case in the archive

    def to_json(self) -> dict:
        data = self.results.to_json()
        if self.notice and not data.get("message"):
            data["message"] = self.notice
        data["case"] = {"case": self.case_number, "items": self.case_items} if self.case_number else None
        return data


def search_listing(archive, request: SearchRequest, settings: SearchSettings = DEFAULT.search) -> Listing:
    """`request` answered as a list of items (see the module docstring)."""
    case_number = case_number_in(request.q, archive.case_numbers()) if could_be_case_number(request.q) else None
    if case_number:
        request = replace(request, q=case_number, mode="keyword")
    results = search_items(archive, request, settings)
    listing = Listing(results, "", request.mode)
    if request.mode != "keyword" and not results.total and results.response.message:
        fallback = search_items(archive, replace(request, mode="keyword"), settings)
        if fallback.total:
            listing = Listing(fallback, results.response.message, "keyword")
    if case_number:
        listing.case_number = case_number
        listing.case_items = len(archive.case_history(case_number))
    return listing
