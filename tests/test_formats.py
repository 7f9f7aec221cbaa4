"""Every archive format loads with its metadata: Markdown, JSON (object/array/nested), JSONL(.gz), HTML, RSS, Atom."""
import gzip
import json
import shutil

import pytest

from rag.formats import find_files, read_file
from rag.errors import ArticleError
from tests.conftest import DATA

FORMATS = DATA / "formats"


def test_markdown_front_matter_and_headings_are_metadata():
    [a] = read_file(FORMATS / "story.md").articles
    assert a.id == "story"
    assert (a.title, a.source, a.published, a.author) == (
        "Floodwaters recede in the river valley", "Valley Herald", "2024-04-18", "Mina Ortiz")
    assert a.url == "https://valleyherald.example/2024/04/18/floodwaters-recede"
    assert a.paragraphs == (
        "Floodwaters began to recede on Thursday after three days of rain, the county emergency office said.",
        "About 40 homes were damaged and 120 residents spent the night in shelters.",
        "Schools reopen on Monday.")


def test_markdown_first_heading_is_the_title():
    [a] = read_file(FORMATS / "headline.md").articles
    assert a.title == "Council approves new bike lanes"
    assert a.paragraphs[0].startswith("The city council voted 7-2")
    assert len(a.paragraphs) == 2


def test_multihop_rag_corpus_array_loads_as_is():
    arts = read_file(FORMATS / "multihop.json").articles
    assert [a.title for a in arts] == ["Chipmaker unveils faster AI accelerator", "League fines club over fan violence"]
    first = arts[0]
    assert (first.source, first.published, first.author) == ("TechWire", "2023-11-27", "Lee Park")
    assert first.paragraphs[1] == "Shipments begin in the first quarter of next year."
    # No id field: the id is derived from the URL, so it is the same on every run.
    assert first.id == read_file(FORMATS / "multihop.json").articles[0].id and len(first.id) == 12


def test_single_json_object_with_alternative_field_names():
    [a] = read_file(FORMATS / "single.json").articles
    assert (a.id, a.title, a.source, a.published, a.url) == (
        "harbor-2024", "Harbor reopens after storm", "Coast News", "2024-02-09", "https://coast.example/harbor")
    assert len(a.paragraphs) == 2


def test_realtimeqa_search_results_layout():
    result = read_file(FORMATS / "realtimeqa_gcs.jsonl")
    assert not result.errors
    assert [a.title for a in result.articles] == [
        "Door plug found in a backyard", "Jets grounded for inspection", "Senate passes stopgap bill"]
    door = result.articles[0]
    assert door.published == "2024-01-09" and door.author == "Ana Diaz, Bo Chen"
    assert door.source == "news.example"  # no publisher field: the site's name


def test_realtimeqa_benchmark_layout_gz(tmp_path):
    rows = [{"id": "000300e93752", "url": "https://www.usatoday.com/story/money/2023/01/11/irs/1/",
             "title": "IRS backlog smaller", "source": "USA TODAY", "published": "2023-01-11",
             "text": "Jan. 11, 2023 Updated Jan. 12, 2023, 11:26 a.m. ET\n\nThe IRS backlog shrank.\n\nMore text."},
            {"id": "0003", "url": "https://www.cnn.com/2026/01/05/x", "title": "T", "source": "CNN",
             "published": None, "text": "CNN —\n\nA CNN story."}]
    f = tmp_path / "articles.jsonl.gz"
    f.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in rows).encode()))
    arts = read_file(f).articles
    assert [a.id for a in arts] == ["000300e93752", "0003"]
    assert arts[0].paragraphs == ("The IRS backlog shrank.", "More text.")
    assert arts[1].paragraphs == ("A CNN story.",) and arts[1].published == "2026-01-05"  # dated by its URL


def test_html_page_main_text_and_metadata_without_scripts_menus_ads():
    [a] = read_file(FORMATS / "page.html").articles
    assert a.id == "page"
    assert (a.title, a.source, a.published, a.author) == ("Truce holds in the north", "Example News", "2024-03-05",
                                                          "Jane Roe")
    assert a.url == "https://news.example/2024/03/05/truce-holds"
    assert a.paragraphs == (
        "Guns fell silent across the north on Tuesday as a truce brokered by Russia and Turkey took hold, "
        "residents said.",
        "The ceasefire followed three months of bombing that killed more than 950 civilians, according to a monitor.",
        "Aid convoys were expected to reach the area later in the week, officials said.")
    text = " ".join(a.paragraphs)
    for junk in ("ADVERTISEMENT", "Buy the new phone", "Home", "Ten things", "Copyright", "Cookie"):
        assert junk not in text


def test_rss_feed_one_article_per_entry():
    result = read_file(FORMATS / "wire.rss")
    assert [a.title for a in result.articles] == ["Wheat prices jump after export ban", "Port strike ends"]
    wheat = result.articles[0]
    assert wheat.source == "Example Wire" and wheat.published == "2024-05-02"
    assert wheat.url == "https://wire.example/2024/05/02/wheat"
    assert wheat.paragraphs == ("Wheat futures rose 6 percent on Thursday after the export ban was announced.",
                                "Traders expect bread prices to follow within weeks.")
    assert result.articles[1].paragraphs == ("Dock workers returned to work on Friday after a five-day strike.",)
    assert "Headline only" in result.notes[0] and "wire.rss" in result.notes[0]  # a title-only entry is skipped
    assert len({a.id for a in result.articles}) == 2 and all(a.id.startswith("wire-") for a in result.articles)
    assert [a.id for a in read_file(FORMATS / "wire.rss").articles] == [a.id for a in result.articles]


def test_atom_feed():
    [a] = read_file(FORMATS / "alerts.atom").articles
    assert (a.title, a.source, a.published, a.author) == ("Water main repaired", "City Alerts", "2024-06-10",
                                                          "Public Works")
    assert a.paragraphs == ("Crews repaired the broken water main on Elm Street overnight.",
                            "Service was restored by 6 a.m.")


def test_xml_that_is_not_a_feed_is_refused(tmp_path):
    f = tmp_path / "config.xml"
    f.write_text("<config><setting name='a'>1</setting></config>")
    with pytest.raises(ArticleError, match="not an RSS or Atom feed"):
        read_file(f)


def test_folder_of_every_format_is_found(tmp_path):
    shutil.copytree(FORMATS, tmp_path / "mixed")
    files, errors, _ = find_files([tmp_path / "mixed"])
    assert not errors
    assert sorted(f.name for f in files) == sorted(p.name for p in FORMATS.iterdir())


def test_every_format_ingests_and_answers(tmp_path, hash_embedder):
    """The whole folder through the engine: every article indexed, consistent, retrievable."""
    from rag.config import Config
    from rag.engine import build_engine

    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    report = engine.ingest([FORMATS])
    assert report.ok, report.failed
    assert len(report.added) == 1 + 1 + 2 + 1 + 3 + 1 + 1 + 2  # atom, md, json array, html, gcs, json, md, rss
    assert engine.index.check() == []
    hits = engine.searcher.retriever.retrieve("wheat futures export ban", k=3)
    assert hits[0].title == "Wheat prices jump after export ban"
    again = engine.ingest([FORMATS])
    assert again.paragraphs == 0 and len(again.unchanged) == len(report.added)


def test_realtimeqa_weeks_repeat_search_results_without_failing(tmp_path, hash_embedder):
    """The same URL in several weekly files: the same text is one article; changed text keeps the first, noted."""
    from rag.config import Config
    from rag.engine import build_engine

    week = (FORMATS / "realtimeqa_gcs.jsonl").read_text()
    (tmp_path / "20240112_gcs.jsonl").write_text(week)
    (tmp_path / "20240119_gcs.jsonl").write_text(week.replace("averting a shutdown", "averting a government shutdown"))
    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    report = engine.ingest([tmp_path])
    assert report.ok and len(report.added) == 3
    assert len(report.notes) == 1 and "news.example/2024/01/10/senate" in report.notes[0]
    assert "20240119_gcs.jsonl" in report.notes[0] and "kept the one from" in report.notes[0]
