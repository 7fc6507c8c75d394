"""Extractive question answering over the archive: no language model, offline.

`answer_question(archive, question, settings=...)`:

1. parses the question (`archive.answers.question`): topic, councils, period, intent; a
   question about a meeting itself (attendees, absent, place, time, its items) is answered
   from that meeting's own data (`archive.answers.meeting`) and cites the cover;
2. finds candidate items with keyword search (the topic words OR-ed) and passage embeddings
   (every passage scored against the question, when the archive holds vectors), restricted to
   the councils and period asked about;
3. scores every candidate item: lexical coverage of the topic (IDF-weighted, with the
   archive's Danish analysis: stems and compound parts) plus the semantic score of its best
   passage. Below `AnswerSettings.threshold` the archive has no answer: the answer says so
   and lists the nearest items;
4. groups the relevant items by meeting and agenda number (a referat replaces its
   dagsorden; a dagsorden without referat gives its Indstilling, labelled as a
   recommendation) and splits them into the evidence (cited: for a number/date/person
   question the items whose best sentence holds the asked-for type; for a decision or
   overview question one item per council and meeting) and "Se også" (related, not cited);
5. quotes the decisive sentence(s) of each item exactly as archived (verified as substrings
   of `Paragraph.text`, else dropped) with the page the sentence starts on; sentences are
   ranked by topic coverage, the asked-for type, the block (Beslutning) and the embedding
   score of their passage, with weights from `AnswerSettings`.
"""
from __future__ import annotations

import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from archive.text.analysis import fold, words as split_words
from archive.text.citation import body_label, cite, format_date_da
from archive.text.danish import ATTENDANCE_NOTE_RE, KIND_DEFINITE, MONTH_PATTERN, MONTHS
from archive.search.semantic import PassageHit
from archive.storage.model import Decision, Item, ItemRef, Paragraph
from archive.text.sentences import sentence_spans
from archive.answers.meeting import join_da, meeting_answer, meeting_question, possessive
from archive.answers.question import KNOWN_COUNCILS, ParsedQuestion, parse_question
from archive.settings import DEFAULT, AnswerSettings

# ---------------------------------------------------------------------------- settings

# Every weight and threshold lives in AnswerSettings (archive/settings.py); these names are the
# defaults, for the benchmarks that print them.
_DEFAULTS = DEFAULT.answer
THRESHOLD = _DEFAULTS.threshold
SEM_FLOOR, SEM_CEIL, SEM_WEIGHT = _DEFAULTS.sem_floor, _DEFAULTS.sem_ceil, _DEFAULTS.sem_weight

ORIENTATION_TITLE = re.compile(
    r"^\s*(?:orientering|drøftelse|status|afrapportering|opsamling|siden sidst|punkter til næste møde|"
    r"eventuelt|godkendelse af (?:referat|dagsorden)\b)", re.I)
DECISION_VERB = re.compile(
    r"\b(?:besluttede|godkendte|godkendt|vedtaget|fastsatte|vedtog|udpegede|valgte|tiltrådte|imødekom|anbefaler|"
    r"bemyndigede|gav [\w-]+ mandat|tilsluttede sig|fastsætter|godkender|udpeger)\b", re.I)
NOTED_ONLY = re.compile(r"\btog\b.*\btil efterretning\b", re.I)
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\w])|(?<![\w.,-])\d+(?:,\d+)?(?![\w-])")
MONTH_WORD = re.compile(rf"\b(?:{MONTH_PATTERN})\b", re.I)  # "med udgangen af maj måned", "7. april 2026"
DATE_EXPR = re.compile(rf"\b\d{{1,2}}\.\s*(?:{MONTH_PATTERN})(?:\s+\d{{4}})?\b", re.I)
PERSON = re.compile(r"\b(?:[Bb]orgmester|[Oo]verborgmester|[Dd]irektør|[Ff]ormand|[Nn]æstformand|"
                    r"[Kk]ommunalbestyrelsesmedlem|[Mm]edlem af Borgerrepræsentationen|[Rr]ektor|"
                    r"[Ii]nstitutleder|[Rr]egionsformand)\b|\([A-ZÆØÅ]\)")
NUMBER_WORDS = ("ingen", "én", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti")
# a count written in words ("fire virksomhedsrepræsentanter"); "en"/"et" are articles as often
NUMBER_WORD = re.compile(r"\b(?:to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|tyve|tredive|fyrre|halvtreds|"
                         r"hundrede|tusind|halvdelen|en tredjedel|en fjerdedel)\b", re.I)
ROLE_DA = {"decision": "beslutning", "recommendation": "indstilling (ikke en beslutning)",
           "orientation": "orientering/drøftelse", "nearest": "nærmeste punkt"}


# ---------------------------------------------------------------------------- results


@dataclass
class Quote:
    text: str
    page: int
    block: str


@dataclass
class Entry:
    ref: ItemRef
    role: str  # decision | recommendation | orientation | nearest
    score: float
    quotes: list[Quote] = field(default_factory=list)
    history: list[tuple[date, str]] = field(default_factory=list)  # the case's earlier dated decisions

    def citations(self) -> list[dict]:
        quotes = self.quotes or [Quote("", self.ref.page_first, "")]
        return [self._citation(q) for q in quotes]

    def _citation(self, quote: Quote) -> dict:
        r = self.ref
        page = quote.page or r.page_first
        return {
            "item_id": r.item_id, "document_id": r.document_id, "council": r.council,
            "authority": r.authority, "body": _body(r),
            "date": r.date.isoformat(), "kind": r.kind, "number": r.number, "title": r.title,
            "case": r.case_number, "page": page, "quote": quote.text, "block": quote.block,
            "role": self.role, "url": f"/punkt/{r.item_id}", "pdf_url": f"/pdf/{r.document_id}#page={page}",
            "cite": cite(r, pages=(page, page)),
        }

    def to_json(self) -> dict:
        r = self.ref
        return {
            "item_id": r.item_id, "council": r.council, "authority": r.authority, "body": _body(r),
            "date": r.date.isoformat(), "kind": r.kind,
            "number": r.number, "title": r.title, "case": r.case_number, "role": self.role,
            "role_label": ROLE_DA.get(self.role, self.role), "score": round(self.score, 4),
            "url": f"/punkt/{r.item_id}", "citations": self.citations(),
            "history": [{"date": d.isoformat(), "text": t} for d, t in self.history],
        }


@dataclass
class Answer:
    question: str
    parsed: ParsedQuestion
    found: bool
    lead: str
    entries: list[Entry] = field(default_factory=list)
    see_also: list[Entry] = field(default_factory=list)
    nearest: list[Entry] = field(default_factory=list)
    confidence: float = 0.0
    seconds: float = 0.0
    semantic: bool = False
    meeting_citations: list[dict] = field(default_factory=list)  # covers cited for a meeting question
    meeting_lines: list[str] = field(default_factory=list)

    @property
    def citations(self) -> list[dict]:
        """The evidence only: the quoted sentences that answer the question ("Se også" is not here)."""
        return self.meeting_citations + [c for e in self.entries for c in e.citations()]

    def answer_text(self) -> str:
        lines = [self.lead] + self.meeting_lines
        for n, entry in enumerate(self.entries, 1):
            lines += _entry_lines(entry, f"{n}. ")
        if self.see_also:
            lines.append("Se også:")
            for entry in self.see_also:
                lines += _entry_lines(entry, "- ")
        if self.nearest:
            lines.append("Nærmeste punkter i arkivet:")
            for entry in self.nearest:
                lines += _entry_lines(entry, "- ")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer_text(),
            "lead": self.lead,
            "found": self.found,
            "citations": self.citations,
            "entries": [e.to_json() for e in self.entries],
            "see_also_citations": [c for e in self.see_also for c in e.citations()],
            "details": [line.strip() for line in self.meeting_lines],
            "see_also": [e.to_json() for e in self.see_also],
            "nearest": [e.to_json() for e in self.nearest],
            "understood": {
                "topic": self.parsed.topic, "intent": self.parsed.intent,
                "councils": list(self.parsed.councils), "all_councils": self.parsed.all_councils,
                "period": self.parsed.period,
                "date_from": self.parsed.date_from.isoformat() if self.parsed.date_from else None,
                "date_to": self.parsed.date_to.isoformat() if self.parsed.date_to else None,
            },
            "confidence": round(self.confidence, 4),
            "semantic": self.semantic,
            "seconds": round(self.seconds, 4),
        }

    def as_text(self) -> str:
        return self.answer_text()


def _body(ref: ItemRef) -> str:
    return body_label(ref.council, ref.authority)


def _entry_lines(entry: Entry, bullet: str) -> list[str]:
    r = entry.ref
    head = (f"{bullet}{_body(r)}, {r.kind} {format_date_da(r.date)}, pkt. {r.number} \"{r.title}\" "
            f"({ROLE_DA.get(entry.role, entry.role)})")
    lines = [head]
    for q in entry.quotes:
        lines.append(f"   »{q.text}« ({cite(r, pages=(q.page, q.page))})")
    if not entry.quotes:
        lines.append(f"   ({cite(r)})")
    if entry.history:
        lines.append("   Før det i sagen: " + "; ".join(f"{format_date_da(d)}: »{t}«" for d, t in entry.history))
    return lines


# ---------------------------------------------------------------------------- topic terms


@dataclass
class _TopicTerm:
    stem: str
    folded: str
    parts: tuple[str, ...]
    weight: float
    surface: str
    constraint: bool = False  # narrows the asked-for thing (a noun, name or number of the question)
    head: bool = False  # what a number question counts (ParsedQuestion.head)


class _Matcher:
    """Matches the question's topic terms against text, with the archive's analysis."""

    def __init__(self, analysis, terms: list[_TopicTerm], settings: AnswerSettings = _DEFAULTS):
        self.analysis = analysis
        self.settings = settings  # the weights this question is scored with
        self.terms = terms
        self.total = sum(t.weight for t in terms) or 1.0
        # years named in the topic ("flygtningekvoter for 2027", "studieåret 2027-2028")
        self.years = sorted({y for t in terms for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", t.surface)})
        # the years the topic names, a range as all its years ("2027-2028": 2027 and 2028)
        self.topic_years = frozenset(y for t in terms for y in _years(t.surface))
        # the constraint terms an answer's sentence must hold (years are checked as years)
        self.constraints = [t for t in terms if t.constraint and not _years(t.surface)]
        self.constraint_weight = max((t.weight for t in self.constraints), default=1.0) or 1.0
        self.heads = [t for t in terms if t.head]
        self._cache: dict[str, dict[str, float]] = {}
        # cheap pre-test: a word can only match when it holds the first letters of a topic
        # stem or of one of its parts (stems are prefixes; parts may sit inside compounds)
        keys = {k[:4] for t in terms for k in (t.stem, *t.parts) if k}
        # a key typed in folded spelling ("paedagog") is also looked for in the folded text
        self._folded_keys = {k for k in keys if any(x in k for x in ("ae", "oe", "aa"))}
        everything = sorted(keys | self._folded_keys, key=len, reverse=True)
        self._key_re = re.compile("|".join(re.escape(k) for k in everything)) if everything else None

    def with_settings(self, settings: AnswerSettings) -> "_Matcher":
        """The same matcher (and its cache of matches) scoring with other weights."""
        from copy import copy

        other = copy(self)
        other.settings = settings
        return other

    def term_hits(self, text: str) -> dict[str, float]:
        """topic stem -> match strength (1 whole word, 0.8 a derivation, <1 some compound parts)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        hits: dict[str, float] = {}
        if self._key_re is not None:
            stems: set[str] = set()
            folded: set[str] = set()
            lowered = text.lower()
            sources = [lowered]
            if self._folded_keys:
                sources.append(fold(lowered))
            for source in sources:
                for token in self._tokens(source):
                    for word in split_words(token):
                        term = self.analysis.term(word)
                        if term is None:
                            continue
                        stems.add(term.text)
                        stems.update(term.parts)
                        stems.update(word.parts)  # hyphenated code parts ("2026" of "2026-2030")
                        folded.add(term.folded)
            for t in self.terms:
                if t.stem in stems or t.folded in folded:
                    hits[t.stem] = 1.0
                elif len(t.stem) >= 5 and not t.stem.isdigit() and any(
                        _derivation(t.stem, x) for x in stems):
                    hits[t.stem] = 0.8  # a derivation: "dimensionerer" ~ "dimensioneringen"
                elif t.parts:
                    share = sum(1 for p in t.parts if _part_in(p, stems)) / len(t.parts)
                    if share:
                        hits[t.stem] = 0.7 * share
        if len(self._cache) > 20000:
            self._cache.clear()
        self._cache[text] = hits
        return hits

    def _tokens(self, source: str):
        """The whole tokens of `source` that hold a key (found by one regex search, then
        widened to the token around it), each once."""
        seen: set[tuple[int, int]] = set()
        n = len(source)
        for m in self._key_re.finditer(source):
            a, b = m.start(), m.end()
            while a > 0 and source[a - 1].isalnum():
                a -= 1
            while b < n and (source[b].isalnum() or (source[b] in "-.,/'’" and b + 1 < n and source[b + 1].isalnum())):
                b += 1
            if (a, b) not in seen:
                seen.add((a, b))
                yield source[a:b]

    def gap(self, *hits: dict[str, float]) -> float:
        """How much of what narrows the question is missing from the texts whose matches are
        `hits` (a sentence and its item's title): of each constraint term its IDF weight times
        the share missing (a derivation or all compound parts count as there, half the parts
        ("udvikling" of "prisudviklingen") as half there), the largest, relative to the
        heaviest constraint (0 = all there, 1 = the heaviest is absent)."""
        missing = [t.weight * (1.0 - min(1.0, max((h.get(t.stem, 0.0) for h in hits), default=0.0) / 0.7))
                   for t in self.constraints]
        return max(missing, default=0.0) / self.constraint_weight

    def counted(self, *hits: dict[str, float]) -> bool:
        """What a number question counts (its head noun) is matched in `hits` (or it has none)."""
        return not self.heads or any(max((h.get(t.stem, 0.0) for h in hits), default=0.0) >= 0.5
                                     for t in self.heads)

    def years_held(self, *texts: str) -> bool:
        """Every year the topic names is in one of `texts` (a range there counts as its years)."""
        if not self.topic_years:
            return True
        found: set[str] = set()
        for text in texts:
            found |= _years(text)
        return self.topic_years <= found

    def coverage(self, text: str) -> float:
        return self.weighted(self.term_hits(text))

    def weighted(self, hits: dict[str, float]) -> float:
        return sum(t.weight * hits.get(t.stem, 0.0) for t in self.terms) / self.total

    def item_scores(self, item: Item) -> "_ItemMatch":
        """The item's topic matches, each paragraph matched once: the whole item, its key blocks
        (Beslutning, Indstilling) and its best paragraph, each read together with the title."""
        title = self.term_hits(item.title)
        whole, key = dict(title), dict(title)
        best = self.weighted(title)
        for block in item.blocks:
            decisive = block.heading in ("Beslutning", "Indstilling")
            for paragraph in block.paragraphs:
                hits = self.term_hits(paragraph.text)
                if not hits:
                    continue
                _merge(whole, hits)
                if decisive:
                    _merge(key, hits)
                best = max(best, self.weighted(_merge(dict(title), hits)))
        return _ItemMatch(whole, key, best)


@dataclass
class _ItemMatch:
    whole: dict[str, float]  # term -> strength anywhere in the item
    key: dict[str, float]  # ... in its title, Beslutning and Indstilling
    best_paragraph: float  # coverage of its best paragraph with the title


def _derivation(stem: str, other: str) -> bool:
    """`other` (a stem of the text) is a derivation of the question's `stem` or the other way
    round: one begins with the other and the rest is a short ending ("dimensioner" /
    "dimensionering", "finansi" / "finansiering"), or the text's word is a compound beginning with the question's stem
    ("kvind" / "kvindekrisecent"). A text stem that is only the first part of the question's
    compound ("social" of "socialrådgiveruddan") is no derivation."""
    if other.startswith(stem):
        return True
    return len(other) >= 5 and stem.startswith(other) and len(stem) - len(other) <= 5  # "-ering", "-ning"


def _part_in(part: str, stems: set[str]) -> bool:
    """A compound part of the question's word is among the text's stems, or a derivation of
    one ("kapacitet", a part of "herbergskapaciteten", is stemmed "kapacit" as a word)."""
    return part in stems or (len(part) >= 5 and any(
        (len(x) >= 5 and part.startswith(x) and len(part) - len(x) <= 3) or
        (x.startswith(part) and len(x) - len(part) <= 3) for x in stems))


_YEAR_RANGE = re.compile(r"(?<![\w.,])((?:19|20)\d\d)\s*[-/–]\s*((?:19|20)?\d\d)(?![\w,]|\.\d)")
_YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?![\w,]|\.\d)")


def _years(text: str) -> frozenset[str]:
    """The years `text` names: "2027", and a range as all its years ("2027-2030", "2026/27")."""
    out = set(_YEAR.findall(text))
    for m in _YEAR_RANGE.finditer(text):
        first = int(m.group(1))
        last = int(m.group(2)) if len(m.group(2)) == 4 else first // 100 * 100 + int(m.group(2))
        if first < last <= first + 10:
            out.update(str(y) for y in range(first, last + 1))
    return frozenset(out)


def _merge(into: dict[str, float], hits: dict[str, float]) -> dict[str, float]:
    for k, v in hits.items():
        if v > into.get(k, 0.0):
            into[k] = v
    return into


def _is_constraint_surface(surface: str, words: tuple[str, ...]) -> bool:
    """The topic word (or a hyphen part of it: "eu" of "EU-kontoret") is one of `words`
    (the question's constraints, or its head)."""
    low = surface.lower()
    return any(low == c or low in re.split(r"[-/]", c) for c in words if c)


def _topic_terms(archive, parsed: ParsedQuestion):
    """(analysis, [topic terms with IDF weights]) from the keyword index, or (analysis, [])."""
    from archive.text.analysis import Analysis
    from archive.keyword.fulltext import KeywordIndexError

    analysis = Analysis(None)
    df = None
    n_docs = 1
    index = archive.keyword_index()
    try:
        with index.searcher() as s:
            analysis = s.analysis
            n_docs = max(s.doc_count(), 1)
            df = {}
            for term in analysis.terms(parsed.topic):
                for value in (term.text, *term.parts):
                    df[value] = s.doc_frequency(value)
    except (KeywordIndexError, OSError):
        df = None
    terms: list[_TopicTerm] = []
    seen = set()
    max_idf = math.log(1 + n_docs)
    for term in analysis.terms(parsed.topic):
        if term.text in seen:
            continue
        seen.add(term.text)
        if df is None:
            weight = 1.0
        else:
            count = df.get(term.text, 0)
            if count == 0 and term.parts:
                counts = [df.get(p, 0) for p in term.parts]
                weight = sum(math.log(1 + n_docs / c) if c else max_idf for c in counts) / len(counts)
            else:
                weight = math.log(1 + n_docs / count) if count else max_idf
        terms.append(_TopicTerm(term.text, term.folded, term.parts, weight, term.word.text,
                                _is_constraint_surface(term.word.text, parsed.constraints),
                                _is_constraint_surface(term.word.text, (parsed.head,))))
    return analysis, terms


# ---------------------------------------------------------------------------- semantic scores


def _passages(archive, question: str, model: str | None, *, limit: int, allowed: set[str],
              include: list[str]) -> dict[str, list[PassageHit]] | None:
    """Scored passages of the best semantic items and of `include` (archive.search.semantic),
    or None when the archive has no usable vectors."""
    from archive.search.semantic import SemanticUnavailable, item_passages
    from archive.vectors.embedding import EmbedderUnavailable

    if model is None:
        stored = archive.embedded_models()
        if not stored:
            return None
        if len(stored) == 1:
            model = next(iter(stored))
    try:
        return item_passages(archive, question, limit=limit, model=model, allowed_items=allowed, include=include)
    except (SemanticUnavailable, EmbedderUnavailable):
        return None


def _sem_norm(score: float, settings: AnswerSettings = _DEFAULTS) -> float:
    return min(max((score - settings.sem_floor) / (settings.sem_ceil - settings.sem_floor), 0.0), 1.0)


# ---------------------------------------------------------------------------- candidates


@dataclass
class _Candidate:
    ref: ItemRef
    item: Item
    lexical: float = 0.0
    title_lexical: float = 0.0
    semantic: float = 0.0  # best passage cosine
    passages: list[PassageHit] = field(default_factory=list)
    settings: AnswerSettings = _DEFAULTS
    role: str = ""  # decision | recommendation | orientation (set when gathered)
    document_items: int = 0  # items in the item's document
    years_missing: bool = False  # a year the question's topic names ("kvoterne for 2026") is not in the item
    item_gap: float = 0.0  # Matcher.gap of the whole item: what narrows the question is nowhere in it
    sentence_gap: float = 0.0  # ... of its best sentence with the item title (set per settings in decide)
    sentence_years: bool = True  # its best sentence (with the title) names the topic's years
    untyped: bool = False  # a number or person question, and its best sentence holds none
    headless: bool = False  # a number question, and its best sentence (with the title) lacks what it counts
    sentence_cache: dict = field(default_factory=dict)  # role -> candidate sentences (shared by copies)

    @property
    def score(self) -> float:
        cfg = self.settings
        return (self.lexical + cfg.sem_weight * _sem_norm(self.semantic, cfg)
                - cfg.year_penalty * self.years_missing
                - cfg.constraint_penalty * self.sentence_gap
                - cfg.sentence_year_penalty * (not self.sentence_years) - cfg.untyped_penalty * self.untyped
                - cfg.head_penalty * self.headless)


def _allowed(refs: dict[str, ItemRef], parsed: ParsedQuestion) -> set[str]:
    out = set()
    for item_id, ref in refs.items():
        if parsed.councils and ref.council not in parsed.councils:
            continue
        if parsed.date_from and ref.date < parsed.date_from:
            continue
        if parsed.date_to and ref.date > parsed.date_to:
            continue
        out.add(item_id)
    return out


def _keyword_ids(archive, parsed: ParsedQuestion, terms: list[_TopicTerm], limit: int) -> list[str]:
    """Item ids of the keyword search for the topic words OR-ed (archive.search.keyword, no
    snippets), in ranking order, restricted by council (one named) and period."""
    from archive.search.keyword import SearchRequest, keyword_search

    words = [t.surface for t in terms]
    if not words:
        return []
    council = parsed.councils[0] if len(parsed.councils) == 1 else None
    request = SearchRequest(q=" OR ".join(words), mode="keyword", council=council, date_from=parsed.date_from,
                            date_to=parsed.date_to, limit=limit)
    # a missing or broken index is reported in the response's messages; the passages still answer
    response = keyword_search(archive, request, facets=False, suggest=False, snippets=False)
    return [h.item_id for h in response.hits]


# ---------------------------------------------------------------------------- evidence


@dataclass
class Evidence:
    """What an answer is decided from, gathered once per question (search, embeddings,
    lexical scores, candidate sentences); `decide` turns it into an answer under any
    `AnswerSettings` without touching the archive again."""

    parsed: ParsedQuestion
    matcher: _Matcher
    candidates: list[_Candidate]  # in the asked scope; the nearest anywhere when the scope is empty
    twins: dict[str, _Candidate] = field(default_factory=dict)  # dagsorden item id -> its referat's item
    semantic: bool = False
    scope_reason: str | None = None  # why nothing is in the asked scope (None: the scope has items)
    meeting: object = None  # a MeetingAnswer when the question is about a meeting itself
    fallback: object = None  # a MeetingAnswer used when the items give no answer (a role on a body)
    seconds: float = 0.0


def gather_evidence(archive, question: str, *, model: str | None = None, today: date | None = None,
                    settings: AnswerSettings = _DEFAULTS) -> Evidence:
    """Everything `decide` needs; only `settings.candidates` is read here."""
    started = time.perf_counter()
    today = today or date.today()
    refs = _all_item_refs(archive)
    bodies = {(r.authority, r.council) for r in refs.values()}
    parsed = parse_question(question, today=today, councils=KNOWN_COUNCILS, bodies=sorted(bodies))
    analysis, terms = _topic_terms(archive, parsed)
    matcher = _Matcher(analysis, terms, settings)
    asked = meeting_question(parsed, today)
    found = meeting_answer(archive, asked) if asked is not None else None
    if found is not None and not asked.fallback:
        return Evidence(parsed, matcher, [], meeting=found, seconds=time.perf_counter() - started)
    fallback = found
    allowed = _allowed(refs, parsed)
    if parsed.has_period and parsed.intent in ("number", "date") and not parsed.asks_decision \
            and not parsed.meeting_period:
        # "rygestopkurser i 2011", "Hvornår mødes KKR Hovedstaden i november 2026?": the period
        # may be the meeting's or the one the items are about (evaluated at a meeting in 2012,
        # a meeting plan made in January): the items of the period and those naming it
        from dataclasses import replace

        about = replace(parsed, date_from=None, date_to=None)
        named = {c.ref.item_id for c in _candidates(archive, about, _allowed(refs, about), refs, terms, matcher,
                                                    settings.candidates, model)[0]
                 if any(_names_period(p.text, parsed) for b in c.item.blocks for p in b.paragraphs)}
        if named:
            allowed = allowed | named
    evidence = _scope_evidence(archive, parsed, refs, allowed, terms, matcher, settings, model)
    evidence.fallback = fallback
    evidence.seconds = time.perf_counter() - started
    return evidence


_NAMED_DAY = re.compile(rf"\b(\d{{1,2}})\.\s*({MONTH_PATTERN})(?:\s+((?:19|20)\d\d))?\b", re.I)
_NAMED_MONTH = re.compile(rf"\b({MONTH_PATTERN})\s+((?:19|20)\d\d)\b", re.I)


def _names_period(text: str, parsed: ParsedQuestion) -> bool:
    """`text` names a time in the question's period: its year ("2011") for a whole year, else
    a day ("4. maj 2026", "4. maj" when the period lies in one year) or a month with its year
    ("november 2026") inside the period."""
    if parsed.period_year:
        return bool(re.search(rf"(?<![\w-]){parsed.period_year}(?![\w-])", text))
    f, t = parsed.date_from, parsed.date_to
    if f is None or t is None:
        return False
    for m in _NAMED_DAY.finditer(text):
        year = int(m.group(3)) if m.group(3) else (f.year if f.year == t.year else None)
        if year is None:
            continue
        try:
            day = date(year, MONTHS.index(m.group(2).lower()) + 1, int(m.group(1)))
        except ValueError:
            continue
        if f <= day <= t:
            return True
    for m in _NAMED_MONTH.finditer(text):
        first = date(int(m.group(2)), MONTHS.index(m.group(1).lower()) + 1, 1)
        if f <= first and (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) <= t:
            return True
    return False


def _all_item_refs(archive) -> dict[str, ItemRef]:
    """Every item's ref, from the process's cache for an embedded (SQLite) archive
    (archive/answers/cache.py); a PostgreSQL archive is read afresh."""
    import sqlite3

    database = archive.paths.database if isinstance(archive.conn, sqlite3.Connection) else None
    return archive.runtime.answers.item_refs(database, archive.item_refs)


def _scope_evidence(archive, parsed: ParsedQuestion, refs: dict[str, ItemRef], allowed: set[str],
                    terms: list[_TopicTerm], matcher: _Matcher, settings: AnswerSettings,
                    model: str | None) -> Evidence:
    reason = None
    scope = parsed
    if not allowed:
        # nothing from those councils / in that period: say so, and show the nearest items anywhere
        from dataclasses import replace

        reason = _no_scope_reason(parsed, refs)
        scope = replace(parsed, councils=(), date_from=None, date_to=None)
        allowed = set(refs)
    candidates, sem = _candidates(archive, scope, allowed, refs, terms, matcher, settings.candidates, model)
    twins = _twins(archive, candidates, matcher) if reason is None else {}
    return Evidence(parsed, matcher, candidates, twins, sem, reason)


def decide(evidence: Evidence, settings: AnswerSettings = _DEFAULTS) -> Answer:
    """The answer the evidence supports under `settings` (pure: no archive access)."""
    answer = _decide(evidence, settings)
    found = evidence.fallback
    if not answer.found and found is not None:
        parsed = evidence.parsed
        return Answer(parsed.text, parsed, True, found.lead, meeting_citations=found.citations,
                      meeting_lines=found.lines, confidence=1.0)
    return answer


def _decide(evidence: Evidence, settings: AnswerSettings) -> Answer:
    parsed = evidence.parsed
    matcher = evidence.matcher.with_settings(settings)
    if evidence.meeting is not None:
        found = evidence.meeting
        return Answer(parsed.text, parsed, True, found.lead, meeting_citations=found.citations,
                      meeting_lines=found.lines, confidence=1.0)
    from dataclasses import replace

    candidates = _checked_candidates(evidence, settings, matcher)
    if evidence.scope_reason is not None:
        return _decline(parsed, candidates[:3], evidence.scope_reason, matcher=matcher)
    if not candidates:
        return _decline(parsed, [], "")
    best = candidates[0].score
    if best < settings.threshold:
        return _decline(parsed, candidates[:3], "", matcher=matcher, confidence=best)
    cut = min(settings.relative_cut, settings.breadth_cut) if parsed.breadth else settings.relative_cut
    keep = [c for c in candidates if c.score >= max(settings.threshold, cut * best)]
    if parsed.compare or parsed.all_councils or len(parsed.councils) > 1:
        # a comparison: each council's best item, and its best decision, enter when they come
        # near the best of all (the decline threshold judges the answer as a whole, not each
        # council's part)
        for council in _councils_of(candidates):
            mine = [c for c in candidates if c.ref.council == council]
            decided = [c for c in mine if c.role != "orientation"]
            for c in mine[:1] + decided[:1]:
                if all(c is not k for k in keep) and c.score >= cut * best:
                    keep.append(c)
    twins = {k: _intent_checked(replace(t, settings=settings), parsed, matcher) for k, t in evidence.twins.items()}
    keep = _one_per_meeting_item(keep, twins, settings)
    answer = _compose(parsed, keep, matcher)
    answer.confidence = best
    answer.semantic = evidence.semantic
    return answer


def _checked_candidates(evidence: Evidence, settings: AnswerSettings, matcher: _Matcher) -> list[_Candidate]:
    """The candidates under `settings`, best first, the best `settings.intent_checked` of them
    (by item score) with the intent check of their best sentence; the others, which rank below
    them, count as failing it (they cannot rise above a checked one by being left unchecked)."""
    from dataclasses import replace

    ranked = sorted((replace(c, settings=settings) for c in evidence.candidates), key=lambda c: -c.score)
    for n, c in enumerate(ranked):
        if n < settings.intent_checked:
            _intent_checked(c, evidence.parsed, matcher)
        else:
            c.sentence_gap, c.sentence_years = 1.0, False
            c.untyped = evidence.parsed.intent in ("number", "people")
            c.headless = evidence.parsed.intent == "number" and bool(matcher.heads)
    return sorted(ranked, key=lambda c: -c.score)


def answer_question(archive, question: str, *, model: str | None = None, today: date | None = None,
                    settings: AnswerSettings = _DEFAULTS) -> Answer:
    started = time.perf_counter()
    answer = decide(gather_evidence(archive, question, model=model, today=today, settings=settings), settings)
    answer.seconds = time.perf_counter() - started
    return answer


def _candidate(item: Item, ref: ItemRef, matcher: _Matcher) -> _Candidate:
    c = _Candidate(ref, item)
    match = matcher.item_scores(item)
    c.lexical = (0.35 * matcher.weighted(match.whole) + 0.35 * match.best_paragraph
                 + 0.3 * matcher.weighted(match.key))
    c.title_lexical = matcher.coverage(item.title)
    c.item_gap = matcher.gap(match.whole)
    if matcher.years:
        full = " ".join([item.title] + [p.text for b in item.blocks for p in b.paragraphs])
        c.years_missing = any(not re.search(rf"(?<!\d){y}(?!\d)", full) for y in matcher.years)
    c.role = _role(c)
    return c


def _candidates(archive, parsed: ParsedQuestion, allowed: set[str], refs: dict[str, ItemRef],
                terms: list[_TopicTerm], matcher: _Matcher, limit: int,
                model: str | None) -> tuple[list[_Candidate], bool]:
    """(candidate items from keyword search and passage embeddings, whether vectors were used)."""
    ids = [i for i in _keyword_ids(archive, parsed, terms, limit) if i in allowed]
    passages = _passages(archive, parsed.text, model, limit=limit, allowed=allowed, include=ids)
    ids = list(dict.fromkeys(ids + list(passages or ())))
    if not ids:
        return [], passages is not None
    items = {it.id: it for it in archive.items(item_ids=ids)}
    documents = {refs[i].document_id for i in ids if i in refs}
    per_document = Counter(r.document_id for r in refs.values() if r.document_id in documents)
    candidates: list[_Candidate] = []
    for item_id in ids:
        item, ref = items.get(item_id), refs.get(item_id)
        if item is None or ref is None:
            continue
        c = _candidate(item, ref, matcher)
        c.document_items = per_document[ref.document_id]
        c.passages = (passages or {}).get(item_id, [])
        c.semantic = max((h.score for h in c.passages), default=0.0)
        candidates.append(c)
    return candidates, passages is not None


def _twins(archive, candidates: list[_Candidate], matcher: _Matcher) -> dict[str, _Candidate]:
    """dagsorden item id -> the candidate of the same item in the meeting's referat."""
    by_id = {c.ref.item_id: c for c in candidates}
    out: dict[str, _Candidate] = {}
    for c in candidates:
        if c.ref.kind != "dagsorden":
            continue
        other = archive.counterpart(c.ref.item_id)
        if other is None or other.kind != "referat":
            continue
        twin = by_id.get(other.item_id)
        if twin is None:
            item = archive.item(other.item_id)
            if item is None:
                continue
            twin = _candidate(item, other, matcher)
        out[c.ref.item_id] = twin
    return out


def _no_scope_reason(parsed: ParsedQuestion, refs: dict[str, ItemRef]) -> str:
    present = {r.council for r in refs.values()}
    missing = [c for c in parsed.councils if c not in present]
    if missing:
        return f"Arkivet har ingen dokumenter fra {join_da(missing)}."
    if parsed.has_period:
        return f"Arkivet har ingen møder {parsed.period}" + (
            f" for {join_da(list(parsed.councils))}." if parsed.councils else ".")
    return ""


def _one_per_meeting_item(keep: list[_Candidate], twins: dict[str, _Candidate],
                          settings: AnswerSettings) -> list[_Candidate]:
    """One candidate per meeting and agenda number: the referat when the meeting has one (with
    the better of both scores), and the meeting's full document over a one-item export."""
    from dataclasses import replace

    by_key: dict[tuple[str, str], _Candidate] = {}
    for c in keep:
        if c.ref.kind == "dagsorden" and c.ref.item_id in twins:
            twin = twins[c.ref.item_id]
            c = replace(twin, settings=settings, lexical=max(twin.lexical, c.lexical),
                        semantic=max(twin.semantic, c.semantic))
        key = (c.ref.meeting_id, c.ref.number)
        current = by_key.get(key)
        if current is None:
            by_key[key] = c
        elif current.ref.kind == "dagsorden" and c.ref.kind == "referat":
            by_key[key] = replace(c, lexical=max(c.lexical, current.lexical),
                                  semantic=max(c.semantic, current.semantic))
        elif current.ref.kind == c.ref.kind and current.ref.document_id != c.ref.document_id \
                and _export_of_one_item(current):
            by_key[key] = replace(c, lexical=max(c.lexical, current.lexical),
                                  semantic=max(c.semantic, current.semantic))
    return list(by_key.values())


def _export_of_one_item(c: _Candidate) -> bool:
    """The item's document holds this item alone: an export of one item of a meeting."""
    return c.document_items == 1


# ---------------------------------------------------------------------------- composing


def _role(c: _Candidate) -> str:
    """decision | recommendation | orientation. A dagsorden's Indstilling is a recommendation,
    never a decision; a referat's item is a decision when its decision of this meeting (the
    dated one of the meeting's date, where the item holds several) decides something and the
    item is not an orientation or discussion by its title."""
    if c.ref.kind == "dagsorden":
        return "recommendation"
    if ORIENTATION_TITLE.search(c.ref.title):
        return "orientation"
    return "decision" if DECISION_VERB.search(_decision_text(c.item)) else "orientation"


def _decision_text(item: Item) -> str:
    """The text of the item's decision of this meeting ("" when it records none)."""
    if item.decisions:
        return item.decision.text if item.decision is not None else ""
    block = item.block("Beslutning")
    return " ".join(p.text for p in block.paragraphs) if block else ""


def _earlier_decisions(item: Item) -> list[Decision]:
    """The item's dated decisions of earlier meetings (its history), oldest first."""
    return sorted((d for d in item.decisions if not d.this_meeting and d.date is not None), key=lambda d: d.date)


def _one_per_meeting(cands: list[_Candidate]) -> tuple[list[_Candidate], list[_Candidate]]:
    """(the best candidate of each council and meeting, the others), in the given order."""
    seen: set[str] = set()
    best, others = [], []
    for c in cands:
        (others if c.ref.meeting_id in seen else best).append(c)
        seen.add(c.ref.meeting_id)
    return best, others


def _compose(parsed: ParsedQuestion, keep: list[_Candidate], matcher: _Matcher) -> Answer:
    """Split the kept items into the evidence (entries, cited) and "Se også" (related, not cited)."""
    cfg = matcher.settings
    intent = parsed.intent
    roles = {c.ref.item_id: c.role for c in keep}
    ranked = sorted(keep, key=lambda c: -c.score)
    per_council = parsed.compare or parsed.all_councils or len(parsed.councils) > 1
    best = ranked[0].score
    if intent in ("number", "date", "people"):
        # a lookup: the items whose best sentence holds the asked-for number, date or person
        evidence = {c.ref.item_id: _evidence(c, roles[c.ref.item_id], parsed, matcher) for c in ranked}
        top = max(score for score, _typed in evidence.values())
        margin = cfg.evidence_margin if not per_council else 2 * cfg.evidence_margin
        pool = sorted((c for c in ranked if evidence[c.ref.item_id][0] >= top - margin),
                      key=lambda c: -evidence[c.ref.item_id][0])
        if intent != "date":  # the date asked for is usually the meeting's own, not in the sentence
            pool = [c for c in pool if evidence[c.ref.item_id][1]] or pool
        if parsed.asks_decision:  # "Hvornår godkendte ...": the decision, not the discussions before it
            pool = [c for c in pool if roles[c.ref.item_id] != "orientation"] or pool
        if per_council:
            primary = []
            for council in _councils_of(ranked):
                mine = [c for c in pool if c.ref.council == council][:cfg.lookup_citations]
                if not mine:
                    mine = [c for c in ranked if c.ref.council == council
                            and roles[c.ref.item_id] != "orientation"][:1]
                primary += mine
        else:
            primary = pool[:cfg.lookup_citations]
    elif parsed.breadth:
        # every treatment of the topic: one item per council and meeting whose evidence (item
        # score + its best sentence) comes near the best item's
        evidence = {c.ref.item_id: _evidence(c, roles[c.ref.item_id], parsed, matcher)[0] for c in ranked}
        top = max(evidence.values())
        pool = sorted((c for c in ranked if evidence[c.ref.item_id] >= cfg.breadth_cut * top),
                      key=lambda c: -evidence[c.ref.item_id])
        primary, _others = _one_per_meeting(pool)
        if per_council:  # a comparison: every council compared has its evidence, and its decision
            for council in _councils_of(ranked):
                mine = sorted((c for c in ranked if c.ref.council == council),
                              key=lambda c: (roles[c.ref.item_id] == "orientation", -evidence[c.ref.item_id]))
                decided = any(c.ref.council == council and roles[c.ref.item_id] != "orientation" for c in primary)
                if mine and not decided and (roles[mine[0].ref.item_id] != "orientation"
                                             or not any(c.ref.council == council for c in primary)):
                    primary.append(mine[0])
    else:
        pool = [c for c in ranked if c.score >= cfg.evidence_cut * best]
        if intent == "decision" and not parsed.history:  # a history cites what came before, too
            decided = [c for c in pool if roles[c.ref.item_id] in ("decision", "recommendation")]
            pool = decided or pool
        primary, _others = _one_per_meeting(pool)
        if per_council:
            for council in _councils_of(ranked):
                if not any(c.ref.council == council for c in primary):
                    primary += [c for c in ranked if c.ref.council == council
                                and roles[c.ref.item_id] != "orientation"][:1]
    if not primary:
        primary = ranked[:1]
    primary = sorted(primary, key=lambda c: -c.score)[:cfg.max_entries]
    chosen = {c.ref.item_id for c in primary}
    rest = [c for c in ranked if c.ref.item_id not in chosen][:cfg.max_see_also]
    entries = [_entry(c, roles[c.ref.item_id], parsed, matcher) for c in _by_date(primary)]
    see_also = [_entry(c, roles[c.ref.item_id], parsed, matcher, context=True) for c in _by_date(rest)]
    entries = [e for e in entries if e.quotes] or entries
    lead = _lead(parsed, entries)
    return Answer(parsed.text, parsed, True, lead, entries, see_also)


def _councils_of(candidates: list[_Candidate]) -> list[str]:
    return list(dict.fromkeys(c.ref.council for c in candidates))


def _by_date(cands: list[_Candidate]) -> list[_Candidate]:
    return sorted(cands, key=lambda c: (c.ref.date, c.ref.council, c.ref.kind, _number_key(c.ref.number)))


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in number.split("."))


def _entry(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher, *, context: bool = False) -> Entry:
    quotes = _quotes(c, role, parsed, matcher, limit=1 if context else 3)
    history = [(d.date, _first_sentence(d.text)) for d in _earlier_decisions(c.item)]
    return Entry(c.ref, role, c.score, quotes, history)


def _first_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[0][0]:spans[0][1]].strip() if spans else text.strip()


@dataclass
class _Sentence:
    """A sentence of an item with the features it is scored by (computed once per question)."""

    text: str
    offset: int  # where it starts in its paragraph's text
    block: str
    paragraph: Paragraph
    position: int
    history: bool = False  # in a decision of an earlier meeting
    coverage: float = 0.0  # the question's topic terms in the sentence
    with_title: float = 0.0  # ... in the sentence or its item's title
    typed: bool = False  # holds the asked-for number, date or person
    verb: bool = False  # a decision verb
    noted: bool = False  # "tog ... til efterretning"
    passage: float = 0.0  # cosine of the passage it lies in
    gap: float = 0.0  # Matcher.gap of the sentence with its item's title (0: it holds what narrows the question)
    years: bool = True  # it or its item's title names every year the topic names
    counted: bool = True  # it or its item's title names what a number question counts

    @property
    def page(self) -> int:
        """The page the sentence starts on (computed for quoted sentences only)."""
        from archive.text.pages import page_of_offset

        return page_of_offset(self.paragraph, self.paragraph.text, self.offset)


def _sentences(item: Item, headings: tuple[str, ...] | None, *, attendance: bool = False) -> list[_Sentence]:
    """The item's sentences in the blocks named by `headings` (all blocks: None). A decision
    block's attendance note ("Følgende deltog ikke i behandlingen af punktet: ...") and what
    follows it are left out unless `attendance` (a question about people): they say nothing
    about what was decided or when."""
    out = []
    position = 0
    decisions = [b for b in item.blocks if b.heading == "Beslutning"]
    earlier = set()
    if len(item.decisions) == len(decisions) and item.decision is not None:
        earlier = {id(b) for b, d in zip(decisions, item.decisions) if not d.this_meeting}
    for block in item.blocks:
        if headings is not None and block.heading not in headings:
            continue
        if headings == ("Beslutning",) and id(block) in earlier:
            continue  # an earlier meeting's decision is history, not this meeting's decision
        for paragraph in block.paragraphs:
            text = paragraph.text
            if not attendance and block.heading == "Beslutning" and ATTENDANCE_NOTE_RE.match(text):
                break
            for start, end in sentence_spans(text):
                piece = text[start:end]
                lead = len(piece) - len(piece.lstrip())
                sentence = piece.strip()
                if len(sentence) < 3:
                    continue
                position += 1
                out.append(_Sentence(sentence, start + lead, block.heading, paragraph, position, id(block) in earlier))
    return out


def _typed(text: str, intent: str, given: frozenset[str] = frozenset()) -> bool:
    """The sentence holds what a lookup question asks for: a number (not a year, nor one the
    question itself names: "Solvej 6"), a date, a person."""
    if intent == "number":
        return any(not re.fullmatch(r"(?:19|20)\d\d", n) and n not in given for n in NUMBER.findall(text)) or bool(
            NUMBER_WORD.search(text))
    if intent == "date":
        return bool(DATE_EXPR.search(text))
    if intent == "people":
        return bool(PERSON.search(text))
    return False


def _candidate_sentences(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher) -> list[_Sentence]:
    """The sentences an item may be quoted by, with their features (cached per role)."""
    cached = c.sentence_cache.get(role)
    if cached is not None:
        return cached
    intent = parsed.intent
    given = frozenset(NUMBER.findall(parsed.text))  # numbers the question names are not its answer
    if role == "recommendation":
        headings: tuple[str, ...] | None = ("Indstilling",)
    elif intent in ("decision",) or role == "decision":
        headings = ("Beslutning",)
    else:
        headings = None
    people = intent == "people"
    sentences = _sentences(c.item, headings, attendance=people)
    if headings is not None and not any(matcher.coverage(s.text) > 0 for s in sentences):
        wider = _sentences(c.item, None, attendance=people)
        if any(matcher.coverage(s.text) > 0 for s in wider) and intent != "decision":
            sentences = wider
        elif not sentences:
            sentences = wider
    elif headings is not None and intent in ("number", "people") and not any(
            _typed(s.text, intent, given) and matcher.coverage(s.text) > 0 for s in sentences):
        # the number or person asked for is not in the decision ("Der er afsat 4 mio. kr. ..."
        # stands under Økonomiske konsekvenser): every block of the item may hold it
        sentences = _sentences(c.item, None, attendance=people)
    title = matcher.term_hits(c.item.title)
    for s in sentences:
        hits = matcher.term_hits(s.text)
        s.coverage = matcher.weighted(hits)
        s.with_title = matcher.weighted({k: max(hits.get(k, 0.0), title.get(k, 0.0)) for k in {*hits, *title}})
        s.typed = _typed(s.text, intent, given)
        s.verb = bool(DECISION_VERB.search(s.text))
        s.noted = bool(NOTED_ONLY.search(s.text))
        s.passage = max((h.score for h in c.passages if h.block == s.block and s.text[:60] in h.text), default=0.0)
        s.gap = matcher.gap(hits, title)
        s.years = matcher.years_held(s.text, c.item.title)
        s.counted = matcher.counted(hits, title)
    c.sentence_cache[role] = sentences
    return sentences


def _top_sentence(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher) -> "_Sentence | None":
    """The item's best sentence under the matcher's settings (cached per role and weights)."""
    cfg = matcher.settings
    key = ("top", role, cfg.sentence_title_share, cfg.sentence_type_weight, cfg.sentence_semantic_weight,
           cfg.constraint_penalty, cfg.sentence_year_penalty, cfg.head_penalty, cfg.sem_floor, cfg.sem_ceil)
    if key not in c.sentence_cache:
        sentences = _candidate_sentences(c, role, parsed, matcher)
        c.sentence_cache[key] = max(sentences, key=lambda s: _sentence_score(s, parsed, cfg)) if sentences else None
    return c.sentence_cache[key]


def _intent_checked(c: _Candidate, parsed: ParsedQuestion, matcher: _Matcher) -> _Candidate:
    """`c` with the intent check of its best sentence: whether it (with the item title) holds
    the question's constraint words and years (scored by `_Candidate.score`)."""
    top = _top_sentence(c, c.role, parsed, matcher)
    if top is not None:
        c.sentence_gap, c.sentence_years = top.gap, top.years
    else:
        c.sentence_gap, c.sentence_years = c.item_gap, not c.years_missing
    c.untyped = parsed.intent in ("number", "people") and (top is None or not top.typed)
    c.headless = parsed.intent == "number" and (top is None or not top.counted)
    return c


def _evidence(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher) -> tuple[float, bool]:
    """(item score + its best sentence's score, whether that sentence holds the asked-for type)."""
    top = _top_sentence(c, role, parsed, matcher)
    if top is None:
        return c.score, False
    return c.score + _sentence_score(top, parsed, matcher.settings), top.typed


def _quotes(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher, *, limit: int) -> list[Quote]:
    intent = parsed.intent
    sentences = _candidate_sentences(c, role, parsed, matcher)
    if not sentences:
        return []
    scores = {id(s): _sentence_score(s, parsed, matcher.settings) for s in sentences}
    ranked = sorted(sentences, key=lambda s: (-scores[id(s)], s.position))
    top = ranked[0]
    best = scores[id(top)]
    chosen = [top]
    for s in ranked[1:]:
        if len(chosen) >= limit:
            break
        score = scores[id(s)]
        same_block = s.block == top.block
        if (score >= 0.75 * best and score > 0.25 and (s.coverage > 0 or same_block)) or (
                same_block and s.block == "Beslutning" and s.coverage > 0 and score >= 0.55 * best):
            chosen.append(s)
    if intent == "decision" and top.block == "Beslutning":
        # the decision is quoted whole (it is short: "Punktet blev drøftet. Sagen genoptages ...")
        whole = [s for s in sentences if s.block == "Beslutning" and not s.history and not s.text.endswith(":")]
        if len(whole) <= limit:
            chosen = whole + [s for s in chosen if all(s is not w for w in whole)
                              and not s.text.endswith(":")][:limit - len(whole)]
    if intent not in ("number", "people", "date"):
        chosen.sort(key=lambda s: s.position)  # document order, except: the key sentence leads
    quotes = []
    for s in chosen:
        if s.text and s.text in s.paragraph.text:  # verbatim, or not at all
            quotes.append(Quote(s.text, s.page, s.block))
    return quotes


def _sentence_score(s: _Sentence, parsed: ParsedQuestion, cfg: AnswerSettings) -> float:
    """How well the sentence answers the question: the topic in the sentence (and its item's
    title), the asked-for type, its block, a decision verb, the embedding of its passage."""
    score = (1 - cfg.sentence_title_share) * s.coverage + cfg.sentence_title_share * s.with_title
    block_bonus = 0.0 if s.history else {"Beslutning": 0.3, "Indstilling": 0.15}.get(s.block, 0.0)
    if parsed.intent in ("number", "date", "people", "overview"):
        block_bonus *= 0.5
    score += block_bonus
    if s.verb:
        score += 0.2 if parsed.intent == "decision" else 0.05
    if s.noted and not s.verb:
        score -= 0.05
    if s.typed:
        score += cfg.sentence_type_weight * (0.67 if parsed.intent == "date" else 1.0)
    score += cfg.sentence_semantic_weight * _sem_norm(s.passage, cfg)
    if s.text.endswith(":"):
        score -= 0.1
    score -= cfg.constraint_penalty * s.gap + cfg.sentence_year_penalty * (not s.years)
    if parsed.intent == "number":
        score -= cfg.head_penalty * (not s.counted)
    return score


# ---------------------------------------------------------------------------- the lead sentence


def _count_da(n: int, singular: str, plural: str) -> str:
    word = ("ét" if singular in ("punkt",) else "én") if n == 1 else (
        NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n))
    return f"{word} {singular if n == 1 else plural}"


def _subject(parsed: ParsedQuestion, entries: list[Entry]) -> str:
    councils = list(dict.fromkeys(_body(e.ref) for e in entries))
    if len(councils) == 1 and (parsed.councils or len(entries) == 1):
        return councils[0]
    if all(e.ref.authority in ("", "KL") for e in entries):
        return "KKR"
    return "Rådene og udvalgene"


def _where(entry: Entry) -> str:
    return f"{_body(entry.ref)} den {format_date_da(entry.ref.date)}"


def _about(parsed: ParsedQuestion) -> str:
    """" om herberger i marts" when the topic is one word (a noun phrase, safe after "om");
    "" for longer topics, whose left-over words ("handlede møde") are no Danish phrase."""
    words = parsed.topic.split()
    if len(words) != 1 or words[0].isdigit():
        return ""
    return f" om {words[0]}" + (f" {parsed.period}" if parsed.period else "")


def _on_question(parsed: ParsedQuestion) -> str:
    """What a lead is about: " om herberger", else ", der svarer på spørgsmålet"."""
    return _about(parsed) or ", der svarer på spørgsmålet" + (f" ({parsed.period})" if parsed.period else "")


def _lead(parsed: ParsedQuestion, entries: list[Entry]) -> str:
    """The lead sentence counts and names what the cited entries show, nothing more."""
    if not entries:
        return _declining(parsed)
    intent = parsed.intent
    key = max(entries, key=lambda e: e.score)
    if (intent in ("number", "people") and key.quotes) or (
            intent == "date" and not parsed.asks_decision and key.quotes
            and MONTH_WORD.search(key.quotes[0].text)):
        # ("Hvornår godkendte ...?" asks for the meeting's date: said below)
        # the sentence holding the number, person or date comes first, as quoted
        kind = "referat" if key.ref.kind == "referat" else "dagsorden"
        source = (f"{key.ref.council}s {kind}" if key.ref.authority in ("", "KL")
                  else f"{KIND_DEFINITE[kind]} fra {_body(key.ref)}")
        return (f"Ifølge {source} af {format_date_da(key.ref.date)} (pkt. {key.ref.number}): "
                f"»{key.quotes[0].text}«")
    if intent == "date":
        return ("Det blev behandlet " + join_da(
            [f"af {_body(e.ref)} på mødet den {format_date_da(e.ref.date)} (pkt. {e.ref.number} \"{e.ref.title}\")"
             for e in entries]) + ".")
    if parsed.history and (len(entries) > 1 or any(e.history for e in entries)):
        return _history_lead(entries)
    decisions = [e for e in entries if e.role == "decision"]
    recommendations = [e for e in entries if e.role == "recommendation"]
    others = [e for e in entries if e.role not in ("decision", "recommendation")]
    subject = _subject(parsed, entries)
    parts = []
    if decisions:
        parts.append(f"{subject} har truffet {_count_da(len(decisions), 'beslutning', 'beslutninger')}"
                     f"{_on_question(parsed)}: {join_da([_where(e) for e in decisions])}.")
        if len(decisions) > 1:
            last = max(decisions, key=lambda e: e.ref.date)
            parts.append(f"Den seneste er {_where(last)} (pkt. {last.ref.number} \"{last.ref.title}\").")
    if recommendations:
        parts.append(f"{'Desuden foreligger' if decisions else 'Der foreligger'} "
                     f"{_count_da(len(recommendations), 'indstilling', 'indstillinger')} fra dagsordener uden "
                     f"referat (indstillinger er ikke beslutninger): "
                     f"{join_da([_where(e) for e in recommendations])}.")
    if others:
        if intent == "decision" and not parts:
            parts.append(f"Jeg fandt ingen egentlige beslutninger, men "
                         f"{_count_da(len(others), 'punkt', 'punkter')}, hvor emnet blev behandlet "
                         f"(orientering eller drøftelse): {join_da([_where(e) for e in others])}.")
        else:
            parts.append(f"{'Desuden har arkivet' if parts else 'Arkivet har'} "
                         f"{_count_da(len(others), 'punkt', 'punkter')} med orientering eller drøftelse"
                         f"{'' if parts else _about(parsed)}: {join_da([_where(e) for e in others])}.")
    return " ".join(parts)


def _history_lead(entries: list[Entry]) -> str:
    """The latest treatment of the case and when (a decision, or an orientation said as such),
    then what came before, each dated: the entries and the earlier dated decisions printed in
    their items."""
    steps = sorted([(d, "beslutning", e) for e in entries for d, _t in e.history]
                   + [(e.ref.date, ROLE_DA.get(e.role, e.role), e) for e in entries], key=lambda st: st[0])
    last = steps[-1]
    day, label, e = last
    verb = "blev sagen senest besluttet" if label == "beslutning" else f"blev sagen senest behandlet ({label})"
    text = (f"Ifølge arkivet {verb} af {_body(e.ref)} den {format_date_da(day)} "
            f"(pkt. {e.ref.number} \"{e.ref.title}\").")

    def said(part: list) -> str:
        return join_da([f"{lab} den {format_date_da(d)} ({_body(x.ref)}, pkt. {x.ref.number})" for d, lab, x in part])

    before = [st for st in steps if st is not last]
    if before:
        text += " Før det: " + said(before) + "."
    return text


def _declining(parsed: ParsedQuestion) -> str:
    """The declining sentence: a one-word topic as "om <topic>", else the question quoted (which
    names its councils itself), so it is correct Danish for every shape."""
    councils = join_da(list(parsed.councils))
    about = _about(parsed)
    if parsed.intent == "decision":
        if parsed.topic.lower() in ("mødet", "møde") and parsed.period:
            # "Jeg fandt ingen beslutninger fra KKR Hovedstadens møde den 23. november 2026 i arkivet."
            whose = f"{possessive(councils)} møde" if len(parsed.councils) == 1 else "mødet"
            return f"Jeg fandt ingen beslutninger fra {whose} {parsed.period} i arkivet."
        if about:  # "Jeg fandt ingen beslutninger fra KKR Sjælland om herberger i januar 2026 i arkivet."
            return f"Jeg fandt ingen beslutninger{f' fra {councils}' if councils else ''}{about} i arkivet."
        return f"Jeg fandt ingen beslutninger i arkivet, der svarer på spørgsmålet »{parsed.text}«."
    if about:  # "Jeg fandt intet svar i arkivet på spørgsmålet om herberger for KKR Nordjylland."
        return f"Jeg fandt intet svar i arkivet på spørgsmålet{about}{f' for {councils}' if councils else ''}."
    return f"Jeg fandt intet svar i arkivet på spørgsmålet »{parsed.text}«."


def _decline(parsed: ParsedQuestion, nearest: list[_Candidate], reason: str, *, matcher: _Matcher | None = None,
             confidence: float = 0.0) -> Answer:
    lead = _declining(parsed)
    if reason:
        lead += " " + reason
    entries = []
    if nearest and matcher is not None:
        lead += " De nærmeste punkter er vist nedenfor."
        for c in _by_date(nearest):
            entries.append(Entry(c.ref, "nearest", c.score, _quotes(c, "orientation", parsed, matcher, limit=1)))
    answer = Answer(parsed.text, parsed, False, lead, nearest=entries)
    answer.confidence = confidence
    return answer
