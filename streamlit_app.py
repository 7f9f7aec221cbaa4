"""Web chat over the news archive (`make run`): chat with cited paragraphs, the archive, adding articles, evaluation.

The engine is built once per process and shared by every browser session; the pages live in webapp/.
"""
import streamlit as st

from rag.errors import RagError
from webapp.common import STYLE, get_engine, sidebar

st.set_page_config(page_title="News archive Q&A", page_icon="📰", layout="centered")
st.html(STYLE)

try:
    engine = get_engine()
except RagError as e:
    st.title("News archive Q&A")
    st.error(str(e))
    st.stop()

sidebar(engine)
st.navigation([
    st.Page("webapp/chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page("webapp/archive.py", title="Archive", icon=":material/newspaper:"),
    st.Page("webapp/timeline.py", title="Timeline", icon=":material/timeline:"),
    st.Page("webapp/add_articles.py", title="Add articles", icon=":material/upload_file:"),
    st.Page("webapp/evaluation.py", title="Evaluation", icon=":material/fact_check:"),
], position="top").run()
