"""Timelines: the dated events the archive reports about a topic, in order, each with its date and a citation.

Retrieve broadly for the topic, take the event dates stored with each paragraph (resolved at ingest against
the article's publication date), keep the events told in sentences about the topic, fold the same event
reported twice into one, and sort. The CLI's `timeline` command and the web app's Timeline view call `timeline`.

Stage: a view beside answering, over retrieval. Must not import an answerer or the edges (CLI, web app); it reads
text with rag/text.py and describes dates with rag/spans.py.
"""
from dataclasses import dataclass
from datetime import date

from .answer import Citation
from .engine import clean_question
from .spans import describe_event
from .store import Filters
from .store.keys import paragraph_id
from .temporal import fit, question_date_hint
from .text import content_terms, present, sentence_stems, split_sentences, stem, term_coverage

CANDIDATES = 40  # paragraphs retrieved for a topic
MAX_CHARS = 220  # a description longer than this is cut around its date words
SAME_EVENT_SHARED = 3  # content words two same-day sentences must share to count as one event (or...)
SAME_EVENT_OVERLAP = 0.3  # ...this share of the shorter sentence's content words


@dataclass(frozen=True)
class TimelineEvent:
    start: date
    end: date  # == start for a single day
    time: str | None  # "06:00 (03:00 GMT)" where the article states one
    kind: str  # the kind of expression (dates.EventDate.kind): weekday, month-day, month, since, ...
    date_text: str  # the article's own words ("on Friday", "early in August")
    text: str  # one line: the sentence holding the date words, trimmed
    citation: Citation
    date_evidence: str  # how the cited article's publication date was obtained
    also: tuple[Citation, ...] = ()  # other paragraphs reporting the same event

    @property
    def label(self) -> str:
        """'Saturday 31 August 2019, 06:00', 'September 2018', 'early August 2019', '2013', 'since April 2019'."""
        return describe_event(self)


def timeline(engine, topic: str, k: int = CANDIDATES, filters: Filters = Filters(),
             as_of: date | None = None) -> list[TimelineEvent]:
    """Dated events about `topic`, oldest first; a date in the topic ("Idlib in 2019") keeps only events in it."""
    topic = clean_question(topic)
    hint = question_date_hint(topic, as_of or date.today())
    words = topic.replace(hint.text, " ") if hint else topic
    # A topic is no sentence: its first word counts as a name when capitalised ("Libya ceasefire").
    terms = content_terms(f"- {words}") or content_terms(f"- {topic}")
    found: list[tuple[_Found, int]] = []
    passages = engine.searcher.search(topic, k, filters)
    with engine.searcher.lock:  # the article views read the records
        articles = {p.article_id: _ArticleView(engine.index, p.article_id, terms) for p in passages}
    # Search finds the articles; an article whose headline is the topic gives all its dated paragraphs
    # (the best-matching paragraphs of a story are often its undated headings and summaries).
    retrieved = {p.id for p in passages}
    more = [paragraph_id(a, n) for a, view in articles.items() if view.headline_on_topic for n in view.dated
            if paragraph_id(a, n) not in retrieved]
    passages += engine.searcher.passages(more)
    for rank, p in enumerate(passages):
        view = articles[p.article_id]
        if view.record is None or not view.about_topic:
            continue
        sentences = split_sentences(p.text)
        for e in p.events:
            since = e.kind == "since"  # "since early 2011": what happened is at its start
            if hint and fit(e.start, e.start if since else e.end, hint) == 0.0:
                continue
            sentence = _sentence(sentences, e.text) or p.text
            if _words_besides_dates(sentence, p.events) < 3:  # a dateline, "Updated April 3, 2026, 8:47 a.m."
                continue
            dates_in_sentence = sum(1 for other in p.events if other.text in sentence)
            stems = _words(sentence, terms)
            mentions = _mentions(terms, sentence_stems(sentence))
            if not (mentions or _mentions(terms, sentence_stems(p.text)) or view.headline_on_topic):
                continue
            found.append((_Found(e.start, e.end, e.time, e.kind, e.text, sentence, stems,
                                 p, view, mentions, dates_in_sentence), rank))
    return _numbered(_fold(found))


@dataclass(frozen=True)
class _Found:
    start: date
    end: date
    time: str | None
    kind: str
    date_text: str
    sentence: str
    stems: frozenset
    passage: object
    view: "_ArticleView"
    mentions: int  # topic words in the sentence itself
    dates: int  # date expressions in the sentence (one makes the clearest description)


class _ArticleView:
    """What the timeline needs of one retrieved article: its record, and whether (and how much) it is on topic."""

    def __init__(self, index, article_id: str, terms: dict[str, float]):
        self.record = index.article(article_id)
        self.about_topic = self.headline_on_topic = False
        self.dated: list[int] = []
        if self.record is None:
            return
        paragraphs = index.paragraphs(article_id)
        self.dated = [n for n, _, events in paragraphs if events]  # paragraph numbers that hold event dates
        everything = sentence_stems(" ".join([self.record.title] + [t for _, t, _ in paragraphs]))
        lead = sentence_stems(" ".join([self.record.title] + [t for _, t, _ in paragraphs[:1]]))
        names = [t for t, w in terms.items() if w > 1]
        # Every name in the topic must be in the article ("Idlib" or "Idleb"), and most of its words.
        self.about_topic = all(present(t, everything) for t in names) and term_coverage(terms, everything) >= 0.5
        # An article whose headline (or lead) is the topic is about it throughout: its dated paragraphs belong
        # to the story even where they say "that province" rather than the topic's words.
        self.headline_on_topic = self.about_topic and term_coverage(terms, lead) >= 0.99


def _fold(found: list[tuple[_Found, int]]) -> list[tuple[_Found, list[_Found]]]:
    """Group the same event reported twice (same dates, same story or similar words); sorted by date."""
    groups: list[list[tuple[_Found, int]]] = []
    for f, rank in found:
        for g in groups:
            head = g[0][0]
            if (head.start, head.end) == (f.start, f.end) and any(_same_event(f, other) for other, _ in g):
                g.append((f, rank))
                break
        else:
            groups.append([(f, rank)])
    out = []
    for g in groups:
        # The representative: a sentence naming the topic and no other date, stating a time, most about the
        # topic, earliest in its article (news tells the main event first), best-ranked.
        # A sentence that opens with its date and time is mostly a live blog's timestamp, not the event.
        best = min(g, key=lambda fr: (not fr[0].mentions, fr[0].dates > 1, fr[0].kind == "time",
                                      fr[0].sentence.startswith(fr[0].date_text), fr[0].time is None,
                                      -fr[0].mentions, fr[0].passage.paragraph, fr[1]))[0]
        others = [f for f, _ in g if f is not best and f.passage.id != best.passage.id]
        out.append((best, list({f.passage.id: f for f in others}.values())))
    out.sort(key=lambda x: (x[0].start, x[0].end, x[0].time or "~"))
    return out


def _same_event(a: _Found, b: _Found) -> bool:
    if a.view is b.view or a.passage.id == b.passage.id:  # one article rarely tells two events of one day
        return True
    if any(c.article_id == b.passage.article_id for c in a.passage.also):  # wire copies of one story
        return True
    shared = len(a.stems & b.stems)
    return shared >= SAME_EVENT_SHARED or shared >= SAME_EVENT_OVERLAP * min(len(a.stems), len(b.stems))


def _numbered(groups: list[tuple[_Found, list[_Found]]]) -> list[TimelineEvent]:
    numbers: dict[str, int] = {}

    def cite(f: _Found) -> Citation:
        n = numbers.setdefault(f.passage.id, len(numbers) + 1)
        return Citation.of(n, f.passage, f.sentence)

    events = []
    for best, others in groups:
        citation = cite(best)
        events.append(TimelineEvent(best.start, best.end, best.time, best.kind, best.date_text,
                                    trim(best.sentence, best.date_text), citation, best.view.record.date_evidence,
                                    tuple(cite(o) for o in others)))
    return events


def _words_besides_dates(sentence: str, events) -> int:
    for e in events:
        sentence = sentence.replace(e.text, " ")
    return sum(1 for t in content_terms(sentence) if not t.isdigit())  # "10:38 a.m." leaves numbers


def _sentence(sentences: list[str], words: str) -> str | None:
    """The sentence holding `words`; a fragment ("(June 7, 2019) (AFP)") comes with the sentence before it."""
    for i, s in enumerate(sentences):
        if words in s:
            if i and len(content_terms(s.replace(words, " "))) < 3:
                return f"{sentences[i - 1]} {s}"
            return s
    return None


def trim(sentence: str, around: str, limit: int = MAX_CHARS) -> str:
    """The sentence on one line, cut to about `limit` characters keeping the words `around` in view."""
    s = " ".join(sentence.split())
    if len(s) <= limit:
        return s
    at = max(0, s.find(around))
    lo = max(0, min(at - limit // 3, len(s) - limit))
    lo = s.rfind(" ", 0, lo) + 1 if lo else 0
    hi = s.rfind(" ", lo, lo + limit)
    hi = hi if hi > at + len(around) else lo + limit
    return ("…" if lo else "") + s[lo:hi].strip(" ,;") + ("…" if hi < len(s) else "")


# --- word matching (rag/text.py's leniency: "Idleb" is "Idlib") --------------------------------------------------

def _words(sentence: str, topic: dict[str, float]) -> frozenset:
    """The sentence's content words, less calendar words, years and the topic's own (which its neighbours share)."""
    return frozenset(t for t in content_terms(sentence)
                     if t not in topic and t not in _CALENDAR and not (t.isdigit() and len(t) == 4))


_CALENDAR = {stem(w) for w in "january february march april may june july august september october november december"
             " monday tuesday wednesday thursday friday saturday sunday morning afternoon evening night week month year"
             " today yesterday tomorrow last next early late".split()}


def _mentions(terms: dict[str, float], stems) -> int:
    return sum(1 for t in terms if present(t, stems))

