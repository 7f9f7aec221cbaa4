"""The ingest pipeline (embedding runs a batch ahead of the writes): every chunk gets its own vector, Chroma holds
our metadata, and a failure in the embedding thread stops the ingest with its own error, committed batches intact."""
import json
import random

import numpy as np
import pytest

from rag import ingest as ingest_module
from rag.ingest import ingest
from rag.store import Index

WORDS = "harbour council minister ferry storm wheat price strike court vote truce aid convoy border".split()


def write_archive(folder, articles: int = 40, paragraphs: int = 6):
    """Several embedding batches' worth of articles, paragraphs of different lengths (the embedder sorts by it)."""
    rng = random.Random(3)
    rows = []
    for i in range(articles):
        paras = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 60))).capitalize() + f" ({i}.{n})."
                 for n in range(paragraphs)]
        rows.append({"id": f"gen-{i:03d}", "title": f"Story {i}", "source": "AP", "published": "2024-03-1" + str(i % 10),
                     "text": "\n\n".join(paras)})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(ingest_module, "BATCH_CHUNKS", 32)  # 240 chunks: eight batches, so the pipeline overlaps


def test_every_chunk_is_stored_with_its_own_vector_and_our_metadata(tmp_path, index_dir, hash_embedder, small_batches):
    report = ingest([write_archive(tmp_path / "archive")], Index(index_dir, create=True), hash_embedder)
    assert report.ok and report.chunks == 240
    index = Index(index_dir)
    texts = dict(index.records.db.execute("SELECT c.id || '@' || substr(a.hash, 1, 12), c.embed_text FROM chunks c "
                                          "JOIN articles a ON a.id = c.article_id"))
    got = index.collection.get(include=["embeddings", "metadatas"])
    assert sorted(got["ids"]) == sorted(texts)
    expected = np.array([hash_embedder.get_text_embedding(texts[i]) for i in got["ids"]])
    assert np.allclose(np.asarray(got["embeddings"]), expected, atol=1e-6)
    ours = {"article_id", "paragraph", "hash", "source", "published", "story"}
    assert all(ours <= set(m) for m in got["metadatas"])  # besides llama-index's own node fields
    assert index.check() == []


class FailingEmbedder:
    """The tiny embedder, failing on its n-th batch (as a model might on a bad input)."""

    def __init__(self, inner, fail_on: int):
        self.inner, self.fail_on, self.calls = inner, fail_on, 0

    def get_text_embedding_batch(self, texts, show_progress=False):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("model failed on batch 3")
        return self.inner.get_text_embedding_batch(texts)


def test_an_embedding_failure_stops_the_ingest_and_a_rerun_completes(tmp_path, index_dir, hash_embedder,
                                                                      small_batches):
    archive = write_archive(tmp_path / "archive")
    with pytest.raises(RuntimeError, match="model failed on batch 3"):
        ingest([archive], Index(index_dir, create=True), FailingEmbedder(hash_embedder, fail_on=3))
    index = Index(index_dir)
    committed = index.stats()["articles"]
    assert 0 < committed < 40  # the batches before the failure are written whole, nothing after it
    assert index.stats()["chunks"] == len(list(index.dense.ids()))
    report = ingest([archive], index, hash_embedder)
    assert report.ok and len(report.unchanged) == committed and len(report.added) == 40 - committed
    assert index.stats()["articles"] == 40 and index.check() == []
