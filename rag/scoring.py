"""Short-answer scoring as RealTime QA scores its open-generation setting (used by `eval` and `make bench`):
lower-case, delete ASCII punctuation and the counters 年歳人년, collapse whitespace; exact match and token F1.

Stage: the toolkit (used by evaluation and the benchmark). Imports nothing of rag/.
"""
import string
from collections import Counter

_DROP = set(string.punctuation) | set("年歳人년")


def norm_answer(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch not in _DROP).split())


def exact_match(prediction: str | None, gold: str) -> float:
    return float(norm_answer(prediction or "") == norm_answer(gold))


def token_f1(prediction: str | None, gold: str) -> float:
    pred, ref = norm_answer(prediction or "").split(), norm_answer(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)
