"""The ingest lock: one writer per index folder, and who holds it.

Stage: store. Imports nothing of rag but its errors.
"""
import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from ..errors import RagError

LOCK_FILE = "ingest.lock"  # holds the pid of the ingest that has it


@contextmanager
def ingest_lock(index_dir: Path):
    """One ingest at a time per index folder: a second one would delete the first one's uncommitted chunks."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(index_dir) / LOCK_FILE, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            raise RagError(f"Another ingest is running on {index_dir} (pid {f.read().strip() or '?'}); wait for it "
                           "to finish, then run this one again.") from None
        f.truncate(0)
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)
            fcntl.flock(f, fcntl.LOCK_UN)


def lock_holder(index_dir: Path) -> str | None:
    """The pid of an ingest holding this index folder's lock ("?" when it has not written it yet), or None.
    Opens the lock file read-only: looking never creates or changes anything."""
    lock = Path(index_dir) / LOCK_FILE
    if not lock.exists():
        return None
    with open(lock) as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return f.read().strip() or "?"
        fcntl.flock(f, fcntl.LOCK_UN)
    return None
