"""Dates stage: which days a news text's date words point at (`expressions`), and when an article was published
(`published`), on the shared patterns and calendar arithmetic of `words`. Event dates (`event.EventDate`) are read
once at ingest, stored with their paragraph's offsets and read back at query time (`stored_events`, `events_in`).
Question-date hints are retrieval's (`rag.temporal`).

Imports only the standard library and the toolkit (`rag.text`): nothing from retrieval, the index, answering
or the edges.
"""
from .event import EventDate, events_in, stored_events
from .expressions import Mention, find_event_dates, last_day, mentions
from .published import PubDate, infer_publication_date
from .words import YEAR_TOKEN, format_date, month_end, month_of, parse_iso, shifted

__all__ = ["EventDate", "Mention", "PubDate", "YEAR_TOKEN", "events_in", "find_event_dates", "format_date",
           "infer_publication_date", "last_day", "mentions", "month_end", "month_of", "parse_iso", "shifted",
           "stored_events"]
