"""llamacpp: a local GGUF model through llama-cpp-python (default: the bundled Qwen2.5-Coder-1.5B-Instruct reader,
assembled at set-up time by rag/model_files.py).

Stage: answering (a model backend). Must not import the engine, search, the store or the edges.
"""
import functools
import importlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .. import model_files
from ..errors import ConfigError
from .base import LLMAnswerer, LLMError

SETUP_HINT = "run make setup (or: .venv/bin/pip install -r requirements-llm.txt)."
# Saved prompt states (the KV cache after a prompt and its reply), least recently used dropped first.
PROMPT_CACHE_BYTES = 256 << 20


def model_file(config) -> str:
    """RAG_LLM_MODEL (any GGUF), else the bundled reader, checked; a ConfigError saying what to run otherwise
    (a model_files.ModelFileError naming the package when a part's bytes are wrong)."""
    path = config.llm_model
    if path:
        if not os.path.isfile(path):
            raise ConfigError(f"RAG_LLM_MODEL={path!r} is not a file; point it at a .gguf model file")
        return path
    return str(model_files.check(model_files.model_path(config.model_dir)))


@functools.cache
def _llama_cpp_imports() -> bool:
    try:
        importlib.import_module("llama_cpp")
    except Exception:  # not installed, or its compiled library does not load here: both mean "not available"
        return False
    return True


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

    def __init__(self, embedder, model_path: str, *, n_ctx: int = 4096, threads: int | None = None, **kwargs):
        super().__init__(embedder, **kwargs)
        try:
            from llama_cpp import Llama, LlamaRAMCache
        except ImportError:
            raise ConfigError(f"llama-cpp-python is not installed; {SETUP_HINT}") from None
        self.model_path = model_path
        # Every core this process may use (2 here: the reader's timings were measured so). More threads than free
        # cores make llama.cpp much slower, so on a machine busy with other work set RAG_LLM_THREADS lower.
        threads = threads or min(8, len(os.sched_getaffinity(0)))
        with _plain_cpu_buffers():
            try:
                self.llm = Llama(model_path=self.model_path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                                 seed=0, verbose=False)
            except ValueError as e:
                raise ConfigError(f"Cannot load the model {self.model_path} ({e}); is it a GGUF file?") from None
        # llama.cpp by itself reuses the last prompt's KV cache for a shared prefix; the RAM cache keeps one state
        # per kind of prompt, so the answer prompt after a follow-up's rewrite prompt still starts warm
        # (scripts/reader_timing.py, 1 thread at load 6: first token 10.7 s -> 3.6 s).
        self.llm.set_cache(LlamaRAMCache(capacity_bytes=PROMPT_CACHE_BYTES))
        self.lock = threading.Lock()  # one model, one generation at a time

    @classmethod
    def from_config(cls, config, embedder) -> "LlamaCppAnswerer":
        """Model from RAG_LLM_MODEL (default: the bundled reader), threads from RAG_LLM_THREADS."""
        return cls(embedder, model_file(config), threads=config.llm_threads)

    @staticmethod
    def available(config) -> bool:
        """llama-cpp-python imports and a model file is there (not loaded; a damaged one fails at load, clearly)."""
        path = config.llm_model or model_files.model_path(config.model_dir)
        return os.path.isfile(path) and _llama_cpp_imports()

    def prime(self) -> None:
        """Read the start every answer prompt shares (instructions, worked examples) now, into the prompt cache,
        so that a server's first question reads only its own passages."""
        from ..prompts import ANSWER_START, answer_messages
        with self.lock:
            for _ in stream_reply(self.llm, answer_messages("", [], ""), 1, ANSWER_START):
                pass

    def complete(self, messages: list[dict], max_tokens: int, start: str = "") -> Iterator[str]:
        with self.lock:
            try:
                yield from stream_reply(self.llm, messages, max_tokens, start)
            except ValueError as e:  # "Requested tokens (…) exceed context window of …"
                raise LLMError(f"The question and passages do not fit the model's context ({e}); "
                               "ask with a smaller --top-k") from None


def stream_reply(llm, messages: list[dict], max_tokens: int, start: str = "") -> Iterator[str]:
    """Pieces of the model's reply, which begins with `start`: written into the prompt after the chat template's
    assistant header when the model has a template, so the model generates only what follows (2 of the 7 tokens
    of "Answer: Jill Biden [1]", a quarter of a second on 2 cores). A reply stopped early (the answerer closes it
    once the answer is complete) still leaves its prompt's state in the prompt cache: llama-cpp-python saves it
    only after a finished reply."""
    chat = _chat_prompt(llm, messages) if start else None
    if chat is None:
        chunks = llm.create_chat_completion(messages=messages, stream=True, temperature=0.0, repeat_penalty=1.1,
                                            max_tokens=max_tokens, seed=0)
        texts = (chunk["choices"][0]["delta"].get("content") for chunk in chunks)
    else:
        tokens, stop = chat
        chunks = llm.create_completion(tokens + llm.tokenize(start.encode(), add_bos=False, special=False),
                                       stream=True, temperature=0.0, repeat_penalty=1.1, max_tokens=max_tokens,
                                       seed=0, stop=stop)
        texts = (chunk["choices"][0]["text"] for chunk in chunks)
    finished = False
    try:
        if chat is not None:
            yield start
        for text in texts:
            if text:
                yield text
        finished = True
    finally:
        chunks.close()
        if not finished and llm.cache is not None and llm.n_tokens:
            llm.cache[llm._input_ids.tolist()] = llm.save_state()


def _chat_prompt(llm, messages: list[dict]) -> tuple[list[int], list[str]] | None:
    """The prompt tokens and stop strings that create_chat_completion would use, from the model's own chat
    template; None for a model without one (its reply is then generated whole)."""
    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    eos, bos = (llm._model.token_get_text(t) if t != -1 else "" for t in (llm.token_eos(), llm.token_bos()))
    formatted = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(messages=messages)
    tokens = llm.tokenize(formatted.prompt.encode(), add_bos=not formatted.added_special, special=True)
    stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop] if formatted.stop else []
    return tokens, stop
