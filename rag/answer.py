"""Answers: the types every answerer returns (Citation, Answer) and a conversation's Turn, plus `abstain`.

Stage: the answer types, shared by the answerers (rag/answerers/), verification, the engine and the edges.
Must not import an answerer, the engine or search; it imports retrieval only for the Passage a Citation cites.
"""
from dataclasses import dataclass, field

from .retrieve import Passage


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    paragraph: int
    title: str
    source: str | None
    published: str | None
    date_method: str
    text: str  # the whole paragraph
    quote: str  # the sentence that supports the answer
    verified: bool = True
    also: tuple = ()  # the same paragraph in other copies of the story (dedup.Copy): "also reported by"

    @classmethod
    def of(cls, n: int, passage: Passage, quote: str, verified: bool = True) -> "Citation":
        """Cite a retrieved passage."""
        return cls(n, passage.article_id, passage.paragraph, passage.title, passage.source, passage.published,
                   passage.date_method, passage.text, quote, verified, passage.also)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # with [n] markers
    short_answer: str | None
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    answerer: str = "extractive"
    standalone_question: str | None = None
    timings_ms: dict = field(default_factory=dict)
    verification: dict | None = None


@dataclass
class Turn:
    """One exchange of a conversation: what was asked and what was answered."""
    question: str
    answer: Answer



def abstain(question: str, passages: list[Passage]) -> Answer:
    """A plain "no answer": no citations; the passages stay available as related reading."""
    text = f"The archive does not say. No paragraph in it answers \u201c{question.strip()}\u201d."
    return Answer(question, text, None, True, (), tuple(passages))
