"""The realtimeqa-2026 benchmark: this project against vanilla LlamaIndex and BM25 over paragraphs (`make bench`)."""
