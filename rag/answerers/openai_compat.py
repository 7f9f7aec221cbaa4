"""openai: any OpenAI-compatible server (vLLM, LM Studio, llama.cpp's server, OpenAI itself), /v1/chat/completions
streamed as server-sent events.

Stage: answering (a model backend). Must not import the engine, search, the store or the edges.
"""
import json
from collections.abc import Iterator

from .base import LLMAnswerer, LLMError

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAICompatAnswerer(LLMAnswerer):
    name = "openai"

    def __init__(self, embedder, base_url: str, model: str, api_key: str | None = None, *, timeout: float = 300.0,
                 **kwargs):
        super().__init__(embedder, **kwargs)
        self.base_url, self.model, self.api_key, self.timeout = base_url.rstrip("/"), model, api_key, timeout

    @classmethod
    def from_config(cls, config, embedder) -> "OpenAICompatAnswerer":
        """RAG_OPENAI_BASE_URL, RAG_OPENAI_MODEL and the key from RAG_OPENAI_API_KEY (never from a file or flag)."""
        return cls(embedder, config.openai_base_url or DEFAULT_BASE_URL, config.openai_model, config.openai_api_key)

    @staticmethod
    def available(config) -> bool:
        """Configured: a server URL or an API key is set (no request is made)."""
        return bool(config.openai_base_url or config.openai_api_key)

    def complete(self, messages: list[dict], max_tokens: int, start: str = "") -> Iterator[str]:
        import httpx
        body = {"model": self.model, "messages": messages, "stream": True, "temperature": 0,
                "max_tokens": max_tokens}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = f"{self.base_url}/chat/completions"
        try:
            with httpx.stream("POST", url, json=body, headers=headers, timeout=self.timeout) as response:
                if response.status_code != 200:
                    raise LLMError(_refusal(url, response, self.model))
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue  # comments (": ping"), event names, blank separators
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    event = json.loads(data)
                    if event.get("error"):
                        raise LLMError(f"{url}: {event['error']}")
                    for choice in event.get("choices") or []:
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            yield text
        except httpx.HTTPError as e:
            raise LLMError(f"Cannot reach the OpenAI-compatible server at {self.base_url} ({e}); start it or set "
                           "RAG_OPENAI_BASE_URL") from None


def _refusal(url: str, response, model: str) -> str:
    detail = response.read().decode("utf-8", "replace")[:300]
    if response.status_code in (401, 403):
        return f"{url} refused the API key (HTTP {response.status_code}); set RAG_OPENAI_API_KEY"
    if response.status_code == 404:
        return f"{url} has no such endpoint or model {model!r} (HTTP 404 {detail}); check RAG_OPENAI_BASE_URL " \
               "(it usually ends in /v1) and RAG_OPENAI_MODEL"
    return f"{url} answered HTTP {response.status_code}: {detail}"
