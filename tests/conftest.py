"""Shared fixtures: a tiny deterministic embedder for unit tests, an index folder per test, the seed archive."""
import hashlib
import math
import re
import shutil
import socket
from pathlib import Path

import pytest
from llama_index.core.embeddings import BaseEmbedding

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT / "archive"
DATA = Path(__file__).resolve().parent / "data"


def free_port() -> int:
    """A TCP port free on loopback right now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HashEmbedding(BaseEmbedding):
    """Hashed bag of words (64 dims): deterministic, instant, and still tells texts apart."""

    dims: int = 64

    def _vector(self, text: str) -> list[float]:
        v = [0.0] * self.dims
        for word in re.findall(r"\w+", text.lower()):
            h = int(hashlib.md5(word.encode()).hexdigest(), 16)
            v[h % self.dims] += 1.0 if (h >> 8) % 2 else -1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def _get_text_embedding(self, text):
        return self._vector(text)

    def _get_query_embedding(self, query):
        return self._vector(query)

    async def _aget_query_embedding(self, query):
        return self._vector(query)


@pytest.fixture(autouse=True)
def index_dir(tmp_path, monkeypatch):
    """Every test gets its own index folder; nothing touches the working directory's .rag-index."""
    path = tmp_path / "index"
    monkeypatch.setenv("RAG_INDEX_DIR", str(path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("RAG_CHROMA_URL", raising=False)
    # The product's default answerer is the reader model; unit tests answer extractively (instant, no model).
    # Tests of the reader build it themselves.
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    return path


@pytest.fixture
def hash_embedder():
    return HashEmbedding()


@pytest.fixture
def archive_copy(tmp_path):
    """A writable copy of the shipped archive."""
    dest = tmp_path / "archive"
    shutil.copytree(ARCHIVE, dest)
    return dest


@pytest.fixture
def seed_engine(archive_copy, hash_embedder):
    """An engine over the seed archive with the tiny embedder (unit-test speed)."""
    from rag.config import Config
    from rag.engine import build_engine

    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    report = engine.ingest([archive_copy])
    assert report.ok, report.failed
    return engine


@pytest.fixture(scope="session")
def real_embedder():
    """The real bundled model (integration tests)."""
    from rag.config import DEFAULT_MODEL
    from rag.embed import load_embedder

    return load_embedder(DEFAULT_MODEL)
