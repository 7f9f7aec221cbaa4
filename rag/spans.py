"""Answer kinds and spans: what a question asks for (a date, a number, a name, a place) and where a sentence
gives it. The answerers use it to pick and mark answers, rerank to prefer paragraphs that hold one, and
verification to accept a fragment ("Sochi.") only as the kind of thing asked for.

Stage: reading sentences, below answering and retrieval. Must not import an answerer, the engine, the index
or search; it reads a passage only through its `published` day and stored `events`.
"""
import re

from .dates import events_in, format_date
from .places import place_kind, places_in
from .temporal import fit
from .text import MONTHS, STOPWORDS, WH, content_terms, sentence_stems, stem, word_key

_PLURAL_ASK = re.compile(r"\b(?:which|what)\s+(?:two\s+|three\s+)?\w+(?:ies|[^s]s)\b|\bwho (?:were|are)\b", re.I)
_EVENT_ASK = re.compile(r"\bwhat (?:happened|occurred|took place|is happening|was going on)\b", re.I)
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
# Capitalised words that are no answer: month abbreviations and number words at the start of a sentence.
_NOT_NAMES = set("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec One Two Three Four Five Six Seven Eight Nine "
                 "Ten".split())


def question_type(question: str) -> str:
    """The kind of answer asked for: when, number, who, where, or other. A "when" that opens a clause ("How old
    was she when she won?", "Who was king when the colonies declared independence?") does not ask for a date."""
    q = question.lower()
    if re.search(r"^\W*when\b|\bwhen (?:is|are|was|were|do|does|did|will|would|can|could|should|has|have|had)\b"
                 r"|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|day|month)\b"
                 r"|\bhow long ago\b|\bsince when\b", q):
        return "when"
    if re.search(r"\bhow (?:many|much|old)\b|\bwhat (?:percentage|percent|number|share|proportion)\b", q):
        return "number"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (?:person|leader|president|group|country|agency|company)\b", q):
        return "who"
    if re.search(r"\bwhere\b|\bwhich (?:city|province|region|town|place|state)\b|\bin what (?:city|country)\b", q):
        return "where"
    return "other"


def find_span(sentence: str, qtype: str, question: str, passage, hint=None,
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


# --- dates ---------------------------------------------------------------------------------------------------

def sentence_events(sentence: str, passage) -> list:
    """The sentence's dates (offsets into it): the paragraph's events read once at ingest from the whole article,
    chosen by where they stand, so a clock time keeps the day told before it (see dates.find_event_dates)."""
    return events_in(sentence, passage.text, passage.events)


def best_event(sentence: str, passage, hint=None, terms: dict[str, float] | None = None):
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
    words = [(m.start(), word_key(m.group())) for m in re.finditer(r"\w+(?:['’]s\b)?", sentence)]
    hits = [i for i, (_, w) in enumerate(words) if w in terms]
    out = []
    for start, end in spans:
        first = sum(1 for pos, _ in words if pos < start)
        last = max(first, sum(1 for pos, _ in words if pos < end) - 1)
        out.append(sum(terms[words[i][1]] / (1 + (after_cost * (first - i) if i < first else max(0, i - last)))
                       for i in hits if not first <= i <= last))
    return out


def _precision(event) -> int:
    """A day beats a month, a month beats a year; a stated clock time adds to it."""
    days = (event.end - event.start).days
    return (3 if days == 0 else 2 if days <= 10 else 1 if days <= 31 else 0) + (1 if event.time else 0)


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


# --- names and numbers ---------------------------------------------------------------------------------------

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
            if not name or name.lower() in STOPWORDS or name in MONTHS or name in _NOT_NAMES:
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
