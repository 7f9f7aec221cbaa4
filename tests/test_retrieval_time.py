"""Questions about the present and about history: the time frame a question is read in as of its day, and what
it moves up (rag/temporal.py)."""
from datetime import date

from rag.search import dated
from rag.temporal import PUBLISHED_BOOST, time_frame
from tests.test_temporal import passage

AS_OF = date(2026, 4, 16)


# --- the time frame ---------------------------------------------------------------------------------------

def test_questions_about_the_present():
    for q in ("Where did the US Navy begin a blockade this week?",
              "Which bestselling author recently revealed the identity behind her pen name?",
              "What is the latest count of measles cases?",
              "Who won the election on Sunday?",
              "Which type of weather is gripping much of the western US?"):  # no date at all: the news
        frame = time_frame(q, AS_OF)
        assert frame.kind == "present" and frame.published_boost > PUBLISHED_BOOST, q
        assert date(2026, 4, 9) <= frame.hint.start and frame.hint.end >= date(2026, 4, 12), q


def test_this_week_keeps_its_own_range_for_the_boost():
    frame = time_frame("Where did the US Navy begin a blockade this week?", AS_OF)
    assert (frame.hint.start, frame.hint.end) == (date(2026, 4, 13), date(2026, 4, 19))


def test_history_questions_are_not_pushed_toward_recent_news():
    for q, year in (("Which film won the very first Academy Award for best picture in 1929?", 1929),
                    ("On July 4, 1776, the Continental Congress adopted the Declaration in which city?", 1776),
                    ("In 1803, the United States purchased the Louisiana Territory from which country?", 1803)):
        frame = time_frame(q, AS_OF)
        assert frame.kind == "history" and frame.published_boost == PUBLISHED_BOOST, q
        assert (frame.hint.start, frame.hint.end) == (date(year, 1, 1), date(year, 12, 31)), q


def test_a_number_is_not_a_year_and_last_year_is_not_history():
    assert time_frame("Which company is laying off 16,000 employees?", AS_OF).kind == "present"
    assert time_frame("Which country won the 2026 Eurovision Song Contest?", AS_OF).kind == "present"
    assert time_frame("Which country won the 2025 Eurovision Song Contest?", AS_OF).kind == "dated"
    assert time_frame("What happened in June 2019 in Idlib?", AS_OF).kind == "history"


def test_a_month_or_an_older_range_is_a_dated_question():
    frame = time_frame("When did the August truce start?", date(2019, 9, 5))
    assert frame.kind == "dated" and frame.hint.month == 8 and frame.published_boost == PUBLISHED_BOOST
    assert time_frame("What happened in January?", AS_OF).kind == "dated"


# --- the boost each frame gives ---------------------------------------------------------------------------

def test_the_weeks_story_moves_up_for_a_present_question_more_than_for_a_named_month():
    older = [passage(f"old{i}", 0.030 - i * 0.0001, "2025-11-02") for i in range(10)]
    week = passage("week", 0.030 / 1.6, "2026-04-14")  # its score is below every older one's
    q = "Where did the US Navy begin a blockade?"
    assert dated(q, older + [week], AS_OF)[0].article_id == "week"
    # the same article, for a question that names its month without asking about the present, is boosted less
    april = passage("april", 0.030 / 1.6, "2025-04-14")
    ranked = dated("Where did the US Navy begin a blockade in April?", older + [april], AS_OF)
    assert "april" not in [p.article_id for p in ranked][:1]


def test_a_history_question_keeps_an_old_answer_above_the_weeks_news():
    old = passage("1929", 0.030, None, ("1929-05-16", "1929-05-16"))
    week = [passage(f"week{i}", 0.029, "2026-04-14") for i in range(5)]
    q = "Which film won the very first Academy Award for best picture in 1929?"
    assert dated(q, [old] + week, AS_OF)[0].article_id == "1929"
    # read as a present question, the week's articles would have gone first
    assert dated("Which film won best picture?", [old] + week, AS_OF)[0].article_id != "1929"


def test_the_present_named_beats_a_year_named_and_a_decade_is_not_history():
    q = "Rev. Jesse Jackson died this week at age 84. Which office did he run for in 1984 and 1988?"
    assert time_frame(q, AS_OF).kind == "present"
    assert time_frame("Which 1980s pop idol appeared at the Eurovision semi-final?", AS_OF).kind == "present"
    assert time_frame("Which band topped the charts in 1980?", AS_OF).kind == "history"
