"""The text toolkit: terms, lenient presence, and the three cuts of the sentence rules (and why they differ)."""
from rag.text import content_terms, present, sentence_starts, sentence_stems, split_sentences, split_stream, stem, \
    term_coverage


def test_terms_weigh_names_and_numbers_double_and_fold_synonyms():
    terms = content_terms("When did the Idlib truce start in 2019?")
    assert terms == {"idlib": 2.0, "armistic": 1.0, "began": 1.0, "2019": 2.0}
    assert content_terms("When did the ceasefire begin?").keys() <= sentence_stems("The truce started.")


def test_a_long_word_is_present_with_a_small_spelling_difference():
    assert present("idlib", {"idleb"}) and not present("idlib", {"aleppo"})
    assert not present("gaza", {"gazi"})  # short words must match exactly
    assert term_coverage({"idlib": 2.0, "truce": 1.0}, set(), {"idleb"}) == 1 / 3  # title words count half


def test_prose_and_clock_time_rules_differ_where_a_day_hangs_on_it():
    text = "Rain will hit between 10 p.m. Tuesday and 4 a.m. Wednesday. Officials warned."
    # For prose a period after "p.m." may end a sentence; for clock times it never does, so that
    # "10 p.m. Tuesday" stays one sentence and the time keeps its day.
    assert split_sentences(text)[0] == "Rain will hit between 10 p.m."
    assert sentence_starts(text) == [text.index("Officials")]


def test_the_stream_cut_keeps_markers_and_waits_for_the_next_word():
    done, rest = split_stream("Mr. Smith met them [1]. They agreed [2", final=False)
    assert done == ["Mr. Smith met them [1]."] and rest == " They agreed [2"
    pieces, rest = split_stream("It ended.\nThen", final=True)  # a line break ends a sentence too
    assert [p.strip() for p in pieces if p.strip()] == ["It ended.", "Then"] and rest == ""


def test_stemming_from_many_threads_gives_the_same_stems():
    from concurrent.futures import ThreadPoolExecutor
    words = ["ceasefires", "announced", "displacement", "killing", "agreements"] * 400
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(stem, words)) == [stem(w) for w in words]
