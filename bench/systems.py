"""The three systems under test, each behind the same two steps: ingest an archive file, then search a question.

- `project`: this project, exactly as `ask` runs it (build_engine + Engine.ask; passages = Answer.passages), with
  the extractive answerer and, when its model is installed, the reader.
- `llamaindex`: what LlamaIndex's getting-started guide builds: VectorStoreIndex over the articles with the default
  SentenceSplitter, a Chroma vector store, as_retriever(similarity_top_k=10), HuggingFaceEmbedding of the same model.
- `bm25`: the benchmark README's reference point: paragraphs (short ones merged) ranked by BM25 (Lucene variant).

Stage: the benchmark, an edge: it reaches the project through build_engine, the Engine and the index's public
methods (no SQL, no retrieval internals).
"""
import gzip
import json
import re
import time
from datetime import date
from pathlib import Path

RETRIEVAL_K = 30  # enough ranked passages to fill the largest text budget (4,000 characters)
LLAMAINDEX_TOP_K = 10  # the README's vanilla set-up; its chunks are ~3,700 characters, so 10 fill every budget


class ProjectSystem:
    name = "project"

    def ingest(self, archive: Path, workdir: Path, progress=print) -> dict:
        from rag.config import Config
        from rag.engine import build_engine

        # Ingest answers nothing: without the reader model loaded, peak memory is the ingest's own.
        engine = build_engine(Config.from_env(index_dir=workdir / "index", answerer="extractive"), create=True)
        last = [0.0]

        def report(done, total, _label):
            if time.perf_counter() - last[0] > 15 or done == total:
                last[0] = time.perf_counter()
                progress(f"    project ingest: {done:,}/{total:,} paragraphs")

        result = engine.ingest([archive], progress=report)
        if not result.ok:
            raise SystemExit(f"project ingest failed: {result.failed[:3]}")
        stats = engine.index.stats()
        return {"articles": stats["articles"], "paragraphs": stats["paragraphs"], "passages": stats["chunks"],
                "passage_unit": "paragraph chunk (long paragraphs split at sentences)",
                "mean_passage_chars": _mean(engine.index.paragraph_lengths())}

    def open(self, workdir: Path):
        from rag.config import Config
        from rag.engine import build_engine

        self.engine = build_engine(Config.from_env(index_dir=workdir / "index"))
        self.default_k = self.engine.config.top_k
        # the reader model when it loaded (else build_engine fell back to extractive and says why in `notice`)
        self.reader = self.engine.answerer.name if self.engine.answerer.name != "extractive" else None

    def ask(self, question: str, asked_on: str, top_k: int | None = None, answerer: str | None = "extractive"):
        """The project's Answer, as `ask` gives it (top_k None: the configured default; answerer None: the
        configured reader)."""
        return self.engine.ask(question, top_k=top_k, as_of=date.fromisoformat(asked_on), answerer=answerer)

    def search(self, question: str, asked_on: str) -> list[str]:
        return [p.text for p in self.ask(question, asked_on, top_k=RETRIEVAL_K).passages]


class LlamaIndexSystem:
    name = "llamaindex"

    def _embed_model(self):
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from rag.embed import model_path
        from rag.config import DEFAULT_MODEL

        return HuggingFaceEmbedding(model_name=model_path(DEFAULT_MODEL))

    def _store(self, workdir: Path):
        import chromadb
        from llama_index.vector_stores.chroma import ChromaVectorStore

        client = chromadb.PersistentClient(path=str(workdir / "chroma"))
        return ChromaVectorStore(chroma_collection=client.get_or_create_collection("quickstart"))

    def ingest(self, archive: Path, workdir: Path, progress=print) -> dict:
        from llama_index.core import Document, StorageContext, VectorStoreIndex

        with gzip.open(archive, "rt", encoding="utf-8") as f:
            docs = [Document(text=a["text"], id_=a["id"]) for a in map(json.loads, f) if a.get("text")]
        progress(f"    llamaindex ingest: {len(docs):,} documents (SentenceSplitter defaults)")
        storage = StorageContext.from_defaults(vector_store=self._store(workdir))
        index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=self._embed_model(),
                                                show_progress=False)
        collection = index.vector_store._collection
        got = collection.get(include=["documents"])
        lengths = [len(d or "") for d in got["documents"]]
        return {"articles": len(docs), "passages": len(lengths), "passage_unit": "SentenceSplitter chunk (1,024/200)",
                "mean_passage_chars": _mean(lengths)}

    def open(self, workdir: Path):
        from llama_index.core import VectorStoreIndex

        index = VectorStoreIndex.from_vector_store(self._store(workdir), embed_model=self._embed_model())
        self.retriever = index.as_retriever(similarity_top_k=LLAMAINDEX_TOP_K)

    def search(self, question: str, asked_on: str) -> list[str]:
        return [n.node.get_content() for n in self.retriever.retrieve(question)]


class BM25ParagraphSystem:
    name = "bm25"
    MIN_CHARS = 200

    @classmethod
    def passages(cls, text: str) -> list[str]:
        """Paragraphs at blank lines; one shorter than 200 characters is merged with the next (README)."""
        out, buf = [], ""
        for p in re.split(r"\n\s*\n", text):
            p = p.strip()
            if not p:
                continue
            buf = f"{buf}\n\n{p}" if buf else p
            if len(buf) >= cls.MIN_CHARS:
                out.append(buf)
                buf = ""
        if buf:
            out.append(buf)
        return out

    def ingest(self, archive: Path, workdir: Path, progress=print) -> dict:
        import bm25s

        with gzip.open(archive, "rt", encoding="utf-8") as f:
            texts = [p for a in map(json.loads, f) for p in self.passages(a.get("text") or "")]
        progress(f"    bm25 ingest: {len(texts):,} paragraphs")
        retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
        retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=None, show_progress=False), show_progress=False)
        workdir.mkdir(parents=True, exist_ok=True)
        retriever.save(str(workdir / "bm25"))
        (workdir / "passages.json").write_text(json.dumps(texts))
        return {"passages": len(texts), "passage_unit": "paragraph (< 200 chars merged with the next)",
                "mean_passage_chars": _mean([len(t) for t in texts])}

    def open(self, workdir: Path):
        import bm25s

        self.retriever = bm25s.BM25.load(str(workdir / "bm25"))
        self.texts = json.loads((workdir / "passages.json").read_text())

    def search(self, question: str, asked_on: str) -> list[str]:
        import bm25s

        tokens = bm25s.tokenize([question], stopwords="en", stemmer=None, return_ids=False, show_progress=False)[0]
        if not tokens:
            return []
        docs, scores = self.retriever.retrieve([tokens], k=min(RETRIEVAL_K, len(self.texts)), show_progress=False)
        return [self.texts[d] for d, s in zip(docs[0], scores[0]) if s > 0]


SYSTEMS = {s.name: s for s in (ProjectSystem, LlamaIndexSystem, BM25ParagraphSystem)}


def _mean(lengths: list[int]) -> float:
    return sum(lengths) / max(1, len(lengths))
