"""The index: records (SQLite), dense vectors (Chroma) and BM25 (bm25s) under one folder, kept consistent.

Stage: store. Must not import retrieval, search, answering, the engine or the edges (CLI, web app, evaluation).

Consistency rule: the records say what is indexed. Chroma entries carry the article's content hash in their ids
(ChunkKey); a dense hit counts only while the records hold that article with that hash. New chunks are added
before the records' commit and old ones deleted after it, so a reader sees an article whole (old or new) at every
moment, and an interrupted ingest leaves only orphans that the next ingest removes (`reconcile`). Every committed
change bumps a generation number; `mark_settled` records the generation that stories, Chroma metadata and BM25
were last rebuilt from, so an ingest interrupted before that rebuild is finished by the next one.
"""
from pathlib import Path

from ..errors import ConfigError, NoIndexError
from .dense import PAGE, Dense
from .filters import Filters
from .keys import HASH_CHARS, ChunkKey, article_of, vouched
from .lexical import Lexical
from .lock import lock_holder
from .records import DB_FILE, ArticleRecord, Records


class Index:
    """Everything on disk under one folder (or Chroma on a server, with the records still local)."""

    def __init__(self, index_dir: Path, chroma_url: str | None = None, create: bool = False):
        self.dir = Path(index_dir)
        if not create and not (self.dir / DB_FILE).exists():
            raise NoIndexError(f"No index at {self.dir} — run `python -m rag ingest archive/` first.")
        self.records = Records(self.dir)
        self.chroma_url = chroma_url
        self.dense = Dense(self.dir, chroma_url)
        self.lexical = Lexical(self.dir)

    @property
    def collection(self):
        """The Chroma collection (see Dense.collection)."""
        return self.dense.collection

    @property
    def store(self):
        """llama-index's vector store over the Chroma collection (see Dense.store)."""
        return self.dense.store

    # --- writing ----------------------------------------------------------------------------
    def write(self, batch: list[tuple]) -> None:
        """Index whole articles: (article, chunks, events per paragraph, embedding per chunk, MinHash signature)."""
        stories = self.stories([a.id for a, *_ in batch])
        # New entries before the records' commit, the old version's after it: a reader always finds one whole.
        self.dense.add([(a, chunks, events, vectors) for a, chunks, events, vectors, _ in batch], stories)
        self.records.write([(a, chunks, events, signature) for a, chunks, events, _, signature in batch], stories)
        self.remove_orphans([a.id for a, *_ in batch])

    def delete(self, article_ids: list[str]) -> None:
        """Remove articles from the records, then their chunks from Chroma."""
        if not article_ids:
            return
        self.records.delete(article_ids)
        self.remove_orphans(article_ids)

    def remove_orphans(self, article_ids: list[str] | None = None) -> int:
        """Delete Chroma entries that the records do not vouch for (left by an interrupted ingest)."""
        if article_ids == []:
            return 0
        hashes = self.hashes()
        return self.dense.delete([i for i in self.dense.ids(article_ids) if not vouched(i, hashes)])

    def reconcile(self) -> tuple[int, list[str]]:
        """Make Chroma agree with the records: remove orphans; return (removed, articles missing chunks)."""
        hashes = self.hashes()
        present = set(self.dense.ids())
        removed = self.dense.delete([i for i in present if not vouched(i, hashes)])
        missing = sorted({aid for aid, entry in self.records.entries() if entry not in present})
        return removed, missing

    def claim_model(self, name: str) -> None:
        """Make sure the vectors about to be written are comparable with those already there (same model)."""
        recorded = self.embed_model()
        if recorded is None:
            self.records.record_model(name)
        elif recorded != name:
            raise ConfigError(model_mismatch(self.dir, recorded, name))

    # --- derived from the records: stories in Chroma, BM25; the settled mark -----------------
    def set_stories(self, stories: dict[str, str]) -> int:
        """Record new story ids (one transaction), then copy them to the Chroma metadata; returns changes."""
        current = self.stories()
        changed = {a: s for a, s in stories.items() if a in current and current[a] != s}
        if changed:
            self.records.set_stories(changed)
        self.sync_story_metadata()
        return len(changed)

    def sync_story_metadata(self) -> int:
        """Copy story ids to the Chroma metadata of articles whose entries carry an older one. The records note
        what Chroma holds only after the update, so an interrupted sync is redone (idempotent)."""
        todo = self.records.unpushed()
        for start in range(0, len(todo), PAGE):
            part = todo[start:start + PAGE]
            self.dense.set_stories([(entry, story) for _, story, entry in part])
            self.records.mark_pushed({(story, a) for a, story, _ in part})
        return len(todo)

    def rebuild_bm25(self) -> None:
        """Rebuild the BM25 index from the records and swap it in atomically."""
        self.lexical.rebuild(self.records.lexical_rows())

    def settled(self) -> bool:
        """True when stories, Chroma metadata and BM25 were last rebuilt from the records as they are now."""
        return self.records.settled_generation() == self.generation() and self.lexical.exists()

    def mark_settled(self, generation: int) -> None:
        self.records.mark_settled(generation)

    # --- searching (retrieval ranks and fuses; the store finds and vouches) -----------------------
    def dense_search(self, vector, n: int, filters: Filters) -> list[tuple[str, float]]:
        """(entry id, cosine similarity) of the n nearest Chroma entries, best first."""
        return self.dense.query(vector, n, filters)

    def lexical_search(self, query: str, n: int, filters: Filters) -> list[tuple[str, float]]:
        """(entry id, BM25 score) of the n best BM25 documents with a positive score, best first."""
        return self.lexical.search(query, n, self.records.allowed(filters) if filters else None)

    def vouch(self, entry_ids: list[str]) -> list[ChunkKey | None]:
        """The key of each entry whose article version the records hold; None for a stale or orphaned one."""
        hashes = self.hashes(list({article_of(i) for i in entry_ids}))
        return [ChunkKey.parse(i) if vouched(i, hashes) else None for i in entry_ids]

    # --- reading: the records answer ------------------------------------------------------------
    def reading(self):
        """Reads inside see one snapshot of the records, whatever writers commit meanwhile (nests, shares)."""
        return self.records.reading()

    def hashes(self, article_ids: list[str] | None = None) -> dict[str, str]:
        """article id -> content hash of what is indexed (of these articles)."""
        return self.records.hashes(article_ids)

    def stories(self, article_ids: list[str] | None = None) -> dict[str, str]:
        """article id -> story id (the same for all copies of one story)."""
        return self.records.stories(article_ids)

    def story_members(self, stories: set[str]) -> dict[str, list[str]]:
        """story id -> the articles in it."""
        return self.records.story_members(stories)

    def signatures(self) -> dict[str, bytes]:
        """article id -> MinHash signature (see rag.dedup)."""
        return self.records.signatures()

    def embed_model(self) -> str | None:
        """The embedding model the index's vectors were made with (None for an index older than this record)."""
        return self.records.embed_model()

    def generation(self) -> int:
        """How many changes have been committed to the records."""
        return self.records.generation()

    def article(self, article_id: str) -> ArticleRecord | None:
        return self.records.article(article_id)

    def articles(self) -> list[ArticleRecord]:
        return self.records.articles()

    def paragraphs(self, article_id: str) -> list[tuple[int, str, list[dict]]]:
        return self.records.paragraphs(article_id)

    def paragraph(self, article_id: str, n: int) -> tuple[str, list[dict]] | None:
        return self.records.paragraph(article_id, n)

    def paragraph_lengths(self) -> list[int]:
        """The length in characters of every paragraph."""
        return self.records.paragraph_lengths()

    def stats(self) -> dict:
        """Counts, date range, publishers, date methods and stories with copies, for `stats`."""
        return self.records.stats()

    # --- checking ---------------------------------------------------------------------------
    def check(self) -> list[str]:
        """Problems that make the index disagree with itself; empty when consistent."""
        if running := lock_holder(self.dir):
            return [f"an ingest is running now (pid {running}); run check again when it has finished"]
        problems = []
        hashes, stories = self.hashes(), self.stories()
        orphans, wrong_story, seen = [], [], set()
        for entry, meta in self.dense.scan():
            seen.add(entry)
            if hashes.get(meta.get("article_id"), "")[:HASH_CHARS] != meta.get("hash"):
                orphans.append(entry)
            elif meta.get("story") != stories.get(meta.get("article_id")):
                wrong_story.append(entry)
        if orphans:
            problems.append(f"{len(orphans)} Chroma entries belong to no indexed article version (e.g. {orphans[0]})")
        expected = {entry for _, entry in self.records.entries()}
        missing = expected - seen
        if missing:
            problems.append(f"{len(missing)} chunks are in the records but not in Chroma (e.g. {min(missing)})")
        if wrong_story:
            problems.append(f"{len(wrong_story)} Chroma entries carry an out-of-date story id (e.g. {wrong_story[0]})")
        problems += self.records.problems()
        _, bm25_ids = self.lexical.load()
        if set(bm25_ids) != expected or len(bm25_ids) != len(expected):
            problems.append("the BM25 index does not match the records")
        if not self.settled():
            problems.append("the last ingest stopped before it finished (stories and BM25 not rebuilt)")
        return problems

    def close(self):
        self.records.close()


def model_mismatch(index_dir, recorded: str, wanted: str) -> str:
    return (f"The index at {index_dir} was made with the embedding model {recorded!r}, not {wanted!r}, and their "
            f"vectors do not compare; set RAG_EMBED_MODEL={recorded}, or ingest into a new RAG_INDEX_DIR")
