"""The rerank stage: paragraphs move by what their own sentences say about the question."""
from rag.dates import find_event_dates, parse_iso
from rag.rerank import rerank
from rag.retrieve import Passage


def passage(n: int, text: str, score: float, title: str = "Idleb truce") -> Passage:
    return Passage("afp", n, text, score, 0.5, title, "AFP", "2019-08-31", "stated",
                   tuple(find_event_dates(text, parse_iso("2019-08-31"))))


BACKGROUND = passage(1, "The region has seen months of heavy bombardment by Russian and Syrian air forces.", 0.050)
OTHER = passage(2, "Aid groups said thousands of families had fled north towards the Turkish border.", 0.048)
ANSWER = passage(3, "The unilateral truce started at 6:00 am on August 31, the Russian military said.", 0.040)


def test_the_paragraph_that_answers_moves_to_the_top():
    out = rerank("When did the truce start?", [BACKGROUND, OTHER, ANSWER], 3)
    assert [p.paragraph for p in out] == [3, 1, 2]


def test_a_sentence_holding_the_kind_of_answer_beats_one_that_only_repeats_the_words():
    words_only = passage(4, "Whether the truce would start at all was unclear to residents.", 0.050)
    dated = passage(5, "The truce would start on Saturday 31 August, officials said.", 0.045)
    out = rerank("When would the truce start?", [words_only, dated], 2)
    assert out[0].paragraph == 5


def test_at_equal_coverage_the_shorter_paragraph_comes_first():
    short = passage(6, "The truce started on 31 August.", 0.05)
    long = passage(7, "The truce started on 31 August. " + "Residents described the long night before. " * 20, 0.05)
    out = rerank("When did the truce start?", [long, short], 2)
    assert [p.paragraph for p in out] == [6, 7]


def test_k_and_empty_input():
    assert rerank("When did the truce start?", [], 5) == []
    assert len(rerank("When did the truce start?", [BACKGROUND, OTHER, ANSWER], 2)) == 2


def test_a_question_without_content_words_keeps_the_retrieved_order():
    out = rerank("When was it?", [BACKGROUND, OTHER, ANSWER], 3)
    assert [p.paragraph for p in out] == [1, 2, 3]
