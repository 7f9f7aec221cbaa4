"""The store: the archive's records (SQLite), dense vectors (Chroma) and BM25 (bm25s) behind one `Index`.

Stage: store, above reading and chunking articles, below retrieval. Must not import retrieval, search, answering,
the engine or the edges (CLI, web app, evaluation).

- keys.py: ChunkKey, the one place chunk ids (`article:n#part@hash`) are built and parsed;
- records.py: the SQLite schema and every SQL statement (articles, paragraphs, chunks, stories, generations);
- dense.py: the Chroma collection (written through llama-index's vector store);
- lexical.py: the BM25 index, rebuilt from the records and swapped in whole;
- lock.py: one ingest at a time per index folder;
- index.py: `Index`, which keeps the three consistent (write, reconcile, settle, check).
"""
from .filters import Filters
from .index import Index, model_mismatch
from .keys import ChunkKey
from .lock import ingest_lock
from .records import ArticleRecord

__all__ = ["ArticleRecord", "ChunkKey", "Filters", "Index", "ingest_lock", "model_mismatch"]
