"""Does reading dates help retrieval? Answer-recall@k on realtimeqa-2026 dev questions with and without dates.

    python eval/temporal_recall.py --index DIR [--bench ../shared/benchmarks/realtimeqa-2026] [--json]

DIR is an index built with `python -m rag ingest` from the benchmark's articles (all of them, or a sample that
holds every evidence article: say which when reporting). Recall follows the benchmark's README: a hit at k when
one of the top k passages (paragraphs) contains the answer, both lower-cased with whitespace collapsed.
Variants, over the answerable dev questions, all re-ranking the candidates the search reranks from
(rag/search.py, what Engine.ask calls), before its sentence rerank:
  plain          no date signal at all (the retriever alone)
  today          `ask` without --as-of: dates in the question read as of today
  as-of          `ask --as-of asked_on`: dates in the question read as of the day it was asked, and questions
                 naming no date get the week before that day as their range (the default with an as-of day);
                 a question about the present boosts the week's articles more (temporal.time_frame)
  as-of, even boost  as-of with the same publication boost for the present as for other ranges (before)
  as-of, hints only / events only / publication only    as-of with one part switched off
  search         what `ask --as-of asked_on` reads: as-of, then the rerank by sentences
"""
import argparse
import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KS = (1, 5, 10)


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def hits(passages, answer: str) -> list[bool]:
    """For each k, whether one of the first k passages holds the answer."""
    found = next((i for i, p in enumerate(passages) if norm(answer) in norm(p.text)), None)
    return [found is not None and found < k for k in KS]


class Cached:
    """The engine's retriever, remembering results: every variant re-ranks the same candidates."""

    def __init__(self, retriever):
        self.retriever, self.seen = retriever, {}

    def retrieve(self, query, k, filters=None):
        if (query, k) not in self.seen:
            self.seen[query, k] = self.retriever.retrieve(query, k, filters) if filters else \
                self.retriever.retrieve(query, k)
        return self.seen[query, k]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="index folder built from the benchmark's articles")
    ap.add_argument("--bench", default=str(ROOT.parent / "shared" / "benchmarks" / "realtimeqa-2026"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from rag import temporal
    from rag.config import Config
    from rag.temporal import question_date_hint
    from rag.engine import build_engine
    from rag.search import dated

    engine = build_engine(Config.from_env(index_dir=args.index, answerer="extractive"))
    retriever = Cached(engine.searcher.retriever)
    everything = 2 * engine.searcher.retriever.candidates  # every fused candidate, as the search takes them
    questions = [json.loads(line) for line in open(Path(args.bench) / "questions-dev.jsonl", encoding="utf-8")]
    questions = [q for q in questions if q["answerable"]]
    k = max(KS)
    names = ("plain", "today", "as-of", "as-of, even boost", "as-of, hints only", "as-of, events only",
             "as-of, publication only", "search")
    variants = {name: [] for name in names}
    with_hint = []
    for q in questions:
        text, asked_on = q["question"], date.fromisoformat(q["asked_on"])
        hint = question_date_hint(text, asked_on)
        with_hint.append(hint is not None)
        pool = retriever.retrieve(text, everything)
        as_of_hint = hint or temporal.recent_hint(asked_on)
        ranked = {
            "plain": pool[:k],
            "today": dated(text, pool, None)[:k],
            "as-of": dated(text, pool, asked_on)[:k],
            "as-of, even boost": temporal.apply_date_hint(pool, temporal.time_frame(text, asked_on).hint, k),
            "as-of, hints only": temporal.apply_date_hint(pool, hint, k) if hint else pool[:k],
            "as-of, events only": temporal.apply_date_hint(pool, as_of_hint, k, published_boost=0.0),
            "as-of, publication only": temporal.apply_date_hint(pool, as_of_hint, k, event_boost=0.0),
            "search": engine.searcher.search(text, k, as_of=asked_on),
        }
        for name in names:
            variants[name].append(hits(ranked[name], q["answer"]))
    stats = engine.index.stats()
    report = {"questions": len(questions), "with_date_in_question": sum(with_hint), "index": str(args.index),
              "articles": stats["articles"], "paragraphs": stats["paragraphs"], "recall": {}}
    plain = variants["plain"]
    for name, rows in variants.items():
        subset = [r for r, h in zip(rows, with_hint) if h]
        report["recall"][name] = {
            "all": {f"@{kk}": round(100 * sum(r[i] for r in rows) / len(rows), 1) for i, kk in enumerate(KS)},
            "dated": {f"@{kk}": round(100 * sum(r[i] for r in subset) / max(1, len(subset)), 1)
                      for i, kk in enumerate(KS)},
            # questions gained and lost against plain, per k: small samples move by single questions
            "gained": {f"@{kk}": sum(r[i] and not p[i] for r, p in zip(rows, plain)) for i, kk in enumerate(KS)},
            "lost": {f"@{kk}": sum(p[i] and not r[i] for r, p in zip(rows, plain)) for i, kk in enumerate(KS)}}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['questions']} answerable dev questions ({report['with_date_in_question']} name a date); index "
          f"{report['index']}: {report['articles']} articles, {report['paragraphs']} paragraphs (one passage each)")
    print("answer-recall in percent, all questions and those naming a date; +gained/-lost against plain (all)")
    print(f"{'variant':24}" + "".join(f"{'all@' + str(kk):>9}" for kk in KS)
          + "".join(f"{'dated@' + str(kk):>10}" for kk in KS) + "   +/- @1, @5, @10")
    for name, r in report["recall"].items():
        moved = ", ".join(f"+{r['gained'][key]}/-{r['lost'][key]}" for key in r["gained"])
        print(f"{name:24}" + "".join(f"{v:>9}" for v in r["all"].values())
              + "".join(f"{v:>10}" for v in r["dated"].values()) + f"   {moved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
