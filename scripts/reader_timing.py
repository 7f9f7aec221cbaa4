"""How long the bundled reader takes to load, and what llama.cpp's prompt cache saves (README, "Speed on 2 CPU
cores"): `.venv/bin/python scripts/reader_timing.py`.

The same conversation is run twice on one loaded model: answer, answer, rewrite a follow-up, answer, rewrite,
answer. First with llama.cpp's own reuse of the last prompt's state only, then with the RAM prompt cache the
`llamacpp` backend sets. Prints the time to the first token of each reply.
"""
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llama_cpp import Llama, LlamaRAMCache  # noqa: E402

from rag.answerers.llamacpp import PROMPT_CACHE_BYTES, _plain_cpu_buffers, model_file, stream_reply  # noqa: E402
from rag.prompts import answer_messages, rewrite_messages  # noqa: E402

TRUCE = ("An agreement was reached for a unilateral ceasefire by Syrian government forces starting at 6:00 am on "
         "August 31, the Russian Center for Reconciliation in Syria said.", "The airstrikes stopped on Saturday.")
JUNE = ("Russia and Turkey agreed on a complete ceasefire in Idlib on June 12, the Russian military said.",
        "Fighting continued in the south.")


def shown(texts):
    return [SimpleNamespace(n=n, passage=SimpleNamespace(source="AFP", published="2019-08-31"), text=t)
            for n, t in enumerate(texts, 1)]


def conversation():
    earlier = (SimpleNamespace(question="When did the August truce start?",
                               answer=SimpleNamespace(text="The truce started on 31 August 2019 [1].")),)
    return [("answer", answer_messages("When did the August truce start?", shown(TRUCE), "2019-09-02")),
            ("answer", answer_messages("When did Russia and Turkey agree on a ceasefire?", shown(JUNE), "2019-09-02")),
            ("rewrite", rewrite_messages("Who announced it?", earlier)),
            ("answer", answer_messages("Who announced the August truce?", shown(TRUCE), "2019-09-02")),
            ("rewrite", rewrite_messages("How long did it last?", earlier)),
            ("answer", answer_messages("How long did the August truce last?", shown(TRUCE), "2019-09-02"))]


def first_token(llm, messages) -> float:
    """Seconds to the first piece of the reply, which is then stopped (as the answerer stops a finished one)."""
    started = time.perf_counter()
    reply = stream_reply(llm, messages, 8)
    next(reply, None)
    reply.close()
    return time.perf_counter() - started


def main():
    threads = int(os.environ.get("RAG_LLM_THREADS") or max(1, (os.cpu_count() or 2) // 2))
    started = time.perf_counter()
    with _plain_cpu_buffers():
        llm = Llama(model_path=model_file(), n_ctx=4096, n_threads=threads, n_threads_batch=threads, seed=0,
                    verbose=False)
    print(f"load: {time.perf_counter() - started:.2f} s ({threads} threads, load average {os.getloadavg()[0]:.1f})")
    for label, cache in (("last prompt reused only", None), ("with LlamaRAMCache", LlamaRAMCache(PROMPT_CACHE_BYTES))):
        llm.reset()
        llm.set_cache(cache)
        times = [(kind, first_token(llm, messages)) for kind, messages in conversation()]
        print(f"{label:24s} first token: " + ", ".join(f"{kind} {t:.1f} s" for kind, t in times))


if __name__ == "__main__":
    main()
