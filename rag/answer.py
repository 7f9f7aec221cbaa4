"""Answers: the Answer/Citation types and the offline extractive answerer (no language model).

The extractive answerer scores every sentence of the retrieved paragraphs against the question (coverage of
the question's content words, the paragraph's retrieval rank, and whether the sentence holds the kind of
thing asked for: a date for "when", a number for "how many", a name for "who"), answers with the best one
or two sentences, and marks the short answer span. It abstains when no sentence covers enough of the question.
"""
import re
from dataclasses import dataclass, field, replace
from datetime import date

from .chunking import split_sentences
from .dates import find_event_dates, format_date, parse_iso, question_date_hint
from .places import place_kind, places_in
from .retrieve import Passage
from .temporal import fit, passage_fit, published_fit


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    paragraph: int
    title: str
    source: str | None
    published: str | None
    date_method: str
    text: str  # the whole paragraph
    quote: str  # the sentence that supports the answer
    verified: bool = True
    also: tuple = ()  # the same paragraph in other copies of the story (dedup.Copy): "also reported by"

    @classmethod
    def of(cls, n: int, passage: Passage, quote: str, verified: bool = True) -> "Citation":
        """Cite a retrieved passage."""
        return cls(n, passage.article_id, passage.paragraph, passage.title, passage.source, passage.published,
                   passage.date_method, passage.text, quote, verified, passage.also)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # with [n] markers
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    answerer: str = "extractive"
    standalone_question: str | None = None
    timings_ms: dict = field(default_factory=dict)
    verification: dict | None = None


@dataclass
class Turn:
    """One exchange of a conversation: what was asked and what was answered."""
    question: str
    answer: Answer


STOPWORDS = set("""a an the of to in on at by for from with and or but is are was were be been being do does did
has have had what which who whom whose when where why how that this these those it its as into about than then
there their they them he she his her him i you we our your my me us not no yes so if will would can could should
may might must shall s t just also any all some such many much more most other own same very up down out over
under again further once here both each few only too nor against between through during before after above below
off while until because per via according said says say tell told happen happened happens occur occurred""".split())
WH = {"when", "what", "which", "who", "whom", "whose", "where", "why", "how"}

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_PLURAL_ASK = re.compile(r"\b(?:which|what)\s+(?:two\s+|three\s+)?\w+(?:ies|[^s]s)\b|\bwho (?:were|are)\b", re.I)
_EVENT_ASK = re.compile(r"\bwhat (?:happened|occurred|took place|is happening|was going on)\b", re.I)
_CALENDAR_WORDS = set(_MONTHS.split("|")) | {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                              "Sunday"}
_UNIT = r"(?:\s(?:euros?|dollars?|pounds?|yuan|yen|rupees?|days?|weeks?|months?|years?|hours?|minutes?))?"
_NUMBER = re.compile(
    r"(?:(?:more|fewer|less) than |at least |about |around |nearly |almost |over |some |up to )?"
    r"(?:[$€£]?\d[\d,.]*(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand|hundred))?"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred)\b)"
    + _UNIT + r"|\b(?:hundreds|thousands|tens of thousands|hundreds of thousands|millions|dozens)(?: of)?\b",
    re.I)
# What a "how much / how long / what percentage" question asks for, and what a fitting number looks like.
_NUMBER_CUES = [
    (re.compile(r"\b(?:cost|price|pay|paid|spend|spent|worth|fund|budget|money|fine|raise|dollars?|euros?)\b", re.I),
     re.compile(r"[$€£]|\b(?:euros?|dollars?|pounds?|yuan|yen|rupees?|million|billion|trillion)\b", re.I)),
    (re.compile(r"\bhow long\b|\bhow many (?:days|weeks|months|years|hours)\b", re.I),
     re.compile(r"\b(?:days?|weeks?|months?|years?|hours?|minutes?)\b", re.I)),
    (re.compile(r"\bpercent|\bpercentage|\bshare\b|\bproportion\b", re.I), re.compile(r"%|percent", re.I)),
]
_NAME = re.compile(r"\b(?:[A-Z][\w'’.-]*|al-[A-Z][\w-]*)(?:\s+(?:(?:of|the|for|de|al|bin|von|van|and)\s+)?"
                   r"(?:[A-Z][\w'’.-]*|al-[A-Z][\w-]*))*")


def question_type(question: str) -> str:
    """The kind of answer asked for: when, number, who, where, or other."""
    q = question.lower()
    if re.search(r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|day|month)\b"
                 r"|\bhow long ago\b|\bsince when\b", q):
        return "when"
    if re.search(r"\bhow (?:many|much)\b|\bwhat (?:percentage|percent|number|share|proportion)\b", q):
        return "number"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (?:person|leader|president|group|country|agency|company)\b", q):
        return "who"
    if re.search(r"\bwhere\b|\bwhich (?:city|province|region|town|place|state)\b|\bin what (?:city|country)\b", q):
        return "where"
    return "other"


_stemmer = None


def stem(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        import Stemmer  # PyStemmer, installed with bm25s
        _stemmer = Stemmer.Stemmer("english")
    return _stemmer.stemWord(word.lower())


# News writes one thing many ways; a question's word matches a sentence's synonym. Kept small and generic.
SYNONYMS = [
    {"truce", "ceasefire", "cease-fire", "armistice"},
    {"start", "begin", "began", "begun", "effect", "launch", "commence"},
    {"kill", "killed", "dead", "death", "die", "died"},
    {"agree", "agreed", "agreement", "deal", "accord"},
    {"announce", "announced", "declare", "declared", "said", "say"},
    {"displace", "displaced", "flee", "fled", "refugee"},
    {"conquer", "conquered", "capture", "captured", "seize", "seized", "take", "taken", "took"},
    {"cancel", "canceled", "cancelled", "scrap", "scrapped", "abandon", "abandoned"},
    {"attack", "strike", "airstrike", "bombing", "bombard", "bombardment", "raid"},
]
_CANON: dict[str, str] = {}


def canon(word_stem: str) -> str:
    if not _CANON:
        for group in SYNONYMS:
            head = stem(sorted(group)[0])
            for w in group:
                _CANON[stem(w)] = head
    return _CANON.get(word_stem, word_stem)


def content_terms(text: str) -> dict[str, float]:
    """Stemmed content words of the question with weights: names and numbers count double."""
    terms: dict[str, float] = {}
    for m in re.finditer(r"\w+", _POSSESSIVE.sub("", text)):
        word = m.group()
        low = word.lower()
        if not word or low in STOPWORDS or low in WH or len(low) < 2:
            continue
        named = word[0].isupper() and m.start() > 0 and word not in _CALENDAR_WORDS
        weight = 2.0 if named or word[0].isdigit() else 1.0
        key = canon(stem(low))
        terms[key] = max(terms.get(key, 0.0), weight)
    return terms


_POSSESSIVE = re.compile(r"['’]s\b")


def sentence_stems(text: str) -> set[str]:
    return {canon(stem(w)) for w in re.findall(r"\w+", _POSSESSIVE.sub("", text.lower()))}


@dataclass
class _Candidate:
    passage: Passage
    rank: int
    sentence: str
    coverage: float
    span: str | None
    score: float


class ExtractiveAnswerer:
    """question + passages (+ conversation) -> Answer, by choosing sentences; no language model."""
    name = "extractive"

    def __init__(self, min_coverage: float = 0.5, max_sentences: int = 2):
        self.min_coverage = min_coverage
        self.max_sentences = max_sentences

    def answer(self, question: str, passages: list[Passage], history: tuple = (), as_of: date | None = None,
               context: str | None = None) -> Answer:
        """Answer `question` from `passages`; `context` is the earlier conversation's question, for follow-ups."""
        qtype = question_type(question)
        terms = content_terms(question)
        # A follow-up ("Who announced it?") leans on the earlier question's words, as a bonus only.
        context_terms = {t: w for t, w in content_terms(context).items() if t not in terms} if context else {}
        # "this week", "yesterday" are read as of `as_of`; sentences dated inside the question's range go first.
        hint = question_date_hint(question, as_of or date.today())
        candidates = self.candidates(passages, terms, qtype, question, context_terms, hint)
        if not candidates or candidates[0].coverage < self.min_coverage or (qtype != "other" and not candidates[0].span):
            return abstain(question, passages)
        chosen = [candidates[0]]
        for c in candidates[1:]:
            if len(chosen) >= self.max_sentences:
                break
            # A second sentence only when it is nearly as good and adds something new: one giving the same
            # answer (the same date) corroborates it; one without an answer must cover the question nearly as well.
            lead = chosen[0]
            corroborates = bool(c.span and lead.span)
            needed = self.min_coverage if corroborates else max(self.min_coverage, 0.8 * lead.coverage)
            if c.score >= 0.8 * lead.score and c.coverage >= needed and \
                    c.sentence not in {x.sentence for x in chosen} and _adds(c, chosen) and _agrees(c, lead):
                chosen.append(c)
        other = another_event(candidates, chosen, hint, self.min_coverage) if qtype == "when" else None
        return compose(question, chosen, passages, qtype, other, candidates)

    def candidates(self, passages, terms, qtype, question, context_terms=None, hint=None) -> list[_Candidate]:
        # The question's date words ("in June 2019", "last week") are met by a sentence whose dates fit them,
        # whether or not it repeats them: "on Wednesday" in an article of 12 June 2019 fits "in June 2019".
        dated = {t: w for t, w in terms.items() if t in content_terms(hint.text)} if hint else {}
        plain = {t: w for t, w in terms.items() if t not in dated}
        share = sum(dated.values()) / sum(terms.values()) if dated else 0.0
        names = {t for t, w in plain.items() if w > 1}
        article_stems: dict[str, set[str]] = {}
        for p in passages:
            article_stems.setdefault(p.article_id, sentence_stems(p.title)).update(sentence_stems(p.text))
        # A year or day the question names ("in 2017", "on 30 August 2019") is like a name: an article with no
        # date in it (event or publication) is not about it. Undated articles stay in.
        fits = _articles_fitting(passages, hint) if any(w > 1 for w in dated.values()) else None
        out = []
        for rank, p in enumerate(passages):
            title_stems = sentence_stems(p.title)
            # A name the question asks about ("Libya") must appear in what was retrieved from the article,
            # or nothing here is about it; spelling may vary a little ("Idlib"/"Idleb", "Syrians"/"Syria").
            missing = [t for t in names if not _present(t, article_stems[p.article_id])]
            if len(missing) > (1 if len(names) >= 3 else 0) or (fits is not None and not fits[p.article_id]):
                continue
            for sentence in split_sentences(p.text):
                stems = sentence_stems(sentence)
                coverage = term_coverage(terms, stems, title_stems)
                if dated:
                    coverage = max(coverage, (1 - share) * term_coverage(plain, stems, title_stems)
                                   + share * sentence_fit(sentence, p, hint))
                if not _covers_a_word(plain, names, stems):
                    coverage = min(coverage, 0.0)
                span, specificity = find_span(sentence, qtype, question, p, hint, terms)
                score = (coverage + 0.25 * term_coverage(context_terms or {}, stems, title_stems)
                         + (0.25 + specificity if span else 0.0) - 0.04 * rank + 0.3 * p.similarity)
                out.append(_Candidate(p, rank, sentence, coverage, span, score))
        out.sort(key=lambda c: c.score, reverse=True)
        return out


def _present(term: str, stems: set[str]) -> bool:
    if term in stems:
        return True
    if len(term) < 5:
        return False
    from difflib import SequenceMatcher
    return any(abs(len(s) - len(term)) <= 2 and s[0] == term[0] and SequenceMatcher(None, s, term).ratio() >= 0.8
               for s in stems)


def term_coverage(terms: dict[str, float], stems: set[str], title_stems: set[str]) -> float:
    """Weighted share of the terms in the sentence; words found only in the title count half."""
    total = sum(terms.values())
    if not total:
        return 0.0
    return sum(w if _present(t, stems) else (0.5 * w if _present(t, title_stems) else 0.0)
               for t, w in terms.items()) / total


def _covers_a_word(terms: dict[str, float], names: set[str], stems: set[str]) -> bool:
    """Besides names, the sentence must share at least one of the question's ordinary words (when it has any)."""
    words = [t for t in terms if t not in names]
    return not words or any(t in stems for t in words)


def _agrees(c: _Candidate, lead: _Candidate) -> bool:
    """A second sentence must not give a different answer (another date, another number)."""
    if lead.span is None or c.span is None:
        return True
    return c.span.split(",")[0] == lead.span.split(",")[0]


def _adds(c: _Candidate, chosen: list[_Candidate]) -> bool:
    new = sentence_stems(c.sentence) - set().union(*(sentence_stems(x.sentence) for x in chosen))
    return len(new) >= 4


def find_span(sentence: str, qtype: str, question: str, passage: Passage, hint=None,
              terms: dict[str, float] | None = None) -> tuple[str | None, float]:
    """The short answer inside a sentence for the question type (or None), and a bonus for how precise it is."""
    if qtype == "when":
        best = best_event(sentence, passage, hint, terms if terms is not None else content_terms(question))
        if best is None:
            return None, 0.0
        return describe_event(best), 0.05 * _precision(best)
    span = _name_or_number(sentence, qtype, question)
    # "Which countries …", "who were the leaders …": a plural question is answered by several names.
    plural = span is not None and " and " in span and _PLURAL_ASK.search(question) is not None
    return span, 0.1 if plural else 0.0


def sentence_events(sentence: str, passage: Passage) -> list:
    """The sentence's dates; a clock time with no day of its own keeps the day ingest gave it from the whole
    article (the day told of before it, see dates.find_event_dates), which the sentence alone cannot know."""
    events = find_event_dates(sentence, parse_iso(passage.published))
    days = {e["text"]: parse_iso(e["start"]) for e in passage.events if e.get("kind") == "time"}
    return [replace(e, start=days[e.text], end=days[e.text]) if e.kind == "time" and days.get(e.text) else e
            for e in events]


def best_event(sentence: str, passage: Passage, hint=None, terms: dict[str, float] | None = None):
    """The date a "when" answer gives from this sentence: one in the question's range if any, then the one
    nearest the question's words ("announced on Friday that the truce would take effect on Saturday" answers
    "when did it take effect" with Saturday), then the most precise."""
    events = sentence_events(sentence, passage)
    if not events:
        return None
    near = _nearness(sentence, events, terms) if terms and len(events) > 1 else [0.0] * len(events)
    ranked = zip(events, near)
    return max(ranked, key=lambda en: (bool(hint) and fit(en[0].start, en[0].end, hint) > 0, round(en[1], 2),
                                       _precision(en[0])))[0]


def _nearness(sentence: str, events, terms: dict[str, float]) -> list[float]:
    """For each event, the question's words in the sentence weighted by closeness (in words) to it."""
    return _word_nearness(sentence, [(e.char_start, e.char_end) for e in events], terms)


def _word_nearness(sentence: str, spans: list[tuple[int, int]], terms: dict[str, float],
                   after_cost: int = 1) -> list[float]:
    """For each character span of the sentence, the question's words there weighted by 1 / (1 + words between);
    with after_cost > 1, a question word before the span counts as that many times further away."""
    # Word positions in the original sentence (the possessive is dropped per word, keeping offsets intact).
    words = [(m.start(), canon(stem(_POSSESSIVE.sub("", m.group().lower()))))
             for m in re.finditer(r"\w+(?:['’]s\b)?", sentence)]
    hits = [i for i, (_, w) in enumerate(words) if w in terms]
    out = []
    for start, end in spans:
        first = sum(1 for pos, _ in words if pos < start)
        last = max(first, sum(1 for pos, _ in words if pos < end) - 1)
        out.append(sum(terms[words[i][1]] / (1 + (after_cost * (first - i) if i < first else max(0, i - last)))
                       for i in hits if not first <= i <= last))
    return out


def sentence_fit(sentence: str, passage: Passage, hint) -> float:
    """How well the sentence's dates fit the question's (0..1); an undated sentence tells of its article's days."""
    published = parse_iso(passage.published)
    events = sentence_events(sentence, passage)
    if events:
        return max(fit(e.start, e.end, hint) for e in events)
    return 1.0 if published and published_fit(published, hint) else 0.0


def _articles_fitting(passages: list[Passage], hint) -> dict[str, bool]:
    """article id -> does a retrieved paragraph of it date something in the hint, or is the article undated?"""
    out: dict[str, bool] = {}
    for p in passages:
        events, published = passage_fit(p, hint)
        undated = not p.events and published is None
        # mostly inside: "since early 2011" does not make a story about 2017
        out[p.article_id] = out.get(p.article_id, False) or events >= 0.5 or bool(published) or undated
    return out


def another_event(candidates: list, chosen: list, hint, min_coverage: float):
    """A second event that fits a "when" question as well (two truces in one month), or None.

    It must cover the question's words as fully as the answer does, score nearly as high, fall on other days,
    and fit the question's date range when it names one.
    """
    lead = chosen[0]
    first = best_event(lead.sentence, lead.passage, hint)
    if first is None:
        return None
    # Dates the answer's own sentence names belong to its event ("announced on Friday ... from Saturday").
    told = [(e.start, e.end) for e in sentence_events(lead.sentence, lead.passage)]
    for c in candidates[1:]:
        if c.score < ANOTHER_EVENT_SCORE * lead.score:
            return None
        if not c.span or c.coverage < max(min_coverage, lead.coverage) or c.sentence in {x.sentence for x in chosen}:
            continue
        e = best_event(c.sentence, c.passage, hint)
        if e is None or any(not (e.end < start or e.start > end) for start, end in told):
            continue
        if hint and fit(e.start, e.end, hint) == 0:
            continue
        return c
    return None


ANOTHER_EVENT_SCORE = 0.8  # of the answer's score


def _precision(event) -> int:
    """A day beats a month, a month beats a year; a stated clock time adds to it."""
    days = (event.end - event.start).days
    return (3 if days == 0 else 2 if days <= 10 else 1 if days <= 31 else 0) + (1 if event.time else 0)


# Capitalised words that are no answer: month abbreviations and number words at the start of a sentence.
_NOT_NAMES = set("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec One Two Three Four Five Six Seven Eight Nine "
                 "Ten".split())


def _name_or_number(sentence: str, qtype: str, question: str) -> str | None:
    q_stems = sentence_stems(question)
    if qtype == "number":
        found = [t for t in (m.group().strip(" ,.") for m in _NUMBER.finditer(sentence))
                 if t and not re.fullmatch(r"(?:19|20)\d\d", t) and stem(t.lower()) not in q_stems]
        for cue, looks_right in _NUMBER_CUES:
            if cue.search(question):
                # Prefer the number of the kind asked for ("how much did it cost" wants money, not "18 months").
                found.sort(key=lambda t: not looks_right.search(t))
                break
        return found[0] if found else None
    if qtype == "other" and _EVENT_ASK.search(question):
        return None  # "what happened …" is answered by the sentence, not a name in it
    if qtype in ("who", "where", "other") and place_kind(question):
        # "Which country …" is answered by a country the sentence names (or its adjective: "Ukrainian"), and
        # not by one the question already names.
        kind = place_kind(question)
        asked = {name for name, _ in places_in(question, kind)}
        names = [(name, at) for name, at in places_in(sentence, kind) if name not in asked]
        return _nearest_name(sentence, names, question) if names else None
    if qtype in ("who", "where", "other"):
        names = []  # (name, position in the sentence)
        for m in _NAME.finditer(sentence):
            name = re.sub(r"^(?:The|A|An|In|On|At|But|And|After|Since|Before)\s+", "", m.group()).strip(" .,'’")
            if not name or name.lower() in STOPWORDS or name in _MONTHS.split("|") or name in _NOT_NAMES:
                continue
            if sentence_stems(name) <= q_stems:  # the question's own words are not the answer
                continue
            if m.start() == 0 and " " not in name and name.lower() in STOPWORDS | WH:
                continue
            names.append((name, m.start() + m.group().find(name)))
        if not names:
            return None
        if qtype == "where":
            placed = [(n, at) for n, at in names
                      if re.search(rf"\b(?:in|at|near|from|to)\s+(?:the\s+)?{re.escape(n)}", sentence)]
            names = placed or names
        return _nearest_name(sentence, names, question)
    return None


def _nearest_name(sentence: str, names: list[tuple[str, int]], question: str) -> str:
    """"Turkey had complained to Moscow, which backs the Assad regime": who backs it is the name just before the
    question's own words (names stand before what they did), not the first name in the sentence."""
    terms = content_terms(question)
    words = {t: w for t, w in terms.items() if w <= 1} or terms  # the relation asked about, not its topic
    near = _word_nearness(sentence, [(at, at + len(n)) for n, at in names], words, after_cost=2)
    return max(zip(names, near), key=lambda x: (round(x[1], 2), -x[0][1]))[0][0]


def describe_event(event) -> str:
    """An absolute date (and time) for an event date: 'Saturday 31 August 2019, 06:00', 'early August 2019',
    'September 2018', 'mid-2013', 'since April 2019'."""
    if event.kind == "since":  # its start is as precise as a month at best ("since the end of April")
        return f"since {event.start.year}" if (event.start.month, event.start.day) == (1, 1) else \
            f"since {event.start.strftime('%B %Y')}"
    if event.kind == "year" and event.start.year == event.end.year:  # "in 2013", "early 2011"
        part = {(1, 12): "", (1, 4): "early ", (5, 8): "mid-", (9, 12): "late "}.get(
            (event.start.month, event.end.month), "")
        return f"{part}{event.start.year}"
    if event.start == event.end:
        text = format_date(event.start)
    elif event.kind == "month" and event.start.month == event.end.month and (event.end - event.start).days < 27:
        part = "early" if event.start.day == 1 else "mid-" if event.start.day <= 11 else "late"  # see dates.py
        text = f"{part}{'' if part.endswith('-') else ' '}{event.start.strftime('%B %Y')}"
    elif event.kind in ("month",) and event.start.day == 1:
        text = event.start.strftime("%B %Y")
    else:
        text = f"{format_date(event.start)} – {format_date(event.end)}"
    if event.time:
        text = f"{text}, {event.time}"
    return text


def compose(question: str, chosen: list[_Candidate], passages: list[Passage], qtype: str,
            other: _Candidate | None = None, candidates: list[_Candidate] = ()) -> Answer:
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    parts = []
    for c in chosen:
        pid = c.passage.id
        if pid not in numbers:
            numbers[pid] = len(numbers) + 1
            citations.append(Citation.of(numbers[pid], c.passage, c.sentence))
        parts.append(f"{c.sentence.strip()} [{numbers[pid]}]")
    lead = chosen[0]
    short = lead.span
    if qtype == "when" and short:
        short, zone = _with_zone(short, chosen, candidates)
        if zone is not None and zone.passage.id not in numbers:
            numbers[zone.passage.id] = len(numbers) + 1
            citations.append(Citation.of(numbers[zone.passage.id], zone.passage, zone.sentence))
        markers = "[1]" + (f"[{numbers[zone.passage.id]}]" if zone and numbers[zone.passage.id] != 1 else "")
        text = f"{short}{_wording(lead)} {markers}. " + " ".join(parts)
    else:
        text = " ".join(parts)
    if other is not None:
        pid = other.passage.id
        if pid not in numbers:
            numbers[pid] = len(numbers) + 1
            citations.append(Citation.of(numbers[pid], other.passage, other.sentence))
        text += f" Another event fits: {other.span}{_wording(other)} [{numbers[pid]}]."
    return Answer(question, text, short, False, tuple(citations), tuple(passages))


def _with_zone(span: str, chosen: list[_Candidate], candidates=()) -> tuple[str, _Candidate | None]:
    """'…, 06:00' becomes '…, 06:00 (03:00 GMT)' when another retrieved sentence gives that same day and clock
    time with its zone (a chosen one first); returns the span and the sentence it borrowed from (to cite it)."""
    date_part, _, clock = span.partition(", ")
    if not clock or "(" in clock:
        return span, None
    for c in [*chosen[1:], *candidates]:
        if c.span and c.span.startswith(f"{date_part}, {clock} ("):
            return c.span, c
    return span, None


def _wording(c: _Candidate) -> str:
    """' ("on Friday", AFP, published 31 August 2019)': the article's own words for the date, and its source."""
    words = _event_words(c)
    source = ", ".join(x for x in (c.passage.source, _published(c.passage)) if x)
    return f" (\"{words}\", {source})" if words else ""


def _published(p: Passage) -> str | None:
    d = parse_iso(p.published)
    return f"published {format_date(d).split(' ', 1)[1]}" if d else None


def _event_words(c: _Candidate) -> str | None:
    events = find_event_dates(c.sentence, parse_iso(c.passage.published))
    return events[0].text if events else None


def abstain(question: str, passages: list[Passage]) -> Answer:
    """A plain "no answer": no citations; the passages stay available as related reading."""
    text = f"The archive does not say. No paragraph in it answers \u201c{question.strip()}\u201d."
    return Answer(question, text, None, True, (), tuple(passages))
