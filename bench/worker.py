"""One measured step in its own process, so that peak memory and cold start belong to that step alone.

    python -m bench.worker ingest SYSTEM ARCHIVE WORKDIR OUT.json
    python -m bench.worker query SYSTEM WORKDIR QUESTIONS.jsonl OUT.json [WITH_READER 0|1]
    python -m bench.worker cold SYSTEM WORKDIR QUESTION ASKED_ON      (prints the first passage, then exits)
    python -m bench.worker embed ARCHIVE SAMPLE OUT.json               (raw model throughput on project passages)
"""
import json
import os
import sys
import time
from pathlib import Path


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cmd_ingest(system: str, archive: str, workdir: str, out: str) -> None:
    from .systems import SYSTEMS

    started = time.perf_counter()
    cpu = time.process_time()
    stats = SYSTEMS[system]().ingest(Path(archive), Path(workdir), progress=log)
    stats["seconds"] = time.perf_counter() - started
    stats["cpu_seconds"] = time.process_time() - cpu
    Path(out).write_text(json.dumps(stats))


def cmd_query(system: str, workdir: str, questions: str, out: str, with_reader: str = "0") -> None:
    """Search every question (warm: after one untimed question); the project also answers with its default k,
    extractively and (with_reader "1") with the reader model."""
    from .systems import SYSTEMS

    s = SYSTEMS[system]()
    s.open(Path(workdir))
    qs = [json.loads(line) for line in Path(questions).read_text().splitlines() if line.strip()]
    s.search(qs[0]["question"], qs[0]["asked_on"])  # warm-up: lazy loads happen here, not in the timings
    reader = system == "project" and with_reader == "1" and s.reader
    if system == "project" and with_reader == "1" and not reader:
        log(f"    no reader: {s.engine.notice}")
    elif reader:
        s.ask(qs[0]["question"], qs[0]["asked_on"], answerer=None)  # the model's first call loads its weights
    rows = []
    for i, q in enumerate(qs, 1):
        row = {"id": q["id"]}
        if system == "project":
            t = time.perf_counter()
            answer = s.ask(q["question"], q["asked_on"])  # the extractive answerer: latency and short answer
            row["latency_ms"] = (time.perf_counter() - t) * 1000
            row["short_answer"] = answer.short_answer
            row["abstained"] = answer.abstained
            row["ask_passages"] = [p.text for p in answer.passages]
            row["passages"] = s.search(q["question"], q["asked_on"])
            if reader:
                row["reader"] = read(s, q)
        else:
            t = time.perf_counter()
            row["passages"] = s.search(q["question"], q["asked_on"])
            row["latency_ms"] = (time.perf_counter() - t) * 1000
        rows.append(row)
        if i % 50 == 0:
            log(f"    {system} queries: {i}/{len(qs)}")
    Path(out).write_text(json.dumps(rows))


def read(s, q: dict) -> dict:
    """The reader's answer as `ask` gives it by default: the short answer is ready after retrieval and the
    model's first line (`read`), the whole checked answer at the end."""
    load = os.getloadavg()[0]
    t = time.perf_counter()
    answer = s.ask(q["question"], q["asked_on"], answerer=None)
    full = (time.perf_counter() - t) * 1000
    ms = answer.timings_ms
    v = answer.verification or {}
    return {"short_answer": answer.short_answer, "abstained": answer.abstained, "answerer": answer.answerer,
            "short_ms": ms.get("retrieve", 0.0) + ms.get("read", ms.get("answer", 0.0)), "full_ms": full,
            "origin": v.get("short_answer"), "fallback": v.get("fallback"), "load": load}


def cmd_cold(system: str, workdir: str, question: str, asked_on: str) -> None:
    from .systems import SYSTEMS

    s = SYSTEMS[system]()
    s.open(Path(workdir))
    if system == "project":
        answer = s.ask(question, asked_on)
        print(answer.text[:200], flush=True)
    else:
        print(s.search(question, asked_on)[0][:200], flush=True)


def cmd_embed(archive: str, sample: str, out: str) -> None:
    """Passages/s of the model alone on a sample of the project's chunks: torch (unoptimised) and the project's."""
    import random

    from rag.formats import read_file
    from rag.chunking import chunk_article
    from rag.config import DEFAULT_MODEL
    from rag.embed import load_embedder, model_path

    texts = [c.embed_text for a in read_file(Path(archive), max_bytes=2*10**8).articles for c in chunk_article(a)]
    texts = random.Random(5).sample(texts, min(int(sample), len(texts)))
    texts.sort(key=len)  # what ingest does too
    result = {"passages": len(texts), "mean_chars": sum(map(len, texts)) / len(texts)}

    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(model_path(DEFAULT_MODEL), device="cpu")
    st.encode(texts[:64], batch_size=64)
    t = time.perf_counter()
    st.encode(texts, batch_size=64, normalize_embeddings=True)
    result["torch_per_s"] = len(texts) / (time.perf_counter() - t)
    log(f"    raw torch model: {result['torch_per_s']:.0f} passages/s")

    embedder = load_embedder(DEFAULT_MODEL)
    embedder.get_text_embedding_batch(texts[:64])
    t = time.perf_counter()
    embedder.get_text_embedding_batch(texts)
    result["project_per_s"] = len(texts) / (time.perf_counter() - t)
    result["project_embedder"] = type(embedder).__name__
    log(f"    raw project embedder ({result['project_embedder']}): {result['project_per_s']:.0f} passages/s")
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"ingest": cmd_ingest, "query": cmd_query, "cold": cmd_cold, "embed": cmd_embed}[cmd](*args)
