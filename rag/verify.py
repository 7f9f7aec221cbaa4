"""Citation verification: every sentence of a model's reply is checked against the paragraph it cites.

A sentence survives only if a retrieved paragraph supports it: each date, clock time, number and name in the
sentence appears in that paragraph (in any of the usual spellings: "31 August" = "August 31" = "Saturday" in
a story published on Saturday 31 August; "1,000" = "1000"; "three" = "3"), most of its other words are the
paragraph's (`min_coverage`), and it means nearly the same as some part of the paragraph (cosine similarity of
their embeddings, with the index's own model, at least `threshold`). A sentence whose cited paragraph fails is
re-attributed to a retrieved paragraph that passes, or removed; an uncited sentence is treated the same way.
Markers that name no source are dropped. What it cannot see: a relation between two facts the paragraph does
state ("three days before" when it says "after").

It works on a stream: `StreamVerifier.feed()` takes model output in any pieces (a marker may be split across
them), holds back the sentence being written, and releases each sentence only once it is complete and checked,
so a marker shown to the user never points at the wrong paragraph.

DEFAULT_THRESHOLD and DEFAULT_COVERAGE were calibrated with `python eval/calibrate_verifier.py eval/seed_gold.jsonl`:
on the 40 gold claims with evidence against 135 other retrieved paragraphs, (0.44, 0.7) gave the
best F0.5: recall 0.73 with no other paragraph passing, against 8% wrongly passed with the facts check alone,
4% with facts and similarity, and 53% with similarity alone.

Stage: checking answers, below the answerers. Must not import an answerer, the engine, search, the index or the
evaluation; it reads text with rag/text.py and answer kinds with rag/spans.py.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .answer import Answer, Citation
from .dates import find_event_dates, parse_iso
from .prompts import ABSTAIN_PATTERN
from .retrieve import Passage
from .spans import find_span, question_type
from .text import CALENDAR_WORDS, MARKER, STOPWORDS, WH, canon, present, sentence_stems, split_sentences, \
    split_stream, stem

DEFAULT_THRESHOLD = 0.44
DEFAULT_COVERAGE = 0.7
SHORT_CLAIM_WORDS = 4  # a reply this short ("Sochi.") is read together with the question it answers

_MARKERS = re.compile(rf"(?:\s*{MARKER})+")
_ONE_MARKER = re.compile(MARKER)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split()) if i >= 2}
_NAME_WORD = re.compile(r"\b[A-Z][\w'’-]*")
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.I)
_NOT_NAMES = {"GMT", "UTC", "AM", "PM", "I", "A"} | CALENDAR_WORDS


@dataclass(frozen=True)
class Claim:
    """One sentence of a model's reply: its text without markers and the source numbers it cites, as written."""
    text: str
    cited: tuple[int, ...]


@dataclass(frozen=True)
class Checked:
    """A claim after verification: the sources (1-based into the passages) that support it, or none."""
    claim: Claim
    sources: tuple[int, ...]
    quotes: tuple[str, ...]  # for each source, its sentence closest to the claim
    status: str  # supported, reattributed, removed, abstention
    reason: str = ""


def split_claims(text: str, final: bool = True) -> tuple[list[Claim], str]:
    """The complete sentences of `text` as Claims, and the unfinished rest (empty when `final`)."""
    pieces, rest = split_stream(text, final)
    return [c for c in map(_claim, pieces) if c], rest


def _claim(piece: str) -> Claim | None:
    cited = tuple(int(n) for m in _ONE_MARKER.finditer(piece) for n in re.findall(r"\d+", m.group()))
    text = _MARKERS.sub("", piece)
    text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split())).strip()
    return Claim(text, cited) if re.search(r"\w", text) else None


# --- facts -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    dates: tuple = ()  # (start, end, kind) of each date named
    clocks: frozenset = frozenset()  # "6:00"
    numbers: frozenset = frozenset()  # "950", "400000", "3"
    names: tuple = ()  # capitalised words, as written
    wrong_weekdays: tuple = ()  # "Wednesday, August 31" when 31 August was a Saturday


def facts(text: str, published: str | None, known_names: set[str] = frozenset()) -> Facts:
    """The checkable facts of a sentence; relative dates ("on Friday") resolve against `published`."""
    events = find_event_dates(text, parse_iso(published))
    clocks = {f"{int(h)}:{m}" for e in events if e.time for h, m in _CLOCK.findall(e.time)}
    rest = text
    for e in sorted(events, key=lambda e: e.char_start, reverse=True):
        rest = rest[:e.char_start] + " " + rest[e.char_end:]
    numbers = _numbers(rest)
    names = []
    for m in _NAME_WORD.finditer(text):
        word = re.sub(r"['’]s$", "", m.group()).strip("'’-")
        if not word or word in _NOT_NAMES or word.lower() in STOPWORDS | WH:
            continue
        # A sentence's first word is capitalised anyway: it counts as a name only if the sources use it as one.
        if m.start() == len(text) - len(text.lstrip()) and word not in known_names:
            continue
        names.append(word)
    dates = tuple((e.start, e.end, e.kind) for e in events if e.kind != "time")
    wrong = tuple(f"{m.group()} is not {e.start.isoformat()} (a {e.start:%A})" for e in events if e.start == e.end
                  for m in re.finditer(_WEEKDAY, e.text) if m.group().lower() != f"{e.start:%A}".lower())
    return Facts(dates, frozenset(clocks), frozenset(numbers), tuple(names), wrong)


def _numbers(text: str) -> set[str]:
    out = {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}
    out |= {_NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}
    return {n.lstrip("0") or "0" for n in out if n}


def paragraph_facts(p: Passage) -> Facts:
    """Everything a claim citing this paragraph may state: its dates, times, numbers (all of them) and words."""
    events = p.events  # as read at ingest (only a clock time's day may differ from reading the paragraph alone)
    clocks = {f"{int(h)}:{m}" for e in events if e.time for h, m in _CLOCK.findall(e.time)}
    clocks |= {f"{int(h)}:{m}" for h, m in _CLOCK.findall(p.text)}
    # "0300 GMT" is a clock time too.
    clocks |= {f"{int(h)}:{m}" for h, m in re.findall(r"\b([01]\d|2[0-3])([0-5]\d)\s*(?:GMT|UTC|Z)\b", p.text)}
    dates = tuple((e.start, e.end, e.kind) for e in events if e.kind != "time")
    return Facts(dates, frozenset(clocks), frozenset(_numbers(f"{p.text} {p.title}")), ())


def coverage(text: str, p: Passage) -> float:
    """Share of the claim's content words (not numbers or calendar words: those are checked as facts) that the
    paragraph uses, allowing stems, a few news synonyms and small spelling differences. Not the title: an
    article titled "ceasefire" does not make its paragraph about the offensive a source for "the truce began"."""
    words = {canon(stem(w)) for w in re.findall(r"\b[A-Za-z][\w'’-]*", text)
             if w.lower().strip("'’-") not in STOPWORDS | WH and w not in _NOT_NAMES and len(w) > 1}
    if not words:
        return 1.0
    stems = sentence_stems(p.text)
    return sum(present(w, stems) for w in words) / len(words)


def missing_facts(claim: Facts, para: Facts, p: Passage) -> list[str]:
    """The claim's facts that the paragraph does not state (empty when all are there)."""
    missing = [f"date: {w}" for w in claim.wrong_weekdays]
    for start, end, kind in claim.dates:
        ok = any((start <= ps and pe <= end) or start == ps for ps, pe, _ in para.dates)
        if not ok and kind == "year":
            ok = str(start.year) in para.numbers
        if not ok:
            missing.append(f"date {start.isoformat()}" + (f"..{end.isoformat()}" if end != start else ""))
    missing += [f"time {c}" for c in sorted(claim.clocks - para.clocks)]
    missing += [f"number {n}" for n in sorted(claim.numbers - para.numbers)]
    stems = sentence_stems(f"{p.text} {p.title} {p.source or ''}")
    for name in claim.names:
        if not all(present(s, stems) for s in sentence_stems(name)):
            missing.append(f"name {name}")
    return missing


def units(paragraph: str, width: int = 12, step: int = 6) -> list[str]:
    """What a claim is compared with: each sentence, the whole paragraph, and overlapping 12-word windows.

    Windows matter for clauses: "X is the director of Y" is close to the clause "said X, director of Y", not to
    the whole sentence it sits in (a quotation about air strikes). On the gold set they raised the recall of
    true claims from 0.69 to 0.78 at the same false-pass rate (see eval/calibrate_verifier.py).
    """
    sentences = split_sentences(paragraph)
    words = paragraph.split()
    windows = [" ".join(words[i:i + width]) for i in range(0, max(1, len(words) - width + step), step)] \
        if len(words) > width else []
    return list(dict.fromkeys(sentences + ([paragraph] if len(sentences) > 1 else []) + windows))


# --- the verifier ------------------------------------------------------------------------------------

class Verifier:
    """Checks claims against passages with the numbers/dates/names rules and embedding similarity."""

    def __init__(self, embedder, threshold: float = DEFAULT_THRESHOLD, min_coverage: float = DEFAULT_COVERAGE):
        self.embedder, self.threshold, self.min_coverage = embedder, threshold, min_coverage

    def embed(self, texts: list[str]):
        import numpy as np
        vectors = np.asarray(self.embedder.get_text_embedding_batch(list(texts)), dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def session(self, passages: list[Passage], question: str = "") -> "Session":
        return Session(self, list(passages), question)


class Session:
    """Verification against one set of passages; paragraph sentences are embedded once, on first use."""

    def __init__(self, verifier: Verifier, passages: list[Passage], question: str = ""):
        self.verifier, self.passages, self.question = verifier, passages, question
        self._units = None  # per passage: (sentences, their vectors)
        self._facts = [paragraph_facts(p) for p in passages]
        # Words the sources capitalise mid-sentence: names, even when a claim starts with one.
        self._known = {m.group() for p in passages for m in _NAME_WORD.finditer(p.text)
                       if m.start() > 0 and not re.search(r"[.!?\"”“]\s*$", p.text[:m.start()])}

    def _load(self):
        if self._units is None:
            texts, owners = [], []
            for i, p in enumerate(self.passages):
                for unit in units(p.text):
                    texts.append(unit)
                    owners.append(i)
            vectors = self.verifier.embed(texts) if texts else []
            self._units = [[(t, v) for t, v, o in zip(texts, vectors, owners) if o == i]
                           for i in range(len(self.passages))]
        return self._units

    def similarities(self, text: str) -> list[tuple[float, str]]:
        """For each passage: the best cosine similarity to the text, and its sentence closest to the text."""
        units_ = self._load()
        vector = self.verifier.embed([text])[0]
        out = []
        for p, unit in zip(self.passages, units_):
            scored = [(float(vector @ v), t) for t, v in unit]
            sentences = set(split_sentences(p.text))
            quotes = [(s, t) for s, t in scored if t in sentences]
            out.append((max((s for s, _ in scored), default=0.0), max(quotes)[1] if quotes else p.text))
        return out

    def supports(self, i: int, claim: Claim, similarity: float) -> str:
        """Why passage i (0-based) does not support the claim, or "" when it does."""
        p = self.passages[i]
        missing = missing_facts(facts(claim.text, p.published, self._known), self._facts[i], p)
        if missing:
            return "not in the paragraph: " + ", ".join(missing)
        if similarity < self.verifier.threshold:
            return f"similarity {similarity:.2f} is below {self.verifier.threshold:.2f}"
        share = coverage(claim.text, p)
        if share < self.verifier.min_coverage:
            return f"only {share:.0%} of its words are in the paragraph"
        if len(claim.text.split()) < SHORT_CLAIM_WORDS:
            # A fragment ("Sochi.") must at least be the kind of thing asked for: a date for "when", a name for "who".
            qtype = question_type(self.question) if self.question else "other"
            f = facts(claim.text, p.published, self._known | {claim.text.split()[0]})
            if (qtype == "other" and not (f.dates or f.numbers or f.names)) or \
                    (qtype != "other" and not find_span(claim.text, qtype, self.question, p)[0]):
                return f"too short to check, and not a {qtype} answer"
        return ""

    def check(self, claim: Claim) -> Checked:
        """Verify one claim: keep the cited sources that support it, else find one that does, else remove it."""
        if ABSTAIN_PATTERN.search(claim.text):
            return Checked(claim, (), (), "abstention")
        short = len(claim.text.split()) < SHORT_CLAIM_WORDS
        sims = self.similarities(f"{self.question} {claim.text}" if short and self.question else claim.text)
        cited = [n for n in dict.fromkeys(claim.cited) if 1 <= n <= len(self.passages)]
        kept, reasons = [], []
        for n in cited:
            reason = self.supports(n - 1, claim, sims[n - 1][0])
            if reason:
                reasons.append(f"[{n}] {reason}")
            else:
                kept.append(n)
        if kept:
            return Checked(claim, tuple(kept), tuple(sims[n - 1][1] for n in kept), "supported")
        others = sorted((i for i in range(len(self.passages)) if i + 1 not in cited), key=lambda i: -sims[i][0])
        for i in others:
            if not self.supports(i, claim, sims[i][0]):
                return Checked(claim, (i + 1,), (sims[i][1],), "reattributed", "; ".join(reasons) or "uncited")
        return Checked(claim, (), (), "removed", "; ".join(reasons) or "uncited, and no passage supports it")


# --- streaming and the final Answer -------------------------------------------------------------------

@dataclass
class StreamVerifier:
    """Feed model output in pieces; get back verified sentences with renumbered markers, ready to show."""
    session: Session
    buffer: str = ""
    checked: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)  # source number in the prompt -> number shown to the user
    # The passage a sentence without a marker is checked against first: the one the model's answer line named
    # (the bundled reader usually cites there only). Without it such a sentence is uncited, and re-attributed.
    default: int | None = None
    # When set, a sentence it rejects is removed before any check (the reader: a sentence that does not state the
    # short answer it explains), with this reason.
    relevant: Callable[[str], bool] | None = None
    irrelevant_reason: str = ""

    def feed(self, piece: str) -> list[str]:
        """Verified text to emit now (possibly nothing: the current sentence is still being written)."""
        self.buffer += piece
        claims, self.buffer = split_claims(self.buffer, final=False)
        return self._emit(claims)

    def finish(self) -> list[str]:
        """Verify whatever is left at the end of the stream."""
        claims, self.buffer = split_claims(self.buffer, final=True)
        return self._emit(claims)

    def accept(self, text: str, n: int, quote: str) -> str:
        """Show a short answer the reader already checked word for word against passage n (rag/reader.py):
        a stricter test than `check`, which it skips. Returns the text to emit."""
        self.checked.append(Checked(Claim(text, (n,)), (n,), (quote,), "short"))
        shown = self.numbers.setdefault(n, len(self.numbers) + 1)
        lead = " " if len([c for c in self.checked if c.sources]) > 1 else ""
        return f"{lead}{text} [{shown}]"

    @property
    def sentences(self) -> int:
        """Sentences of the model's reply checked so far (not the short answer, not an abstention)."""
        return sum(c.status not in ("abstention", "short") for c in self.checked)

    def _emit(self, claims: list[Claim]) -> list[str]:
        out = []
        for claim in claims:
            if not claim.cited and self.default:
                claim = Claim(claim.text, (self.default,))
            if self.relevant is not None and not ABSTAIN_PATTERN.search(claim.text) and not self.relevant(claim.text):
                self.checked.append(Checked(claim, (), (), "removed", self.irrelevant_reason))
                continue
            checked = self.session.check(claim)
            self.checked.append(checked)
            if checked.sources:
                shown = [self.numbers.setdefault(n, len(self.numbers) + 1) for n in checked.sources]
                lead = " " if any(c.sources for c in self.checked[:-1]) else ""
                out.append(f"{lead}{claim.text} [{', '.join(map(str, shown))}]")
        return out

    @property
    def text(self) -> str:
        return "".join(f"{' ' if i else ''}{c.claim.text} [{', '.join(str(self.numbers[n]) for n in c.sources)}]"
                       for i, c in enumerate(c for c in self.checked if c.sources))

    def report(self) -> dict:
        """Counts for Answer.verification, plus the paragraph ids the model cited before checking."""
        claims = [c for c in self.checked if c.status not in ("abstention", "short")]
        passages = self.session.passages
        raw = [passages[n - 1].id if 1 <= n <= len(passages) else None
               for c in self.checked for n in dict.fromkeys(c.claim.cited)]
        return {"sentences": len(claims),
                "supported": sum(c.status == "supported" for c in claims),
                "reattributed": sum(c.status == "reattributed" for c in claims),
                "removed": sum(c.status == "removed" for c in claims),
                "invalid_ids": sum(1 for c in self.checked for n in c.claim.cited
                                   if not 1 <= n <= len(passages)),
                "model_abstained": any(c.status == "abstention" for c in self.checked),
                "raw_citations": raw,
                "removed_sentences": [{"text": c.claim.text, "reason": c.reason} for c in claims
                                      if c.status == "removed"]}

    def answer(self, question: str, answerer: str) -> Answer | None:
        """The verified Answer, or None when no sentence survived (the caller falls back)."""
        kept = [c for c in self.checked if c.sources]
        if not kept:
            return None
        passages = self.session.passages
        citations = {}
        for c in kept:
            for n, quote in zip(c.sources, c.quotes):
                if n not in citations:
                    p = passages[n - 1]
                    citations[n] = Citation.of(self.numbers[n], p, quote, verified=True)
        first = kept[0]
        span, _ = find_span(first.claim.text, question_type(question), question, passages[first.sources[0] - 1])
        return Answer(question, self.text, span, False, tuple(sorted(citations.values(), key=lambda c: c.n)),
                      tuple(passages), answerer=answerer, verification=self.report())


def verify_text(verifier: Verifier, question: str, text: str, passages: list[Passage],
                answerer: str = "llm") -> tuple[Answer | None, dict]:
    """Verify a whole reply at once: (the verified Answer or None if nothing survived, the counts)."""
    stream = StreamVerifier(verifier.session(passages, question))
    stream.feed(text)
    stream.finish()
    return stream.answer(question, answerer), stream.report()
