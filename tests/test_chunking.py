from rag.formats import parse_text
from rag.chunking import chunk_article, split_long
from rag.text import split_sentences


def test_every_paragraph_is_a_citation_unit_with_stable_id():
    a = parse_text("title: T\nsource: AFP\ndate: 2019-08-31\n\nFirst.\n\nSecond.", "story")
    chunks = chunk_article(a)
    assert [(c.article_id, c.paragraph, c.part) for c in chunks] == [("story", 1, 0), ("story", 2, 0)]
    assert chunks[0].text == "First."
    assert chunks[0].embed_text == "T (AFP, 2019-08-31)\nFirst."


def test_long_paragraph_splits_into_chunks_citing_the_same_paragraph():
    long = " ".join(f"Sentence number {i} says something about the truce." for i in range(60))
    a = parse_text(f"date: 2019-08-31\n\nShort.\n\n{long}", "s")
    chunks = chunk_article(a, max_chars=300)
    second = [c for c in chunks if c.paragraph == 2]
    assert len(second) > 5 and all(len(c.text) <= 300 for c in second)
    assert {(c.article_id, c.paragraph) for c in second} == {("s", 2)}
    assert " ".join(c.text for c in second) == long


def test_run_on_sentence_is_split_at_words():
    pieces = split_long("word " * 200, 100)
    assert all(len(p) <= 100 for p in pieces) and "".join(pieces).replace(" ", "") == "word" * 200


def test_sentence_splitter_keeps_abbreviations():
    assert split_sentences("Mr. Smith met U.S. officials on Jan. 5 in Paris. They agreed.") == [
        "Mr. Smith met U.S. officials on Jan. 5 in Paris.", "They agreed."]
