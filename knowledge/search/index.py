"""The one Chroma client module: a local PersistentClient under CHROMA_DIR, or a Chroma server when CHROMA_HOST is set.

One Chroma collection per knowledge collection and index recipe (cosine space); we pass our own embeddings. A chunk has
one vector per embedded window (knowledge.search.embedding): the first's id is the chunk id, the others' "ID:N", and
each carries its `chunk_id` in the metadata.
Settings are read at call time, so pointing CHROMA_DIR elsewhere (tests do) gives a new client.

A local PersistentClient holds its own in-memory HNSW: vectors another process writes are not seen until the client is
reopened, so a search that brings a new `CorpusState` version reopens it (every write bumps the version after its
vectors are in; a reopen measured ~0.3 s on a busy 2-core machine, once per corpus change). A Chroma server (CHROMA_HOST) is one index for every process and needs no reopening.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings

from .embedding import INDEX_RECIPE
from .writelock import index_write_lock

logger = logging.getLogger(__name__)

COLLECTION_PREFIX = "knowledge-"
UPSERT_BATCH = 2000
QUERY_THREADS = 3


class IndexUnavailable(RuntimeError):
    """Chroma could not be reached or refused an operation."""


@dataclass(frozen=True)
class VectorMatch:
    chunk_id: int
    similarity: float  # cosine similarity, 1.0 = same direction
    collection: str


_lock = threading.Lock()
_client: Any = None
_client_key: tuple | None = None
_collections: dict[str, Any] = {}
_seen_corpus_version: str | None = None


def _settings_key() -> tuple:
    host = getattr(settings, "CHROMA_HOST", "") or ""
    if host:
        return (
            "http",
            host,
            int(settings.CHROMA_PORT),
            bool(settings.CHROMA_SSL),
            settings.CHROMA_SSL_VERIFY,
            settings.CHROMA_AUTH_HEADER,
            settings.CHROMA_AUTH_TOKEN,
        )
    return ("local", str(settings.CHROMA_DIR))


def server_headers() -> dict[str, str]:
    """The auth header for the Chroma server (or the proxy in front of it); none without CHROMA_AUTH_TOKEN."""
    token = settings.CHROMA_AUTH_TOKEN
    if not token:
        return {}
    if settings.CHROMA_AUTH_HEADER.lower() == "authorization":
        return {"Authorization": f"Bearer {token}"}
    return {"X-Chroma-Token": token}


def server_url(path: str) -> str:
    scheme = "https" if settings.CHROMA_SSL else "http"
    return f"{scheme}://{settings.CHROMA_HOST}:{settings.CHROMA_PORT}{path}"


def get_client() -> Any:
    """The process-wide Chroma client for the current settings (created on first use, re-created if they change)."""
    global _client, _client_key
    key = _settings_key()
    if _client is not None and _client_key == key:
        return _client
    with _lock:
        if _client is None or _client_key != key:
            _drop_client()
            _client = _make_client(key)
            _client_key = key
    return _client


def _make_client(key: tuple) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if key[0] == "http":
            _, host, port, ssl, verify, _, _ = key
            # (a server that does not answer fails here, in time: chromadb's own first requests have no timeout)
            if problem := server_version_problem(timeout=float(settings.CHROMA_TIMEOUT_SECONDS)):
                raise IndexUnavailable(problem)
            client = chromadb.HttpClient(
                host=host,
                port=port,
                ssl=ssl,
                headers=server_headers(),
                settings=ChromaSettings(anonymized_telemetry=False, chroma_server_ssl_verify=verify),
            )
            _set_timeout(client)
            return client
        from pathlib import Path

        Path(key[1]).mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=key[1], settings=chroma_settings)
    except Exception as exc:  # connection refused, bad path, incompatible server
        raise IndexUnavailable(f"cannot open Chroma ({key[0]} {key[1]}): {exc}") from exc


def server_version_problem(*, timeout: float) -> str | None:
    """Why the Chroma server cannot serve this client (another major version of the API), or None. Raises httpx errors
    for a server that is down or does not answer within `timeout` seconds. (The server reports its API's version, not
    the package's: `chroma run` of chromadb 1.5.9 says 1.0.0; a 0.x server has no /api/v2 at all. compose.yaml pins the
    image to the client's package version.)"""
    import chromadb
    import httpx

    with httpx.Client(timeout=timeout, verify=settings.CHROMA_SSL_VERIFY, headers=server_headers()) as http:
        response = http.get(server_url("/api/v2/version"))
        response.raise_for_status()
    server, client = str(response.json()), chromadb.__version__
    if server.split(".")[0] != client.split(".")[0]:
        return f"the Chroma server's API is {server}; this client ({client}) needs {client.split('.')[0]}.x"
    return None


def _set_timeout(client: Any) -> None:
    """chromadb's HTTP session waits for ever (httpx `timeout=None`): a server that accepts and never answers would
    hang every search. With a timeout, the search falls back to its lexical half after CHROMA_TIMEOUT_SECONDS."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):  # a chromadb upgrade moved it: fail loudly (the tests use a server)
        raise IndexUnavailable("cannot set a timeout on this chromadb's HTTP session")
    seconds = float(settings.CHROMA_TIMEOUT_SECONDS)
    session.timeout = httpx.Timeout(seconds, connect=min(seconds, 3.0))


def _drop_client() -> None:
    global _client, _client_key
    _collections.clear()
    if _client is not None:
        try:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        except Exception:  # best effort: an older chromadb without the cache API
            logger.debug("chroma system cache not cleared", exc_info=True)
    _client = None
    _client_key = None


def reset_client() -> None:
    """Forget the cached client and collection handles (after CHROMA_DIR changed or the directory was deleted)."""
    global _seen_corpus_version
    with _lock:
        _drop_client()
        _seen_corpus_version = None


def _reopen_if_corpus_changed(corpus_version: str) -> None:
    """Local mode: a new corpus version may mean vectors written by another process, which only a new client sees."""
    global _seen_corpus_version
    if _seen_corpus_version == corpus_version or _settings_key()[0] != "local":
        return
    with _lock:
        if _seen_corpus_version != corpus_version:
            if _client is not None:
                _drop_client()
                logger.info("chroma client reopened for a new corpus version", extra={"corpus_version": corpus_version})
            _seen_corpus_version = corpus_version


def chroma_name(slug: str) -> str:
    """The Chroma collection of a knowledge collection under the current index recipe (recipe 1 had no suffix)."""
    return f"{COLLECTION_PREFIX}{slug}" + (f"-r{INDEX_RECIPE}" if INDEX_RECIPE > 1 else "")


def window_ids(chunk_ids: Sequence[int]) -> list[str]:
    """Chroma ids for vectors listed chunk by chunk: "12", "12:1", "12:2", "13"..."""
    seen: dict[int, int] = {}
    ids = []
    for chunk_id in chunk_ids:
        n = seen.get(chunk_id, 0)
        seen[chunk_id] = n + 1
        ids.append(str(chunk_id) if n == 0 else f"{chunk_id}:{n}")
    return ids


def chunk_id_of(vector_id: str) -> int:
    return int(str(vector_id).split(":", 1)[0])


def _collection(slug: str, *, create: bool = True) -> Any:
    client = get_client()
    handle = _collections.get(slug)
    if handle is not None:
        return handle
    try:
        if create:
            handle = client.get_or_create_collection(
                chroma_name(slug), embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        else:
            handle = client.get_collection(chroma_name(slug), embedding_function=None)
    except Exception as exc:
        if not create:
            return None
        raise IndexUnavailable(f"cannot open Chroma collection {chroma_name(slug)}: {exc}") from exc
    _collections[slug] = handle
    return handle


def _write(slug: str, action: str, write: Callable[[Any], None]) -> None:
    """Run a write on the collection; a handle gone stale (recreated by another process) is refreshed once."""
    with index_write_lock():  # a backup snapshot never sees half a write
        _write_unlocked(slug, action, write)


def _write_unlocked(slug: str, action: str, write: Callable[[Any], None]) -> None:
    try:
        write(_collection(slug))
        return
    except IndexUnavailable:
        raise
    except Exception:  # noqa: S110 - retried below with a fresh handle
        _collections.pop(slug, None)
    try:
        write(_collection(slug))
    except IndexUnavailable:
        raise
    except Exception as exc:
        raise IndexUnavailable(f"Chroma {action} in {chroma_name(slug)} failed: {exc}") from exc


def upsert(*, slug: str, chunk_ids: Sequence[int], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
    """Write vectors; `chunk_ids` has one entry per vector (a chunk with several windows is listed several times)."""
    if not len(chunk_ids):
        return
    ids = window_ids(chunk_ids)

    def write(collection: Any) -> None:
        for start in range(0, len(ids), UPSERT_BATCH):
            end = start + UPSERT_BATCH
            collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                metadatas=list(metadatas[start:end]),
            )

    _write(slug, "upsert", write)


def delete(*, slug: str, chunk_ids: Iterable[int]) -> None:
    """Delete every vector (every window) of these chunks."""
    numbers = [int(i) for i in chunk_ids]
    if not numbers:
        return

    def write(collection: Any) -> None:
        for start in range(0, len(numbers), UPSERT_BATCH):
            part = numbers[start : start + UPSERT_BATCH]
            collection.delete(ids=[str(i) for i in part])
            collection.delete(where={"chunk_id": {"$in": part}})

    _write(slug, "delete", write)


def recreate(*, slug: str) -> None:
    """Drop and recreate a collection's index (kb_reindex)."""
    client = get_client()
    _collections.pop(slug, None)
    with index_write_lock():
        try:
            client.delete_collection(chroma_name(slug))
        except Exception:  # it did not exist
            logger.debug("no chroma collection to drop", extra={"collection": slug})
        _collection(slug)


def count(*, slug: str) -> int:
    collection = _collection(slug, create=False)
    return int(collection.count()) if collection is not None else 0


def query(
    *, slugs: Sequence[str], vector: np.ndarray, n_results: int, corpus_version: str | None = None
) -> list[VectorMatch]:
    """Nearest chunks across the given collections, best first. `corpus_version`: the `CorpusState` the caller
    searches (a local client is reopened when it changed). Raises IndexUnavailable when Chroma cannot answer.

    One Chroma query per collection: each costs ~1 ms of fixed overhead, so they run on a few threads (the Rust
    client releases the GIL) and ask for distances only (metadata doubles the cost; the caller knows the rest).
    """
    if corpus_version is not None:
        _reopen_if_corpus_changed(corpus_version)
    handles = [(slug, _collection(slug)) for slug in slugs]
    if len(handles) > 1:
        results = list(_pool().map(lambda item: _query_one(item[0], item[1], vector, n_results), handles))
    else:
        results = [_query_one(slug, handle, vector, n_results) for slug, handle in handles]
    matches = [
        VectorMatch(chunk_id=chunk_id_of(vector_id), similarity=1.0 - float(distance), collection=slug)
        for (slug, _), result in zip(handles, results, strict=True)
        for vector_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
    ]
    matches.sort(key=lambda m: m.similarity, reverse=True)
    best: dict[int, VectorMatch] = {}
    for match in matches:  # a chunk's best window stands for it
        best.setdefault(match.chunk_id, match)
    return list(best.values())


_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=QUERY_THREADS, thread_name_prefix="chroma-query")
    return _executor


def _query_one(slug: str, handle: Any, vector: np.ndarray, n_results: int) -> dict:
    try:
        return handle.query(query_embeddings=[vector], n_results=n_results, include=["distances"])
    except Exception:  # noqa: S110 - the handle may point to a collection another process recreated: retry once
        _collections.pop(slug, None)
    try:
        return _collection(slug).query(query_embeddings=[vector], n_results=n_results, include=["distances"])
    except Exception as exc:
        raise IndexUnavailable(f"Chroma query on {chroma_name(slug)} failed: {exc}") from exc
