"""Web chat over the news archive: answers with numbered, inspectable paragraph citations."""
import streamlit as st

from rag.config import Config
from rag.engine import Turn, build_engine
from rag.errors import RagError

st.set_page_config(page_title="News archive Q&A", page_icon="📰")


@st.cache_resource(show_spinner="Loading the archive and the embedding model…")
def engine():
    return build_engine(Config.from_env())


def show_citations(answer):
    for c in answer.citations:
        with st.expander(f"[{c.n}] {c.source or 'unknown source'}, {c.published or 'date unknown'} — "
                         f"{c.title} — paragraph {c.paragraph}"):
            st.text(c.text)
            st.caption("Supporting sentence:")
            st.text(c.quote)


st.title("Ask the news archive")
try:
    eng = engine()
except RagError as e:
    st.error(str(e))
    st.stop()

if "turns" not in st.session_state:
    st.session_state.turns = []

for turn in st.session_state.turns:
    with st.chat_message("user"):
        st.text(turn.question)
    with st.chat_message("assistant"):
        st.text(turn.answer.text)
        show_citations(turn.answer)

if question := st.chat_input("Ask a question, e.g. When did the August truce start?"):
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        try:
            answer = eng.ask(question, history=tuple(st.session_state.turns))
        except RagError as e:
            st.error(str(e))
        else:
            st.text(answer.text)
            show_citations(answer)
            st.session_state.turns.append(Turn(question, answer))
