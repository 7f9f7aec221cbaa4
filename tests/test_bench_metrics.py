"""The benchmark's scoring follows the benchmark README (normalisation, budgets, EM/F1)."""
from bench import metrics
from bench.systems import BM25ParagraphSystem


def test_answer_match_folds_case_and_whitespace_only():
    assert metrics.contains("Nicolás  Maduro", "president nicolás\nmaduro was")
    assert not metrics.contains("Four", "there were 4 of them")


def test_budget_cuts_joined_text():
    passages = ["a" * 990, "the answer is Minneapolis"]
    assert not metrics.contains("Minneapolis", metrics.budget_text(passages, 1000))
    assert metrics.contains("Minneapolis", metrics.budget_text(passages, 2000))


def test_retrieval_scores_rank_and_budget():
    items = [("Iran", ["nothing", "about Iran"]), ("Cuba", ["x"])]
    r = metrics.retrieval_scores(items)
    assert r["recall@1"] == 0 and r["recall@5"] == 50.0 and r["mrr@10"] == 0.25 and r["budget@1000"] == 50.0


def test_em_f1_readme_normalisation():
    assert metrics.exact_match("The U.S.", "the us") == 1.0  # ASCII punctuation dropped, articles kept
    assert metrics.exact_match("“Sinners”", "Sinners") == 0.0  # curly quotes are not ASCII punctuation
    assert metrics.token_f1("Joe Biden", "Biden") == 2 / 3
    assert metrics.token_f1(None, "Biden") == 0.0


def test_bm25_paragraphs_merge_short_ones():
    text = "Short one.\n\n" + "b" * 250 + "\n\nTail."
    assert BM25ParagraphSystem.passages(text) == ["Short one.\n\n" + "b" * 250, "Tail."]
