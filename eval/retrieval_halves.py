"""Retrieval variants scored on each half of the realtimeqa-2026 dev questions (issue 14's honest tuning).

    python eval/retrieval_halves.py --index DIR [--bench ../shared/benchmarks/realtimeqa-2026]

DIR is a whole-archive index built with `python -m rag ingest` from the benchmark's articles (read only here).
For every answerable dev question, the dense and BM25 lists are fetched once at depth 120; each variant then
rebuilds the search path of rag/search.py from them (fusion by reciprocal rank, the date boost as of `asked_on`,
the sentence rerank, top 30) and is scored with bench/metrics.py: answer-recall within 1,000 / 2,000 / 4,000
characters and recall@10, on half A (asked before 2026-05-01) and half B (the rest). With 70 and 55 questions,
one question is 1.4 and 1.8 points.

The last part fits the rerank's weights (its three features plus dense similarity, the date fit, the article's
age, the question's words in the title and "found by both lists") by coordinate ascent on one half, and scores
them on the other, both ways.
"""
import argparse
import collections
import math
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import HALF_SPLIT, load_questions  # noqa: E402
from bench.metrics import retrieval_scores  # noqa: E402

DEPTH = 120  # the deepest list a variant reads
K = 30  # passages scored, as the benchmark asks Engine.ask for
FEATURES = ("fused", "coverage", "answer", "length", "similarity", "date fit", "age", "title", "both lists")
SHIPPED = (1.0, 1.0, 0.5, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0)  # rag/rerank.py as the weights of FEATURES


@dataclass(frozen=True)
class Lists:
    dense: dict  # query form -> [(chunk id, similarity)]
    lexical: list  # [(chunk id, BM25 score)]


def fuse(retriever, lists, depths, rrf_k=60):
    """Fused passages (copies folded) and each list's paragraph ranks, as Retriever._retrieve does."""
    from rag.store import ChunkKey
    fused, similarity, ranks = {}, {}, []
    for ranked, depth in zip(lists, depths):
        rank_of = {}
        for rank, (chunk_id, _) in enumerate(ranked[:depth]):
            pid = ChunkKey.parse(chunk_id).paragraph_id
            if pid not in rank_of:
                rank_of[pid] = len(rank_of)
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (rrf_k + rank + 1)
        ranks.append(rank_of)
    for chunk_id, sim in lists[0][:depths[0]]:
        pid = ChunkKey.parse(chunk_id).paragraph_id
        similarity[pid] = max(similarity.get(pid, 0.0), sim)
    keep = sum(depths)
    best = sorted(fused, key=fused.get, reverse=True)[:keep * 3]
    return retriever.passages(best, fused, similarity)[:keep], ranks


def expansion_words(question, passages, docs, words):
    """RM3-style: words frequent in the top passages (by share of the passage, weighted 1/rank), not in the question."""
    from rag.store.lexical import query_tokens
    asked = set(query_tokens(question))
    weight, seen_in = collections.Counter(), collections.Counter()
    for rank, p in enumerate(passages[:docs]):
        tokens = query_tokens(p.text)
        for t, n in collections.Counter(tokens).items():
            if t not in asked and len(t) > 2:
                weight[t] += n / len(tokens) / (rank + 1)
                seen_in[t] += 1
    ranked = sorted(((w * (1 + math.log(seen_in[t])), t) for t, w in weight.items() if seen_in[t] >= 2), reverse=True)
    return [t for _, t in ranked[:words]]


def features(question, asked_on, pool, fused, ranks):
    """One row of FEATURES per passage of the rerank pool."""
    from rag import rerank
    from rag.dates import parse_iso
    from rag.spans import question_type
    from rag.text import content_terms, sentence_stems, term_coverage
    terms, qtype = content_terms(question), question_type(question)
    top = max(p.score for p in pool) or 1.0
    raw = {p.id: p.score for p in fused}
    rows = []
    for p in pool:
        best, answering = rerank.sentence_scores(question, qtype, terms, p) if terms else (0.0, 0.0)
        published = parse_iso(p.published)
        age = math.log1p(max(0, (asked_on - published).days)) / 8 if published else 0.5
        rows.append((p.score / top, best, answering, len(p.text) / 1000, p.similarity,
                     p.score / raw[p.id] - 1 if raw.get(p.id) else 0.0, age,
                     term_coverage(terms, sentence_stems(p.title)) if terms else 0.0,
                     float(p.id in ranks[0] and p.id in ranks[1])))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="whole-archive index built from the benchmark's articles")
    ap.add_argument("--bench", default=str(ROOT.parent / "shared" / "benchmarks" / "realtimeqa-2026"))
    args = ap.parse_args(argv)

    import re
    from rag import rerank
    from rag.config import Config
    from rag.engine import build_engine
    from rag.search import dated
    from rag.store import Filters

    engine = build_engine(Config.from_env(index_dir=args.index, answerer="extractive"))
    retriever = engine.searcher.retriever
    questions = [q for q in load_questions(args.bench) if q.answerable]
    wh = re.compile(r"\b(?:which|what|who|whom|whose|when|where|why|how(?: many| much)?)\b\s*", re.I)
    shipped_candidates, retriever.candidates = retriever.candidates, DEPTH
    lists = {}
    for q in questions:
        forms = {"plain": q.question, "no question words": wh.sub("", q.question).strip(),
                 "as-of month": f"{q.question} ({date.fromisoformat(q.asked_on):%B %Y})"}
        lists[q.id] = Lists({name: retriever.dense(text, Filters()) for name, text in forms.items()},
                            retriever.lexical(q.question, Filters()))
    retriever.candidates = shipped_candidates
    expanded = {}

    def search(q, depths=(40, 40), pool=30, rrf_k=60, form="plain", rm3=None):
        asked_on = date.fromisoformat(q.asked_on)
        ls = [lists[q.id].dense[form], lists[q.id].lexical]
        fused, ranks = fuse(retriever, ls, depths, rrf_k)
        boosted = dated(q.question, fused, asked_on)
        if rm3:
            words = tuple(expansion_words(q.question, boosted, *rm3))
            if (q.id, words) not in expanded:
                with retriever.index.reading():
                    expanded[q.id, words] = retriever.lexical(f"{q.question} {' '.join(words)}", Filters())
            fused, ranks = fuse(retriever, ls + [expanded[q.id, words]], depths + (depths[1],), rrf_k)
            boosted = dated(q.question, fused, asked_on)
        return boosted[:max(K, pool)], fused, ranks

    halves = {"A": lambda q: q.asked_on < HALF_SPLIT, "B": lambda q: q.asked_on >= HALF_SPLIT}

    def scores(ranked):  # question id -> passage texts, best first
        out = {}
        for half, sel in halves.items():
            r = retrieval_scores([(q.answer, ranked[q.id]) for q in questions if sel(q)])
            out[half] = f"{r['budget@1000']:5.1f} {r['budget@2000']:5.1f} {r['budget@4000']:5.1f} {r['recall@10']:5.1f}"
        return out

    def row(label, **kw):
        start = time.perf_counter()
        ranked = {}
        for q in questions:
            pool = search(q, **kw)[0]
            rerank.POOL = len(pool)
            ranked[q.id] = [p.text for p in rerank.rerank(q.question, pool, K)]
        rerank.POOL = engine.searcher.rerank_pool
        ms = (time.perf_counter() - start) / len(questions) * 1000
        s = scores(ranked)
        print(f"| {label:42} | {s['A']} | {s['B']} | {ms:5.1f} |", flush=True)

    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"{len(questions)} answerable dev questions; load average {load}")
    print("| variant (top 30 after the rerank)          | A: 1k    2k    4k  r@10 | B: 1k    2k    4k  r@10 | ms/q* |")
    print("|---|---|---|---:|")
    row("shipped: 40 + 40 candidates, pool 30")
    for depths, pool in (((40, 40), 45), ((40, 40), 60), ((80, 80), 30), ((80, 80), 45), ((120, 120), 60),
                         ((80, 40), 45), ((40, 80), 30), ((40, 80), 45), ((60, 60), 45)):
        row(f"{depths[0]} + {depths[1]} candidates, pool {pool}", depths=depths, pool=pool)
    for rrf_k in (20, 120):
        row(f"RRF k {rrf_k} (60 shipped)", rrf_k=rrf_k)
        row(f"80 + 80, pool 45, RRF k {rrf_k}", depths=(80, 80), pool=45, rrf_k=rrf_k)
    for depth in (60, 80, 120):  # deeper lists with a smaller k: a paragraph deep in both lists no longer
        row(f"{depth} + {depth}, pool 30, RRF k 20", depths=(depth, depth), rrf_k=20)  # outranks a list's top
    for form in ("no question words", "as-of month"):
        row(f"dense query: {form}", form=form)
    for docs, words in ((5, 5), (10, 10)):
        row(f"RM3: third BM25 list, {words} words of top {docs}", rm3=(docs, words))
    print("* from cached lists: fusion, date boost and rerank only, not the searches")

    # rerank weights fitted on one half by coordinate ascent, scored on the other
    data = {}
    for q in questions:
        pool, fused, ranks = search(q)
        data[q.id] = (pool, features(q.question, date.fromisoformat(q.asked_on), pool, fused, ranks))

    def ranked_by(weights):
        out = {}
        for q in questions:
            pool, rows = data[q.id]
            s = [sum(w * x for w, x in zip(weights, r)) for r in rows]
            out[q.id] = [pool[i].text for i in sorted(range(len(pool)), key=lambda i: (-s[i], i))[:K]]
        return out

    def objective(weights, sel):
        r = retrieval_scores([(q.answer, ranked_by(weights)[q.id]) for q in questions if sel(q)])
        return (r["budget@2000"] + r["budget@4000"] + r["recall@10"]) / 3

    print(f"\n| rerank weights ({', '.join(FEATURES)}) | A | B |\n|---|---|---|")
    s = scores(ranked_by(SHIPPED))
    print(f"| shipped {SHIPPED} | {s['A']} | {s['B']} |")
    for fit_on, sel in halves.items():
        w, best = list(SHIPPED), objective(SHIPPED, sel)
        for _ in range(3):
            moved = False
            for i in range(len(FEATURES)):
                for step in (-0.5, -0.25, 0.25, 0.5):
                    trial = w[:i] + [w[i] + step] + w[i + 1:]
                    value = objective(trial, sel)
                    if value > best + 0.5:
                        w, best, moved = trial, value, True
            if not moved:
                break
        s = scores(ranked_by(w))
        print(f"| fitted on {fit_on}: {tuple(w)} | {s['A']} | {s['B']} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
