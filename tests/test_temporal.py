"""Dates in questions: the range a question names, fitting event and publication dates to it, re-ranking
retrieved passages, the as-of date, a second fitting event in "when" answers, and temporal rows in `eval`."""
import json
from dataclasses import replace
from datetime import date

import pytest

from rag import temporal
from rag.dates import EventDate, find_event_dates
from rag.answerers.extractive import ExtractiveAnswerer
from rag.errors import RagError
from rag.evaluate import evaluate, format_report, load_gold, score_turn
from rag.retrieve import Passage
from rag.search import Searcher, dated
from rag.temporal import DateHint, apply_date_hint, fit, passage_fit, published_fit, question_date_hint

JUNE_2019 = DateHint(date(2019, 6, 1), date(2019, 6, 30), None, "in June 2019")
AUGUST = DateHint(None, None, 8, "August")


def passage(name: str, score: float, published: str | None = None, *events: tuple[str, str]) -> Passage:
    return Passage(name, 1, f"text of {name}", score, 0.0, name, "AFP", published,
                   "stated" if published else "unknown",
                   tuple(EventDate("x", date.fromisoformat(s), date.fromisoformat(e), "month-day", None, 0, 1)
                         for s, e in events))


# --- question hints --------------------------------------------------------------------------------

AS_OF = date(2024, 3, 5)


@pytest.mark.parametrize("question, hint", [
    ("What happened in Idlib in June 2019?", DateHint(date(2019, 6, 1), date(2019, 6, 30), None, "in June 2019")),
    ("Who attacked Idlib in 2018?", DateHint(date(2018, 1, 1), date(2018, 12, 31), None, "in 2018")),
    ("What was agreed on June 7, 2019?", DateHint(date(2019, 6, 7), date(2019, 6, 7), None, "on June 7, 2019")),
    ("What happened last week?", DateHint(date(2024, 2, 26), date(2024, 3, 3), None, "last week")),
    ("What happened this week?", DateHint(date(2024, 3, 4), date(2024, 3, 10), None, "this week")),
    ("Who was killed yesterday?", DateHint(date(2024, 3, 4), date(2024, 3, 4), None, "yesterday")),
    ("What is happening today?", DateHint(date(2024, 3, 5), date(2024, 3, 5), None, "today")),
    ("What did Russia announce on Monday?", DateHint(date(2024, 3, 4), date(2024, 3, 4), None, "on Monday")),
    ("How many died since 2011?", DateHint(date(2011, 1, 1), date(2024, 3, 5), None, "since 2011")),
    ("Why did the August truce fail?", DateHint(None, None, 8, "August")),
    ("What did the regime cancel in August?", DateHint(None, None, 8, "in August")),
    ("What started on August 31?", DateHint(None, None, 8, "on August 31")),
    ("What was the 2018 Sochi deal?", DateHint(date(2018, 1, 1), date(2018, 12, 31), None, "2018")),
])
def test_question_date_hint(question, hint):
    assert question_date_hint(question, AS_OF) == hint


@pytest.mark.parametrize("question", ["When did the offensive start?", "May I ask who controls Idlib?",
                                      "How many people fled, about 400,000?"])
def test_questions_without_date_words(question):
    assert question_date_hint(question, AS_OF) is None


# --- fit ---------------------------------------------------------------------------------------------

def test_a_day_inside_the_range_fits_fully_and_outside_not_at_all():
    assert fit(date(2019, 6, 12), date(2019, 6, 12), JUNE_2019) == 1.0
    assert fit(date(2019, 7, 1), date(2019, 7, 1), JUNE_2019) == 0.0
    assert fit(date(2018, 6, 12), date(2018, 6, 12), JUNE_2019) == 0.0


def test_a_long_range_fits_by_the_share_of_its_days_inside():
    assert fit(date(2019, 6, 21), date(2019, 7, 10), JUNE_2019) == pytest.approx(10 / 20)
    # "since early 2011" (to June 2019) is barely about June 2019
    assert fit(date(2011, 1, 1), date(2019, 6, 12), JUNE_2019) < 0.01


def test_a_month_without_a_year_fits_that_month_of_any_year():
    assert fit(date(2019, 8, 8), date(2019, 8, 8), AUGUST) == 1.0
    assert fit(date(2004, 8, 1), date(2004, 8, 10), AUGUST) == 1.0
    assert fit(date(2019, 7, 27), date(2019, 8, 5), AUGUST) == pytest.approx(5 / 10)
    assert fit(date(2019, 6, 12), date(2019, 6, 12), AUGUST) == 0.0
    assert fit(date(2011, 1, 1), date(2019, 8, 31), AUGUST) == 0.0  # years long: says nothing about a month


def test_publication_fits_in_the_range_or_a_week_after_it():
    assert published_fit(date(2019, 6, 12), JUNE_2019)
    assert published_fit(date(2019, 7, 7), JUNE_2019)  # "on Sunday" read in the next week's paper
    assert not published_fit(date(2019, 7, 8), JUNE_2019)
    assert not published_fit(date(2019, 5, 31), JUNE_2019)
    assert published_fit(date(2019, 9, 3), AUGUST) and not published_fit(date(2019, 9, 20), AUGUST)


def test_passage_fit_reads_stored_events_and_publication():
    p = passage("a", 1.0, "2019-08-31", ("2019-06-12", "2019-06-12"), ("2019-08-31", "2019-08-31"))
    assert passage_fit(p, JUNE_2019) == (1.0, False)
    assert passage_fit(passage("b", 1.0), JUNE_2019) == (0.0, None)  # undated


# --- re-ranking ----------------------------------------------------------------------------------------

BOTH = 1 + temporal.EVENT_BOOST + temporal.PUBLISHED_BOOST  # an event and the publication in range


def test_a_passage_dated_in_the_range_moves_above_better_scored_ones_dated_elsewhere():
    fits = 0.030 / BOTH * 1.1  # below the other before the boost, above it after
    passages = [passage("elsewhere", 0.030, "2019-08-31", ("2019-08-30", "2019-08-30")),
                passage("fits", fits, "2019-06-12", ("2019-06-12", "2019-06-12")),
                passage("late", 0.010, "2020-01-01")]
    ranked = apply_date_hint(passages, JUNE_2019, 2)
    assert [p.article_id for p in ranked] == ["fits", "elsewhere"]
    assert ranked[0].score == pytest.approx(fits * BOTH)
    assert ranked[1].score == 0.030  # not boosted, not punished
    assert [p.article_id for p in apply_date_hint(passages, JUNE_2019, 2, event_boost=0, published_boost=0)] == [
        "elsewhere", "fits"]


def test_undated_passages_keep_their_score_and_place_against_misdated_ones():
    passages = [passage("undated", 0.030), passage("misdated", 0.029, "2018-01-01", ("2018-01-01", "2018-01-01")),
                passage("fits", 0.005, "2019-06-12")]
    ranked = apply_date_hint(passages, JUNE_2019, 3)
    assert [p.article_id for p in ranked] == ["undated", "misdated", "fits"]
    assert ranked[0].score == 0.030


def test_an_event_and_the_publication_in_range_boost_more_than_either_alone():
    passages = [passage("published", 0.020, "2019-06-12"),
                passage("event", 0.020, "2019-08-31", ("2019-06-10", "2019-06-10")),
                passage("both", 0.020 / BOTH * (1 + temporal.EVENT_BOOST) * 1.01, "2019-06-12",
                        ("2019-06-10", "2019-06-10"))]
    assert apply_date_hint(passages, JUNE_2019, 1)[0].article_id == "both"
    # with one signal switched off, the passage that has only the other one is not boosted
    assert [p.article_id for p in apply_date_hint(passages, JUNE_2019, 3, event_boost=0.0)][:2] == [
        "published", "both"]


def test_no_hint_or_an_empty_hint_changes_nothing():
    passages = [passage(str(i), 1.0 / (i + 1), "2019-06-12") for i in range(8)]
    assert apply_date_hint(passages, None, 5) == passages[:5]
    assert apply_date_hint(passages, DateHint(None, None, None, "x"), 5) == passages[:5]


def test_ties_keep_the_retrieval_order():
    passages = [passage(str(i), 0.01, "2019-06-12") for i in range(4)]
    assert [p.article_id for p in apply_date_hint(passages, JUNE_2019, 4)] == ["0", "1", "2", "3"]


class RecordingRetriever:
    """Returns fixed passages and records the k it was asked for (the re-ranking is what is tested)."""
    candidates = 40

    def __init__(self, passages):
        self.passages, self.calls = passages, []

    def retrieve(self, query, k, filters=None):
        self.calls.append(k)
        return self.passages[:k]


def test_a_question_without_a_date_keeps_the_retrieval_order():
    ps = [passage(str(i), 1.0 / (i + 1)) for i in range(50)]
    assert dated("Who brokered the ceasefire?", ps, None) == ps


def test_relative_words_are_read_as_of_the_given_day():
    far = [passage(f"old{i}", 0.03 - i * 0.0001, "2019-06-12") for i in range(20)]
    recent = passage("recent", 0.03 / BOTH * 1.1, "2019-09-01", ("2019-08-30", "2019-08-30"))
    assert dated("What did the army announce last week?", far + [recent], date(2019, 9, 5))[0].article_id == "recent"
    # read as of another day, "last week" is another week: nothing is boosted
    assert dated("What did the army announce last week?", far + [recent], date(2026, 1, 8))[:5] == far[:5]


def test_an_as_of_day_puts_that_week_first_when_the_question_names_no_date():
    far = [passage(f"old{i}", 0.03 - i * 0.0001, "2019-06-12") for i in range(20)]
    recent = passage("recent", 0.03 / BOTH * 1.1, "2019-09-01", ("2019-08-30", "2019-08-30"))
    assert dated("What did the army announce?", far + [recent], date(2019, 9, 3))[0].article_id == "recent"
    assert dated("What did the army announce?", far + [recent], None)[:5] == far[:5]  # no as-of day: as retrieved


def test_a_question_about_this_week_reads_only_the_weeks_stories():
    old = [passage(f"old{i}", 1.0, "2023-11-02") for i in range(3)]
    week = [passage("week1", 0.5, "2026-06-04"), passage("week2", 0.4, "2026-05-25"), passage("undated", 0.3)]
    asked = date(2026, 6, 5)
    names = lambda q, ps, k=8: [p.article_id for p in temporal.this_weeks_news(q, ps, asked, k)]
    assert names("Which former first lady released a memoir this week?", old + week) == ["week1", "week2"]
    # only what the reader would read counts: a story of the week ranked past k is not brought in
    assert names("Which former first lady released a memoir this week?", old + week, k=3) == \
        [p.article_id for p in old + week]
    assert names("Which former first lady released a memoir this week?", old + week, k=4) == ["week1"]
    # one story of the week is enough; none keeps everything, and so do no time word and another time
    assert names("Which former first lady released a memoir this week?", old + week[:1]) == ["week1"]
    assert names("Which former first lady released a memoir this week?", old) == ["old0", "old1", "old2"]
    assert names("Which former first lady released a memoir?", old + week) == [p.article_id for p in old + week]
    assert names("Which former first lady released a memoir in 2023?", old + week) == \
        [p.article_id for p in old + week]


def test_the_search_boosts_every_fused_candidate_then_reranks_a_pool_down_to_k():
    far = [passage(f"old{i}", 0.03 - i * 0.0001, "2019-06-12") for i in range(40)]
    recent = passage("recent", 0.03 / BOTH * 1.1, "2019-09-01", ("2019-08-30", "2019-08-30"))
    r = RecordingRetriever(far + [recent])  # the week's story is 41st of the fused list
    found = Searcher(r).search("What did the army announce?", 5, as_of=date(2019, 9, 3))
    assert r.calls == [2 * RecordingRetriever.candidates] and len(found) == 5
    assert found[0].article_id == "recent"
    assert [p.article_id for p in Searcher(r).search("What did the army announce?", 5)] == \
        [f"old{i}" for i in range(5)]


# --- the engine and the answerer with the seed archive ---------------------------------------------------

def test_as_of_decides_which_week_last_week_is(seed_engine):
    q = "What did the Russian army announce last week?"
    then = seed_engine.ask(q, as_of=date(2019, 9, 5))
    assert not then.abstained and "unilateral ceasefire" in then.text
    assert then.citations[0].article_id == "afp-2019-idleb-unilateral-ceasefire"
    june = seed_engine.ask(q, as_of=date(2019, 6, 17))
    assert june.citations and june.citations[0].article_id == "reuters-2019-06-idlib-ceasefire"


def test_a_full_date_in_the_question_finds_the_weekday_the_article_wrote(seed_engine):
    a = seed_engine.ask("How many people did aerial strikes kill in northwestern Syria on 10 June 2019?")
    assert "at least 25" in a.short_answer and "Aerial strikes on Monday" in a.citations[0].quote


def test_a_year_the_archive_has_nothing_for_is_not_answered_with_another_year(seed_engine):
    assert seed_engine.ask("When did Russia and Turkey agree on a ceasefire in Idlib in 2017?").abstained
    a = seed_engine.ask("When did Russia and Turkey agree on a ceasefire in Idlib in 2019?")
    assert not a.abstained and "12 June 2019" in a.short_answer


AFP = "afp-2019-idleb-unilateral-ceasefire"
REUTERS = "reuters-2019-06-idlib-ceasefire"


def seed_passages(*ids: str) -> list[Passage]:
    """Seed paragraphs as retrieved passages, in the given order ("afp:4"), read straight from the archive."""
    from tests.conftest import ARCHIVE
    out = []
    for rank, pid in enumerate(ids):
        name, n = pid.split(":")
        article = AFP if name == "afp" else REUTERS
        paragraphs = [p for p in (ARCHIVE / f"{article}.txt").read_text().split("\n\n") if p.strip()]
        offset = 1 if name == "afp" else 0  # the AFP file opens with its "Beirut (AFP)" dateline
        text, published = paragraphs[int(n) - 1 + offset].strip(), "2019-08-31" if name == "afp" else "2019-06-12"
        out.append(Passage(article, int(n), text, 1.0 / (rank + 1), 0.5, article, name.upper(), published, "stated",
                           tuple(find_event_dates(text, date.fromisoformat(published)))))
    return out


def test_a_second_fitting_event_is_mentioned_with_its_own_citation():
    passages = seed_passages("afp:4", "reuters:2", "afp:1", "reuters:9")
    a = ExtractiveAnswerer().answer("When were the ceasefires in Idlib announced?", passages)
    assert a.short_answer == "Friday 30 August 2019"
    main, other = a.text.split("Another event fits:")
    assert other.strip().startswith("Wednesday 12 June 2019 (\"on Wednesday\", REUTERS, published 12 June 2019) [2]")
    assert [(c.n, c.article_id, c.paragraph) for c in a.citations] == [(1, AFP, 4), (2, REUTERS, 2)]
    assert "[2]" not in main


def test_a_second_event_outside_the_question_month_is_not_mentioned():
    passages = seed_passages("afp:4", "reuters:2", "afp:1", "reuters:9")
    a = ExtractiveAnswerer().answer("When were the ceasefires in Idlib announced in August?", passages)
    assert a.short_answer == "Friday 30 August 2019" and "Another event fits" not in a.text
    assert len(a.citations) == 1


def test_the_answer_prefers_a_sentence_dated_in_the_question_range():
    passages = seed_passages("afp:4", "reuters:2")
    a = ExtractiveAnswerer().answer("When were the ceasefires in Idlib announced in June?", passages)
    assert a.short_answer == "Wednesday 12 June 2019" and a.citations[0].article_id == REUTERS


def test_a_second_sentence_naming_the_same_date_must_be_about_the_question_too():
    # "a reduction in violence on Wednesday" names the answer's day, but not the agreement asked about (scored
    # as the seed index scores it: a headline that repeats the question, a high similarity)
    title = "Russia and Turkey agree on a ceasefire in Idlib"
    agreed, violence = (replace(p, similarity=s, title=title)
                        for p, s in zip(seed_passages("reuters:2", "reuters:3"), (0.73, 0.78)))
    a = ExtractiveAnswerer().answer("When did Russia and Turkey agree on a complete ceasefire in Idlib?",
                                    [agreed, violence])
    assert a.short_answer == "Wednesday 12 June 2019" and [c.paragraph for c in a.citations] == [2]
    # "would come into effect on Saturday morning" is about the truce's start: it stays, with its own citation
    a = ExtractiveAnswerer().answer("When did the August truce start?", seed_passages("afp:5", "afp:4"))
    assert "31 August 2019" in a.short_answer and [c.paragraph for c in a.citations] == [5, 4]


def test_a_date_the_answer_sentence_itself_names_is_not_another_event(seed_engine):
    # "announced on Friday that a ceasefire ... would come into effect on Saturday": one event, two dates
    a = seed_engine.ask("When did the Russian army announce the unilateral ceasefire?")
    assert "30 August 2019" in a.short_answer and "Another event fits" not in a.text


# --- eval: temporal rows, as_of in gold lines, the provenance note is no answer ------------------------------

def test_eval_reports_temporal_questions_together_and_reads_as_of(seed_engine, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(x) for x in [
        {"id": "w", "type": "when", "question": "When did Assad's forces begin the ground offensive?",
         "answers": ["8 August 2019"]},
        {"id": "t", "type": "temporal", "question": "What did the Russian army announce last week?",
         "as_of": "2019-09-05", "answers": ["unilateral ceasefire"]},
        {"id": "o", "type": "who", "question": "Who is the director of the Syrian Observatory for Human Rights?",
         "answers": ["Rami Abdel Rahman"]}]))
    report = evaluate(seed_engine, gold)
    assert report["temporal"]["questions"] == 2 and report["temporal"]["answer_accuracy"] == 1.0
    assert "TEMPORAL" in format_report(report)


def test_gold_as_of_must_be_a_date(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"question": "x?", "answers": ["y"]}\n{"question": "What happened?", "as_of": "last Monday"}\n')
    with pytest.raises(RagError, match=r"gold.jsonl:2: \"as_of\" must be a date"):
        load_gold(gold)


def test_the_publication_note_of_a_when_answer_does_not_count_as_the_answer(seed_engine):
    answer = seed_engine.ask("When did the Russian army announce the unilateral ceasefire?")
    assert "published 31 August 2019" in answer.text and "Saturday 31 August" not in answer.text
    row = score_turn({"type": "when", "answers": ["31 August 2019"]}, answer)
    assert not row["correct"]
    assert score_turn({"type": "when", "answers": ["30 August 2019"]}, answer)["correct"]
