"""Bad input: each bad file gets one line naming it (and the line), the others are ingested, the index stays intact."""
import json
import os
import subprocess
import sys

import pytest

from rag.formats import read_file
from rag.config import Config
from rag.engine import build_engine
from rag.errors import ArticleError
from tests.conftest import ARCHIVE, ROOT

GOOD = "date 2024-05-0{n}\n\nThe {what} story says something specific about the harbour on day {n}.\n\nMore detail."
ODD_NAMES = ["with spaces in name.txt", "café ünïcode 東京.txt", "semi;colon & $(echo pwned) `x` 'q' \"d\" *.txt"]


def messy_folder(root):
    """A folder holding every kind of bad input next to good files; returns (folder, outside)."""
    folder = root / "messy"
    folder.mkdir()
    for n, name in enumerate(ODD_NAMES, start=1):
        (folder / name).write_text(GOOD.format(n=n, what=name.split()[0]))
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("date 2024-05-09\n\nThe caf\xe9 on the quay reopened on Monday.".encode("cp1252"))
    (folder / "lines.jsonl").write_text("\n".join([
        json.dumps({"id": "ok-line", "text": "A line that is fine about the ferry timetable."}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "no-text", "title": "Only a title"}),
        "{broken json",
    ]) + "\n")
    with open(folder / "huge.txt", "wb") as f:  # 200 MB, sparse: instant to make, refused by size
        f.truncate(200 * 1024 * 1024)
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 15_000 + "<p>deep</p>" + "</div>" * 15_000
                                      + "</body></html>")
    (folder / "huge.html").write_text("<html><body>" + "<p>x</p>" * 60_000 + "</body></html>")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("The secret outside the archive must never be indexed.")
    os.symlink(outside / "secret.txt", folder / "link-out.txt")
    os.symlink(outside, folder / "linked-folder")
    return folder, outside


EXPECTED_FAILURES = {  # file -> words its one line must contain
    "binary.txt": "binary",
    "empty.txt": "empty",
    "lines.jsonl:2": "expected a JSON object",
    "lines.jsonl:3": "no article text",
    "lines.jsonl:4": "not valid JSON",
    "huge.txt": "RAG_MAX_FILE_MB",
    "deep.html": "no article text found in the HTML",
    "huge.html": "tags",
    "link-out.txt": "symbolic link",
    "linked-folder": "symbolic link",
}


@pytest.fixture
def engine(hash_embedder):
    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    assert engine.ingest([ARCHIVE]).ok
    return engine


def test_messy_folder_each_failure_named_others_ingested_index_intact(tmp_path, engine):
    folder, _ = messy_folder(tmp_path)
    before = {a.id: a.hash for a in engine.index.articles()}
    report = engine.ingest([ARCHIVE, folder])
    assert not report.ok
    lines = [str(e) for e in report.failed]
    assert len(lines) == len(EXPECTED_FAILURES), lines
    for where, words in EXPECTED_FAILURES.items():
        [line] = [x for x in lines if f"{where}:" in x.replace(str(folder) + "/", "")]
        assert words in line and "\n" not in line
    # The good ones (odd names, the Windows-1252 file, the good JSONL line) are in, with a note for the decode.
    ids = {a.id for a in engine.index.articles()}
    assert {"with-spaces-in-name", "cafe-unicode", "latin1", "ok-line"} <= ids
    assert any(i.startswith("semi-colon-echo-pwned") for i in ids)
    assert engine.index.paragraph("latin1", 1)[0] == "The café on the quay reopened on Monday."
    assert any("latin1.txt" in n and "UTF-8" in n for n in report.notes)
    # Nothing from outside the archive; what was there before is untouched and the index is consistent.
    assert not any("secret" in (a.title or "").lower() for a in engine.index.articles())
    assert all(before[i] == engine.index.article(i).hash for i in before)
    assert engine.index.check() == []


def test_200_mb_file_is_refused_quickly_with_the_limit_named(tmp_path):
    f = tmp_path / "big.jsonl"
    with open(f, "wb") as out:
        out.truncate(200 * 1024 * 1024)
    with pytest.raises(ArticleError) as e:
        read_file(f, max_bytes=int(Config.from_env().max_file_mb * 1e6))
    assert "big.jsonl" in str(e.value) and "210 MB" in str(e.value) and "20 MB limit" in str(e.value)


def test_limit_is_configurable(tmp_path, monkeypatch, hash_embedder):
    (tmp_path / "a.txt").write_text("word " * 300_000)  # 1.5 MB
    monkeypatch.setenv("RAG_MAX_FILE_MB", "1")
    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    report = engine.ingest([tmp_path / "a.txt"])
    assert "1 MB limit" in str(report.failed[0])


def test_gzip_that_unpacks_too_far_is_refused(tmp_path):
    import gzip
    f = tmp_path / "bomb.jsonl.gz"
    f.write_bytes(gzip.compress(b" " * 5_000_000))
    with pytest.raises(ArticleError, match="unpacks to more than"):
        read_file(f, max_bytes=100_000)


def test_cli_lists_failures_one_line_each_and_exits_non_zero(tmp_path, index_dir):
    """The real command: one line per failure naming the file, a summary, exit status 1."""
    folder, _ = messy_folder(tmp_path)
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir)}
    run = subprocess.run([sys.executable, "-m", "rag", "ingest", "--quiet", str(folder)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    failed = [x for x in run.stderr.splitlines() if x.startswith("failed: ")]
    assert len(failed) == len(EXPECTED_FAILURES)
    assert any("semi;colon & $(echo pwned)" not in x for x in failed)
    assert any(x.startswith("warning: ") and "latin1.txt" in x for x in run.stderr.splitlines())
    assert f"{len(EXPECTED_FAILURES)} failed" in run.stdout and "5 added" in run.stdout
    assert not (tmp_path / "pwned").exists()


def test_prune_keeps_articles_of_a_file_that_now_fails_to_read(tmp_path, hash_embedder):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "story.txt").write_text(GOOD.format(n=1, what="harbour"))
    (folder / "lines.jsonl").write_text(json.dumps({"id": "kept-line", "text": "The ferry resumed service."}) + "\n")
    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    assert engine.ingest([folder]).ok
    (folder / "story.txt").write_bytes(b"\x00" * 100)  # corrupted after it was indexed
    (folder / "lines.jsonl").write_text('{"id": "kept-line", "text": ""}\n')  # a line gone bad
    report = engine.ingest([folder], prune=True)
    assert len(report.failed) == 2 and report.removed == []
    assert {a.id for a in engine.index.articles()} == {"story", "kept-line"}
    assert engine.index.check() == []
