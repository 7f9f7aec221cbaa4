"""ollama: a model served by Ollama (https://ollama.com), through its /api/chat endpoint (newline-delimited JSON)."""
import json
import os
from collections.abc import Iterator

from .base import LLMAnswerer, LLMError

DEFAULT_URL = "http://127.0.0.1:11434"
DEFAULT_MODEL = "llama3.2"


class OllamaAnswerer(LLMAnswerer):
    name = "ollama"

    def __init__(self, embedder, url: str = DEFAULT_URL, model: str = DEFAULT_MODEL, *, timeout: float = 300.0,
                 **kwargs):
        super().__init__(embedder, **kwargs)
        self.url, self.model, self.timeout = url.rstrip("/"), model, timeout

    @classmethod
    def from_env(cls, embedder) -> "OllamaAnswerer":
        """Server from RAG_OLLAMA_URL, model from RAG_OLLAMA_MODEL."""
        return cls(embedder, os.environ.get("RAG_OLLAMA_URL") or DEFAULT_URL,
                   os.environ.get("RAG_OLLAMA_MODEL") or DEFAULT_MODEL)

    @staticmethod
    def available() -> bool:
        """An Ollama server answers at RAG_OLLAMA_URL (checked with a short request)."""
        import httpx
        try:
            return httpx.get(f"{(os.environ.get('RAG_OLLAMA_URL') or DEFAULT_URL).rstrip('/')}/api/tags",
                             timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    def complete(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
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
