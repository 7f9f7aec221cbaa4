"""The language-model answer flow shared by every backend: prompt, stream, verify each sentence, fall back.

A backend implements one method, `complete(messages, max_tokens)`, yielding pieces of the reply as the model
writes them. Everything else (the prompt, citation verification, renumbering, the extractive fallback, the
follow-up rewrite) is here, so the backends stay a page long.
"""
import time
from collections.abc import Iterator
from dataclasses import replace

from ..answer import Answer, ExtractiveAnswerer, abstain, content_terms
from ..errors import RagError
from ..prompts import answer_messages, rewrite_messages
from ..retrieve import Passage
from ..verify import DEFAULT_THRESHOLD, StreamVerifier, Verifier


class LLMError(RagError):
    """A language-model backend failed (server unreachable, model missing, context too long)."""


class LLMAnswerer:
    """question + passages (+ conversation) -> Answer, written by a language model and verified sentence by sentence."""
    name = "llm"

    def __init__(self, embedder, *, max_tokens: int = 200, threshold: float = DEFAULT_THRESHOLD):
        if embedder is None:
            raise LLMError(f"The {self.name} answerer needs the index's embedding model to verify citations")
        self.verifier = Verifier(embedder, threshold)
        self.max_tokens = max_tokens
        self.fallback = ExtractiveAnswerer()

    def complete(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Pieces of the model's reply to the chat `messages`, as they are generated."""
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
        """Verified pieces of text as each sentence completes, then the final Answer.

        `question` should be standalone (the engine rewrites follow-ups with `rewrite` first). When no sentence
        of the reply survives verification, the offline extractive answer is used instead, and said so.
        """
        if not passages:
            yield replace(abstain(question, []), answerer=self.name)
            return
        checker = StreamVerifier(self.verifier.session(passages, question))
        started, tokens, first = time.perf_counter(), 0, None
        for piece in self.complete(answer_messages(question, passages), self.max_tokens):
            tokens += 1  # a streamed piece is one token for llama.cpp and most OpenAI-compatible servers
            first = first or time.perf_counter()
            yield from checker.feed(piece)
        yield from checker.finish()
        generated = time.perf_counter() - started
        answer = checker.answer(question, self.name)
        report = checker.report()
        if answer is None:
            fallback = self.fallback.answer(question, passages, history=history, as_of=as_of, context=context)
            yield fallback.text
            answer = replace(fallback, answerer=self.name, verification={**report, "fallback": "extractive"})
        else:
            answer = replace(answer, verification={**report, "fallback": None})
        # generate: the whole model call; first_token: reading the prompt (the rest is writing `tokens` tokens)
        yield replace(answer, timings_ms={"generate": round(generated * 1000, 1), "tokens": tokens,
                                          "first_token": round(((first or started) - started) * 1000, 1)})

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
        earlier = set().union(*(content_terms(t.question) for t in history[-3:])) - own
        words = set(content_terms(line))
        if not line or len(line) > 3 * len(question) + 80 or line.count("?") > 1 or not own <= words \
                or not words & earlier:
            return question
        return line
