"""The keyword index: a thin adapter around Whoosh (whoosh-reloaded 2.7.5).

The read side of the keyword engine: this package (with `archive.keyword.analyzer`) and the
indexer's one writer, `indexer/keyword_index.py`, are all that import whoosh, and this module
alone uses Whoosh internals, so the engine can be swapped. It never writes: it defines what an
index holds (`build_schema`, `item_fields`, `IndexMeta`, the derived data) and searches it; the
indexer decides when to write and writes. The index is derived data, rebuilt from the SQLite
archive at any time:

    <root>/index/CURRENT        name of the live index directory (replaced with os.replace)
    <root>/index/kw-<stamp>/    Whoosh segment files, WRITELOCK, and beside them
        decompound.json         the decompounding dictionary (the archive's word counts)
        kkr-index.json          format, compound handling on/off, vocabulary growth
        kkr-derived.json        stem vocabulary and facet values of the latest generation
                                (an optional cache for fast opening; rewritten by sync)
        WRITER.pid              pid of the process writing; left behind only by a crash

One Whoosh document per agenda item. Searchable fields: title, case number, decision
(Beslutning), recommendation (Indstilling), body (Baggrund, Sagsfremstilling, Bilag) and a
folded copy of everything ("å"->"aa", "æ"->"ae", "ø"->"oe") for ASCII-typed queries.

Searching builds a Whoosh query tree but evaluates it with numpy over the whole index
(`_Evaluator`): the same BM25F scores as Whoosh's matchers, exact totals and facet counts,
at a fraction of the cost of Whoosh's per-document matcher calls. The opened index, its
searcher and derived arrays are kept in the process's `Runtime` (`OpenIndexes`) and
refreshed when the index changes.
"""
from __future__ import annotations

import bisect
import json
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length
from whoosh.filedb.filestore import FileStorage
from whoosh.fields import BOOLEAN, ID, STORED, TEXT, Schema

from archive.storage import ids
from archive.keyword.analyzer import DanishAnalyzer
from archive.text.analysis import Analysis, Decompounder, Term, fold, normalise_text
from archive.storage.layout import ArchivePaths
from archive.storage.model import Item
from archive.text.query import AllOf, AnyOf, Node, Not, Phrase, QueryWord

INDEX_FORMAT = 2  # 2: DanishAnalyzer pickled from archive.keyword.analyzer
DICTIONARY_FILE = "decompound.json"
META_FILE = "kkr-index.json"
WRITER_FILE = "WRITER.pid"
# Derived from one index generation for fast opening: the stem vocabulary (sorted forwards
# and reversed, for compound expansion) and the facet value of every document. Rewritten by
# every sync; readers of another generation ignore it and compute the same from the index.
DERIVED_FILE = "kkr-derived.json"

# Field weights: title and decision over recommendation over the rest.
FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "case": 3.0,
    "decision": 3.0,
    "recommendation": 2.0,
    "body": 1.0,
}
FOLDED_FIELD = "folded"
# The folded field backs up the exact fields: weak while the exact term is indexed (spelling
# variants in the documents), strong when only the folded form is ("paedagog" typed in ASCII).
FOLDED_BOOST = 0.3
FOLDED_ONLY_BOOST = 3.0
COMPOUND_PARTS_BOOST = 0.6  # "kvindekrisecenter" matched through "kvinde" + "krisecenter"
COMPOUND_EXPANSION_BOOST = 0.7  # "herberg" matched through "herbergspladser" (query side)
BODY_BLOCKS = ("Baggrund", "Sagsfremstilling", "Bilag")



class KeywordIndexError(RuntimeError):
    """The index cannot be used; the message says what to do."""


class KeywordIndexMissing(KeywordIndexError):
    pass


def build_schema(*, compounds: bool = True) -> Schema:
    def text(stored: bool = False) -> TEXT:
        return TEXT(analyzer=DanishAnalyzer(compounds=compounds), phrase=True, stored=stored)

    return Schema(
        item_id=ID(stored=True, unique=True),
        document_id=ID(stored=True),
        sha256=ID(stored=True),
        council=ID(stored=True),  # slug, for filtering
        council_name=ID(stored=True),  # display name, for facets
        kind=ID(stored=True),
        date=ID(stored=True, sortable=True),  # ISO date: sorts and ranges as text
        year=ID(stored=True),
        number=STORED,
        position=STORED,
        has_decision=BOOLEAN(stored=True),
        title=text(stored=True),
        case=text(),
        decision=text(),
        recommendation=text(),
        body=text(),
        folded=TEXT(analyzer=DanishAnalyzer(folded=True, compounds=compounds), phrase=True),
    )


# ---------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    council: str
    kind: str
    date: str
    sha256: str


def _block_text(item: Item, headings: Iterable[str]) -> str:
    wanted = set(headings)
    return "\n".join(p.text for b in item.blocks if b.heading in wanted for p in b.paragraphs)


def item_fields(item: Item, doc: DocumentInfo, position: int) -> dict:
    """The Whoosh document of one agenda item."""
    decision = _block_text(item, ["Beslutning"])
    everything = "\n".join([item.title, item.case_number] + [p.text for b in item.blocks for p in b.paragraphs])
    return {
        "item_id": item.id,
        "document_id": doc.id,
        "sha256": doc.sha256,
        "council": ids.slugify(doc.council),
        "council_name": doc.council,
        "kind": doc.kind,
        "date": doc.date,
        "year": doc.date[:4],
        "number": item.number,
        "position": position,
        "has_decision": bool(decision.strip()),
        "title": normalise_text(item.title),
        "case": item.case_number,
        "decision": decision,
        "recommendation": _block_text(item, ["Indstilling"]),
        "body": _block_text(item, BODY_BLOCKS),
        FOLDED_FIELD: everything,
    }


# ---------------------------------------------------------------------------- the index


@dataclass
class IndexMeta:
    """kkr-index.json: what the writer recorded about the index it built."""

    compounds: bool
    words_at_build: int
    words_added: int = 0
    format: int = INDEX_FORMAT
    built: str = ""

    @classmethod
    def read(cls, directory: Path) -> "IndexMeta | None":
        try:
            data = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1)


class KeywordIndex:
    """The keyword index of one archive. Cheap to construct; opens files on demand.

    `opened` is where opened indexes are kept between calls: the process's
    `Runtime.keyword_indexes`; without it every searcher opens the index afresh."""

    def __init__(self, paths: ArchivePaths, *, compounds: bool = True, opened: "OpenIndexes | None" = None):
        self.paths = paths
        self.compounds = compounds
        self.opened = opened if opened is not None else OpenIndexes()

    # -- locating the live directory

    def current_dir(self) -> Path | None:
        try:
            name = self.paths.index_pointer.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if not name or "/" in name or name.startswith("."):
            return None
        directory = self.paths.index_root / name
        if directory in self.opened and directory.is_dir():
            return directory  # opened before: skip Whoosh's check, which opens the index
        meta = IndexMeta.read(directory)
        if meta is not None and meta.format != INDEX_FORMAT:
            return None  # written by another release (its schema may not unpickle): reindex
        if not whoosh_index.exists_in(str(directory)):
            return None
        return directory

    def exists(self) -> bool:
        return self.current_dir() is not None

    def usable(self, directory: Path | None) -> tuple[bool, str]:
        """Whether the writer may update `directory` in place, or why it must rebuild."""
        if directory is None:
            return False, "no index"
        meta = IndexMeta.read(directory)
        if meta is None or meta.format != INDEX_FORMAT:
            return False, "index format changed"
        if meta.compounds != self.compounds:
            return False, "compound handling switched " + ("on" if self.compounds else "off")
        if not (directory / DICTIONARY_FILE).exists():
            return False, "decompounding dictionary missing"
        return True, ""

    # -- reading

    @contextmanager
    def searcher(self) -> Iterator["KeywordSearcher"]:
        """A searcher on the live index. The opened Whoosh searcher and its caches are kept
        in `self.opened` and reopened when the index directory or its generation changes; a
        searcher in use keeps answering from the version it opened."""
        directory = self.current_dir()
        if directory is None:
            raise KeywordIndexMissing(
                "Søgeindekset mangler. Kør 'kkr-arkiv reindex' for at genopbygge det."
            )
        opened = self.opened.open(directory)
        with opened.lock:  # Whoosh readers share file positions: one query at a time
            yield KeywordSearcher(opened.searcher(), opened)


# ---------------------------------------------------------------------------- searching


class _OpenIndex:
    """One opened index version with everything derived from it that queries reuse: the
    Whoosh searcher, the stem vocabulary, compound expansions and per-document arrays
    (field lengths, facet values, dates) for the vectorised evaluator."""

    def __init__(self, ix, analysis: Analysis, decompounder: Decompounder, generation: int,
                 directory: Path, dictionary_stamp: int = 0):
        self.ix = ix
        self.directory = directory
        self.dictionary_stamp = dictionary_stamp
        self.analysis = analysis
        self.decompounder = decompounder
        self.generation = generation
        self.lock = threading.RLock()
        self._searcher = None
        self._stems: frozenset[str] | None = None
        self._sorted_stems: list[str] | None = None
        self._reversed_stems: list[str] | None = None
        self._expansions: dict[str, list[str]] = {}
        self.arrays: _DocArrays | None = None

    def searcher(self):
        if self._searcher is None:
            searcher = self.ix.searcher()
            arrays = _DocArrays(searcher)
            derived = read_derived(self.directory, self.generation)
            if derived is not None and derived.get("doc_count_all") == arrays.size:
                self._sorted_stems = derived["stems"]
                self._reversed_stems = derived["reversed"]
                self._stems = frozenset(self._sorted_stems)
                for fieldname, facet in derived["facets"].items():
                    arrays._codes[fieldname] = (facet["values"], np.array(facet["codes"], dtype=np.int64))
            self._searcher, self.arrays = searcher, arrays
        return self._searcher

    def stems(self) -> frozenset[str]:
        """Every indexed term of the main fields (for query-side compound expansion)."""
        if self._stems is None:
            self._stems = frozenset(_stem_vocabulary(self.searcher()))
        return self._stems

    def compounds_with(self, term: str) -> list[str]:
        """`Decompounder.compounds_with(term, stems())`, looked up in sorted lists of the
        stems (forwards for compounds starting with `term`, reversed for those ending in it)
        instead of scanning every stem."""
        found = self._expansions.get(term)
        if found is None:
            if self._sorted_stems is None:
                self._sorted_stems = sorted(self.stems())
                self._reversed_stems = sorted(t[::-1] for t in self._sorted_stems)
            candidates = set(_with_prefix(self._sorted_stems, term))
            candidates.update(t[::-1] for t in _with_prefix(self._reversed_stems, term[::-1]))
            found = self.decompounder.compounds_with(term, sorted(candidates))
            self._expansions[term] = found
        return found


def _stem_vocabulary(searcher) -> set[str]:
    terms: set[str] = set()
    reader = searcher.reader()
    for name in FIELD_BOOSTS:
        terms.update(t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(name))
    return terms


def derived_data(directory: Path) -> str:
    """DERIVED_FILE's content for the index's latest generation (the writer writes it)."""
    ix = FileStorage(str(directory), supports_mmap=False).open_index()
    generation = ix.latest_generation()
    with ix.searcher() as searcher:
        stems = sorted(_stem_vocabulary(searcher))
        arrays = _DocArrays(searcher)
        facets = {}
        for fieldname in FACET_FIELDS.values():
            values, codes = arrays.codes(fieldname)
            facets[fieldname] = {"values": values, "codes": codes.tolist()}
        data = {"generation": generation, "doc_count_all": arrays.size, "stems": stems,
                "reversed": sorted(t[::-1] for t in stems), "facets": facets}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def read_derived(directory: Path, generation: int) -> dict | None:
    try:
        data = json.loads((directory / DERIVED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generation") != generation:
        return None
    return data


def _dictionary_stamp(directory: Path) -> int:
    try:
        return (directory / DICTIONARY_FILE).stat().st_mtime_ns
    except OSError:
        return 0


def _with_prefix(sorted_terms: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(sorted_terms, prefix)
    end = bisect.bisect_left(sorted_terms, prefix + "\U0010ffff")
    return sorted_terms[start:end]


class OpenIndexes:
    """Opened index versions by directory, with what queries derived from them: per-process
    state, held by the `Runtime` (archive/runtime.py) and shared by its threads."""

    def __init__(self):
        self._by_directory: dict[str, _OpenIndex] = {}
        self._lock = threading.Lock()

    def __contains__(self, directory: Path) -> bool:
        return str(directory) in self._by_directory

    def __len__(self) -> int:
        return len(self._by_directory)

    def open(self, directory: Path) -> _OpenIndex:
        key = str(directory)
        with self._lock:
            cached = self._by_directory.get(key)
            stamp = _dictionary_stamp(directory)  # sync saves the dictionary after its commit
            if (cached is not None and cached.generation == cached.ix.latest_generation()
                    and cached.dictionary_stamp == stamp):
                return cached
            # Without mmap Whoosh reads the segment through file reads; with it, it copies every
            # file of the segment (postings: most of the index) into memory at each open.
            ix = FileStorage(key, supports_mmap=False).open_index()
            meta = IndexMeta.read(directory)
            decompounder = Decompounder.load(directory / DICTIONARY_FILE)
            compounds = meta.compounds if meta else True
            opened = _OpenIndex(ix, Analysis(decompounder, compounds=compounds), decompounder,
                                ix.latest_generation(), directory, stamp)
            # forget other versions of the same index (a searcher still using one keeps it alive)
            for other in [k for k in self._by_directory if Path(k).parent == directory.parent]:
                del self._by_directory[other]
            self._by_directory[key] = opened
            return opened


# ---------------------------------------------------------------------------- evaluation

FACET_FIELDS = {"council": "council_name", "year": "year", "kind": "kind"}
MAX_CACHED_POSTINGS = 1_000_000  # per opened index, about 16 MB
_BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)


class _DocArrays:
    """Per-document arrays of one searcher (global document numbers): alive (not deleted),
    field lengths for BM25F, facet value codes and the date sort order. Built lazily."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.leaves = list(searcher.leaf_searchers())
        self.size = searcher.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[list[str], np.ndarray]] = {}
        self._alive: np.ndarray | None = None
        # term -> (global docnums, unboosted scores): repeated words, paging and facet
        # clicks re-run the same terms. Bounded by the number of postings held.
        self._postings: OrderedDict[tuple[str, bytes, bool], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._postings_held = 0

    def cached_term(self, key: tuple[str, bytes, bool]):
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
        return found

    def cache_term(self, key: tuple[str, bytes, bool], value: tuple[np.ndarray, np.ndarray]) -> None:
        self._postings[key] = value
        self._postings_held += value[0].size
        while self._postings_held > MAX_CACHED_POSTINGS and len(self._postings) > 1:
            _key, (ids, _scores) = self._postings.popitem(last=False)
            self._postings_held -= ids.size

    def alive(self) -> np.ndarray:
        if self._alive is None:
            alive = np.ones(self.size, dtype=bool)
            for sub, offset in self.leaves:
                reader = sub.reader()
                if reader.has_deletions():
                    n = reader.doc_count_all()
                    alive[offset:offset + n] = False
                    alive[np.fromiter(reader.all_doc_ids(), dtype=np.int64) + offset] = True
            self._alive = alive
        return self._alive

    def lengths(self, fieldname: str) -> np.ndarray:
        """Field lengths as Whoosh's scorer sees them (byte-encoded, 1 when absent)."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = np.ones(self.size, dtype=np.float64)
            for sub, offset in self.leaves:
                reader = sub.reader()
                n = reader.doc_count_all()
                found[offset:offset + n] = _field_lengths(reader, fieldname, n)
            self._lengths[fieldname] = found
        return found

    def codes(self, fieldname: str) -> tuple[list[str], np.ndarray]:
        """The field's values in sorted order and each document's value index (-1: none)."""
        found = self._codes.get(fieldname)
        if found is None:
            field_obj = self.searcher.schema[fieldname]
            values: list[str] = []
            codes = np.full(self.size, -1, dtype=np.int64)
            reader = self.searcher.reader()
            for btext in reader.lexicon(fieldname):
                code = len(values)
                values.append(field_obj.from_bytes(btext))
                ids = _all_ids(self, fieldname, btext)
                codes[ids] = code
            found = (values, codes)
            self._codes[fieldname] = found
        return found


def _field_lengths(reader, fieldname: str, n: int) -> np.ndarray:
    """`reader.doc_field_length(d, fieldname, 1)` for every document of a segment, read
    from Whoosh 3's length column in one go (byte-encoded lengths), or one by one when the
    reader is of another kind."""
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return np.ones(n, dtype=np.float64)
        if column._fixedlen != 1:
            raise TypeError("unexpected length column")
        count = min(column._count, n)
        encoded = np.zeros(n, dtype=np.uint8)
        encoded[:count] = np.frombuffer(bytes(column._dbfile.get(column._basepos, count)), dtype=np.uint8)
        lengths = _BYTE_TO_LENGTH[encoded]
        lengths[encoded == 0] = 1.0
        return lengths
    except (AttributeError, ImportError, TypeError):
        return np.fromiter((reader.doc_field_length(d, fieldname, 1) or 1 for d in range(n)),
                           dtype=np.float64, count=n)


def _read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and weights of a term's postings, block by block (Whoosh's leaf
    matcher), or posting by posting for other matchers."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deletions are applied by the caller
    ids: list = []
    weights: list = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32).astype(np.float64)


def _all_ids(arrays: _DocArrays, fieldname: str, btext: bytes) -> np.ndarray:
    parts = []
    for sub, offset in arrays.leaves:
        reader = sub.reader()
        if (fieldname, btext) in reader:
            ids, _ = _read_postings(reader.postings(fieldname, btext))
            parts.append(ids + offset)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


class _Evaluator:
    """Evaluates a Whoosh query over the whole index at once with numpy: every node gives a
    boolean array of matching documents and a float array of scores. Scores are Whoosh's
    BM25F scores for the same query (sum over matched leaves of the leaf's score times the
    boosts above it; an And matches where all its parts do). Term, Or and And are evaluated
    here; anything else (phrases, prefixes, ranges) runs Whoosh's own matcher."""

    def __init__(self, searcher, arrays: _DocArrays):
        self.searcher = searcher
        self.arrays = arrays
        self.size = arrays.size
        self.weighting = searcher.weighting

    def run(self, query, *, scored: bool = True) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._eval(query, scored)
        mask = mask & self.arrays.alive()
        return mask, scores

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float64)

    def _eval(self, query, scored: bool) -> tuple[np.ndarray, np.ndarray]:
        kind = type(query)
        if kind is wq.Term:
            mask, scores = self._term(query, scored)
        elif kind in (wq.Or, wq.And):
            subs = query.subqueries
            if not subs:
                return self._empty()
            if len(subs) == 1:  # Whoosh ignores the boost of a one-part compound
                return self._eval(subs[0], scored)
            results = [self._eval(q, scored) for q in subs]
            mask = results[0][0].copy()
            scores = results[0][1].copy()
            for m, sc in results[1:]:
                if kind is wq.Or:
                    mask |= m
                else:
                    mask &= m
                scores += sc
            if kind is wq.And:
                scores[~mask] = 0.0
            if query.boost != 1.0:
                scores *= query.boost
            return mask, scores
        else:
            mask, scores = self._whoosh(query, scored)
        return mask, scores

    def _term(self, query, scored: bool) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._empty()
        schema = self.searcher.schema
        fieldname = query.fieldname
        if fieldname not in schema:
            return mask, scores
        field_obj = schema[fieldname]
        try:
            btext = field_obj.to_bytes(query.text)
        except ValueError:
            return mask, scores
        key = (fieldname, btext, scored)
        found = self.arrays.cached_term(key)
        if found is None:
            found = self._postings(fieldname, btext, field_obj.scorable, scored)
            self.arrays.cache_term(key, found)
        ids, values = found
        mask[ids] = True
        if scored:
            scores[ids] = values * query.boost if query.boost != 1.0 else values
        return mask, scores

    def _postings(self, fieldname: str, btext: bytes, scorable: bool,
                  scored: bool) -> tuple[np.ndarray, np.ndarray]:
        """Global docnums of a term and their unboosted scores (Whoosh's BM25F)."""
        all_ids, all_values = [], []
        for sub, offset in self.arrays.leaves:
            reader = sub.reader()
            if (fieldname, btext) not in reader:
                continue
            ids, weights = _read_postings(reader.postings(fieldname, btext))
            ids += offset
            all_ids.append(ids)
            if not scored:
                continue
            if scorable:
                scorer = self.weighting.scorer(sub, fieldname, btext)
                idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
                fl = self.arrays.lengths(fieldname)[ids]
                # bm25() of whoosh.scoring, term for term
                all_values.append(idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl))))
            else:
                all_values.append(weights)
        ids = np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int64)
        values = np.concatenate(all_values) if all_values else np.zeros(0, dtype=np.float64)
        return ids, values

    def _whoosh(self, query, scored: bool) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._empty()
        for sub, offset in self.arrays.leaves:
            matcher = query.matcher(sub, self.searcher.context())
            while matcher.is_active():
                docnum = offset + matcher.id()
                mask[docnum] = True
                if scored:
                    scores[docnum] = matcher.score()
                matcher.next()
        return mask, scores


@dataclass(frozen=True)
class Filters:
    council: str | None = None  # slug or display name
    kind: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    decisions_only: bool = False


@dataclass(frozen=True)
class Highlight:
    """What to mark in a snippet: index terms, folded terms and prefixes of the query."""

    terms: frozenset[str]
    folded: frozenset[str]
    prefixes: tuple[str, ...]


@dataclass
class KeywordHit:
    item_id: str
    document_id: str
    score: float
    fields: dict


@dataclass
class KeywordResults:
    hits: list[KeywordHit]
    total: int
    facets: dict[str, dict[str, int]]
    highlight: Highlight
    exact: int = -1  # items matching every part (AND); -1: the same as total (no relaxation)
    min_match: int = 0  # parts an item had to match in a relaxed search; 0: all (exact AND)
    parts: int = 0  # significant parts of the query

    @property
    def relaxed(self) -> bool:
        return self.min_match > 0


class KeywordSearcher:
    """Query building (engine-neutral tree -> Whoosh query) and searching."""

    def __init__(self, searcher, opened: _OpenIndex):
        self.searcher = searcher
        self.opened = opened
        self.analysis = opened.analysis
        self._terms: set[str] = set()
        self._folded: set[str] = set()
        self._prefixes: list[str] = []

    # -- vocabulary (spelling suggestions)

    def words(self) -> dict[str, int]:
        """Surface words of the archive with their counts."""
        return self.opened.decompounder.words

    def term_matches(self, word: str) -> bool:
        """True when `word` as a query word finds something. Answered from the term
        lexicon where it can be (the word's term, its expansions or its folded form is
        indexed); compound parts and multi-term words are counted."""
        try:
            terms = self.analysis.terms(word)
        except ValueError:
            return False
        if not terms:
            return False
        reader = self.searcher.reader()
        if len(terms) == 1 and not reader.has_deletions():
            term = terms[0]
            fields = list(FIELD_BOOSTS)
            if any((name, term.text) in reader for name in fields):
                return True
            if (FOLDED_FIELD, term.folded) in reader:
                return True
            if self._expansions(term):  # expansions are indexed terms of the main fields
                return True
            if not term.query_parts or not any(
                all((name, p) in reader for p in term.query_parts) for name in fields
            ):
                return False
        try:
            return self.count(AllOf((QueryWord(word),)), Filters()) > 0
        except ValueError:
            return False

    def doc_count(self) -> int:
        """Items in the index."""
        return self.searcher.doc_count()

    def doc_frequency(self, term: str) -> int:
        """Items holding `term` in their most frequent main field (question answering's IDF)."""
        reader = self.searcher.reader()
        return max((reader.doc_frequency(name, term) for name in FIELD_BOOSTS), default=0)

    # -- compiling

    def compile(self, root: AllOf, filters: Filters):
        fields = ["decision"] if filters.decisions_only else list(FIELD_BOOSTS)
        folded = None if filters.decisions_only else FOLDED_FIELD
        return self._node(root, fields, folded)

    def _node(self, node: Node, fields: list[str], folded: str | None):
        if isinstance(node, QueryWord):
            return self._word(node, fields, folded)
        if isinstance(node, Phrase):
            return self._phrase(node.text, fields, folded)
        if isinstance(node, AnyOf):
            options = [q for q in (self._node(o, fields, folded) for o in node.options) if q is not None]
            return wq.Or(options) if len(options) > 1 else (options[0] if options else None)
        if isinstance(node, AllOf):
            return self._all(node, fields, folded)
        return None  # a bare Not is handled by _all

    def _all(self, node: AllOf, fields: list[str], folded: str | None):
        positive = [self._node(p, fields, folded) for p in node.parts if not isinstance(p, Not)]
        positive = [q for q in positive if q is not None]
        if not positive:
            return None
        return wq.And(positive) if len(positive) > 1 else positive[0]

    def exclusion(self, root: AllOf):
        """The query for the excluded words (applied to every field, whatever the search is
        restricted to), or None. It is applied as a mask of document numbers: Whoosh's AndNot
        matcher drops exclusions on multi-segment indexes."""
        saved = (set(self._terms), set(self._folded), list(self._prefixes))
        negative = [self._node(p.node, list(FIELD_BOOSTS), FOLDED_FIELD) for p in root.parts if isinstance(p, Not)]
        self._terms, self._folded, self._prefixes = saved  # excluded words are not highlighted
        negative = [q for q in negative if q is not None]
        return wq.Or(negative) if negative else None

    def _word(self, word: QueryWord, fields: list[str], folded: str | None):
        if word.prefix:
            return self._prefix(word.text, fields, folded)
        terms = self.analysis.terms(word.text)
        if not terms:
            return None
        if len(terms) > 1:  # "Høje-Taastrup", "mama/jebj": the pieces in a row
            return self._phrase_terms(terms, fields, folded)
        return self._term(terms[0], fields, folded)

    def _term(self, term: Term, fields: list[str], folded: str | None):
        self._terms.add(term.text)
        self._folded.add(term.folded)
        expansions = self._expansions(term)
        self._terms.update(expansions)
        self._terms.update(term.query_parts)
        # a code typed in part ("2026-00541" of "SAG-2026-00541"): the index holds a code's
        # parts at its position, so every part of the typed code must be there
        code_parts = term.parts if term.word.code else ()
        self._terms.update(code_parts)
        alternatives = []
        for name in fields:
            options = [wq.Term(name, term.text)]
            if term.query_parts:
                options.append(wq.And([wq.Term(name, p) for p in term.query_parts], boost=COMPOUND_PARTS_BOOST))
            if code_parts:
                options.append(wq.And([wq.Term(name, p) for p in code_parts], boost=COMPOUND_PARTS_BOOST))
            options += [wq.Term(name, c, boost=COMPOUND_EXPANSION_BOOST) for c in expansions]
            alternatives.append(wq.Or(options, boost=FIELD_BOOSTS[name]) if len(options) > 1
                                else wq.Term(name, term.text, boost=FIELD_BOOSTS[name]))
        if folded:
            alternatives.append(wq.Term(folded, term.folded, boost=self._folded_boost(term.text)))
        return wq.Or(alternatives)

    def _folded_boost(self, text: str) -> float:
        return FOLDED_BOOST if text in self.opened.stems() else FOLDED_ONLY_BOOST

    def _expansions(self, term: Term) -> list[str]:
        if not self.analysis.compounds or term.word.code:
            return []
        return self.opened.compounds_with(term.text)

    def _prefix(self, text: str, fields: list[str], folded: str | None):
        lowered = normalise_text(text).lower()
        terms = self.analysis.terms(lowered)
        stem_text = terms[0].text if len(terms) == 1 else lowered
        self._prefixes.append(lowered)
        alternatives = [
            wq.Or([wq.Prefix(name, lowered), wq.Prefix(name, stem_text)], boost=FIELD_BOOSTS[name])
            for name in fields
        ]
        if folded:
            alternatives.append(wq.Prefix(folded, fold(lowered), boost=FOLDED_BOOST))
        return wq.Or(alternatives)

    def _phrase(self, text: str, fields: list[str], folded: str | None):
        terms = self.analysis.terms(text)
        if not terms:
            return None
        if len(terms) == 1:
            term = terms[0]
            self._terms.add(term.text)
            self._folded.add(term.folded)
            alternatives = [wq.Term(name, term.text, boost=FIELD_BOOSTS[name]) for name in fields]
            if folded:
                alternatives.append(wq.Term(folded, term.folded, boost=self._folded_boost(term.text)))
            return wq.Or(alternatives)
        return self._phrase_terms(terms, fields, folded)

    def _phrase_terms(self, terms: list[Term], fields: list[str], folded: str | None):
        self._terms.update(t.text for t in terms)
        self._folded.update(t.folded for t in terms)
        words = [t.text for t in terms]
        alternatives = [wq.Phrase(name, words, boost=FIELD_BOOSTS[name]) for name in fields]
        if folded:
            known = all(t.text in self.opened.stems() for t in terms)
            alternatives.append(wq.Phrase(folded, [t.folded for t in terms],
                                          boost=FOLDED_BOOST if known else FOLDED_ONLY_BOOST))
        return wq.Or(alternatives)

    @staticmethod
    def _filter(filters: Filters):
        parts = []
        if filters.council:
            parts.append(wq.Term("council", ids.council_slug(filters.council)))
        if filters.kind:
            parts.append(wq.Term("kind", filters.kind.strip().lower()))
        if filters.date_from or filters.date_to:
            parts.append(wq.TermRange("date", filters.date_from, filters.date_to))
        if filters.decisions_only:
            parts.append(wq.Term("has_decision", True))
        if not parts:
            return None
        return wq.And(parts) if len(parts) > 1 else parts[0]

    # -- running

    def _matches(self, root: AllOf, filters: Filters, query, *, scored: bool) -> tuple[np.ndarray, np.ndarray]:
        evaluator = _Evaluator(self.searcher, self._arrays())
        mask, scores = evaluator.run(query, scored=scored)
        restrict = self._filter(filters)
        if restrict is not None:
            mask &= evaluator.run(restrict, scored=False)[0]
        exclude = self.exclusion(root)
        if exclude is not None:
            mask &= ~evaluator.run(exclude, scored=False)[0]
        return mask, scores

    def _arrays(self) -> _DocArrays:
        arrays = self.opened.arrays
        if arrays is None or arrays.searcher is not self.searcher:
            arrays = _DocArrays(self.searcher)
        return arrays

    def count(self, root: AllOf, filters: Filters) -> int:
        query = self.compile(root, filters)
        if query is None:
            return 0
        mask, _ = self._matches(root, filters, query, scored=False)
        return int(np.count_nonzero(mask))

    def _relaxed(self, root: AllOf, filters: Filters, exact: np.ndarray, relax_below: int,
                 scored: bool) -> tuple[np.ndarray, np.ndarray, int, int] | None:
        """BM25 over the OR of the query's positive parts with a minimum-should-match that
        relaxes stepwise (n-1, n-2, ... 1 parts) until at least `relax_below` items match (or
        1 is reached). A part is a word (its compound parts included), a phrase or an OR
        group. Returns (mask of the relaxed items not in `exact`, their scores, minimum
        matched, number of parts), or None when the query has a single part."""
        fields = ["decision"] if filters.decisions_only else list(FIELD_BOOSTS)
        folded = None if filters.decisions_only else FOLDED_FIELD
        clauses = [q for q in (self._node(p, fields, folded) for p in root.parts if not isinstance(p, Not))
                   if q is not None]
        n = len(clauses)
        if n < 2:
            return None
        evaluator = _Evaluator(self.searcher, self._arrays())
        matched = np.zeros(evaluator.size, dtype=np.int32)
        total = np.zeros(evaluator.size, dtype=np.float64)
        for clause in clauses:
            mask, scores = evaluator.run(clause, scored=scored)
            matched += mask
            total += scores
        allowed = evaluator.arrays.alive().copy()
        restrict = self._filter(filters)
        if restrict is not None:
            allowed &= evaluator.run(restrict, scored=False)[0]
        exclude = self.exclusion(root)
        if exclude is not None:
            allowed &= ~evaluator.run(exclude, scored=False)[0]
        matched[~allowed] = 0
        have = int(np.count_nonzero(exact))
        minimum = n - 1
        while minimum > 1 and have + int(np.count_nonzero((matched >= minimum) & ~exact)) < relax_below:
            minimum -= 1
        mask = (matched >= minimum) & ~exact
        # coordination: an item matching more of the parts ranks above one matching fewer
        return mask, total * (matched / n), minimum, n

    def search(self, root: AllOf, filters: Filters, *, sort: str = "relevance", limit: int = 10,
               facets: bool = True, relax_below: int = 0) -> KeywordResults | None:
        """None when the query has nothing searchable left (only stop words, symbols).
        `total` and the facet counts are exact; hits are the first `limit` by score (ties:
        index order) or by date (ties: index order). When fewer than `relax_below` items
        match every part, items matching some of the parts follow the exact ones (see
        `_relaxed`); `min_match` of the result says so."""
        self._terms, self._folded, self._prefixes = set(), set(), []
        query = self.compile(root, filters)
        if query is None:
            return None
        scored = sort == "relevance"  # a sorted search carries sort keys, not scores
        mask, scores = self._matches(root, filters, query, scored=scored)
        exact_count = int(np.count_nonzero(mask))
        tier = np.zeros(mask.size, dtype=np.int8)
        min_match, parts = 0, 0
        if relax_below and exact_count < relax_below:
            relaxed = self._relaxed(root, filters, mask, relax_below, scored)
            if relaxed is not None and relaxed[0].any():
                extra, extra_scores, min_match, parts = relaxed
                tier[extra] = 1
                scores = np.where(extra, extra_scores, scores)
                mask = mask | extra
        docnums = np.flatnonzero(mask)
        limit = max(1, limit)
        if scored:
            order = np.lexsort((docnums, -scores[docnums], tier[docnums]))
        else:
            _values, dates = self._arrays().codes("date")
            keys = dates[docnums]
            order = np.lexsort((docnums, -keys if sort == "date" else keys, tier[docnums]))
        top = docnums[order[:limit]]
        hits = []
        for docnum in top.tolist():
            stored = self.searcher.stored_fields(docnum)
            hits.append(KeywordHit(stored["item_id"], stored["document_id"],
                                   float(scores[docnum]) if scored else 0.0, stored))
        groups = {}
        if facets:
            arrays = self._arrays()
            for name, fieldname in FACET_FIELDS.items():
                values, codes = arrays.codes(fieldname)
                picked = codes[docnums]
                counts = np.bincount(picked[picked >= 0], minlength=len(values))
                groups[name] = {values[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}
        highlight = Highlight(frozenset(self._terms), frozenset(self._folded), tuple(self._prefixes))
        return KeywordResults(hits, int(docnums.size), groups, highlight,
                              exact=exact_count if min_match else -1, min_match=min_match, parts=parts)
