"""The Article: one news article as metadata plus numbered paragraphs, and `make_article`, which every format
reader (rag/formats.py) calls to turn what it found into one (publication date inferred, title defaulted).

Stage: reading. Must not import anything above it (chunking, the index, search, answering, the edges).
"""
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from .dates import infer_publication_date
from .errors import ArticleError

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
JSONL_SUFFIXES = {".jsonl", ".jsonl.gz"}
JSON_SUFFIXES = {".json", ".json.gz"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    paragraphs: tuple[str, ...]
    source: str | None = None
    published: str | None = None  # YYYY-MM-DD
    date_method: str = "unknown"  # how `published` was obtained (see dates.PubDate.method)
    date_evidence: str = ""
    dateline: str | None = None  # place named in the dateline, e.g. "Beirut"
    url: str | None = None
    author: str | None = None
    path: str = ""  # the archive file it came from
    content_hash: str = ""


@dataclass(frozen=True)
class ReadResult:
    """What one file gave: its articles, per-line failures, and notes (e.g. a lossy decode)."""
    path: str
    articles: list[Article] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    for double in (".jsonl.gz", ".json.gz"):
        if name.endswith(double):
            return double
    return path.suffix.lower()


def article_id_for(path: Path) -> str:
    """A stable id from the file name: lower-case letters, digits, dashes."""
    name = path.name
    suffix = suffix_of(path)
    if suffix in SUFFIXES:
        name = name[: -len(suffix)]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        slug = "article-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    return slug


# Scraped pages start with timestamps and bylines ("Updated Jan. 5, 2026, 8:45 p.m. ET", "CNN —");
# they are metadata, not content, and would otherwise match every "when" question.
_META_LINE = re.compile(
    r"^(?:(?:updated|published)\b.{0,60}\b(?:a\.m\.|p\.m\.|ET|GMT|UTC)\.?"
    r"|[A-Z][a-z]{2}\.? \d{1,2}, \d{4}(?: Updated .{0,40})?"
    r"|(?:CNN|USA TODAY|The Week|AP|Reuters|AFP)\s*[—–-]?"
    r"|Video Ad Feedback)$", re.I)


def make_article(article_id, paragraphs, *, title=None, source=None, published=None, url=None, author=None,
                 dateline=None, path="", copyright_year=None, drop_boilerplate=False) -> Article:
    """Finish an Article: drop metadata lines, date it, title it, hash it."""
    if drop_boilerplate:
        paragraphs = [p for p in paragraphs if not _META_LINE.match(p)] or list(paragraphs)
    url = url if _web_url(url) else None  # a javascript: or file: "URL" would become a link in the web app
    pub = infer_publication_date(list(paragraphs), stated=_iso_or_none(published), url=url,
                                 copyright_year=copyright_year)
    title = title or headline_from(paragraphs[0])
    published_iso = pub.date.isoformat() if pub.date else None
    digest = hashlib.sha256(json.dumps([title, source, published_iso, url, author, dateline, paragraphs],
                                       ensure_ascii=False).encode()).hexdigest()
    return Article(id=article_id, title=title, paragraphs=tuple(paragraphs), source=source,
                   published=published_iso, date_method=pub.method, date_evidence=pub.evidence,
                   dateline=dateline, url=url, author=author, path=path, content_hash=digest)


def _web_url(url) -> bool:
    return isinstance(url, str) and urlparse(url.strip()).scheme.lower() in ("http", "https")


def _iso_or_none(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"\s*(\d{4})[-/](\d{2})[-/](\d{2})", value)
    return "-".join(m.groups()) if m else value


def headline_from(paragraph: str, max_words: int = 12) -> str:
    """A short headline from a paragraph's first sentence."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", paragraph, maxsplit=1)[0].rstrip(".")
    words = first.split()
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")
