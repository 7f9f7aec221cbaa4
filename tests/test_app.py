"""The web chat: safe rendering and upload helpers (unit), then the real app through streamlit's AppTest.

The AppTest tests run streamlit_app.py in-process against a fresh index of the seed archive built with the real
bundled model; the app loads its own copy of the model once per process (st.cache_resource), as users have it.
"""
import html
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from webapp.safe import answer_md, find_quote, md, paragraph_html
from webapp.uploads import UploadError, safe_name, save_upload

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
TRUCE = "When did the August truce start?"
AFP_ID = "afp-2019-idleb-unilateral-ceasefire"
HOSTILE = """title: <script>alert("t")</script> Dam <img src=x onerror=alert(1)> [x](javascript:alert(2))
source: Evil Wire
date: 2021-03-04

The Zenda dam on the Strelsau river opened on Wednesday, officials said <script>alert(3)</script> and <img src=x onerror=alert(4)>.

Click [here](javascript:alert(5)) or ![i](http://127.0.0.1:9/x.png); it cost $5 and $6 :smile: :red[red] <b>b</b> &amp; # heading.
"""
DAM = """title: Zenda dam opens after a decade of work
source: Strelsau Herald
date: 2021-03-04

The Zenda dam on the Strelsau river opened on Wednesday after ten years of construction, the ministry said.

The dam will supply water to 40,000 homes in the valley.
"""


# --- unit: escaping ----------------------------------------------------------------------------------------

def _unescape_md(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://x/y.png)",
                                  ":red[red] :smile: $x^2$", "# heading", "1. list", "**b** _i_ `c`", "a | b",
                                  "&amp; &lt;", "back\\slash"])
def test_md_escapes_every_markdown_and_html_character(text):
    escaped = md(text)
    assert _unescape_md(escaped) == text  # shows exactly the original characters
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)), escaped


def test_md_flattens_lines_so_no_block_syntax_survives():
    assert md("    indented\n===\n> quote") == "indented \\=\\=\\= \\> quote"


def test_answer_md_keeps_citation_markers_and_escapes_the_rest():
    out = answer_md("On 31 August [1]. <b>x</b> said [2]")
    assert ":blue[**\\[1\\]**]" in out and ":blue[**\\[2\\]**]" in out
    assert "\\<b\\>x\\<\\/b\\>" in out
    assert "[1]" not in out.replace("\\[1\\]", "")
    assert answer_md("said. [1] He added [2].") == "said\\. :blue[**\\[1\\]**] He added :blue[**\\[2\\]**]\\."
    assert answer_md("x [1][2]") == "x :blue[**\\[1\\]**]:blue[**\\[2\\]**]"


def test_paragraph_html_escapes_text_and_marks_only_the_quote():
    para = 'He said <script>alert(1)</script> & "the truce starts at 6:00 am". <img src=x onerror=alert(2)>'
    out = paragraph_html(para, '"the truce starts at 6:00 am".', number=5, focus=True)
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(2)&gt;" in out
    assert '<mark class="quote">&quot;the truce starts at 6:00 am&quot;.</mark>' in out
    assert out.startswith('<div class="para focus" id="para-5"><span class="pn">¶5</span>')
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == "¶5 " + para


def test_find_quote_tolerates_spacing_and_misses_cleanly():
    assert find_quote("a  b\nc d", "b c") == (3, 6)
    assert find_quote("abc", "zzz") is None
    assert find_quote("abc", "") is None


# --- unit: uploads -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\boot.md", "boot.md"), (".hidden.txt", "hidden.txt"),
    ("Ünïcode name; rm -rf ~.txt", "Unicode-name-rm-rf.txt"), ("Wire.JSONL.GZ", "Wire.jsonl.gz"),
    ("/abs/path/x.jsonl", "x.jsonl")])
def test_safe_name_keeps_uploads_inside_the_folder(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["photo.png", "noext", "archive.gz", ".txt"])
def test_safe_name_refuses_unsupported_types(name):
    with pytest.raises(UploadError, match="upload one of"):
        safe_name(name)


def test_save_upload_never_overwrites(tmp_path):
    first, created = save_upload(tmp_path, "story.txt", b"one")
    assert (first.name, created) == ("story.txt", True)
    again, created = save_upload(tmp_path, "../story.txt", b"one")
    assert (again, created) == (first, False)  # the same file uploaded twice is kept once
    other, created = save_upload(tmp_path, "story.txt", b"two")
    assert (other.name, created) == ("story-2.txt", True)
    assert first.read_bytes() == b"one" and other.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story-2.txt", "story.txt"]


# --- unit: streaming -------------------------------------------------------------------------------------

def test_answer_stream_paces_a_whole_answer_then_yields_it():
    from webapp.common import answer_stream
    from rag.answer import Answer

    class WholeAnswers:  # an engine whose answerer returns whole answers, like the extractive one
        def ask(self, question, **kwargs):
            return Answer(question, "On 31 August [1].", "31 August", False, (), ())

    items = list(answer_stream(WholeAnswers(), "q"))
    assert items[:-1] == ["On ", "31 ", "August ", "[1]."]
    assert isinstance(items[-1], Answer)


def test_answer_stream_clock_leaves_out_the_pacing():
    from webapp.common import MAX_PACING_S, answer_stream
    from rag.answer import Answer

    class Long:
        def ask(self, question, **kwargs):
            return Answer(question, "word " * 200, None, False, (), ())

    clock = {}
    started = time.perf_counter()
    assert len(list(answer_stream(Long(), "q", clock))) == 201
    assert time.perf_counter() - started >= MAX_PACING_S * 0.9  # the reader saw it arrive over ~a second
    assert clock["first_ms"] <= clock["total_ms"] < MAX_PACING_S * 1000 / 2  # but it was ready at once


def test_answer_stream_prefers_a_real_token_stream():
    from webapp.common import answer_stream

    from rag.answer import Answer

    done = Answer("q", "tokens arrive one by one", None, False, (), ())

    class Streaming:
        def ask_stream(self, question, **kwargs):
            yield from ["tok", "ens ", "arrive one by one", done]

        def ask(self, question, **kwargs):
            raise AssertionError("a streaming engine is not asked twice")

    # Tokens pass unchanged; a large piece is paced out word by word; the Answer comes last.
    assert list(answer_stream(Streaming(), "q")) == ["tok", "ens ", "arrive ", "one ", "by ", "one", done]


# --- AppTest: the real app ------------------------------------------------------------------------------------

def _build(folder: Path, embedder) -> Path:
    """Copy the seed archive plus an article full of markup into folder/archive and index it in folder/index."""
    from rag.config import Config
    from rag.engine import build_engine

    archive = folder / "archive"
    shutil.copytree(ROOT / "archive", archive)
    (archive / "hostile.txt").write_text(HOSTILE)
    engine = build_engine(Config.from_env(index_dir=folder / "index"), embedder=embedder, create=True)
    report = engine.ingest([archive])
    assert report.ok and len(report.added) == 3, report.failed
    engine.index.close()
    return archive


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory, real_embedder):
    folder = tmp_path_factory.mktemp("app")
    return _build(folder, real_embedder), folder / "index"


@pytest.fixture
def app_env(shared_index, monkeypatch):
    """The module's index, for tests that only read (the app keeps one engine for it across tests)."""
    archive, index = shared_index
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("RAG_ARCHIVE_DIR", str(archive))
    monkeypatch.setenv("RAG_ANSWERER", "extractive")  # the reader model's answers are the browser test's
    return archive


@pytest.fixture
def fresh_app_env(tmp_path, monkeypatch, real_embedder):
    """An index of its own, for tests that add articles."""
    archive = _build(tmp_path, real_embedder)
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_ARCHIVE_DIR", str(archive))
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    return archive


def start(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.chdir(ROOT)  # the app reads eval/ relative to where `streamlit run` starts
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def ask(at, question):
    at.chat_input(key="question").set_value(question).run()
    assert not at.exception, at.exception
    return at.chat_message[-1]


def html_with(at, needle: str) -> str:
    """The one st.html block holding `needle`."""
    found = [h.value for h in at.get("html") if needle in h.value]
    assert len(found) == 1, found
    return found[0]


def page_links(at):
    return [(link.proto.label, link.proto.query_string) for link in at.get("page_link")]


def test_truce_question_answers_with_the_afp_citation(app_env, monkeypatch):
    at = start(monkeypatch)
    reply = ask(at, TRUCE)
    answer = _unescape_md(reply.markdown[0].value)
    assert "31 August 2019" in answer and "[1]" in answer
    assert _unescape_md(reply.caption[0].value).endswith(" Extractive answer (the archive's own sentences)")
    assert [e.label for e in reply.expander][0].startswith("\\[1\\] AFP · 31 August 2019 · ¶5 · ")
    cited = reply.expander[0]
    para = cited.get("html")[0].value
    assert 'id="para-5"' in para
    assert re.search(r'<mark class="quote">An agreement was reached for &quot;a unilateral ceasefire by Syrian '
                     r'government forces starting at 6:00 am on August 31,&quot;.*</mark>', para)
    caption = _unescape_md(cited.caption[0].value)
    assert "published 31 August 2019, inferred from a weekday and a day named in the text" in caption
    assert "paragraph 5 of 13" in caption
    assert ("Open the article at ¶5", f"article={AFP_ID}&p=5") in page_links(at)
    assert "AFP, 31 August 2019" in cited.code[0].value

    # Following the link: the archive view shows the article with that paragraph and its sentence marked.
    at.query_params.update({"article": AFP_ID, "p": "5"})
    at.switch_page("webapp/archive.py").run()
    assert not at.exception, at.exception
    body = html_with(at, 'class="para')
    assert body.count('class="para') == 13
    assert '<div class="para focus" id="para-5"><span class="pn">¶5</span> <mark class="quote">An agreement' in body
    assert 'getElementById("para-5")' in html_with(at, "<script")


def test_a_publisher_filter_without_afp_changes_the_answer(app_env, monkeypatch):
    at = start(monkeypatch)
    assert "31 August 2019" in _unescape_md(ask(at, TRUCE).markdown[0].value)
    at.button(key="new_conversation").click().run()
    at.multiselect(key="f_sources").set_value(["Reuters"]).run()
    reply = ask(at, TRUCE)
    answer = _unescape_md(reply.markdown[0].value)
    assert "31 August 2019" not in answer
    assert "does not answer" in reply.info[0].value
    labels = [_unescape_md(e.label) for e in reply.expander]
    assert labels and all("Reuters" in label for label in labels)  # related passages: Reuters only
    assert not any(AFP_ID in q for _, q in page_links(at))
    assert "only Reuters" in _unescape_md(reply.caption[1].value)
    assert _unescape_md(at.info[0].value).startswith("Searching only: Reuters.")


def test_a_date_range_before_the_truce_excludes_it(app_env, monkeypatch):
    at = start(monkeypatch)
    at.date_input(key="f_to").set_value(date(2019, 7, 1)).run()
    reply = ask(at, TRUCE)
    assert "31 August 2019" not in _unescape_md(reply.markdown[0].value)
    labels = [_unescape_md(e.label) for e in reply.expander]
    assert labels and all("2019" in label and "AFP" not in label for label in labels)


def test_uploaded_article_is_answerable_at_once(fresh_app_env, monkeypatch):
    app_env = fresh_app_env
    at = start(monkeypatch)
    at.switch_page("webapp/add_articles.py").run()
    at.file_uploader[0].upload("../Zenda dam (final).txt", DAM.encode(), "text/plain")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("1 added, 0 updated, 0 unchanged, 0 failed")
    saved = app_env / "Zenda-dam-final.txt"
    assert saved.read_text() == DAM
    assert any("Zenda dam opens" in label for label, _ in page_links(at))
    assert "**4** articles" in at.sidebar.markdown[1].value

    at.switch_page("webapp/chat.py").run()
    reply = ask(at, "How many homes will the Zenda dam supply with water?")
    assert "40,000" in _unescape_md(reply.markdown[0].value)
    assert "Strelsau Herald" in _unescape_md(reply.expander[0].label)


def test_binary_upload_shows_an_error_and_loses_nothing(fresh_app_env, monkeypatch):
    app_env = fresh_app_env
    at = start(monkeypatch)
    before = sorted(p.name for p in app_env.iterdir())
    at.switch_page("webapp/add_articles.py").run()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    at.file_uploader[0].upload("photo.txt", png, "text/plain")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("0 added, 0 updated, 0 unchanged, 1 failed")
    assert "photo.txt: looks like a binary file" in _unescape_md(at.error[1].value)
    assert sorted(p.name for p in app_env.iterdir()) == before  # the bad file was not kept
    assert "**3** articles" in at.sidebar.markdown[1].value

    at.switch_page("webapp/chat.py").run()
    assert "31 August 2019" in _unescape_md(ask(at, TRUCE).markdown[0].value)


def test_oversized_upload_is_refused_with_the_limit(fresh_app_env, monkeypatch):
    app_env = fresh_app_env
    monkeypatch.setenv("RAG_MAX_FILE_MB", "0.001")
    at = start(monkeypatch)
    at.switch_page("webapp/add_articles.py").run()
    at.file_uploader[0].upload("long.txt", DAM.encode() * 10, "text/plain")
    at.run()
    at.button(key="add").click().run()
    assert "over the 0.001 MB limit per file" in _unescape_md(at.error[1].value)
    assert not (app_env / "long.txt").exists()


def _assert_inert(value: str):
    """Markdown source in which every markup character is escaped: it can only show as text."""
    assert not re.search(r"(?<!\\)<", value), value
    assert not re.search(r"(?<!\\)\]\((?!\))", value), value


def test_untrusted_html_article_renders_inert(app_env, monkeypatch):
    at = start(monkeypatch)
    reply = ask(at, "When did the Zenda dam open?")
    for m in reply.markdown:
        _assert_inert(m.value)
    assert "officials said <script>alert(3)</script>" in _unescape_md(reply.markdown[0].value)
    label = reply.expander[0].label
    _assert_inert(label)
    assert '<script>alert("t")</script> Dam <img src=x onerror=alert(1)>' in _unescape_md(label)
    para = reply.expander[0].get("html")[0].value
    assert "<script" not in para and "<img" not in para and "&lt;script&gt;alert(3)&lt;/script&gt;" in para

    at.query_params.update({"article": "hostile", "p": "1"})
    at.switch_page("webapp/archive.py").run()
    assert not at.exception, at.exception
    title = at.header[0].value
    _assert_inert(title)
    assert _unescape_md(title).startswith('<script>alert("t")</script> Dam')
    body = html_with(at, 'class="para')
    assert "<script" not in body and "<img" not in body and "](javascript" in body  # literal, in a div
    assert "&lt;img src=x onerror=alert(4)&gt;" in body
    scripts = [h.value for h in at.get("html") if "<script" in h.value]
    assert scripts == [s for s in scripts if 'getElementById("para-1")' in s]  # only our own scroll script


def test_long_question_is_truncated_with_a_notice_and_empty_is_ignored(app_env, monkeypatch):
    from rag.engine import MAX_QUESTION_CHARS

    at = start(monkeypatch)
    at.chat_input(key="question").set_value("   ").run()
    assert len(at.chat_message) == 0 and at.session_state["turns"] == []
    reply = ask(at, TRUCE + " " + "x" * 10_000)
    assert f"only the first {MAX_QUESTION_CHARS:,} were used" in reply.warning[0].value
    assert len(_unescape_md(at.chat_message[0].markdown[0].value)) == MAX_QUESTION_CHARS
    assert at.session_state["turns"][0]["question"] == (TRUCE + " " + "x" * 10_000)[:MAX_QUESTION_CHARS]


def test_follow_up_uses_the_conversation_and_new_conversation_clears_it(app_env, monkeypatch):
    at = start(monkeypatch)
    ask(at, TRUCE)
    reply = ask(at, "Who announced it?")
    assert any("Read as a follow-up" in _unescape_md(c.value) for c in reply.caption)
    assert len(at.chat_message) == 4
    at.button(key="new_conversation").click().run()
    assert len(at.chat_message) == 0 and at.session_state["turns"] == []


def test_archive_lists_and_searches_articles(app_env, monkeypatch):
    at = start(monkeypatch)
    at.switch_page("webapp/archive.py").run()
    assert len(at.dataframe[0].value) == 3
    at.text_input(key="archive_search").set_value("reuters 2019").run()
    table = at.dataframe[0].value
    assert list(table["Publisher"]) == ["Reuters"] and list(table["Published"]) == ["2019-06-12"]


def test_evaluation_page_scores_the_seed_gold(app_env, monkeypatch):
    at = start(monkeypatch)
    at.switch_page("webapp/evaluation.py").run()
    assert at.selectbox(key="gold").value == "eval/seed_gold.jsonl"
    at.button(key="run_eval").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["type"])[-1] == "OVERALL" and "when" in list(table["type"])
    from rag.evaluate import load_gold
    asked = sum(len(item.get("turns") or [item]) for item in load_gold(ROOT / "eval/seed_gold.jsonl"))
    assert table["n"].iloc[-1] == asked
    assert at.metric[0].label == "Answer accuracy"


def test_a_wire_copy_shows_as_also_reported_under_the_citation(fresh_app_env, monkeypatch, real_embedder):
    from rag.config import Config
    from rag.engine import build_engine

    afp = (fresh_app_env / "afp-2019-idleb-unilateral-ceasefire.txt").read_text()
    (fresh_app_env / "wire-copy.txt").write_text(afp.replace("Beirut (AFP)", "date 2019-09-01\nsource: Wire Desk"
                                                                             "\n\nBeirut (AFP)"))
    engine = build_engine(Config.from_env(), embedder=real_embedder)
    assert engine.ingest([fresh_app_env]).added == ["wire-copy"]
    engine.index.close()
    at = start(monkeypatch)
    reply = ask(at, "How many civilians have the bombings killed in the Idleb region since the end of April?")
    cited = reply.expander[0]
    assert "Wire Desk" in _unescape_md(cited.label)  # the newest copy represents the story
    assert "Also reported by AFP, 2019-08-31" in _unescape_md(cited.caption[-1].value)
    assert ("Also: AFP, 31 August 2019, ¶11", f"article={AFP_ID}&p=11") in [
        (_unescape_md(label), q) for label, q in page_links(at)]


def test_without_the_reader_model_the_chat_says_what_to_run_and_answers_extractively(shared_index, monkeypatch,
                                                                                      tmp_path):
    archive, index = shared_index
    monkeypatch.setenv("RAG_INDEX_DIR", str(index))
    monkeypatch.setenv("RAG_ARCHIVE_DIR", str(archive))
    monkeypatch.setenv("RAG_ANSWERER", "llamacpp")
    monkeypatch.setenv("RAG_MODEL_DIR", str(tmp_path / "no-models"))
    monkeypatch.delenv("RAG_LLM_MODEL", raising=False)
    at = start(monkeypatch)
    notices = [_unescape_md(w.value) for w in at.warning]
    assert len(notices) == 1 and "run make setup" in notices[0] and "extractive answerer" in notices[0]
    assert at.selectbox(key="answerer").options == ["extractive"]  # the reader is not offered when missing
    reply = ask(at, TRUCE)
    assert "31 August 2019" in _unescape_md(reply.markdown[0].value) and reply.expander
    assert _unescape_md(reply.caption[0].value).endswith(" Extractive answer (the archive's own sentences)")
