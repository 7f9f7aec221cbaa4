"""Evaluation: run a gold question file against the engine; metrics per question type and the failures."""
from pathlib import Path

import streamlit as st

from rag.errors import RagError
from rag.evaluate import COLUMNS, HEADERS, evaluate
from webapp.common import engine_for, settings
from webapp.safe import md

GOLD_DIR = Path("eval")
DEFAULT_GOLD = GOLD_DIR / "seed_gold.jsonl"

chosen = settings()
engine = engine_for(chosen.answerer)

st.title("Evaluation")
st.caption("Runs every question of a gold file (format in eval/README.md) through the same engine as the chat, "
           "without the sidebar's filters, and scores answers, retrieval and citations.")
golds = sorted(GOLD_DIR.glob("*.jsonl")) if GOLD_DIR.is_dir() else []
if not golds:
    st.warning(md(f"No gold files (*.jsonl) in {GOLD_DIR.resolve()}."))
    st.stop()
names = [str(p) for p in golds]
default = names.index(str(DEFAULT_GOLD)) if str(DEFAULT_GOLD) in names else 0
gold = st.selectbox("Gold file", names, index=default, key="gold")

if st.button("Run evaluation", type="primary", icon=":material/play_arrow:", key="run_eval"):
    with st.spinner(f"Asking the questions of {gold}…"):
        try:
            st.session_state["eval_report"] = (gold, chosen.answerer, evaluate(engine, gold))
        except (RagError, OSError) as e:
            st.error(str(e))

held = st.session_state.get("eval_report")
if held:
    gold_run, answerer, report = held
    overall = report["overall"]
    st.subheader(md(f"{gold_run} · {answerer} answers"), anchor=False)
    cols = st.columns(4)
    for col, (label, key) in zip(cols, [("Answer accuracy", "answer_accuracy"), ("Hit@5", "hit@5"),
                                        ("Citation precision", "citation_precision"),
                                        ("Abstention accuracy", "abstention_accuracy")]):
        value = overall[key]
        col.metric(label, "—" if value is None else f"{value:.0%}")
    table = {"type": [*report["by_type"], "OVERALL"]}
    for column, header in zip(COLUMNS, HEADERS):
        table[header] = [agg[column] for agg in [*report["by_type"].values(), overall]]
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={h: st.column_config.NumberColumn(format="%.3f")
                                for h, c in zip(HEADERS, COLUMNS) if c not in ("questions",)
                                and not c.startswith("latency")})
    st.markdown("**Per question type**")
    chart = {"type": list(report["by_type"])}
    for key, label in (("answer_accuracy", "accuracy"), ("hit@5", "hit@5"), ("citation_precision", "cite prec")):
        chart[label] = [agg[key] or 0.0 for agg in report["by_type"].values()]
    st.bar_chart(chart, x="type", y=["accuracy", "hit@5", "cite prec"], stack=False, height=280)
    failures = report["failures"]
    st.markdown(f"**Failed questions ({len(failures)} of {overall['questions']})**")
    if failures:
        st.dataframe({"id": [r["id"] for r in failures], "question": [r["question"] for r in failures],
                      "expected": [", ".join(r["expected"]) or "abstention" for r in failures],
                      "answered": [r["answer"] for r in failures]}, hide_index=True, width="stretch")
    else:
        st.success("Every question was answered correctly.")
