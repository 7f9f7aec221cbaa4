"""Kill a real `python -m rag ingest` (real model, real Chroma) at several points; the re-run must give exactly the
index a clean run gives: the same Chroma ids and story metadata, SQLite rows and BM25 ids, no duplicates, no orphans.

Kill points are found by watching the index from outside, as an operator would: committed articles in SQLite
(after the first batch, after the second, all of them) and the BM25 rebuild's temporary folder.
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT

WORDS = ("harbour council minister ferry storm wheat price strike court vote rebels truce aid convoy border election "
         "budget hospital school flood river bridge police report officials said monday tuesday percent million "
         "people city north south talks deal port fuel grain rail power water").split()
ARTICLES = 110  # 5 short paragraphs each: 550 chunks (+ copies), three embedding batches of 256


def make_archive(folder, version: int = 1):
    """A generated archive: one JSONL file plus a file that version 2 deletes; some stories have a wire copy."""
    rng = random.Random(11)
    rows = []
    for i in range(ARTICLES):
        paras = [" ".join(rng.choice(WORDS) for _ in range(10)).capitalize() + f" ({i}.{n})." for n in range(5)]
        rows.append({"id": f"gen-{i:04d}", "title": f"Story {i}", "source": rng.choice(["AP", "Reuters", "AFP"]),
                     "published": f"2024-0{1 + i % 9}-1{i % 10}", "text": "\n\n".join(paras)})
    for i in range(0, 40, 8):  # wire copies: same text, one number changed, a day later
        copy = dict(rows[i], id=f"copy-{i:04d}", source="Wire", published=rows[i]["published"][:-1] + "9")
        copy["text"] = copy["text"].replace(f"({i}.2)", f"({i}.2) 14 dead")
        rows.append(copy)
    gone = rows[-20:-10]
    rows = rows[:-20] + rows[-10:]
    if version == 2:
        for r in rows[40:60]:  # changed articles
            r["text"] = r["text"].replace(".", " and more.", 1)
        rows += [dict(r, id=f"new-{k}", text=r["text"] + " New.") for k, r in enumerate(rows[60:75])]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    extra = folder / "extra.jsonl"
    if version == 1:
        extra.write_text("\n".join(json.dumps(r) for r in gone) + "\n")
    elif extra.exists():
        extra.unlink()
    return folder


def env_for(index_dir):
    return {**os.environ, "RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1", "RAG_CHROMA_URL": ""}


def ingest(index_dir, archive, *extra_args, check=True):
    run = subprocess.run([sys.executable, "-m", "rag", "ingest", "--quiet", *extra_args, str(archive)], cwd=ROOT,
                         env=env_for(index_dir), capture_output=True, text=True, timeout=600)
    if check:
        assert run.returncode == 0, run.stderr[-2000:]
    return run


def committed(index_dir) -> tuple[int, int]:
    """(articles, generation) as a reader sees them; (0, 0) before the index exists."""
    db = index_dir / "archive.sqlite"
    if not db.exists():
        return 0, 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            n = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            g = con.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
            return n, int(g[0]) if g else 0
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0, 0


def ingest_and_kill(index_dir, archive, until, sig, *extra_args) -> str:
    """Start an ingest, wait until `until(index_dir)` holds, send `sig`; returns what was seen at the kill."""
    proc = subprocess.Popen([sys.executable, "-m", "rag", "ingest", "--quiet", *extra_args, str(archive)], cwd=ROOT,
                            env=env_for(index_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"ingest finished before the kill point: {proc.stderr.read()[-1000:]}")
            seen = until(index_dir)
            if seen:
                proc.send_signal(sig)
                proc.wait(timeout=120)
                return seen
            time.sleep(0.002)
        pytest.fail("kill point never reached")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def snapshot(index_dir) -> dict:
    """Everything that must match a clean run (not timestamps, not row order)."""
    import chromadb
    from chromadb.config import Settings

    con = sqlite3.connect(index_dir / "archive.sqlite")
    rows = {
        "articles": sorted(con.execute("SELECT id, hash, path, title, source, published, date_method, "
                                       "date_evidence, dateline, url, author, n_paragraphs FROM articles")),
        "paragraphs": sorted(con.execute("SELECT article_id, n, text, events FROM paragraphs")),
        "chunks": sorted(con.execute("SELECT id, article_id, paragraph, embed_text FROM chunks")),
        "stories": sorted(con.execute("SELECT article_id, story, hex(signature) FROM stories")),
    }
    con.close()
    client = chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=Settings(anonymized_telemetry=False))
    got = client.get_collection("paragraphs").get(include=["metadatas"])
    chroma = sorted((i, m["story"], m["hash"]) for i, m in zip(got["ids"], got["metadatas"]))
    bm25_ids = json.loads((index_dir / "bm25" / "ids.json").read_text())
    assert len(set(bm25_ids)) == len(bm25_ids), "duplicate BM25 ids"
    assert len({c[0] for c in chroma}) == len(chroma), "duplicate Chroma ids"
    return {**rows, "chroma": chroma, "bm25": sorted(bm25_ids)}


def check_cli(index_dir) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", "check"], cwd=ROOT, env=env_for(index_dir),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Clean runs of version 1 and version 2 of the archive, for comparison."""
    root = tmp_path_factory.mktemp("clean")
    out = {}
    for version in (1, 2):
        archive = make_archive(root / f"archive-v{version}", version)
        ingest(root / f"index-v{version}", archive)
        out[version] = (archive, snapshot(root / f"index-v{version}"))
    assert len(out[1][1]["articles"]) == ARCHIVE_V1_ARTICLES
    assert sum(1 for a, s, _ in out[1][1]["stories"] if a != s) == 5  # the five wire copies joined their story
    return out


ARCHIVE_V1_ARTICLES = ARTICLES + 5


def after_articles(n):
    return lambda d: (lambda c: c[0] >= n and f"{c[0]} articles committed")(committed(d))


def bm25_rebuilding(index_dir):
    return (index_dir / "bm25.tmp").exists() and "BM25 rebuild in progress"


KILL_POINTS = [
    ("SIGKILL after the first batch", after_articles(1), signal.SIGKILL),
    ("Ctrl-C (SIGINT) after the second batch", after_articles(80), signal.SIGINT),
    ("SIGKILL once every article is committed (stories/BM25 pending)", after_articles(ARCHIVE_V1_ARTICLES),
     signal.SIGKILL),
    ("SIGKILL during the BM25 rebuild", bm25_rebuilding, signal.SIGKILL),
]


@pytest.mark.parametrize("name,until,sig", KILL_POINTS, ids=[k[0] for k in KILL_POINTS])
def test_killed_ingest_then_rerun_equals_clean_run(tmp_path, clean, name, until, sig):
    archive, expected = clean[1]
    index_dir = tmp_path / "index"
    seen = ingest_and_kill(index_dir, archive, until, sig)
    print(f"{name}: killed at {seen}")
    ingest(index_dir, archive)
    assert snapshot(index_dir) == expected
    run = check_cli(index_dir)
    assert run.returncode == 0 and "consistent" in run.stdout, run.stdout + run.stderr


def test_killed_update_with_prune_then_rerun_equals_clean_run(tmp_path, clean):
    """Version 1 indexed; version 2 (20 changed, 15 new, a file of 10 deleted) killed mid-way; re-run; compare."""
    archive_v1, _ = clean[1]
    _, expected = clean[2]
    archive = tmp_path / "archive"
    shutil.copytree(archive_v1, archive)
    index_dir = tmp_path / "index"
    ingest(index_dir, archive)
    make_archive(archive, 2)
    start_generation = committed(index_dir)[1]
    seen = ingest_and_kill(index_dir, archive, lambda d: committed(d)[1] > start_generation and "first batch of "
                           "the update committed", signal.SIGKILL, "--prune")
    print(f"update: killed at {seen}")
    ingest(index_dir, archive, "--prune")
    got = snapshot(index_dir)
    # The clean run read the same files from another folder: paths differ, everything else must be identical.
    without_path = lambda snap: {**snap, "articles": [r[:2] + r[3:] for r in snap["articles"]]}  # noqa: E731
    assert without_path(got) == without_path(expected)
    assert check_cli(index_dir).returncode == 0


DAMAGE = """
import sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = client.get_collection("paragraphs")
victim = sys.argv[2]
got = col.get(ids=[victim], include=["embeddings", "metadatas"])
col.delete(ids=[victim])
col.add(ids=["gen-9999:1#0@000000000000"], embeddings=[got["embeddings"][0]],
        metadatas=[{**got["metadatas"][0], "article_id": "gen-9999", "hash": "000000000000"}])
"""


def test_check_reports_damage_and_ingest_repairs_it(tmp_path, clean):
    """Damage the index behind its back (orphan, missing chunk, no BM25); check says so; ingest repairs it."""
    archive, expected = clean[1]
    index_dir = tmp_path / "index"
    shutil.copytree(archive.parent / "index-v1", index_dir)
    # In a separate process, so this test process holds no Chroma client on the folder while others write to it.
    subprocess.run([sys.executable, "-c", DAMAGE, str(index_dir / "chroma"), expected["chroma"][0][0]], check=True,
                   env=env_for(index_dir), timeout=120)
    shutil.rmtree(index_dir / "bm25")
    run = check_cli(index_dir)
    assert run.returncode == 1
    assert "belong to no indexed article" in run.stdout and "not in Chroma" in run.stdout
    assert "BM25" in run.stdout and "Repair:" in run.stdout
    ingest(index_dir, archive)
    assert snapshot(index_dir) == expected


def test_second_ingest_is_refused_and_check_waits_while_one_runs(tmp_path, hash_embedder):
    """One ingest at a time per index: the second is refused with the first one's pid; check says to wait."""
    from rag.config import Config
    from rag.engine import build_engine
    from rag.errors import RagError
    from rag.ingest import ingest_lock

    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    with ingest_lock(engine.index.dir):
        with pytest.raises(RagError, match=f"Another ingest is running .*pid {os.getpid()}"):
            engine.ingest([ROOT / "archive"])
        assert "ingest is running now" in engine.index.check()[0]
    assert engine.ingest([ROOT / "archive"]).ok and engine.index.check() == []
