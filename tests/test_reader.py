"""The reader with a stand-in model: what it is shown, and how its short answer and sentences are checked."""
from rag.answerers.extractive import ExtractiveAnswerer
from rag.answerers.base import LLMAnswerer
from rag.dates import find_event_dates, parse_iso
from rag.prompts import answer_messages
from rag.reader import check, excerpts, find, parse_answer_line
from rag.retrieve import Passage

STARTED = ("The Russian army announced on Friday that a unilateral ceasefire would start on Saturday. "
           "An agreement was reached for a unilateral ceasefire by Syrian government forces starting at 6:00 am on "
           "August 31, the Russian Center for Reconciliation in Syria said in a statement. "
           "Rebels said they would watch closely.")
TOLL = ("Since the end of April, the bombings have killed more than 950 civilians in the Idleb region, according to "
        "the OSDH. And more than 400,000 people have been displaced, according to the UN.")
ARTEMIS = "The four Artemis II astronauts splashed down off San Diego on Friday after a 10-day flight."


def passage(text, n, article="afp-truce", published="2019-08-31", source="AFP"):
    return Passage(article, n, text, 1.0 / n, 0.5, "Truce in Idleb", source, published, "stated",
                   tuple(find_event_dates(text, parse_iso(published))))


PASSAGES = [passage(STARTED, 5), passage(TOLL, 12), passage(ARTEMIS, 3, "nasa", "2026-04-11", "CNN")]


class StandIn(LLMAnswerer):
    """The reader flow with a model that replies with a fixed script, a few characters at a time."""
    name = "stand-in"

    def __init__(self, embedder, reply: str):
        super().__init__(embedder, threshold=0.3)
        self.reply, self.prompts = reply, []

    def complete(self, messages, max_tokens, start=""):
        self.prompts.append(messages)
        for i in range(0, len(self.reply), 5):
            yield self.reply[i:i + 5]


# --- the answer line and the phrase check ------------------------------------------------------------------

def test_answer_line_is_parsed():
    line = parse_answer_line("Answer: Minneapolis [2]")
    assert (line.phrase, line.cited, line.abstained) == ("Minneapolis", 2, False)
    assert parse_answer_line("Answer: not in the sources").abstained
    assert parse_answer_line("Answer: “Wings” [1]").phrase == "“Wings”"  # a title keeps its quotes
    assert parse_answer_line('Answer: "Sochi" [3].').phrase == "Sochi"
    line = parse_answer_line("Answer: Florida [1], [2], [3],")  # a list of sources, not part of the phrase
    assert (line.phrase, line.cited) == ("Florida", 1)
    assert parse_answer_line("Answer: Madonna, Shakira and BTS [2] and [4]").phrase == "Madonna, Shakira and BTS"
    assert parse_answer_line("Answer: Rand [2]").phrase == "Rand"
    assert parse_answer_line("The truce began on Saturday [1].").written  # no answer line: the written answer


def test_phrase_is_found_after_normalisation():
    artemis = PASSAGES[2]
    assert find("four", artemis) and find("Artemis 2", artemis) and find("10 days", artemis) is None
    assert find("10-day", artemis) and find("san diego", artemis)
    # date forms: the same day written another way, and a weekday of the article's week
    assert "Saturday" in find("31 August 2019", PASSAGES[0])[0]  # published that Saturday
    assert find("Aug. 31", PASSAGES[0]) and find("Saturday", PASSAGES[0])
    assert find("September 1", PASSAGES[0]) is None and find("Damascus", PASSAGES[0]) is None


def test_short_answer_is_shown_as_its_passage_writes_it():
    text = ("Bulgarians celebrated their country's first Eurovision win. Companies that run the camp, also known as "
            "“Alligator Alcatraz”, were told on Tuesday. Louisiana’s map was struck down, and gas passed $4.07 for "
            "five days. The San Antonio Spurs will face the New York Knicks.")
    p = passage(text, 2, "mixed", "2026-05-17", "CNN")
    assert find("5", p)[1] == "five" and find("Artemis 2", PASSAGES[2])[1] == "Artemis II"  # the passage's form
    assert find("$4.07", p)[1] == "$4.07"  # same words: the model's own phrase, currency sign kept
    assert find("Louisiana", p)[1] == "Louisiana"  # the possessive is not part of the answer
    assert find("Alligator Alcatraz", p)[1] == "“Alligator Alcatraz”"  # a quoted name keeps its quotes
    # a country named by its people, in the sentence that says so
    assert find("Bulgaria", p) == ("Bulgarians celebrated their country's first Eurovision win.", "Bulgaria")
    assert find("Bulgaria first", p) is None and find("Romania", p) is None and find("Celebration", p) is None
    # two names the passage gives in the other order
    assert find("New York Knicks and San Antonio Spurs", p)[1] == "New York Knicks and San Antonio Spurs"
    assert find("New York Knicks and Boston Celtics", p) is None
    shown = excerpts("Which country won Eurovision?", [PASSAGES[0], p])
    assert check("Bulgaria", 1, shown).n == 2  # cited the wrong passage: the one that holds it is named
    assert check("Bulgaria", None, shown).n == 2 and check("Romania", None, shown) is None


def test_model_reads_sentences_around_the_best_match_with_their_age():
    shown = excerpts("How many civilians have the bombings killed in Idleb?", PASSAGES, sentences=1)
    assert shown[1].text.startswith("Since the end of April") and "400,000" not in shown[1].text
    user = answer_messages("How many civilians have the bombings killed?", shown, "2019-09-02")[-1]["content"]
    assert "\n[2] 2 days ago: Since the end of April" in user
    assert user.endswith("Question (asked on 2019-09-02): How many civilians have the bombings killed?")


# --- the whole flow with the stand-in model -----------------------------------------------------------------

def test_short_answer_in_its_passage_is_kept_and_cited(hash_embedder):
    # the answer line names no source: the first passage shown that holds the phrase is cited
    model = StandIn(hash_embedder, "Answer: more than 950 civilians\nThe bombings have killed more than 950 "
                                   "civilians in the Idleb region, according to the OSDH [2].")
    pieces = list(model.stream("How many civilians have the bombings killed?", PASSAGES))
    answer = pieces[-1]
    assert answer.short_answer == "more than 950 civilians" and answer.verification["short_answer"] == "model"
    assert pieces[0] == "more than 950 civilians. [1]" and "".join(pieces[:-1]) == answer.text
    assert [c.paragraph for c in answer.citations] == [12]
    assert {"read", "generate", "tokens"} <= set(answer.timings_ms)


def test_short_answer_not_in_the_passage_is_rejected_for_the_extractive_span(hash_embedder):
    question = "How many civilians have the bombings killed?"
    model = StandIn(hash_embedder, "Answer: 12,000 civilians [2]\nThe bombings killed 12,000 civilians [2].")
    pieces = list(model.stream(question, PASSAGES))
    answer, expected = pieces[-1], ExtractiveAnswerer().answer(question, PASSAGES)
    assert answer.short_answer == expected.short_answer and "950" in answer.short_answer
    assert pieces[:-1] == [expected.text] and answer.text == expected.text and "12,000" not in answer.text
    assert answer.verification["rejected_short_answer"] == "12,000 civilians"
    assert any(answer.short_answer in c.text for c in answer.citations)


def test_marker_naming_no_passage_is_dropped(hash_embedder):
    model = StandIn(hash_embedder, "Answer: San Diego [3]\nThe Artemis II astronauts splashed down off San Diego "
                                   "on Friday [3][9].")
    answer = model.answer("Where did the Artemis II astronauts splash down?", PASSAGES)
    assert answer.short_answer == "San Diego" and answer.verification["invalid_ids"] == 1
    assert "[9]" not in answer.text and "[2]" not in answer.text and [c.n for c in answer.citations] == [1]


def test_not_in_the_sources_abstains(hash_embedder):
    model = StandIn(hash_embedder, "Answer: not in the sources")
    answer = model.answer("Who won the Eurovision Song Contest in 2019?", PASSAGES)
    assert answer.abstained and answer.citations == () and answer.short_answer is None
    assert answer.verification["model_abstained"]


def test_dated_questions_are_answered_by_the_extractive_answerer(hash_embedder):
    model = StandIn(hash_embedder, "Answer: Friday [1]\nThe ceasefire started on Friday [1].")
    question = "When did the unilateral ceasefire start?"
    answer = model.answer(question, PASSAGES)
    expected = ExtractiveAnswerer().answer(question, PASSAGES)
    assert model.prompts == [] and answer.text == expected.text and "31 August 2019" in answer.short_answer
    assert answer.answerer == "extractive" and answer.verification["short_answer"] == "extractive"
    unanswerable = model.answer("When did the ceasefire in Libya start?", PASSAGES)
    assert unanswerable.abstained and model.prompts == []


def test_sentence_without_a_marker_is_checked_against_the_answer_lines_passage(hash_embedder):
    # The bundled model often cites only on its answer line and writes the sentence after it without a marker;
    # that sentence explains the answer, so it is checked as citing the answer's passage, not as uncited.
    model = StandIn(hash_embedder, "Answer: 950 [2]\nThe bombings have killed more than 950 civilians in the "
                                   "Idleb region, according to the OSDH.")
    answer = model.answer("How many civilians have the bombings killed?", PASSAGES)
    assert answer.verification["supported"] == 1 and answer.verification["reattributed"] == 0
    assert [c.paragraph for c in answer.citations] == [12] and answer.text.endswith("OSDH. [1]")
    # a sentence citing a passage that does not hold it is re-attributed to the one that does
    model = StandIn(hash_embedder, "Answer: 950 [2]\nThe bombings have killed more than 950 civilians in the "
                                   "Idleb region [1].")
    answer = model.answer("How many civilians have the bombings killed?", PASSAGES)
    assert answer.verification["reattributed"] == 1 and [c.paragraph for c in answer.citations] == [12]


def test_sentence_that_does_not_state_the_short_answer_is_removed(hash_embedder):
    # A true sentence from a source, but not about the answer: it would add a citation that explains nothing.
    model = StandIn(hash_embedder, "Answer: 950 [2]\nAn agreement was reached for a unilateral ceasefire by "
                                   "Syrian government forces starting at 6:00 am on August 31 [1].")
    answer = model.answer("How many civilians have the bombings killed?", PASSAGES)
    assert answer.verification["removed"] == 1 and answer.verification["supported"] == 0
    assert "does not state the short answer" in answer.verification["removed_sentences"][0]["reason"]
    # the short answer is then explained by its own sentence in the passage, the only one cited
    assert [c.paragraph for c in answer.citations] == [12] and "more than 950 civilians" in answer.text
    assert "ceasefire" not in answer.text


def test_a_question_about_this_week_is_read_from_the_weeks_stories(hash_embedder):
    older = passage("Michelle Obama released her memoir Becoming on Tuesday.", 1, "becoming", "2018-11-13")
    week = [passage("Jill Biden released a memoir on Tuesday, her first book since leaving the White House.", 1,
                    "view", "2026-06-02"),
            passage("The former first lady's memoir sold 40,000 copies in its first two days.", 3, "sales",
                    "2026-06-04")]
    model = StandIn(hash_embedder, "Answer: Jill Biden [1]\nJill Biden released a memoir [1].")
    answer = model.answer("Which former first lady released a memoir this week?", [older, *week],
                          as_of=parse_iso("2026-06-05"))
    read = model.prompts[0][-1]["content"]
    assert "Michelle" not in read and "[1] 3 days ago: Jill" in read and "[2] yesterday: The" in read
    assert answer.short_answer == "Jill Biden" and [c.article_id for c in answer.citations] == ["view"]
    # the same question with no story of the week: the older one is read
    model = StandIn(hash_embedder, "Answer: Michelle Obama")
    model.answer("Which former first lady released a memoir this week?", [older], as_of=parse_iso("2026-06-05"))
    assert "Michelle" in model.prompts[0][-1]["content"]


def test_a_question_naming_a_year_is_not_read_from_a_story_of_another_year(hash_embedder):
    astana = passage("Russia, Turkey and Iran agreed on a ceasefire in Idlib at talks in Astana.", 2,
                     "astana", "2017-05-04")
    june = passage("Russia and Turkey agreed on a ceasefire in Idlib on Wednesday.", 1, "june", "2019-06-12")
    model = StandIn(hash_embedder, "Answer: Russia and Turkey [1]\nRussia and Turkey agreed on a ceasefire in "
                                   "Idlib [1].")
    answer = model.answer("Which countries agreed on a ceasefire in Idlib in June 2019?", [astana, june],
                          as_of=parse_iso("2019-09-02"))
    read = model.prompts[0][-1]["content"]
    assert "Astana" not in read and "[1] 2019-06-12: Russia" in read  # a question naming a day: dates, not ages
    assert answer.short_answer == "Russia and Turkey" and [c.article_id for c in answer.citations] == ["june"]
    # nothing retrieved fits the year: the reader abstains without asking the model
    model = StandIn(hash_embedder, "Answer: Russia, Turkey and Iran [1]")
    answer = model.answer("Which countries agreed on a ceasefire in Idlib in June 2019?", [astana],
                          as_of=parse_iso("2019-09-02"))
    assert answer.abstained and not model.prompts
    # no year or day named: every passage is read
    model = StandIn(hash_embedder, "Answer: Russia, Turkey and Iran [1]")
    model.answer("Which countries agreed on a ceasefire in Idlib?", [astana, june], as_of=parse_iso("2019-09-02"))
    assert "Astana" in model.prompts[0][-1]["content"]
