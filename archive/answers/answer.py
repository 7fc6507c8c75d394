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
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from archive.text.analysis import fold, words as split_words
from archive.text.citation import cite, format_date_da
from archive.text.danish import MONTH_PATTERN
from archive.storage.model import Item, ItemRef, Paragraph
from archive.text.sentences import sentence_spans
from archive.answers.meeting import join_da, meeting_answer, meeting_question
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
    r"\b(?:besluttede|godkendte|fastsatte|vedtog|udpegede|valgte|tiltrådte|imødekom|anbefaler|"
    r"bemyndigede|gav [\w-]+ mandat|tilsluttede sig|fastsætter|godkender|udpeger)\b", re.I)
NOTED_ONLY = re.compile(r"\btog\b.*\btil efterretning\b", re.I)
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\w])|(?<![\w.,-])\d+(?:,\d+)?(?![\w-])")
DATE_EXPR = re.compile(rf"\b\d{{1,2}}\.\s*(?:{MONTH_PATTERN})(?:\s+\d{{4}})?\b", re.I)
PERSON = re.compile(r"\b(?:[Bb]orgmester|[Oo]verborgmester|[Dd]irektør|[Ff]ormand|[Nn]æstformand|"
                    r"[Kk]ommunalbestyrelsesmedlem|[Mm]edlem af Borgerrepræsentationen|[Rr]ektor|"
                    r"[Ii]nstitutleder|[Rr]egionsformand)\b|\([A-ZÆØÅ]\)")
NUMBER_WORDS = ("ingen", "én", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti")
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

    def citations(self) -> list[dict]:
        quotes = self.quotes or [Quote("", self.ref.page_first, "")]
        return [self._citation(q) for q in quotes]

    def _citation(self, quote: Quote) -> dict:
        r = self.ref
        page = quote.page or r.page_first
        return {
            "item_id": r.item_id, "document_id": r.document_id, "council": r.council,
            "date": r.date.isoformat(), "kind": r.kind, "number": r.number, "title": r.title,
            "case": r.case_number, "page": page, "quote": quote.text, "block": quote.block,
            "role": self.role, "url": f"/punkt/{r.item_id}", "pdf_url": f"/pdf/{r.document_id}#page={page}",
            "cite": cite(r, pages=(page, page)),
        }

    def to_json(self) -> dict:
        r = self.ref
        return {
            "item_id": r.item_id, "council": r.council, "date": r.date.isoformat(), "kind": r.kind,
            "number": r.number, "title": r.title, "case": r.case_number, "role": self.role,
            "role_label": ROLE_DA.get(self.role, self.role), "score": round(self.score, 4),
            "url": f"/punkt/{r.item_id}", "citations": self.citations(),
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


def _entry_lines(entry: Entry, bullet: str) -> list[str]:
    r = entry.ref
    head = (f"{bullet}{r.council}, {r.kind} {format_date_da(r.date)}, pkt. {r.number} \"{r.title}\" "
            f"({ROLE_DA.get(entry.role, entry.role)})")
    lines = [head]
    for q in entry.quotes:
        lines.append(f"   »{q.text}« ({cite(r, pages=(q.page, q.page))})")
    if not entry.quotes:
        lines.append(f"   ({cite(r)})")
    return lines


# ---------------------------------------------------------------------------- topic terms


@dataclass
class _TopicTerm:
    stem: str
    folded: str
    parts: tuple[str, ...]
    weight: float
    surface: str


class _Matcher:
    """Matches the question's topic terms against text, with the archive's analysis."""

    def __init__(self, analysis, terms: list[_TopicTerm], settings: AnswerSettings = _DEFAULTS):
        self.analysis = analysis
        self.settings = settings  # the weights this question is scored with
        self.terms = terms
        self.total = sum(t.weight for t in terms) or 1.0
        self._cache: dict[str, dict[str, float]] = {}
        # cheap pre-test: a word can only match when it holds the first letters of a topic
        # stem or of one of its parts (stems are prefixes; parts may sit inside compounds)
        keys = {k[:4] for t in terms for k in (t.stem, *t.parts) if k}
        # a key typed in folded spelling ("paedagog") is also looked for in the folded text
        self._folded_keys = {k for k in keys if any(x in k for x in ("ae", "oe", "aa"))}
        everything = sorted(keys | self._folded_keys, key=len, reverse=True)
        self._key_re = re.compile("|".join(re.escape(k) for k in everything)) if everything else None

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
                        x.startswith(t.stem) or (len(x) >= 5 and t.stem.startswith(x)) for x in stems):
                    hits[t.stem] = 0.8  # a derivation: "dimensionerer" ~ "dimensioneringen"
                elif t.parts:
                    share = sum(1 for p in t.parts if p in stems) / len(t.parts)
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

    def coverage(self, text: str) -> float:
        return self.weighted(self.term_hits(text))

    def weighted(self, hits: dict[str, float]) -> float:
        return sum(t.weight * hits.get(t.stem, 0.0) for t in self.terms) / self.total

    def best_paragraph(self, item: Item) -> float:
        """The coverage of the best paragraph read together with the item's title: the
        topic words meeting in one place, not scattered over a long item."""
        title = self.term_hits(item.title)
        best = self.weighted(title)
        for block in item.blocks:
            for paragraph in block.paragraphs:
                hits = self.term_hits(paragraph.text)
                if hits:
                    merged = {k: max(v, title.get(k, 0.0)) for k, v in hits.items()}
                    merged.update({k: v for k, v in title.items() if k not in merged})
                    best = max(best, self.weighted(merged))
        return best


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
        terms.append(_TopicTerm(term.text, term.folded, term.parts, weight, term.word.text))
    return analysis, terms


# ---------------------------------------------------------------------------- semantic scores


_ROWS_BY_ITEM: dict[int, tuple[object, dict[str, np.ndarray]]] = {}


def _semantic(archive, question: str, model: str | None):
    """(index, scores of every passage) or None when the archive has no usable vectors."""
    from archive.vectors.embedding import EmbedderUnavailable
    from archive.search.semantic import SemanticUnavailable, active_embedder, in_memory_index

    try:
        embedder = None
        if model is None:
            stored = archive.embedded_models()
            if len(stored) == 1:
                try:
                    embedder = archive.runtime.embedders.load(next(iter(stored)))
                except EmbedderUnavailable:
                    embedder = None
            elif not stored:
                return None
        if embedder is None:
            embedder = active_embedder(archive, model)
        index = in_memory_index(archive, embedder.model_id)
        if not len(index):
            return None
        vector = embedder.embed_query(question)
    except (SemanticUnavailable, EmbedderUnavailable):
        return None
    scores = index.matrix @ vector.astype(np.float32)
    return index, scores


def _rows_by_item(index) -> dict[str, np.ndarray]:
    cached = _ROWS_BY_ITEM.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    rows: dict[str, list[int]] = {}
    for row, item_id in enumerate(index.item_ids):
        rows.setdefault(item_id, []).append(row)
    out = {k: np.array(v, dtype=np.int64) for k, v in rows.items()}
    _ROWS_BY_ITEM.clear()
    _ROWS_BY_ITEM[id(index)] = (index, out)
    return out


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
    passages: list[tuple[float, str, str]] = field(default_factory=list)  # (score, block, text)
    settings: AnswerSettings = _DEFAULTS

    @property
    def score(self) -> float:
        return self.lexical + self.settings.sem_weight * _sem_norm(self.semantic, self.settings)


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
    """Item ids of the keyword search for the topic words OR-ed (no snippets: only the ranking)."""
    from archive.keyword.fulltext import Filters, KeywordIndexError
    from archive.text.query import parse
    from archive.search.keyword import SearchRequest, keyword_ranking

    words = [t.surface for t in terms]
    if not words:
        return []
    q = " OR ".join(words)
    council = parsed.councils[0] if len(parsed.councils) == 1 else None
    date_from = parsed.date_from.isoformat() if parsed.date_from else None
    date_to = parsed.date_to.isoformat() if parsed.date_to else None
    root = parse(q).root
    if root is None:
        return []
    try:
        with archive.keyword_index().searcher() as searcher:
            results = searcher.search(root, Filters(council=council, date_from=date_from, date_to=date_to),
                                      limit=limit, facets=False)
        return [h.item_id for h in results.hits] if results is not None else []
    except KeywordIndexError:
        pass
    except Exception:  # a broken index must not break answering; semantic search still runs
        return []
    request = SearchRequest(q=q, council=council, date_from=parsed.date_from, date_to=parsed.date_to)
    try:  # the index is missing: keyword_search recreates it when it may
        return [r.item_id for r in keyword_ranking(archive, request, limit)]
    except Exception:
        return []


# ---------------------------------------------------------------------------- entry point


def answer_question(archive, question: str, *, model: str | None = None, today: date | None = None,
                    settings: AnswerSettings = _DEFAULTS) -> Answer:
    started = time.perf_counter()
    today = today or date.today()
    refs = archive.item_refs()
    known = tuple(dict.fromkeys(list(KNOWN_COUNCILS) + [r.council for r in refs.values()]))
    parsed = parse_question(question, today=today, councils=known)
    asked = meeting_question(parsed, today)
    found = meeting_answer(archive, asked) if asked is not None else None
    if found is not None:
        answer = Answer(parsed.text, parsed, True, found.lead, meeting_citations=found.citations,
                        meeting_lines=found.lines, confidence=1.0)
    else:
        answer = _answer(archive, parsed, refs, model, settings)
    answer.seconds = time.perf_counter() - started
    return answer


def _answer(archive, parsed: ParsedQuestion, refs: dict[str, ItemRef], model: str | None,
            settings: AnswerSettings) -> Answer:
    analysis, terms = _topic_terms(archive, parsed)
    matcher = _Matcher(analysis, terms, settings)
    allowed = _allowed(refs, parsed)
    sem = _semantic(archive, parsed.text, model)
    if not allowed:
        # nothing from those councils / in that period: say so, and show the nearest items anywhere
        from dataclasses import replace

        wide = replace(parsed, councils=(), date_from=None, date_to=None)
        nearest = _candidates(archive, wide, set(refs), refs, terms, matcher, sem)
        return _decline(parsed, nearest[:3], _no_scope_reason(parsed, refs), matcher=matcher)
    candidates = _candidates(archive, parsed, allowed, refs, terms, matcher, sem)
    if not candidates:
        return _decline(parsed, [], "")
    best = candidates[0].score
    if best < settings.threshold:
        return _decline(parsed, candidates[:3], "", matcher=matcher, confidence=best)
    keep = [c for c in candidates if c.score >= max(settings.threshold, settings.relative_cut * best)]
    keep = _one_per_meeting_item(archive, keep, candidates)
    answer = _compose(parsed, keep, matcher)
    answer.confidence = best
    answer.semantic = sem is not None
    return answer


def _candidates(archive, parsed: ParsedQuestion, allowed: set[str], refs: dict[str, ItemRef],
                terms: list[_TopicTerm], matcher: _Matcher, sem) -> list[_Candidate]:
    """Candidate items from keyword, hybrid and passage-embedding search, best first."""
    ids: list[str] = []
    limit = matcher.settings.candidates
    ids += [i for i in _keyword_ids(archive, parsed, terms, limit) if i in allowed]
    rows_by_item: dict[str, np.ndarray] = {}
    if sem is not None:
        index, scores = sem
        rows_by_item = _rows_by_item(index)
        masked = np.full(len(scores), -np.inf, dtype=np.float32)
        allowed_rows = [rows_by_item[i] for i in allowed if i in rows_by_item]
        if allowed_rows:
            rows = np.concatenate(allowed_rows)
            masked[rows] = scores[rows]
        k = min(len(scores), limit * 6)
        top = np.argpartition(-masked, k - 1)[:k]
        seen: set[str] = set()
        for row in top[np.argsort(-masked[top])]:
            if not np.isfinite(masked[row]):
                break
            item_id = index.item_ids[row]
            if item_id not in seen:
                seen.add(item_id)
                ids.append(item_id)
            if len(seen) >= limit:
                break
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    items = {it.id: it for it in archive.items(item_ids=ids)}
    candidates: list[_Candidate] = []
    for item_id in ids:
        item, ref = items.get(item_id), refs.get(item_id)
        if item is None or ref is None:
            continue
        c = _Candidate(ref, item, settings=matcher.settings)
        full = " ".join([item.title] + [p.text for b in item.blocks for p in b.paragraphs])
        key = " ".join([item.title] + [p.text for b in item.blocks if b.heading in ("Beslutning", "Indstilling")
                                          for p in b.paragraphs])
        c.lexical = (0.35 * matcher.coverage(full) + 0.35 * matcher.best_paragraph(item)
                     + 0.3 * matcher.coverage(key))
        c.title_lexical = matcher.coverage(item.title)
        if sem is not None and item_id in rows_by_item:
            index, scores = sem
            rows = rows_by_item[item_id]
            c.passages = [(float(scores[r]), index.blocks[r], index.texts[r]) for r in rows]
            c.semantic = max(s for s, _b, _t in c.passages)
        candidates.append(c)
    candidates.sort(key=lambda c: -c.score)
    return candidates


def _no_scope_reason(parsed: ParsedQuestion, refs: dict[str, ItemRef]) -> str:
    present = {r.council for r in refs.values()}
    missing = [c for c in parsed.councils if c not in present]
    if missing:
        return f"Arkivet har ingen dokumenter fra {join_da(missing)}."
    if parsed.has_period:
        return f"Arkivet har ingen møder {parsed.period}" + (
            f" for {join_da(list(parsed.councils))}." if parsed.councils else ".")
    return ""


def _one_per_meeting_item(archive, keep: list[_Candidate], candidates: list[_Candidate]) -> list[_Candidate]:
    """One candidate per meeting and agenda number: the referat when the meeting has one."""
    by_key: dict[tuple[str, str], _Candidate] = {}
    for c in keep:
        key = (c.ref.meeting_id, c.ref.number)
        current = by_key.get(key)
        if current is None or (current.ref.kind == "dagsorden" and c.ref.kind == "referat"):
            if current is not None and c.ref.kind == "referat":
                c.semantic = max(c.semantic, current.semantic)
                c.lexical = max(c.lexical, current.lexical)
            by_key[key] = c
    out = []
    for key, c in by_key.items():
        if c.ref.kind == "dagsorden":
            other = archive.counterpart(c.ref.item_id)
            if other is not None and other.kind == "referat":
                twin = next((x for x in candidates if x.ref.item_id == other.item_id), None)
                if twin is None:
                    item = archive.item(other.item_id)
                    if item is not None:
                        twin = _Candidate(other, item, c.lexical, c.title_lexical, c.semantic, [], c.settings)
                if twin is not None:
                    twin.lexical, twin.semantic = max(twin.lexical, c.lexical), max(twin.semantic, c.semantic)
                    c = twin
        out.append(c)
    return out


# ---------------------------------------------------------------------------- composing


def _role(c: _Candidate) -> str:
    """decision | recommendation | orientation. A dagsorden's Indstilling is a recommendation,
    never a decision; a referat's item is a decision when its Beslutning block decides
    something and the item is not an orientation or discussion by its title."""
    if c.ref.kind == "dagsorden":
        return "recommendation"
    decision = c.item.block("Beslutning")
    text = " ".join(p.text for p in decision.paragraphs) if decision else ""
    if ORIENTATION_TITLE.search(c.ref.title):
        return "orientation"
    if DECISION_VERB.search(text):
        return "decision"
    return "orientation"


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
    roles = {c.ref.item_id: _role(c) for c in keep}
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
    return Entry(c.ref, role, c.score, quotes)


@dataclass
class _Sentence:
    text: str
    page: int
    block: str
    paragraph: Paragraph
    position: int
    score: float = 0.0


def _sentences(item: Item, headings: tuple[str, ...] | None) -> list[_Sentence]:
    from archive.text.pages import page_of_offset

    out = []
    position = 0
    for block in item.blocks:
        if headings is not None and block.heading not in headings:
            continue
        for paragraph in block.paragraphs:
            text = paragraph.text
            for start, end in sentence_spans(text):
                piece = text[start:end]
                lead = len(piece) - len(piece.lstrip())
                sentence = piece.strip()
                if len(sentence) < 3:
                    continue
                position += 1
                page = page_of_offset(paragraph, text, start + lead)
                out.append(_Sentence(sentence, page, block.heading, paragraph, position))
    return out


def _evidence(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher) -> tuple[float, bool]:
    """(item score + its best sentence's score, whether that sentence holds the asked-for type)."""
    sentences = _candidate_sentences(c, role, parsed, matcher)
    if not sentences:
        return c.score, False
    top = max(sentences, key=lambda s: _sentence_score(s, c, role, parsed, matcher))
    return c.score + _sentence_score(top, c, role, parsed, matcher), _typed(top.text, parsed.intent)


def _typed(text: str, intent: str) -> bool:
    """The sentence holds what a lookup question asks for: a number, a date, a person."""
    if intent == "number":
        return any(not re.fullmatch(r"(?:19|20)\d\d", n) for n in NUMBER.findall(text))
    if intent == "date":
        return bool(DATE_EXPR.search(text))
    if intent == "people":
        return bool(PERSON.search(text))
    return False


def _candidate_sentences(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher) -> list[_Sentence]:
    intent = parsed.intent
    if role == "recommendation":
        headings: tuple[str, ...] | None = ("Indstilling",)
    elif intent in ("decision",) or role == "decision":
        headings = ("Beslutning",)
    else:
        headings = None
    sentences = _sentences(c.item, headings)
    if headings is not None and not any(matcher.coverage(s.text) > 0 for s in sentences):
        wider = _sentences(c.item, None)
        if any(matcher.coverage(s.text) > 0 for s in wider) and intent != "decision":
            sentences = wider
        elif not sentences:
            sentences = wider
    return sentences


def _quotes(c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher, *, limit: int) -> list[Quote]:
    intent = parsed.intent
    sentences = _candidate_sentences(c, role, parsed, matcher)
    if not sentences:
        return []
    for s in sentences:
        s.score = _sentence_score(s, c, role, parsed, matcher)
    ranked = sorted(sentences, key=lambda s: (-s.score, s.position))
    top = ranked[0]
    chosen = [top]
    for s in ranked[1:]:
        if len(chosen) >= limit:
            break
        same_block = s.block == top.block
        if (s.score >= 0.75 * top.score and s.score > 0.25 and (matcher.coverage(s.text) > 0 or same_block)) or (
                same_block and s.block == "Beslutning" and matcher.coverage(s.text) > 0 and s.score >= 0.55 * top.score):
            chosen.append(s)
    if intent not in ("number", "people", "date"):
        chosen.sort(key=lambda s: s.position)  # document order, except: the key sentence leads
    quotes = []
    for s in chosen:
        if s.text and s.text in s.paragraph.text:  # verbatim, or not at all
            quotes.append(Quote(s.text, s.page, s.block))
    return quotes


def _sentence_score(s: _Sentence, c: _Candidate, role: str, parsed: ParsedQuestion, matcher: _Matcher) -> float:
    score = matcher.coverage(s.text)
    block_bonus = {"Beslutning": 0.3, "Indstilling": 0.15}.get(s.block, 0.0)
    if parsed.intent in ("number", "date", "people", "overview"):
        block_bonus *= 0.5
    score += block_bonus
    if DECISION_VERB.search(s.text):
        score += 0.2 if parsed.intent == "decision" else 0.05
    if NOTED_ONLY.search(s.text) and not DECISION_VERB.search(s.text):
        score -= 0.05
    cfg = matcher.settings
    if _typed(s.text, parsed.intent):
        score += cfg.sentence_type_weight * (0.67 if parsed.intent == "date" else 1.0)
    # the passage the sentence lies in, scored by the embedding
    best_passage = 0.0
    for p_score, block, text in c.passages:
        if block == s.block and s.text[:60] in text:
            best_passage = max(best_passage, p_score)
    score += cfg.sentence_semantic_weight * _sem_norm(best_passage, cfg)
    if s.text.endswith(":"):
        score -= 0.1
    return score


# ---------------------------------------------------------------------------- the lead sentence


def _count_da(n: int, singular: str, plural: str) -> str:
    word = ("ét" if singular in ("punkt",) else "én") if n == 1 else (
        NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n))
    return f"{word} {singular if n == 1 else plural}"


def _subject(parsed: ParsedQuestion, entries: list[Entry]) -> str:
    councils = list(dict.fromkeys(e.ref.council for e in entries))
    if len(councils) == 1 and (parsed.councils or len(entries) == 1):
        return councils[0]
    return "KKR"


def _where(entry: Entry) -> str:
    return f"{entry.ref.council} den {format_date_da(entry.ref.date)}"


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
    if intent in ("number", "people") and entries[0].quotes:
        key = max(entries, key=lambda e: e.score)
        kind = "referat" if key.ref.kind == "referat" else "dagsorden"
        return (f"Ifølge {key.ref.council}s {kind} af {format_date_da(key.ref.date)} (pkt. {key.ref.number}): "
                f"»{key.quotes[0].text}«")
    if intent == "date":
        return ("Det blev behandlet " + join_da(
            [f"af {e.ref.council} på mødet den {format_date_da(e.ref.date)} (pkt. {e.ref.number} \"{e.ref.title}\")"
             for e in entries]) + ".")
    if parsed.history and len(entries) > 1:
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
    """The last decision and when, then what came before, each dated (entries are in date order)."""
    decisions = [e for e in entries if e.role == "decision"]
    last = decisions[-1] if decisions else entries[-1]
    verb = "blev sagen senest besluttet" if last.role == "decision" else "blev sagen senest behandlet"
    text = f"Ifølge arkivet {verb} af {_where(last)} (pkt. {last.ref.number} \"{last.ref.title}\")."
    before = [e for e in entries if e is not last and e.ref.date <= last.ref.date]
    after = [e for e in entries if e is not last and e.ref.date > last.ref.date]
    if before:
        text += " Før det: " + join_da([f"{ROLE_DA.get(e.role, e.role)} den {format_date_da(e.ref.date)} "
                                          f"({e.ref.council}, pkt. {e.ref.number})" for e in before]) + "."
    if after:
        text += " Senere: " + join_da([f"{ROLE_DA.get(e.role, e.role)} den {format_date_da(e.ref.date)} "
                                        f"({e.ref.council}, pkt. {e.ref.number})" for e in after]) + "."
    return text


def _declining(parsed: ParsedQuestion) -> str:
    """The declining sentence: the question quoted, so it is correct Danish for every shape."""
    scope = f" fra {join_da(list(parsed.councils))}" if parsed.councils else ""
    about = _about(parsed)
    if parsed.intent == "decision":
        if about:
            return f"Jeg fandt ingen beslutninger{about}{scope} i arkivet."
        return f"Jeg fandt ingen beslutninger{scope} i arkivet, der svarer på spørgsmålet »{parsed.text}«."
    if about:
        return f"Jeg fandt intet svar på spørgsmålet{about}{scope} i arkivet."
    return f"Jeg fandt intet svar{scope} i arkivet på spørgsmålet »{parsed.text}«."


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
