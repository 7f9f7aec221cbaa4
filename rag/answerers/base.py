"""The Answerer interface, and the language-model answer flow shared by every model backend: read, check the
short answer, verify each sentence.

A model backend implements `complete(messages, max_tokens)`, yielding pieces of the reply as the model writes
them, plus `from_config` and `available`. Everything else (the prompt, citation verification, renumbering, the
extractive fallback, the follow-up rewrite) is here, so the backends stay a page long.

Stage: answering. Must not import the engine, search or the store, nor the edges (CLI, web app, evaluation).
"""
import functools
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Protocol

from ..answer import Answer, abstain
from ..errors import RagError
from ..prompts import ANSWER_START, answer_messages, rewrite_messages
from ..reader import AnswerLine, ShortAnswer, excerpts, mentions, parse_answer_line
from ..reader import check as reader_check
from ..retrieve import Passage
from ..spans import question_type
from ..temporal import in_named_time, names_a_date, this_weeks_news
from ..text import content_terms
from ..verify import DEFAULT_THRESHOLD, StreamVerifier, Verifier
from .extractive import ExtractiveAnswerer


class Answerer(Protocol):
    """question + passages (+ conversation) -> pieces of verified text as they are ready, then the Answer."""
    name: str

    def stream(self, question: str, passages: list[Passage], history: tuple = (), as_of: date | None = None,
               context: str | None = None) -> Iterator["str | Answer"]:
        """Text as it is ready, then the final Answer; `context` is the earlier question of a follow-up that
        `rewrite` could not make standalone."""

    def rewrite(self, question: str, history: tuple) -> str:
        """A follow-up made standalone from the conversation (or the question itself)."""

    @classmethod
    def from_config(cls, config, embedder) -> "Answerer":
        """Built from the Config (rag/config.py); `embedder` is the index's model, for verifying citations."""

    @staticmethod
    def available(config) -> bool:
        """Whether it can run here: dependencies installed, model or server configured."""


class LLMError(RagError):
    """A language-model backend failed (server unreachable, model missing, context too long)."""


class LLMAnswerer:
    """question + passages (+ conversation) -> Answer: a short answer checked against its passage, then one to
    three sentences written by a language model and verified one by one, all from one model call."""
    name = "llm"

    def __init__(self, embedder, *, max_tokens: int = 96, threshold: float = DEFAULT_THRESHOLD,
                 read_passages: int = 8, sentences: int = 1, max_chars: int = 360, max_written: int = 3):
        if embedder is None:
            raise LLMError(f"The {self.name} answerer needs the index's embedding model to verify citations")
        self.verifier = Verifier(embedder, threshold)
        self.max_tokens = max_tokens
        # What the model reads: the best `sentences` sentences (at most `max_chars`) of the first
        # `read_passages` passages. Prompt reading is most of the time to the short answer. One sentence from each
        # of 8 passages holds the answer more often than two from each of 5 (93 against 75 of the 231 dev
        # questions) for a third more prompt, and scored higher on both halves of the dev weeks (docs/benchmarks.md).
        self.read_passages, self.sentences, self.max_chars = read_passages, sentences, max_chars
        self.max_written = max_written
        self.fallback = ExtractiveAnswerer()

    def complete(self, messages: list[dict], max_tokens: int, start: str = "") -> Iterator[str]:
        """Pieces of the model's reply to the chat `messages`, as they are generated. The reply begins with
        `start` (the instructions ask for it); a backend that can write it into the reply itself does, so that
        the model does not spend its slowest work, generating tokens, on it."""
        raise NotImplementedError

    def answer(self, question: str, passages: list[Passage], history: tuple = (), as_of=None,
               context: str | None = None) -> Answer:
        """The whole verified Answer (see `stream`)."""
        result = None
        for piece in self.stream(question, passages, history=history, as_of=as_of, context=context):
            result = piece
        return result

    def stream(self, question: str, passages: list[Passage], history: tuple = (), as_of=None,
               context: str | None = None) -> Iterator[str | Answer]:
        """Verified pieces of text as they are ready (the short answer first), then the final Answer.

        `question` should be standalone (the engine rewrites follow-ups with `rewrite` first). The model's
        short answer is shown only if it is written in a passage it was shown (else the extractive span is);
        when it says the sources do not answer, the answer abstains; when none of its sentences survives
        verification, the short answer's own sentence, or else the extractive answer, is shown instead.
        """
        if not passages:
            yield replace(abstain(question, []), answerer=self.name)
            return
        if question_type(question) == "when":
            # Dates are the extractive answerer's: it resolves "on Friday" against each article's own date and the
            # events it reports. On the seed gold it answers all 9 dated questions and abstains on the dated
            # unanswerable one; the model named a neighbouring date of the same story in 3 of the 9 and dated the
            # Libyan ceasefire from a Syrian one. On the dev samples the 2 dated questions scored 0 either way.
            extractive = self.fallback.answer(question, passages, history=history, as_of=as_of, context=context)
            yield extractive.text
            report = StreamVerifier(self.verifier.session([], question)).report()
            # Said as it is: the extractive answerer wrote this answer, and the user is told so.
            yield replace(extractive, answerer="extractive", timings_ms={"read": 0.0, "generate": 0.0, "tokens": 0},
                          verification={**report, "fallback": None,
                                        "short_answer": None if extractive.abstained else "extractive"})
            return
        # A question naming a year or a day is not answered from a story of another time (the extractive
        # answerer drops those articles too); when no passage is left, nothing retrieved is about it.
        day = as_of or date.today()
        fitting = in_named_time(question, passages, day)
        if not fitting:
            yield replace(abstain(question, passages), answerer=self.name,
                          verification={"fallback": None, "outside_time_frame": True})
            return
        # A question about this week is read from this week's news when retrieval found any.
        passages = this_weeks_news(question, fitting, day, self.read_passages)
        shown = excerpts(question, passages[:self.read_passages], sentences=self.sentences,
                         max_chars=self.max_chars, context=context)
        checker = StreamVerifier(self.verifier.session(passages, question))
        started, tokens, first, read = time.perf_counter(), 0, None, None
        head, line, short = "", None, None
        messages = answer_messages(question, shown, day.isoformat(), by_date=names_a_date(question, day))
        reply = self.complete(messages, self.max_tokens, start=ANSWER_START)
        try:
            for piece in reply:
                tokens += 1  # a streamed piece is one token for llama.cpp and most OpenAI-compatible servers
                first = first or time.perf_counter()
                if line is None:
                    head += piece
                    if "\n" not in head:
                        continue
                    raw, _, piece = head.partition("\n")
                    line, read = parse_answer_line(raw), time.perf_counter()
                    short = self._short(line, shown)
                    if line.abstained or (line.phrase and short is None):
                        break
                    if short is not None:
                        yield checker.accept(_sentence(short.text), short.n, short.quote)
                        checker.default = short.n  # the sentences after an answer line explain that answer
                        # ...and so state it: a sentence that does not is a true but idle one from a source
                        # (seed gold: "This is Russia's latest effort…" after "400,000" displaced).
                        checker.relevant = functools.partial(mentions, short.text)
                        checker.irrelevant_reason = f"does not state the short answer ({short.text})"
                    piece = f"{line.written}\n{piece}" if line.written else piece
                yield from checker.feed(piece)
                if checker.sentences >= self.max_written:
                    break
        finally:
            reply.close()  # stops the model mid-reply when the answer is complete
        if line is None:  # the reply was the answer line alone
            line, read = parse_answer_line(head), time.perf_counter()
            short = self._short(line, shown)
            if short is not None:
                yield checker.accept(_sentence(short.text), short.n, short.quote)
            yield from checker.feed(line.written)
        yield from checker.finish()
        generated = time.perf_counter() - started
        timings = {"generate": round(generated * 1000, 1), "tokens": tokens,
                   "read": round(((read or first or started) - started) * 1000, 1),
                   "first_token": round(((first or started) - started) * 1000, 1)}
        report = checker.report()
        if line.abstained:
            answer = replace(abstain(question, passages), answerer=self.name,
                             verification={**report, "model_abstained": True, "fallback": None})
            yield answer.text
            yield replace(answer, timings_ms=timings)
            return
        extractive = self.fallback.answer(question, passages, history=history, as_of=as_of, context=context) \
            if short is None else None
        if line.phrase and short is None:
            # The model's short answer is in no passage it read: its reading is not to be trusted, and the
            # extractive answer (its span, its sentences) is shown instead.
            yield extractive.text
            yield replace(extractive, answerer=self.name, timings_ms=timings,
                          verification={**report, "fallback": "extractive", "short_answer": "extractive",
                                        "rejected_short_answer": line.phrase})
            return
        answer = checker.answer(question, self.name)
        if answer is not None and short is not None and not report["supported"] + report["reattributed"]:
            # Only the short answer survived: its own sentence in the passage says why it is the answer.
            yield f" {short.quote.strip()} [{checker.numbers[short.n]}]"
            answer = replace(answer, text=f"{answer.text} {short.quote.strip()} [{checker.numbers[short.n]}]")
        if answer is None:
            extractive = extractive or self.fallback.answer(question, passages, history=history, as_of=as_of,
                                                            context=context)
            yield extractive.text
            answer = replace(extractive, answerer=self.name, verification={**report, "fallback": "extractive"})
        else:
            answer = replace(answer, short_answer=short.text if short else answer.short_answer,
                             verification={**report, "fallback": None,
                                           "short_answer": short.origin if short else None})
        yield replace(answer, timings_ms=timings)

    @staticmethod
    def _short(line: AnswerLine, shown) -> ShortAnswer | None:
        """The model's phrase if a passage it read holds it, else None."""
        return reader_check(line.phrase, line.cited, shown) if line.phrase else None

    def rewrite(self, question: str, history: tuple) -> str:
        """A follow-up question rewritten to stand alone, from the conversation; the question itself if that fails."""
        if not history:
            return question
        reply = "".join(self.complete(rewrite_messages(question, history), 60))
        line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
        line = line.removeprefix("Standalone question:").strip().strip('"“”')
        # A tiny model may answer instead of rewriting, drop the question's own words, or ramble: keep only a
        # rewrite that keeps the follow-up's words and adds some of the conversation's.
        own = set(content_terms(question))
        # what the conversation named: its questions and its answers ("How many does it employ?" -> Amazon)
        earlier = set().union(*(content_terms(f"{t.question} {t.answer.short_answer or ''} {t.answer.text}")
                                for t in history[-3:])) - own
        words = set(content_terms(line))
        if not line or len(line) > 3 * len(question) + 80 or line.count("?") > 1 or not own <= words \
                or not words & earlier:
            return question
        return line


def _sentence(phrase: str) -> str:
    return phrase if phrase.endswith((".", "!", "?")) else f"{phrase}."
