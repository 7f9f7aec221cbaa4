"""Score the engine on gold Q&A pairs (format in eval/README.md): retrieval, answers, citations, abstention, latency.

Stage: beside the engine (it asks the engine questions). Must not import the edges (CLI, web app).
"""
import json
import re
from pathlib import Path

from .dates import parse_iso
from .answer import Turn
from .errors import RagError
from .scoring import exact_match, token_f1


def load_gold(path) -> list[dict]:
    """Gold items, one JSON object per line; a bad line raises with its number."""
    items = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RagError(f"{path}: cannot read the gold file ({getattr(e, 'strerror', None) or e}); give a UTF-8 "
                       "JSONL file such as eval/seed_gold.jsonl") from None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise RagError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
        if not isinstance(item, dict) or not ("question" in item or "turns" in item):
            raise RagError(f'{path}:{lineno}: each line needs a "question" (or "turns")')
        if "question" in item and not (isinstance(item["question"], str) and item["question"].strip()):
            raise RagError(f'{path}:{lineno}: "question" must be a non-empty string')
        if "as_of" in item and not parse_iso(item["as_of"]):
            raise RagError(f'{path}:{lineno}: "as_of" must be a date written YYYY-MM-DD, e.g. "2019-09-04"')
        items.append(item)
    return items


def norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def matches(expected: str, text: str) -> bool:
    """An answer string (substring, case-insensitive) or a pattern written as "re:..."."""
    if expected.startswith("re:"):
        return re.search(expected[3:], text, re.I) is not None
    return norm(expected) in norm(text)


_PUBLISHED_NOTE = re.compile(r"\bpublished \d{1,2} [A-Z][a-z]+ \d{4}")


def holds_evidence(paragraph: str, evidence: list[str]) -> bool:
    return any(norm(e) in norm(paragraph) for e in evidence)


def score_turn(item: dict, answer) -> dict:
    """Per-question figures for one answered question."""
    answerable = item.get("answerable", True)
    evidence = item.get("evidence", [])
    ranks = [i for i, p in enumerate(answer.passages) if holds_evidence(p.text, evidence)] if evidence else []
    if not answerable:
        correct = answer.abstained
    else:
        # The provenance note of a "when" answer ("AFP, published 31 August 2019") is no answer to the question.
        said = _PUBLISHED_NOTE.sub("", answer.text)
        correct = not answer.abstained and any(matches(a, said) for a in item.get("answers", []))
    plain = [a for a in item.get("answers", []) if not a.startswith("re:")]
    cited = [holds_evidence(c.text, evidence) for c in answer.citations] if evidence else []
    # Before verification: the paragraphs a language model cited as written (an id naming no source counts as a
    # wrong citation); answers that were not verified cite the same before and after.
    v = answer.verification or {}
    texts = {p.id: p.text for p in answer.passages}
    raw = [texts.get(pid) for pid in dict.fromkeys(v["raw_citations"])] if "raw_citations" in v else \
        [c.text for c in answer.citations]
    raw_cited = [t is not None and holds_evidence(t, evidence) for t in raw] if evidence else []
    return {
        "id": item.get("id"), "type": item.get("type", "other"), "question": answer.question,
        "answerable": answerable, "correct": correct, "abstained": answer.abstained,
        "answer": answer.text, "short_answer": answer.short_answer, "expected": item.get("answers", []),
        "hit1": bool(ranks) and ranks[0] < 1, "hit5": bool(ranks) and ranks[0] < 5,
        "rr": 1.0 / (ranks[0] + 1) if ranks else 0.0,
        "citations": len(cited), "good_citations": sum(cited), "cited_evidence": any(cited),
        "raw_citations": len(raw_cited), "good_raw_citations": sum(raw_cited),
        "verification": {k: v[k] for k in ("sentences", "supported", "reattributed", "removed", "fallback")
                         if k in v} or None,
        "em": max((exact_match(answer.short_answer, a) for a in plain), default=None) if answerable else None,
        "f1": max((token_f1(answer.short_answer, a) for a in plain), default=None) if answerable else None,
        # the short answer is ready after retrieval and, with the reader, the model's first line
        "short_ms": answer.timings_ms.get("retrieve", 0.0) + answer.timings_ms.get(
            "read", answer.timings_ms.get("answer", 0.0)),
        "tokens": answer.timings_ms.get("tokens", 0), "generate_ms": answer.timings_ms.get("generate", 0.0),
        "first_token_ms": answer.timings_ms.get("first_token", 0.0),
        "has_evidence": bool(evidence) and answerable, "ms": answer.timings_ms.get("total", 0.0),
    }


TEMPORAL_TYPES = ("when", "temporal")  # questions about dates, reported together as well


def evaluate(engine, gold_path, answerer: str | None = None) -> dict:
    """Run every gold question (conversations turn by turn) and aggregate per type and overall. With a language
    model configured, the extractive answerer is run too and both are reported side by side."""
    rows = run(engine, gold_path, answerer)
    by_type = {}
    for t in sorted({r["type"] for r in rows}):
        by_type[t] = aggregate([r for r in rows if r["type"] == t])
    temporal = [r for r in rows if r["type"] in TEMPORAL_TYPES]
    name = answerer or engine.answerer.name
    side = {name: aggregate(rows)}
    if name != "extractive":
        side = {"extractive": aggregate(run(engine, gold_path, "extractive")), **side}
    return {"gold": str(gold_path), "answerer": name, "notice": engine.notice, "overall": side[name],
            "by_type": by_type, "side_by_side": side, "verification": verification_summary(rows),
            "temporal": aggregate(temporal) if temporal else None,
            "failures": [r for r in rows if not r["correct"]], "rows": rows}


def run(engine, gold_path, answerer: str | None = None) -> list[dict]:
    """One scored row per gold question (or conversation turn)."""
    rows = []
    for item in load_gold(gold_path):
        turns = item.get("turns") or [item]
        history: list[Turn] = []
        for i, turn in enumerate(turns):
            turn = {"type": item.get("type", "other"), **turn, "id": f"{item.get('id', '')}" + (f"#{i + 1}" if
                                                                                                   "turns" in item else "")}
            as_of = parse_iso(turn.get("as_of") or item.get("as_of"))  # "last week" is read as of this day
            answer = engine.ask(turn["question"], history=tuple(history), as_of=as_of, answerer=answerer)
            history.append(Turn(turn["question"], answer))
            rows.append(score_turn(turn, answer))
    return rows


def aggregate(rows: list[dict]) -> dict:
    ev = [r for r in rows if r["has_evidence"]]
    cites = sum(r["citations"] for r in rows)
    ms = sorted(r["ms"] for r in rows)
    short = sorted(r["short_ms"] for r in rows)
    return {
        "questions": len(rows),
        "answer_accuracy": _mean([r["correct"] for r in rows]),
        "hit@1": _mean([r["hit1"] for r in ev]), "hit@5": _mean([r["hit5"] for r in ev]),
        "mrr": _mean([r["rr"] for r in ev]),
        "citation_precision": sum(r["good_citations"] for r in rows) / cites if cites else None,
        "citation_precision_before": _ratio(sum(r["good_raw_citations"] for r in rows),
                                            sum(r["raw_citations"] for r in rows)),
        "citation_recall": _mean([r["cited_evidence"] for r in ev]),
        "abstention_accuracy": _mean([r["abstained"] == (not r["answerable"]) for r in rows]),
        "latency_p50_ms": _pct(ms, 50), "latency_p95_ms": _pct(ms, 95),
        "em": _mean([r["em"] for r in rows if r["em"] is not None]),
        "f1": _mean([r["f1"] for r in rows if r["f1"] is not None]),
        "abstained": sum(r["abstained"] for r in rows),
        "short_p50_ms": _pct(short, 50), "short_p95_ms": _pct(short, 95),
    }


def verification_summary(rows: list[dict]) -> dict | None:
    """Totals of sentence verification over language-model answers, and generation speed (None for extractive)."""
    checked = [r for r in rows if r["verification"]]
    if not checked:
        return None
    totals = {k: sum(r["verification"].get(k, 0) for r in checked)
              for k in ("sentences", "supported", "reattributed", "removed")}
    own = [r for r in checked if not r["verification"].get("fallback")]
    seconds = sum(r["generate_ms"] for r in checked) / 1000
    writing = seconds - sum(r["first_token_ms"] for r in checked) / 1000
    tokens = sum(r["tokens"] for r in checked)
    return {**totals, "answers": len(checked), "fallbacks": len(checked) - len(own),
            # precision of the citations the model's own verified sentences carry (fallback answers excluded)
            "model_citation_precision": _ratio(sum(r["good_citations"] for r in own), sum(r["citations"] for r in own)),
            "tokens": tokens, "generate_s": round(seconds, 1),
            # writing speed (after the prompt is read), and overall including reading the prompt
            "tokens_per_s": round(tokens / writing, 1) if writing > 0 else None,
            "tokens_per_s_overall": round(tokens / seconds, 1) if seconds else None}


def _pair(a, b) -> str:
    return "—" if a is None else f"{a:.0f} / {b:.0f}"


def _ratio(good, total) -> float | None:
    return good / total if total else None


def _mean(values) -> float | None:
    values = list(values)
    return sum(map(float, values)) / len(values) if values else None


def _pct(sorted_values, p) -> float | None:
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[i]


COLUMNS = ["questions", "answer_accuracy", "hit@1", "hit@5", "mrr", "citation_precision_before", "citation_precision",
           "citation_recall", "abstention_accuracy", "latency_p50_ms", "latency_p95_ms"]
HEADERS = ["n", "accuracy", "hit@1", "hit@5", "MRR", "prec before", "cite prec", "cite rec", "abstain acc", "p50 ms",
           "p95 ms"]


def format_report(report: dict) -> str:
    """The report as a plain-text table, with the failed questions under it."""
    def cell(v):
        if v is None:
            return "—"
        return str(v) if isinstance(v, int) else f"{v:.3f}" if v <= 1.0 else f"{v:.0f}"

    lines = [f"{'type':14}" + "".join(f"{h:>12}" for h in HEADERS)]
    temporal = [("TEMPORAL", report["temporal"])] if report.get("temporal") else []  # when + temporal
    for name, agg in [*report["by_type"].items(), *temporal, ("OVERALL", report["overall"])]:
        lines.append(f"{name:14}" + "".join(f"{cell(agg[c]):>12}" for c in COLUMNS))
    side = report.get("side_by_side") or {}
    if len(side) > 1:
        lines.append(f"\n{'answerer':14}{'accuracy':>10}{'cite prec':>11}{'abstain acc':>13}{'abstained':>11}"
                     f"{'EM':>7}{'F1':>7}{'short p50/p95 ms':>20}{'full p50/p95 ms':>20}")
        for name, agg in side.items():
            lines.append(f"{name:14}{cell(agg['answer_accuracy']):>10}{cell(agg['citation_precision']):>11}"
                         f"{cell(agg['abstention_accuracy']):>13}{agg['abstained']:>11}{cell(agg['em']):>7}"
                         f"{cell(agg['f1']):>7}{_pair(agg['short_p50_ms'], agg['short_p95_ms']):>20}"
                         f"{_pair(agg['latency_p50_ms'], agg['latency_p95_ms']):>20}")
    if report.get("notice"):
        lines.append(f"\nNote: {report['notice']}")
    if v := report.get("verification"):
        lines.append(f"\nVerification: {v['sentences']} model sentences, {v['supported']} supported as cited, "
                     f"{v['reattributed']} re-attributed, {v['removed']} removed; {v['fallbacks']} of {v['answers']} "
                     f"answers fell back to extractive; precision of the model's verified citations "
                     f"{cell(v['model_citation_precision'])}; {v['tokens']} tokens in {v['generate_s']} s: "
                     f"{v['tokens_per_s']} tokens/s writing, {v['tokens_per_s_overall']} tokens/s with prompt reading.")
    if report["failures"]:
        lines.append("\nFailed:")
        for r in report["failures"]:
            lines.append(f"- [{r['id']}] {r['question']}\n    expected {r['expected'] or 'abstention'}; "
                         f"got: {r['answer'][:200]}")
    return "\n".join(lines)
