"""Measure a Chroma store at archive scale: embedded vs `chroma run` on loopback (numbers for docs/deployment.md).

    .venv/bin/python docs/measure_chroma.py --chunks 135000   # the realtimeqa-2026 archive has 135,309 chunks

Random unit vectors of the model's size (384) with the metadata rag/index.py writes, so no model is needed:
write rate, query latency for one client and for 8 concurrent clients (the retriever asks for 40 candidates),
the scans that every `ingest` (ids only) and `check` (all metadata) start with, memory and disk. Prints one JSON line per mode.
"""
import argparse
import os
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

DIMS, CANDIDATES, BATCH = 384, 40, 5000


def rss_mb(pid: int) -> int:
    return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def folder_mb(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) // 2**20


def measure(client, n: int, rng) -> dict:
    col = client.get_or_create_collection("paragraphs", metadata={"hnsw:space": "cosine"})
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        vectors = rng.standard_normal((size, DIMS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"a{(start + i) // 5}:{(start + i) % 5 + 1}#0@0123456789ab" for i in range(size)]
        metas = [{"article_id": f"a{(start + i) // 5}", "paragraph": (start + i) % 5 + 1, "hash": "0123456789ab",
                  "source": "AP", "published": 20240101, "story": f"a{(start + i) // 5}"} for i in range(size)]
        col.add(ids=ids, embeddings=vectors, metadatas=metas)
    write_s = time.perf_counter() - started
    queries = rng.standard_normal((400, DIMS)).astype(np.float32)
    latencies = []
    for q in queries[:200]:
        t = time.perf_counter()
        col.query(query_embeddings=[q.tolist()], n_results=CANDIDATES)
        latencies.append(time.perf_counter() - t)
    errors = []

    def client_loop(part):
        for q in part:
            try:
                col.query(query_embeddings=[q.tolist()], n_results=CANDIDATES)
            except Exception as e:  # counted, not raised: the figure is the error count
                errors.append(repr(e))

    threads = [threading.Thread(target=client_loop, args=(queries[i * 50:(i + 1) * 50],)) for i in range(8)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    concurrent_qps = 400 / (time.perf_counter() - t)
    t = time.perf_counter()
    scanned, offset = 0, 0
    while True:
        got = col.get(include=["metadatas"], limit=5000, offset=offset)
        scanned += len(got["ids"])
        offset += 5000
        if len(got["ids"]) < 5000:
            break
    scan_s = time.perf_counter() - t
    t = time.perf_counter()
    offset = 0
    while True:  # what every ingest does first (rag/index.py Index.reconcile): ids only
        got = col.get(include=[], limit=20000, offset=offset)
        offset += 20000
        if len(got["ids"]) < 20000:
            break
    ids_scan_s = time.perf_counter() - t
    return {"chunks": n, "write_per_s": round(n / write_s), "query_ms_median": round(statistics.median(latencies) * 1000, 1),
            "query_ms_p95": round(sorted(latencies)[int(len(latencies) * 0.95)] * 1000, 1),
            "queries_per_s_8_clients": round(concurrent_qps, 1), "errors": len(errors),
            "metadata_scan_s": round(scan_s, 1), "ids_scan_s": round(ids_scan_s, 1), "scanned": scanned}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=135_000)
    args = ap.parse_args()
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    root = Path(tempfile.mkdtemp(prefix="measure-chroma-"))
    try:
        result = measure(chromadb.PersistentClient(path=str(root / "embedded"), settings=settings), args.chunks,
                         np.random.default_rng(1))
        print(json.dumps({"mode": "embedded", **result, "process_rss_mb": rss_mb(os.getpid()),
                          "disk_mb": folder_mb(root / "embedded")}), flush=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(root / "server"),
                                   "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=settings)
            result = measure(client, args.chunks, np.random.default_rng(1))
            print(json.dumps({"mode": "server", **result, "server_rss_mb": rss_mb(server.pid),
                              "disk_mb": folder_mb(root / "server")}), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
