"""Dates stage, the event-date type: one date a text names, with the days it points at and where its words are.

Imports only the standard library: nothing from retrieval, the index, answering or the edges.
"""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class EventDate:
    """A date expression of a text and the days it names; char_start/char_end locate its words in that text."""
    text: str
    start: date
    end: date  # == start for a single day
    kind: str  # weekday, relative, month-day, full-date, month, season, year, since, time
    time: str | None
    char_start: int
    char_end: int
