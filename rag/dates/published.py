"""Dates stage, publication dates: when an article was published, from a stated field, its own text (a
dateline, a labelled date, a lead weekday matched to a month-day) or its URL, and "unknown" rather than a guess.

Imports the toolkit (`rag.text`, for where sentences end) and `rag.dates.words` only: nothing from retrieval,
the index, answering or the edges.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from ..text import sentence_starts
from .words import (DAY_MONTH, FUTURE_WORDS, ISO, MOD_BEFORE, MONTH_DAY, TIME, WD_BEFORE, WEEKDAY, WEEKDAYS,
                    YEAR_TOKEN, clause_before, format_date, match_before, month_of, parse_iso, safe_date, shifted,
                    words_of)


@dataclass(frozen=True)
class PubDate:
    """When an article was published (None when unknown), how that was found, and the words that show it."""
    date: date | None
    method: str  # "stated", "text:full-date", "text:weekday+month-day", "url" or "unknown"
    evidence: str


_COPYRIGHT = re.compile(r"(?:©|\(c\)|[Cc]opyright)\s*(?:©\s*)?((?:19|20)\d{2})(?!\d)")
_UPDATED = re.compile(r"(?i)\b(?:updated|last\s+modified|modified)\b\W*(?:on\s+)?$")
_PUBLISHED = re.compile(r"(?i)\b(?:published|posted|dated?)\b\W*(?:on\s+)?$")
_LABELS = {"", "updated", "published", "posted", "by", "on", "at", "and"}
_DATELINE_END = re.compile(r"\s*(?:[—–-]|\()")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?!\d)")


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
    for pattern in (MONTH_DAY, DAY_MONTH, ISO):
        for m in pattern.finditer(text):
            day = m["year"] and safe_date(int(m["year"]), month_of(m["mon"]), int(m["day"]))
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
    for pattern in (MONTH_DAY, DAY_MONTH, ISO, TIME):
        rest = pattern.sub(" ", rest)
    words = [w for w in rest.split() if w.lower().strip(",:;|–—-") not in _LABELS]
    return len(words) <= 4 or (m.start() < 60 and bool(_DATELINE_END.match(p, m.end())))


def _weekday_and_month_day(paragraphs: list[str], year: int | None) -> PubDate | None:
    # The lead's first plain weekday ("stopped on Saturday morning") is taken as the day of publication when the
    # latest date in the story falls on it ("… starting at 6:00 am on August 31"). A long story names many dates,
    # one in seven on any weekday, so to keep coincidences out the date must be the only one on that weekday,
    # not told in the future tense, and the story's other dates must lie within the month before it.
    lead = next(((p, m) for p in paragraphs[:3] for m in WEEKDAY.finditer(p)
                 if words_of(match_before(MOD_BEFORE, p, m.start())) in ("", "on", "early on", "late on")), None)
    if not lead or FUTURE_WORDS.search(clause_before(lead[0], lead[1].start())):
        return None
    wd, source = lead[1]["wd"], f"© {year}"
    if not year:  # stories name past years far more often than future ones
        year = max((int(t) for p in paragraphs for t in YEAR_TOKEN.findall(p)), default=None)
        source = f"latest year in the text, {year}"
    mentions = _dates_in_year(paragraphs, year) if year else None
    if not mentions:
        return None
    on_weekday = sorted({day for day, _, _ in mentions if day.weekday() == WEEKDAYS.index(wd)})
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
        for pattern in (MONTH_DAY, DAY_MONTH, ISO):
            for m in pattern.finditer(p):
                day = safe_date(int(m["year"] or y), month_of(m["mon"]), int(m["day"]))
                if not day or day.year != y:
                    continue
                named = match_before(WD_BEFORE, p, m.start())
                if named and WEEKDAYS.index(named["w"]) != day.weekday():
                    return None
                mentions.append((day, m.group(), _future(p, m)))
    return mentions



def _future(p: str, m: re.Match) -> bool:
    """Is the sentence around m told in the future tense ("will", "is scheduled for", "next")?"""
    ends = [0, *sentence_starts(p), len(p)]
    i = bisect_right(ends, m.start())
    return bool(FUTURE_WORDS.search(p, ends[i - 1], ends[i]))


def _url_date(url: str | None) -> PubDate | None:
    m = _URL_DATE.search(url or "")
    day = m and safe_date(*map(int, m.groups()))
    return PubDate(day, "url", f'URL "{m.group()}"') if day else None


def _latest_full_date(paragraphs: list[str], year: int) -> PubDate | None:
    found = [(day, m.group()) for p in paragraphs for day, m in _full_dates(p) if day.year == year]
    if not found:
        return None
    day, words = max(found)
    return PubDate(day, "text:full-date", f'latest full date in the text "{words}"')
