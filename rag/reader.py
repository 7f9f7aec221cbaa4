"""The reader: what a language model is shown of the passages, and the check on the short answer it gives back.

The model does not read whole paragraphs: on two CPU cores every prompt token costs about 10 ms, so it reads
the sentences of each passage that best match the question (`excerpts`). Its reply starts with one line,
"Answer: PHRASE", and that phrase is accepted only when it is written in a passage shown (the one a marker "[n]"
names, when the model adds one, else the first that holds it), after normalising case, quotes, number words,
Roman numerals, demonyms and date forms (`find`), and is shown as that passage writes it ("five" for "5", “Wings”
with its quotes). Anything else is rejected and the extractive answerer's span is used instead, so no short
answer is shown that is not in a cited passage.

Stage: answering. Must not import an answer backend, the engine, search, the store or the edges.
"""
import re
import unicodedata
from dataclasses import dataclass

from .spans import find_span, question_type, sentence_events
from .text import content_terms, sentence_stems, split_sentences, term_coverage
from .dates import find_event_dates, parse_iso
from .prompts import ABSTAIN_PATTERN
from .retrieve import Passage


@dataclass(frozen=True)
class Excerpt:
    """What the model reads of one passage: its best-matching sentences, in paragraph order."""
    n: int  # 1-based; the [n] the model cites
    passage: Passage
    text: str


@dataclass(frozen=True)
class ShortAnswer:
    """A checked short answer: the phrase, the passage (1-based) it is written in, and the sentence holding it."""
    text: str
    n: int
    quote: str
    origin: str  # "model" or "extractive"


@dataclass(frozen=True)
class AnswerLine:
    """The first line of the model's reply, parsed; `written` is that line when it is no "Answer:" line but
    already the written answer (a model that skipped the format), to be verified as such."""
    phrase: str | None
    cited: int | None
    abstained: bool
    written: str = ""


def excerpts(question: str, passages: list[Passage], *, sentences: int = 2, max_chars: int = 360,
             context: str | None = None) -> list[Excerpt]:
    """Each passage cut to its `sentences` best sentences for the question (kept in their order), at most
    `max_chars` characters; a passage sharing no word with the question keeps its first sentence."""
    terms = content_terms(f"{question} {context or ''}")
    qtype = question_type(question)
    out = []
    for n, p in enumerate(passages, 1):
        parts = split_sentences(p.text) or [p.text]
        title = sentence_stems(p.title)
        # A sentence holding the kind of answer asked for (a date for "when", a number for "how many") ranks
        # above one that only repeats the question's words.
        scored = sorted(range(len(parts)), key=lambda i: -(term_coverage(terms, sentence_stems(parts[i]), title)
                                                           + (0.3 if _has_kind(parts[i], qtype, question, p) else 0)
                                                           - 0.01 * i))
        keep = sorted(scored[:sentences])
        text = " ".join(parts[i] for i in keep)
        if len(text) > max_chars:
            text = parts[scored[0]][:max_chars]
        out.append(Excerpt(n, p, text.strip()))
    return out


def _has_kind(sentence: str, qtype: str, question: str, p: Passage) -> bool:
    if qtype == "other":
        return False
    return find_span(sentence, qtype, question, p)[0] is not None


_LINE = re.compile(r"^\s*\**\s*(?:short\s+)?answer\s*\**\s*:\s*(.*)$", re.I)
_CITE = re.compile(r"\[\s*(\d+)(?:\s*[,;]\s*\d+)*\s*\]")
# markers with what joins them ("Florida [1], [2], [3]"): a phrase is shown without its list of sources
_CITES = re.compile(r"(?:\s*(?:[,;]|\band\b)?\s*" + _CITE.pattern + r")+\s*[,;]?")


def parse_answer_line(line: str) -> AnswerLine:
    """'Answer: Minneapolis [2]' -> phrase 'Minneapolis', passage 2; 'Answer: not in the sources' -> abstained."""
    m = _LINE.match(line)
    if m is None:
        return AnswerLine(None, None, bool(ABSTAIN_PATTERN.search(line)), line)
    body = m.group(1).strip()
    cite = _CITE.search(body)
    phrase = _CITES.sub("", body).strip().rstrip(".").strip()
    phrase = re.sub(r"^[\"'“”‘’*]+|[\"'“”‘’*]+$", "", phrase).strip() if _unbalanced(phrase) else phrase
    abstained = not phrase or bool(ABSTAIN_PATTERN.search(phrase))
    return AnswerLine(None if abstained else phrase, int(cite.group(1)) if cite else None, abstained)


def _unbalanced(phrase: str) -> bool:
    """Quotes around the whole phrase are the model's; quotes inside a title ("“Wings”") stay."""
    return not (phrase[:1] in "“\"" and phrase[-1:] in "”\"" and phrase.count("“") + phrase.count('"') == 1)


# --- finding a phrase in a passage ---------------------------------------------------------------------------

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90", "hundred": "100"})
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "xi": "11", "xii": "12"}
_MONTH_ABBR = {"jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
               "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
               "dec": "december"}


def tokens(text: str) -> list[str]:
    """Words for matching: lower case, plain quotes and dashes, number words and Roman numerals as digits,
    month abbreviations spelled out, thousands separators and possessives dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.translate(str.maketrans("‘’“”–—", "''\"\"--"))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    out = []
    for w in re.findall(r"[a-z0-9]+(?:[.'][a-z0-9]+)*", text):
        w = re.sub(r"'s$", "", w).replace("'", "")
        w = _NUMBER_WORDS.get(w) or _ROMAN.get(w) or _MONTH_ABBR.get(w) or w
        out.append(w)
    return out


def _contains(haystack: list[str], needle: list[str]) -> int | None:
    """Where `needle` starts in `haystack`, or None; its last word may carry a demonym's or plural's ending
    ("Bulgaria" in "Bulgarians celebrated their country's first win")."""
    if not needle:
        return None
    size, last = len(needle), needle[-1]
    for i in range(len(haystack) - size + 1):
        if haystack[i:i + size - 1] == needle[:-1] and _same_word(haystack[i + size - 1], last):
            return i
    return None


_ENDINGS = ("s", "es", "n", "ns", "an", "ans", "ian", "ians", "ese", "i", "is")


def _same_word(word: str, wanted: str) -> bool:
    """word == wanted, or a demonym or plural of it: Ukrainian(s), Bulgarians, Chinese, Israeli(s)."""
    if word == wanted:
        return True
    if len(wanted) < 4 or not wanted.isalpha():
        return False
    if wanted[-1] in "aeoy" and len(wanted) >= 6 and word == wanted[:-1]:
        return True  # Germany -> German
    stems = {wanted, wanted[:-1]} if wanted[-1] in "aeoy" else {wanted}
    return any(word.startswith(s) and word[len(s):] in _ENDINGS for s in stems)


_WORD = re.compile(r"[^\W_]+(?:[.,'’‘][^\W_]+)*")


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """`tokens(text)` with each token's character span in `text`."""
    out, spans = [], []
    for m in _WORD.finditer(text):
        a, b = m.span()
        b -= 2 if re.search(r"['’]s$", m.group()) else 0  # "Louisiana’s": the possessive is not the word
        for t in tokens(m.group()):
            out.append(t)
            spans.append((a, b))
    return out, spans


def _as_written(phrase: str, sentence: str, spans: list[tuple[int, int]], start: int, size: int) -> str:
    """The phrase as the passage writes it where the two differ beyond case and punctuation ("5" written
    "five", "Artemis 2" written "Artemis II"), else the model's own phrase; either way with the quotes that wrap
    it whole in the passage (a title: “Wings”)."""
    a, b = spans[start][0], spans[start + size - 1][1]
    written = sentence[a:b]
    if [w.lower() for w in re.findall(r"[^\W_]+", written)] == [w.lower() for w in re.findall(r"[^\W_]+", phrase)]:
        written = phrase
    if a > 0 and b < len(sentence) and sentence[a - 1] in "“\"‘'" and sentence[b] in "”\"’'" \
            and written[:1] not in "“\"‘'":
        written = f"{sentence[a - 1]}{written}{sentence[b]}"
    return written


def find(phrase: str, passage: Passage) -> tuple[str, str] | None:
    """(sentence, the phrase as that sentence writes it) for the first sentence of the passage that holds the
    phrase (normalised as in `tokens`; a date matches the same day written another way: "Aug. 31",
    "31 August 2019", "Saturday"), or None. A date found as another form of the same day keeps the model's
    wording."""
    needle = tokens(phrase)
    # "the PGA Championship" is written "PGA Championship" in the passage; a leading article is not evidence.
    while len(needle) > 1 and needle[0] in ("the", "a", "an"):
        needle = needle[1:]
    if not needle:
        return None
    dates = _dates(phrase, passage)
    for sentence in split_sentences(passage.text) or [passage.text]:
        words, spans = _words(sentence)
        at = _contains(words, needle)
        if at is not None:
            written = _as_written(phrase, sentence, spans, at, len(needle))
            # a demonym or plural found for the phrase's last word: the model's word is the answer ("Bulgaria")
            return sentence, written if tokens(written) == needle else phrase
        if dates and any((e.start, e.end) in dates for e in sentence_events(sentence, passage)):
            return sentence, phrase
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", phrase)
    if len(parts) > 1 and all(parts):
        # "New York Knicks and San Antonio Spurs": each named in the passage, in whatever order it names them
        found = [find(part, passage) for part in parts]
        if all(found):
            return found[0][0], phrase
    return None


def mentions(phrase: str, sentence: str) -> bool:
    """Whether the sentence states the phrase (normalised as in `find`; a date also in another absolute form)."""
    alone = Passage(article_id="", paragraph=0, text=sentence, score=0.0, similarity=0.0, title="", source=None,
                    published=None, date_method="")
    return find(phrase, alone) is not None


def _dates(phrase: str, passage: Passage) -> set:
    """The days a date-only phrase names, read as of the passage's publication ("Saturday" is its Saturday)."""
    events = find_event_dates(phrase, parse_iso(passage.published))
    rest = phrase
    for e in events:
        rest = rest.replace(e.text, " ")
    if not events or re.search(r"[A-Za-z]{3,}", re.sub(r"\b(?:on|in|at|of|the|and|GMT|am|pm)\b", "", rest)):
        return set()
    return {(e.start, e.end) for e in events}


def check(phrase: str, cited: int | None, shown: list[Excerpt]) -> ShortAnswer | None:
    """The phrase as a ShortAnswer from passage `cited` when it holds it, else from the first passage shown that
    does; None when none does."""
    order = sorted(shown, key=lambda e: e.n != cited)
    for e in order:
        found = find(phrase, e.passage)
        if found is not None:
            return ShortAnswer(found[1], e.n, found[0], "model")
    return None
