"""Ingest archive files: read, skip unchanged articles, chunk, embed, write whole articles, group copies, rebuild BM25.

Crash safety: each batch of whole articles is one SQLite transaction (see rag/store/index.py). Each run starts by
making Chroma agree with the records (orphans removed, articles with missing chunks re-embedded) and ends by
regrouping stories and rebuilding BM25; until that end step has run for the records as they are, the index
counts as unsettled and the next ingest does it, even when no file changed.

Stage: ingest, above reading, chunking, dates and the store. Must not import retrieval, search, answering, the
engine or the edges (CLI, web app, evaluation).
"""
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import dedup
from .articles import Article
from .chunking import chunk_article
from .dates import EventDate, find_event_dates, last_day, parse_iso
from .errors import ArticleError
from .formats import find_files, read_file
from .store import Index, ingest_lock

BATCH_CHUNKS = 256  # chunks embedded and written together; an interrupted ingest loses the two batches in flight


@dataclass
class IngestReport:
    files: int = 0
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[ArticleError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # entries that are not archive files (named pipes, links)
    paragraphs: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        rate = self.paragraphs / self.seconds if self.seconds else 0.0
        return (f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
                f"{len(self.removed)} removed, {len(self.failed)} failed; {self.paragraphs} paragraphs embedded "
                f"in {self.seconds:.1f} s ({rate:.0f} paragraphs/s)")


def paragraph_events(article: Article) -> list[list[EventDate]]:
    """Resolved event dates of each paragraph (offsets in it), stored once with it. A clock time with no day in
    its sentence belongs to the day the article last named before it (else to the publication day)."""
    published = parse_iso(article.published)
    out, day = [], None
    for paragraph in article.paragraphs:
        events = find_event_dates(paragraph, published, day)
        day = last_day(events, day)
        out.append(events)
    return out


def ingest(paths, index: Index, embedder, *, prune: bool = False, max_file_mb: float = 20.0,
           progress=None) -> IngestReport:
    """Bring the index up to date with the given files and folders. `progress(done, total, label)` is optional."""
    with ingest_lock(index.dir):
        # The ingest works through its own Index (own SQLite connections): the caller's may be inside a reader's
        # snapshot (Index.reading) in another thread, and decisions taken from an old snapshot would delete the
        # vectors just written as orphans, or build BM25 from records that are already out of date.
        writer = Index(index.dir, chroma_url=index.chroma_url, create=True)
        try:
            return _ingest(paths, writer, embedder, prune=prune, max_file_mb=max_file_mb, progress=progress)
        finally:
            writer.close()


def _ingest(paths, index: Index, embedder, *, prune: bool, max_file_mb: float, progress) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    files, report.failed, report.skipped = find_files(paths)
    report.files = len(files)
    # Whatever an interrupted run left: orphans go; articles whose chunks are not all in Chroma are redone.
    _, incomplete = index.reconcile()
    known = index.hashes()
    owners = {a.id: a.path for a in index.articles()}
    for article_id in incomplete:
        known[article_id] = "incomplete"
    seen: dict[str, Article] = {}
    complete: set[str] = set()  # files read without any failure: only these can tell that an article is gone
    todo: list[Article] = []
    for f in files:
        try:
            result = read_file(f, max_bytes=int(max_file_mb * 1e6))
        except ArticleError as e:
            report.failed.append(e)
            continue
        report.failed += result.errors
        if not result.errors:
            complete.add(str(f))
        report.notes += result.notes
        for article in result.articles:
            if article.id in seen:
                first = seen[article.id]
                if article.content_hash == first.content_hash:
                    continue  # the same article listed twice (RealTime QA repeats a search result across weeks)
                if article.url and article.url == first.url:
                    report.notes.append(f"{article.path}: {article.url} appears again with different text; "
                                        f"kept the one from {first.path}")
                    continue
                report.failed.append(ArticleError(article.path, f"article id {article.id!r} also comes from "
                                                  f"{first.path}; rename one of the files"))
                continue
            owner = owners.get(article.id)
            if owner and not _same_file(owner, article.path) and os.path.exists(owner):
                # An article belongs to the file it came from; another file with the same id would silently
                # replace it, and the next ingest of the first file would flip it back.
                report.failed.append(ArticleError(article.path, f"article id {article.id!r} is already indexed "
                                                  f"from {owner}; nothing was changed. Rename this file, or give "
                                                  "the article an \"id\" of its own"))
                continue
            seen[article.id] = article
            if known.get(article.id) == article.content_hash:
                report.unchanged.append(article.id)
            else:
                (report.replaced if article.id in known else report.added).append(article.id)
                todo.append(article)
    total = sum(len(a.paragraphs) for a in todo)
    done = 0
    if progress:
        progress(0, total, "paragraphs")
    # A pipeline: while the model embeds one batch (in its own threads), this thread writes the batch before it
    # and prepares the next, so the cores never wait for Chroma and SQLite. Writes stay in this thread and in
    # order, so crash safety is as before.
    ahead = ThreadPoolExecutor(1, thread_name_prefix="ingest-embed")
    try:
        pending = None
        for batch in _batches(todo):
            embedding = ahead.submit(_embed, embedder, batch)
            if pending:
                done += _write(*pending, index, report)
                if progress:
                    progress(done, total, "paragraphs")
            pending = (batch, embedding)
        if pending:
            done += _write(*pending, index, report)
    finally:
        ahead.shutdown(cancel_futures=True)
    if prune:
        # Gone: its file no longer exists, or its file was read in full and no longer holds it (a JSONL line
        # removed). A file that failed to read (now corrupt, half-copied) proves nothing: its articles stay.
        gone = [a.id for a in index.articles()
                if a.id not in seen and (a.path in complete or not Path(a.path).exists())]
        index.delete(gone)
        report.removed = gone
    if not index.settled():
        settle(index)
    if progress:
        progress(total, total, "paragraphs")
    report.seconds = time.perf_counter() - started
    return report


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is gone: the article moved to a new file
        return os.path.abspath(a) == os.path.abspath(b)


def settle(index: Index) -> None:
    """Rebuild what derives from the records: story groups (SQLite, then Chroma metadata) and BM25."""
    index.set_stories(dedup.group(index.signatures()))
    generation = index.generation()
    index.rebuild_bm25()
    index.mark_settled(generation)


def _batches(articles: list[Article]):
    """Whole articles with their chunks, events and signature, about BATCH_CHUNKS chunks at a time."""
    batch, size = [], 0
    for article in articles:
        chunks = chunk_article(article)
        batch.append((article, chunks, paragraph_events(article), dedup.signature(article.paragraphs)))
        size += len(chunks)
        if size >= BATCH_CHUNKS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _embed(embedder, batch) -> list:
    """One vector per chunk of the batch, in order."""
    chunks = [c for _, cs, _, _ in batch for c in cs]
    # Sorting by length keeps padding small inside each model batch (the torch backend batches texts).
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].embed_text))
    vectors = [None] * len(chunks)
    for i, v in zip(order, embedder.get_text_embedding_batch([chunks[i].embed_text for i in order])):
        vectors[i] = v
    return vectors


def _write(batch, embedding, index: Index, report: IngestReport) -> int:
    vectors = embedding.result()
    rows, start = [], 0
    for article, cs, events, signature in batch:
        rows.append((article, cs, events, vectors[start:start + len(cs)], signature))
        start += len(cs)
    index.write(rows)
    report.chunks += len(vectors)
    paragraphs = sum(len(a.paragraphs) for a, *_ in batch)
    report.paragraphs += paragraphs
    return paragraphs
