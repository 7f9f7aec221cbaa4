"""'Which country/state …' questions are answered by a place the sentence names, not by any capitalised name."""
from rag.answerers.extractive import ExtractiveAnswerer
from rag.places import place_kind, places_in
from rag.retrieve import Passage


def test_place_kind():
    assert place_kind("Which European country elected a new prime minister?") == "country"
    assert place_kind("In what nation did the summit take place?") == "country"
    assert place_kind("Which US state is investigating the fire?") == "us-state"
    assert place_kind("Which city hosted the games?") is None


def test_places_by_name_and_adjective_longest_first():
    found = places_in("A Ukrainian skier and officials from South Korea met in Italy.", "country")
    assert [name for name, _ in found] == ["Ukraine", "South Korea", "Italy"]
    assert [name for name, _ in places_in("Jackson, Mississippi, and New York City", "us-state")] == \
        ["Mississippi", "New York"]


def passage(text: str, n: int = 1) -> Passage:
    return Passage("wire", n, text, 1.0 / n, 0.5, "Winter Games news", "AP", "2026-02-12", "stated")


def test_which_country_is_answered_by_the_country_not_the_first_name():
    answer = ExtractiveAnswerer().answer(
        "An Olympic athlete from which country was disqualified from the Winter Games?",
        [passage("Officials said Vladyslav Heraskevych, a Ukrainian athlete, was disqualified from the Winter Games "
                 "on Thursday.")])
    assert answer.short_answer == "Ukraine"


def test_a_country_the_question_names_is_not_the_answer():
    answer = ExtractiveAnswerer().answer(
        "Which country did Russia accuse of violating the ceasefire?",
        [passage("Russia accused Turkey of violating the ceasefire in Idlib, Russian officials said.")])
    assert answer.short_answer == "Turkey"
