"""Reading archive files into Articles: find the readable files, then one small reader per format.

Formats: plain text (.txt), Markdown (.md, front matter and headings as metadata), JSON (.json: an article, an
array of them, or an object holding them under "articles"/"search_result"/...), JSON Lines (.jsonl, .jsonl.gz),
HTML pages (.html, .htm: main text and metadata via trafilatura) and RSS/Atom feeds (.rss, .atom, .xml via
feedparser: one article per entry). Entry points: `find_files`, `read_file`.

Stage: reading, the first stage. Must not import anything above it (chunking, the index, search, answering).
"""
import gzip
import hashlib
import io
import json
import re
import stat
from pathlib import Path
from urllib.parse import urlparse

from .articles import (FEED_SUFFIXES, HTML_SUFFIXES, JSON_SUFFIXES, JSONL_SUFFIXES, MARKDOWN_SUFFIXES, SUFFIXES,
                       TEXT_SUFFIXES, Article, ReadResult, article_id_for, make_article, suffix_of)
from .errors import ArticleError

GZIP_GROWTH = 10  # a compressed file may unpack to this many times the size limit, no more
MAX_HTML_TAGS = 40_000  # a news page has a few thousand; parsing time grows with them (about 2 s at the limit)


def find_files(paths) -> tuple[list[Path], list[ArticleError], list[str]]:
    """Expand files and folders into archive files we can read: (files, errors, skipped). Missing paths and links
    leading outside are errors; entries that are not regular files (named pipes, devices, broken or looping
    links) are skipped with a note, never opened: reading a named pipe would wait forever."""
    files, errors, skipped = [], [], []
    for p in map(Path, paths):
        if p.is_symlink() and not _inside(p.resolve(), p.parent.resolve()):
            errors.append(ArticleError(p, "symbolic link pointing outside its folder; not followed"))
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.name.startswith("."):
                    continue
                if f.is_symlink() and f.is_dir():
                    if not _inside(f.resolve(), p.resolve()):
                        errors.append(ArticleError(f, "symbolic link to a folder outside the archive; not followed"))
                    else:
                        skipped.append(f"{f}: link to a folder inside the archive; not followed (its files are "
                                       "read where they are)")
                elif f.is_file() and suffix_of(f) in SUFFIXES:
                    if f.is_symlink() and not _inside(f.resolve(), p.resolve()):
                        errors.append(ArticleError(f, "symbolic link pointing outside the archive; not followed"))
                    else:
                        files.append(f)
                elif not f.is_file() and not f.is_dir():
                    skipped.append(f"{f}: {_kind(f)}; not read")
        elif p.is_file():
            if suffix_of(p) in SUFFIXES:
                files.append(p)
            else:
                errors.append(ArticleError(p, f"unsupported file type; use one of {', '.join(sorted(SUFFIXES))}"))
        elif p.is_symlink() or p.exists():
            errors.append(ArticleError(p, f"{_kind(p)}, not an archive file; give a file or a folder"))
        else:
            errors.append(ArticleError(p, "no such file or folder; check the path"))
    return files, errors, skipped


def _kind(p: Path) -> str:
    """What a path that is neither a regular file nor a folder is, in words."""
    if p.is_symlink() and not p.exists():
        return "broken or looping symbolic link"
    mode = p.stat().st_mode
    return next((name for test, name in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                                         (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")) if test(mode)),
                "not a regular file")


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
    suffix = suffix_of(path)
    if suffix.endswith(".gz"):
        raw = _gunzip(path, raw, None if max_bytes is None else max_bytes * GZIP_GROWTH)
    notes: list[str] = []
    text = _decode(path, raw, notes)
    reader = READERS[suffix]
    result = reader(path, text)
    return ReadResult(str(path), result.articles, result.errors, notes + result.notes)


def _gunzip(path: Path, raw: bytes, limit: int | None) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            out = f.read(limit + 1 if limit else -1)
    except (OSError, EOFError) as e:
        raise ArticleError(path, f"not a valid gzip file ({e}); re-compress it or save it uncompressed") from None
    if limit and len(out) > limit:
        raise ArticleError(path, f"unpacks to more than {limit / 1e6:.0f} MB; split it or raise RAG_MAX_FILE_MB")
    return out


def _read_text(path: Path, text: str) -> ReadResult:
    return ReadResult(str(path), [parse_text(text, article_id=article_id_for(path), path=str(path))])


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


# --- plain text --------------------------------------------------------------------------------

HEADER_KEYS = {"title", "date", "published", "source", "publisher", "author", "url", "dateline"}
_HEADER = re.compile(r"^\s*(title|date|published|source|publisher|author|url|dateline)\s*(?::\s*|\s+)(\S.*?)\s*$",
                     re.I)
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


# --- Markdown ----------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")  # a target may hold one level of (…)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def _read_markdown(path: Path, text: str) -> ReadResult:
    """Markdown: YAML-style front matter and the first `# heading` are metadata; other headings are dropped."""
    text = text.replace("\r\n", "\n")
    meta: dict[str, str] = {}
    if m := _FRONT_MATTER.match(text):
        for line in m.group(1).split("\n"):
            key, sep, value = line.partition(":")
            value = value.strip().strip("\"'")
            if sep and value and key.strip().lower() in HEADER_KEYS | {"published_at", "headline"}:
                meta.setdefault({"published_at": "published", "headline": "title"}.get(
                    key.strip().lower(), _key(key.strip())), _md_plain(value))
        text = text[m.end():]
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        lines = []
        for line in block.split("\n"):
            if h := _MD_HEADING.match(line):
                if len(h.group(1)) == 1 and "title" not in meta and not blocks and not lines:
                    meta["title"] = _md_plain(h.group(2))
                continue  # section headings are navigation, not paragraphs to cite
            lines.append(_md_plain(re.sub(r"^\s*(?:[-*+]|\d+\.|>)\s+", "", line)))
        if any(x.strip() for x in lines):
            blocks.append("\n".join(lines))
    header = "\n".join(f"{k}: {v}" for k, v in meta.items() if k != "published")
    dated = f"date {meta['published']}\n" if meta.get("published") else ""
    body = "\n\n".join(blocks)
    article = parse_text(f"{header}\n{dated}\n{body}" if header or dated else body,
                         article_id=article_id_for(path), path=str(path))
    return ReadResult(str(path), [article])


def _md_plain(line: str) -> str:
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    return _MD_EMPHASIS.sub(lambda m: m.group(2), line)


# --- JSON and JSON Lines -------------------------------------------------------------------------

# Objects that hold a list of articles rather than being one: {"articles": [...]}, RealTime QA's
# {"question_id": ..., "search_result": [...]}, a news API's {"data": [...]}.
CONTAINER_KEYS = ("articles", "search_result", "items", "data", "results", "documents")


def _read_jsonl(path: Path, text: str) -> ReadResult:
    result = ReadResult(str(path))
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            result.errors.append(ArticleError(path, f"not valid JSON ({e.msg}); fix or remove the line", lineno))
            continue
        if isinstance(obj, list):
            result.errors.append(ArticleError(path, "expected a JSON object, got an array; put one article "
                                                    "object on each line", lineno))
            continue
        _collect(obj, path, result, lineno=lineno)
    if not result.articles and not result.errors:
        raise ArticleError(path, "no articles in file; expected one JSON object per line")
    return result


def _read_json(path: Path, text: str) -> ReadResult:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        if "\n{" in text.strip():
            return _read_jsonl(path, text)  # JSON Lines saved as .json
        raise ArticleError(path, f"not valid JSON ({e.msg} at line {e.lineno}); fix the file", e.lineno) from None
    except RecursionError:
        raise ArticleError(path, "JSON nested too deeply to be an article; check the file") from None
    result = ReadResult(str(path))
    _collect(obj, path, result)
    if not result.articles and not result.errors:
        raise ArticleError(path, "no articles in file; expected an article object or an array of them")
    return result


def _collect(obj, path: Path, result: ReadResult, lineno: int | None = None, where: str = "") -> None:
    """Articles from one JSON value: an article, an array of articles, or an object holding them."""
    if isinstance(obj, dict):
        held = next((obj[k] for k in CONTAINER_KEYS if isinstance(obj.get(k), list)), None)
        if held is not None and not _first(obj, *TEXT_KEYS):
            obj = held
    if isinstance(obj, list):
        for i, item in enumerate(obj, start=1):
            try:
                result.articles.append(article_from_json(item, path, lineno, where=f"{where}item {i}: "))
            except ArticleError as e:
                result.errors.append(e)
        return
    try:
        result.articles.append(article_from_json(obj, path, lineno, where=where))
    except ArticleError as e:
        result.errors.append(e)


TEXT_KEYS = ("text", "body", "content", "article", "maintext")


def _first(obj: dict, *keys):
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _names(obj: dict, *keys) -> str | None:
    """An author: a string, or a list of strings/objects with a name."""
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
        if isinstance(v, list):
            names = [x if isinstance(x, str) else x.get("name", "") for x in v if isinstance(x, (str, dict))]
            if any(n.strip() for n in names):
                return ", ".join(n.strip() for n in names if n.strip())
    return None


def article_from_json(obj, path: Path, lineno: int | None = None, where: str = "") -> Article:
    """Build an Article from one JSON object with common field names (title/headline, text/body/content, ...)."""
    if not isinstance(obj, dict):
        raise ArticleError(path, f"{where}expected a JSON object, got {type(obj).__name__}", lineno)
    body = _first(obj, *TEXT_KEYS)
    if not body:
        raise ArticleError(path, f'{where}no article text: the object needs a non-empty "text" (or "body"/'
                                 '"content") field', lineno)
    raw_id = _first(obj, "id") or (str(obj["id"]) if isinstance(obj.get("id"), int) else None)
    if raw_id is None:
        raw_id = hashlib.sha1((_first(obj, "url", "link") or body).encode()).hexdigest()[:12]
    article_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", raw_id).strip("-") or "article"
    paragraphs = [" ".join(b.split()) for b in re.split(r"\n\s*\n", body) if b.strip()]
    published = _first(obj, "published", "published_at", "date", "published_date", "publish_date",
                       "pubDate", "datePublished")
    source = _first(obj, "source", "publisher", "site_name", "sitename")
    if source is None and isinstance(obj.get("source"), dict):  # NewsAPI: "source": {"id": ..., "name": ...}
        source = _first(obj["source"], "name")
    url = _first(obj, "url", "link")
    if source is None and url:  # RealTime QA's search results name no publisher: the site is the next best
        source = re.sub(r"^www\.", "", urlparse(url).hostname or "") or None
    return make_article(article_id, paragraphs, title=_first(obj, "title", "headline"), source=source,
                        published=published, url=url, author=_names(obj, "author", "authors"),
                        path=str(path), drop_boilerplate=True)


# --- HTML pages ----------------------------------------------------------------------------------

def _read_html(path: Path, text: str) -> ReadResult:
    """An article page: trafilatura keeps the main text (no scripts, menus, ads) and finds title, date, site."""
    tags = text.count("<")
    if tags > MAX_HTML_TAGS:
        raise ArticleError(path, f"HTML page has {tags:,} tags, more than {MAX_HTML_TAGS:,} for one article; "
                                 "save the article's own page or convert it to text")
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=False,
                                          favor_precision=True)
    except (ValueError, RecursionError) as e:
        raise ArticleError(path, f"cannot parse the HTML ({e}); check the file") from None
    if doc is None or not (doc.text or "").strip():
        raise ArticleError(path, "no article text found in the HTML page (empty, or nested too deeply to parse); "
                                 "save the article's own page or convert it to text")
    lines = [" ".join(x.split()) for x in doc.text.split("\n") if x.strip()]
    if lines and doc.title and lines[0] == " ".join(doc.title.split()):
        lines = lines[1:] or lines  # the headline repeated at the top of the text
    article = make_article(article_id_for(path), lines, title=doc.title, source=doc.sitename or doc.hostname,
                           published=doc.date, url=doc.url, author=doc.author, path=str(path),
                           drop_boilerplate=True)
    return ReadResult(str(path), [article])


# --- RSS and Atom feeds -------------------------------------------------------------------------

def _read_feed(path: Path, text: str) -> ReadResult:
    """A feed file: one article per entry, its full content if the feed carries it, else its summary."""
    import feedparser

    feed = feedparser.parse(text)
    if not feed.version and not feed.entries:
        raise ArticleError(path, "not an RSS or Atom feed; save articles as .txt, .md, .json, .jsonl or .html")
    result = ReadResult(str(path))
    site = feed.feed.get("title")
    for i, entry in enumerate(feed.entries, start=1):
        html = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
        paragraphs = _html_paragraphs(html)
        if not paragraphs:
            result.notes.append(f"{path}: entry {i} ({entry.get('title', 'untitled')!r}) has no text and was "
                                "skipped; the feed carries only its title")
            continue
        key = entry.get("id") or entry.get("link") or entry.get("title") or str(i)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}" if stamp else None
        result.articles.append(make_article(
            f"{article_id_for(path)}-{hashlib.sha1(key.encode()).hexdigest()[:10]}", paragraphs,
            title=entry.get("title"), source=entry.get("source", {}).get("title") or site, published=published,
            url=entry.get("link"), author=entry.get("author"), path=str(path)))
    if not result.articles:
        raise ArticleError(path, "the feed has no entries with text; it carries only titles or nothing at all")
    return result


def _html_paragraphs(html: str) -> list[str]:
    """Paragraph texts of an HTML fragment (feed entries are small, so a plain parse is enough)."""
    if "<" not in html:
        return [" ".join(b.split()) for b in re.split(r"\n\s*\n", html) if b.strip()]
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for bad in root.xpath("//script|//style|//iframe|//figure|//aside"):
        bad.drop_tree()
    blocks = root.xpath("//p|//li|//blockquote|//h2|//h3")
    texts = [b.text_content() for b in blocks] if blocks else [root.text_content()]
    return [t for t in (" ".join(x.split()) for x in texts) if t]


READERS = {**{s: _read_text for s in TEXT_SUFFIXES}, **{s: _read_markdown for s in MARKDOWN_SUFFIXES},
           **{s: _read_jsonl for s in JSONL_SUFFIXES}, **{s: _read_json for s in JSON_SUFFIXES},
           **{s: _read_html for s in HTML_SUFFIXES}, **{s: _read_feed for s in FEED_SUFFIXES}}
