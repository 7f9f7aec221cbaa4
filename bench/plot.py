"""PNG plots from results.json: answer-recall per text budget and per k for each system; latency and ingest time
against archive size."""
from pathlib import Path

from .metrics import BUDGETS, KS

LABELS = {"project": "this project", "llamaindex": "LlamaIndex defaults", "bm25": "BM25 paragraphs"}
COLORS = {"project": "#1f77b4", "llamaindex": "#d62728", "bm25": "#7f7f7f"}


def render(results: dict, docs: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs.mkdir(parents=True, exist_ok=True)
    systems = {name: s for name, s in results["systems"].items() if "retrieval" in s}
    written = []

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, s in systems.items():
        r = s["retrieval"]
        left.plot(BUDGETS, [r[f"budget@{b}"] for b in BUDGETS], "o-", label=LABELS.get(name, name),
                  color=COLORS.get(name))
        right.plot(KS, [r[f"recall@{k}"] for k in KS], "o-", label=LABELS.get(name, name), color=COLORS.get(name))
    left.axhline(80, ls=":", color="black", lw=0.8)
    left.annotate("target at 2,000", (2000, 80), textcoords="offset points", xytext=(4, 4), fontsize=8)
    left.set(title="Answer-recall within a text budget", xlabel="characters of retrieved text",
             ylabel="% of answerable dev questions", xticks=list(BUDGETS), ylim=(0, 100))
    right.set(title="Answer-recall@k (passages differ in length)", xlabel="k passages", xticks=list(KS),
              ylim=(0, 100))
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    written.append(_save(fig, docs / "bench-recall.png"))

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, s in results["systems"].items():
        g = s.get("growth") or []
        if not g:
            continue
        x = [p["fraction"] * 100 for p in g]
        left.plot(x, [p["query_p50_ms"] for p in g], "o-", label=LABELS.get(name, name), color=COLORS.get(name))
        right.plot(x, [p["ingest_seconds"] / 60 for p in g], "o-", label=LABELS.get(name, name),
                   color=COLORS.get(name))
    left.set(title="Query latency p50 (warm)", xlabel="% of the archive (2,934 articles = 100%)", ylabel="ms")
    right.set(title="Ingest time", xlabel="% of the archive", ylabel="minutes")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    written.append(_save(fig, docs / "bench-growth.png"))
    return written


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    import json
    import sys
    render(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
