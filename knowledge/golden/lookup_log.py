"""Writes the lookup log and the usage counters off the hit path.

Measured on Postgres (2 cores, loaded): the INSERT of the log row plus the UPDATE of usage_count/last_hit_at cost
~1.1 ms per lookup even with synchronous_commit off, against ~0.6 ms for the whole lookup once the query is embedded.
So outside a transaction the rows go to an in-process queue and a daemon thread writes them in batches (one bulk INSERT,
one UPDATE ... F() + n per answer); the caller pays a queue.put. Inside a caller's transaction (tests, a service that
looks up while writing) the rows are written at once, in that transaction, so they commit or roll back with it.

A crash can lose the rows still queued (normally milliseconds' worth); the answers served are not affected. `flush()`
waits for the queue and closes the writer's connection (tests, management commands; it also runs at interpreter exit).
"""

import atexit
import logging
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

logger = logging.getLogger(__name__)

BATCH = 500
# The writer runs in the web process: its Python work holds the GIL for ~1-2 ms per write. Writing once per 100 ms
# instead of once per lookup keeps that off the requests that follow.
BATCH_WAIT_S = 0.1


@dataclass(frozen=True)
class LookupEntry:
    query: str
    golden_answer_id: int | None
    similarity: float | None
    cosine: float | None
    coverage: float | None
    hit: bool
    method: str
    refused_by: str
    refusal_detail: str
    threshold: float
    latency_ms: float
    created_at: object  # an aware datetime
    conversation_id: int | None = None


def write(entries: list[LookupEntry]) -> None:
    """One bulk INSERT of log rows, one UPDATE per answer served, in one transaction."""
    from .models import GoldenAnswer, GoldenLookup

    counts: dict[int, int] = defaultdict(int)
    last_hit: dict[int, object] = {}
    for entry in entries:
        if entry.hit and entry.golden_answer_id is not None:
            counts[entry.golden_answer_id] += 1
            previous = last_hit.get(entry.golden_answer_id)
            last_hit[entry.golden_answer_id] = entry.created_at if previous is None else max(previous, entry.created_at)
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a lost log row is acceptable; waiting for the fsync is not needed
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        GoldenLookup.objects.bulk_create(
            GoldenLookup(
                query=e.query,
                golden_answer_id=e.golden_answer_id,
                similarity=e.similarity,
                cosine=e.cosine,
                coverage=e.coverage,
                hit=e.hit,
                method=e.method,
                refused_by=e.refused_by,
                refusal_detail=e.refusal_detail[:300],
                threshold=e.threshold,
                latency_ms=e.latency_ms,
                created_at=e.created_at,
                conversation_id=e.conversation_id,
            )
            for e in entries
        )
        for answer_id, count in counts.items():
            GoldenAnswer.objects.filter(pk=answer_id).update(
                usage_count=F("usage_count") + count, last_hit_at=last_hit[answer_id]
            )


_CLOSE = object()  # queued by flush(): close the connection once everything before it is written
IDLE_CLOSE_S = 5.0  # hold the connection through a burst of lookups, drop it when traffic pauses


class _Writer:
    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=100_000)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, entry: LookupEntry) -> None:
        self._ensure_thread()
        try:
            self.queue.put_nowait(entry)
        except queue.Full:  # the database is far behind: drop the log row rather than slow the answer
            logger.warning("golden lookup log queue full; row dropped")

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="golden-lookup-log", daemon=True)
                    self._thread.start()

    def _next_batch(self) -> tuple[list[LookupEntry], int, bool]:
        """(entries, items taken from the queue, close requested); blocks until something arrives or the idle time."""
        try:
            first = self.queue.get(timeout=IDLE_CLOSE_S)
        except queue.Empty:
            return [], 0, True
        items = [first]
        deadline = time.monotonic() + BATCH_WAIT_S  # gather a burst: one write per batch, not per lookup
        while len(items) < BATCH and first is not _CLOSE:
            try:
                items.append(self.queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
            if items[-1] is _CLOSE:
                break
        entries = [item for item in items if item is not _CLOSE]
        return entries, len(items), len(entries) < len(items)

    def _run(self) -> None:
        while True:
            entries, taken, close = self._next_batch()
            try:
                if entries:
                    write(entries)
            except Exception:  # the log must never take the process down; the rows are lost, the error is not
                logger.exception("golden lookup log write failed", extra={"rows": len(entries)})
                close = True
            finally:
                if close:
                    connection.close()
                for _ in range(taken):
                    self.queue.task_done()

    def flush(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.queue.put(_CLOSE)
            self.queue.join()


_writer = _Writer()


def record(entry: LookupEntry) -> None:
    """Log a lookup: queued for the writer thread, or written now inside a caller's transaction (or when
    GOLDEN_LOG_ASYNC is off)."""
    if connection.in_atomic_block or not getattr(settings, "GOLDEN_LOG_ASYNC", True):
        write([entry])
    else:
        _writer.submit(entry)


def flush() -> None:
    """Wait until every queued log row is written."""
    _writer.flush()


atexit.register(flush)
