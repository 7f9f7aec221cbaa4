"""ollama: a model served by Ollama (https://ollama.com), through its /api/chat endpoint (newline-delimited JSON).

Stage: answering (a model backend). Must not import the engine, search, the store or the edges.
"""
import json
from collections.abc import Iterator

from .base import LLMAnswerer, LLMError


class OllamaAnswerer(LLMAnswerer):
    name = "ollama"

    def __init__(self, embedder, url: str, model: str, *, timeout: float = 300.0, **kwargs):
        super().__init__(embedder, **kwargs)
        self.url, self.model, self.timeout = url.rstrip("/"), model, timeout

    @classmethod
    def from_config(cls, config, embedder) -> "OllamaAnswerer":
        """Server from RAG_OLLAMA_URL, model from RAG_OLLAMA_MODEL."""
        return cls(embedder, config.ollama_url, config.ollama_model)

    @staticmethod
    def available(config) -> bool:
        """An Ollama server answers at RAG_OLLAMA_URL (checked with a short request)."""
        import httpx
        try:
            return httpx.get(f"{config.ollama_url}/api/tags", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    def complete(self, messages: list[dict], max_tokens: int, start: str = "") -> Iterator[str]:
        import httpx
        body = {"model": self.model, "messages": messages, "stream": True,
                "options": {"temperature": 0, "num_predict": max_tokens}}
        try:
            with httpx.stream("POST", f"{self.url}/api/chat", json=body, timeout=self.timeout) as response:
                if response.status_code != 200:
                    detail = response.read().decode("utf-8", "replace")[:300]
                    hint = f"; pull it with `ollama pull {self.model}`" if response.status_code == 404 else ""
                    raise LLMError(f"Ollama at {self.url} refused model {self.model!r}: HTTP "
                                   f"{response.status_code} {detail}{hint}")
                for line in response.iter_lines():
                    if not line.strip():
                        continue
                    data = json.loads(line)
                    if data.get("error"):
                        raise LLMError(f"Ollama at {self.url}: {data['error']}")
                    text = (data.get("message") or {}).get("content")
                    if text:
                        yield text
                    if data.get("done"):
                        break
        except httpx.HTTPError as e:
            raise LLMError(f"Cannot reach Ollama at {self.url} ({e}); start it with `ollama serve` or set "
                           "RAG_OLLAMA_URL") from None
