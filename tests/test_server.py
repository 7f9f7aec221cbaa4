"""Chroma server mode: a real `chroma run` on loopback; ingest, ask and check through it, and a bounded concurrent
load (8 clients x 50 questions, from threads and other processes) while another process ingests: zero errors, and
no answer ever shows part of an article version.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ARCHIVE, ROOT, free_port

CLIENT_THREADS = 6
CLIENT_PROCESSES = 2
QUESTIONS_PER_CLIENT = 50
LOAD_ARTICLES = 60  # version 1 indexed first; version 2 (every article changed, one more paragraph) during the load


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    """A real Chroma server on a free loopback port, stopped at the end."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).parent / "chroma"
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path / "data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma run did not start: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def env_for(index_dir, url):
    return {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CHROMA_URL": url, "HF_HUB_OFFLINE": "1"}


def rag(args, index_dir, url, stdin=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, env=env_for(index_dir, url), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_ingest_ask_check_through_a_chroma_server(tmp_path, chroma_url):
    index_dir = tmp_path / "index"
    run = rag(["ingest", "--quiet", str(ARCHIVE)], index_dir, chroma_url)
    assert run.returncode == 0, run.stderr[-2000:]
    assert not (index_dir / "chroma").exists()  # the vectors live on the server, not in the index folder
    import chromadb
    host, port = chroma_url.rsplit(":", 1)
    count = chromadb.HttpClient(host="127.0.0.1", port=int(port)).get_collection("paragraphs").count()
    stats = json.loads(rag(["stats", "--json"], index_dir, chroma_url).stdout)
    assert count == stats["chunks"] > 0 and set(stats) >= {"chunks", "last_ingest", "by_source"}

    run = rag(["ask", "--json", "When did the August truce start?"], index_dir, chroma_url)
    assert run.returncode == 0, run.stderr[-2000:]
    answer = json.loads(run.stdout)
    assert not answer["abstained"] and "31 August 2019" in (answer["short_answer"] or "")
    assert answer["citations"][0]["article_id"] == "afp-2019-idleb-unilateral-ceasefire"

    run = rag(["check"], index_dir, chroma_url)
    assert run.returncode == 0 and "consistent" in run.stdout, run.stdout + run.stderr


# --- concurrent load ------------------------------------------------------------------------------

WORDS = ("harbour ferry storm wheat strike court vote truce aid convoy border election budget hospital school "
         "flood river bridge police port fuel grain rail power water").split()


def load_archive(folder: Path, version: int) -> Path:
    """Articles whose every paragraph carries its version, so a half-replaced article would show."""
    import random
    rng = random.Random(5)
    rows = []
    for i in range(LOAD_ARTICLES):
        topic = WORDS[i % len(WORDS)]
        paras = [f"The {topic} report number {i} part {n}: " + " ".join(rng.choice(WORDS) for _ in range(12))
                 + f" [v{version}]" for n in range(4 + version)]
        rows.append({"id": f"load-{i:03d}", "title": f"{topic.title()} report {i}", "source": "Wire",
                     "published": "2024-06-01", "text": "\n\n".join(paras)})
    folder.mkdir(exist_ok=True)
    (folder / "load.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def questions() -> list[str]:
    return [f"What did the {WORDS[i % len(WORDS)]} report number {i % LOAD_ARTICLES} say?"
            for i in range(QUESTIONS_PER_CLIENT)]


def whole(passages: list[dict]) -> bool:
    """Every passage of one article shows the same version, and that version's paragraph count is plausible."""
    versions: dict[str, set] = {}
    for p in passages:
        m = re.search(r"\[v(\d)\]$", p["text"])
        if p["article_id"].startswith("load-"):
            versions.setdefault(p["article_id"], set()).add(m and m.group(1))
            if m and p["paragraph"] > 4 + int(m.group(1)):
                return False
    return all(len(v) == 1 and None not in v for v in versions.values())


def test_concurrent_questions_during_an_ingest(tmp_path, chroma_url, real_embedder):
    from rag.present import answer_json
    from rag.config import Config
    from rag.engine import build_engine

    index_dir = tmp_path / "index"
    archive = load_archive(tmp_path / "archive", 1)
    assert rag(["ingest", "--quiet", str(archive)], index_dir, chroma_url).returncode == 0
    engine = build_engine(Config.from_env(index_dir=index_dir, chroma_url=chroma_url), embedder=real_embedder)
    engine.ask("warm-up question about the harbour")

    load_archive(archive, 2)
    ingest = subprocess.Popen([sys.executable, "-m", "rag", "ingest", "--quiet", str(archive)], cwd=ROOT,
                              env=env_for(index_dir, chroma_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    errors, partial, answered, times = [], [], [0], []
    lock = threading.Lock()

    def thread_client(n):
        for q in questions():
            try:
                data = answer_json(engine.ask(q))
                with lock:
                    answered[0] += 1
                    times.append(time.monotonic())
                    if not whole(data["passages"]):
                        partial.append(data)
            except Exception as e:  # any failure is counted, the load goes on
                with lock:
                    errors.append(f"thread {n}: {type(e).__name__}: {e}")

    ingest_end = []
    threading.Thread(target=lambda: (ingest.wait(), ingest_end.append(time.monotonic())), daemon=True).start()
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "rag", "ask", "--json"], cwd=ROOT,
                              env=env_for(index_dir, chroma_url), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(CLIENT_PROCESSES)]
    threads = [threading.Thread(target=thread_client, args=(n,)) for n in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    outputs = [p.communicate("\n".join(questions()) + "\n", timeout=600) for p in procs]
    for t in threads:
        t.join(timeout=600)
    ingest_out, ingest_err = ingest.communicate(timeout=600)
    elapsed = time.monotonic() - started
    during = sum(1 for t in times if t < ingest_end[0])

    for p, (out, err) in zip(procs, outputs):
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        assert p.returncode == 0, err[-2000:]
        errors += [x["error"] for x in lines if "error" in x]
        partial += [x for x in lines if "passages" in x and not whole(x["passages"])]
        answered[0] += sum(1 for x in lines if "answer" in x)
    total = (CLIENT_THREADS + CLIENT_PROCESSES) * QUESTIONS_PER_CLIENT
    print(f"\nconcurrent load: {answered[0]}/{total} questions answered in {elapsed:.1f} s "
          f"({answered[0] / elapsed:.1f} questions/s) while ingesting {LOAD_ARTICLES} changed articles; "
          f"({during} of the in-process answers while the ingest ran, which took {ingest_end[0] - started:.1f} s); "
          f"{len(errors)} errors, {len(partial)} answers showing a partial article")
    assert ingest.returncode == 0, ingest_err[-2000:]
    assert errors == [] and partial == []
    assert answered[0] == total and during > 0
    assert rag(["check"], index_dir, chroma_url).returncode == 0
    versions = {text.rsplit("[v", 1)[-1] for a in engine.index.articles() for _, text, _ in engine.index.paragraphs(a.id)}
    assert versions == {"2]"}  # the ingest finished: every article is at version 2


def test_unreachable_server_gives_one_clear_line(tmp_path, chroma_url):
    index_dir = tmp_path / "index"
    assert rag(["ingest", "--quiet", str(ARCHIVE)], index_dir, chroma_url).returncode == 0
    nobody = f"http://127.0.0.1:{free_port()}"
    run = rag(["ask", "When did the August truce start?"], index_dir, nobody)
    assert run.returncode == 2
    errors = [x for x in run.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and f"Cannot reach the Chroma server at {nobody}" in errors[0]
    assert "chroma run" in errors[0]


def test_questions_in_threads_during_an_ingest_in_the_same_process(tmp_path, hash_embedder):
    """The web app's case: one engine, sessions asking in threads while an upload is ingested in another thread.
    Readers hold snapshots of the records; the ingest must not take its own decisions from a reader's snapshot."""
    from rag.config import Config
    from rag.engine import build_engine

    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    archive = load_archive(tmp_path / "archive", 1)
    assert engine.ingest([archive]).ok
    load_archive(archive, 2)
    stop, errors, partial, asked = threading.Event(), [], [], [0]

    def asker():
        while not stop.is_set():
            try:
                passages = engine.searcher.retriever.retrieve("What did the harbour report number 3 say?", k=8)
                asked[0] += 1
                if not whole([{"article_id": p.article_id, "paragraph": p.paragraph, "text": p.text}
                              for p in passages]):
                    partial.append(passages)
            except Exception as e:  # counted: the assertion below shows them
                errors.append(repr(e))

    threads = [threading.Thread(target=asker) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        report = engine.ingest([archive])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert report.ok and len(report.replaced) == LOAD_ARTICLES
    assert errors == [] and partial == [] and asked[0] > 0
    assert engine.index.check() == []
