"""Dense vectors (Chroma): the collection of chunk embeddings, each entry named by its ChunkKey with the article
version's hash, with the metadata retrieval filters on.

Stage: store. Must not import retrieval, search, answering, the engine or the edges (CLI, web app, evaluation).

Ingest writes through llama-index's ChromaVectorStore, so the collection is a llama-index vector store like any
other (VectorStoreIndex.from_vector_store works on it); everything else talks to the collection directly,
without llama-index's seconds of imports that a first answer does not need.
"""
from pathlib import Path

from ..errors import RagError
from .filters import Filters, date_int
from .keys import ChunkKey

COLLECTION = "paragraphs"
PAGE = 5000  # entries per delete, update or metadata read: a big collection is handled in pieces


class Dense:
    """The Chroma collection of one index: embedded under `folder`, or on a server when `url` is set."""

    def __init__(self, folder: Path, url: str | None = None):
        self.folder, self.url = folder, url
        self._collection = None
        self._store = None

    @property
    def collection(self):
        """The Chroma collection, opened lazily without llama-index (seconds of imports a query does not need)."""
        if self._collection is None:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if self.url:
                from urllib.parse import urlparse
                u = urlparse(self.url)
                try:
                    client = chromadb.HttpClient(host=u.hostname, port=u.port or 8000, ssl=u.scheme == "https",
                                                 settings=settings)
                    collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
                except Exception as e:  # chromadb raises ValueError, httpx errors, ... for an unreachable server
                    raise RagError(f"Cannot reach the Chroma server at {self.url} ({type(e).__name__}); start "
                                   "it with `chroma run --path DIR --host 127.0.0.1 --port PORT` or unset "
                                   "RAG_CHROMA_URL to use the embedded store") from None
            else:
                client = chromadb.PersistentClient(path=str(self.folder / "chroma"), settings=settings)
                collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
            self._collection = collection
        return self._collection

    @property
    def store(self):
        """llama-index's ChromaVectorStore over the collection: ingest writes through it."""
        if self._store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._store = ChromaVectorStore(chroma_collection=self.collection)
        return self._store

    def add(self, batch, stories: dict[str, str]) -> None:
        """Add every chunk of these articles: (article, chunks, events per paragraph, vector per chunk) each."""
        from llama_index.core.schema import TextNode

        nodes = []
        for article, chunks, events, chunk_vectors in batch:
            for chunk, vector in zip(chunks, chunk_vectors):
                key = ChunkKey(article.id, chunk.paragraph, chunk.part).of_version(article.content_hash)
                meta = {"article_id": article.id, "paragraph": chunk.paragraph, "hash": key.hash,
                        "source": article.source or "", "published": date_int(article.published),
                        "story": stories.get(article.id, article.id)}
                spans = events[chunk.paragraph - 1]
                if spans:
                    meta["event_start"] = date_int(min(e.start for e in spans).isoformat())
                    meta["event_end"] = date_int(max(e.end for e in spans).isoformat())
                nodes.append(TextNode(id_=key.id, text=chunk.text, embedding=vector, metadata=meta,
                                      excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta)))
        # Through llama-index: it costs ~3% of ingest time and ~40% more disk for the node JSON it keeps in the
        # metadata, and makes the collection usable by llama-index code.
        if nodes:
            self.store.add(nodes)

    def delete(self, ids: list[str]) -> int:
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=ids[start:start + PAGE])
        return len(ids)

    def set_stories(self, entries: list[tuple[str, str]]) -> None:
        """Set the story id in the metadata of these (entry id, story id)."""
        self.collection.update(ids=[i for i, _ in entries], metadatas=[{"story": story} for _, story in entries])

    def ids(self, article_ids: list[str] | None = None, page: int = 20000):
        """Ids of every entry (of these articles). Ids alone are ~40x faster to list than metadata, and they say
        all we need: the article and its content hash (see ChunkKey)."""
        where = {"article_id": {"$in": list(article_ids)}} if article_ids else None
        offset = 0
        while True:
            got = self.collection.get(where=where, include=[], limit=page, offset=offset)
            yield from got["ids"]
            if len(got["ids"]) < page:
                return
            offset += page

    def scan(self, page: int = PAGE):
        """(entry id, metadata) of every entry, read in pages so a big collection fits (for `check`)."""
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            yield from zip(got["ids"], got["metadatas"])
            if len(got["ids"]) < page:
                return
            offset += page

    def query(self, vector, n: int, filters: Filters) -> list[tuple[str, float]]:
        """(entry id, cosine similarity) of the n entries nearest the vector, best first."""
        where = chroma_where(filters)
        kwargs = {"where": where} if where else {}
        result = self.collection.query(query_embeddings=[vector], n_results=n, include=["distances"], **kwargs)
        # Chroma's cosine distance is 1 - similarity.
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0])]


def chroma_where(filters: Filters) -> dict | None:
    """The filters as a Chroma `where` clause."""
    clauses = []
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if filters.date_from:
        clauses.append({"published": {"$gte": date_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"published": {"$lte": date_int(filters.date_to)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
