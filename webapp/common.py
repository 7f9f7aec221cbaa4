"""What every page shares: the engine (built once per process), the sidebar settings, and citation display."""
import copy
import re
import time
from dataclasses import dataclass
from datetime import date

import streamlit as st

from rag.config import Config
from rag.present import also_reported, reference
from rag.answerers import BACKENDS, available, make_answerer
from rag.engine import Engine, build_engine
from rag.errors import RagError
from rag.store import Filters

from .safe import md, paragraph_html

ARCHIVE_PAGE = "webapp/archive.py"

STYLE = """<style>
.para { padding: .45rem .7rem; margin: .15rem 0 .5rem 0; border-left: 3px solid transparent; line-height: 1.6; }
.para .pn { color: #6b7280; font-size: .8em; font-variant-numeric: tabular-nums; margin-right: .35rem; }
.para.focus { border-left-color: #d97706; background: #fffbeb; border-radius: 4px; }
mark.quote { background: #fde68a; padding: 0 .1em; border-radius: 2px; }
</style>"""

DATE_METHODS = {
    "stated": "stated in the article's metadata",
    "text:full-date": "inferred from a full date in the text",
    "text:weekday+month-day": "inferred from a weekday and a day named in the text",
    "url": "taken from the article's URL",
    "unknown": "unknown",
}

CITE_NOTE = ("**How to cite.** Each answer's [n] points to one paragraph. Quote the publisher and date, not this "
             "tool: *AFP, 31 August 2019, paragraph 5*. Open the source to check the sentence in context; "
             "a date marked *inferred* was worked out from the article text, not stated by the publisher.")


# --- the engine: one per process, shared by every browser session ----------------------------------------

@st.cache_resource(show_spinner=False)
def _embedder(model: str, backend: str):
    from rag.embed import load_embedder
    return load_embedder(model, backend=backend)


@st.cache_resource(show_spinner="Loading the archive and the models…")
def _engine(key: str, _config: Config) -> Engine:
    engine = build_engine(_config, embedder=_embedder(_config.model, _config.embed_backend))
    # Pay now, not in the first answer, for the model's first call, Chroma's lazy open, the BM25 load and
    # the answerer's lazy imports (stemmer, date parsing).
    try:
        engine.ask("When did the archive's first story happen?", top_k=1, answerer="extractive")
    except RagError:
        pass  # an empty archive has nothing to warm; the chat says so when asked
    _prime(engine.answerer)
    return engine


def _prime(answerer) -> None:
    """A local model reads its prompts' fixed start now rather than in the first answer."""
    if hasattr(answerer, "prime"):
        answerer.prime()


def _config_key(config: Config) -> str:
    return repr(config.with_(index_dir=config.index_dir.resolve()))


def get_engine() -> Engine:
    """The process-wide engine for the current configuration (RAG_* variables); RagError when unusable."""
    config = Config.from_env()
    return _engine(_config_key(config), config)


@st.cache_resource(show_spinner="Loading the answer model…")
def _engine_with(key: str, answerer: str, _base: Engine) -> Engine:
    engine = copy.copy(_base)  # same index, embedder, retriever and lock: only the answer step differs
    engine.answerer = make_answerer(answerer, _base.config, _base.embedder)
    _prime(engine.answerer)
    return engine


def answerer_name(engine: Engine) -> str:
    """The backend the engine answers with (the extractive one when the configured model could not load)."""
    return getattr(engine.answerer, "name", engine.config.answerer)


def engine_for(answerer: str) -> Engine:
    """The shared engine answering with the chosen backend; the default one, with a warning, if it cannot load."""
    base = get_engine()
    if answerer == answerer_name(base) or answerer not in BACKENDS:
        return base
    try:
        return _engine_with(_config_key(base.config), answerer, base)
    except RagError as e:
        st.warning(md(f"{e} Answering with {answerer_name(base)} instead."), icon=":material/warning:")
        return base


# --- sidebar settings -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    filters: Filters = Filters()
    top_k: int = 5
    answerer: str = "extractive"
    as_of: date | None = None

    def filter_words(self) -> str:
        """The retrieval filters in words ("" when none)."""
        bits = []
        if self.filters.sources:
            bits.append(", ".join(self.filters.sources))
        if self.filters.date_from or self.filters.date_to:
            bits.append(f"published {self.filters.date_from or '…'} to {self.filters.date_to or '…'}")
        return " · ".join(bits)

    def describe(self) -> str:
        """The settings that shaped an answer, in words (shown under it)."""
        bits = [f"{self.answerer} answer", f"{self.top_k} passages"]
        if self.filters:
            bits.append("only " + self.filter_words())
        if self.as_of:
            bits.append(f"as of {self.as_of.isoformat()}")
        return " · ".join(bits)


def settings() -> Settings:
    """The settings the sidebar holds for this session."""
    return st.session_state.get("settings", Settings())


def human_date(iso: str | None) -> str:
    if not iso:
        return "date unknown"
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B %Y')}"


def sidebar(engine: Engine) -> Settings:
    """Archive summary, retrieval filters and answer options; stores and returns this session's Settings."""
    stats = engine.index.stats()
    sb = st.sidebar
    sb.markdown("### The archive")
    sb.markdown(f"**{stats['articles']}** articles · **{stats['paragraphs']}** paragraphs · "
                f"**{stats['sources']}** sources")
    if stats["first_date"]:
        sb.caption(md(f"Published {human_date(stats['first_date'])} – {human_date(stats['last_date'])}"))

    sb.markdown("### Search only in")
    publishers = sorted(s for s in stats["by_source"] if s != "unknown")
    chosen = sb.multiselect("Publishers", publishers, key="f_sources", placeholder="All publishers",
                            help="Only these publishers' articles are searched. Empty: all of them.")
    first = date.fromisoformat(stats["first_date"]) if stats["first_date"] else None
    last = date.fromisoformat(stats["last_date"]) if stats["last_date"] else None
    lo, hi = date(1900, 1, 1), date(2100, 12, 31)
    c1, c2 = sb.columns(2)
    date_from = c1.date_input("Published from", value=None, min_value=lo, max_value=hi, key="f_from",
                              help=f"Earliest article: {first}" if first else None, format="YYYY-MM-DD")
    date_to = c2.date_input("Published to", value=None, min_value=lo, max_value=hi, key="f_to",
                            help=f"Latest article: {last}" if last else None, format="YYYY-MM-DD")
    if date_from and date_to and date_from > date_to:
        sb.warning("“Published from” is after “Published to”: nothing can match. Swap the dates.")

    sb.markdown("### Answers")
    top_k = sb.slider("Passages to read", 1, 20, value=engine.config.top_k, key="top_k",
                      help="How many paragraphs are retrieved and read for each question.")
    modes = available(engine.config)
    default = answerer_name(engine) if answerer_name(engine) in modes else modes[0]
    answerer = sb.selectbox("Answer mode", modes, index=modes.index(default), key="answerer",
                            help="extractive: the archive's own sentences, no language model. Other modes write "
                                 "with a language model; their citations are checked against the paragraphs.")
    as_of = sb.date_input("Answer as of", value=None, min_value=lo, max_value=hi, key="as_of",
                          format="YYYY-MM-DD",
                          help="The day that “this week” or “yesterday” in a question refers to. Empty: today.")
    with sb.expander("How to cite"):
        st.markdown(CITE_NOTE)
    chosen_settings = Settings(
        Filters(tuple(chosen), date_from.isoformat() if date_from else None,
                date_to.isoformat() if date_to else None),
        int(top_k), answerer, as_of)
    st.session_state["settings"] = chosen_settings
    return chosen_settings


# --- citations ----------------------------------------------------------------------------------------------

def citation_label(n: int | None, source: str | None, published: str | None, paragraph: int, title: str) -> str:
    """An expander label, "[n] publisher · date · ¶ · title"; untrusted parts escaped (labels render markdown)."""
    short = title if len(title) <= 90 else title[:89] + "…"
    marker = f"\\[{n}\\] " if n is not None else ""
    return (f"{marker}{md(source or 'unknown source')} · {md(human_date(published))} · ¶{paragraph} · "
            f"{md(short)}")


def show_citation(engine: Engine, c) -> None:
    """One citation: publisher, date and how it was obtained, title, ¶, the paragraph with the quote marked."""
    with st.expander(citation_label(c.n, c.source, c.published, c.paragraph, c.title)):
        citation_details(engine, c)


def citation_details(engine: Engine, c) -> None:
    """What an opened citation shows (the timeline puts several in one expander; expanders cannot nest)."""
    st.html(paragraph_html(c.text, c.quote, number=c.paragraph))
    record = engine.index.article(c.article_id)
    total = f" of {record.n_paragraphs}" if record else ""
    how = DATE_METHODS.get(c.date_method, c.date_method)
    evidence = f" ({record.date_evidence})" if record and record.date_evidence else ""
    st.caption(md(f"{c.source or 'Unknown source'} · published {human_date(c.published)}, {how}{evidence} · "
                  f"{c.title} · paragraph {c.paragraph}{total}"))
    if not getattr(c, "verified", True):
        st.warning("This citation could not be checked against the paragraph; read it before relying on it.")
    st.page_link(ARCHIVE_PAGE, label=f"Open the article at ¶{c.paragraph}", icon=":material/article:",
                 query_params={"article": c.article_id, "p": str(c.paragraph)})
    if getattr(c, "also", ()):  # wire copies and other versions of the story, folded into this citation
        st.caption(md(also_reported(c)))
        for o in c.also:
            st.page_link(ARCHIVE_PAGE, label=md(f"Also: {o.source or 'unknown source'}, "
                                                f"{human_date(o.published)}, ¶{o.paragraph}"),
                         icon=":material/content_copy:", query_params={"article": o.article_id,
                                                                       "p": str(o.paragraph)})
    st.code(reference(c.source, c.published, c.title, c.paragraph, c.article_id, when=human_date(c.published)),
            language=None, wrap_lines=True)


def show_related(passages) -> None:
    """Closest passages of an abstained answer: shown as reading, not as evidence."""
    for p in passages:
        with st.expander(citation_label(None, p.source, p.published, p.paragraph, p.title)):
            st.html(paragraph_html(p.text, None, number=p.paragraph))
            st.page_link(ARCHIVE_PAGE, label=f"Open the article at ¶{p.paragraph}", icon=":material/article:",
                         query_params={"article": p.article_id, "p": str(p.paragraph)})


# --- which answer is on screen ---------------------------------------------------------------------------------

QUICK_PENDING = "Quick answer (extractive) — checking with the reader model…"
READER_WRITING = "Reader answer (checked) — writing…"
READER_DONE = "Reader answer (checked)"
EXTRACTIVE = "Extractive answer (the archive's own sentences)"
READER_FELL_BACK = ("Extractive answer: the reader model's answer did not pass the check against the sources, "
                    "so the archive's own sentences are shown")


def reads_with_model(engine: Engine) -> bool:
    """Whether the engine's answerer is a language model (then the chat shows the extractive answer first)."""
    return getattr(engine.answerer, "name", "extractive") != "extractive"


LABEL_ICONS = {QUICK_PENDING: ":material/bolt:", READER_WRITING: ":material/edit_note:",
               READER_DONE: ":material/verified:"}


def label_md(label: str) -> str:
    """A label as caption markdown: its icon (quotes for the archive's own sentences), then the escaped words."""
    icon = next((i for key, i in LABEL_ICONS.items() if label.startswith(key)), ":material/format_quote:")
    return f"{icon} {md(label)}"


def answer_label(answer) -> str:
    """What produced this answer, in words shown above it."""
    if answer.answerer == "extractive":
        return EXTRACTIVE
    if (answer.verification or {}).get("fallback") == "extractive":
        return READER_FELL_BACK
    return READER_DONE if answer.answerer == "llamacpp" else f"{READER_DONE}, {answer.answerer}"


# --- streaming ------------------------------------------------------------------------------------------------

WORD_DELAY_S = 0.015  # pacing of text that arrives in big pieces, so reading starts at the first words
MAX_PACING_S = 1.2


def answer_stream(engine: Engine, question: str, clock: dict | None = None, **kwargs):
    """Pieces of the answer text as they come, then the finished Answer.

    A generating backend streams through `engine.ask_stream` (text pieces, then the Answer); text that arrives
    in large pieces (an extractive answer comes whole) is paced out word by word. Real tokens pass unchanged.
    `clock` receives "first_ms" and "total_ms": time to the first text and to the Answer, pacing left out."""
    clock = {} if clock is None else clock
    started, paced = time.perf_counter(), 0.0
    stream = getattr(engine, "ask_stream", None)
    items = stream(question, **kwargs) if callable(stream) else _whole(engine.ask(question, **kwargs))
    for item in items:
        elapsed = (time.perf_counter() - started - paced) * 1000
        if not isinstance(item, str):
            clock["total_ms"] = elapsed
            yield item
            continue
        clock.setdefault("first_ms", elapsed)
        words = re.findall(r"\S+\s*", item)
        if len(words) <= 2:
            yield item
            continue
        delay = min(WORD_DELAY_S, MAX_PACING_S / len(words))
        for word in words:
            yield word
            time.sleep(delay)
            paced += delay


def _whole(answer):
    yield answer.text
    yield answer
