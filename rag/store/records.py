"""The records (SQLite): what is indexed. Articles, paragraphs with their event dates, chunks, stories, the
generation counter and the settled mark, the embedding model's name. Every SQL statement of the project is here.

Stage: store. Must not import retrieval, search, answering, the engine or the edges (CLI, web app, evaluation).

Writes go through their own connection (`wdb`), so readers sharing these Records in other threads only ever see
committed transactions; every committed change bumps the generation.
"""
import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..dates import EventDate, stored_events
from ..errors import RagError
from .filters import Filters
from .keys import ChunkKey, entry_id

DB_FILE = "archive.sqlite"
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
_RECORD = "id, title, source, published, date_method, date_evidence, dateline, url, path, n_paragraphs, hash"
IN_BATCH = 500  # ids per `IN (...)`: well under SQLite's limit on bound parameters


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


class Records:
    """The SQLite file of one index folder: `db` for reading (snapshots via `reading`), `wdb` for writing."""

    def __init__(self, folder: Path):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(folder / DB_FILE, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as e:
            raise RagError(f"Cannot use {folder} as the index folder ({getattr(e, 'strerror', None) or e}); "
                           "set RAG_INDEX_DIR to a folder you can write to") from None
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        if "pushed" not in {row[1] for row in self.db.execute("PRAGMA table_info(stories)")}:
            self.db.execute("ALTER TABLE stories ADD COLUMN pushed TEXT")  # indexes made before it existed
        # Writers get their own connection: a reader thread on `self.db` never sees an open write transaction.
        self.wdb = sqlite3.connect(folder / DB_FILE, check_same_thread=False, timeout=30)
        self._reading, self._reading_lock = 0, threading.Lock()

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

    # --- writing: whole articles in one transaction --------------------------------------------
    def write(self, batch, stories: dict[str, str]) -> None:
        """Replace these articles' rows: (article, chunks, events per paragraph, signature) each; one transaction,
        so every article of the batch appears whole, or none does."""
        now = time.time()
        with self.wdb as db:
            for article, chunks, events, signature in batch:
                _delete_rows(db, article.id)
                db.execute(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (article.id, article.content_hash, article.path, article.title, article.source,
                     article.published, article.date_method, article.date_evidence, article.dateline, article.url,
                     article.author, len(article.paragraphs), now))
                db.executemany("INSERT INTO paragraphs VALUES (?,?,?,?)",
                               [(article.id, n, p, json.dumps([e.to_dict() for e in events[n - 1]]))
                                for n, p in enumerate(article.paragraphs, start=1)])
                db.executemany("INSERT INTO chunks VALUES (?,?,?,?)",
                               [(ChunkKey(article.id, c.paragraph, c.part).chunk_id, article.id, c.paragraph,
                                 c.embed_text) for c in chunks])
                story = stories.get(article.id, article.id)
                db.execute("INSERT INTO stories VALUES (?,?,?,?)", (article.id, story, signature, story))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('last_ingest', ?)", (str(now),))
            _bump(db)

    def delete(self, article_ids: list[str]) -> None:
        """Remove these articles' rows (one transaction)."""
        with self.wdb as db:
            for article_id in article_ids:
                _delete_rows(db, article_id)
            _bump(db)

    def hashes(self, article_ids: list[str] | None = None) -> dict[str, str]:
        """article id -> content hash of what is indexed (of these articles)."""
        if article_ids is None:
            return dict(self.db.execute("SELECT id, hash FROM articles"))
        return self._in("SELECT id, hash FROM articles WHERE id IN ({})", list(article_ids))

    def entries(self) -> list[tuple[str, str]]:
        """(article id, entry id) of every chunk the records hold: what Chroma must hold."""
        return [(aid, entry_id(cid, h)) for aid, cid, h in self.db.execute(
            "SELECT c.article_id, c.id, a.hash FROM chunks c JOIN articles a ON a.id = c.article_id")]

    def lexical_rows(self) -> list[tuple[str, str]]:
        """(entry id, text as embedded) of every chunk, in the order they were written: what BM25 indexes."""
        rows = self.db.execute("SELECT c.id, c.embed_text, a.hash FROM chunks c JOIN articles a "
                               "ON a.id = c.article_id ORDER BY c.rowid").fetchall()
        return [(entry_id(cid, h), text) for cid, text, h in rows]

    # --- stories (wire copies and updated versions) ------------------------------------------
    def stories(self, article_ids: list[str] | None = None) -> dict[str, str]:
        """article id -> story id (the same for all copies of one story)."""
        if article_ids is None:
            return dict(self.db.execute("SELECT article_id, story FROM stories"))
        return self._in("SELECT article_id, story FROM stories WHERE article_id IN ({})", article_ids)

    def story_members(self, stories: set[str]) -> dict[str, list[str]]:
        """story id -> the articles in it."""
        members: dict[str, list[str]] = {}
        marks = ",".join("?" * len(stories))
        for aid, story in self.db.execute(f"SELECT article_id, story FROM stories WHERE story IN ({marks})",
                                          list(stories)):
            members.setdefault(story, []).append(aid)
        return members

    def signatures(self) -> dict[str, bytes]:
        """article id -> MinHash signature (see rag.dedup)."""
        return dict(self.db.execute("SELECT article_id, signature FROM stories"))

    def set_stories(self, changed: dict[str, str]) -> None:
        """Record new story ids (article id -> story id), one transaction."""
        with self.wdb as db:
            db.executemany("UPDATE stories SET story = ? WHERE article_id = ?", [(s, a) for a, s in changed.items()])
            _bump(db)

    def unpushed(self) -> list[tuple[str, str, str]]:
        """(article id, story id, Chroma entry) of every chunk whose entry carries an older story id."""
        rows = self.db.execute("SELECT s.article_id, s.story, c.id, a.hash FROM stories s "
                               "JOIN articles a ON a.id = s.article_id JOIN chunks c ON c.article_id = s.article_id "
                               "WHERE s.pushed IS NOT s.story").fetchall()
        return [(aid, story, entry_id(cid, h)) for aid, story, cid, h in rows]

    def mark_pushed(self, pushed: set[tuple[str, str]]) -> None:
        """Record that Chroma holds these (story id, article id)."""
        with self.wdb as db:
            db.executemany("UPDATE stories SET pushed = ? WHERE article_id = ?", pushed)

    # --- meta: the embedding model, generations --------------------------------------------------
    def embed_model(self) -> str | None:
        """The embedding model the index's vectors were made with (None for an index older than this record)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'embed_model'").fetchone()
        return row[0] if row else None

    def record_model(self, name: str) -> None:
        """Record the embedding model (kept if one is recorded already)."""
        with self.wdb as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('embed_model', ?)", (name,))

    def generation(self) -> int:
        """How many changes have been committed."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def settled_generation(self) -> int | None:
        """The generation that stories, Chroma metadata and BM25 were last rebuilt from."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'settled'").fetchone()
        return int(row[0]) if row is not None else None

    def mark_settled(self, generation: int) -> None:
        with self.wdb as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('settled', ?)", (str(generation),))

    # --- reading ----------------------------------------------------------------------------
    def article(self, article_id: str) -> ArticleRecord | None:
        row = self.db.execute(f"SELECT {_RECORD} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return ArticleRecord(*row) if row else None

    def articles(self) -> list[ArticleRecord]:
        rows = self.db.execute(f"SELECT {_RECORD} FROM articles ORDER BY published DESC, id").fetchall()
        return [ArticleRecord(*r) for r in rows]

    def paragraphs(self, article_id: str) -> list[tuple[int, str, tuple[EventDate, ...]]]:
        rows = self.db.execute("SELECT n, text, events FROM paragraphs WHERE article_id = ? ORDER BY n",
                               (article_id,)).fetchall()
        return [(n, t, stored_events(json.loads(e), t)) for n, t, e in rows]

    def paragraph(self, article_id: str, n: int) -> tuple[str, tuple[EventDate, ...]] | None:
        row = self.db.execute("SELECT text, events FROM paragraphs WHERE article_id = ? AND n = ?",
                              (article_id, n)).fetchone()
        return (row[0], stored_events(json.loads(row[1]), row[0])) if row else None

    def paragraph_lengths(self) -> list[int]:
        """The length in characters of every paragraph."""
        return [len(text) for (text,) in self.db.execute("SELECT text FROM paragraphs")]

    def allowed(self, filters: Filters) -> set[str]:
        """The ids of the articles the filters let through."""
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
        return {row[0] for row in self.db.execute(sql, args)}

    def stats(self) -> dict:
        articles, first, last = self.db.execute(
            "SELECT COUNT(*), MIN(published), MAX(published) FROM articles").fetchone()
        paragraphs = self.db.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        by_source = dict(self.db.execute(
            "SELECT COALESCE(source, 'unknown'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"))
        by_method = dict(self.db.execute("SELECT date_method, COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"))
        last_ingest = self.db.execute("SELECT value FROM meta WHERE key = 'last_ingest'").fetchone()
        # How many stories have more than one copy, and how many articles those copies are.
        groups, members = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(n), 0) FROM (SELECT COUNT(*) AS n FROM stories GROUP BY story "
            "HAVING n > 1)").fetchone()
        return {"articles": articles, "paragraphs": paragraphs, "sources": len(by_source),
                "first_date": first, "last_date": last, "chunks": chunks,
                "last_ingest": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(float(last_ingest[0])))
                if last_ingest else None,
                "by_source": by_source, "date_methods": by_method,
                "stories_with_copies": groups, "articles_in_those_stories": members}

    def problems(self) -> list[str]:
        """What makes the records disagree with themselves (for `check`); empty when consistent."""
        problems = []
        short = self.db.execute("SELECT a.id FROM articles a LEFT JOIN paragraphs p ON p.article_id = a.id "
                                "GROUP BY a.id HAVING COUNT(p.n) != MAX(a.n_paragraphs)").fetchall()
        if short:
            problems.append(f"{len(short)} articles have paragraphs missing from the records (e.g. {short[0][0]})")
        unstoried = self.db.execute("SELECT COUNT(*) FROM articles WHERE id NOT IN "
                                    "(SELECT article_id FROM stories)").fetchone()[0]
        if unstoried:
            problems.append(f"{unstoried} articles have no story record")
        return problems

    def _in(self, sql: str, ids: list[str]) -> dict:
        out = {}
        for start in range(0, len(ids), IN_BATCH):
            part = ids[start:start + IN_BATCH]
            out.update(self.db.execute(sql.format(",".join("?" * len(part))), part))
        return out

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
