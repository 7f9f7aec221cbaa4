"""Chunk keys: the one place that builds and parses chunk ids (`article:n#part@hash`).

Stage: store (its vocabulary). Imports nothing of rag; nothing else builds or cuts these ids with string operations.

A paragraph is `article:n` (n counts from 1, what a citation points to); a retrieval chunk of it is
`article:n#part`, the id in the records; Chroma and BM25 entries add the first HASH_CHARS characters of the
article's content hash (`@hash`), so every entry says which version of its article it belongs to. Article ids
never hold ':', '#' or '@' (rag.articles makes them from letters, digits, '-', '_' and '.').
"""
from dataclasses import dataclass

HASH_CHARS = 12


@dataclass(frozen=True)
class ChunkKey:
    article_id: str
    paragraph: int
    part: int = 0  # 0 for the first (often only) chunk of the paragraph
    hash: str = ""  # the article version's content hash, cut to HASH_CHARS; "" for an id in the records

    @property
    def id(self) -> str:
        """'article:n#part@hash' (a Chroma/BM25 entry), or 'article:n#part' without a hash (a records chunk)."""
        return entry_id(self.chunk_id, self.hash) if self.hash else self.chunk_id

    @property
    def chunk_id(self) -> str:
        """The id in the records, which hold one version of each article: 'article:n#part'."""
        return f"{self.paragraph_id}#{self.part}"

    @property
    def paragraph_id(self) -> str:
        """'article:n', the paragraph the chunk cites."""
        return paragraph_id(self.article_id, self.paragraph)

    def of_version(self, content_hash: str) -> "ChunkKey":
        """This chunk in the article version with that content hash (the key of its Chroma/BM25 entry)."""
        return ChunkKey(self.article_id, self.paragraph, self.part, content_hash[:HASH_CHARS])

    @classmethod
    def parse(cls, text: str) -> "ChunkKey":
        """The key of 'article:n', 'article:n#part' or 'article:n#part@hash'; ValueError for anything else."""
        body, _, version = text.rpartition("@") if "@" in text else (text, "", "")
        body, _, part = body.rpartition("#") if "#" in body else (body, "", "0")
        article_id, _, n = body.rpartition(":")
        if not article_id:
            raise ValueError(f"{text!r} is not a chunk id (article:n#part@hash)")
        return cls(article_id, int(n), int(part), version)


def paragraph_id(article_id: str, paragraph: int) -> str:
    """'article:n'."""
    return f"{article_id}:{paragraph}"


# The functions below work on id strings without making a ChunkKey: they run over every entry of an index
# (reconcile, check, BM25 filters), where building a key per entry costs seconds.

def entry_id(chunk_id: str, content_hash: str) -> str:
    """The Chroma/BM25 id of the records chunk `chunk_id` in the article version with that content hash."""
    return f"{chunk_id}@{content_hash[:HASH_CHARS]}"


def article_of(any_id: str) -> str:
    """The article of a paragraph, chunk or entry id (article ids hold no ':', so the first one ends it)."""
    return any_id.partition(":")[0]


def vouched(entry: str, hashes: dict[str, str]) -> bool:
    """Do the records (article id -> content hash) hold the article version this entry belongs to?"""
    _, _, version = entry.rpartition("@")
    return hashes.get(article_of(entry), "")[:HASH_CHARS] == version
