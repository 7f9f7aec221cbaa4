"""Dates in a question as a ranking signal: passages whose event or publication dates fit the question's range
("in June 2019", "this week", "the August truce") move up; undated passages keep their score, so an answer
that never states its date is not lost.

A question is read as of its day (`as_of`) and given a time frame (`time_frame`):
- present: "this week", "recently", "latest", "now", a weekday, or no date at all (news questions ask about
  the news): the articles published in the week before as_of move up, more than for other ranges
  (PRESENT_PUBLISHED_BOOST);
- history: a year long past ("in 1932"): only what is dated then moves up, never recent news;
- dated: another range or a month ("in June 2019", "the August truce"): that range moves up.

rag/search.py applies it to every fused candidate before the rerank; the answerer uses `fit` on sentences.

Stage: retrieval (a ranking signal on retrieved passages, read on the question's dates). Must not import
answering, the engine or the edges (CLI, web app).
"""
import re
from dataclasses import dataclass, replace
from datetime import date

from .dates import YEAR_TOKEN, mentions, month_end, month_of, parse_iso, shifted
from .retrieve import Passage
from .text import content_terms

# Multipliers on the fused retrieval score (only its order means something). Chosen on the realtimeqa-2026 dev
# questions (eval/temporal_recall.py): gentle boosts did as well as strong ones at recall@5 and better at @1.
EVENT_BOOST = 0.25  # a paragraph that dates something inside the range: score × (1 + EVENT_BOOST × fit)
PUBLISHED_BOOST = 0.25  # an article published inside the range (or just after it)
PUBLISHED_GRACE = 7  # days after the range in which a report still tells of it ("on Friday" read on Monday)
RECENT_DAYS = 7  # asked "as of" a day with no date in the question: that week's news first
# A question about the present: an article published in its week is the week's story, worth more than a fit
# with a named month or year. Chosen on the dev questions asked before May, checked on the later ones
# (eval/temporal_recall.py; 0.25 to 3 tried): answer-recall within 2,000 characters 74.3 -> 75.7 and
# 67.3 -> 69.1 on the two halves, 4,000 characters 78.6 -> 81.4 and 76.4 -> 76.4.
PRESENT_PUBLISHED_BOOST = 1.0
PRESENT_DAYS = 14  # a range the question names that ends this close before as_of (or later) is the present
HISTORY_YEARS = 2  # a year named this far before as_of makes a history question
_LONG = 400  # an event spanning more days than this ("since 2011") says nothing about a month


@dataclass(frozen=True)
class DateHint:
    """The days a question asks about: a range (start..end), or only a month named without a year."""
    start: date | None
    end: date | None
    month: int | None  # a month named without a year
    text: str


_BARE_MONTH = re.compile(r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
                         r"|(?<=the\s)May)\b")


def question_date_hint(question: str, as_of: date) -> DateHint | None:
    """The date range a question asks about ("in June 2019", "last week"), a bare month, or None."""
    for h in mentions(question, as_of):
        if h.kind == "time":
            continue
        words = question[h.start:h.end]
        if h.month:  # "in August" says nothing about the year; the archive may be years older than as_of
            return DateHint(None, None, h.month, words)
        return DateHint(h.first, h.last, None, words)
    m = _BARE_MONTH.search(question)
    if m:
        return DateHint(None, None, month_of(m.group()), m.group())
    m = YEAR_TOKEN.search(question)
    if m:
        y = int(m.group())
        return DateHint(date(y, 1, 1), date(y, 12, 31), None, m.group())
    return None


def fit(start: date, end: date, hint: DateHint) -> float:
    """Share of the days from start to end (inclusive) that lie in the hint's range or named month: 0..1."""
    days = (end - start).days + 1
    if days <= 0:
        return 0.0
    if hint.start and hint.end:
        return _overlap(start, end, hint.start, hint.end) / days
    if hint.month and days <= _LONG:
        inside = sum(_overlap(start, end, date(y, hint.month, 1), month_end(y, hint.month))
                     for y in range(start.year, end.year + 1))
        return inside / days
    return 0.0


def published_fit(published: date, hint: DateHint) -> bool:
    """Was the article published in the range, or within PUBLISHED_GRACE days after it?"""
    if hint.start and hint.end:
        return hint.start <= published <= shifted(hint.end, PUBLISHED_GRACE)
    if hint.month:
        back = shifted(published, -PUBLISHED_GRACE)  # early September still reports on August
        return hint.month in (published.month, back.month)
    return False


def passage_fit(passage: Passage, hint: DateHint) -> tuple[float, bool | None]:
    """(best fit of the paragraph's event dates, whether its article's publication fits; None when undated)."""
    events = 0.0
    for e in passage.events:
        events = max(events, fit(e.start, e.end, hint))
    published = parse_iso(passage.published)
    return events, (published_fit(published, hint) if published else None)


def articles_fitting(passages: list[Passage], hint: DateHint) -> dict[str, bool]:
    """article id -> does a retrieved paragraph of it date something in the hint, or is the article undated?"""
    out: dict[str, bool] = {}
    for p in passages:
        events, published = passage_fit(p, hint)
        undated = not p.events and published is None
        # mostly inside: "since early 2011" does not make a story about 2017
        out[p.article_id] = out.get(p.article_id, False) or events >= 0.5 or bool(published) or undated
    return out


def in_named_time(question: str, passages: list[Passage], as_of: date) -> list[Passage]:
    """The passages whose article fits a year or a day the question names ("in June 2019"), or is undated: a
    story from another time is not about it, however well its words match (seed gold: the Astana ceasefire of
    2017 for "the ceasefire in June 2019"). All of them when the question names no year or day."""
    hint = question_date_hint(question, as_of)
    if hint is None or not names_year_or_day(question, hint):
        return list(passages)
    fits = articles_fitting(passages, hint)
    return [p for p in passages if fits[p.article_id]]


def names_a_date(question: str, as_of: date) -> bool:
    """Does the question name a year or a day ("in June 2019", "on 30 August"), not only "this week"?"""
    hint = question_date_hint(question, as_of)
    return hint is not None and names_year_or_day(question, hint)


def this_weeks_news(question: str, passages: list[Passage], as_of: date, k: int) -> list[Passage]:
    """For a question that names the present ("this week", a weekday, "this year"): those of the first `k`
    passages published in the PRESENT_DAYS before `as_of` (or the day after), when there is one; else all the
    passages. A small reader told to prefer the latest source still took older stories' answers ("Michelle
    Obama" for the memoir released this week, with Jill Biden's story first); without them it answers from
    the week's news, or says it cannot. Questions with no time word keep everything: nothing says the week's story
    is the one. Dev lab, reader (docs/benchmarks.md, "Reader, round 4" and "round 5"): EM +3.3 on those questions
    in each half; asking for two stories of the week instead of one lost a question on the first weeks."""
    frame = time_frame(question, as_of)
    if frame.kind != "present" or frame.hint == recent_hint(as_of):
        return list(passages)
    start, end = shifted(as_of, -PRESENT_DAYS), shifted(as_of, 1)
    recent = [p for p in passages[:k] if (day := parse_iso(p.published)) and start <= day <= end]
    return recent or list(passages)


def names_year_or_day(question: str, hint: DateHint) -> bool:
    """Do the question's words for its date range weigh like a name ("2019", "30 August"), not only a month or
    "this week"?"""
    date_words = content_terms(hint.text)
    return any(w > 1 for t, w in content_terms(question).items() if t in date_words)


def apply_date_hint(passages: list[Passage], hint: DateHint | None, k: int, *, event_boost: float = EVENT_BOOST,
                    published_boost: float = PUBLISHED_BOOST) -> list[Passage]:
    """The k best passages after boosting those whose dates fit the hint; the others keep their scores."""
    if hint is None or not (hint.month or (hint.start and hint.end)):
        return list(passages[:k])
    scored = []
    for rank, p in enumerate(passages):
        events, published = passage_fit(p, hint)
        boost = 1.0 + event_boost * events + (published_boost if published else 0.0)
        scored.append((p.score * boost, -rank, p))
    scored.sort(key=lambda t: t[:2], reverse=True)
    return [replace(p, score=score) for score, _, p in scored[:k]]


@dataclass(frozen=True)
class TimeFrame:
    kind: str  # "present", "history", "dated" (see the module's docstring)
    hint: DateHint  # the range whose dated paragraphs and articles move up
    published_boost: float = PUBLISHED_BOOST


# A year in the question, as digits ("in 1776", "the 1929 ceremony"); not part of a number such as "16,000", nor
# a decade ("a 1980s pop idol" describes someone in today's news).
_YEAR = re.compile(r"(?<![\d$£€.,])(1\d{3}|20\d{2})(?![.,]?\d|s\b|'s\b)")


def time_frame(question: str, as_of: date) -> TimeFrame:
    """What a question asked on `as_of` asks about, in time."""
    hint = question_date_hint(question, as_of)
    years = [int(y) for y in _YEAR.findall(question)]
    if hint is not None and hint.text.isdigit() and int(hint.text) not in years:
        hint = None  # the year of a decade
    if hint is not None and hint.end and hint.end >= shifted(as_of, -PRESENT_DAYS):
        # "died this week ... which office did he run for in 1984?": the week's story holds the answer
        return TimeFrame("present", hint, PRESENT_PUBLISHED_BOOST)
    if years and max(years) <= as_of.year - HISTORY_YEARS:
        if hint is None or hint.month:  # "On July 4, 1776": the year, not every July since
            y = max(years)
            hint = DateHint(date(y, 1, 1), date(y, 12, 31), None, str(y))
        return TimeFrame("history", hint)
    if hint is not None:
        return TimeFrame("dated", hint)
    return TimeFrame("present", recent_hint(as_of), PRESENT_PUBLISHED_BOOST)


def recent_hint(as_of: date) -> DateHint:
    """"The last RECENT_DAYS days" up to `as_of`, for a question asked on that day that names no date."""
    return DateHint(shifted(as_of, -RECENT_DAYS), as_of, None, f"the {RECENT_DAYS} days before {as_of}")


def _overlap(a: date, b: date, c: date, d: date) -> int:
    return max(0, (min(b, d) - max(a, c)).days + 1)
