"""The extractive answerer: answers by choosing sentences of the retrieved paragraphs; no language model.

It scores every sentence against the question (coverage of the question's content words, the paragraph's
retrieval rank, and whether the sentence holds the kind of thing asked for: a date for "when", a number for
"how many", a name for "who"), answers with the best one or two sentences, and marks the short answer span.
It abstains when no sentence covers enough of the question.

Stage: answering. Must not import the engine, search, the index or the edges (CLI, web app, evaluation); its
text and span rules live in rag/text.py and rag/spans.py, which the other stages share.
"""
from dataclasses import dataclass
from datetime import date

from ..answer import Answer, Citation, abstain
from ..dates import format_date, parse_iso
from ..retrieve import Passage
from ..spans import best_event, find_span, question_type, sentence_events
from ..temporal import articles_fitting, fit, names_year_or_day, published_fit, question_date_hint
from ..text import content_terms, present, sentence_stems, split_sentences, term_coverage


@dataclass
class _Candidate:
    passage: Passage
    rank: int
    sentence: str
    coverage: float
    span: str | None
    score: float


class ExtractiveAnswerer:
    """question + passages (+ conversation) -> Answer, by choosing sentences; no language model."""
    name = "extractive"

    def __init__(self, min_coverage: float = 0.5, max_sentences: int = 2):
        self.min_coverage = min_coverage
        self.max_sentences = max_sentences

    @classmethod
    def from_config(cls, config=None, embedder=None) -> "ExtractiveAnswerer":
        """The answerer; it needs no settings and no model."""
        return cls()

    @staticmethod
    def available(config=None) -> bool:
        """Always: it needs nothing installed."""
        return True

    def rewrite(self, question: str, history: tuple) -> str:
        """The question itself: without a model a follow-up leans on the earlier question's words instead."""
        return question

    def stream(self, question: str, passages: list[Passage], history: tuple = (), as_of: date | None = None,
               context: str | None = None):
        """The answer's text, then the Answer (all at once: there is nothing to wait for)."""
        answer = self.answer(question, passages, history, as_of, context)
        yield answer.text
        yield answer

    def answer(self, question: str, passages: list[Passage], history: tuple = (), as_of: date | None = None,
               context: str | None = None) -> Answer:
        """Answer `question` from `passages`; `context` is the earlier conversation's question, for follow-ups."""
        qtype = question_type(question)
        terms = content_terms(question)
        # A follow-up ("Who announced it?") leans on the earlier question's words, as a bonus only.
        context_terms = {t: w for t, w in content_terms(context).items() if t not in terms} if context else {}
        # "this week", "yesterday" are read as of `as_of`; sentences dated inside the question's range go first.
        hint = question_date_hint(question, as_of or date.today())
        candidates = self.candidates(passages, terms, qtype, question, context_terms, hint)
        if not candidates or candidates[0].coverage < self.min_coverage or (qtype != "other" and not candidates[0].span):
            return abstain(question, passages)
        chosen = [candidates[0]]
        for c in candidates[1:]:
            if len(chosen) >= self.max_sentences:
                break
            # A second sentence only when it is nearly as good, covers the question nearly as well and adds
            # something new. Naming the same date is not enough: "a reduction in violence on Wednesday" is
            # not about "when did they agree on a ceasefire" (seed gold, june-ceasefire: citation precision of
            # the extractive answers 0.936 -> 0.957, no answer changed).
            lead = chosen[0]
            needed = max(self.min_coverage, 0.8 * lead.coverage)
            if c.score >= 0.8 * lead.score and c.coverage >= needed and \
                    c.sentence not in {x.sentence for x in chosen} and _adds(c, chosen) and _agrees(c, lead):
                chosen.append(c)
        other = another_event(candidates, chosen, hint, self.min_coverage) if qtype == "when" else None
        return compose(question, chosen, passages, qtype, other, candidates)

    def candidates(self, passages, terms, qtype, question, context_terms=None, hint=None) -> list[_Candidate]:
        # The question's date words ("in June 2019", "last week") are met by a sentence whose dates fit them,
        # whether or not it repeats them: "on Wednesday" in an article of 12 June 2019 fits "in June 2019".
        dated = {t: w for t, w in terms.items() if t in content_terms(hint.text)} if hint else {}
        plain = {t: w for t, w in terms.items() if t not in dated}
        share = sum(dated.values()) / sum(terms.values()) if dated else 0.0
        names = {t for t, w in plain.items() if w > 1}
        article_stems: dict[str, set[str]] = {}
        for p in passages:
            article_stems.setdefault(p.article_id, sentence_stems(p.title)).update(sentence_stems(p.text))
        # A year or day the question names ("in 2017", "on 30 August 2019") is like a name: an article with no
        # date in it (event or publication) is not about it. Undated articles stay in.
        fits = articles_fitting(passages, hint) if dated and names_year_or_day(question, hint) else None
        out = []
        for rank, p in enumerate(passages):
            title_stems = sentence_stems(p.title)
            # A name the question asks about ("Libya") must appear in what was retrieved from the article,
            # or nothing here is about it; spelling may vary a little ("Idlib"/"Idleb", "Syrians"/"Syria").
            missing = [t for t in names if not present(t, article_stems[p.article_id])]
            if len(missing) > (1 if len(names) >= 3 else 0) or (fits is not None and not fits[p.article_id]):
                continue
            for sentence in split_sentences(p.text):
                stems = sentence_stems(sentence)
                coverage = term_coverage(terms, stems, title_stems)
                if dated:
                    coverage = max(coverage, (1 - share) * term_coverage(plain, stems, title_stems)
                                   + share * sentence_fit(sentence, p, hint))
                if not _covers_a_word(plain, names, stems):
                    coverage = min(coverage, 0.0)
                span, specificity = find_span(sentence, qtype, question, p, hint, terms)
                score = (coverage + 0.25 * term_coverage(context_terms or {}, stems, title_stems)
                         + (0.25 + specificity if span else 0.0) - 0.04 * rank + 0.3 * p.similarity)
                out.append(_Candidate(p, rank, sentence, coverage, span, score))
        out.sort(key=lambda c: c.score, reverse=True)
        return out



def _covers_a_word(terms: dict[str, float], names: set[str], stems: set[str]) -> bool:
    """Besides names, the sentence must share at least one of the question's ordinary words (when it has any)."""
    words = [t for t in terms if t not in names]
    return not words or any(t in stems for t in words)


def _agrees(c: _Candidate, lead: _Candidate) -> bool:
    """A second sentence must not give a different answer (another date, another number)."""
    if lead.span is None or c.span is None:
        return True
    return c.span.split(",")[0] == lead.span.split(",")[0]


def _adds(c: _Candidate, chosen: list[_Candidate]) -> bool:
    new = sentence_stems(c.sentence) - set().union(*(sentence_stems(x.sentence) for x in chosen))
    return len(new) >= 4


def sentence_fit(sentence: str, passage: Passage, hint) -> float:
    """How well the sentence's dates fit the question's (0..1); an undated sentence tells of its article's days."""
    published = parse_iso(passage.published)
    events = sentence_events(sentence, passage)
    if events:
        return max(fit(e.start, e.end, hint) for e in events)
    return 1.0 if published and published_fit(published, hint) else 0.0


def another_event(candidates: list, chosen: list, hint, min_coverage: float):
    """A second event that fits a "when" question as well (two truces in one month), or None.

    It must cover the question's words as fully as the answer does, score nearly as high, fall on other days,
    and fit the question's date range when it names one.
    """
    lead = chosen[0]
    first = best_event(lead.sentence, lead.passage, hint)
    if first is None:
        return None
    # Dates the answer's own sentence names belong to its event ("announced on Friday ... from Saturday").
    told = [(e.start, e.end) for e in sentence_events(lead.sentence, lead.passage)]
    for c in candidates[1:]:
        if c.score < ANOTHER_EVENT_SCORE * lead.score:
            return None
        if not c.span or c.coverage < max(min_coverage, lead.coverage) or c.sentence in {x.sentence for x in chosen}:
            continue
        e = best_event(c.sentence, c.passage, hint)
        if e is None or any(not (e.end < start or e.start > end) for start, end in told):
            continue
        if hint and fit(e.start, e.end, hint) == 0:
            continue
        return c
    return None


ANOTHER_EVENT_SCORE = 0.8  # of the answer's score


def compose(question: str, chosen: list[_Candidate], passages: list[Passage], qtype: str,
            other: _Candidate | None = None, candidates: list[_Candidate] = ()) -> Answer:
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    parts = []
    for c in chosen:
        pid = c.passage.id
        if pid not in numbers:
            numbers[pid] = len(numbers) + 1
            citations.append(Citation.of(numbers[pid], c.passage, c.sentence))
        parts.append(f"{c.sentence.strip()} [{numbers[pid]}]")
    lead = chosen[0]
    short = lead.span
    if qtype == "when" and short:
        short, zone = _with_zone(short, chosen, candidates)
        if zone is not None and zone.passage.id not in numbers:
            numbers[zone.passage.id] = len(numbers) + 1
            citations.append(Citation.of(numbers[zone.passage.id], zone.passage, zone.sentence))
        markers = "[1]" + (f"[{numbers[zone.passage.id]}]" if zone and numbers[zone.passage.id] != 1 else "")
        text = f"{short}{_wording(lead)} {markers}. " + " ".join(parts)
    else:
        text = " ".join(parts)
    if other is not None:
        pid = other.passage.id
        if pid not in numbers:
            numbers[pid] = len(numbers) + 1
            citations.append(Citation.of(numbers[pid], other.passage, other.sentence))
        text += f" Another event fits: {other.span}{_wording(other)} [{numbers[pid]}]."
    return Answer(question, text, short, False, tuple(citations), tuple(passages))


def _with_zone(span: str, chosen: list[_Candidate], candidates=()) -> tuple[str, _Candidate | None]:
    """'…, 06:00' becomes '…, 06:00 (03:00 GMT)' when another retrieved sentence gives that same day and clock
    time with its zone (a chosen one first); returns the span and the sentence it borrowed from (to cite it)."""
    date_part, _, clock = span.partition(", ")
    if not clock or "(" in clock:
        return span, None
    for c in [*chosen[1:], *candidates]:
        if c.span and c.span.startswith(f"{date_part}, {clock} ("):
            return c.span, c
    return span, None


def _wording(c: _Candidate) -> str:
    """' ("on Friday", AFP, published 31 August 2019)': the article's own words for the date, and its source."""
    words = _event_words(c)
    source = ", ".join(x for x in (c.passage.source, _published(c.passage)) if x)
    return f" (\"{words}\", {source})" if words else ""


def _published(p: Passage) -> str | None:
    d = parse_iso(p.published)
    return f"published {format_date(d).split(' ', 1)[1]}" if d else None


def _event_words(c: _Candidate) -> str | None:
    events = sentence_events(c.sentence, c.passage)
    return events[0].text if events else None

