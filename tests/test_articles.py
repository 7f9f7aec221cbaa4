import gzip
import json

import pytest

from rag.articles import article_id_for
from rag.formats import find_files, parse_text, read_file
from rag.errors import ArticleError
from tests.conftest import ARCHIVE

AFP = ARCHIVE / "afp-2019-idleb-unilateral-ceasefire.txt"
REUTERS = ARCHIVE / "reuters-2019-06-idlib-ceasefire.txt"


def test_afp_seed_metadata_is_not_paragraphs():
    [a] = read_file(AFP).articles
    assert a.id == "afp-2019-idleb-unilateral-ceasefire"
    assert a.source == "AFP" and a.dateline == "Beirut"
    assert len(a.paragraphs) == 13
    assert a.paragraphs[0].startswith("The airstrikes on Idleb")
    assert a.paragraphs[-1].startswith("President Assad")
    assert not any("©" in p or p.startswith("Beirut") for p in a.paragraphs)
    assert a.title.startswith("The airstrikes on Idleb in northwestern Syria")


def test_afp_seed_is_dated_by_its_content():
    [a] = read_file(AFP).articles
    assert a.published == "2019-08-31"
    assert a.date_method == "text:weekday+month-day"


def test_reuters_seed_inline_date_header_and_source_line():
    [a] = read_file(REUTERS).articles
    assert a.published == "2019-06-12" and a.date_method == "stated"
    assert a.source == "Reuters"
    assert a.paragraphs[0].startswith("Russian news agencies are reporting")
    assert not any(p.startswith("Source:") or "date 2019" in p for p in a.paragraphs)
    assert a.paragraphs[-1].startswith("Since then, hundreds of thousands")


def test_explicit_headers():
    a = parse_text("title: Truce holds\nsource: Reuters\ndate: 2024-03-05\n\nBEIRUT (Reuters) - Guns fell silent."
                   "\n\nSecond paragraph.\n\n(c) 2024 Reuters", "x")
    assert (a.title, a.source, a.published, a.dateline) == ("Truce holds", "Reuters", "2024-03-05", "BEIRUT")
    assert a.paragraphs == ("Guns fell silent.", "Second paragraph.")


def test_content_hash_changes_with_text_only():
    a = parse_text("date 2024-03-05\n\nOne.\n\nTwo.", "x")
    b = parse_text("date 2024-03-05\n\nOne.\n\nTwo.", "x")
    c = parse_text("date 2024-03-05\n\nOne.\n\nTwo!", "x")
    assert a.content_hash == b.content_hash != c.content_hash


def test_jsonl_and_gz(tmp_path):
    rows = [{"id": "a1", "title": "T", "text": "Updated March 27, 2026, 5:53 p.m. ET\n\nPara one.\n\nPara two.",
             "source": "CNN", "published": "2026-03-27", "url": "https://x/2026/03/27/y"},
            {"id": "a2", "headline": "H", "body": "Only one.", "publisher": "AP"}]
    plain = tmp_path / "a.jsonl"
    plain.write_text("\n".join(json.dumps(r) for r in rows))
    packed = tmp_path / "b.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        arts = read_file(path).articles
        assert [a.id for a in arts] == ["a1", "a2"]
        assert arts[0].paragraphs == ("Para one.", "Para two.")  # the "Updated …" line is metadata
        assert arts[1].title == "H" and arts[1].source == "AP"


def test_jsonl_bad_lines_are_reported_with_line_numbers(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "ok", "text": "Fine."}\n[1, 2]\n{"id": "x"}\nnot json\n')
    result = read_file(f)
    assert [a.id for a in result.articles] == ["ok"]
    assert [e.line for e in result.errors] == [2, 3, 4]
    assert "bad.jsonl:3" in str(result.errors[1]) and "text" in str(result.errors[1])


@pytest.mark.parametrize("content,reason", [(b"", "empty"), (b"   \n\n", "empty"),
                                            (b"\x00\x01\x02binary\x00" * 10, "binary")])
def test_unusable_files_raise_naming_the_file(tmp_path, content, reason):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(ArticleError, match=reason) as e:
        read_file(f)
    assert "bad.txt" in str(e.value)


def test_non_utf8_is_decoded_with_a_note(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Caf\xe9 owners protested on Monday.".encode("latin-1"))
    result = read_file(f)
    assert result.articles[0].paragraphs[0] == "Café owners protested on Monday."
    assert "UTF-8" in result.notes[0] and "latin.txt" in result.notes[0]


def test_find_files_reports_missing_and_unsupported(tmp_path):
    (tmp_path / "a.txt").write_text("Text.")
    (tmp_path / "b.pdf").write_bytes(b"%PDF")
    files, errors, _ = find_files([tmp_path, tmp_path / "nope.txt", tmp_path / "b.pdf"])
    assert [f.name for f in files] == ["a.txt"]
    assert len(errors) == 2 and "no such file" in str(errors[0]) and "unsupported" in str(errors[1])


def test_file_size_limit(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("word " * 1000)
    with pytest.raises(ArticleError, match="limit"):
        read_file(f, max_bytes=100)


def test_article_ids_from_file_names(tmp_path):
    assert article_id_for(tmp_path / "My Story (final) é.txt") == "my-story-final-e"
    assert article_id_for(tmp_path / "x.jsonl.gz") == "x"
