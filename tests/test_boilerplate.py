"""Boilerplate detection: repeated across many articles and months, at least a sentence long."""
from rag.articles import Article
from rag.boilerplate import find_boilerplate, key

PROMO = "Need a news break? Check out the all new PLAY hub with puzzles, games and more!"
WIRE = "The storm made landfall near Tampa on Tuesday with winds of 120 mph."


def art(i, month, *paragraphs):
    return Article(id=f"a{i}", title="t", paragraphs=paragraphs, published=f"2025-{month:02d}-10")


def test_promotion_repeated_over_months_is_boilerplate():
    articles = [art(i, 1 + i % 6, f"Story number {i} about something else entirely.", PROMO) for i in range(8)]
    assert find_boilerplate(articles) == {key(PROMO)}


def test_wire_copy_within_one_story_week_is_content():
    articles = [art(i, 3, WIRE, f"Local detail {i} for this edition of the paper.") for i in range(8)]
    assert find_boilerplate(articles) == set()


def test_short_headings_are_not_boilerplate():
    articles = [art(i, 1 + i % 6, "Iowa", f"Item {i} of the round-up with enough words.") for i in range(8)]
    assert find_boilerplate(articles) == set()


def test_needs_enough_articles():
    articles = [art(i, 1 + i, PROMO) for i in range(4)]
    assert find_boilerplate(articles) == set()
    assert find_boilerplate(articles, min_articles=4) == {key(PROMO)}


def test_chunking_skips_boilerplate_but_keeps_numbers():
    from rag.chunking import chunk_article
    a = art(1, 1, "First real paragraph of the story.", PROMO, "Third paragraph with more news.")
    chunks = chunk_article(a, skip=frozenset({key(PROMO)}))
    assert [c.paragraph for c in chunks] == [1, 3]
