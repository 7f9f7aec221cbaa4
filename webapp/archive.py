"""Archive: list and search the articles; read one with its paragraphs numbered as cited (?article=ID&p=N)."""
import streamlit as st

from webapp.common import DATE_METHODS, get_engine, human_date
from webapp.safe import md, paragraph_html

engine = get_engine()
params = st.query_params
SHOW_AT_MOST = 500


def cited_quote(article_id: str, n: int) -> str | None:
    """The sentence this session's chat (else its timeline) last quoted from that paragraph, to mark it here too."""
    for turn in reversed(st.session_state.get("turns", [])):
        for c in turn["answer"].citations:
            if c.article_id == article_id and c.paragraph == n:
                return c.quote
    return st.session_state.get("timeline_quotes", {}).get((article_id, n))


def close_article():
    for name in ("article", "p"):
        if name in st.query_params:
            del st.query_params[name]


def show_article(article_id: str, focus: int | None) -> None:
    record = engine.index.article(article_id)
    if record is None:
        st.button("All articles", icon=":material/arrow_back:", on_click=close_article, key="back")
        st.error(md(f"No article with id “{article_id}” in the archive. It may have been removed or renamed."))
        return
    st.button("All articles", icon=":material/arrow_back:", on_click=close_article, key="back")
    st.header(md(record.title), anchor=False)
    how = DATE_METHODS.get(record.date_method, record.date_method)
    evidence = f" ({record.date_evidence})" if record.date_evidence else ""
    lines = [f"{record.source or 'Unknown source'} · published {human_date(record.published)}, {how}{evidence}"]
    if record.dateline:
        lines.append(f"Dateline: {record.dateline}")
    lines.append(f"{record.n_paragraphs} paragraphs · archive id {record.id} · file {record.path}")
    for line in lines:
        st.caption(md(line))
    if record.url:
        st.caption(md(f"URL: {record.url}"))
        if record.url.lower().startswith(("https://", "http://")):
            st.link_button("Open the original", record.url, icon=":material/open_in_new:")
    paragraphs = engine.index.paragraphs(article_id)
    if focus is not None and not any(n == focus for n, _, _ in paragraphs):
        st.warning(f"This article has no paragraph {focus}; showing it from the start.")
        focus = None
    quote = cited_quote(article_id, focus) if focus else None
    st.html("".join(paragraph_html(text, quote if n == focus else None, number=n, focus=n == focus)
                    for n, text, _ in paragraphs))
    if focus:
        # Only our own integer goes into the script: scroll the cited paragraph into view once it is drawn.
        st.html(f"""<script>(function () {{
  let tries = 0;
  const timer = setInterval(function () {{
    const el = document.getElementById("para-{int(focus)}");
    if (el) {{ el.scrollIntoView({{block: "center"}}); clearInterval(timer); }}
    if (++tries > 50) clearInterval(timer);
  }}, 100);
}})();</script>""", unsafe_allow_javascript=True)


def show_list() -> None:
    st.title("Archive")
    records = engine.index.articles()
    query = st.text_input("Search titles, publishers, dates and ids", key="archive_search",
                          placeholder="e.g. Idlib, AFP, 2019-08").strip().lower()
    if query:
        records = [r for r in records if all(w in " ".join(
            [r.title or "", r.source or "", r.published or "", r.id]).lower() for w in query.split())]
    st.caption(f"{len(records)} article{'s' if len(records) != 1 else ''}"
               + (f"; showing the first {SHOW_AT_MOST}" if len(records) > SHOW_AT_MOST else "")
               + ". Select a row to read the article.")
    shown = records[:SHOW_AT_MOST]
    rows = {"Published": [r.published or "" for r in shown], "Publisher": [r.source or "" for r in shown],
            "Title": [r.title for r in shown], "¶": [r.n_paragraphs for r in shown], "Id": [r.id for r in shown]}
    # A new key after each opening, so coming back does not reopen the same row.
    generation = st.session_state.setdefault("archive_table", 0)
    event = st.dataframe(rows, hide_index=True, on_select="rerun", selection_mode="single-row",
                         key=f"articles-{generation}", width="stretch",
                         column_config={"¶": st.column_config.NumberColumn(width="small")})
    selected = event.selection.rows if event and event.selection else []
    if selected:
        st.session_state["archive_table"] = generation + 1
        st.query_params["article"] = shown[selected[0]].id
        st.rerun()


article = params.get("article")
if article:
    p = params.get("p")
    show_article(article, int(p) if p and p.isdigit() else None)
else:
    show_list()
