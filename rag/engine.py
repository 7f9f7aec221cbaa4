"""Wiring: build_engine(config) makes the embedder, index, searcher and answerer once; the CLI and the web app
share it. Engine.ask_stream is the one answer path: a follow-up made standalone, one search, one answerer.

Stage: the top of the pipeline. Imports every stage below it; nothing in rag/ imports it but the edges (CLI,
timeline) and the evaluation.
"""
import re
import time
from dataclasses import replace
from datetime import date

from .answer import Answer, Turn
from .answerers import BACKENDS, make_answerer
from .config import Config
from .errors import ConfigError, QuestionError, RagError
from .ingest import IngestReport, ingest
from .retrieve import Retriever
from .safe_text import one_line
from .search import Searcher
from .store import Filters, Index, model_mismatch
from .text import content_terms

MAX_QUESTION_CHARS = 1000


class Engine:
    def __init__(self, config: Config, index: Index, embedder, searcher: Searcher, answerer, extractive,
                 notice: str | None = None, model_name: str | None = None):
        self.config, self.index, self.embedder = config, index, embedder
        self.model_name = model_name  # recorded in the index at ingest; None for an embedder passed in (tests)
        self.searcher, self.answerer = searcher, answerer
        # Always there and instant: the web chat shows its answer while the reader model is still reading.
        self.extractive = extractive
        self.notice = notice  # one line for the user when the configured answerer could not be used

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
        if query != question:
            # A language model rewrites a follow-up into a standalone question; if it cannot (or is the extractive
            # answerer), the earlier question's words are joined on for the search and passed on as context.
            standalone = chosen.rewrite(question, history)
            if standalone and standalone != question:
                query, rewritten = standalone, True
        passages = self.searcher.search(query, top_k or self.config.top_k, filters, as_of)
        retrieved = time.perf_counter()
        if rewritten:
            pieces = chosen.stream(query, passages, history=history, as_of=as_of)
        else:
            pieces = chosen.stream(question, passages, history=history, as_of=as_of,
                                   context=context if query != question else None)
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
        # Not under the searcher's lock: questions keep being answered during an ingest. Writes use their own SQLite
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
    if config.answerer not in BACKENDS:
        raise ConfigError(f"Unknown answerer {config.answerer!r}; choose one of {', '.join(BACKENDS)}")
    index = Index(config.index_dir, chroma_url=config.chroma_url, create=create)
    model_name = None  # the configured model's name, recorded with the vectors it makes
    if embedder is None:
        recorded = index.embed_model()
        if recorded and recorded != config.model:
            raise ConfigError(model_mismatch(index.dir, recorded, config.model))
        from .embed import load_embedder
        embedder, model_name = load_embedder(config.model, backend=config.embed_backend), config.model
    extractive = make_answerer("extractive", config, embedder)
    notice = None
    try:
        answerer = make_answerer(config.answerer, config, embedder)
    except (RagError, ImportError, OSError, RuntimeError, ValueError, MemoryError) as e:
        # llama.cpp failing to load a file may raise any of these: none of them may stop the archive answering.
        if config.answerer != "llamacpp":
            raise  # a server backend was asked for by name: say what is wrong with it
        # The default reader model may be missing (not set up yet) or unloadable: answer anyway, and say so.
        answerer = extractive
        notice = f"{e} Answering with the extractive answerer."
    return Engine(config, index, embedder, Searcher(Retriever(index, embedder)), answerer, extractive, notice,
                  model_name)
