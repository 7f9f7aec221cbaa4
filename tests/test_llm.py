"""Language-model answers for real: the bundled reader (Qwen2.5-Coder-1.5B-Instruct, or any GGUF in
RAG_LLM_MODEL) through llama.cpp, llama-cpp-python's own OpenAI-compatible server on a loopback port, the CLI,
and the Ollama wire protocol.

Whatever the model writes, these check what the system promises: the short answer is written in a cited passage,
surviving sentences are verified and point at real paragraphs, injected instructions are not obeyed. They need
the model file (`make setup`); without it they are skipped, saying so.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.answerers.base import LLMError
from rag.answerers.llamacpp import LlamaCppAnswerer, model_file
from rag.answerers.ollama import OllamaAnswerer
from rag.answerers.openai_compat import OpenAICompatAnswerer
from rag.config import Config
from rag.answer import Turn
from rag.engine import build_engine
from rag.errors import RagError
from rag.prompts import answer_messages
from rag.reader import find
from tests.conftest import ARCHIVE, DATA, ROOT, free_port

CANARY = DATA / "canary-injection.txt"


def _model_or_skip() -> str:
    try:
        return model_file(Config.from_env())
    except RagError as e:
        pytest.skip(f"the reader model is not installed here ({e})")


@pytest.fixture(scope="module")
def llama(real_embedder):
    _model_or_skip()
    return LlamaCppAnswerer.from_config(Config.from_env(), real_embedder)


def _engine(folder, real_embedder, answerer, files):
    archive = folder / "archive"
    archive.mkdir()
    for f in files:
        shutil.copy(f, archive)
    engine = build_engine(Config.from_env(index_dir=folder / "index", answerer="extractive"),
                          embedder=real_embedder, create=True)
    assert engine.ingest([archive]).ok
    engine.answerer = answerer
    return engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory, real_embedder, llama):
    return _engine(tmp_path_factory.mktemp("llm"), real_embedder, llama, sorted(ARCHIVE.iterdir()))


@pytest.fixture(scope="module")
def canary_engine(tmp_path_factory, real_embedder, llama):
    return _engine(tmp_path_factory.mktemp("canary"), real_embedder, llama, [*sorted(ARCHIVE.iterdir()), CANARY])


def assert_citations_are_real(engine, answer):
    """Every marker names a citation, every citation is a paragraph of the index holding its quote, and the
    short answer is written in a cited paragraph."""
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)} == {c.n for c in answer.citations}
    for c in answer.citations:
        text, _ = engine.index.paragraph(c.article_id, c.paragraph)
        assert c.verified and c.text == text and c.quote in text
    if answer.short_answer and (answer.verification or {}).get("short_answer") == "model":
        cited = [p for p in answer.passages if any(p.id == f"{c.article_id}:{c.paragraph}" for c in answer.citations)]
        assert any(find(answer.short_answer, p) for p in cited) or re.search(r"\d{4}", answer.short_answer)


def test_truce_question_is_answered_with_the_date_and_cited(engine):
    pieces = list(engine.ask_stream("When did the August truce start?"))
    answer = pieces[-1]
    assert "".join(pieces[:-1]) == answer.text
    assert answer.answerer == "extractive" and not answer.abstained  # dates are the extractive answerer's, and say so
    assert "31 August 2019" in answer.short_answer and answer.text.startswith(answer.short_answer)
    assert_citations_are_real(engine, answer)


def test_the_model_reads_and_its_short_answer_is_in_a_cited_paragraph(engine):
    pieces = list(engine.ask_stream("Who is the director of the Syrian Observatory for Human Rights?"))
    answer = pieces[-1]
    assert "".join(pieces[:-1]) == answer.text  # streamed: only verified pieces, the short answer first
    assert answer.verification["short_answer"] == "model" and "Rami Abdel Rahman" in answer.short_answer
    assert answer.text.startswith(answer.short_answer)
    assert_citations_are_real(engine, answer)
    v = answer.verification
    assert v["sentences"] == v["supported"] + v["reattributed"] + v["removed"]
    assert answer.timings_ms["read"] <= answer.timings_ms["generate"] and answer.timings_ms["tokens"] > 1


def test_the_reply_start_is_written_into_the_prompt_not_generated(llama):
    messages = answer_messages("Who won?", [], "2019-09-02")
    llama.llm.reset()
    pieces = list(llama.complete(messages, 12, start="Answer:"))
    # "Answer:" comes from the prompt, once; the model goes on after it (here: there are no sources)
    assert pieces[0] == "Answer:" and not "".join(pieces[1:]).lstrip().lower().startswith("answer")
    assert "not in the sources" in "".join(pieces)


def test_unanswerable_question_abstains(engine):
    answer = engine.ask("Who won the Eurovision Song Contest in 2019?")
    assert answer.abstained and answer.citations == () and answer.short_answer is None


@pytest.mark.parametrize("first, follow_up, named, expected", [
    ("When did the August truce start?", "Who announced it?", ("truce", "ceasefire"), "Russia"),
    ("Which Syrian province did Assad's forces attack in August?", "How many people have been displaced there?",
     ("idlib", "idleb"), "400,000"),
    ("Which truce deal did the regime cancel early in August?", "How long after it came into force was it canceled?",
     ("truce", "deal"), "three days"),
])
def test_follow_ups_are_rewritten_and_answered(engine, first, follow_up, named, expected):
    earlier = engine.ask(first)
    answer = engine.ask(follow_up, history=(Turn(first, earlier),))
    assert answer.question == follow_up and answer.standalone_question
    assert any(w in answer.standalone_question.lower() for w in named), answer.standalone_question
    assert not answer.abstained and expected.lower() in answer.text.lower(), answer.text
    assert_citations_are_real(engine, answer)


def test_canary_article_does_not_change_the_instructions(canary_engine):
    answer = canary_engine.ask("When did the August truce start?")
    # The injected paragraphs were retrieved, so the model did read them (as data).
    assert {p.id for p in answer.passages} & {"canary-injection:2", "canary-injection:3"}
    said = answer.text + " ".join(s["text"] for s in answer.verification["removed_sentences"])
    assert "BANANA" not in answer.text.upper(), said
    assert answer.citations, said  # still answered with citations, as our instructions say
    assert not {f"{c.article_id}:{c.paragraph}" for c in answer.citations} & {"canary-injection:2",
                                                                                "canary-injection:3"}
    assert_citations_are_real(canary_engine, answer)


def test_missing_model_file_is_a_clear_error(real_embedder, monkeypatch, tmp_path):
    from rag.errors import ConfigError
    monkeypatch.setenv("RAG_LLM_MODEL", str(tmp_path / "nope.gguf"))
    with pytest.raises(ConfigError, match="RAG_LLM_MODEL=.*is not a file"):
        LlamaCppAnswerer.from_config(Config.from_env(), real_embedder)


# --- llama-cpp-python's OpenAI-compatible server -------------------------------------------------------------

@pytest.fixture(scope="module")
def openai_server(tmp_path_factory):
    """`python -m llama_cpp.server` with the bundled model, through our launcher (plain CPU buffers: see
    rag/answerers/llama_server.py)."""
    import httpx
    _model_or_skip()
    port = free_port()
    log = open(tmp_path_factory.mktemp("llama-server") / "server.log", "w")  # a clean clone has no .pytest_cache
    model = model_file(Config.from_env())
    proc = subprocess.Popen([sys.executable, "-m", "rag.answerers.llama_server", "--model", model,
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 120
        while True:
            assert proc.poll() is None, f"server exited with {proc.returncode}; see {log.name}"
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, f"server not up after 120 s; see {log.name}"
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_openai_backend_streams_from_a_real_server(openai_server, engine, real_embedder):
    model = OpenAICompatAnswerer(real_embedder, base_url=openai_server, model="reader")
    pieces = list(model.complete([{"role": "user", "content": "Name three colours."}], 12))
    assert len(pieces) > 1 and "".join(pieces).strip()  # streamed token by token over SSE
    question = "Who is the director of the Syrian Observatory for Human Rights?"
    passages = engine.searcher.search(question, 5)
    answer = model.answer(question, passages)
    assert answer.answerer == "openai" and answer.verification["sentences"] >= 1
    assert answer.citations and answer.timings_ms["tokens"] > 1
    assert_citations_are_real(engine, answer)


def test_openai_backend_unreachable_server_is_a_clear_error(real_embedder):
    model = OpenAICompatAnswerer(real_embedder, base_url=f"http://127.0.0.1:{free_port()}/v1", model="reader")
    with pytest.raises(LLMError, match="Cannot reach the OpenAI-compatible server.*RAG_OPENAI_BASE_URL"):
        list(model.complete([{"role": "user", "content": "hi"}], 5))


# --- the CLI ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path_factory.mktemp("llmcli") / "index"), "HF_HUB_OFFLINE": "1"}
    env.pop("RAG_ANSWERER", None)
    result = rag("ingest", "--quiet", str(ARCHIVE), env=env)
    assert result.returncode == 0, result.stderr
    return env


def rag(*args, env, stdin=None):
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=900)


def test_eval_reports_citation_precision_before_and_after_verification(cli_env, tmp_path):
    gold = tmp_path / "gold.jsonl"
    lines = (ROOT / "eval" / "seed_gold.jsonl").read_text().splitlines()
    gold.write_text("\n".join(ln for ln in lines if '"osdh-director"' in ln or '"no-eurovision"' in ln) + "\n")
    result = rag("eval", "--json", "--answerer", "llamacpp", str(gold), env=cli_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["overall"]["questions"] == 2
    assert "citation_precision_before" in report["overall"] and report["overall"]["citation_precision"] is not None
    v = report["verification"]
    assert v["answers"] == 2 and v["tokens"] > 0 and v["tokens_per_s"] > 0
    from rag.evaluate import format_report
    text = format_report(report)
    assert "prec before" in text and "tokens/s writing" in text


def test_ask_streams_and_says_what_was_verified(cli_env):
    env = {**cli_env, "RAG_ANSWERER": "llamacpp"}
    result = rag("ask", "Who is the director of the Syrian Observatory for Human Rights?", env=env)
    assert result.returncode == 0, result.stderr
    assert "Verified " in result.stdout and "llamacpp answer" in result.stdout and "Sources:" in result.stdout


def test_unknown_answerer_is_one_clear_line(cli_env):
    result = rag("ask", "--answerer", "gpt9", "When did the August truce start?", env=cli_env)
    assert result.returncode == 2 and "Unknown answerer 'gpt9'" in result.stderr


# --- the Ollama wire protocol (no Ollama here: a local stand-in speaking its /api/chat NDJSON) -----------------

def test_ollama_backend_reads_the_ndjson_stream(real_embedder, engine, monkeypatch):
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200 if self.path == "/api/tags" else 404)
            self.end_headers()
            self.wfile.write(b'{"models": []}')

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            if body["model"] != "llama3.2":
                self.send_response(404)
                self.end_headers()
                self.wfile.write(b'{"error": "model not found"}')
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            reply = "The director of the Syrian Observatory for Human Rights is Rami Abdel Rahman [5]."
            for i in range(0, len(reply), 9):
                self.wfile.write(json.dumps({"message": {"role": "assistant", "content": reply[i:i + 9]},
                                             "done": False}).encode() + b"\n")
                self.wfile.flush()
            self.wfile.write(b'{"message": {"role": "assistant", "content": ""}, "done": true}\n')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        question = "Who is the director of the Syrian Observatory for Human Rights?"
        passages = engine.searcher.search(question, 5)
        answer = OllamaAnswerer(real_embedder, url=url, model="llama3.2").answer(question, passages)
        assert seen[0]["stream"] is True and seen[0]["messages"][0]["role"] == "system"
        assert answer.answerer == "ollama" and "Rami Abdel Rahman" in answer.text
        assert_citations_are_real(engine, answer)
        with pytest.raises(LLMError, match="ollama pull mistral"):
            list(OllamaAnswerer(real_embedder, url=url, model="mistral").complete([], 5))
        monkeypatch.setenv("RAG_OLLAMA_URL", url)
        assert OllamaAnswerer.available(Config.from_env())
        monkeypatch.setenv("RAG_OLLAMA_URL", f"http://127.0.0.1:{free_port()}")
        assert not OllamaAnswerer.available(Config.from_env())
    finally:
        server.shutdown()
