"""Keyword search on PostgreSQL: the query tree compiled to a tsquery over `item_search.terms`.

`terms` is a 'simple' tsvector of the terms `archive.text.analysis.Analysis` gives at index
time (indexer/postgres_store.py), so a word matches here exactly when it matches in the
Whoosh index: the same stems, compound parts, codes kept whole and folded forms. Each field
of the keyword index is a weight class with its own position range (phrases never cross
fields): title and case number A, decision (Beslutning) B, recommendation (Indstilling) C,
body D; the folded copy of everything is stored as `~`-prefixed lexemes (weight D) from
position 1, apart from the exact terms. Ranking is `ts_rank` with the weights of
`PostgresSettings.rank_weights`, not Whoosh's BM25F: the same items match, their order can
differ.

Cost: a query counts and facets at most `count_cap` matching items and ranks at most
`candidate_window` of them precisely: the items with the words in a title, case number or
decision first (the top of any ranking), then the rest. Below those numbers the result is
exact; above them the cost no longer grows with the number of matches.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from archive.keyword.fulltext import (
    Filters,
    Highlight,
    KeywordHit,
    KeywordResults,
)
from archive.storage import ids
from archive.text.analysis import Analysis, Decompounder, Term, fold, normalise_text
from archive.text.query import AllOf, AnyOf, Node, Not, Phrase, QueryWord as Word

if TYPE_CHECKING:
    # a PostgresArchive (archive.postgres.store, which imports this module): its `conn`,
    # `url` and `settings`
    from archive.storage.store import Archive as PostgresArchive

FOLDED_PREFIX = "~"
ANY_FIELD = ""  # no weight restriction: every field
DECISION = "B"  # the decision field alone (decisions_only)
STRONG = "AB"  # title, case number and decision: the candidates ranked first
# those fields alone, as the expression of the GIN index item_search_strong
# (indexer/postgres_schema.py): matched there without weight restrictions, so the index
# answers without reading (detoasting) any item's tsvector
STRONG_TERMS = f"ts_filter(s.terms, '{{{','.join(STRONG.lower())}}}')"
FIELD_WEIGHTS = {"title": "A", "case": "A", "decision": "B", "recommendation": "C", "body": "D"}
FACET_COLUMNS = {"council": "council", "year": "year", "kind": "kind"}


def lexeme(text: str, weights: str = ANY_FIELD, *, prefix: bool = False) -> str:
    """One quoted tsquery operand."""
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weights
    return f"{quoted}:{suffix}" if suffix else quoted


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _any(options: list[str]) -> str:
    return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"


def _all(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


# ---------------------------------------------------------------------------- per-process state


@dataclass
class _State:
    """What queries on one database reuse while its search rows stay the same generation:
    the decompounder built from the stored vocabulary and compound expansions."""

    generation: int
    analysis: Analysis
    decompounder: Decompounder
    expansions: dict[str, list[str]]


_STATES: dict[str, _State] = {}
_STATES_LOCK = threading.Lock()


def generation(conn) -> int:
    row = conn.execute("SELECT value FROM search_meta WHERE key = 'generation'").fetchone()
    return row[0] if row else 0


def _state(archive: "PostgresArchive") -> _State:
    current = generation(archive.conn)
    with _STATES_LOCK:
        state = _STATES.get(archive.url)
        if state is None or state.generation != current:
            words = {r[0]: r[1] for r in archive.conn.execute("SELECT word, count FROM vocabulary")}
            decompounder = Decompounder(words)
            state = _State(current, Analysis(decompounder), decompounder, {})
            _STATES[archive.url] = state
        return state


@contextmanager
def _index_scans(conn) -> Iterator[None]:
    """Matches read from the GIN indexes, never by a sequential scan: a broad word matches
    most items, and the planner would scan them all, reading every tsvector, where the
    bitmap of the index (no recheck for a query without weights or phrases) reads only the
    small rows it needs, up to the query's LIMIT."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        conn.execute("SET LOCAL enable_seqscan = off")
        yield
    except BaseException:
        if own:
            conn.rollback()
        raise
    if own:
        conn.execute("COMMIT")


class PostgresKeywordIndex:
    """The keyword index of a PostgreSQL archive: the `item_search` table."""

    def __init__(self, archive: "PostgresArchive"):
        self.archive = archive

    @contextmanager
    def searcher(self) -> Iterator["PostgresKeywordSearcher"]:
        yield PostgresKeywordSearcher(self.archive, _state(self.archive))


class PostgresKeywordSearcher:
    """Query building (engine-neutral tree -> tsquery) and searching, as
    `archive.keyword.fulltext.KeywordSearcher` does on Whoosh."""

    def __init__(self, archive: "PostgresArchive", state: _State):
        self.archive = archive
        self.conn = archive.conn
        self.state = state
        self.analysis = state.analysis
        self.settings = archive.settings
        self._terms: set[str] = set()
        self._folded: set[str] = set()
        self._prefixes: list[str] = []
        self._loose = False  # compiling the loose form of a query (`compile(loose=True)`)

    # -- vocabulary

    def words(self) -> dict[str, int]:
        return self.state.decompounder.words

    def term_matches(self, word: str) -> bool:
        """Whether any item holds `word` (one index probe, however many hold it)."""
        try:
            query = self.compile(AllOf((Word(word),)), Filters())
        except ValueError:
            return False
        if query is None:
            return False
        return bool(self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM item_search s WHERE s.terms @@ ?::tsquery)", (query,)).fetchone()[0])

    def doc_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM item_search").fetchone()[0]

    def doc_frequency(self, term: str) -> int:
        row = self.conn.execute("SELECT items FROM index_terms WHERE term = ?", (term,)).fetchone()
        return row[0] if row else 0

    # -- compiling

    def compile(self, root: AllOf, filters: Filters, weights: str | None = None, *,
                loose: bool = False) -> str | None:
        """The tsquery of `root`. `loose`: the same words without field weights and with the
        words of a phrase or compound in any order (`&`, not `<->`): a superset of the
        matches that GIN answers from its posting lists alone, reading no item's tsvector
        (a weight or a phrase needs a recheck against each matching item's tsvector)."""
        if loose:
            return self._loose_node(root, folded=not filters.decisions_only)
        if weights is None:
            weights = DECISION if filters.decisions_only else ANY_FIELD
        return self._node(root, weights, folded=weights == ANY_FIELD)

    def _loose_node(self, node: Node, folded: bool) -> str | None:
        """`node` compiled in its loose form (`compile(loose=True)`)."""
        self._loose = True
        try:
            return self._node(node, ANY_FIELD, folded)
        finally:
            self._loose = False

    def _node(self, node: Node, weights: str, folded: bool) -> str | None:
        if isinstance(node, Word):
            return self._word(node, weights, folded)
        if isinstance(node, Phrase):
            return self._phrase(node.text, weights, folded)
        if isinstance(node, AnyOf):
            options = [q for q in (self._node(o, weights, folded) for o in node.options) if q is not None]
            return _any(options) if options else None
        if isinstance(node, AllOf):
            positive = [q for q in (self._node(p, weights, folded) for p in node.parts if not isinstance(p, Not))
                        if q is not None]
            return _all(positive) if positive else None
        return None

    def exclusion(self, root: AllOf) -> str | None:
        saved = (set(self._terms), set(self._folded), list(self._prefixes))
        negative = [self._node(p.node, ANY_FIELD, True) for p in root.parts if isinstance(p, Not)]
        self._terms, self._folded, self._prefixes = saved  # excluded words are not highlighted
        negative = [q for q in negative if q is not None]
        return _any(negative) if negative else None

    def _word(self, word: Word, weights: str, folded: bool) -> str | None:
        if word.prefix:
            return self._prefix(word.text, weights, folded)
        terms = self.analysis.terms(word.text)
        if not terms:
            return None
        if len(terms) > 1:
            return self._phrase_terms(terms, weights, folded)
        return self._term(terms[0], weights, folded)

    def _term(self, term: Term, weights: str, folded: bool) -> str:
        self._terms.add(term.text)
        self._folded.add(term.folded)
        expansions = self._expansions(term)
        self._terms.update(expansions)
        self._terms.update(term.query_parts)
        # a code typed in part ("2026-00541" of "SAG-2026-00541"): the tsvector holds a code's
        # parts at its position, so every part of the typed code must be there (as in Whoosh)
        code_parts = term.parts if term.word.code else ()
        self._terms.update(code_parts)
        options = [lexeme(term.text, weights)]
        classes = [ANY_FIELD] if self._loose else list(weights or "ABCD")
        for parts in (term.query_parts, code_parts):  # the parts in one field, as the keyword index asks
            if parts:
                options += [_all([lexeme(p, w) for p in parts]) for w in classes]
        options += [lexeme(c, weights) for c in expansions]
        if folded:
            options.append(lexeme(FOLDED_PREFIX + term.folded))
        return _any(options)

    def _expansions(self, term: Term) -> list[str]:
        if not self.analysis.compounds or term.word.code:
            return []
        found = self.state.expansions.get(term.text)
        if found is None:
            rows = self.conn.execute(
                "SELECT term FROM index_terms WHERE term LIKE ? OR reverse(term) LIKE ?",
                (_like(term.text) + "%", _like(term.text[::-1]) + "%"),
            ).fetchall()
            candidates = sorted(r[0] for r in rows if not r[0].startswith(FOLDED_PREFIX))
            found = self.state.decompounder.compounds_with(term.text, candidates)
            self.state.expansions[term.text] = found
        return found

    def _prefix(self, text: str, weights: str, folded: bool) -> str:
        lowered = normalise_text(text).lower()
        terms = self.analysis.terms(lowered)
        stem_text = terms[0].text if len(terms) == 1 else lowered
        self._prefixes.append(lowered)
        options = [lexeme(lowered, weights, prefix=True), lexeme(stem_text, weights, prefix=True)]
        if folded:
            options.append(lexeme(FOLDED_PREFIX + fold(lowered), prefix=True))
        return _any(options)

    def _phrase(self, text: str, weights: str, folded: bool) -> str | None:
        terms = self.analysis.terms(text)
        if not terms:
            return None
        if len(terms) == 1:
            term = terms[0]
            self._terms.add(term.text)
            self._folded.add(term.folded)
            options = [lexeme(term.text, weights)]
            if folded:
                options.append(lexeme(FOLDED_PREFIX + term.folded))
            return _any(options)
        return self._phrase_terms(terms, weights, folded)

    def _phrase_terms(self, terms: list[Term], weights: str, folded: bool) -> str:
        self._terms.update(t.text for t in terms)
        self._folded.update(t.folded for t in terms)
        follows = " & " if self._loose else " <-> "
        options = ["(" + follows.join(lexeme(t.text, weights) for t in terms) + ")"]
        if folded:
            options.append("(" + follows.join(lexeme(FOLDED_PREFIX + t.folded) for t in terms) + ")")
        return _any(options)

    # -- running

    @staticmethod
    def _filter_sql(filters: Filters) -> tuple[str, list]:
        clauses, args = [], []
        if filters.council:
            clauses.append("s.council_slug = ?")
            args.append(ids.council_slug(filters.council))
        if filters.kind:
            clauses.append("s.kind = ?")
            args.append(filters.kind.strip().lower())
        if filters.date_from:
            clauses.append("s.date >= ?")
            args.append(filters.date_from)
        if filters.date_to:
            clauses.append("s.date <= ?")
            args.append(filters.date_to if len(filters.date_to) > 4 else f"{filters.date_to}-12-31")
        if filters.decisions_only:
            clauses.append("s.has_decision")
        return "".join(f" AND {c}" for c in clauses), args

    def _where(self, query: str, root: AllOf, filters: Filters, terms: str = "s.terms") -> tuple[str, list]:
        sql, args = f"{terms} @@ ?::tsquery", [query]
        more, more_args = self._filter_sql(filters)
        sql += more
        args += more_args
        exclude = self.exclusion(root)
        if exclude is not None:
            sql += " AND NOT s.terms @@ ?::tsquery"
            args.append(exclude)
        return sql, args

    def _loose_where(self, loose: str, root: AllOf, filters: Filters) -> tuple[str, list]:
        """The WHERE of the loose matches: a decision-only query looks in the strong fields
        (title, case number, decision: the index `item_search_strong`), any other in all."""
        return self._where(loose, root, filters, STRONG_TERMS if filters.decisions_only else "s.terms")

    def count(self, root: AllOf, filters: Filters) -> int:
        query = self.compile(root, filters)
        if query is None:
            return 0
        loose = self.compile(root, filters, loose=True)
        window = self.settings.candidate_window
        with _index_scans(self.conn):
            if loose == query:
                where, args = self._where(query, root, filters)
                return self._matches(where, args, self.settings.count_cap)
            where, args = self._loose_where(loose, root, filters)
            if self._matches(where, args, window + 1) > window:
                return self._matches(where, args, self.settings.count_cap)  # the loose matches
            return self.conn.execute(  # the exact matches among the loose ones
                f"SELECT COUNT(*) FILTER (WHERE s.terms @@ ?::tsquery) FROM (SELECT s.terms FROM "
                f"item_search s WHERE {where}) s", (query, *args)).fetchone()[0]

    def _matches(self, where: str, args: list, cap: int) -> int:
        """How many items match, up to `cap`."""
        return self.conn.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM item_search s WHERE {where} LIMIT ?) m",
            (*args, cap)).fetchone()[0]

    def _rank(self) -> str:
        d, c, b, a = self.settings.rank_weights
        return f"ts_rank('{{{d:g},{c:g},{b:g},{a:g}}}'::float4[], s.terms, ?::tsquery, 1)"

    _COLUMNS = "s.item_id, s.document_id, s.council, s.kind, s.date, s.year, s.position"

    def _exact_rows(self, query: str, loose: str, strong: str | None, root: AllOf, filters: Filters,
                    sort: str, limit: int) -> tuple[list, int, dict]:
        """(top rows, total, facet counts) of the items matching every part.

        Matching is two-step when the exact query needs a recheck (field weights, phrases,
        compound parts in one field): the loose query (`compile(loose=True)`) finds the
        candidates from the GIN index alone, and the exact query is tried on at most
        `candidate_window` of them. Up to that many loose matches, total and facets are
        exact; above it they count the loose matches (up to `count_cap`), and the ranked
        items are the exact matches among the window (the strong ones first)."""
        cap, window = self.settings.count_cap, self.settings.candidate_window
        if sort != "relevance":
            where, args = self._where(query, root, filters)
            total, facets = self._counted(where, args, cap)
            direction = "DESC" if sort == "date" else "ASC"
            rows = self.conn.execute(
                f"SELECT {self._COLUMNS}, 0.0 AS score FROM item_search s WHERE {where} "
                f"ORDER BY s.date {direction}, s.document_id, s.position LIMIT ?", (*args, limit)).fetchall()
            return rows, total, facets
        two_step = loose != query
        where, args = self._loose_where(loose, root, filters) if two_step else self._where(query, root, filters)
        if two_step and self._matches(where, args, window + 1) <= window:
            rows = self.conn.execute(
                f"SELECT {self._COLUMNS}, s.terms @@ ?::tsquery AS ok, {self._rank()} AS score "
                f"FROM (SELECT * FROM item_search s WHERE {where} LIMIT ?) s",
                (query, query, *args, window + 1)).fetchall()
            # every loose match is here: exact totals and ranking
            matched = [r for r in rows if r["ok"]]
            matched.sort(key=lambda r: (-r["score"], r["document_id"], r["position"]))
            return matched[:limit], len(matched), _facets(matched)
        total, facets = self._counted(where, args, cap)
        if total <= window or strong is None:
            candidates = f"SELECT s.item_id FROM item_search s WHERE {where} LIMIT ?"
            candidate_args = [*args, window]
        else:  # broad words: the strong matches first, then any, `window` in all
            strong_where, strong_args = self._where(strong, root, filters, STRONG_TERMS)
            candidates = (f"SELECT c.item_id FROM ((SELECT s.item_id, 0 AS tier FROM item_search s "
                          f"WHERE {strong_where} LIMIT ?) UNION ALL (SELECT s.item_id, 1 AS tier "
                          f"FROM item_search s WHERE {where} LIMIT ?)) c "
                          f"GROUP BY c.item_id ORDER BY MIN(c.tier), c.item_id LIMIT ?")
            candidate_args = [*strong_args, window, *args, window, window]
        exact, exact_args = (" AND s.terms @@ ?::tsquery", [query]) if two_step else ("", [])
        # only the candidates' tsvectors are read (checked and ranked precisely)
        rows = self.conn.execute(
            f"SELECT {self._COLUMNS}, {self._rank()} AS score FROM item_search s "
            f"WHERE s.item_id IN ({candidates}){exact} ORDER BY score DESC, s.document_id, s.position LIMIT ?",
            (query, *candidate_args, *exact_args, limit)).fetchall()
        return rows, total, facets

    def _counted(self, where: str, args: list, cap: int) -> tuple[int, dict[str, dict[str, int]]]:
        """(matching items, facet counts) over at most `cap` matching items, counted in SQL."""
        columns = ", ".join(f"s.{c}" for c in FACET_COLUMNS.values())
        rows = self.conn.execute(
            f"SELECT {', '.join(FACET_COLUMNS.values())}, COUNT(*) AS n FROM "
            f"(SELECT {columns} FROM item_search s WHERE {where} LIMIT ?) m "
            f"GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in FACET_COLUMNS.values())})",
            (*args, cap)).fetchall()
        groups: dict[str, dict[str, int]] = {name: {} for name in FACET_COLUMNS}
        for r in rows:
            for name, column in FACET_COLUMNS.items():
                if r[column] is not None:  # the grouping set of this column
                    groups[name][r[column]] = r["n"]
        first = next(iter(FACET_COLUMNS))
        return sum(groups[first].values()), groups

    def _relaxed_rows(self, root: AllOf, filters: Filters, exact_ids: set[str], relax_below: int,
                      have: int) -> tuple[list[tuple], int, int] | None:
        """Items holding some of the positive parts, as `KeywordSearcher._relaxed` ranks them:
        the minimum number of parts relaxes stepwise until `relax_below` items match."""
        weights = DECISION if filters.decisions_only else ANY_FIELD
        clauses = [q for q in (self._node(p, weights, weights == ANY_FIELD) for p in root.parts
                               if not isinstance(p, Not)) if q is not None]
        n = len(clauses)
        if n < 2:
            return None
        where, args = self._where(_any(clauses), root, filters)
        matched_sql = " + ".join("(s.terms @@ ?::tsquery)::int" for _ in clauses)
        score_sql = " + ".join(self._rank() for _ in clauses)
        rows = self.conn.execute(
            f"SELECT {self._COLUMNS}, {matched_sql} AS matched, {score_sql} AS score "
            f"FROM (SELECT * FROM item_search s WHERE {where} LIMIT ?) s",
            (*clauses, *clauses, *args, self.settings.candidate_window)).fetchall()
        rows = [r for r in rows if r["item_id"] not in exact_ids]
        minimum = n - 1
        while minimum > 1 and have + sum(1 for r in rows if r["matched"] >= minimum) < relax_below:
            minimum -= 1
        kept = [(r, r["score"] * r["matched"] / n) for r in rows if r["matched"] >= minimum]
        return kept, minimum, n

    def search(self, root: AllOf, filters: Filters, *, sort: str = "relevance", limit: int = 10,
               facets: bool = True, relax_below: int = 0) -> KeywordResults | None:
        self._terms, self._folded, self._prefixes = set(), set(), []
        query = self.compile(root, filters)
        if query is None:
            return None
        highlight_state = (set(self._terms), set(self._folded), list(self._prefixes))
        loose = self.compile(root, filters, loose=True) or query
        # the strong tier, matched loosely (checked exactly after)
        strong = None if filters.decisions_only else self._loose_node(root, folded=False)
        self._terms, self._folded, self._prefixes = highlight_state
        limit = max(1, limit)
        with _index_scans(self.conn):
            rows, total, groups = self._exact_rows(query, loose, strong, root, filters, sort, limit)
        exact_count = total
        scored = [(r, float(r["score"])) for r in rows]
        min_match, parts = 0, 0
        if relax_below and exact_count < relax_below:
            exact_ids = {r["item_id"] for r in rows}
            relaxed = self._relaxed_rows(root, filters, exact_ids, relax_below, exact_count)
            if relaxed is not None and relaxed[0]:
                extra, min_match, parts = relaxed
                if sort == "relevance":
                    extra.sort(key=lambda rs: (-rs[1], rs[0]["document_id"], rs[0]["position"]))
                else:
                    extra.sort(key=lambda rs: (rs[0]["document_id"], rs[0]["position"]))
                    extra.sort(key=lambda rs: rs[0]["date"], reverse=sort == "date")
                scored = (scored + [(r, s if sort == "relevance" else 0.0) for r, s in extra])[:limit]
                total += len(extra)
                for r, _s in extra:
                    for name, column in FACET_COLUMNS.items():
                        groups[name][r[column]] = groups[name].get(r[column], 0) + 1
        hits = [KeywordHit(r["item_id"], r["document_id"], s if sort == "relevance" else 0.0,
                           {"item_id": r["item_id"], "document_id": r["document_id"], "council_name": r["council"],
                            "kind": r["kind"], "date": r["date"], "year": r["year"], "position": r["position"]})
                for r, s in scored[:limit]]
        highlight = Highlight(frozenset(self._terms), frozenset(self._folded), tuple(self._prefixes))
        return KeywordResults(hits, total, groups if facets else {}, highlight,
                              exact=exact_count if min_match else -1, min_match=min_match, parts=parts)


def _facets(rows) -> dict[str, dict[str, int]]:
    """Facet counts of rows, as `PostgresKeywordSearcher._counted` gives them in SQL."""
    groups: dict[str, dict[str, int]] = {name: {} for name in FACET_COLUMNS}
    for r in rows:
        for name, column in FACET_COLUMNS.items():
            if r[column] is not None:
                groups[name][r[column]] = groups[name].get(r[column], 0) + 1
    return groups
