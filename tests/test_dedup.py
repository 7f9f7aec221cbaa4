"""Wire copies and updated versions: grouped into stories at ingest, folded to one passage at retrieval."""
import random

import pytest

from rag import dedup
from rag.config import Config
from rag.present import also_reported
from rag.engine import build_engine

STORY = [
    "A powerful earthquake struck the coastal province early on Tuesday, collapsing homes and cutting power to "
    "thousands of residents, the national disaster agency said.",
    "At least 12 people were killed and 80 injured when buildings collapsed in the port city, officials said in a "
    "statement released at noon.",
    "Rescue teams were searching through the rubble of a market and a school, and the army sent helicopters with "
    "water, tents and medical supplies.",
    "The quake had a magnitude of 6.8 and was followed by several strong aftershocks, the geological survey reported.",
]
OTHER = [
    "The central bank left its main interest rate unchanged on Thursday, saying inflation was slowing faster than "
    "expected but that wages were still rising.",
    "Economists had expected the decision, although two members of the committee voted for a cut of a quarter point.",
    "The currency weakened slightly after the announcement and government bond yields fell to a three-month low.",
]


def article_text(date, paragraphs, source, title):
    return f"title: {title}\nsource: {source}\ndate {date}\n\n" + "\n\n".join(paragraphs)


def write_archive(folder):
    folder.mkdir()
    (folder / "ap-quake.txt").write_text(article_text("2024-05-01", STORY, "AP", "Quake kills 12"))
    reuters = [p.replace("early on Tuesday", "on Tuesday morning") for p in STORY]
    (folder / "reuters-quake.txt").write_text(article_text("2024-05-01", reuters, "Reuters", "Deadly quake"))
    update = [p.replace("At least 12 people", "At least 14 people") for p in STORY]
    update.append("Officials said the death toll was likely to rise as more bodies were recovered overnight.")
    (folder / "ap-quake-update.txt").write_text(article_text("2024-05-02", update, "AP", "Quake toll rises to 14"))
    (folder / "bank.txt").write_text(article_text("2024-05-02", OTHER, "AFP", "Bank holds rates"))
    return folder


def test_copies_group_and_unrelated_do_not():
    sigs = {"a": dedup.signature(STORY), "b": dedup.signature([p.replace("12", "14") for p in STORY]),
            "c": dedup.signature(OTHER)}
    assert dedup.group(sigs) == {"a": "a", "b": "a", "c": "c"}


def test_grouping_does_not_depend_on_order():
    texts = {f"id-{i}": [p + f" Extra sentence number {i} about nothing at all." for p in STORY] for i in range(6)}
    texts.update({f"other-{i}": [f"Paragraph {i} {p}" for p in OTHER] for i in range(3)})
    ids = list(texts)
    results = []
    for seed in range(3):
        random.Random(seed).shuffle(ids)
        results.append(dedup.group({i: dedup.signature(texts[i]) for i in ids}))
    assert results[0] == results[1] == results[2]
    assert {results[0][f"id-{i}"] for i in range(6)} == {"id-0"}


def test_short_articles_are_never_grouped():
    assert dedup.signature(["Storm hits the coast."]) == b""
    assert dedup.group({"x": b"", "y": b""}) == {"x": "x", "y": "y"}


def test_numbers_changed():
    assert dedup.numbers_changed("At least 12 people died.", "At least 14 people died.") == "12 → 14"
    assert dedup.numbers_changed("No numbers.", "No numbers either.") is None


@pytest.fixture
def engine(tmp_path, hash_embedder):
    engine = build_engine(Config.from_env(), embedder=hash_embedder, create=True)
    report = engine.ingest([write_archive(tmp_path / "archive")])
    assert report.ok, report.failed
    return engine


def test_stories_recorded_in_sqlite_and_chroma(engine):
    stories = engine.index.stories()
    assert stories["ap-quake"] == stories["reuters-quake"] == stories["ap-quake-update"] == "ap-quake"
    assert stories["bank"] == "bank"
    got = engine.index.collection.get(where={"article_id": "reuters-quake"}, include=["metadatas"])
    assert {m["story"] for m in got["metadatas"]} == {"ap-quake"}
    stats = engine.index.stats()
    assert stats["stories_with_copies"] == 1 and stats["articles_in_those_stories"] == 3
    assert engine.index.check() == []


def test_retrieval_returns_the_newest_version_with_the_copies(engine):
    passages = engine.searcher.retriever.retrieve("How many people were killed in the earthquake?", k=5)
    quake = [p for p in passages if "killed" in p.text]
    assert len(quake) == 1  # three copies of that paragraph fold into one
    [p] = quake
    assert p.article_id == "ap-quake-update" and "At least 14 people" in p.text
    assert {c.article_id for c in p.also} == {"ap-quake", "reuters-quake"}
    assert all(c.paragraph == 2 and "12 people" in c.text and c.differs == "12 → 14" for c in p.also)
    line = also_reported(p)
    assert "Also reported by" in line and "Reuters" in line and "ap-quake:2" in line
    assert "corrects an earlier one" in line and "12 → 14" in line
    # Every passage is a distinct paragraph, and no story paragraph appears twice under different copies.
    assert len({p.id for p in passages}) == len(passages)
    assert not {c.id for p in passages for c in p.also} & {p.id for p in passages}


def test_a_copy_arriving_later_joins_the_story_and_pruning_regroups(engine, tmp_path):
    folder = tmp_path / "archive"
    late = [p.replace("the national disaster agency said", "the agency said") for p in STORY]
    (folder / "zz-afp-quake.txt").write_text(article_text("2024-05-01", late, "AFP", "Earthquake"))
    engine.ingest([folder])
    assert engine.index.stories()["zz-afp-quake"] == "ap-quake"
    (folder / "ap-quake.txt").unlink()
    report = engine.ingest([folder], prune=True)
    assert report.removed == ["ap-quake"]
    stories = engine.index.stories()
    # The story's id was its smallest member's; with that one gone the next smallest names it.
    assert stories["zz-afp-quake"] == stories["reuters-quake"] == stories["ap-quake-update"] == "ap-quake-update"
    assert engine.index.check() == []  # Chroma metadata followed the new story id


def test_unchanged_reingest_changes_no_story(engine, tmp_path):
    before = engine.index.stories()
    generation = engine.index.generation()
    report = engine.ingest([tmp_path / "archive"])
    assert report.paragraphs == 0 and engine.index.stories() == before
    assert engine.index.generation() == generation  # nothing written at all
