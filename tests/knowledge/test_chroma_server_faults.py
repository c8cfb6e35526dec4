"""A Chroma server that hangs, or runs another version, costs search its vector half, never the whole search."""

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from knowledge.search import index
from knowledge.selectors import knowledge_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers a byte: a Chroma server stuck under load."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for accepted in held:
        accepted.close()
    listener.close()


class _OldChroma(BaseHTTPRequestHandler):
    """Answers what any Chroma server answers first, as a 0.4 server would."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = {"/api/v2/heartbeat": {"nanosecond heartbeat": 1}, "/api/v2/version": "0.4.24"}.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def old_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OldChroma)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _point_at(settings, port: int) -> None:
    settings.CHROMA_HOST, settings.CHROMA_PORT = "127.0.0.1", port
    index.reset_client()


@pytest.mark.django_db(transaction=True)  # the search runs in a thread, on its own connection
def test_a_server_that_never_answers_leaves_the_lexical_half(knowledge_docs, settings, silent_server):
    settings.CHROMA_TIMEOUT_SECONDS = 0.5
    _point_at(settings, silent_server)
    results: list = []

    def run() -> None:
        try:
            results.append(knowledge_search(query="extend investor KITAS", k=3))
        finally:
            connection.close()

    search = threading.Thread(target=run)

    search.start()
    search.join(timeout=60)  # chromadb's own client would wait here for ever

    assert not search.is_alive()
    assert results[0][0].title == "Extending an investor KITAS (E28A)"
    assert results[0][0].vector_score is None
    index.reset_client()


def test_a_server_of_another_version_is_refused_and_health_says_why(knowledge_docs, settings, old_server, client):
    _point_at(settings, old_server)

    hits = knowledge_search(query="extend investor KITAS", k=3)
    body = client.get("/health").json()

    assert hits[0].title == "Extending an investor KITAS (E28A)" and hits[0].vector_score is None
    assert body["status"] == "degraded" and body["checks"]["chroma"] == "error"
    assert "0.4.24" in body["reasons"]["chroma"]
    index.reset_client()
