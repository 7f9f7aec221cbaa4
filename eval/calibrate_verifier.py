"""Calibrate the verifier's thresholds on a gold set: `.venv/bin/python eval/calibrate_verifier.py [GOLD]`.

Prints the similarity and word-coverage pair that best tells evidence paragraphs from the other retrieved ones
(rag/verify.py keeps the chosen values as DEFAULT_THRESHOLD and DEFAULT_COVERAGE). Lives outside rag/ so that
verification, a pipeline stage, never imports the engine or the evaluation that sit above it.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.dates import parse_iso  # noqa: E402
from rag.engine import build_engine  # noqa: E402
from rag.evaluate import holds_evidence, load_gold  # noqa: E402
from rag.verify import DEFAULT_COVERAGE, DEFAULT_THRESHOLD, Verifier, coverage, facts, missing_facts  # noqa: E402


def calibrate(engine, gold_path) -> dict:
    """Choose the similarity and word-coverage thresholds on a gold set: the pair that best tells evidence
    paragraphs from the other retrieved paragraphs when used together with the facts check, as in verification.
    "Best" is F0.5, which weighs precision twice: a sentence wrongly passed is shown as verified, a sentence
    wrongly failed only gives way to the extractive answer.

    A gold claim is the question followed by its expected answer ("When did the August truce start?
    31 August 2019"), the closest thing to an answer sentence the gold set gives without a model. Positives are
    (claim, paragraph holding the item's evidence), negatives (claim, any other retrieved paragraph).
    """
    verifier = Verifier(engine.embedder)
    pairs = []  # (is evidence, facts all present, similarity, coverage)
    for item in load_gold(gold_path):
        for turn in item.get("turns") or [item]:
            answers = [a for a in turn.get("answers", []) if not a.startswith("re:")]
            if not turn.get("evidence") or not answers or not turn.get("answerable", True):
                continue
            passages = engine.searcher.search(turn["question"], engine.config.top_k,  # as `ask` reads it
                                              as_of=parse_iso(turn.get("as_of") or item.get("as_of")))
            session = verifier.session(passages)
            claim = f"{turn['question']} {answers[0]}"
            for i, (p, (sim, _)) in enumerate(zip(passages, session.similarities(claim))):
                ok = not missing_facts(facts(claim, p.published, session._known), session._facts[i], p)
                pairs.append((holds_evidence(p.text, turn["evidence"]), ok, sim, coverage(claim, p)))
    grid = [(round(0.2 + 0.01 * i, 2), c) for i in range(71) for c in (0.0, 0.5, 0.6, 0.7, 0.8)]
    default = (DEFAULT_THRESHOLD, DEFAULT_COVERAGE)
    best = max(grid, key=lambda tc: (_rates(pairs, *tc)["f0.5"], -abs(tc[0] - default[0]) - abs(tc[1] - default[1])))
    return {"positives": sum(p[0] for p in pairs), "negatives": sum(not p[0] for p in pairs),
            "best": {"threshold": best[0], "coverage": best[1], **_rates(pairs, *best)},
            "default": {"threshold": default[0], "coverage": default[1], **_rates(pairs, *default)},
            "facts_only": _rates(pairs, -1.0, 0.0),
            "facts_and_similarity": _rates(pairs, DEFAULT_THRESHOLD, 0.0),
            "similarity_only": _rates([(e, True, s, c) for e, _, s, c in pairs], DEFAULT_THRESHOLD, 0.0)}


def _rates(pairs, t: float, c: float) -> dict:
    passed = [(e, ok and s >= t and cov >= c) for e, ok, s, cov in pairs]
    tp = sum(1 for e, ok in passed if e and ok)
    fp = sum(1 for e, ok in passed if not e and ok)
    pos, neg = sum(1 for e, _ in passed if e), sum(1 for e, _ in passed if not e)
    precision, recall = (tp / (tp + fp), tp / pos) if tp else (0.0, 0.0)
    return {"recall": round(recall, 3), "false_pass": round(fp / neg, 3) if neg else None,
            "precision": round(precision, 3), "f1": round(2 * tp / (tp + fp + pos), 3) if tp else 0.0,
            "f0.5": round(1.25 * precision * recall / (0.25 * precision + recall), 3) if tp else 0.0}


if __name__ == "__main__":
    print(json.dumps(calibrate(build_engine(), sys.argv[1] if len(sys.argv) > 1 else "eval/seed_gold.jsonl"),
                     indent=2))
