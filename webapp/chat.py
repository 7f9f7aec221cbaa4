"""Chat: questions and answers with numbered citations; the conversation lives in this browser session."""
import streamlit as st

from rag.answer import Answer
from rag.engine import MAX_QUESTION_CHARS, Turn
from rag.errors import RagError
from webapp.common import answer_stream, engine_for, settings, show_citation, show_related
from webapp.safe import answer_md, md

turns: list[dict] = st.session_state.setdefault("turns", [])
chosen = settings()
engine = engine_for(chosen.answerer)


def new_conversation():
    st.session_state["turns"] = []


def show_details(turn: dict) -> None:
    """Everything under an answer: how it was produced, its citations, or related passages."""
    answer: Answer = turn["answer"]
    bits = [turn["settings"]]
    if turn.get("clock", {}).get("total_ms") is not None:
        bits.append(f"answered in {turn['clock']['total_ms']:.0f} ms")
    st.caption(md(" · ".join(bits)))
    if answer.standalone_question:
        st.caption(md(f"Read as a follow-up: “{answer.standalone_question}”"))
    if answer.citations:
        st.markdown("**Sources**")
        for c in answer.citations:
            show_citation(engine, c)
    elif answer.abstained and answer.passages:
        st.markdown("**Related, but not an answer**")
        st.caption("The closest paragraphs found. None of them answers the question.")
        show_related(answer.passages[:3])


def show_turn(turn: dict) -> None:
    with st.chat_message("user"):
        st.markdown(md(turn["question"]))
    with st.chat_message("assistant"):
        if turn["notice"]:
            st.warning(turn["notice"])
        if turn["answer"].abstained:
            st.info("The archive does not answer this question.", icon=":material/search_off:")
        st.markdown(answer_md(turn["answer"].text))
        show_details(turn)


head, button = st.columns([4, 1.3], vertical_alignment="bottom")
head.title("Ask the archive")
button.button("New conversation", icon=":material/add_comment:", on_click=new_conversation,
              key="new_conversation", width="stretch")
intro = st.empty()
if not turns:
    intro.caption("Ask about anything the archive reports. Every answer cites the exact paragraphs it comes "
                  "from; open a citation to read the paragraph and the whole article. Follow-up questions use "
                  "the conversation.")
if chosen.filters:
    st.info(md(f"Searching only: {chosen.filter_words()}. Change this in the sidebar."),
            icon=":material/filter_alt:")

for turn in turns:
    show_turn(turn)

question = st.chat_input("Ask a question about the archive…", key="question")
if question is not None:
    question = " ".join(question.split())
    if not question:
        st.toast("Type a question first.")
    else:
        notice = None
        if len(question) > MAX_QUESTION_CHARS:
            notice = (f"Your question was {len(question):,} characters long; only the first "
                      f"{MAX_QUESTION_CHARS:,} were used.")
            question = question[:MAX_QUESTION_CHARS]
        intro.empty()
        with st.chat_message("user"):
            st.markdown(md(question))
        with st.chat_message("assistant"):
            if notice:
                st.warning(notice)
            history = tuple(Turn(t["question"], t["answer"]) for t in turns)
            finished: list[Answer] = []
            clock: dict = {}

            def pieces():
                for item in answer_stream(engine, question, clock, history=history, filters=chosen.filters,
                                          top_k=chosen.top_k, as_of=chosen.as_of):
                    if isinstance(item, Answer):
                        finished.append(item)
                    else:
                        yield md(item) + (" " if item[-1:].isspace() else "")

            slot = st.empty()
            try:
                with slot.container():
                    st.write_stream(pieces())
            except RagError as e:
                slot.error(str(e))
            else:
                turn = {"question": question, "answer": finished[-1], "notice": notice,
                        "settings": chosen.describe(), "clock": clock}
                turns.append(turn)
                with slot.container():
                    if turn["answer"].abstained:
                        st.info("The archive does not answer this question.", icon=":material/search_off:")
                    st.markdown(answer_md(turn["answer"].text))
                show_details(turn)
