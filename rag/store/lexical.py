"""The lexical index (bm25s): BM25 over every chunk's embedded text, built from the records and swapped in whole.

Stage: store. Must not import retrieval, search, answering, the engine or the edges (CLI, web app, evaluation).

The folder `bm25/` holds the bm25s matrix and `ids.json`, the entry id (ChunkKey with hash) of each document. A
rebuild writes `bm25.tmp/` and renames it into place, so readers in other processes see the old index or the
new one, never half of one; they notice a rebuild by the stamp of `ids.json` and reload.
"""
import json
import shutil
import time
from pathlib import Path

import numpy as np

from .keys import article_of

FOLDER, IDS = "bm25", "ids.json"


class Lexical:
    """The BM25 index under one index folder, loaded lazily and reloaded when another process rebuilt it."""

    def __init__(self, folder: Path):
        self.folder = folder / FOLDER
        self._loaded = None
        self._stamp = None

    def exists(self) -> bool:
        return (self.folder / IDS).exists()

    def rebuild(self, rows: list[tuple[str, str]]) -> None:
        """Index these (entry id, text) and swap the result in atomically."""
        import bm25s

        tmp = self.folder.with_name(f"{FOLDER}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        if rows:
            retriever = bm25s.BM25()
            retriever.index(tokenize([text for _, text in rows]), show_progress=False)
            retriever.save(str(tmp))
        (tmp / IDS).write_text(json.dumps([entry for entry, _ in rows]))
        old = self.folder.with_name(f"{FOLDER}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(old)
        tmp.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)
        self._loaded = None

    def load(self):
        """(retriever or None, entry ids); reloaded when another process has rebuilt it."""
        import bm25s

        for _ in range(20):
            try:
                stamp = _stamp(self.folder / IDS)
                if self._loaded is not None and stamp == self._stamp:
                    return self._loaded
                ids = json.loads((self.folder / IDS).read_text())
                retriever = bm25s.BM25.load(str(self.folder)) if ids else None
                # A rebuild swaps the folder: if it happened while we read, ids and matrix may not belong together.
                if _stamp(self.folder / IDS) == stamp:
                    self._loaded, self._stamp = (retriever, ids), stamp
                    return self._loaded
            except (OSError, ValueError):  # mid-swap: the folder is briefly missing or half-written
                pass
            time.sleep(0.05)
        return self._loaded or (None, [])

    def search(self, query: str, n: int, allowed: set[str] | None) -> list[tuple[str, float]]:
        """(entry id, BM25 score) of the best n documents with a positive score, best first; `allowed`, when
        given, is the set of articles the user's filters let through."""
        retriever, ids = self.load()
        tokens = query_tokens(query)
        if retriever is None or not tokens:
            return []
        mask = None if allowed is None else articles_mask(ids, allowed)
        scores = retriever.get_scores(tokens, weight_mask=mask)
        # The best n among the positive scores only: most documents score 0, and numpy's argpartition (which
        # bm25s's own top-k uses) is twenty times slower on an array of mostly equal values (19 ms against 1 ms
        # a query over the whole realtimeqa archive). Equal scores go to the later document first, as bm25s's
        # order mostly had them (a paragraph and its wire copy score alike, and fusion reads ranks).
        hits = np.flatnonzero(scores > 0)
        if len(hits) > n:
            hits = hits[np.argpartition(scores[hits], -n)[-n:]]
        hits = hits[np.lexsort((-hits, -scores[hits]))]
        return [(ids[d], float(scores[d])) for d in hits]


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def tokenize(texts: list[str]):
    import bm25s
    return bm25s.tokenize(texts, stopwords="en", show_progress=False)


def query_tokens(text: str) -> list[str]:
    import bm25s
    return bm25s.tokenize([text], stopwords="en", return_ids=False, show_progress=False)[0]


def articles_mask(ids: list[str], allowed: set[str]) -> np.ndarray:
    """A 0/1 weight per BM25 document: 1 for those of the allowed articles."""
    return np.array([1.0 if article_of(i) in allowed else 0.0 for i in ids], dtype=np.float32)
