"""Read the benchmark folder (articles.jsonl.gz, questions-dev.jsonl) and write archive subsets for cost growth."""
import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    asked_on: str
    answer: str
    answerable: bool
    evidence_ids: tuple[str, ...]


def articles_path(bench_dir: Path) -> Path:
    path = Path(bench_dir) / "articles.jsonl.gz"
    if not path.exists():
        raise SystemExit(f"No benchmark archive at {path}; pass BENCH=/path/to/realtimeqa-2026 to `make bench`")
    return path


def load_articles(bench_dir: Path) -> list[dict]:
    """The raw article objects (id, url, title, source, published, text), in file order."""
    with gzip.open(articles_path(bench_dir), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_questions(bench_dir: Path) -> list[Question]:
    path = Path(bench_dir) / "questions-dev.jsonl"
    if not path.exists():
        raise SystemExit(f"No questions at {path}; pass BENCH=/path/to/realtimeqa-2026 to `make bench`")
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                out.append(Question(q["id"], q["question"], q["asked_on"], q["answer"], bool(q["answerable"]),
                                    tuple(q.get("evidence_ids") or ())))
    return out


# The dev questions' halves by week, for tuning on one and checking on the other: 115 asked before, 116 after.
HALF_SPLIT = "2026-05-01"


def spread(questions: list[Question], n: int) -> list[Question]:
    """n questions spread evenly over the list (file order is week order), for a quick run."""
    if n >= len(questions):
        return questions
    step = len(questions) / n
    return [questions[int(i * step)] for i in range(n)]


def sample_ids(articles: list[dict], fraction: float, seed: int = 5) -> set[str]:
    """A fixed random share of the article ids (the same share for every system)."""
    ids = sorted(a["id"] for a in articles)
    if fraction >= 1.0:
        return set(ids)
    return set(random.Random(seed).sample(ids, round(len(ids) * fraction)))


def write_subset(articles: list[dict], ids: set[str], dest: Path) -> Path:
    """Write the chosen articles as a .jsonl.gz archive file (outside the repository) and return its path."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(dest, "wt", encoding="utf-8") as f:
        for a in articles:
            if a["id"] in ids:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
    return dest
