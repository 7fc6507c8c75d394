r"""Danish text analysis shared by indexing and querying.

One pipeline, used on both sides:

    tokenise -> lowercase -> drop stop words -> stem (Snowball, PyStemmer) -> [fold]
                                              \-> decompound (index: parts at the same position)

* Tokens keep codes whole: case numbers ("SAG-2026-00541"), numbers with dots or commas
  ("1.380", "6,5"), year ranges ("2026-2030"). A hyphenated code also yields its parts at the
  same position, so "2026" or "00541" alone still finds it. Hyphenated words without digits
  ("Høje-Taastrup") become consecutive words.
* Compounds: a `Decompounder` built from the archive's own vocabulary splits
  "herbergspladser" into "herberg" + "plads" (linking "s"/"e" allowed). At index time the
  analyzer emits the compound's stem *and* its parts at one position, so the query "herberg"
  finds "herbergsområdet". At query time the search layer expands a compound term into
  "compound OR (all its parts)", so "kvindekrisecenter" finds "krisecenter for kvinder".
* Folding ("å"->"aa", "æ"->"ae", "ø"->"oe") is applied *after* stemming and only for the
  extra folded field, so "paedagoguddannelsen" and "Aabenraa"/"Åbenrå" meet.

Pure functions and plain classes, no search engine: the Whoosh adapter around `Analysis`
is `archive.keyword.analyzer.DanishAnalyzer`.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import Stemmer

from archive.text.danish import FOLD

# Snowball's Danish stop word list (https://snowballstem.org/algorithms/danish/stop.txt).
STOP_WORDS: frozenset[str] = frozenset(
    """og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har
    om vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal
    selv her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne
    end dette mit også under have dig anden hende mine alt meget sit sine vor mod disse hvis
    din nogle hos blive mange ad bliver hendes været thi jer sådan""".split()
)

# Words that give a search query its form as a question, not its topic. With STOP_WORDS they
# are the one list of words that never decide whether an item matches a search (query side
# only: the index keeps them, so a phrase with them still matches).
QUESTION_WORDS: frozenset[str] = frozenset(
    """hvad hvor hvem hvornår hvordan hvorfor hvorledes hvilke hvilken hvilket hvormed hvorhen
    blevet besluttet besluttede vedtog vedtaget sket skete står gjorde sagde mente fortæl
    kan får fik gør gøre findes fandtes""".split()
)
QUERY_STOP_WORDS: frozenset[str] = STOP_WORDS | QUESTION_WORDS


def is_query_stop_word(word: str) -> bool:
    """True for a query word that never decides a match (stop word or question word)."""
    return normalise_text(word).lower().strip(".,;:?!") in QUERY_STOP_WORDS


# A run of letters/digits, optionally joined to more runs by - . , / or an apostrophe.
_TOKEN_RE = re.compile(r"[^\W_]+(?:[-.,/'’][^\W_]+)*")
_PART_SPLIT_RE = re.compile(r"[-/'’.,]")
_CODE_PART_SPLIT_RE = re.compile(r"[-/]")
_HAS_DIGIT_RE = re.compile(r"\d")
_FOLD_TABLE = str.maketrans(FOLD)
_VOWELS = set("aeiouyæøå")
MAX_TOKEN_LENGTH = 60  # longer "words" are noise (URLs, garbage); they are skipped


# ---------------------------------------------------------------------------- primitives


def normalise_text(text: str) -> str:
    """NFC, no control characters (NUL bytes and friends become spaces), soft hyphens removed."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)


def fold(term: str) -> str:
    """'pædagoguddan' -> 'paedagoguddan', 'åbenrå' -> 'aabenraa'."""
    return term.translate(_FOLD_TABLE)


_STEMMER = Stemmer.Stemmer("danish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Danish Snowball stem of a lowercase word, with one repair: the stemmer cuts "center" to
    "cent" but "centre" to "centr"; a stem ending in consonant + "r" loses the "r" so that
    singular and plural (center/centre, filter/filtre) meet."""
    if _HAS_DIGIT_RE.search(word):
        return word
    s = _STEMMER.stemWord(word)
    if len(s) >= 5 and s[-1] == "r" and s[-2] not in _VOWELS and s[-3] not in _VOWELS:
        s = s[:-1]
    return s


@dataclass(frozen=True)
class Token:
    """A word of the text as the tokenizer sees it: its lowercase form and where it stands."""

    text: str  # lowercase surface form
    start: int  # character offsets in the (normalised) input
    end: int
    code: bool = False  # a kept-whole code ("sag-2026-00541", "1.380")
    parts: tuple[str, ...] = ()  # sub-parts of a hyphenated code, emitted at the same position


def words(text: str) -> Iterator[Token]:
    """Lowercase words of `text`, stop words included (the caller decides)."""
    for match in _TOKEN_RE.finditer(text):
        yield from token_words(match.group(0), match.start())


def tokens(text: str) -> Iterator[tuple[str, int]]:
    """The raw tokens of `text` with their offsets; `token_words` turns one into words."""
    for match in _TOKEN_RE.finditer(text):
        yield match.group(0), match.start()


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every raw token of `text`."""
    return [m.span() for m in _TOKEN_RE.finditer(text)]


def token_words(raw: str, start: int) -> Iterator[Token]:
    """The words of one raw token at offset `start` (see `words`)."""
    if len(raw) > MAX_TOKEN_LENGTH:
        return
    if _HAS_DIGIT_RE.search(raw):
        yield from _code_words(raw.lower(), start)
    else:
        yield from _plain_words(raw.lower(), start)


def _code_words(raw: str, start: int) -> Iterator[Token]:
    # "sag-2026-00541", "1.380", "2026-2030", "øa27"; a trailing apostrophe-s is dropped.
    raw = re.sub(r"['’]s$", "", raw)
    parts = tuple(p for p in _CODE_PART_SPLIT_RE.split(raw) if p and p != raw)
    yield Token(raw, start, start + len(raw), code=True, parts=parts)


def _plain_words(raw: str, start: int) -> Iterator[Token]:
    # "høje-taastrup" -> "høje", "taastrup"; "kl’s" -> "kl"; "bl.a" -> "bl", "a".
    offset = 0
    pieces = _PART_SPLIT_RE.split(raw)
    for index, piece in enumerate(pieces):
        if piece and not (piece == "s" and index > 0 and raw[offset - 1] in "'’"):
            yield Token(piece, start + offset, start + offset + len(piece))
        offset += len(piece) + 1


# ---------------------------------------------------------------------------- decompounding

LINKS = ("", "s", "e")
# Pieces that look like words of the vocabulary but are inflections, derivational suffixes or
# verb particles: "kommun|erne", "vokse|nde", "base|ret", "ved|tager", "sam|arbejde".
NOT_HEADS = frozenset(
    "ende erne ernes ene ret rede lede ske lig lige ligere ligens lighed hed heder else elsen "
    "sel tidige ning ninger nings tion ist ister isk iske ere erer eret ering ismen isme ive "
    "ring ringer ringen ringer inger mer and endt indelse endelse rete skab skabet skaber "
    "skabs skaberne skabets".split()
)
NOT_MODIFIERS = frozenset(
    "ved del frem sam bag mod inde ude oppe nede igen imod bort hen hjem fri gen gennem kun "
    "god fast ring forud".split()
)


@dataclass
class DecompounderConfig:
    min_part: int = 3  # shortest part (surface letters, linking letter excluded)
    min_short_count: int = 5  # a part shorter than 4 letters must be at least this frequent
    max_parts: int = 4
    # A split wins when the parts' geometric-mean frequency times this factor exceeds the
    # whole word's frequency: frequent compounds of frequent words ("herbergsområdet") are
    # split, frequent simple words whose pseudo-parts are rare ("forslag") are not.
    split_factor: float = 4.0


class Decompounder:
    """Splits Danish compounds into known words of the archive's own vocabulary.

    The dictionary is the archive's surface-word frequency table. A split
    modifier(+s|e) + ... + head is accepted when

    * every modifier is a word of the archive (or, from 6 letters, a stem of one), not a stop
      word or verb particle ("ved|tager", "sam|arbejde"), at least `min_part` letters;
    * the head's stem is known, the head is not an inflection or derivational suffix
      ("kommun|erne", "etable|ring"), and a 3-letter head is a frequent word ("råd");
    * the geometric mean of the parts' frequencies times `split_factor` beats the frequency of
      the whole word (after Koehn & Knight 2003), so a frequent simple word stays whole.
    """

    FORMAT = 2

    def __init__(self, words: dict[str, int], config: DecompounderConfig | None = None):
        self.words = words
        self.config = config or DecompounderConfig()
        stems: Counter[str] = Counter()
        for word, n in words.items():
            stems[stem(word)] += n
        self.stems: dict[str, int] = dict(stems)
        self._cache: dict[str, tuple[str, ...]] = {}

    # -- building and persistence

    @classmethod
    def from_vocabulary(cls, vocabulary: Counter[str], config: DecompounderConfig | None = None) -> "Decompounder":
        """`vocabulary` counts lowercase surface words; stop words, codes and 1-letter words
        are dropped."""
        words = {
            w: n for w, n in vocabulary.items()
            if w not in STOP_WORDS and len(w) > 1 and w.isalpha()
        }
        return cls(words, config)

    def to_json(self) -> str:
        """The dictionary as `load` reads it (the indexer writes it beside the index)."""
        data = {"format": self.FORMAT, "config": self.config.__dict__, "words": self.words}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def load(cls, path: Path) -> "Decompounder":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != cls.FORMAT:
            raise ValueError(f"{path}: unknown decompounder format {data.get('format')!r}")
        return cls({k: int(v) for k, v in data["words"].items()}, DecompounderConfig(**data["config"]))

    def __len__(self) -> int:
        return len(self.words)

    # -- splitting

    def split(self, word: str) -> tuple[str, ...]:
        """Surface parts of a lowercase compound ("herbergspladser" -> ("herberg", "pladser")),
        linking letters removed; () when the word is not split."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result: tuple[str, ...] = ()
        if len(word) >= 2 * self.config.min_part + 1 and word.isalpha():
            best = self._best_split(word)
            whole = self.stems.get(stem(word), 0)
            if best is not None and self._score(best) * self.config.split_factor > whole:
                result = best
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[word] = result
        return result

    def part_stems(self, word: str) -> tuple[str, ...]:
        """Index terms for the parts of a compound: every part's stem and the stem of every
        tail ("kvindekrisecentre" -> kvind, kris, cent, krisecent), whole word excluded."""
        parts = self.split(word)
        if not parts:
            return ()
        terms = [stem(p) for p in parts]
        terms += [stem("".join(parts[i:])) for i in range(1, len(parts) - 1)]
        own = stem(word)
        return tuple(dict.fromkeys(t for t in terms if t != own))

    def query_parts(self, word: str) -> tuple[str, ...]:
        """What a query compound is replaced by when the compound itself is absent: the stem
        of its first part and of the rest ("kvindekrisecenter" -> kvind, krisecent)."""
        parts = self.split(word)
        if not parts:
            return ()
        return (stem(parts[0]), stem("".join(parts[1:])))

    def compounds_with(self, term: str, vocabulary: Iterable[str]) -> list[str]:
        """Index terms (stems) of `vocabulary` that are compounds containing the stem `term` as
        their first part or as their head: "herberg" -> herbergsplads, herbergsområd;
        "krisecent" -> kvindekrisecent. The other piece must be a known modifier."""
        if len(term) < self.config.min_part or not term.isalpha():
            return []
        found = []
        for candidate in vocabulary:
            if len(candidate) <= len(term) + 2 or candidate == term:
                continue
            if candidate.endswith(term) and self._modifier_prefix(candidate[: -len(term)]):
                found.append(candidate)
            elif candidate.startswith(term) and self._head_rest(candidate[len(term):]):
                found.append(candidate)
        return found

    def _modifier_prefix(self, prefix: str) -> bool:
        return any(
            prefix.endswith(link) and self._known_modifier(prefix[: len(prefix) - len(link)])
            for link in LINKS
        )

    def _head_rest(self, rest: str) -> bool:
        # `rest` is the tail of a stem, so it is compared with stems
        for link in LINKS:
            if rest.startswith(link):
                tail = rest[len(link):]
                if len(tail) >= 3 and tail in self.stems and tail not in NOT_HEADS:
                    return True
        return False

    def _known_modifier(self, part: str) -> bool:
        if len(part) < self.config.min_part or part in STOP_WORDS or part in NOT_MODIFIERS:
            return False
        count = self.words.get(part, 0)
        if len(part) < 4:
            return count >= self.config.min_short_count
        return count > 0 or (len(part) >= 6 and part in self.stems)

    def _known_head(self, part: str) -> bool:
        if len(part) < self.config.min_part or part in STOP_WORDS or part in NOT_HEADS:
            return False
        if len(part) < 4:
            return self.words.get(part, 0) >= self.config.min_short_count
        s = stem(part)
        return s not in NOT_HEADS and self.stems.get(s, 0) > 0

    def _count(self, part: str) -> int:
        return max(self.words.get(part, 0), self.stems.get(stem(part), 0), 1)

    def _score(self, parts: tuple[str, ...]) -> float:
        return math.exp(sum(math.log(self._count(p)) for p in parts) / len(parts))

    def _best_split(self, word: str) -> tuple[str, ...] | None:
        candidates = [c for c in self._splits(word, self.config.max_parts) if len(c) > 1]
        return max(candidates, key=self._score) if candidates else None

    def _splits(self, word: str, budget: int) -> Iterator[tuple[str, ...]]:
        """All ways to write `word` as known modifiers (with linking letters) and a head."""
        if self._known_head(word):
            yield (word,)
        if budget < 2:
            return
        minimum = self.config.min_part
        for cut in range(minimum, len(word) - minimum + 1):
            modifier = word[:cut]
            if not self._known_modifier(modifier):
                continue
            for link in LINKS:
                rest = word[cut:]
                if not rest.startswith(link):
                    continue
                rest = rest[len(link):]
                if len(rest) >= minimum:
                    for tail in self._splits(rest, budget - 1):
                        yield (modifier,) + tail


def vocabulary(texts: Iterable[str]) -> Counter[str]:
    """Lowercase surface word counts of `texts` (the input for `Decompounder.from_vocabulary`)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.text for w in words(normalise_text(text)) if not w.code)
    return counts


# ---------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Term:
    """One analysed word: its index term, folded form and compound parts."""

    text: str  # stem, or the code kept whole
    folded: str
    parts: tuple[str, ...]  # index-time parts (stems), same position
    query_parts: tuple[str, ...]  # query-time replacement when the compound is absent
    word: Token


class Analysis:
    """The one Danish analysis used at index time and at query time."""

    def __init__(self, decompounder: Decompounder | None = None, *, compounds: bool = True):
        self._forms: dict[tuple, tuple[str, str, tuple[str, ...]] | None] = {}
        self.decompounder = decompounder
        self.compounds = compounds

    @property
    def decompounder(self) -> Decompounder | None:
        return self._decompounder

    @decompounder.setter
    def decompounder(self, value: Decompounder | None) -> None:
        self._decompounder = value
        self._forms.clear()

    def forms(self, word: Token) -> tuple[str, str, tuple[str, ...]] | None:
        """(term, folded term, parts) of `word` as `term(word)` gives them, or None for a
        stop word; cached by the word's text (for snippets, which analyse many words)."""
        key = (word.text, word.code, word.parts, self.compounds)
        try:
            return self._forms[key]
        except KeyError:
            pass
        term = self.term(word)
        value = None if term is None else (term.text, term.folded, term.parts)
        if len(self._forms) > 200_000:
            self._forms.clear()
        self._forms[key] = value
        return value

    def terms(self, text: str) -> list[Term]:
        """Analysed words of `text` in order, stop words removed."""
        return [t for t in (self.term(w) for w in words(normalise_text(text))) if t is not None]

    def term(self, word: Token) -> Term | None:
        if word.text in STOP_WORDS:
            return None
        if word.code:
            return Term(word.text, fold(word.text), word.parts, (), word)
        main = stem(word.text)
        parts: tuple[str, ...] = ()
        query_parts: tuple[str, ...] = ()
        if self.compounds and self.decompounder is not None:
            parts = self.decompounder.part_stems(word.text)
            query_parts = self.decompounder.query_parts(word.text) if parts else ()
        return Term(main, fold(main), parts, query_parts, word)

    def index_tokens(self, text: str, *, folded: bool = False) -> Iterator[tuple[str, int, int, int]]:
        """(term, position, start, end) for indexing; compound parts share their word's position."""
        for position, term in enumerate(self.terms(text)):
            seen: set[str] = set()
            for value in (term.text, *term.parts):
                value = fold(value) if folded else value
                if value not in seen:
                    seen.add(value)
                    yield value, position, term.word.start, term.word.end
