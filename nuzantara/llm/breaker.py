"""A circuit breaker whose state lives in the Django cache, so every process (web, worker) sees the same circuit."""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class CircuitBreaker:
    name: str
    failure_threshold: int = 3
    open_seconds: float = 30.0

    @property
    def _failures_key(self) -> str:
        return f"breaker:{self.name}:failures"

    @property
    def _open_until_key(self) -> str:
        return f"breaker:{self.name}:open_until"

    def is_open(self) -> bool:
        """Open while the cool-down runs; after it, one caller may try again (half-open)."""
        return time.time() < (cache.get(self._open_until_key) or 0)

    def state(self) -> str:
        if self.is_open():
            return "open"
        return "half-open" if (cache.get(self._failures_key) or 0) >= self.failure_threshold else "closed"

    def record_success(self) -> None:
        cache.delete_many([self._failures_key, self._open_until_key])

    def record_failure(self) -> None:
        cache.add(self._failures_key, 0, timeout=None)
        try:
            failures = cache.incr(self._failures_key)
        except ValueError:  # expired between add and incr
            cache.set(self._failures_key, 1, timeout=None)
            failures = 1
        if failures >= self.failure_threshold:
            cache.set(self._open_until_key, time.time() + self.open_seconds, timeout=int(self.open_seconds) + 60)
