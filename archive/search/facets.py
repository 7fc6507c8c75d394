"""Facets: how many hits each meeting body, year and kind has, in the one shape every
search mode returns (`SearchResponse.facets`): {name: [{"value", "label", "count"}, ...]}.
Years run newest first; bodies and kinds by count, then by name. A body's value is its slug
(the filter's value), its label the body's name."""
from __future__ import annotations

from typing import Iterable, Mapping, Protocol

from archive.storage.ids import slugify

FACET_NAMES = ("council", "year", "kind")


class Faceted(Protocol):
    council: str
    date: str  # ISO date
    kind: str


def facet_entries(counts: Mapping[str, Mapping[str, int]]) -> dict[str, list[dict]]:
    """`counts` ({name: {value: count}}) as the response's facets."""
    out: dict[str, list[dict]] = {}
    for name, values in counts.items():
        if name == "year":
            entries = sorted(values.items(), reverse=True)
        else:
            entries = sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))
        out[name] = [{"value": slugify(value) if name == "council" else value, "label": value, "count": count}
                     for value, count in entries]
    return out


def hit_counts(hits: Iterable[Faceted]) -> dict[str, dict[str, int]]:
    """{name: {value: count}} of a list of hits (for modes whose engine does not count)."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}
    for hit in hits:
        for name, value in (("council", hit.council), ("year", hit.date[:4]), ("kind", hit.kind)):
            counts[name][value] = counts[name].get(value, 0) + 1
    return counts
