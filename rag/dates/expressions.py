"""Dates stage, event dates: the date expressions of a news text ("on Saturday", "early August", "6:00 am")
and the days they point at, resolved against the article's publication date.

Imports the toolkit (`rag.text`, for where sentences end) and the other `rag.dates` modules only: nothing from
retrieval, the index, answering or the edges.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..text import sentence_starts
from .event import EventDate
from .words import (DAY_MONTH, FUTURE_WORDS, ISO, MOD_BEFORE, MON, MONTH_DAY, TIME, WD_BEFORE, WEEKDAY, WEEKDAYS, YEAR,
                    clause_before, match_before, month_end, month_of, safe_date, shifted, words_of)

_AHEAD = 62  # a month-day without a year may lie up to ~2 months after publication; news mostly reports the past


@dataclass(frozen=True)
class Mention:
    """A date expression found in a text: where its words are, what kind they are and the days they name."""
    start: int
    end: int
    kind: str
    first: date
    last: date
    month: int | None = None  # set when the words name a month but no year (question hints keep only the month)
    time: str | None = None


# --- patterns (the shared ones are in `words`) ----------------------------------------------------------

_NOT_A_YEAR = (r"(?![.,]\d|\s*(?:%|(?:percent|per\s+cent|people|civilians|troops|soldiers|fighters|dollars|euros"
               r"|km|miles|cases|times|votes)\b))")
_MONTH = re.compile(rf"{MON}(?:,?\s+{YEAR}|(?!\s+\d))")
_YEAR_ONLY = re.compile(rf"(?=[12]\d{{3}})(?<![\d$£€.,]){YEAR}{_NOT_A_YEAR}")
# "Winter Games", "Summer Olympics", "Winter Storm Elliott": a capitalised season before a name is part of it.
_SEASON = re.compile(r"(?P<season>spring|summer|autumn|fall|winter|(?:Spring|Summer|Autumn|Fall|Winter)(?!\s+[A-Z][a-z]))\b"
                     rf"(?:\s+(?:of\s+)?{YEAR})?")
_RELATIVE = re.compile(r"(?P<word>to(?:day|night|morrow)|yesterday|To(?:day|night|morrow)|Yesterday)\b"
                       r"(?:\s+(?:morning|afternoon|evening|night)\b)?"
                       r"|(?P<rel>this|This|last|Last|next|Next)\s+"
                       r"(?P<unit>morning|afternoon|evening|week|month|year)\b"
                       r"|days\s+ago\b")
_CLOCK_PARTS = re.compile(r"(\d{1,2})(?:[:.]?(\d{2}))?\s*(?:([ap])\.?m\.?)?\s*(.*)", re.I)

# Read back from just before a match (see `words.match_before`); each has a group `w`.
_PREP_BEFORE = re.compile(r"(?i)\b(?P<w>since|in|on|during|from|by|until|till|before|after|throughout|between)\s+$")
_PART_BEFORE = re.compile(r"(?i)\b(?P<w>early|late|mid|(?:the\s+)?(?:end|beginning|start|middle)\s+of)"
                          r"(?:-|\s+(?:in\s+)?)$")
_THE_BEFORE = re.compile(r"(?i)\b(?P<w>the)\s+$")
_REL_BEFORE = re.compile(r"(?i)\b(?P<w>last|this\s+past|this|next|past)\s+$")
_EARLIER_BEFORE = re.compile(r"(?i)\b(?P<w>earlier)\s+$")
_COUNT_BEFORE = re.compile(r"(?i)\b(?P<w>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+$")
_TIME_PREP = re.compile(r"(?i)\b(?:at|around|about|by|from|until|till|after|before|since|between|to)\s+$")
_SINCE = re.compile(r"(?i)\bsince\s+$")
_JOIN = re.compile(r"[\s,]*(?:(?i:on|at|around|about)\s+)?[\s,]*")


# --- calendar ranges -----------------------------------------------------------------------------------


def _part_of(raw: str | None) -> str | None:
    """'the end of' → 'late', 'the beginning of' → 'early', 'middle of' → 'mid'."""
    if not raw:
        return None
    raw = raw.lower()
    if raw.startswith("late") or "end" in raw:
        return "late"
    if raw.startswith("early") or "beginning" in raw or "start" in raw:
        return "early"
    return "mid"


def _month_range(y: int, m: int, part: str | None) -> tuple[date, date]:
    last = month_end(y, m)
    lo, hi = {None: (1, last.day), "early": (1, 10), "mid": (11, 20), "late": (21, last.day)}[part]
    return date(y, m, lo), date(y, m, hi)


def _season_range(name: str, y: int) -> tuple[date, date]:
    # Winter straddles the new year; "winter 2019" is December 2019 – February 2020.
    first = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}[name]
    if name == "winter":
        return date(y, 12, 1), month_end(y + 1, 2)
    return date(y, first, 1), month_end(y, first + 2)


def _nearest_year(pub: date, make, ahead: int = _AHEAD):
    """The latest of next, this and last year's `make(year)` that starts at most `ahead` days after pub."""
    limit = shifted(pub, ahead)
    for y in (pub.year + 1, pub.year, pub.year - 1):
        r = make(y)
        if r and r[0] <= limit:
            return r
    return None


@dataclass(frozen=True)
class _Phrase:
    start: int  # where the reported words begin
    prep: str  # the preposition before them, lowercased, or ""
    before: tuple[str, ...]  # the words each `before` pattern found, lowercased, or ""


def _phrase(text: str, m: re.Match, before: tuple[re.Pattern, ...]) -> _Phrase:
    """Extend a match back over optional words (each pattern in turn), then over a preposition."""
    start, found = m.start(), []
    for pattern in before:
        b = match_before(pattern, text, start)
        found.append(words_of(b))
        start = b.start() if b else start
    prep = match_before(_PREP_BEFORE, text, start)
    if words_of(prep) in ("on", "in"):  # only these belong to the reported words ("by", "until" change the meaning)
        start = prep.start()
    return _Phrase(start, words_of(prep), tuple(found))


# --- one handler per pattern: (match, phrase) → Mention, or None when the words are no date or need `pub` -------

def _day(m, ph, text, pub):
    month, day = month_of(m["mon"]), int(m["day"])
    if m["year"]:
        full = safe_date(int(m["year"]), month, day)
        return Mention(ph.start, m.end(), "full-date", full, full) if full else None
    if pub is None or not safe_date(2000, month, day):
        return None

    def that_day(y):
        d = safe_date(y, month, day)  # February 29 exists in some years only
        return (d, d) if d else None

    r = _nearest_year(pub, that_day)
    return Mention(ph.start, m.end(), "month-day", *r, month=month) if r else None


def _month(m, ph, text, pub):
    month, part = month_of(m["mon"]), _part_of(ph.before[0])
    if m["year"]:
        return Mention(ph.start, m.end(), "month", *_month_range(int(m["year"]), month, part))
    if pub is None or not (ph.prep or part):  # a bare "August" is too often a name ("the August truce")
        return None
    first, last = _nearest_year(pub, lambda y: _month_range(y, month, part))
    return Mention(ph.start, m.end(), "month", first, last, month=month)


def _year(m, ph, text, pub):
    part = _part_of(ph.before[0])
    if not (ph.prep or part):  # "in 2011", "early 2011"; never a bare number
        return None
    y = int(m["year"])
    lo, hi = {None: (1, 12), "early": (1, 4), "mid": (5, 8), "late": (9, 12)}[part]
    return Mention(ph.start, m.end(), "year", date(y, lo, 1), month_end(y, hi))


def _season(m, ph, text, pub):
    name, (the, rel) = m["season"].lower(), ph.before
    if m["year"]:
        return Mention(ph.start, m.end(), "season", *_season_range(name, int(m["year"])))
    if pub is None:
        return None
    years = range(pub.year - 2, pub.year + 2)
    if rel in ("last", "past", "this past"):
        r = max((_season_range(name, y) for y in years if _season_range(name, y)[1] < pub), default=None)
    elif rel == "next":
        r = min((_season_range(name, y) for y in years if _season_range(name, y)[0] > pub), default=None)
    elif rel == "this":  # in early spring, "this winter" is the one just ending
        r = _season_range(name, pub.year - 1 if name == "winter" and pub.month <= 3 else pub.year)
    elif ph.prep and the and not re.match(r"\s+of\b", text[m.end():]):  # "in the summer", not "the fall of Aleppo"
        r = _nearest_year(pub, lambda y: _season_range(name, y))
    else:  # "spring" alone is too often water, a verb or the Arab Spring
        return None
    return Mention(ph.start, m.end(), "season", *r) if r else None


def _weekday(m, ph, text, pub):
    if pub is None:
        return None
    w, mod = WEEKDAYS.index(m["wd"]), ph.before[0]
    back, ahead = (pub.weekday() - w) % 7, (w - pub.weekday()) % 7
    if mod in ("last", "past", "this past"):
        day = pub - timedelta(days=back or 7)
    elif mod in ("next", "coming", "this coming"):
        day = pub + timedelta(days=ahead or 7)
    elif mod == "this":
        day = pub + timedelta(days=w - pub.weekday())
    elif FUTURE_WORDS.search(clause_before(text, ph.start)):
        day = pub + timedelta(days=ahead)
    else:  # news convention: a bare weekday is the latest such day on or before publication
        day = pub - timedelta(days=back)
    return Mention(ph.start, m.end(), "weekday", day, day)


def _relative(m, ph, text, pub):
    if pub is None:
        return None
    start = m.start()
    if m["word"]:
        first = last = pub + timedelta(days=_DAY_OFFSET[m["word"].lower()])
    elif m["unit"] in ("week", "month", "year"):
        step = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
        if m["unit"] == "week":
            first = pub - timedelta(days=pub.weekday() - 7 * step)
            last = first + timedelta(days=6)
        elif m["unit"] == "month":
            y, mo = divmod(pub.year * 12 + pub.month - 1 + step, 12)
            first, last = date(y, mo + 1, 1), month_end(y, mo + 1)
        else:
            first, last = date(pub.year + step, 1, 1), date(pub.year + step, 12, 31)
        earlier = match_before(_EARLIER_BEFORE, text, start)
        if earlier and step == 0:
            start, last = earlier.start(), pub
    elif m["unit"]:  # this morning / afternoon / evening
        if m["rel"].lower() != "this":
            return None
        first = last = pub
    else:  # N days ago
        count = match_before(_COUNT_BEFORE, text, start)
        if not count:
            return None
        n = words_of(count)
        start = count.start()
        first = last = pub - timedelta(days=int(n) if n.isdigit() else _NUMBERS.index(n) + 1)
    return Mention(start, m.end(), "relative", first, last)


_NUMBERS = "one two three four five six seven eight nine ten".split()
_DAY_OFFSET = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
_DATE_PATTERNS = (  # pattern, words that may come before it, handler
    (MONTH_DAY, (WD_BEFORE,), _day),
    (DAY_MONTH, (_THE_BEFORE, WD_BEFORE), _day),
    (ISO, (), _day),
    (_MONTH, (_PART_BEFORE,), _month),
    (_YEAR_ONLY, (_PART_BEFORE,), _year),
    (_SEASON, (_THE_BEFORE, _REL_BEFORE), _season),
    (WEEKDAY, (MOD_BEFORE,), _weekday),
    (_RELATIVE, (), _relative),
)


# --- event dates -------------------------------------------------------------------------------------

def find_event_dates(text: str, published: date | None, day: date | None = None) -> list[EventDate]:
    """Dates the text mentions, resolved against its publication date (only absolute ones when that is None).
    `day` is the day the story was last telling of before this text (see `last_day`): a clock time whose
    sentence names no day belongs to it rather than to the publication day."""
    return [EventDate(text[h.start:h.end], h.first, h.last, h.kind, h.time, h.start, h.end)
            for h in mentions(text, published, day)]


def last_day(events: list[EventDate], default: date | None = None) -> date | None:
    """The last single day these events name (not a time borrowed from elsewhere, not a "since"), else default."""
    days = [e.start for e in events if e.start == e.end and e.kind not in ("since", "time")]
    return days[-1] if days else default


def mentions(text: str, published: date | None, day: date | None = None) -> list[Mention]:
    """Every date expression in the text, resolved as `find_event_dates` does, in order of position."""
    hits = [h for pattern, before, handler in _DATE_PATTERNS for m in pattern.finditer(text)
            if (h := _resolved(handler, m, _phrase(text, m, before), text, published))]
    hits = _without_overlaps(hits)
    if published:
        hits = [_with_since(h, text, published) for h in hits]
    return _with_times(hits, text, published, day)


def _resolved(handler, m, ph, text, pub) -> "Mention | None":
    """The handler's hit, or None when it would fall outside the calendar ("the year after" 9999, "yesterday" of
    0001-01-01): such an expression is skipped, never a crash."""
    try:
        return handler(m, ph, text, pub)
    except (OverflowError, ValueError):
        return None


def _without_overlaps(hits: list[Mention]) -> list[Mention]:
    # Longest first: "on Saturday, August 31" beats "on Saturday", "August 31, 2019" beats "August 31".
    kept: list[Mention] = []
    for h in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def _with_since(h: Mention, text: str, pub: date) -> Mention:
    m = _SINCE.search(text, max(0, h.start - 8), h.start)
    if not m:
        return h
    first = h.first
    if first > pub and h.month:  # "since October" in an August article is last October
        first = safe_date(first.year - 1, first.month, first.day) or first
    return replace(h, start=m.start(), kind="since", first=first, last=pub)


def _clock(token: str) -> str | None:
    """'6:00 am' → '06:00', '0300 GMT' → '03:00 GMT', '5:53 p.m. ET' → '17:53 ET'."""
    low = token.lower()
    if low in ("noon", "midnight"):
        return "12:00" if low == "noon" else "00:00"
    h, mins, ampm, zone = _CLOCK_PARTS.fullmatch(token.strip()).groups()
    h, mins = int(h), int(mins or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    if h > 23:
        return None
    zone = " ".join(zone.split())
    return f"{h:02d}:{mins:02d}" + (f" {zone}" if zone else "")


def _times(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in TIME.finditer(text):
        clock = m["clock"]
        # A bare "14:30" or "noon" is a time only after "at", "around", "by", ...
        needs_prep = not re.search(r"[aApP]\.?[mM]|[A-Z]{2}", clock)
        if needs_prep and not _TIME_PREP.search(text, max(0, m.start() - 10), m.start()):
            continue
        main, alt = _clock(clock), m["alt"] and _clock(m["alt"])
        if main:
            out.append((m.start(), m.end(), main + (f" ({alt})" if alt else "")))
    return out


def _adjacent(text: str, h: Mention, s: int, e: int) -> bool:
    """Only spaces, a comma, "on" or "at" between a date and a time ("6:00 am on August 31")."""
    return bool(_JOIN.fullmatch(text, h.end, s) if h.end <= s else _JOIN.fullmatch(text, e, h.start))


def _with_times(hits: list[Mention], text: str, pub: date | None, day: date | None = None) -> list[Mention]:
    """Join each clock time to the date it belongs to: adjacent, else in the same sentence, else the day told of
    just before (an earlier sentence, else `day`), else publication. A wire copy published the next day says
    "the truce entered into force around 6:00 am" of the Saturday its earlier paragraphs named, not of Sunday."""
    times = [t for t in _times(text) if all(t[1] <= h.start or t[0] >= h.end for h in hits)]
    if not times:
        return hits
    ends = sentence_starts(text)
    hits = list(hits)
    for s, e, clock in times:
        sentence = bisect_right(ends, s)
        days = [i for i, h in enumerate(hits) if h.first == h.last and h.kind not in ("since", "time")
                and bisect_right(ends, h.start) == sentence]
        joined = next((i for i in days if hits[i].time is None and _adjacent(text, hits[i], s, e)), None)
        if joined is not None:
            h = hits[joined]
            hits[joined] = replace(h, start=min(h.start, s), end=max(h.end, e), time=clock)
        elif days:
            near = hits[min(days, key=lambda i: min(abs(hits[i].start - e), abs(s - hits[i].end)))]
            hits.append(Mention(s, e, "time", near.first, near.first, time=clock))
        else:
            before = [h for h in hits if h.end <= s and h.first == h.last and h.kind not in ("since", "time")]
            told = max(before, key=lambda h: h.end).first if before else day or pub
            if told:
                hits.append(Mention(s, e, "time", told, told, time=clock))
    return sorted(hits, key=lambda h: h.start)
