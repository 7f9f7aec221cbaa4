"""Timeline: the dated events the archive reports about a topic, oldest first, each with its cited paragraph."""
import json
import re
import time
from dataclasses import replace

import streamlit as st

from rag.present import timeline_json
from rag.engine import MAX_QUESTION_CHARS
from rag.errors import RagError
from rag.timeline import timeline
from webapp.common import citation_details, citation_label, get_engine, settings, show_citation
from webapp.safe import md

EXAMPLE = "Idlib ceasefire"

engine = get_engine()
chosen = settings()


def marker(n: int) -> str:
    """A citation number as the chat shows it, [n] in bold blue (n is our own integer, never article text)."""
    return f":blue[**\\[{int(n)}\\]**]"


def day_label(event) -> str:
    """The event's date without its time, which heads a group of events ("Saturday 31 August 2019")."""
    return replace(event, time=None).label


def show_event(event) -> None:
    """The sentence with its citation numbers, the article's own date words, and the sources to open."""
    said = f"the article says “{event.date_text}”"
    st.caption(md(f"{event.time} · {said}" if event.time else said[0].upper() + said[1:]))
    st.markdown(md(event.text) + " " + "".join(marker(c.n) for c in (event.citation, *event.also)))
    show_citation(engine, event.citation)
    if event.also:  # other paragraphs telling the same event, folded into it by the timeline
        more = len(event.also)
        where = ", ".join(f"\\[{c.n}\\] {md(c.source or 'unknown source')} ¶{c.paragraph}" for c in event.also)
        with st.expander(f"Also told in {more} more paragraph{'s' if more != 1 else ''}: {where}"):
            for i, c in enumerate(event.also):
                if i:
                    st.divider()
                st.markdown(citation_label(c.n, c.source, c.published, c.paragraph, c.title))
                citation_details(engine, c)


def show_timeline(topic: str, events) -> None:
    """The events grouped under their dates, oldest first, and the JSON download."""
    articles = {c.article_id for e in events for c in (e.citation, *e.also)}
    st.caption(md(f"{len(events)} dated event{'s' if len(events) != 1 else ''} about “{topic}” from "
                  f"{len(articles)} article{'s' if len(articles) != 1 else ''}, oldest first. Each date is the "
                  "article's own words read against its publication date."))
    groups: list[tuple[str, list]] = []
    for e in events:  # already in date order: consecutive events of one date share a heading
        label = day_label(e)
        if groups and groups[-1][0] == label:
            groups[-1][1].append(e)
        else:
            groups.append((label, [e]))
    for label, group in groups:
        with st.container(border=True):
            when, what = st.columns([1, 3.3])
            when.markdown(f"##### {md(label[:1].upper() + label[1:])}")
            with what:
                for i, e in enumerate(group):
                    if i:
                        st.divider()
                    show_event(e)
    slug = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:60] or "timeline"
    st.download_button("Download JSON", json.dumps(timeline_json(topic, events, engine.index), ensure_ascii=False),
                       file_name=f"timeline-{slug}.json", mime="application/json", icon=":material/download:",
                       key="timeline_json", on_click="ignore",
                       help="The same JSON as `python -m rag timeline --json`: every event with its citation.")


st.title("Timeline")
st.caption("Type a topic to see the dated events the archive reports about it, oldest first. Each event cites "
           "the paragraph it comes from; open it to read the paragraph and the whole article.")
if "timeline_topic" not in st.session_state and st.session_state.get("timeline_asked"):
    st.session_state["timeline_topic"] = st.session_state["timeline_asked"]  # back from the archive: same topic
with st.form("timeline_form", border=False):
    typed = st.text_input("Topic", key="timeline_topic", placeholder=f"e.g. {EXAMPLE}",
                          help="A few words, e.g. a place and what happened there. A date in the topic "
                               "(“Idlib ceasefire in 2019”) keeps only the events in it.")
    if st.form_submit_button("Build timeline", icon=":material/timeline:", key="timeline_go"):
        st.session_state["timeline_asked"] = typed
if chosen.filters:
    st.info(md(f"Searching only: {chosen.filter_words()}. Change this in the sidebar."),
            icon=":material/filter_alt:")
if chosen.as_of:
    st.caption(md(f"Relative dates in the topic (“last month”) are read as of {chosen.as_of.isoformat()}."))

asked = st.session_state.get("timeline_asked")
if asked is not None:
    topic = " ".join(asked.split())
    if not topic:
        st.error(f"The topic is empty: type a few words, e.g. “{EXAMPLE}”.")
    elif len(topic) > MAX_QUESTION_CHARS:
        st.error(f"The topic is {len(topic):,} characters long; a topic is a few words (at most "
                 f"{MAX_QUESTION_CHARS:,} characters). Shorten it, e.g. “{EXAMPLE}”.")
    else:
        try:
            started = time.perf_counter()
            with st.spinner("Building the timeline…"):
                events = timeline(engine, topic, filters=chosen.filters, as_of=chosen.as_of)
            took_ms = (time.perf_counter() - started) * 1000
        except RagError as e:
            st.error(str(e))
        else:
            if events:
                # The archive view marks the quoted sentence of a paragraph opened from here, as from the chat.
                st.session_state["timeline_quotes"] = {(c.article_id, c.paragraph): c.quote
                                                       for e in events for c in (e.citation, *e.also)}
                show_timeline(topic, events)
                st.caption(f"Built in {took_ms:.0f} ms.")
            else:
                extra = " with these filters; widen them in the sidebar" if chosen.filters else ""
                st.info(md(f"The archive holds no dated events about “{topic}”{extra}. Try other words, "
                           f"e.g. a place and what happened there."), icon=":material/event_busy:")
