"""Read archive files (plain text, JSONL, JSONL.gz) into Articles: metadata plus numbered paragraphs."""
import gzip
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .dates import infer_publication_date
from .errors import ArticleError

TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".jsonl.gz"}
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES


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
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def find_files(paths) -> tuple[list[Path], list[ArticleError]]:
    """Expand files and folders into archive files we can read; missing paths become errors."""
    files, errors = [], []
    for p in map(Path, paths):
        if p.is_symlink() and not _inside(p.resolve(), p.parent.resolve()):
            errors.append(ArticleError(p, "symbolic link pointing outside its folder; not followed"))
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and suffix_of(f) in SUFFIXES and not f.name.startswith("."):
                    if f.is_symlink() and not _inside(f.resolve(), p.resolve()):
                        errors.append(ArticleError(f, "symbolic link pointing outside the archive; not followed"))
                    else:
                        files.append(f)
        elif p.is_file():
            if suffix_of(p) in SUFFIXES:
                files.append(p)
            else:
                errors.append(ArticleError(p, f"unsupported file type; use one of {', '.join(sorted(SUFFIXES))}"))
        else:
            errors.append(ArticleError(p, "no such file or folder; check the path"))
    return files, errors


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_file(path, max_bytes: int | None = None) -> ReadResult:
    """Parse one archive file; raises ArticleError when the whole file is unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise ArticleError(path, f"file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
                                     "split it or raise RAG_MAX_FILE_MB")
        raw = path.read_bytes()
    except OSError as e:
        raise ArticleError(path, f"cannot read file ({e.strerror}); check its permissions") from None
    if suffix_of(path) == ".jsonl.gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ArticleError(path, f"not a valid gzip file ({e}); re-compress it or save it as .jsonl") from None
    notes = []
    text = _decode(path, raw, notes)
    if suffix_of(path) in JSONL_SUFFIXES:
        return _read_jsonl(path, text, notes)
    return ReadResult(str(path), [parse_text(text, article_id=article_id_for(path), path=str(path))], [], notes)


def _decode(path: Path, raw: bytes, notes: list[str]) -> str:
    if not raw.strip():
        raise ArticleError(path, "file is empty; add article text or remove the file")
    if b"\x00" in raw[:8192] or _control_ratio(raw[:8192]) > 0.1:
        raise ArticleError(path, "looks like a binary file, not text; export the article as UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        notes.append(f"{path}: not valid UTF-8 (byte {e.start}); decoded as Windows-1252, check the text")
        return raw.decode("cp1252", errors="replace")


def _control_ratio(chunk: bytes) -> float:
    bad = sum(1 for b in chunk if b < 32 and b not in (9, 10, 12, 13))
    return bad / max(1, len(chunk))


def article_id_for(path: Path) -> str:
    """A stable id from the file name: lower-case letters, digits, dashes."""
    name = path.name
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        slug = "article-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    return slug


# --- plain text --------------------------------------------------------------------------------

HEADER_KEYS = {"title", "date", "published", "source", "publisher", "author", "url", "dateline"}
_HEADER = re.compile(r"^\s*(title|date|published|source|publisher|author|url|dateline)\s*:?\s+(.+?)\s*$", re.I)
_INLINE_DATE = re.compile(r"^\s*(?:date|published)\s*:?\s+(\d{4}-\d{2}-\d{2})\b\s*(.*)$", re.I | re.S)
_AGENCY = r"AFP|Reuters|AP|Associated Press|dpa|ANSA|EFE|Xinhua|TASS|UPI|PA|CNN|[A-Z]{2,6}"
_DATELINE = re.compile(rf"^\s*([A-Z][\w .'’-]{{1,40}}?)\s*\(({_AGENCY})\)\s*[-—–:]?\s*(.*)$", re.S)
_SOURCE_LINE = re.compile(r"^\s*source\s*:\s*(.+?)\s*$", re.I)
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)|copyright)\s*(\d{4})\s*(.*?)\s*\.?\s*$", re.I)


def parse_text(text: str, article_id: str, path: str = "") -> Article:
    """Parse the plain-text article format: header lines, dateline, paragraphs, source and © lines."""
    meta: dict[str, str] = {}
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    paragraphs: list[str] = []
    copyright_year = None
    for i, block in enumerate(blocks):
        lines = block.split("\n")
        if i == 0 or not paragraphs:
            # Header lines sit at the top; a file may also put "date 2019-06-12" straight before the text.
            while lines and (m := _HEADER.match(lines[0])) and m.group(1).lower() != "date":
                meta.setdefault(_key(m.group(1)), m.group(2))
                lines = lines[1:]
            if lines and (m := _INLINE_DATE.match(lines[0])):
                meta.setdefault("published", m.group(1))
                lines = ([m.group(2)] if m.group(2).strip() else []) + lines[1:]
            if lines and not paragraphs and "dateline" not in meta and (m := _DATELINE.match(lines[0])):
                meta["dateline"], agency, rest = m.group(1).strip(), m.group(2), m.group(3).strip()
                meta.setdefault("source", agency)
                lines = ([rest] if rest else []) + lines[1:]
        kept = []
        for line in lines:
            if (m := _SOURCE_LINE.match(line)) and len(line) < 80:
                meta.setdefault("source", m.group(1))
            elif (m := _COPYRIGHT.match(line)) and len(line) < 80:
                copyright_year = int(m.group(1))
                if m.group(2):
                    meta.setdefault("source", m.group(2))
            else:
                kept.append(line.strip())
        para = " ".join(x for x in kept if x)
        if para:
            paragraphs.append(para)
    if not paragraphs:
        raise ArticleError(path or article_id, "no article text found after the header lines; add paragraphs")
    return make_article(article_id, paragraphs, title=meta.get("title"), source=meta.get("source"),
                        published=meta.get("published"), url=meta.get("url"), author=meta.get("author"),
                        dateline=meta.get("dateline"), path=path, copyright_year=copyright_year)


def _key(k: str) -> str:
    k = k.lower()
    return {"date": "published", "publisher": "source"}.get(k, k)


# --- JSONL -------------------------------------------------------------------------------------

def _read_jsonl(path: Path, text: str, notes: list[str]) -> ReadResult:
    result = ReadResult(str(path), notes=notes)
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            result.errors.append(ArticleError(path, f"not valid JSON ({e.msg}); fix or remove the line", lineno))
            continue
        try:
            result.articles.append(article_from_json(obj, path, lineno))
        except ArticleError as e:
            result.errors.append(e)
    if not result.articles and not result.errors:
        raise ArticleError(path, "no articles in file; expected one JSON object per line")
    return result


def _first(obj: dict, *keys):
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def article_from_json(obj, path: Path, lineno: int | None = None) -> Article:
    """Build an Article from one JSON object with common field names (title/headline, text/body/content, ...)."""
    if not isinstance(obj, dict):
        raise ArticleError(path, f"expected a JSON object, got {type(obj).__name__}", lineno)
    body = _first(obj, "text", "body", "content")
    if not body:
        raise ArticleError(path, 'no article text: the object needs a non-empty "text" (or "body"/"content") field',
                           lineno)
    raw_id = _first(obj, "id") or (str(obj["id"]) if isinstance(obj.get("id"), int) else None)
    if raw_id is None:
        raw_id = hashlib.sha1((_first(obj, "url") or body).encode()).hexdigest()[:12]
    article_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw_id).strip("-") or "article"
    paragraphs = [" ".join(b.split()) for b in re.split(r"\n\s*\n", body) if b.strip()]
    published = _first(obj, "published", "published_at", "date", "published_date")
    return make_article(article_id, paragraphs, title=_first(obj, "title", "headline"),
                        source=_first(obj, "source", "publisher"), published=published,
                        url=_first(obj, "url"), author=_first(obj, "author"), path=str(path),
                        drop_boilerplate=True)


# --- shared ------------------------------------------------------------------------------------

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
    pub = infer_publication_date(list(paragraphs), stated=_iso_or_none(published), url=url,
                                 copyright_year=copyright_year)
    title = title or headline_from(paragraphs[0])
    published_iso = pub.date.isoformat() if pub.date else None
    digest = hashlib.sha256(json.dumps([title, source, published_iso, url, author, dateline, paragraphs],
                                       ensure_ascii=False).encode()).hexdigest()
    return Article(id=article_id, title=title, paragraphs=tuple(paragraphs), source=source,
                   published=published_iso, date_method=pub.method, date_evidence=pub.evidence,
                   dateline=dateline, url=url, author=author, path=path, content_hash=digest)


def _iso_or_none(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    return "-".join(m.groups()) if m else value


def headline_from(paragraph: str, max_words: int = 12) -> str:
    """A short headline from a paragraph's first sentence."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", paragraph, maxsplit=1)[0].rstrip(".")
    words = first.split()
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")
