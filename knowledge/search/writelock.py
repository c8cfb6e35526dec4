"""A cross-process lock on the local Chroma directory: index writes and backup snapshots never overlap.

An flock on a file beside (not inside) CHROMA_DIR, so it survives a restore swapping the directory.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


def lock_path() -> Path:
    directory = Path(settings.CHROMA_DIR)
    return directory.with_name(directory.name + ".lock")


@contextmanager
def index_write_lock(timeout_hint: str = "") -> Iterator[None]:
    """Exclusive while held; a no-op for a Chroma server (CHROMA_HOST), which has its own storage."""
    if settings.CHROMA_HOST:
        yield
        return
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
