"""The index: Chroma (dense, through llama-index's Chroma vector store), BM25 (bm25s) and the article records (SQLite).

Consistency rule: SQLite is the record of what is indexed. Chroma entries carry the article's content hash
in their ids; a dense hit counts only while SQLite holds that article with that hash. New chunks are added
before the SQLite commit and old ones deleted after it, so a reader sees an article whole (old or new) at
every moment, and an interrupted ingest leaves only orphans that the next ingest removes.
"""
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .articles import Article
from .chunking import Chunk
from .errors import NoIndexError, RagError

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

    def __init__(self, index_dir: Path, embedder=None, chroma_url: str | None = None, create: bool = False):
        self.dir = Path(index_dir)
        self.embedder = embedder
        db_path = self.dir / "archive.sqlite"
        if not create and not db_path.exists():
            raise NoIndexError(f"No index at {self.dir} — run `python -m rag ingest archive/` first.")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(db_path, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self.chroma_url = chroma_url
        self._store = None
        self._bm25 = None
        self._bm25_stamp = None

    # --- Chroma -----------------------------------------------------------------------------
    @property
    def store(self):
        """llama-index's ChromaVectorStore over our collection (opened lazily: the first query pays for it)."""
        if self._store is None:
            import chromadb
            from chromadb.config import Settings
            from llama_index.vector_stores.chroma import ChromaVectorStore

            settings = Settings(anonymized_telemetry=False)
            if self.chroma_url:
                from urllib.parse import urlparse
                u = urlparse(self.chroma_url)
                client = chromadb.HttpClient(host=u.hostname, port=u.port or 8000, ssl=u.scheme == "https",
                                             settings=settings)
            else:
                client = chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=settings)
            collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})
            self._store = ChromaVectorStore(chroma_collection=collection)
        return self._store

    @property
    def collection(self):
        return self.store._collection

    # --- writing ----------------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        """article id -> content hash of what is indexed."""
        return dict(self.db.execute("SELECT id, hash FROM articles"))

    def write(self, batch: list[tuple[Article, list[Chunk], list[dict], list[list[float]]]]) -> None:
        """Index whole articles: (article, chunks, events per paragraph, embedding per chunk)."""
        from llama_index.core.schema import TextNode

        nodes = []
        for article, chunks, events, vectors in batch:
            for chunk, vector in zip(chunks, vectors):
                meta = {"article_id": article.id, "paragraph": chunk.paragraph, "hash": article.content_hash[:12],
                        "source": article.source or "", "published": date_int(article.published)}
                spans = events[chunk.paragraph - 1]
                if spans:
                    meta["event_start"] = min(date_int(e["start"]) for e in spans)
                    meta["event_end"] = max(date_int(e["end"]) for e in spans)
                nodes.append(TextNode(id_=chroma_id(chunk.id, article.content_hash), text=chunk.text,
                                      embedding=vector, metadata=meta,
                                      excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=list(meta)))
        if nodes:
            self.store.add(nodes)
        now = time.time()
        with self.db:  # one transaction: every article of the batch appears whole, or none does
            for article, chunks, events, _ in batch:
                self._delete_rows(article.id)
                self.db.execute(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (article.id, article.content_hash, article.path, article.title, article.source,
                     article.published, article.date_method, article.date_evidence, article.dateline, article.url,
                     article.author, len(article.paragraphs), now))
                self.db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?)",
                                    [(article.id, n, p, json.dumps(events[n - 1]))
                                     for n, p in enumerate(article.paragraphs, start=1)])
                self.db.executemany("INSERT INTO chunks VALUES (?,?,?,?)",
                                    [(c.id, article.id, c.paragraph, c.embed_text) for c in chunks])
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('last_ingest', ?)", (str(now),))
        self.remove_orphans([a.id for a, *_ in batch])

    def delete(self, article_ids: list[str]) -> None:
        """Remove articles from the records, then their chunks from Chroma."""
        with self.db:
            for article_id in article_ids:
                self._delete_rows(article_id)
        self.remove_orphans(article_ids)

    def _delete_rows(self, article_id: str) -> None:
        for table, key in (("articles", "id"), ("paragraphs", "article_id"), ("chunks", "article_id")):
            self.db.execute(f"DELETE FROM {table} WHERE {key} = ?", (article_id,))

    def remove_orphans(self, article_ids: list[str] | None = None) -> int:
        """Delete Chroma entries that the records do not vouch for (left by an interrupted ingest)."""
        hashes = self.hashes()
        where = {"article_id": {"$in": list(article_ids)}} if article_ids else None
        if article_ids == []:
            return 0
        got = self.collection.get(where=where, include=["metadatas"])
        stale = [i for i, m in zip(got["ids"], got["metadatas"])
                 if hashes.get(m.get("article_id"), "")[:12] != m.get("hash")]
        for start in range(0, len(stale), 5000):
            self.collection.delete(ids=stale[start:start + 5000])
        return len(stale)

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
        ids_file = self.dir / "bm25" / "ids.json"
        try:
            stamp = ids_file.stat().st_mtime_ns
        except FileNotFoundError:
            return None, []
        if self._bm25 is None or stamp != self._bm25_stamp:
            import bm25s
            ids = json.loads(ids_file.read_text())
            retriever = bm25s.BM25.load(str(self.dir / "bm25")) if ids else None
            self._bm25, self._bm25_stamp = (retriever, ids), stamp
        return self._bm25

    # --- reading ----------------------------------------------------------------------------
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
                "by_source": by_source, "date_methods": by_method}

    def check(self) -> list[str]:
        """Problems that make the index disagree with itself; empty when consistent."""
        problems = []
        hashes = self.hashes()
        got = self.collection.get(include=["metadatas"])
        seen = {}
        for cid, meta in zip(got["ids"], got["metadatas"]):
            if hashes.get(meta.get("article_id"), "")[:12] != meta.get("hash"):
                problems.append(f"Chroma entry {cid} belongs to no indexed article version")
            seen[cid] = meta
        expected = {chroma_id(cid, h) for cid, h in self.db.execute(
            "SELECT c.id, a.hash FROM chunks c JOIN articles a ON a.id = c.article_id")}
        missing = expected - set(seen)
        if missing:
            problems.append(f"{len(missing)} chunks are in the records but not in Chroma (e.g. {min(missing)})")
        _, bm25_ids = self.bm25()
        if set(bm25_ids) != expected:
            problems.append("the BM25 index does not match the records")
        return problems

    def close(self):
        self.db.close()


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


def reset(index_dir: Path) -> None:
    """Delete an index folder (used by `ingest --rebuild`)."""
    if (Path(index_dir) / "archive.sqlite").exists():
        shutil.rmtree(index_dir)
    elif Path(index_dir).exists() and any(Path(index_dir).iterdir()):
        raise RagError(f"{index_dir} exists but is not an index; refusing to delete it")
