"""Text: the one tokeniser, stemmer, stopword list, synonym table and sentence splitter every stage uses.

Retrieval (rerank), answering, verification and timelines all weigh a question's words against a sentence's
with these functions, so that tuning one answerer cannot silently change how the others read text.

Stage: the bottom of the package. Imports nothing of rag.
"""
import functools
import re
import threading
from difflib import SequenceMatcher

STOPWORDS = set("""a an the of to in on at by for from with and or but is are was were be been being do does did
has have had what which who whom whose when where why how that this these those it its as into about than then
there their they them he she his her him i you we our your my me us not no yes so if will would can could should
may might must shall s t just also any all some such many much more most other own same very up down out over
under again further once here both each few only too nor against between through during before after above below
off while until because per via according said says say tell told happen happened happens occur occurred""".split())
WH = {"when", "what", "which", "who", "whom", "whose", "where", "why", "how"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CALENDAR_WORDS = set(MONTHS) | set(WEEKDAYS)

_POSSESSIVE = re.compile(r"['’]s\b")
# A PyStemmer Stemmer is not safe to share between threads, and the web chat answers several sessions at once
# (the extractive answers outside the search lock): one stemmer per thread.
_local = threading.local()


def stem(word: str) -> str:
    """The English Snowball stem of a word, lower-cased."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer  # PyStemmer, installed with bm25s
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWord(word.lower())


# News writes one thing many ways; a question's word matches a sentence's synonym. Kept small and generic.
SYNONYMS = [
    {"truce", "ceasefire", "cease-fire", "armistice"},
    {"start", "begin", "began", "begun", "effect", "launch", "commence"},
    {"kill", "killed", "dead", "death", "die", "died"},
    {"agree", "agreed", "agreement", "deal", "accord"},
    {"announce", "announced", "declare", "declared", "said", "say"},
    {"displace", "displaced", "flee", "fled", "refugee"},
    {"conquer", "conquered", "capture", "captured", "seize", "seized", "take", "taken", "took"},
    {"cancel", "canceled", "cancelled", "scrap", "scrapped", "abandon", "abandoned"},
    {"attack", "strike", "airstrike", "bombing", "bombard", "bombardment", "raid"},
]
_CANON: dict[str, str] | None = None


def canon(word_stem: str) -> str:
    """The stem standing for a stem's synonym group (the stem itself outside every group)."""
    global _CANON
    if _CANON is None:  # built whole, then published: a second thread never sees half a table
        _CANON = {stem(w): stem(sorted(group)[0]) for group in SYNONYMS for w in group}
    return _CANON.get(word_stem, word_stem)


def word_key(word: str) -> str:
    """A word as the terms and stems below hold it: no possessive, stemmed, synonyms folded."""
    return canon(stem(_POSSESSIVE.sub("", word.lower())))


def content_terms(text: str) -> dict[str, float]:
    """Stemmed content words of a question with weights: names and numbers count double."""
    terms: dict[str, float] = {}
    for m in re.finditer(r"\w+", _POSSESSIVE.sub("", text)):
        word = m.group()
        low = word.lower()
        if not word or low in STOPWORDS or low in WH or len(low) < 2:
            continue
        named = word[0].isupper() and m.start() > 0 and word not in CALENDAR_WORDS
        weight = 2.0 if named or word[0].isdigit() else 1.0
        key = canon(stem(low))
        terms[key] = max(terms.get(key, 0.0), weight)
    return terms


def sentence_stems(text: str) -> set[str]:
    """Every word of the text as a stem (synonyms folded): what terms are looked up in."""
    return {canon(stem(w)) for w in re.findall(r"\w+", _POSSESSIVE.sub("", text.lower()))}


def present(term: str, stems) -> bool:
    """Is the term among the stems, allowing a small spelling difference in a long one ("Idleb" is "Idlib")?"""
    if term in stems:
        return True
    if len(term) < 5:
        return False
    return any(abs(len(s) - len(term)) <= 2 and s[0] == term[0] and _alike(s, term) for s in stems)


@functools.lru_cache(maxsize=1 << 16)
def _alike(a: str, b: str) -> bool:
    # Cached: reranking alone compares the same few words in hundreds of sentences per question.
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def term_coverage(terms: dict[str, float], stems, title_stems=frozenset()) -> float:
    """Weighted share of the terms in the sentence; words found only in the title count half."""
    total = sum(terms.values())
    if not total:
        return 0.0
    return sum(w if present(t, stems) else (0.5 * w if present(t, title_stems) else 0.0)
               for t, w in terms.items()) / total


# --- sentences -------------------------------------------------------------------------------------------
#
# One module holds every sentence rule, in three cuts that differ on purpose (measured on the 131,295
# paragraphs of the realtimeqa-2026 archive; making them one would move answers and stored dates, so it is a
# behaviour change to make with `make bench`, not part of a layout change):
# - split_sentences, for prose: the unit of scoring, quoting and chunking. It also splits before a digit
#   ("… in Paris. 2019 was …") and treats any short capitalised word before a period as an abbreviation.
# - sentence_starts, for clock times: "10 p.m. Tuesday" and "7 a.m. March 23" must stay one sentence, since
#   the sentence decides which day a clock time belongs to. Using split_sentences there would change the
#   event dates of 490 of the 6,250 paragraphs with a clock time (and disagree on 9,554 paragraphs overall).
# - split_stream, for a model's reply: it arrives in pieces, carries [n] markers after the period and may
#   end a sentence with a line break; it shares the abbreviation rule of split_sentences.

# "Mr.", "Jan.", "U.S.", "St.", "No.": a period that ends an abbreviation, not a sentence.
_ABBREVIATION = r"\b(?:[A-Z][a-z]{0,3}|[A-Z](?:\.[A-Z])*|St|No|vs)\."
_PROSE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z0-9\"“‘(])")
_PROSE_ABBREVIATION = re.compile(_ABBREVIATION + "$")
# A sentence ends at . ! ? before a capital, unless the period closes "a.m.", an initial or "Mr.".
_CLOCK_END = re.compile(r"(?=[.!?])(?<![ap]\.m)(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr))[.!?]['\"”’)]*\s+"
                        r"(?=['\"“‘(]?[A-Z])")
# A citation marker as a model writes it: [1], [2, 3], [1; 4].
MARKER = r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]"
# A reply's sentence ends at . ! ? (plus closing quotes) and any markers written after it, before a space or the
# end; a line break ends one too.
_STREAM_END = re.compile(rf"[.!?]+[\"”’')]*(?:\s*{MARKER})*(?=\s|$)|\n+")
_STREAM_ABBREVIATION = re.compile(_ABBREVIATION + r"(?:\s*" + MARKER + r")*$")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph (a simple splitter tuned for news prose)."""
    parts = _PROSE_END.split(text.strip())
    out: list[str] = []
    for p in parts:
        # "Mr. Smith", "Jan. 5", "U.S. officials": a split after an abbreviation is undone.
        if out and _PROSE_ABBREVIATION.search(out[-1]) and len(out[-1]) < 400:
            out[-1] = f"{out[-1]} {p}"
        elif out and p.startswith("(") and len(p) < 80:  # a caption's "(June 7, 2019) (AFP)" belongs to it
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return [s for s in out if s]


def sentence_starts(text: str) -> list[int]:
    """Offsets in `text` where its second, third, … sentence begins, by the clock-time rules above."""
    return [m.end() for m in _CLOCK_END.finditer(text)]


def split_stream(text: str, final: bool = True) -> tuple[list[str], str]:
    """The complete sentences of a reply, as written (markers included), and the unfinished rest.

    While streaming (`final` false) a sentence is complete only once the next visible character is known and
    starts no marker; at the end (`final`) the rest is the last sentence and the rest returned is empty."""
    pieces, start = [], 0
    for m in _STREAM_END.finditer(text):
        piece = text[start:m.end()]
        if not final and not _complete(text, m.end()):
            break
        if _STREAM_ABBREVIATION.search(piece.rstrip()) and not piece.endswith("\n"):
            continue  # "Mr. Smith": not an end
        pieces.append(piece)
        start = m.end()
    rest = text[start:]
    if final:
        return pieces + [rest], ""
    return pieces, rest


def _complete(text: str, end: int) -> bool:
    following = text[end:].lstrip()
    return bool(following) and not following.startswith("[")
