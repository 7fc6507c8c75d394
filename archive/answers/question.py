"""Understanding a Danish question about the archive: topic, councils, period and intent.

Pure parsing, no I/O: `parse_question(text, today=...)` -> `ParsedQuestion`.

* councils: "KKR Hovedstaden", "Hovedstaden", "hovedstadsområdet", "Region Sjælland",
  "sjællandske" ... name a council; "alle KKR", "begge KKR", "de to KKR" name all of them
  (no filter, but the answer covers each council).
* period: "i 2026", "i september" (the latest September up to `today`), "i september 2026",
  "sidste år", "i år", "sidste måned", "i foråret"/"i efteråret", "siden juni", "før 2026",
  "efter april 2026", "den 21. september 2026". A year later than `today` is no meeting
  period ("flygtninge i 2027" asks about 2027, decided earlier) and stays in the topic.
* intent, by the first marker found in this order: "date" (hvornår, hvilken dato),
  "people" (hvem, hvilke borgmestre), "number" (hvor mange, hvor meget, kvoten, beløb),
  "overview" (hvad ved vi om, fortæl om, status), "decision" (besluttede, vedtog,
  godkendte, resultatet, fastsatte); else "overview".
* topic: what is left after question words, intent words, councils and period are removed.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from archive.text.analysis import STOP_WORDS
from archive.text.danish import COUNCILS, MONTH_PATTERN, MONTHS
from archive.text.query import normalise

INTENTS = ("decision", "number", "date", "people", "overview")

KNOWN_COUNCILS = COUNCILS

# Aliases (lowercase, matched as whole words) -> council. Longest first when matching.
COUNCIL_ALIASES: dict[str, str] = {
    "kkr hovedstaden": "KKR Hovedstaden", "kkr hovedstadens": "KKR Hovedstaden",
    "hovedstaden": "KKR Hovedstaden", "hovedstadens": "KKR Hovedstaden",
    "hovedstadsområdet": "KKR Hovedstaden", "hovedstadsområdets": "KKR Hovedstaden",
    "hovedstadsregionen": "KKR Hovedstaden", "region hovedstaden": "KKR Hovedstaden",
    "kkr sjælland": "KKR Sjælland", "kkr sjællands": "KKR Sjælland", "kkr sjaelland": "KKR Sjælland",
    "sjælland": "KKR Sjælland", "sjællands": "KKR Sjælland", "sjællandske": "KKR Sjælland",
    "region sjælland": "KKR Sjælland", "sjaelland": "KKR Sjælland",
    "kkr syddanmark": "KKR Syddanmark", "syddanmark": "KKR Syddanmark", "syddanske": "KKR Syddanmark",
    "kkr midtjylland": "KKR Midtjylland", "midtjylland": "KKR Midtjylland", "midtjyske": "KKR Midtjylland",
    "kkr nordjylland": "KKR Nordjylland", "nordjylland": "KKR Nordjylland", "nordjyske": "KKR Nordjylland",
}
ALL_COUNCILS_RE = re.compile(
    r"\b(?:alle|begge|hvert|hver|de to|de fem|samtlige)\s+(?:kkr(?:['’]?erne|['’]?er)?|råd(?:ene)?)\b|\bkkr['’]?erne\b",
    re.IGNORECASE,
)
COMPARE_RE = re.compile(r"\b(?:sammenlign\w*|forskel\w*|adskil\w*|i forhold til hinanden|hver især|"
                        r"hhv\.?|henholdsvis|begge|forskellig\w*|"
                        r"hvilke[tn]? (?:af (?:de \w+ )?)?(?:kkr|råd)(?:['’]?erne)?)\b", re.IGNORECASE)  # "Hvilket KKR ..."

_MONTH_RE = MONTH_PATTERN
SEASONS = {"foråret": (3, 5), "sommeren": (6, 8), "efteråret": (9, 11), "vinteren": (12, 2)}

INTENT_MARKERS: list[tuple[str, re.Pattern]] = [
    ("date", re.compile(r"\b(?:hvornår|hvilken dato|hvilke datoer|på hvilket møde|hvilket møde|"
                        r"hvilken dag|fra hvornår|hvilken tidsplan)\b", re.I)),
    ("people", re.compile(r"\b(?:hvem|hvilke (?:personer|borgmestre|medlemmer|repræsentanter|kandidater)|"
                          r"hvilken borgmester|hvilket medlem|navnene)\b", re.I)),
    ("number", re.compile(r"\bhvad (?:bliver|blev|er) (?:den|det) (?:nye |samlede )?[\w-]*(?:takst|pris|beløb)\w*\b|"
                          r"\b(?:hvor mange|hvor meget|hvor stor|hvor store|hvor højt?|hvor lav|hvilket antal|"
                          r"antallet|hvad er kvoten|hvad blev kvoten|kvoten|kvote|beløb\w*|hvad koster|"
                          r"hvor mange penge|hvor mange procent|hvilken procent|hvilket loft|hvad er loftet|"
                          r"hvilket bidrag|hvor stort)\b|\bhvad\b.*\bkoste\b", re.I)),
    ("overview", re.compile(r"\b(?:hvad ved (?:vi|arkivet|du) om|fortæl (?:om|mig om)|overblik|"
                            r"hvad står der om|hvad er status|hvordan er det gået|hvad er der sket med|"
                            r"hvad har kkr \w+ (?:drøftet|diskuteret)|historik\w*)\b", re.I)),
    ("decision", re.compile(r"\bhvordan blev\b.*\bbehandlet\b|\b(?:besluttede|besluttet|beslutning\w*|beslutte|vedtog|vedtaget|vedtage|"
                            r"godkendte|godkendt|godkende|godkendelse|resultat(?:et)?|fastsatte|fastsat|"
                            r"fastsætte|aftalte|aftalt|tiltrådte|anbefalede|bestemte|bestemt|valgte|"
                            r"blev enige|landede|endte)\b", re.I)),
]

# A question about a case's course over time: the answer gives the last decision and what came before
HISTORY_RE = re.compile(r"\b(?:forløb\w*|historik\w*|hvad er der sket|hvad skete der|udvikle\w*|over året|"
                        r"undervejs|seneste skridt|før (?:den|det|de) blev|fra \w+ til|behandlet \w+ over)\b", re.I)

# A question over the whole course of a topic (every meeting that treated it, not one decision):
# the perfect tense over time ("Hvad har KKR besluttet om ..."), "gennem tiden", a plural of decisions
BREADTH_RE = re.compile(r"\bhar\b(?:\s+[\w'’-]+){0,3}?\s+(?:besluttet|sagt|gjort|foretaget|truffet|drøftet|"
                        r"behandlet|vedtaget|godkendt)\b|\bgennem tiden\b|\bhvilke (?:beslutninger|udpegninger)\b",
                        re.I)

# Words that carry the question's form, not its topic (lowercase surface forms).
QUESTION_WORDS = frozenset(
    """hvad hvem hvornår hvor hvordan hvorfor hvilke hvilken hvilket mange meget stor store stort højt lav
    ved vi du arkivet arkiv fortæl mig står status sket gået overblik historik kkr kkr'erne kkrerne
    besluttede besluttet beslutning beslutningen beslutninger beslutte vedtog vedtaget vedtage godkendte
    godkendt godkende godkendelse godkendelsen resultat resultatet fastsatte fastsat fastsætte aftalte
    tiltrådte anbefalede bestemte bestemt blev enige landede endte valgte
    gjorde sagde mente drøftede drøftet diskuteret diskuterede besluttes
    dato datoen datoer dag antal antallet koster penge
    noget nogen nogle angående vedrørende omkring
    personer borgmestre medlemmer repræsentanter kandidater navnene
    sammenlign sammenlignet sammenligne forskel forskellen forskellige adskiller adskilte hinanden
    henholdsvis hhv hver især begge alle samtlige to fem
    forløb forløbet skete skridt udviklede udviklet historikken behandlet behandles gennem tiden foretaget
    truffet sagt nye ifølge traf aftalt må sag sagen indtil mellem pr flest færrest
    sidste forrige seneste år året måned måneden siden før efter inden fra til
    foråret sommeren efteråret vinteren
    kan kunne skal skulle vil ville får fik gør gøre givet blevet sket""".split()
)


@dataclass(frozen=True)
class ParsedQuestion:
    text: str
    topic: str  # the topic words as the user wrote them, joined by spaces
    topic_words: tuple[str, ...]
    councils: tuple[str, ...] = ()  # councils named; () = any council
    all_councils: bool = False  # "alle KKR", "begge KKR": cover every council
    compare: bool = False  # the question compares councils
    date_from: date | None = None
    date_to: date | None = None
    period: str = ""  # the period phrase as understood, Danish ("i september 2026")
    intent: str = "overview"
    years_in_topic: tuple[str, ...] = field(default_factory=tuple)
    asks_decision: bool = False  # a decision verb occurs ("Hvornår godkendte ...")
    history: bool = False  # asks for the course of a case over time ("Hvordan er sagen forløbet?")
    breadth: bool = False  # asks about every treatment of a topic ("Hvad har KKR besluttet om ...?")
    # the topic words that narrow the asked-for thing (nouns, names, numbers: "kvindekrisecentre"
    # of "Hvor mange herbergspladser fastsatte KKR Sjælland for kvindekrisecentre?"), lowercase;
    # the topic's verbs ("fastsatte", "modtage") are not among them
    constraints: tuple[str, ...] = ()
    meeting_period: bool = False  # the period names a meeting ("på aprilmødet", "mødet den 7. april")
    # what a number question counts, lowercase: the last word of the first run of constraint
    # words after "hvor mange" ("Hvor mange af de udbudte pladser ...": "pladser"); "" for none
    head: str = ""

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def period_year(self) -> str:
        """"2011" when the period is one whole year ("i 2011"), else "". Such a year may be
        the year the question is about rather than the year of the meeting."""
        f, t = self.date_from, self.date_to
        if f and t and f.year == t.year and (f.month, f.day, t.month, t.day) == (1, 1, 12, 31):
            return str(f.year)
        return ""


def parse_question(text: str, *, today: date | None = None,
                   councils: tuple[str, ...] | list[str] | None = None,
                   bodies: list[tuple[str, str]] | tuple = ()) -> ParsedQuestion:
    """`councils`: names of councils the question may name; `bodies`: (authority, body) of
    the archive's meeting bodies, named by the body ("Sundheds- og Forebyggelsesudvalget",
    "Sundheds- og Forebyggelsesudvalgets", its abbreviation "PUK") or the authority
    ("Ballerup", "Ballerups": every body of Ballerup Kommune)."""
    today = today or date.today()
    raw, _messages = normalise(text)  # the one query bound (characters, words) of every search
    lowered = raw.lower()
    consumed: list[tuple[int, int]] = []

    found_councils, all_councils = _councils(raw, consumed, councils, bodies)
    compare = bool(COMPARE_RE.search(lowered)) or all_councils or len(found_councils) > 1
    date_from, date_to, period = _period(lowered, today, consumed)
    intent = _intent(lowered)

    words = []
    years = []
    constraints = []
    previous = ""  # the word before, lowercase ("" at the start and after a council or period)
    previous_constraint = False
    for n, match in enumerate(re.finditer(r"[^\W_]+(?:[-.,/'’][^\W_]+)*", raw)):
        if any(a <= match.start() < b for a, b in consumed):
            previous, previous_constraint = "", False
            continue
        word = match.group(0)
        low = word.lower()
        if low in STOP_WORDS or low in QUESTION_WORDS or len(low) < 2:
            if low not in NOUN_MARKERS and low not in ("og", "eller"):
                previous_constraint = False
            previous = low
            continue
        if re.fullmatch(r"(?:19|20)\d\d", low):
            years.append(low)
        words.append(word)
        if low not in MEASURE_WORDS and _is_constraint(word, n, previous, previous_constraint):
            constraints.append(low)
            previous_constraint = True
        else:
            previous_constraint = False
        previous = low
    head = _counted(raw, consumed)
    if head and head not in constraints:
        constraints.append(head)
    return ParsedQuestion(
        text=raw, topic=" ".join(words), topic_words=tuple(words), councils=tuple(found_councils),
        all_councils=all_councils, compare=compare, date_from=date_from, date_to=date_to,
        period=period, intent=intent, years_in_topic=tuple(years),
        asks_decision=bool(dict(INTENT_MARKERS)["decision"].search(lowered)),
        history=bool(HISTORY_RE.search(lowered)),
        breadth=bool(BREADTH_RE.search(lowered)) or intent == "overview" or bool(HISTORY_RE.search(lowered)),
        constraints=tuple(dict.fromkeys(constraints)),
        meeting_period=bool(MEETING_PERIOD_RE.search(lowered)),
        head=head,
    )


# A number question's count marker: the noun phrase right after it is what is counted
COUNT_RE = re.compile(r"\b(?:hvor mange|hvor stor[te]?|hvilket antal|antallet af)\b", re.I)
_BEFORE_HEAD = frozenset("af de en et den det nye ny nyt".split())
# Nouns that name a measure, not a thing ("Hvor stor en andel ...", "antallet af pladser"): the
# answer states them as a number or a percentage, not by name; after "af" the thing follows
MEASURE_WORDS = frozenset(
    """andel andelen antal antallet beløb beløbet procentdel procentdelen procent procentsats
    mængde mængden størrelse størrelsen omfang omfanget niveau niveauet""".split()
)


def _counted(raw: str, consumed: list) -> str:
    """The noun a number question counts, lowercase ("Hvor mange af de udbudte pladser ...":
    "pladser"; "Hvor stor en andel ...": "andel"), or "": the noun phrase right after the count
    marker, whose last word is its head (the words before it end in -e: "udbudte", "ikke-offentlige")."""
    marker = COUNT_RE.search(raw)
    if marker is None:
        return ""
    phrase: list[str] = []
    for match in re.finditer(r"[^\W_]+(?:[-.,/'’][^\W_]+)*", raw[marker.end():]):
        start = marker.end() + match.start()
        low = match.group(0).lower()
        if any(a <= start < b for a, b in consumed):
            break
        if phrase and phrase[-1] in MEASURE_WORDS:
            if low != "af":
                return ""  # a measure of nothing named ("Hvor stor en andel var røgfri?")
            phrase = []  # "en andel af borgerne": what is measured follows
            continue
        if not phrase and low in _BEFORE_HEAD:
            continue
        if low in STOP_WORDS or low in QUESTION_WORDS or (phrase and not phrase[-1].endswith("e")):
            break
        phrase.append(low)
    return phrase[-1] if phrase and phrase[-1] not in MEASURE_WORDS else ""

# The period names a meeting, not the time the question is about ("aprilmødet", "mødet den 7. april")
MEETING_PERIOD_RE = re.compile(rf"\b(?:{MONTH_PATTERN})møde|\bmødet?\s+(?:den|d\.|i|afholdt)\b", re.I)

# Words after which a question's next word is a noun (the thing asked for or what narrows it):
# prepositions, articles, possessives, quantifiers ("Hvor mange herbergspladser ... for
# kvindekrisecentre", "dimensioneringen af socialrådgiveruddannelsen"). A verb of the question
# ("fastsatte", "skal ... modtage", "blev der reserveret") follows a noun, a modal or "der".
NOUN_MARKERS = frozenset(
    """af for til på om i med fra over under mod ved hos efter før uden mellem indtil pr vedrørende
    angående omkring ifølge blandt inden
    en et den det de denne dette disse sin sit sine hans hendes deres vores
    mange hvilke hvilken hvilket flest færrest nye ny nyt samlede""".split()
)


def _is_constraint(word: str, position: int, previous: str, previous_constraint: bool) -> bool:
    """A topic word that narrows what is asked for: a noun by its place in the question (after
    a preposition, article or quantifier, or joined by "og"/"eller" to such a noun), a name
    (capitalised inside the question), or a word with a digit."""
    if any(ch.isdigit() for ch in word):
        return True
    if position > 0 and word[:1].isupper():
        return True
    if previous in NOUN_MARKERS:
        return True
    if previous in ("og", "eller") and previous_constraint:
        return True
    return False


def _councils(raw: str, consumed: list, known, bodies=()) -> tuple[list[str], bool]:
    lowered = raw.lower()
    aliases: dict[str, tuple[str, ...]] = {k: (v,) for k, v in COUNCIL_ALIASES.items()}
    for name in known or ():
        aliases.setdefault(name.lower(), (name,))
        aliases.setdefault(name.lower().replace("kkr ", "", 1), (name,))
    for alias, names in body_aliases(bodies).items():
        aliases.setdefault(alias, names)
    found: list[str] = []
    for alias in sorted(aliases, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", lowered):
            if any(a <= match.start() < b for a, b in consumed):
                continue
            if _continues_a_name(raw, match.start(), alias):
                continue  # "Klimaalliance Sjælland", "Erhvervshus Hovedstadens": a name, not the council
            consumed.append(match.span())
            found += [n for n in aliases[alias] if n not in found]
    every = ALL_COUNCILS_RE.search(lowered)
    if every:
        consumed.append(every.span())
    # "KKR" alone names no council
    return found, bool(every)


def _continues_a_name(raw: str, start: int, alias: str) -> bool:
    """A bare place name ("sjælland", not "kkr sjælland") right after a capitalised word inside
    the question is the end of a proper name ("Klimaalliance Sjælland"), not a council."""
    if " " in alias:
        return False
    before = raw[:start].rstrip()
    if len(before) == len(raw[:start]):
        return False  # joined to the word before ("Region-" ...): not a separate word
    m = re.search(r"([^\W\d_][\w'’-]*)$", before)
    if m is None or m.start() == 0:
        return False  # no word before, or the question's first word
    word = m.group(1)
    return word[:1].isupper() and word.lower() not in STOP_WORDS and word.lower() not in QUESTION_WORDS \
        and word.upper() != word  # "KKR Sjælland" is the council ("KKR" is all capitals)


def _genitive(name: str) -> list[str]:
    """"ballerup" -> ["ballerup", "ballerups"]; "syddjurs" -> ["syddjurs", "syddjurs'"]."""
    return [name, name + ("'" if name.endswith(("s", "x", "z")) else "s")]


def body_aliases(bodies) -> dict[str, tuple[str, ...]]:
    """Lowercase aliases -> body names, for municipal bodies given as (authority, body): the
    body's name with and without its definite ending and in the genitive, an abbreviation in
    brackets ("(PUK)"), and the authority's place name (every body of that authority). KL's
    own councils (authority "KL") are named by COUNCIL_ALIASES."""
    out: dict[str, list[str]] = {}
    for authority, body in bodies:
        if not body or authority in ("", "KL"):
            continue
        low = body.lower()
        full = re.sub(r"\s*\(([^)]*)\)\s*$", "", low).strip()
        forms = _genitive(full)
        m = re.search(r"(\w+?)(?:et|en)$", full)
        if m and len(m.group(1)) >= 4:  # "forebyggelsesudvalget" -> "forebyggelsesudvalg"
            forms += _genitive(full[:m.end(1)])
        abbreviation = re.search(r"\(([^)]*)\)\s*$", low)
        if abbreviation and abbreviation.group(1).strip():
            forms += _genitive(abbreviation.group(1).strip())
        place = re.sub(r"\s+(?:kommune|region)$", "", authority.lower()).strip()
        if place:
            forms += _genitive(place) + _genitive(authority.lower())
        for form in forms:
            names = out.setdefault(form, [])
            if body not in names:
                names.append(body)
    return {k: tuple(v) for k, v in out.items()}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _latest_month(month: int, today: date) -> int:
    """The year of the latest `month` that has begun by `today`."""
    return today.year if month <= today.month else today.year - 1


def _period(lowered: str, today: date, consumed: list) -> tuple[date | None, date | None, str]:
    from archive.text.citation import format_date_da

    def take(match: re.Match) -> None:
        consumed.append(match.span())

    # an exact date: "den 21. september 2026", "21. september"
    m = re.search(rf"\b(\d{{1,2}})\.\s*({_MONTH_RE})(?:\s+((?:19|20)\d\d))?\b", lowered)
    if m:
        month = MONTHS.index(m.group(2)) + 1
        year = int(m.group(3)) if m.group(3) else _latest_month(month, today)
        try:
            day = date(year, month, int(m.group(1)))
        except ValueError:
            day = None
        if day is not None:
            take(m)
            return day, day, f"den {format_date_da(day)}"
    # before / after / since
    m = re.search(rf"\b(før|inden|efter|siden|fra)\s+(?:(?:i|den)\s+)?(?:({_MONTH_RE})\s*)?((?:19|20)\d\d)?\b",
                  lowered)
    if m and (m.group(2) or m.group(3)):
        word, month_name, year_text = m.group(1), m.group(2), m.group(3)
        month = MONTHS.index(month_name) + 1 if month_name else None
        year = int(year_text) if year_text else _latest_month(month, today)
        if year <= today.year:
            take(m)
            if word in ("før", "inden"):
                end = date(year, month, 1) - timedelta(days=1) if month else date(year - 1, 12, 31)
                return None, end, f"{word} {(month_name + ' ') if month_name else ''}{year}"
            if word == "efter":
                start = _month_end(year, month) + timedelta(days=1) if month else date(year + 1, 1, 1)
                return start, None, f"efter {(month_name + ' ') if month_name else ''}{year}"
            start = date(year, month, 1) if month else date(year, 1, 1)
            return start, None, f"{word} {(month_name + ' ') if month_name else ''}{year}"
    # relative years and months
    m = re.search(r"\b(?:sidste|forrige)\s+år\b|\bi fjor\b", lowered)
    if m:
        take(m)
        y = today.year - 1
        return date(y, 1, 1), date(y, 12, 31), f"i {y}"
    m = re.search(r"\b(?:i år|i indeværende år|dette år)\b", lowered)
    if m:
        take(m)
        return date(today.year, 1, 1), date(today.year, 12, 31), f"i {today.year}"
    m = re.search(r"\b(?:sidste|forrige)\s+måned\b", lowered)
    if m:
        take(m)
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        return first, _month_end(first.year, first.month), f"i {MONTHS[first.month - 1]} {first.year}"
    m = re.search(r"\b(?:denne måned|i denne måned)\b", lowered)
    if m:
        take(m)
        return today.replace(day=1), _month_end(today.year, today.month), f"i {MONTHS[today.month - 1]} {today.year}"
    # a month's meeting ("aprilmødet", "junimøde 2026"), then a month with or without a year
    # ("i september", "september 2026")
    for pattern in (rf"\b({_MONTH_RE})møde(?:t|s|ts)?\b(?:\s+((?:19|20)\d\d))?",
                    rf"\b(?:i\s+)?({_MONTH_RE})(?:\s+((?:19|20)\d\d))?\b"):
        m = re.search(pattern, lowered)
        if m:
            month = MONTHS.index(m.group(1)) + 1
            year = int(m.group(2)) if m.group(2) else _latest_month(month, today)
            if year <= today.year:
                take(m)
                return date(year, month, 1), _month_end(year, month), f"i {m.group(1)} {year}"
    # a season: "i foråret (2026)"
    m = re.search(r"\b(?:i\s+)?(foråret|sommeren|efteråret|vinteren)(?:\s+((?:19|20)\d\d))?\b", lowered)
    if m:
        first_month, last_month = SEASONS[m.group(1)]
        if m.group(2):
            year = int(m.group(2))
        else:
            year = today.year if first_month <= today.month else today.year - 1
        take(m)
        start = date(year, first_month, 1)
        end = _month_end(year + (1 if last_month < first_month else 0), last_month)
        return start, end, f"i {m.group(1)} {year}"
    # a year: "i 2026" (a future year is a topic, not a meeting period)
    m = re.search(r"\b(?:i|året|under)\s+((?:19|20)\d\d)\b(?![-/])", lowered)
    if m and int(m.group(1)) <= today.year:
        y = int(m.group(1))
        take(m)
        return date(y, 1, 1), date(y, 12, 31), f"i {y}"
    return None, None, ""


def _intent(lowered: str) -> str:
    for intent, pattern in INTENT_MARKERS:
        if pattern.search(lowered):
            return intent
    return "overview"
