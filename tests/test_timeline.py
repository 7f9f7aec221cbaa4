"""Timelines: dated events about a topic in order, one per event, each cited; the CLI's text and JSON output.

Unit tests use the tiny embedder over the seed archive; the integration tests at the end use the real model."""
import json
from datetime import date

import pytest

from rag.errors import QuestionError
from rag.timeline import TimelineEvent, timeline, trim

AFP = "afp-2019-idleb-unilateral-ceasefire"
REUTERS = "reuters-2019-06-idlib-ceasefire"


def find(events: list[TimelineEvent], start: date, end: date | None = None) -> list[TimelineEvent]:
    return [e for e in events if e.start == start and (end is None or e.end == end)]


def test_events_come_in_date_order_with_citations(seed_engine):
    events = timeline(seed_engine, "Idlib ceasefire")
    assert events == sorted(events, key=lambda e: (e.start, e.end))
    for e in events:
        assert e.date_text in e.citation.quote and e.citation.quote in e.citation.text
        assert e.citation.article_id in (AFP, REUTERS) and e.citation.published in ("2019-08-31", "2019-06-12")
    numbers = [c.n for e in events for c in (e.citation, *e.also)]
    assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1))


def test_the_same_event_reported_twice_is_one_entry(seed_engine):
    events = timeline(seed_engine, "Idlib ceasefire")
    # 31 August: "on Saturday morning" (paragraphs 1 and 4), "6:00 am (0300 GMT)", "6:00 am on August 31"
    truce = find(events, date(2019, 8, 31))
    assert len(truce) == 1
    assert {c.paragraph for c in (truce[0].citation, *truce[0].also)} >= {1, 5}
    assert truce[0].time == "06:00" and truce[0].date_text == "6:00 am on August 31"
    # September 2018: the Sochi memorandum (Reuters) and the "demilitarized zone" (AFP) are one agreement
    sochi = find(events, date(2018, 9, 1), date(2018, 9, 30))
    assert len(sochi) == 1 and {sochi[0].citation.article_id, *(c.article_id for c in sochi[0].also)} == {AFP, REUTERS}


def test_different_days_stay_apart(seed_engine):
    events = timeline(seed_engine, "Idlib ceasefire")
    announced, started = find(events, date(2019, 8, 30)), find(events, date(2019, 8, 31))
    assert len(announced) == 1 and announced[0].date_text == "on Friday" and len(started) == 1


def test_labels_say_how_precise_the_date_is(seed_engine):
    events = timeline(seed_engine, "Idlib ceasefire")
    labels = {e.date_text: e.label for e in events}
    assert labels["early in August"] == "early August 2019"
    assert labels["Since the end of April"] == "since April 2019"
    assert labels["on August 8th"] == "Thursday 8 August 2019"
    assert labels["6:00 am on August 31"] == "Saturday 31 August 2019, 06:00"
    assert labels["In September 2018"] == "September 2018"


def test_year_labels():
    from rag.answer import Citation
    c = Citation(1, "a", 1, "t", None, None, "unknown", "x", "x")
    assert TimelineEvent(date(2013, 1, 1), date(2013, 12, 31), None, "year", "in 2013", "x", c, "").label == "2013"
    assert TimelineEvent(date(2011, 1, 1), date(2011, 4, 30), None, "year", "early 2011", "x", c, "").label == \
        "early 2011"


def test_a_date_in_the_topic_keeps_only_events_in_it(seed_engine):
    events = timeline(seed_engine, "Idlib ceasefire in 2019")
    assert events and all(e.start.year == 2019 for e in events)
    assert find(events, date(2019, 8, 31)) and not find(events, date(2018, 9, 1))
    august = timeline(seed_engine, "Idlib ceasefire in August 2019")
    assert august and all(e.start.month == 8 for e in august)


def test_an_article_headed_by_the_topic_gives_all_its_dated_paragraphs(seed_engine):
    # the fewest paragraphs that find both articles; the AFP article's other dated paragraphs come along
    k = next(k for k in range(1, 29) if {p.article_id for p in seed_engine.searcher.retriever.retrieve("Idlib ceasefire", k)}
             == {AFP, REUTERS})
    retrieved = {p.id for p in seed_engine.searcher.retriever.retrieve("Idlib ceasefire", k)}
    assert f"{AFP}:7" not in retrieved and f"{AFP}:12" not in retrieved, "pick paragraphs retrieval leaves out"
    events = timeline(seed_engine, "Idlib ceasefire", k=k)
    assert find(events, date(2019, 8, 8)) and find(events, date(2019, 8, 1), date(2019, 8, 10))


def test_a_dateline_or_update_stamp_is_no_event(seed_engine, archive_copy):
    (archive_copy / "update.txt").write_text(
        "date 2019-09-02\n\nIdlib ceasefire holds despite shelling\n\nSept. 2, 2019 Updated Sept. 2, 2019, 10:38 a.m.\n\n"
        "The Idlib ceasefire held on Sunday, a monitor said, although artillery fire continued near Khan Cheikhoun.\n")
    assert seed_engine.ingest([archive_copy]).ok
    mine = [e for e in timeline(seed_engine, "Idlib ceasefire") if e.citation.article_id == "update"]
    assert [(e.start, e.date_text) for e in mine] == [(date(2019, 9, 1), "on Sunday")]


def test_a_topic_the_archive_does_not_cover_has_no_events(seed_engine):
    assert timeline(seed_engine, "Libya ceasefire") == []
    assert timeline(seed_engine, "Eurovision Song Contest") == []


def test_an_empty_topic_is_a_clear_error(seed_engine):
    with pytest.raises(QuestionError):
        timeline(seed_engine, "   ")


def test_only_sentences_about_the_topic_count_in_articles_about_something_else(seed_engine, archive_copy):
    (archive_copy / "football.txt").write_text(
        "date 2019-09-02\n\nCity beat United 3-1 on Sunday in a league match watched by 50,000 fans.\n\n"
        "In other news, officials said the Idlib ceasefire held on Monday despite some artillery fire.\n\n"
        "The league resumes on September 14 after the international break.\n")
    assert seed_engine.ingest([archive_copy]).ok
    events = timeline(seed_engine, "Idlib ceasefire")
    football = [e for e in events if e.citation.article_id == "football"]
    assert [(e.start, e.date_text) for e in football] == [(date(2019, 9, 2), "on Monday")]


def test_trim_keeps_the_date_words_in_view():
    sentence = " ".join(["word"] * 80) + " began on August 8th against the province " + " ".join(["tail"] * 40)
    short = trim(sentence, "on August 8th", limit=120)
    assert "on August 8th" in short and len(short) <= 125
    assert short.startswith("…") and short.endswith("…")
    assert trim("A short  sentence\non two lines.", "x") == "A short sentence on two lines."


# --- integration: the real model, the CLI ----------------------------------------------------------------

@pytest.fixture(scope="module")
def real_index(tmp_path_factory, real_embedder):
    """The seed archive indexed with the real bundled model (one folder for the module)."""
    import shutil

    from rag.config import Config
    from rag.engine import build_engine
    from tests.conftest import ARCHIVE

    root = tmp_path_factory.mktemp("timeline")
    shutil.copytree(ARCHIVE, root / "archive")
    engine = build_engine(Config.from_env(index_dir=root / "index"), embedder=real_embedder, create=True)
    assert engine.ingest([root / "archive"]).ok
    return engine


def test_idlib_ceasefire_timeline_with_the_real_model(real_index):
    events = timeline(real_index, "Idlib ceasefire")
    wanted = [  # (start, end, article, words in the cited sentence)
        (date(2018, 9, 1), date(2018, 9, 30), None, "September 2018"),  # the Sochi agreement
        (date(2019, 6, 12), date(2019, 6, 12), REUTERS, "ceasefire"),  # the June ceasefire
        (date(2019, 8, 1), date(2019, 8, 10), AFP, "truce deal early in August"),  # the early-August truce
        (date(2019, 8, 8), date(2019, 8, 8), AFP, "ground offensive"),
        (date(2019, 8, 31), date(2019, 8, 31), AFP, "ceasefire"),  # the 31 August truce
    ]
    positions = []
    for start, end, article, words in wanted:
        matches = [i for i, e in enumerate(events) if (e.start, e.end) == (start, end)]
        assert len(matches) == 1, (start, [(e.start, e.date_text) for e in events])
        e = events[matches[0]]
        assert words in e.citation.quote and (article is None or e.citation.article_id == article)
        assert e.citation.text.startswith(e.citation.quote[:20]) or e.citation.quote in e.citation.text
        positions.append(matches[0])
    assert positions == sorted(positions)
    sochi = events[positions[0]]
    assert REUTERS in {sochi.citation.article_id, *(c.article_id for c in sochi.also)}


def test_cli_timeline_json_and_text(real_index, monkeypatch, capsys):
    from rag.cli import main

    monkeypatch.setenv("RAG_INDEX_DIR", str(real_index.config.index_dir))
    assert main(["timeline", "--json", "Idlib", "ceasefire"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "Idlib ceasefire" and len(data["events"]) >= 5
    dates = [e["date"] for e in data["events"]]
    assert dates == sorted(dates) and "2019-08-08" in dates
    offensive = next(e for e in data["events"] if e["date"] == "2019-08-08")
    assert offensive["date_text"] == "on August 8th" and "ground offensive" in offensive["text"]
    assert offensive["citation"]["article_id"] == AFP and offensive["citation"]["paragraph"] == 7
    assert offensive["citation"]["date_method"] == "text:weekday+month-day"
    assert "Saturday" in offensive["citation"]["date_evidence"]

    assert main(["ask", "--json", "When did Assad's forces begin the ground offensive?"]) == 0
    ask = json.loads(capsys.readouterr().out)
    assert set(ask["citations"][0]) == set(offensive["citation"])  # the same citation fields as ask
    assert ask["citations"][0]["date_evidence"] == offensive["citation"]["date_evidence"]

    assert main(["timeline", "Idlib", "ceasefire"]) == 0
    text = capsys.readouterr().out
    assert "2019-08-08  Thursday 8 August 2019 (\"on August 8th\")" in text and "Sources:" in text
    assert main(["timeline", "Eurovision"]) == 0
    assert "no dated events" in capsys.readouterr().out
