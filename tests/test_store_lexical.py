"""The BM25 index's search: the best positive scores, best first, within the allowed articles."""
from rag.store.keys import article_of
from rag.store.lexical import Lexical


def test_lexical_search_returns_the_best_positive_scores_in_order(tmp_path):
    # Most documents score 0 for a query; the search ranks only the others (numpy's partition is slow on ties).
    rows = [(f"a{i}:1#0", f"filler text number {i} about weather") for i in range(300)]
    rows += [(f"b{i}:1#0", "truce " * (i % 5 + 1) + f"ceasefire talks round {i}") for i in range(20)]
    lexical = Lexical(tmp_path)
    lexical.rebuild(rows)
    hits = lexical.search("truce ceasefire", 8, None)
    retriever, ids = lexical.load()
    scores = retriever.get_scores(["truce", "ceasefire"])
    best = sorted((s for s in scores if s > 0), reverse=True)[:8]
    assert [round(s, 5) for _, s in hits] == [round(float(s), 5) for s in best]
    assert all(i.startswith("b") for i, _ in hits)
    assert len(lexical.search("truce ceasefire", 100, None)) == 20  # only documents that match
    assert lexical.search("nothing matches this", 5, None) == []
    allowed = {article_of("b3:1#0")}
    assert [i for i, _ in lexical.search("truce", 5, allowed)] == ["b3:1#0"]
