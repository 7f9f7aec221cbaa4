"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by weighted reciprocal rank, one entry per paragraph."""
from dataclasses import dataclass

from .dedup import fold_copies
from .index import Filters, Index, chroma_where, query_tokens, sources_mask


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
    events: tuple = ()  # resolved event dates in the paragraph (dicts: text, start, end, kind, time)
    also: tuple = ()  # the same paragraph in other copies/versions of the story (dedup.Copy), newest first

    @property
    def id(self) -> str:
        return f"{self.article_id}:{self.paragraph}"


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
                pid = chunk_id.split("#", 1)[0]
                if pid in seen:  # a paragraph counts once per list, at its best chunk's rank
                    continue
                seen.add(pid)
                fused[pid] = fused.get(pid, 0.0) + weight / (self.rrf_k + rank + 1)
        similarity: dict[str, float] = {}
        for chunk_id, sim in dense:
            pid = chunk_id.split("#", 1)[0]
            similarity[pid] = max(similarity.get(pid, 0.0), sim)
        best = sorted(fused, key=fused.get, reverse=True)[:k * 3]  # spare ones for when copies fold together
        return self.passages(best, fused, similarity)[:k]

    def dense(self, query: str, filters: Filters) -> list[tuple[str, float]]:
        """(chroma id, cosine similarity), best first, only entries the records vouch for."""
        vector = self.embedder.get_query_embedding(query)
        where = chroma_where(filters)
        kwargs = {"where": where} if where else {}
        # The Chroma collection directly: llama-index's query wrapper adds nothing here but seconds of imports.
        result = self.index.collection.query(query_embeddings=[vector], n_results=self.candidates,
                                             include=["distances"], **kwargs)
        # Chroma's cosine distance is 1 - similarity.
        pairs = [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0])]
        return self._valid(pairs)

    def lexical(self, query: str, filters: Filters) -> list[tuple[str, float]]:
        """(chroma id, BM25 score), best first."""
        retriever, ids = self.index.bm25()
        tokens = query_tokens(query)
        if retriever is None or not tokens:
            return []
        mask = sources_mask(self.index, ids, filters)
        k = min(self.candidates, len(ids))
        docs, scores = retriever.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        pairs = [(ids[d], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
        return self._valid(pairs)

    def _valid(self, pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """Drop hits from article versions the records no longer hold (mid-ingest or orphaned)."""
        if not pairs:
            return []
        article_ids = {cid.split(":", 1)[0] for cid, _ in pairs}
        marks = ",".join("?" * len(article_ids))
        current = dict(self.index.db.execute(f"SELECT id, substr(hash, 1, 12) FROM articles WHERE id IN ({marks})",
                                             list(article_ids)))
        out = []
        for cid, score in pairs:
            chunk_id, _, h = cid.rpartition("@")
            if current.get(chunk_id.split(":", 1)[0]) == h:
                out.append((chunk_id, score))
        return out

    def passages(self, paragraph_ids: list[str], scores: dict, similarity: dict) -> list[Passage]:
        out = []
        for pid in paragraph_ids:
            article_id, n = pid.rsplit(":", 1)
            record = self.index.article(article_id)
            para = self.index.paragraph(article_id, int(n))
            if record is None or para is None:
                continue
            text, events = para
            out.append(Passage(article_id, int(n), text, scores[pid], similarity.get(pid, 0.0), record.title,
                               record.source, record.published, record.date_method, tuple(events)))
        return fold_copies(self.index, out)
