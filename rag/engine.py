"""Wiring: build_engine(config) makes the embedder, index, retriever and answerer once; the CLI and the web app share it."""
import re
import threading
import time
from dataclasses import dataclass, replace
from datetime import date

from .answer import Answer, ExtractiveAnswerer, content_terms
from .config import Config
from .errors import ConfigError, QuestionError
from .index import Filters, Index
from .ingest import IngestReport, ingest
from .retrieve import Retriever
from .temporal import retrieve_dated

MAX_QUESTION_CHARS = 1000

ANSWERERS = {"extractive": ExtractiveAnswerer}


@dataclass
class Turn:
    question: str
    answer: Answer


class Engine:
    def __init__(self, config: Config, index: Index, embedder, retriever: Retriever, answerer):
        self.config, self.index, self.embedder = config, index, embedder
        self.retriever, self.answerer = retriever, answerer
        self.lock = threading.RLock()  # one engine serves many web sessions; SQLite and bm25s are not re-entrant

    def ask(self, question: str, history: tuple[Turn, ...] = (), filters: Filters = Filters(),
            top_k: int | None = None, as_of: date | None = None) -> Answer:
        """Answer one question (a follow-up when `history` holds earlier turns of the conversation)."""
        question = clean_question(question)
        started = time.perf_counter()
        context = history[-1].answer.standalone_question or history[-1].question if history else None
        query = f"{context} {question}" if context and is_follow_up(question) else question
        with self.lock:
            # A date in the question ("last week", "in June 2019") boosts passages dated then; without one
            # this is exactly self.retriever.retrieve(query, k, filters).
            passages = retrieve_dated(self.retriever, query, top_k or self.config.top_k, filters, as_of)
            retrieved = time.perf_counter()
            answer = self.answerer.answer(question, passages, history=history, as_of=as_of,
                                          context=context if query != question else None)
        done = time.perf_counter()
        timings = {"retrieve": round((retrieved - started) * 1000, 1), "answer": round((done - retrieved) * 1000, 1),
                   "total": round((done - started) * 1000, 1)}
        return replace(answer, standalone_question=query if query != question else None, timings_ms=timings)

    def ingest(self, paths, prune: bool = False, progress=None) -> IngestReport:
        # Not under self.lock: questions keep being answered during an ingest. Writes use their own SQLite
        # connection and commit whole articles, and a file lock keeps a second ingest out (see rag/ingest.py).
        return ingest(paths, self.index, self.embedder, prune=prune, max_file_mb=self.config.max_file_mb,
                      progress=progress)


def clean_question(question: str) -> str:
    question = " ".join((question or "").split())
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
    if embedder is None:
        from .embed import load_embedder
        embedder = load_embedder(config.model)
    index.embedder = embedder
    return Engine(config, index, embedder, Retriever(index, embedder), ANSWERERS[config.answerer]())
