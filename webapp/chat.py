"""Chat: questions and answers with numbered citations; the conversation lives in this browser session."""
import time
from itertools import chain

import streamlit as st

from rag.answer import Answer
from rag.answer import Turn
from rag.engine import MAX_QUESTION_CHARS
from rag.errors import RagError
from webapp.common import (QUICK_PENDING, READER_WRITING, answer_label, answer_stream, engine_for, get_engine,
                           label_md, reads_with_model, settings, show_citation, show_related)
from webapp.safe import answer_md, md

turns: list[dict] = st.session_state.setdefault("turns", [])
chosen = settings()
engine = engine_for(chosen.answerer)


def new_conversation():
    st.session_state["turns"] = []


def show_details(turn: dict) -> None:
    """Everything under an answer: how it was produced, its citations, or related passages."""
    answer: Answer = turn["answer"]
    bits, clock = [turn["settings"]], turn.get("clock", {})
    if clock.get("quick_ms") is not None:
        bits.append(f"quick answer in {clock['quick_ms']:.0f} ms")
    if clock.get("total_ms") is not None:
        bits.append(f"answered in {clock['total_ms']:.0f} ms")
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


def show_answer(answer: Answer) -> None:
    """The answer's text under a label saying what produced it (extractive, or the model's checked answer)."""
    st.caption(label_md(answer_label(answer)))
    if answer.abstained:
        st.info("The archive does not answer this question.", icon=":material/search_off:")
    st.markdown(answer_md(answer.text))


def show_turn(turn: dict) -> None:
    with st.chat_message("user"):
        st.markdown(md(turn["question"]))
    with st.chat_message("assistant"):
        if turn["notice"]:
            st.warning(turn["notice"])
        show_answer(turn["answer"])
        show_details(turn)


def answer_in_slot(engine, question: str, asked: dict, slot, clock: dict) -> Answer:
    """Stream the answer into `slot`; the finished Answer.

    With a language model, the extractive answer is shown at once, labelled as such, and stays until the first
    checked sentence of the model's answer arrives; that answer then streams in its place under its own label.
    If the model fails, the quick answer stands, with a warning."""
    finished: list[Answer] = []
    quick = None
    if reads_with_model(engine):
        started = time.perf_counter()
        quick = engine.ask(question, answerer="extractive", **asked)
        clock["quick_ms"] = (time.perf_counter() - started) * 1000
        with slot.container():
            st.caption(label_md(QUICK_PENDING))
            st.markdown(answer_md(quick.text))

    def pieces(items):
        for item in items:
            if isinstance(item, Answer):
                finished.append(item)
            else:
                yield md(item) + (" " if item[-1:].isspace() else "")

    try:
        stream = pieces(answer_stream(engine, question, clock, **asked))
        first = next(stream, None)  # the quick answer stays on screen while the model reads and writes
        with slot.container():
            if quick is not None:
                st.caption(label_md(READER_WRITING))
            st.write_stream(chain([first] if first is not None else [], stream))
    except Exception as e:  # the model's failure must not take the quick answer away
        if quick is None:
            raise
        reason = str(e) if isinstance(e, RagError) else f"{type(e).__name__}: {e}"
        st.warning(md(f"The reader model could not answer ({reason}); this is the quick extractive answer."))
        return quick
    return finished[-1]


head, button = st.columns([4, 1.3], vertical_alignment="bottom")
head.title("Ask the archive")
button.button("New conversation", icon=":material/add_comment:", on_click=new_conversation,
              key="new_conversation", width="stretch")
intro = st.empty()
if not turns:
    intro.caption("Ask about anything the archive reports. Every answer cites the exact paragraphs it comes "
                  "from; open a citation to read the paragraph and the whole article. Follow-up questions use "
                  "the conversation.")
engine_notice = get_engine().notice  # why the configured model is not answering (e.g. not set up), with what to run
if engine_notice:
    st.warning(md(engine_notice), icon=":material/warning:")
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
            asked = dict(history=tuple(Turn(t["question"], t["answer"]) for t in turns), filters=chosen.filters,
                         top_k=chosen.top_k, as_of=chosen.as_of)
            slot = st.empty()
            clock: dict = {}
            try:
                answer = answer_in_slot(engine, question, asked, slot, clock)
            except RagError as e:
                slot.error(str(e))
            else:
                turn = {"question": question, "answer": answer, "notice": notice, "settings": chosen.describe(),
                        "clock": clock}
                turns.append(turn)
                with slot.container():
                    show_answer(answer)
                show_details(turn)
