"""The index: Chroma (dense), BM25 (bm25s) and the article records (SQLite).

Consistency rule: SQLite is the record of what is indexed. Chroma entries carry the article's content hash
in their ids; a dense hit counts only while SQLite holds that article with that hash. New chunks are added
before the SQLite commit and old ones deleted after it, so a reader sees an article whole (old or new) at
every moment, and an interrupted ingest leaves only orphans that the next ingest removes (`reconcile`).
Writes go through their own SQLite connection, so readers sharing this Index in other threads only ever see
committed transactions. Every committed change bumps a generation number; the BM25 index remembers the
generation it was built from, so an ingest interrupted before its BM25 rebuild is finished by the next one.
"""
import json
import os
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .articles import Article
from .chunking import Chunk
from .errors import ConfigError, NoIndexError, RagError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION = "paragraphs"
SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, path TEXT, title TEXT, source TEXT, published TEXT,
    date_method TEXT, date_evidence TEXT, dateline TEXT, url TEXT, author TEXT, n_paragraphs INTEGER,
    ingested_at REAL);
CREATE TABLE IF NOT EXISTS paragraphs (
    article_id TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL, events TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, n));
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL, paragraph INTEGER NOT NULL, embed_text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS stories (
    article_id TEXT PRIMARY KEY, story TEXT NOT NULL, signature BLOB NOT NULL,
    pushed TEXT);  -- the story id the article's Chroma entries carry
CREATE INDEX IF NOT EXISTS stories_story ON stories(story);
"""


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    title: str
    source: str | None
    published: str | None
    date_method: str
    date_evidence: str
    dateline: str | None
    url: str | None
    path: str
    n_paragraphs: int
    hash: str


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


def chroma_id(chunk_id: str, content_hash: str) -> str:
    return f"{chunk_id}@{content_hash[:12]}"


class Index:
    """Everything on disk under one folder (or Chroma on a server, with the records still local)."""

    def __init__(self, index_dir: Path, chroma_url: str | None = None, create: bool = False):
        self.dir = Path(index_dir)
        db_path = self.dir / "archive.sqlite"
        if not create and not db_path.exists():
            raise NoIndexError(f"No index at {self.dir} — run `python -m rag ingest archive/` first.")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as e:
            raise RagError(f"Cannot use {self.dir} as the index folder ({getattr(e, 'strerror', None) or e}); "
                           "set RAG_INDEX_DIR to a folder you can write to") from None
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        if "pushed" not in {row[1] for row in self.db.execute("PRAGMA table_info(stories)")}:
            self.db.execute("ALTER TABLE stories ADD COLUMN pushed TEXT")  # indexes made before it existed
        # Writers get their own connection: a reader thread on `self.db` never sees an open write transaction.
        self.wdb = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        self._reading, self._reading_lock = 0, threading.Lock()
        self.chroma_url = chroma_url
        self._store = None
        self._collection = None
        self._bm25 = None
        self._bm25_stamp = None

    # --- Chroma -----------------------------------------------------------------------------
    @property
    def store(self):
        """llama-index's ChromaVectorStore over our collection: ingest writes through it; queries read `collection`
        directly (llama-index's imports cost seconds that the first answer does not need)."""
        if self._store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._store = ChromaVectorStore(chroma_collection=self.collection)
        return self._store

    @property
    def collection(self):
        """The Chroma collection, opened lazily without llama-index (seconds of imports a query does not need)."""
        if self._collection is None:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False)
            if self.chroma_url:
                from urllib.parse import urlparse
                u = urlparse(self.chroma_url)
                try:
                    client = chromadb.HttpClient(host=u.hostname, port=u.port or 8000, ssl=u.scheme == "https",
                                                 settings=settings)
                    collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
                except Exception as e:  # chromadb raises ValueError, httpx errors, ... for an unreachable server
                    raise RagError(f"Cannot reach the Chroma server at {self.chroma_url} ({type(e).__name__}); start "
                                   "it with `chroma run --path DIR --host 127.0.0.1 --port PORT` or unset "
                                   "RAG_CHROMA_URL to use the embedded store") from None
            else:
                client = chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=settings)
                collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
            self._collection = collection
        return self._collection

    # --- writing ----------------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        """article id -> content hash of what is indexed."""
        return dict(self.db.execute("SELECT id, hash FROM articles"))

    def write(self, batch: list[tuple[Article, list[Chunk], list[dict], list[list[float]], bytes]]) -> None:
        """Index whole articles: (article, chunks, events per paragraph, embedding per chunk, MinHash signature)."""
        stories = self.stories([a.id for a, *_ in batch])
        from llama_index.core.schema import TextNode

        nodes = []
        for article, chunks, events, chunk_vectors, _ in batch:
            for chunk, vector in zip(chunks, chunk_vectors):
                meta = {"article_id": article.id, "paragraph": chunk.paragraph, "hash": article.content_hash[:12],
                        "source": article.source or "", "published": date_int(article.published),
                        "story": stories.get(article.id, article.id)}
                spans = events[chunk.paragraph - 1]
                if spans:
                    meta["event_start"] = min(date_int(e["start"]) for e in spans)
                    meta["event_end"] = max(date_int(e["end"]) for e in spans)
                nodes.append(TextNode(id_=chroma_id(chunk.id, article.content_hash), text=chunk.text,
                                      embedding=vector, metadata=meta,
                                      excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta)))
        # Through llama-index's ChromaVectorStore, so that the collection is a llama-index vector store like any
        # other (VectorStoreIndex.from_vector_store works on it). It costs ~3% of ingest time and ~40% more disk
        # for the node JSON it keeps in the metadata; our own queries read the collection directly.
        if nodes:
            self.store.add(nodes)
        now = time.time()
        with self.wdb as db:  # one transaction: every article of the batch appears whole, or none does
            for article, chunks, events, _, signature in batch:
                _delete_rows(db, article.id)
                db.execute(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (article.id, article.content_hash, article.path, article.title, article.source,
                     article.published, article.date_method, article.date_evidence, article.dateline, article.url,
                     article.author, len(article.paragraphs), now))
                db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?)",
                               [(article.id, n, p, json.dumps(events[n - 1]))
                                for n, p in enumerate(article.paragraphs, start=1)])
                db.executemany("INSERT INTO chunks VALUES (?,?,?,?)",
                               [(c.id, article.id, c.paragraph, c.embed_text) for c in chunks])
                story = stories.get(article.id, article.id)
                db.execute("INSERT INTO stories VALUES (?,?,?,?)", (article.id, story, signature, story))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('last_ingest', ?)", (str(now),))
            _bump(db)
        self.remove_orphans([a.id for a, *_ in batch])

    def delete(self, article_ids: list[str]) -> None:
        """Remove articles from the records, then their chunks from Chroma."""
        if not article_ids:
            return
        with self.wdb as db:
            for article_id in article_ids:
                _delete_rows(db, article_id)
            _bump(db)
        self.remove_orphans(article_ids)

    def remove_orphans(self, article_ids: list[str] | None = None) -> int:
        """Delete Chroma entries that the records do not vouch for (left by an interrupted ingest)."""
        if article_ids == []:
            return 0
        hashes = self.hashes()
        return self._delete_ids([cid for cid in self._chroma_ids(article_ids) if not _vouched(cid, hashes)])

    def reconcile(self) -> tuple[int, list[str]]:
        """Make Chroma agree with the records: remove orphans; return (removed, articles missing chunks)."""
        hashes = self.hashes()
        present = set(self._chroma_ids())
        removed = self._delete_ids([cid for cid in present if not _vouched(cid, hashes)])
        missing = sorted({aid for aid, cid in self._expected() if cid not in present})
        return removed, missing

    def _delete_ids(self, ids: list[str]) -> int:
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start:start + 5000])
        return len(ids)

    def _expected(self) -> list[tuple[str, str]]:
        """(article id, Chroma id) of every chunk the records hold."""
        return [(aid, chroma_id(cid, h)) for aid, cid, h in self.db.execute(
            "SELECT c.article_id, c.id, a.hash FROM chunks c JOIN articles a ON a.id = c.article_id")]

    def _chroma_ids(self, article_ids: list[str] | None = None, page: int = 20000):
        """Ids of every Chroma entry (of these articles). Ids alone are ~40x faster to list than metadata, and
        they say all we need: the article and its content hash (see chroma_id)."""
        where = {"article_id": {"$in": list(article_ids)}} if article_ids else None
        offset = 0
        while True:
            got = self.collection.get(where=where, include=[], limit=page, offset=offset)
            yield from got["ids"]
            if len(got["ids"]) < page:
                return
            offset += page

    def _scan(self, page: int = 5000):
        """(Chroma id, metadata) of every entry, read in pages so a big collection fits (for `check`)."""
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            yield from zip(got["ids"], got["metadatas"])
            if len(got["ids"]) < page:
                return
            offset += page

    # --- stories (wire copies and updated versions) ------------------------------------------
    def stories(self, article_ids: list[str] | None = None) -> dict[str, str]:
        """article id -> story id (the same for all copies of one story)."""
        if article_ids is None:
            return dict(self.db.execute("SELECT article_id, story FROM stories"))
        out = {}
        for start in range(0, len(article_ids), 500):
            part = article_ids[start:start + 500]
            out.update(self.db.execute(f"SELECT article_id, story FROM stories WHERE article_id IN "
                                       f"({','.join('?' * len(part))})", part))
        return out

    def signatures(self) -> dict[str, bytes]:
        """article id -> MinHash signature (see rag.dedup)."""
        return dict(self.db.execute("SELECT article_id, signature FROM stories"))

    def set_stories(self, stories: dict[str, str]) -> int:
        """Record new story ids (one transaction), then copy them to the Chroma metadata; returns changes."""
        current = self.stories()
        changed = {a: s for a, s in stories.items() if a in current and current[a] != s}
        if changed:
            with self.wdb as db:
                db.executemany("UPDATE stories SET story = ? WHERE article_id = ?",
                               [(s, a) for a, s in changed.items()])
                _bump(db)
        self.sync_story_metadata()
        return len(changed)

    def sync_story_metadata(self) -> int:
        """Copy story ids to the Chroma metadata of articles whose entries carry an older one. `pushed` records
        what Chroma holds and is set only after the update, so an interrupted sync is redone (idempotent)."""
        todo = self.db.execute("SELECT s.article_id, s.story, c.id, a.hash FROM stories s "
                               "JOIN articles a ON a.id = s.article_id JOIN chunks c ON c.article_id = s.article_id "
                               "WHERE s.pushed IS NOT s.story").fetchall()
        for start in range(0, len(todo), 5000):
            part = todo[start:start + 5000]
            self.collection.update(ids=[chroma_id(c, h) for _, _, c, h in part],
                                   metadatas=[{"story": story} for _, story, _, _ in part])
            with self.wdb as db:
                db.executemany("UPDATE stories SET pushed = ? WHERE article_id = ?",
                               {(story, a) for a, story, _, _ in part})
        return len(todo)

    # --- which model made the vectors ----------------------------------------------------------
    def embed_model(self) -> str | None:
        """The embedding model the index's vectors were made with (None for an index older than this record)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'embed_model'").fetchone()
        return row[0] if row else None

    def claim_model(self, name: str) -> None:
        """Make sure the vectors about to be written are comparable with those already there (same model)."""
        recorded = self.embed_model()
        if recorded is None:
            with self.wdb as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('embed_model', ?)", (name,))
        elif recorded != name:
            raise ConfigError(model_mismatch(self.dir, recorded, name))

    # --- generations: has everything derived from the records caught up? -----------------------
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def settled(self) -> bool:
        """True when stories, Chroma metadata and BM25 were last rebuilt from the records as they are now."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'settled'").fetchone()
        return row is not None and int(row[0]) == self.generation() and (self.dir / "bm25" / "ids.json").exists()

    def mark_settled(self, generation: int) -> None:
        with self.wdb as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('settled', ?)", (str(generation),))

    # --- BM25 -------------------------------------------------------------------------------
    def rebuild_bm25(self) -> None:
        """Rebuild the BM25 index from the records and swap it in atomically."""
        import bm25s

        rows = self.db.execute("SELECT c.id, c.embed_text, a.hash FROM chunks c JOIN articles a "
                               "ON a.id = c.article_id ORDER BY c.rowid").fetchall()
        tmp = self.dir / "bm25.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if rows:
            retriever = bm25s.BM25()
            retriever.index(tokenize([r[1] for r in rows]), show_progress=False)
            retriever.save(str(tmp))
        (tmp / "ids.json").write_text(json.dumps([chroma_id(r[0], r[2]) for r in rows]))
        final = self.dir / "bm25"
        old = self.dir / "bm25.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        self._bm25 = None

    def bm25(self):
        """(retriever or None, chroma-style ids); reloaded when another process has rebuilt it."""
        import bm25s

        folder = self.dir / "bm25"
        for _ in range(20):
            try:
                stamp = _stamp(folder / "ids.json")
                if self._bm25 is not None and stamp == self._bm25_stamp:
                    return self._bm25
                ids = json.loads((folder / "ids.json").read_text())
                retriever = bm25s.BM25.load(str(folder)) if ids else None
                # A rebuild swaps the folder: if it happened while we read, ids and matrix may not belong together.
                if _stamp(folder / "ids.json") == stamp:
                    self._bm25, self._bm25_stamp = (retriever, ids), stamp
                    return self._bm25
            except (OSError, ValueError):  # mid-swap: the folder is briefly missing or half-written
                pass
            time.sleep(0.05)
        return self._bm25 or (None, [])

    # --- reading ----------------------------------------------------------------------------
    @contextmanager
    def reading(self):
        """Reads inside see one snapshot of the records, whatever writers commit meanwhile (nests, shares)."""
        with self._reading_lock:
            self._reading += 1
            if self._reading == 1:
                self.db.execute("BEGIN")
        try:
            yield self
        finally:
            with self._reading_lock:
                self._reading -= 1
                if self._reading == 0:
                    self.db.execute("COMMIT")

    def article(self, article_id: str) -> ArticleRecord | None:
        row = self.db.execute("SELECT id, title, source, published, date_method, date_evidence, dateline, url, "
                              "path, n_paragraphs, hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return ArticleRecord(*row) if row else None

    def articles(self) -> list[ArticleRecord]:
        rows = self.db.execute("SELECT id, title, source, published, date_method, date_evidence, dateline, url, "
                               "path, n_paragraphs, hash FROM articles ORDER BY published DESC, id").fetchall()
        return [ArticleRecord(*r) for r in rows]

    def paragraphs(self, article_id: str) -> list[tuple[int, str, list[dict]]]:
        rows = self.db.execute("SELECT n, text, events FROM paragraphs WHERE article_id = ? ORDER BY n",
                               (article_id,)).fetchall()
        return [(n, t, json.loads(e)) for n, t, e in rows]

    def paragraph(self, article_id: str, n: int) -> tuple[str, list[dict]] | None:
        row = self.db.execute("SELECT text, events FROM paragraphs WHERE article_id = ? AND n = ?",
                              (article_id, n)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def stats(self) -> dict:
        articles, first, last = self.db.execute(
            "SELECT COUNT(*), MIN(published), MAX(published) FROM articles").fetchone()
        paragraphs = self.db.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        by_source = dict(self.db.execute(
            "SELECT COALESCE(source, 'unknown'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"))
        by_method = dict(self.db.execute("SELECT date_method, COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"))
        last_ingest = self.db.execute("SELECT value FROM meta WHERE key = 'last_ingest'").fetchone()
        return {"articles": articles, "paragraphs": paragraphs, "sources": len(by_source),
                "first_date": first, "last_date": last, "chunks": chunks,
                "last_ingest": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(float(last_ingest[0])))
                if last_ingest else None,
                "by_source": by_source, "date_methods": by_method, **self._story_stats()}

    def _story_stats(self) -> dict:
        """How many stories have more than one copy, and how many articles those copies are."""
        groups, members = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM stories GROUP BY story "
            "HAVING n > 1)").fetchone()
        return {"stories_with_copies": groups, "articles_in_those_stories": members}

    def check(self) -> list[str]:
        """Problems that make the index disagree with itself; empty when consistent."""
        if running := self.ingest_running():
            return [f"an ingest is running now (pid {running}); run check again when it has finished"]
        problems = []
        hashes, stories = self.hashes(), self.stories()
        orphans, wrong_story, seen = [], [], set()
        for cid, meta in self._scan():
            seen.add(cid)
            if hashes.get(meta.get("article_id"), "")[:12] != meta.get("hash"):
                orphans.append(cid)
            elif meta.get("story") != stories.get(meta.get("article_id")):
                wrong_story.append(cid)
        if orphans:
            problems.append(f"{len(orphans)} Chroma entries belong to no indexed article version (e.g. {orphans[0]})")
        expected = {cid for _, cid in self._expected()}
        missing = expected - seen
        if missing:
            problems.append(f"{len(missing)} chunks are in the records but not in Chroma (e.g. {min(missing)})")
        if wrong_story:
            problems.append(f"{len(wrong_story)} Chroma entries carry an out-of-date story id (e.g. {wrong_story[0]})")
        short = self.db.execute("SELECT a.id FROM articles a LEFT JOIN paragraphs p ON p.article_id = a.id "
                                "GROUP BY a.id HAVING COUNT(p.n) != MAX(a.n_paragraphs)").fetchall()
        if short:
            problems.append(f"{len(short)} articles have paragraphs missing from the records (e.g. {short[0][0]})")
        unstoried = self.db.execute("SELECT COUNT(*) FROM articles WHERE id NOT IN "
                                    "(SELECT article_id FROM stories)").fetchone()[0]
        if unstoried:
            problems.append(f"{unstoried} articles have no story record")
        _, bm25_ids = self.bm25()
        if set(bm25_ids) != expected or len(bm25_ids) != len(expected):
            problems.append("the BM25 index does not match the records")
        if not self.settled():
            problems.append("the last ingest stopped before it finished (stories and BM25 not rebuilt)")
        return problems

    def ingest_running(self) -> str | None:
        """The pid of an ingest holding this index's lock (see rag.ingest.ingest_lock), or None."""
        import fcntl
        lock = self.dir / "ingest.lock"
        if not lock.exists():
            return None
        with open(lock) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return f.read().strip() or "?"
            fcntl.flock(f, fcntl.LOCK_UN)
        return None

    def close(self):
        self.db.close()
        self.wdb.close()


def _delete_rows(db, article_id: str) -> None:
    for table, key in (("articles", "id"), ("paragraphs", "article_id"), ("chunks", "article_id"),
                       ("stories", "article_id")):
        db.execute(f"DELETE FROM {table} WHERE {key} = ?", (article_id,))


def _bump(db) -> None:
    """Count a committed change (inside the caller's transaction)."""
    db.execute("INSERT INTO meta VALUES ('generation', '1') "
               "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def _vouched(cid: str, hashes: dict[str, str]) -> bool:
    """Do the records hold the article version this Chroma id ("article:n#part@hash") belongs to?"""
    chunk, _, h = cid.rpartition("@")
    return hashes.get(chunk.rsplit(":", 1)[0], "")[:12] == h


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def tokenize(texts: list[str]):
    import bm25s
    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


def query_tokens(text: str) -> list[str]:
    import bm25s
    return bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]


def sources_mask(index: Index, ids: list[str], filters: Filters) -> np.ndarray | None:
    """A 0/1 weight per BM25 document that applies the user's filters (None: no filter)."""
    if not filters:
        return None
    allowed = {row[0] for row in index.db.execute(*_filter_sql(filters))}
    return np.array([1.0 if i.split(":", 1)[0] in allowed else 0.0 for i in ids], dtype=np.float32)


def _filter_sql(filters: Filters) -> tuple[str, list]:
    sql, args = "SELECT id FROM articles WHERE 1=1", []
    if filters.sources:
        sql += f" AND source IN ({','.join('?' * len(filters.sources))})"
        args += list(filters.sources)
    if filters.date_from:
        sql += " AND published >= ?"
        args.append(filters.date_from)
    if filters.date_to:
        sql += " AND published <= ?"
        args.append(filters.date_to)
    return sql, args


def chroma_where(filters: Filters) -> dict | None:
    """The same filters as a Chroma `where` clause."""
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


def model_mismatch(index_dir, recorded: str, wanted: str) -> str:
    return (f"The index at {index_dir} was made with the embedding model {recorded!r}, not {wanted!r}, and their "
            f"vectors do not compare; set RAG_EMBED_MODEL={recorded}, or ingest into a new RAG_INDEX_DIR")
