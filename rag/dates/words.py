"""Dates stage, shared words: the date patterns and calendar arithmetic that reading event dates
(`expressions`) and inferring publication dates (`published`) both use.

Imports only the standard library: nothing from retrieval, the index, answering or the edges.
"""
import calendar
import re
from datetime import date, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH_NUM = {name[:3].lower(): i for i, name in enumerate(MONTHS, 1)}

# --- patterns --------------------------------------------------------------------------------------
# Each pattern matches only the core words ("August 31", "Saturday", "2011"); the optional words before them
# ("on", "early in", "Saturday,", "last") are read back from the text by small `$`-anchored patterns.
# Optional prefixes on the main patterns made every scan about five times slower.

WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Only abbreviations take a period ("Aug. 8", but "in August."); shared prefixes keep the scan fast.
MON = (r"(?P<mon>Jan(?:uary\b|\b\.?)|Feb(?:ruary\b|\b\.?)|Mar(?:ch\b|\b\.?)|Apr(?:il\b|\b\.?)|May\b"
       r"|Jun(?:e\b|\b\.?)|Jul(?:y\b|\b\.?)|Aug(?:ust\b|\b\.?)|Sep(?:tember\b|t?\b\.?)|Oct(?:ober\b|\b\.?)"
       r"|Nov(?:ember\b|\b\.?)|Dec(?:ember\b|\b\.?))")
DAY = r"(?<![\d,.$£€])(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_TZ = r"(?:GMT|UTC|BST|CEST|CET|EEST|EET|EDT|EST|ET|CDT|CST|CT|MDT|MST|PDT|PST|PT|local\s+time)\b"
_CLOCK = (rf"(?:\d{{1,2}}(?:[:.][0-5]\d)?\s*[aApP]\.?[mM]\b\.?(?:\s*{_TZ})?"
          rf"|(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*{_TZ})?"
          r"|(?:[01]\d|2[0-3])[0-5]\d\s*(?:GMT|UTC)\b"
          r"|(?i:noon|midnight)\b)")

# A leading (?=\d) or (?=[.!?]) lets the regex engine skip ahead to candidates: 3-4x faster scans.
MONTH_DAY = re.compile(rf"{MON}\s+{DAY}(?:,?\s+{YEAR})?")
DAY_MONTH = re.compile(rf"(?=\d){DAY}\s+(?:of\s+)?{MON}(?:,?\s+{YEAR})?")
ISO = re.compile(r"(?=[12]\d{3}-)(?<![\d-])(?P<year>(?:19|20)\d{2})-(?P<mon>0[1-9]|1[0-2])"
                 r"-(?P<day>0[1-9]|[12]\d|3[01])(?!\d)")
WEEKDAY = re.compile(rf"(?P<wd>{WD})\b(?:\s+(?i:morning|afternoon|evening|night)\b)?")
TIME = re.compile(rf"(?<![\w:.,$£€])(?P<clock>{_CLOCK})(?:\s*\((?P<alt>{_CLOCK})\))?")
YEAR_TOKEN = re.compile(r"(?<![\d$£€.,])(?:19|20)\d{2}(?![.,]?\d)")

# Read back from just before a match (see `match_before`); each has a group `w`.
WD_BEFORE = re.compile(rf"\b(?P<w>{WD}),?\s+$")
MOD_BEFORE = re.compile(r"(?i)\b(?P<w>on|early\s+on|late\s+on|last|next|this\s+coming|this\s+past|coming|past"
                        r"|this)\s+$")

# "will meet on Friday": the next Friday, not the last one.
FUTURE_WORDS = re.compile(r"(?i)\b(?:will|'ll|shall|scheduled|set\s+(?:for|to)|upcoming|due\s+to|plans?\s+to|next)\b")

_ISO_START = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)")


# --- calendar arithmetic -----------------------------------------------------------------------------

def format_date(d: date) -> str:
    """'Saturday 31 August 2019' (English names whatever the locale)."""
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def parse_iso(s: str | None) -> date | None:
    """'2019-08-31' (or an ISO timestamp) → date; None or anything else → None."""
    m = _ISO_START.match(s) if isinstance(s, str) else None
    return safe_date(*map(int, m.groups())) if m else None


def safe_date(y: int, m: int, d: int) -> date | None:
    """date(y, m, d), or None when there is no such day (30 February)."""
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


def month_end(y: int, m: int) -> date:
    """The last day of month m of year y."""
    return date(y, m, calendar.monthrange(y, m)[1])


def month_of(name: str) -> int:
    """'Aug.', 'August' or '08' → 8."""
    return int(name) if name.isdigit() else _MONTH_NUM[name[:3].lower()]


# --- reading around a match --------------------------------------------------------------------------

def match_before(pattern: re.Pattern, text: str, start: int, width: int = 24) -> re.Match | None:
    """`pattern` (anchored with `$`) matched just before `start`."""
    return pattern.search(text, max(0, start - width), start)


def words_of(b: re.Match | None) -> str:
    """The group `w` of a `match_before` match, lowercased with single spaces; "" for no match."""
    return " ".join(b["w"].lower().split()) if b else ""


def clause_before(text: str, start: int) -> str:
    """The words from the last punctuation mark before `start` (at most 60 characters back) up to it."""
    return re.split(r"[.;!?,]", text[max(0, start - 60):start])[-1]
