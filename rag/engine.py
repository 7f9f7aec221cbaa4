"""Wiring: build_engine(config) makes the embedder, index, retriever and answerer once; the CLI and the web app share it."""
import re
import threading
import time
from dataclasses import replace
from datetime import date

from .answer import Answer, ExtractiveAnswerer, Turn, content_terms
from .answerers.llamacpp import LlamaCppAnswerer
from .answerers.ollama import OllamaAnswerer
from .answerers.openai_compat import OpenAICompatAnswerer
from .config import Config
from .errors import ConfigError, QuestionError, RagError
from .index import Filters, Index, model_mismatch
from .ingest import IngestReport, ingest
from .rerank import POOL as RERANK_POOL, rerank
from .retrieve import Retriever
from .safe_text import one_line
from .temporal import retrieve_dated

MAX_QUESTION_CHARS = 1000

# Importing these classes loads no model library: llama_cpp and httpx are imported when a backend is built.
# Every backend but "extractive" has `from_env(embedder)` and `available()`; see make_answerer.
ANSWERERS = {"extractive": ExtractiveAnswerer, "llamacpp": LlamaCppAnswerer, "ollama": OllamaAnswerer,
             "openai": OpenAICompatAnswerer}


class Engine:
    def __init__(self, config: Config, index: Index, embedder, retriever: Retriever, answerer,
                 notice: str | None = None, model_name: str | None = None):
        self.config, self.index, self.embedder = config, index, embedder
        self.model_name = model_name  # recorded in the index at ingest; None for an embedder passed in (tests)
        self.retriever, self.answerer = retriever, answerer
        # Always there and instant: the web chat shows its answer while the reader model is still reading.
        self.extractive = answerer if isinstance(answerer, ExtractiveAnswerer) else ExtractiveAnswerer()
        self.notice = notice  # one line for the user when the configured answerer could not be used
        self.lock = threading.RLock()  # one engine serves many web sessions; SQLite and bm25s are not re-entrant

    def ask(self, question: str, history: tuple[Turn, ...] = (), filters: Filters = Filters(),
            top_k: int | None = None, as_of: date | None = None, answerer: str | None = None) -> Answer:
        """Answer one question (a follow-up when `history` holds earlier turns of the conversation).
        `answerer="extractive"` answers without the language model; None uses the configured answerer."""
        *_, answer = self.ask_stream(question, history, filters, top_k, as_of, answerer=answerer)
        return answer

    def ask_stream(self, question: str, history: tuple[Turn, ...] = (), filters: Filters = Filters(),
                   top_k: int | None = None, as_of: date | None = None, answerer: str | None = None):
        """Like `ask`, but yields pieces of the answer's text as they are ready, then the final Answer."""
        question = clean_question(question)
        chosen = self._answerer(answerer)
        started = time.perf_counter()
        context = history[-1].answer.standalone_question or history[-1].question if history else None
        query = f"{context} {question}" if context and is_follow_up(question) else question
        rewritten = False
        if query != question and hasattr(chosen, "rewrite"):
            # A language model rewrites a follow-up into a standalone question; if it cannot, the words of the
            # earlier question are joined on, as for the extractive answerer.
            standalone = chosen.rewrite(question, history)
            if standalone and standalone != question:
                query, rewritten = standalone, True
        k = top_k or self.config.top_k
        with self.lock:
            # A date in the question ("last week", "in June 2019") boosts passages dated then; then the pool is
            # reranked by what each paragraph's sentences say (rag/rerank.py).
            pool = retrieve_dated(self.retriever, query, max(k, RERANK_POOL), filters, as_of)
            passages = rerank(query, pool, k)
        retrieved = time.perf_counter()
        if rewritten:
            pieces = chosen.stream(query, passages, history=history, as_of=as_of)
        elif hasattr(chosen, "stream"):
            pieces = chosen.stream(question, passages, history=history, as_of=as_of,
                                   context=context if query != question else None)
        else:
            with self.lock:
                answer = chosen.answer(question, passages, history=history, as_of=as_of,
                                       context=context if query != question else None)
            pieces = iter([answer.text, answer])
        for answer in pieces:
            if not isinstance(answer, Answer):
                yield answer
        done = time.perf_counter()
        timings = {**answer.timings_ms, "retrieve": round((retrieved - started) * 1000, 1),
                   "answer": round((done - retrieved) * 1000, 1), "total": round((done - started) * 1000, 1)}
        yield replace(answer, question=question, standalone_question=query if query != question else None,
                      timings_ms=timings)

    def _answerer(self, name: str | None):
        if name is None or name == getattr(self.answerer, "name", None):
            return self.answerer
        if name == "extractive":
            return self.extractive
        raise ConfigError(f"The answerer {name!r} is not loaded; this engine answers with "
                          f"{self.answerer.name!r} or 'extractive'")

    def ingest(self, paths, prune: bool = False, progress=None) -> IngestReport:
        # Not under self.lock: questions keep being answered during an ingest. Writes use their own SQLite
        # connection and commit whole articles, and a file lock keeps a second ingest out (see rag/ingest.py).
        if self.model_name:
            self.index.claim_model(self.model_name)
        return ingest(paths, self.index, self.embedder, prune=prune, max_file_mb=self.config.max_file_mb,
                      progress=progress)


def clean_question(question) -> str:
    """The question as one line of valid text, at most MAX_QUESTION_CHARS; QuestionError when unusable."""
    if question is not None and not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}; "
                            "send it as a string, e.g. \"When did the August truce start?\"")
    question = one_line(question or "")
    if not question:
        raise QuestionError("The question is empty; type a question, e.g. \"When did the August truce start?\"")
    return question[:MAX_QUESTION_CHARS]


_FOLLOW_UP = re.compile(r"\b(?:it|its|they|them|their|he|she|him|his|her|this|that|these|those|there|then)\b", re.I)


def is_follow_up(question: str) -> bool:
    """A question that leans on the conversation: a pronoun, or too few words of its own."""
    return bool(_FOLLOW_UP.search(question)) or len(content_terms(question)) < 2


def build_engine(config: Config | None = None, embedder=None, create: bool = False) -> Engine:
    """Make everything once, explicitly. `embedder` overrides the configured model (tests pass a tiny one)."""
    config = config or Config.from_env()
    if config.answerer not in ANSWERERS:
        raise ConfigError(f"Unknown answerer {config.answerer!r}; choose one of {', '.join(ANSWERERS)}")
    index = Index(config.index_dir, chroma_url=config.chroma_url, create=create)
    model_name = None  # the configured model's name, recorded with the vectors it makes
    if embedder is None:
        recorded = index.embed_model()
        if recorded and recorded != config.model:
            raise ConfigError(model_mismatch(index.dir, recorded, config.model))
        from .embed import load_embedder
        embedder, model_name = load_embedder(config.model), config.model
    notice = None
    try:
        answerer = make_answerer(config.answerer, embedder)
    except (RagError, ImportError, OSError, RuntimeError, ValueError, MemoryError) as e:
        # llama.cpp failing to load a file may raise any of these: none of them may stop the archive answering.
        if config.answerer != "llamacpp":
            raise  # a server backend was asked for by name: say what is wrong with it
        # The default reader model may be missing (not set up yet) or unloadable: answer anyway, and say so.
        answerer = ExtractiveAnswerer()
        notice = f"{e} Answering with the extractive answerer."
    return Engine(config, index, embedder, Retriever(index, embedder), answerer, notice, model_name)


def make_answerer(name: str, embedder):
    """The named answer backend; language-model backends read their settings from RAG_* variables and verify
    citations with `embedder` (the index's own model)."""
    if name not in ANSWERERS:
        raise ConfigError(f"Unknown answerer {name!r}; choose one of {', '.join(ANSWERERS)}")
    cls = ANSWERERS[name]
    return cls.from_env(embedder) if hasattr(cls, "from_env") else cls()


def available_answerers() -> list[str]:
    """Names of the backends that can run here (dependencies installed, model or server configured)."""
    return [name for name, cls in ANSWERERS.items() if not hasattr(cls, "available") or cls.available()]
