"""A per-process value rebuilt when the version of its source changes: the golden matrix, the BM25 corpus snapshot.

`get()` costs one version read when the value is current; when it is not, one thread rebuilds it while the others
wait for that build instead of repeating it (double-checked under a lock).
"""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class VersionedCache(Generic[T]):
    def __init__(self, *, version: Callable[[], str], build: Callable[[str], T]) -> None:
        self._version = version
        self._build = build
        self._lock = threading.Lock()
        self._current: tuple[str, T] | None = None

    def get(self) -> T:
        version = self._version()
        current = self._current
        if current is not None and current[0] == version:
            return current[1]
        with self._lock:
            current = self._current
            if current is None or current[0] != version:
                current = (version, self._build(version))
                self._current = current
            return current[1]

    def forget(self) -> None:
        """Drop the value; the next get() rebuilds it."""
        with self._lock:
            self._current = None
