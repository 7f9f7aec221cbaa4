"""Search: a question -> the passages to read. The one search path: the engine, the timeline, the evaluation,
the verifier's calibration and the benchmark all call `Searcher.search`.

1. hybrid retrieval (rag/retrieve.py): dense and BM25 candidates fused, one entry per paragraph, copies folded;
2. the question's dates as a boost (rag/temporal.py): read as of the day it is asked, the week's news first for
   a question about the present, the year named for history;
3. the best `rerank_pool` of those reordered by what their own sentences say (rag/rerank.py), cut to k.

Stage: search, above the store and retrieval, below answering. Must not import the answerers, the engine or
the edges (CLI, web app, evaluation).
"""
import threading
from dataclasses import dataclass, field
from datetime import date

from .rerank import rerank
from .retrieve import Passage, Retriever
from .store import Filters
from .temporal import PUBLISHED_BOOST, apply_date_hint, question_date_hint, time_frame

# Candidates reranked by their sentences (fused and date-boosted first): more let in noise without moving
# answers up (docs/benchmarks.md).
RERANK_POOL = 30


@dataclass
class Searcher:
    retriever: Retriever  # its `candidates` is the other pool size: how many each of dense and BM25 returns
    rerank_pool: int = RERANK_POOL
    # One engine serves many web sessions; SQLite and bm25s are not re-entrant.
    lock: threading.RLock = field(default_factory=threading.RLock)

    def search(self, query: str, k: int, filters: Filters = Filters(), as_of: date | None = None) -> list[Passage]:
        """The k passages to read for `query`, best first. Dates in it ("last week", "in June 2019") are read as of
        `as_of` (default today); given an as-of day, a question naming no date is about that day's news."""
        with self.lock:
            # Every fused candidate (at most 2 × candidates): the date boost may lift any of them.
            fused = self.retriever.retrieve(query, 2 * self.retriever.candidates, filters)
            boosted = dated(query, fused, as_of)
            return rerank(query, boosted[:max(k, self.rerank_pool)], k)

    def passages(self, paragraph_ids: list[str]) -> list[Passage]:
        """The named paragraphs ("article:n") as unscored passages, for reading around a search's results."""
        with self.lock:
            return self.retriever.passages(paragraph_ids, dict.fromkeys(paragraph_ids, 0.0), {})


def dated(query: str, passages: list[Passage], as_of: date | None) -> list[Passage]:
    """`passages` reordered by how well their dates fit the query's time frame; unchanged without one."""
    if as_of is None:
        hint, boost = question_date_hint(query, date.today()), PUBLISHED_BOOST
    else:
        frame = time_frame(query, as_of)
        hint, boost = frame.hint, frame.published_boost
    return apply_date_hint(passages, hint, len(passages), published_boost=boost)
