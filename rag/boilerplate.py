"""Boilerplate: paragraphs a publisher repeats across many unrelated articles ("Need a news break? Check out ...",
"Reach the reporter at ...", "This story has been updated ...") are not content and are not retrieved.

The test is corpus-wide and generic: the same paragraph (case and spacing folded) in at least `min_articles`
articles published in at least `min_months` different months. A news paragraph copied between articles (wire
copy, updated versions of one story) repeats within the weeks of its story; a promotion repeats for months.
Short lines (state names heading a round-up's items, "New York") are headings, not boilerplate: they have
fewer than `min_words` words. The paragraphs stay in the article (citations and the article view keep them);
chunking simply makes no retrieval chunk of them.
"""
from collections import defaultdict

MIN_ARTICLES = 5
MIN_MONTHS = 3
MIN_WORDS = 5


def key(paragraph: str) -> str:
    """The comparison form of a paragraph: lower-cased, whitespace folded."""
    return " ".join(paragraph.lower().split())


def find_boilerplate(articles, min_articles: int = MIN_ARTICLES, min_months: int = MIN_MONTHS,
                     min_words: int = MIN_WORDS) -> frozenset[str]:
    """Keys of the paragraphs that repeat across `articles` (Article objects) as boilerplate does."""
    seen: dict[str, set[str]] = defaultdict(set)
    months: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        for paragraph in set(article.paragraphs):
            k = key(paragraph)
            if len(k.split()) < min_words:
                continue
            seen[k].add(article.id)
            months[k].add(article.published[:7] if article.published else f"undated:{article.id}")
    return frozenset(k for k, ids in seen.items() if len(ids) >= min_articles and len(months[k]) >= min_months)
