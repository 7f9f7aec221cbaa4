"""Chunking: paragraphs are the citation units; long ones are split into several retrieval chunks citing the same
paragraph (at sentence ends, rag/text.py).

Stage: ingest, after parsing (rag/articles.py). Must not import the index, retrieval or any later stage."""
from dataclasses import dataclass

from .articles import Article
from .text import split_sentences

MAX_CHUNK_CHARS = 900  # all-MiniLM-L6-v2 reads 256 word pieces: ~1,000 characters including the context header


@dataclass(frozen=True)
class Chunk:
    article_id: str
    paragraph: int  # 1-based paragraph number: what a citation points to
    part: int  # 0 for the first (often only) piece of the paragraph
    text: str  # the raw piece of the paragraph
    embed_text: str  # the piece with a short context header, as embedded and BM25-indexed (its id: store.ChunkKey)


def context_header(article: Article) -> str:
    """Title, source and date, so a paragraph that says "the truce" is found for "Idleb ceasefire"."""
    bits = [b for b in (article.source, article.published) if b]
    return f"{article.title} ({', '.join(bits)})" if bits else article.title


def chunk_article(article: Article, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    """All retrieval chunks of an article, in reading order."""
    header = context_header(article)
    chunks = []
    for n, paragraph in enumerate(article.paragraphs, start=1):
        for part, piece in enumerate(split_long(paragraph, max_chars)):
            chunks.append(Chunk(article.id, n, part, piece, f"{header}\n{piece}"))
    return chunks


def split_long(paragraph: str, max_chars: int) -> list[str]:
    """Split a paragraph longer than max_chars at sentence ends (or words, for a run-on sentence)."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    pieces, current = [], ""
    for sentence in split_sentences(paragraph):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces
