"""Saving uploaded files into the archive folder: safe names, no overwrites, nothing outside the folder."""
import hashlib
import os
import re
import unicodedata
from pathlib import Path

from rag.articles import SUFFIXES, suffix_of
from rag.config import Config


class UploadError(Exception):
    """An upload we refuse (wrong type, too large, unusable name); the message says what to do."""


def archive_dir() -> Path:
    """Where uploads are kept: RAG_ARCHIVE_DIR, else archive/ (what `make run` ingests)."""
    return Config.from_env().archive_dir


def safe_name(name: str) -> str:
    """A plain file name from an uploaded one: no folders, no leading dot, letters/digits/.-_ only."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    suffix = suffix_of(Path(base))
    if suffix not in SUFFIXES:
        raise UploadError(f"{name!r}: unsupported file type; upload one of {', '.join(sorted(SUFFIXES))}")
    stem = base[: len(base) - len(suffix)]
    stem = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]+", "-", stem)).strip(".-_")[:80].strip(".-_")
    if not stem:
        stem = "upload-" + hashlib.sha1(str(name).encode()).hexdigest()[:8]
    return stem + suffix


def save_upload(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Write the bytes under a safe, unused name in `folder`; (path, created). The same bytes under the
    same name are not written twice (created=False); different bytes get `name-2`, `name-3`, …"""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clean = safe_name(name)
    suffix = suffix_of(Path(clean))
    stem = clean[: len(clean) - len(suffix)]
    for i in range(1, 1000):
        candidate = folder / (clean if i == 1 else f"{stem}-{i}{suffix}")
        if candidate.resolve().parent != folder.resolve():  # belt and braces: safe_name allows no separators
            raise UploadError(f"{name!r}: refusing a name that leads outside {folder}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if candidate.is_file() and candidate.read_bytes() == data:
                return candidate, False
            continue
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError:
            candidate.unlink(missing_ok=True)
            raise
        return candidate, True
    raise UploadError(f"{name!r}: too many files with this name in {folder}; rename the file")
