"""Dates in news text: when an article was published, and which days its relative words point at."""
import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date, timedelta

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MONTH_NUM = {name[:3].lower(): i for i, name in enumerate(_MONTHS, 1)}
_AHEAD = 62  # a month-day without a year may lie up to ~2 months after publication; news mostly reports the past


@dataclass(frozen=True)
class PubDate:
    date: date | None
    method: str  # "stated", "text:full-date", "text:weekday+month-day", "url" or "unknown"
    evidence: str


@dataclass(frozen=True)
class EventDate:
    text: str
    start: date
    end: date  # == start for a single day
    kind: str  # weekday, relative, month-day, full-date, month, season, year, since, time
    time: str | None
    char_start: int
    char_end: int


@dataclass(frozen=True)
class DateHint:
    start: date | None
    end: date | None
    month: int | None  # a month named without a year
    text: str


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    first: date
    last: date
    month: int | None = None  # set when the words name a month but no year (question hints keep only the month)
    time: str | None = None


# --- patterns --------------------------------------------------------------------------------------
# Each pattern matches only the core words ("August 31", "Saturday", "2011"); the optional words before them
# ("on", "early in", "Saturday,", "last") are read back from the text by small `$`-anchored patterns.
# Optional prefixes on the main patterns made every scan about five times slower.

_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Only abbreviations take a period ("Aug. 8", but "in August."); shared prefixes keep the scan fast.
_MON = (r"(?P<mon>Jan(?:uary\b|\b\.?)|Feb(?:ruary\b|\b\.?)|Mar(?:ch\b|\b\.?)|Apr(?:il\b|\b\.?)|May\b"
        r"|Jun(?:e\b|\b\.?)|Jul(?:y\b|\b\.?)|Aug(?:ust\b|\b\.?)|Sep(?:tember\b|t?\b\.?)|Oct(?:ober\b|\b\.?)"
        r"|Nov(?:ember\b|\b\.?)|Dec(?:ember\b|\b\.?))")
_DAY = r"(?<![\d,.$£€])(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_TZ = r"(?:GMT|UTC|BST|CEST|CET|EEST|EET|EDT|EST|ET|CDT|CST|CT|MDT|MST|PDT|PST|PT|local\s+time)\b"
_CLOCK = (rf"(?:\d{{1,2}}(?:[:.][0-5]\d)?\s*[aApP]\.?[mM]\b\.?(?:\s*{_TZ})?"
          rf"|(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*{_TZ})?"
          r"|(?:[01]\d|2[0-3])[0-5]\d\s*(?:GMT|UTC)\b"
          r"|(?i:noon|midnight)\b)")
_NOT_A_YEAR = (r"(?![.,]\d|\s*(?:%|(?:percent|per\s+cent|people|civilians|troops|soldiers|fighters|dollars|euros"
               r"|km|miles|cases|times|votes)\b))")

# A leading (?=\d) or (?=[.!?]) lets the regex engine skip ahead to candidates: 3-4x faster scans.
_MONTH_DAY = re.compile(rf"{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?")
_DAY_MONTH = re.compile(rf"(?=\d){_DAY}\s+(?:of\s+)?{_MON}(?:,?\s+{_YEAR})?")
_ISO = re.compile(r"(?=[12]\d{3}-)(?<![\d-])(?P<year>(?:19|20)\d{2})-(?P<mon>0[1-9]|1[0-2])"
                  r"-(?P<day>0[1-9]|[12]\d|3[01])(?!\d)")
_MONTH = re.compile(rf"{_MON}(?:,?\s+{_YEAR}|(?!\s+\d))")
_YEAR_ONLY = re.compile(rf"(?=[12]\d{{3}})(?<![\d$£€.,]){_YEAR}{_NOT_A_YEAR}")
# "Winter Games", "Summer Olympics", "Winter Storm Elliott": a capitalised season before a name is part of it.
_SEASON = re.compile(r"(?P<season>spring|summer|autumn|fall|winter|(?:Spring|Summer|Autumn|Fall|Winter)(?!\s+[A-Z][a-z]))\b"
                     rf"(?:\s+(?:of\s+)?{_YEAR})?")
_WEEKDAY = re.compile(rf"(?P<wd>{_WD})\b(?:\s+(?i:morning|afternoon|evening|night)\b)?")
_RELATIVE = re.compile(r"(?P<word>to(?:day|night|morrow)|yesterday|To(?:day|night|morrow)|Yesterday)\b"
                       r"(?:\s+(?:morning|afternoon|evening|night)\b)?"
                       r"|(?P<rel>this|This|last|Last|next|Next)\s+"
                       r"(?P<unit>morning|afternoon|evening|week|month|year)\b"
                       r"|days\s+ago\b")
_TIME = re.compile(rf"(?<![\w:.,$£€])(?P<clock>{_CLOCK})(?:\s*\((?P<alt>{_CLOCK})\))?")
_CLOCK_PARTS = re.compile(r"(\d{1,2})(?:[:.]?(\d{2}))?\s*(?:([ap])\.?m\.?)?\s*(.*)", re.I)

# Read back from just before a match; each has a group `w`.
_PREP_BEFORE = re.compile(r"(?i)\b(?P<w>since|in|on|during|from|by|until|till|before|after|throughout|between)\s+$")
_PART_BEFORE = re.compile(r"(?i)\b(?P<w>early|late|mid|(?:the\s+)?(?:end|beginning|start|middle)\s+of)"
                          r"(?:-|\s+(?:in\s+)?)$")
_WD_BEFORE = re.compile(rf"\b(?P<w>{_WD}),?\s+$")
_THE_BEFORE = re.compile(r"(?i)\b(?P<w>the)\s+$")
_MOD_BEFORE = re.compile(r"(?i)\b(?P<w>on|early\s+on|late\s+on|last|next|this\s+coming|this\s+past|coming|past"
                         r"|this)\s+$")
_REL_BEFORE = re.compile(r"(?i)\b(?P<w>last|this\s+past|this|next|past)\s+$")
_EARLIER_BEFORE = re.compile(r"(?i)\b(?P<w>earlier)\s+$")
_COUNT_BEFORE = re.compile(r"(?i)\b(?P<w>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+$")
_TIME_PREP = re.compile(r"(?i)\b(?:at|around|about|by|from|until|till|after|before|since|between|to)\s+$")
_SINCE = re.compile(r"(?i)\bsince\s+$")
# "will meet on Friday": the next Friday, not the last one.
_FUTURE_WORDS = re.compile(r"(?i)\b(?:will|'ll|shall|scheduled|set\s+(?:for|to)|upcoming|due\s+to|plans?\s+to|next)\b")
_JOIN = re.compile(r"[\s,]*(?:(?i:on|at|around|about)\s+)?[\s,]*")
# A sentence ends at . ! ? before a capital, unless the period closes "a.m.", an initial or "Mr.".
_SENTENCE_END = re.compile(r"(?=[.!?])(?<![ap]\.m)(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr))[.!?]['\"”’)]*\s+"
                           r"(?=['\"“‘(]?[A-Z])")

_COPYRIGHT = re.compile(r"(?:©|\(c\)|[Cc]opyright)\s*(?:©\s*)?((?:19|20)\d{2})(?!\d)")
_YEAR_TOKEN = re.compile(r"(?<![\d$£€.,])(?:19|20)\d{2}(?![.,]?\d)")
_UPDATED = re.compile(r"(?i)\b(?:updated|last\s+modified|modified)\b\W*(?:on\s+)?$")
_PUBLISHED = re.compile(r"(?i)\b(?:published|posted|dated?)\b\W*(?:on\s+)?$")
_LABELS = {"", "updated", "published", "posted", "by", "on", "at", "and"}
_DATELINE_END = re.compile(r"\s*(?:[—–-]|\()")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?!\d)")
_ISO_START = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)")
_BARE_MONTH = re.compile(r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
                         r"|(?<=the\s)May)\b")


# --- small helpers ---------------------------------------------------------------------------------

def format_date(d: date) -> str:
    """'Saturday 31 August 2019' (English names whatever the locale)."""
    return f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def parse_iso(s: str | None) -> date | None:
    """'2019-08-31' (or an ISO timestamp) → date; None or anything else → None."""
    m = _ISO_START.match(s) if isinstance(s, str) else None
    return _safe_date(*map(int, m.groups())) if m else None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def shifted(d: date, days: int) -> date:
    """d moved by `days`, held inside the calendar (0001-01-01 to 9999-12-31) instead of overflowing."""
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _month_of(name: str) -> int:
    return int(name) if name.isdigit() else _MONTH_NUM[name[:3].lower()]


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
    last = _month_end(y, m)
    lo, hi = {None: (1, last.day), "early": (1, 10), "mid": (11, 20), "late": (21, last.day)}[part]
    return date(y, m, lo), date(y, m, hi)


def _season_range(name: str, y: int) -> tuple[date, date]:
    # Winter straddles the new year; "winter 2019" is December 2019 – February 2020.
    first = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}[name]
    if name == "winter":
        return date(y, 12, 1), _month_end(y + 1, 2)
    return date(y, first, 1), _month_end(y, first + 2)


def _nearest_year(pub: date, make, ahead: int = _AHEAD):
    """The latest of next, this and last year's `make(year)` that starts at most `ahead` days after pub."""
    limit = shifted(pub, ahead)
    for y in (pub.year + 1, pub.year, pub.year - 1):
        r = make(y)
        if r and r[0] <= limit:
            return r
    return None


def _back(pattern: re.Pattern, text: str, start: int, width: int = 24) -> re.Match | None:
    """`pattern` (anchored with `$`) matched just before `start`."""
    return pattern.search(text, max(0, start - width), start)


def _words(b: re.Match | None) -> str:
    return " ".join(b["w"].lower().split()) if b else ""


@dataclass(frozen=True)
class _Phrase:
    start: int  # where the reported words begin
    prep: str  # the preposition before them, lowercased, or ""
    before: tuple[str, ...]  # the words each `before` pattern found, lowercased, or ""


def _phrase(text: str, m: re.Match, before: tuple[re.Pattern, ...]) -> _Phrase:
    """Extend a match back over optional words (each pattern in turn), then over a preposition."""
    start, found = m.start(), []
    for pattern in before:
        b = _back(pattern, text, start)
        found.append(_words(b))
        start = b.start() if b else start
    prep = _back(_PREP_BEFORE, text, start)
    if _words(prep) in ("on", "in"):  # only these belong to the reported words ("by", "until" change the meaning)
        start = prep.start()
    return _Phrase(start, _words(prep), tuple(found))


# --- one handler per pattern: (match, phrase) → _Hit, or None when the words are no date or need `pub` -------

def _day(m, ph, text, pub):
    month, day = _month_of(m["mon"]), int(m["day"])
    if m["year"]:
        full = _safe_date(int(m["year"]), month, day)
        return _Hit(ph.start, m.end(), "full-date", full, full) if full else None
    if pub is None or not _safe_date(2000, month, day):
        return None

    def that_day(y):
        d = _safe_date(y, month, day)  # February 29 exists in some years only
        return (d, d) if d else None

    r = _nearest_year(pub, that_day)
    return _Hit(ph.start, m.end(), "month-day", *r, month=month) if r else None


def _month(m, ph, text, pub):
    month, part = _month_of(m["mon"]), _part_of(ph.before[0])
    if m["year"]:
        return _Hit(ph.start, m.end(), "month", *_month_range(int(m["year"]), month, part))
    if pub is None or not (ph.prep or part):  # a bare "August" is too often a name ("the August truce")
        return None
    first, last = _nearest_year(pub, lambda y: _month_range(y, month, part))
    return _Hit(ph.start, m.end(), "month", first, last, month=month)


def _year(m, ph, text, pub):
    part = _part_of(ph.before[0])
    if not (ph.prep or part):  # "in 2011", "early 2011"; never a bare number
        return None
    y = int(m["year"])
    lo, hi = {None: (1, 12), "early": (1, 4), "mid": (5, 8), "late": (9, 12)}[part]
    return _Hit(ph.start, m.end(), "year", date(y, lo, 1), _month_end(y, hi))


def _season(m, ph, text, pub):
    name, (the, rel) = m["season"].lower(), ph.before
    if m["year"]:
        return _Hit(ph.start, m.end(), "season", *_season_range(name, int(m["year"])))
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
    return _Hit(ph.start, m.end(), "season", *r) if r else None


def _weekday(m, ph, text, pub):
    if pub is None:
        return None
    w, mod = _WEEKDAYS.index(m["wd"]), ph.before[0]
    back, ahead = (pub.weekday() - w) % 7, (w - pub.weekday()) % 7
    if mod in ("last", "past", "this past"):
        day = pub - timedelta(days=back or 7)
    elif mod in ("next", "coming", "this coming"):
        day = pub + timedelta(days=ahead or 7)
    elif mod == "this":
        day = pub + timedelta(days=w - pub.weekday())
    elif _FUTURE_WORDS.search(_clause_before(text, ph.start)):
        day = pub + timedelta(days=ahead)
    else:  # news convention: a bare weekday is the latest such day on or before publication
        day = pub - timedelta(days=back)
    return _Hit(ph.start, m.end(), "weekday", day, day)


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
            first, last = date(y, mo + 1, 1), _month_end(y, mo + 1)
        else:
            first, last = date(pub.year + step, 1, 1), date(pub.year + step, 12, 31)
        earlier = _back(_EARLIER_BEFORE, text, start)
        if earlier and step == 0:
            start, last = earlier.start(), pub
    elif m["unit"]:  # this morning / afternoon / evening
        if m["rel"].lower() != "this":
            return None
        first = last = pub
    else:  # N days ago
        count = _back(_COUNT_BEFORE, text, start)
        if not count:
            return None
        n = _words(count)
        start = count.start()
        first = last = pub - timedelta(days=int(n) if n.isdigit() else _NUMBERS.index(n) + 1)
    return _Hit(start, m.end(), "relative", first, last)


_NUMBERS = "one two three four five six seven eight nine ten".split()
_DAY_OFFSET = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
_DATE_PATTERNS = (  # pattern, words that may come before it, handler
    (_MONTH_DAY, (_WD_BEFORE,), _day),
    (_DAY_MONTH, (_THE_BEFORE, _WD_BEFORE), _day),
    (_ISO, (), _day),
    (_MONTH, (_PART_BEFORE,), _month),
    (_YEAR_ONLY, (_PART_BEFORE,), _year),
    (_SEASON, (_THE_BEFORE, _REL_BEFORE), _season),
    (_WEEKDAY, (_MOD_BEFORE,), _weekday),
    (_RELATIVE, (), _relative),
)


# --- event dates -------------------------------------------------------------------------------------

def find_event_dates(text: str, published: date | None, day: date | None = None) -> list[EventDate]:
    """Dates the text mentions, resolved against its publication date (only absolute ones when that is None).
    `day` is the day the story was last telling of before this text (see `last_day`): a clock time whose
    sentence names no day belongs to it rather than to the publication day."""
    return [EventDate(text[h.start:h.end], h.first, h.last, h.kind, h.time, h.start, h.end)
            for h in _scan(text, published, day)]


def last_day(events: list[EventDate], default: date | None = None) -> date | None:
    """The last single day these events name (not a time borrowed from elsewhere, not a "since"), else default."""
    days = [e.start for e in events if e.start == e.end and e.kind not in ("since", "time")]
    return days[-1] if days else default


def _scan(text: str, published: date | None, day: date | None = None) -> list[_Hit]:
    hits = [h for pattern, before, handler in _DATE_PATTERNS for m in pattern.finditer(text)
            if (h := _resolved(handler, m, _phrase(text, m, before), text, published))]
    hits = _without_overlaps(hits)
    if published:
        hits = [_with_since(h, text, published) for h in hits]
    return _with_times(hits, text, published, day)


def _resolved(handler, m, ph, text, pub) -> "_Hit | None":
    """The handler's hit, or None when it would fall outside the calendar ("the year after" 9999, "yesterday" of
    0001-01-01): such an expression is skipped, never a crash."""
    try:
        return handler(m, ph, text, pub)
    except (OverflowError, ValueError):
        return None


def _without_overlaps(hits: list[_Hit]) -> list[_Hit]:
    # Longest first: "on Saturday, August 31" beats "on Saturday", "August 31, 2019" beats "August 31".
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def _with_since(h: _Hit, text: str, pub: date) -> _Hit:
    m = _SINCE.search(text, max(0, h.start - 8), h.start)
    if not m:
        return h
    first = h.first
    if first > pub and h.month:  # "since October" in an August article is last October
        first = _safe_date(first.year - 1, first.month, first.day) or first
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
    for m in _TIME.finditer(text):
        clock = m["clock"]
        # A bare "14:30" or "noon" is a time only after "at", "around", "by", ...
        needs_prep = not re.search(r"[aApP]\.?[mM]|[A-Z]{2}", clock)
        if needs_prep and not _TIME_PREP.search(text, max(0, m.start() - 10), m.start()):
            continue
        main, alt = _clock(clock), m["alt"] and _clock(m["alt"])
        if main:
            out.append((m.start(), m.end(), main + (f" ({alt})" if alt else "")))
    return out


def _adjacent(text: str, h: _Hit, s: int, e: int) -> bool:
    """Only spaces, a comma, "on" or "at" between a date and a time ("6:00 am on August 31")."""
    return bool(_JOIN.fullmatch(text, h.end, s) if h.end <= s else _JOIN.fullmatch(text, e, h.start))


def _with_times(hits: list[_Hit], text: str, pub: date | None, day: date | None = None) -> list[_Hit]:
    """Join each clock time to the date it belongs to: adjacent, else in the same sentence, else the day told of
    just before (an earlier sentence, else `day`), else publication. A wire copy published the next day says
    "the truce entered into force around 6:00 am" of the Saturday its earlier paragraphs named, not of Sunday."""
    times = [t for t in _times(text) if all(t[1] <= h.start or t[0] >= h.end for h in hits)]
    if not times:
        return hits
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
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
            hits.append(_Hit(s, e, "time", near.first, near.first, time=clock))
        else:
            before = [h for h in hits if h.end <= s and h.first == h.last and h.kind not in ("since", "time")]
            told = max(before, key=lambda h: h.end).first if before else day or pub
            if told:
                hits.append(_Hit(s, e, "time", told, told, time=clock))
    return sorted(hits, key=lambda h: h.start)


# --- publication date --------------------------------------------------------------------------------

def infer_publication_date(paragraphs: list[str], *, stated: str | None = None, url: str | None = None,
                           copyright_year: int | None = None) -> PubDate:
    """The article's publication date from a stated field, its own text, or its URL; "unknown" rather than a guess.

    Order: stated; a full date at the top of the story or labelled "Published"/"Updated" (the first published
    one, else the latest update); a lead weekday matched to the story's latest month-day; the URL. A text date
    must agree with the copyright year and the URL (a later "Updated" date defers to the URL's). Only with
    nothing else and a copyright year: the latest full date anywhere in the text that falls in that year.
    """
    day = parse_iso(stated)
    if day:
        return PubDate(day, "stated", f"stated {stated.strip()}")
    year = copyright_year or next((int(m[1]) for p in paragraphs for m in _COPYRIGHT.finditer(p)), None)
    from_url = _url_date(url)
    dateline = _dateline(paragraphs)
    updated = bool(dateline and dateline[1])
    found = dateline[0] if dateline else _weekday_and_month_day(paragraphs, year)
    if found and found.date is None:
        return found
    if found:
        if year and found.date.year != year:
            return PubDate(None, "unknown", f"{found.evidence}, but © {year}")
        if from_url and from_url.date != found.date:
            if updated and from_url.date < found.date:  # the URL keeps the first publication date
                return PubDate(from_url.date, "url", f"{from_url.evidence}; {found.evidence} is a later update")
            return PubDate(None, "unknown", f"{found.evidence}, but {from_url.evidence}")
        return found
    if from_url:
        if year and from_url.date.year != year:
            return PubDate(None, "unknown", f"{from_url.evidence}, but © {year}")
        return from_url
    if year:  # without a year to hold it to, the latest date a story names is too often not its own
        return _latest_full_date(paragraphs, year) or PubDate(None, "unknown", f"© {year}, but no day in the text")
    return PubDate(None, "unknown", "no stated date, dateline, weekday matching a month-day, or URL date")


def _full_dates(text: str):
    for pattern in (_MONTH_DAY, _DAY_MONTH, _ISO):
        for m in pattern.finditer(text):
            day = m["year"] and _safe_date(int(m["year"]), _month_of(m["mon"]), int(m["day"]))
            if day:
                yield day, m


def _dateline(paragraphs: list[str]) -> tuple[PubDate, bool] | None:
    """The date at the story's top or after "Published"/"Updated", and whether it is only an update date."""
    # The first published date wins over "Updated …": the story's relative words ("on Friday") were mostly written
    # then, and URLs and archive fields carry it (USA TODAY: "Jan. 11, 2023 Updated Jan. 12, 2023, 11:26 a.m. ET").
    published, updated, first = [], [], True
    for p in paragraphs[:3]:  # further down, even a "Published …" line belongs to a quoted or embedded story
        for day, m in sorted(_full_dates(p), key=lambda found: found[1].start()):
            before, words = p[max(0, m.start() - 30):m.start()], m.group()
            if _UPDATED.search(before):
                updated.append((day, f'"Updated {words}"'))
            elif _PUBLISHED.search(before) or (first and _is_dateline(p, m)):
                published.append((day, f'dateline "{words}"'))
            first = False  # only the story's first date may be an unlabelled dateline
    if published:
        return PubDate(published[0][0], "text:full-date", published[0][1]), False
    if updated:
        day, evidence = max(updated)
        return PubDate(day, "text:full-date", evidence), True
    return None


def _is_dateline(p: str, m: re.Match) -> bool:
    """A date standing alone ("March 27, 2026", "By Jane Doe, March 27, 2026 3:56 p.m. ET") or heading the story
    ("WASHINGTON, Jan. 5, 2026 — …"), not one the story tells of ("signed on September 17, 2018")."""
    rest = p[:m.start()] + " " + p[m.end():]
    for pattern in (_MONTH_DAY, _DAY_MONTH, _ISO, _TIME):
        rest = pattern.sub(" ", rest)
    words = [w for w in rest.split() if w.lower().strip(",:;|–—-") not in _LABELS]
    return len(words) <= 4 or (m.start() < 60 and bool(_DATELINE_END.match(p, m.end())))


def _weekday_and_month_day(paragraphs: list[str], year: int | None) -> PubDate | None:
    # The lead's first plain weekday ("stopped on Saturday morning") is taken as the day of publication when the
    # latest date in the story falls on it ("… starting at 6:00 am on August 31"). A long story names many dates,
    # one in seven on any weekday, so to keep coincidences out the date must be the only one on that weekday,
    # not told in the future tense, and the story's other dates must lie within the month before it.
    lead = next(((p, m) for p in paragraphs[:3] for m in _WEEKDAY.finditer(p)
                 if _words(_back(_MOD_BEFORE, p, m.start())) in ("", "on", "early on", "late on")), None)
    if not lead or _FUTURE_WORDS.search(_clause_before(lead[0], lead[1].start())):
        return None
    wd, source = lead[1]["wd"], f"© {year}"
    if not year:  # stories name past years far more often than future ones
        year = max((int(t) for p in paragraphs for t in _YEAR_TOKEN.findall(p)), default=None)
        source = f"latest year in the text, {year}"
    mentions = _dates_in_year(paragraphs, year) if year else None
    if not mentions:
        return None
    on_weekday = sorted({day for day, _, _ in mentions if day.weekday() == _WEEKDAYS.index(wd)})
    if len(on_weekday) > 1:
        days = " and ".join(map(format_date, on_weekday))
        return PubDate(None, "unknown", f'weekday "{wd}" fits {days}; not guessing')
    day, words, _ = max(mentions, key=lambda x: x[0])
    if (on_weekday != [day] or any(future for d, _, future in mentions if d == day)
            or min(d for d, _, _ in mentions) < shifted(day, -31)):
        return None
    return PubDate(day, "text:weekday+month-day", f'weekday "{wd}" + "{words}" + {source} → {format_date(day)}')


def _dates_in_year(paragraphs: list[str], y: int) -> list[tuple[date, str, bool]] | None:
    """Every day the story names in year y (full dates of y, and month-days read in y): (day, words, future).

    None when a named weekday contradicts y ("Thursday, Nov. 13" where Nov. 13 of y is no Thursday).
    """
    mentions = []
    for p in paragraphs:
        for pattern in (_MONTH_DAY, _DAY_MONTH, _ISO):
            for m in pattern.finditer(p):
                day = _safe_date(int(m["year"] or y), _month_of(m["mon"]), int(m["day"]))
                if not day or day.year != y:
                    continue
                named = _back(_WD_BEFORE, p, m.start())
                if named and _WEEKDAYS.index(named["w"]) != day.weekday():
                    return None
                mentions.append((day, m.group(), _future(p, m)))
    return mentions


def _clause_before(text: str, start: int) -> str:
    return re.split(r"[.;!?,]", text[max(0, start - 60):start])[-1]


def _future(p: str, m: re.Match) -> bool:
    """Is the sentence around m told in the future tense ("will", "is scheduled for", "next")?"""
    ends = [0] + [s.end() for s in _SENTENCE_END.finditer(p)] + [len(p)]
    i = bisect_right(ends, m.start())
    return bool(_FUTURE_WORDS.search(p, ends[i - 1], ends[i]))


def _url_date(url: str | None) -> PubDate | None:
    m = _URL_DATE.search(url or "")
    day = m and _safe_date(*map(int, m.groups()))
    return PubDate(day, "url", f'URL "{m.group()}"') if day else None


def _latest_full_date(paragraphs: list[str], year: int) -> PubDate | None:
    found = [(day, m.group()) for p in paragraphs for day, m in _full_dates(p) if day.year == year]
    if not found:
        return None
    day, words = max(found)
    return PubDate(day, "text:full-date", f'latest full date in the text "{words}"')


# --- questions -----------------------------------------------------------------------------------

def question_date_hint(question: str, as_of: date) -> DateHint | None:
    """The date range a question asks about ("in June 2019", "last week"), a bare month, or None."""
    for h in _scan(question, as_of):
        if h.kind == "time":
            continue
        words = question[h.start:h.end]
        if h.month:  # "in August" says nothing about the year; the archive may be years older than as_of
            return DateHint(None, None, h.month, words)
        return DateHint(h.first, h.last, None, words)
    m = _BARE_MONTH.search(question)
    if m:
        return DateHint(None, None, _month_of(m.group()), m.group())
    m = _YEAR_TOKEN.search(question)
    if m:
        y = int(m.group())
        return DateHint(date(y, 1, 1), date(y, 12, 31), None, m.group())
    return None
