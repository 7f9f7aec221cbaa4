"""Filters: the restrictions a user sets on what is searched (publishers, a publication-date range).

Stage: store (records and Chroma each apply them in their own query language). Imports nothing of rag.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """Restrictions a user sets on retrieval: publishers and a publication-date range (inclusive, ISO)."""
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    def __bool__(self):
        return bool(self.sources or self.date_from or self.date_to)


def date_int(iso: str | None) -> int:
    """2019-08-31 -> 20190831 (Chroma compares numbers, not strings); 0 when unknown."""
    return int(iso.replace("-", "")) if iso else 0
