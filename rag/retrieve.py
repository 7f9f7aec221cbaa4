"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by weighted reciprocal rank, one entry per paragraph.

Stage: retrieval, above the store, below search. Must not import search, answering, the engine or the edges
(CLI, web app, evaluation).
"""
from dataclasses import dataclass

from .dates import EventDate
from .dedup import fold_copies
from .store import ChunkKey, Filters, Index
from .store.keys import paragraph_id


@dataclass(frozen=True)
class Passage:
    article_id: str
    paragraph: int
    text: str
    score: float  # fused score: only the order means something
    similarity: float  # cosine similarity of the best chunk to the query (0 when only BM25 found it)
    title: str
    source: str | None
    published: str | None
    date_method: str
    events: tuple[EventDate, ...] = ()  # the paragraph's event dates, as read at ingest
    also: tuple = ()  # the same paragraph in other copies/versions of the story (dedup.Copy), newest first

    @property
    def id(self) -> str:
        return paragraph_id(self.article_id, self.paragraph)


class Retriever:
    def __init__(self, index: Index, embedder, *, candidates: int = 40, rrf_k: int = 60,
                 dense_weight: float = 1.0, bm25_weight: float = 1.0):
        self.index, self.embedder = index, embedder
        self.candidates, self.rrf_k = candidates, rrf_k
        self.dense_weight, self.bm25_weight = dense_weight, bm25_weight

    def retrieve(self, query: str, k: int = 5, filters: Filters = Filters()) -> list[Passage]:
        """The k best paragraphs for the query, best first."""
        with self.index.reading():  # one snapshot of the records: an ingest committing meanwhile is not half-seen
            return self._retrieve(query, k, filters)

    def _retrieve(self, query: str, k: int, filters: Filters) -> list[Passage]:
        dense = self.dense(query, filters)
        lexical = self.lexical(query, filters)
        fused: dict[str, float] = {}
        for weight, ranked in ((self.dense_weight, dense), (self.bm25_weight, lexical)):
            seen = set()
            for rank, (chunk_id, _) in enumerate(ranked):
                pid = ChunkKey.parse(chunk_id).paragraph_id
                if pid in seen:  # a paragraph counts once per list, at its best chunk's rank
                    continue
                seen.add(pid)
                fused[pid] = fused.get(pid, 0.0) + weight / (self.rrf_k + rank + 1)
        similarity: dict[str, float] = {}
        for chunk_id, sim in dense:
            pid = ChunkKey.parse(chunk_id).paragraph_id
            similarity[pid] = max(similarity.get(pid, 0.0), sim)
        best = sorted(fused, key=fused.get, reverse=True)[:k * 3]  # spare ones for when copies fold together
        return self.passages(best, fused, similarity)[:k]

    def dense(self, query: str, filters: Filters) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first, only entries the records vouch for."""
        vector = self.embedder.get_query_embedding(query)
        return self._valid(self.index.dense_search(vector, self.candidates, filters))

    def lexical(self, query: str, filters: Filters) -> list[tuple[str, float]]:
        """(chunk id, BM25 score), best first, only entries the records vouch for."""
        return self._valid(self.index.lexical_search(query, self.candidates, filters))

    def _valid(self, pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Drop hits from article versions the records no longer hold (mid-ingest or orphaned)."""
        if not pairs:
            return []
        keys = self.index.vouch([entry for entry, _ in pairs])
        return [(key.chunk_id, score) for key, (_, score) in zip(keys, pairs) if key is not None]

    def passages(self, paragraph_ids: list[str], scores: dict, similarity: dict) -> list[Passage]:
        """The named paragraphs ("article:n") as passages with these scores, copies folded."""
        out = []
        for pid in paragraph_ids:
            key = ChunkKey.parse(pid)
            record = self.index.article(key.article_id)
            para = self.index.paragraph(key.article_id, key.paragraph)
            if record is None or para is None:
                continue
            text, events = para
            out.append(Passage(key.article_id, key.paragraph, text, scores[pid], similarity.get(pid, 0.0),
                               record.title, record.source, record.published, record.date_method, tuple(events)))
        return fold_copies(self.index, out)
