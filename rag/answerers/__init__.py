"""Answer backends: a name -> "module:Class" table, imported only when chosen.

Every backend has the Answerer interface of base.py (stream, rewrite, from_config, available). Adding one is a
file in this folder and a line in BACKENDS. Importing this package imports no backend and no model library:
llama_cpp and httpx load when a backend is built. Stage: answering; must not import the engine or the edges.
"""
import importlib

from ..errors import ConfigError

BACKENDS = {
    "extractive": "rag.answerers.extractive:ExtractiveAnswerer",  # no language model, instant
    "llamacpp": "rag.answerers.llamacpp:LlamaCppAnswerer",  # the bundled reader model (the default)
    "ollama": "rag.answerers.ollama:OllamaAnswerer",
    "openai": "rag.answerers.openai_compat:OpenAICompatAnswerer",
}


def backend(name: str):
    """The answerer class registered as `name`."""
    if name not in BACKENDS:
        raise ConfigError(f"Unknown answerer {name!r}; choose one of {', '.join(BACKENDS)}")
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def make_answerer(name: str, config, embedder):
    """The named answerer, set up from `config`; language models verify citations with `embedder` (the index's
    own model)."""
    return backend(name).from_config(config, embedder)


def available(config) -> list[str]:
    """Names of the backends that can run here (dependencies installed, model or server configured)."""
    return [name for name in BACKENDS if backend(name).available(config)]
