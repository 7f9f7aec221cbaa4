"""Dates stage, the event-date type: one date a text names, the days it points at and where its words are; read
once at ingest, stored with the paragraph (`to_dict`) and read back at query time (`from_dict`, `stored_events`),
never extracted again.

Imports only the standard library and `rag.dates.words`: nothing from retrieval, the index, answering or the
edges.
"""
import re
from dataclasses import dataclass, replace
from datetime import date

from .words import parse_iso


@dataclass(frozen=True)
class EventDate:
    """A date expression of a text and the days it names; char_start/char_end locate its words in that text
    (for a stored event, its paragraph; -1 when a record from before offsets were stored lost track of them)."""
    text: str
    start: date
    end: date  # == start for a single day
    kind: str  # weekday, relative, month-day, full-date, month, season, year, since, time
    time: str | None
    char_start: int
    char_end: int

    def to_dict(self) -> dict:
        """The JSON form stored with each paragraph."""
        return {"text": self.text, "start": self.start.isoformat(), "end": self.end.isoformat(), "kind": self.kind,
                "time": self.time, "char_start": self.char_start, "char_end": self.char_end}

    @classmethod
    def from_dict(cls, d: dict, paragraph: str = "", after: int = 0) -> "EventDate | None":
        """`to_dict`'s form read back (None when its days do not parse). A dict stored before offsets were
        (no "char_start") is placed where its words first occur in `paragraph` from offset `after`."""
        start, end = parse_iso(d.get("start")), parse_iso(d.get("end"))
        if not (start and end):
            return None
        text = d.get("text", "")
        if "char_start" in d:
            at, to = d["char_start"], d["char_end"]
        else:
            at = paragraph.find(text, after) if text else -1
            at = at if at >= 0 else paragraph.find(text) if text else -1
            to = at + len(text) if at >= 0 else -1
        return cls(text, start, end, d.get("kind", ""), d.get("time"), at, to)


def stored_events(dicts: list[dict], paragraph: str) -> tuple[EventDate, ...]:
    """A paragraph's stored event dates read back, in order. Indexes written before offsets were stored keep
    working without a re-ingest: their events (stored in order of position, not overlapping) are found again by
    their words, each after the one before."""
    out, after = [], 0
    for d in dicts:
        e = EventDate.from_dict(d, paragraph, after)
        if e is not None:
            out.append(e)
            after = max(after, e.char_end)
    return tuple(out)


def events_in(sentence: str, paragraph: str, events) -> list[EventDate]:
    """The paragraph's events whose words begin in `sentence` (one of its sentences), with offsets into the
    sentence. An event read across a sentence end ("at 3:10 p.m. | ET on Saturday") belongs to the first."""
    span = _locate(sentence, paragraph)
    if span is None:
        return []
    first, last = span
    return [replace(e, char_start=e.char_start - first, char_end=e.char_end - first) for e in events
            if first <= e.char_start < last]


def _locate(sentence: str, paragraph: str) -> tuple[int, int] | None:
    at = paragraph.find(sentence)
    if at >= 0:
        return at, at + len(sentence)
    # A splitter that joins the pieces of a sentence with one space ("Mr. | Smith") may not give it verbatim.
    m = re.search(r"\s+".join(map(re.escape, sentence.split())), paragraph) if sentence.strip() else None
    return (m.start(), m.end()) if m else None
