"""Run the whole benchmark in one go and write bench/results.json, docs/benchmarks.md and docs/bench-*.png.

    python -m bench.run --bench ../shared/benchmarks/realtimeqa-2026

Every measured step runs in its own child process (peak RSS from wait4, cold start from spawn to first output);
indexes are built under --workdir (a temporary folder, outside the repository; nothing of the benchmark's data is
copied into the repository).
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import data, metrics

ROOT = Path(__file__).resolve().parent.parent
FRACTIONS = (0.1, 0.3, 1.0)
COLD_RUNS = 3


def log(msg: str) -> None:
    print(msg, flush=True)


def child_env() -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT))
    env.pop("RAG_INDEX_DIR", None)
    return env


def run_child(args: list[str]) -> tuple[float, int]:
    """Run `python -m bench.worker ARGS`; (wall seconds, peak RSS bytes). Raises on failure."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.worker", *args], cwd=ROOT, env=child_env())
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"benchmark step failed ({proc.returncode}): bench.worker {' '.join(args)}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024  # Linux reports KiB


def cold_start(system: str, workdir: Path, q: data.Question) -> float:
    """Seconds from process start to the first line of its answer on stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.worker", "cold", system, str(workdir), q.question,
                             q.asked_on], cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.communicate()
    if proc.returncode or not first:
        raise SystemExit(f"cold start of {system} failed")
    return elapsed


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for pkg in ("torch", "sentence-transformers", "onnxruntime", "llama-index-core", "chromadb", "bm25s"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=str(ROOT.parent / "shared/benchmarks/realtimeqa-2026"))
    ap.add_argument("--workdir", default=None, help="where indexes are built (default: a temporary folder)")
    ap.add_argument("--systems", default="bm25,project,llamaindex")
    ap.add_argument("--fractions", default=",".join(map(str, FRACTIONS)),
                    help="archive shares for cost growth; 1.0 is the full run that gives the quality figures")
    ap.add_argument("--embed-sample", type=int, default=5000, help="passages for the raw model throughput")
    ap.add_argument("--out", default=str(ROOT / "bench/results.json"))
    ap.add_argument("--docs", default=str(ROOT / "docs"), help="where benchmarks.md and the plots go ('' to skip)")
    ap.add_argument("--limit", type=int, default=0,
                    help="only this many dev questions, spread evenly over the weeks (a quick check of the code path)")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other systems' figures already in --out (a partial re-run; the report says so)")
    args = ap.parse_args(argv)

    bench = Path(args.bench).resolve()
    articles = data.load_articles(bench)
    questions = data.load_questions(bench)
    if args.limit:
        questions = data.spread(questions, args.limit)
    systems = [s for s in args.systems.split(",") if s]
    fractions = sorted({float(f) for f in args.fractions.split(",")} | {1.0})
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="rag-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    qfile = work / "questions.jsonl"
    qfile.write_text("".join(json.dumps({"id": q.id, "question": q.question, "asked_on": q.asked_on}) + "\n"
                             for q in questions))
    log(f"benchmark: {len(articles):,} articles, {len(questions)} dev questions "
        f"({sum(q.answerable for q in questions)} answerable); work folder {work}")
    import psutil
    results = {"bench": str(bench), "command": "make bench", "machine": machine(), "versions": versions(),
               "load_average_start": os.getloadavg(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
               "questions": len(questions), "answerable": sum(q.answerable for q in questions), "systems": {}}
    archives = {}
    for f in fractions:
        if f >= 1.0:
            archives[f] = data.articles_path(bench)
        else:
            ids = data.sample_ids(articles, f)
            archives[f] = data.write_subset(articles, ids, work / f"archive-{int(f * 100)}.jsonl.gz")

    for system in systems:
        entry = results["systems"][system] = {"growth": []}
        for f in sorted(fractions, reverse=True):
            wd = work / f"{system}-{int(f * 100)}"
            shutil.rmtree(wd, ignore_errors=True)
            wd.mkdir(parents=True)
            log(f"[{system}] ingest {int(f * 100)}% of the archive")
            stats_file = wd / "ingest.json"
            wall, rss = run_child(["ingest", system, str(archives[f]), str(wd), str(stats_file)])
            stats = json.loads(stats_file.read_text())
            stats.update({"wall_seconds": wall, "peak_rss_bytes": rss, "disk_bytes": disk_bytes(wd) -
                          stats_file.stat().st_size, "passages_per_s": stats["passages"] / stats["seconds"]})
            log(f"    {stats['seconds']:.1f} s, {stats['passages']:,} passages ({stats['passages_per_s']:.0f}/s), "
                f"peak RSS {rss / 2**30:.2f} GB, {stats['disk_bytes'] / 2**20:.0f} MB on disk")
            log(f"[{system}] query {len(questions)} questions ({int(f * 100)}%)")
            rows_file = wd / "queries.json"
            run_child(["query", system, str(wd), str(qfile), str(rows_file), "1" if f >= 1.0 else "0"])
            rows = json.loads(rows_file.read_text())
            lat = [r["latency_ms"] for r in rows]
            point = {"fraction": f, "ingest_seconds": stats["seconds"], "passages": stats["passages"],
                     "query_p50_ms": metrics.percentile(lat, 50), "query_p95_ms": metrics.percentile(lat, 95)}
            entry["growth"].append(point)
            log(f"    query p50 {point['query_p50_ms']:.1f} ms, p95 {point['query_p95_ms']:.1f} ms")
            if f >= 1.0:
                entry["ingest"] = stats
                entry["query"] = {"p50_ms": point["query_p50_ms"], "p95_ms": point["query_p95_ms"],
                                  "questions": len(rows)}
                entry.update(score(system, rows, questions))
                log(f"    budget recall 1k/2k/4k: " + " / ".join(
                    f"{entry['retrieval'][f'budget@{b}']:.1f}" for b in metrics.BUDGETS))
                q0 = next(q for q in questions if q.answerable)
                cold = [cold_start(system, wd, q0) for _ in range(COLD_RUNS)]
                entry["cold_start_s"] = {"runs": cold, "median": sorted(cold)[len(cold) // 2]}
                log(f"    cold start {entry['cold_start_s']['median']:.2f} s (median of {COLD_RUNS})")
            if f < 1.0:
                shutil.rmtree(wd, ignore_errors=True)
        entry["growth"].sort(key=lambda p: p["fraction"])

    if "project" in systems:
        log("[model] raw embedding throughput")
        out = work / "embed.json"
        run_child(["embed", str(archives[1.0]), str(args.embed_sample), str(out)])
        results["embedding"] = json.loads(out.read_text())

    if args.merge and Path(args.out).exists():
        old = json.loads(Path(args.out).read_text())
        for name, entry in old.get("systems", {}).items():
            if name not in results["systems"]:
                entry["from_earlier_run"] = {k: old.get(k) for k in ("started", "finished", "load_average_start",
                                                                     "load_average_end")}
                results["systems"][name] = entry
        if "embedding" not in results and "embedding" in old:
            results["embedding"] = old["embedding"]
    results["load_average_end"] = os.getloadavg()
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    Path(args.out).write_text(json.dumps(results, indent=1))
    log(f"wrote {args.out}")
    if args.docs:
        from . import plot, report
        docs = Path(args.docs)
        plot.render(results, docs)
        report.write(results, docs / "benchmarks.md")
        log(f"wrote {docs / 'benchmarks.md'} and plots")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def score(system: str, rows: list[dict], questions: list[data.Question]) -> dict:
    """Retrieval figures over answerable questions; for the project also EM/F1 and the `ask` passages' recall."""
    by_id = {r["id"]: r for r in rows}
    answerable = [q for q in questions if q.answerable]
    out = {"retrieval": metrics.retrieval_scores([(q.answer, by_id[q.id]["passages"]) for q in answerable])}
    if system == "project":
        out["retrieval_ask_default_k"] = metrics.retrieval_scores(
            [(q.answer, by_id[q.id]["ask_passages"]) for q in answerable])
        em = [metrics.exact_match(by_id[q.id]["short_answer"], q.answer) for q in questions]
        f1 = [metrics.token_f1(by_id[q.id]["short_answer"], q.answer) for q in questions]
        em_a = [metrics.exact_match(by_id[q.id]["short_answer"], q.answer) for q in answerable]
        f1_a = [metrics.token_f1(by_id[q.id]["short_answer"], q.answer) for q in answerable]
        out["answers"] = {"em": 100 * sum(em) / len(em), "f1": 100 * sum(f1) / len(f1), "questions": len(em),
                          "em_answerable": 100 * sum(em_a) / len(em_a), "f1_answerable": 100 * sum(f1_a) / len(f1_a),
                          "abstained": sum(by_id[q.id]["abstained"] for q in questions)}
        lat = [by_id[q.id]["latency_ms"] for q in questions]
        out["answers"].update(short_p50_ms=metrics.percentile(lat, 50), short_p95_ms=metrics.percentile(lat, 95))
        if all("reader" in by_id[q.id] for q in questions):
            out["reader"] = reader_scores([(q, by_id[q.id]["reader"]) for q in questions])
    return out


def reader_scores(pairs: list) -> dict:
    """EM/F1, abstentions and latency of the reader's short answers, over all questions and per half (weeks
    before 2026-05-01, and from then on: the halves the reader was tuned and checked on)."""
    def block(items):
        if not items:
            return None
        em = [metrics.exact_match(r["short_answer"], q.answer) for q, r in items]
        f1 = [metrics.token_f1(r["short_answer"], q.answer) for q, r in items]
        short, full = [r["short_ms"] for _, r in items], [r["full_ms"] for _, r in items]
        return {"questions": len(items), "em": 100 * sum(em) / len(em), "f1": 100 * sum(f1) / len(f1),
                "abstained": sum(r["abstained"] for _, r in items),
                "abstained_answerable": sum(r["abstained"] and q.answerable for q, r in items),
                "model_short_answers": sum(r["origin"] == "model" for _, r in items),
                "short_p50_ms": metrics.percentile(short, 50), "short_p95_ms": metrics.percentile(short, 95),
                "full_p50_ms": metrics.percentile(full, 50), "full_p95_ms": metrics.percentile(full, 95),
                "load_mean": sum(r["load"] for _, r in items) / len(items)}
    return {"answerer": pairs[0][1]["answerer"], "all": block(pairs),
            "first_half": block([(q, r) for q, r in pairs if q.asked_on < data.HALF_SPLIT]),
            "second_half": block([(q, r) for q, r in pairs if q.asked_on >= data.HALF_SPLIT])}


if __name__ == "__main__":
    sys.exit(main())
