"""Reranking: the fused candidates reordered by what their own sentences say, so that the paragraph holding the
answer comes before the others of its article (the fusion ranks whole topics well; within an article it cannot
tell paragraphs apart, because each chunk is embedded under its article's title).

A paragraph's score adds to its fused score (scaled to the best one's):
- the question's words in its best sentence (the answerer's weighted coverage, title words counting half);
- that coverage again, halved, when the sentence also holds the kind of answer asked for (a date for "when",
  a number for "how many", a name for "who/which");
- a small penalty per 1,000 characters: a short paragraph that says the same costs a reader less.
Measured on the realtimeqa-2026 dev questions (docs/benchmarks.md): answer-recall within 2,000 characters
65.6 -> 71.2, recall@1 25.6 -> 32.0, better on each half of the questions.

Stage: retrieval, after fusion and the date boost. Must not import an answerer, the engine or the edges; it reads
sentences with rag/text.py and answer kinds with rag/spans.py, as the answerers do.
"""
from dataclasses import replace

from .retrieve import Passage
from .spans import find_span, question_type
from .text import content_terms, sentence_stems, split_sentences, term_coverage

POOL = 30  # candidates reranked (fused and date-boosted first); more let in noise without moving answers up
COVERAGE_WEIGHT = 1.0
ANSWER_WEIGHT = 0.5
LENGTH_PENALTY = 0.5  # per 1,000 characters


def rerank(question: str, passages: list[Passage], k: int) -> list[Passage]:
    """The k best of `passages` (best first, as retrieved) after scoring their sentences against the question."""
    if not passages:
        return []
    terms = content_terms(question)
    if not terms:
        return list(passages[:k])
    qtype = question_type(question)
    top = max(p.score for p in passages) or 1.0
    scored = []
    for rank, p in enumerate(passages[:max(k, POOL)]):
        best, answering = sentence_scores(question, qtype, terms, p)
        score = (p.score / top + COVERAGE_WEIGHT * best + ANSWER_WEIGHT * answering
                 - LENGTH_PENALTY * len(p.text) / 1000)
        scored.append((score, -rank, p))
    scored.sort(key=lambda t: t[:2], reverse=True)
    return [replace(p, score=score) for score, _, p in scored[:k]]


def sentence_scores(question: str, qtype: str, terms: dict[str, float], p: Passage) -> tuple[float, float]:
    """(best coverage of the question's words by one sentence, best coverage by a sentence holding an answer)."""
    title = sentence_stems(p.title)
    best = answering = 0.0
    for sentence in split_sentences(p.text):
        c = term_coverage(terms, sentence_stems(sentence), title)
        best = max(best, c)
        if qtype != "other" and c > answering and find_span(sentence, qtype, question, p, None, terms)[0]:
            answering = c
    return best, answering
