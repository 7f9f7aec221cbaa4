"""The README's metrics: answer-recall@k, answer-recall within a text budget, MRR, and EM / token F1."""
# EM/F1 live with the product: `eval` scores the seed gold with them too.
from rag.scoring import exact_match, norm_answer, token_f1  # noqa: F401

BUDGETS = (1000, 2000, 4000)
KS = (1, 5, 10)


def norm_match(text: str) -> str:
    """Normalisation for answer matching: lower-cased, every whitespace run collapsed to one space."""
    return " ".join(text.lower().split())


def contains(answer: str, text: str) -> bool:
    return norm_match(answer) in norm_match(text)


def first_hit(answer: str, passages: list[str]) -> int | None:
    """0-based rank of the first passage containing the answer, or None."""
    for rank, p in enumerate(passages):
        if contains(answer, p):
            return rank
    return None


def budget_text(passages: list[str], budget: int) -> str:
    """The ranked passages joined with blank lines, cut to the first `budget` characters."""
    return "\n\n".join(passages)[:budget]


def retrieval_scores(items: list[tuple[str, list[str]]]) -> dict:
    """Recall@k, budget recall and MRR (percent / 0..1) over (answer, ranked passages) pairs."""
    n = len(items) or 1
    ranks = [first_hit(a, ps) for a, ps in items]
    out = {f"recall@{k}": 100.0 * sum(r is not None and r < k for r in ranks) / n for k in KS}
    out.update({f"budget@{b}": 100.0 * sum(contains(a, budget_text(ps, b)) for a, ps in items) / n
                for b in BUDGETS})
    out["mrr@10"] = sum(1.0 / (r + 1) for r in ranks if r is not None and r < 10) / n
    lengths = [len(p) for _, ps in items for p in ps[:10]]
    out["mean_passage_chars"] = sum(lengths) / len(lengths) if lengths else 0.0
    out["questions"] = len(items)
    return out


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


