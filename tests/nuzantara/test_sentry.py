"""Error reports to Sentry are switched on by SENTRY_DSN, and carry no question text: a real daphne whose view raises,
reporting to a local stand-in for Sentry's ingest endpoint."""

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
QUESTION = "my wife's KITAS expires in March"


class SentryIngest(ThreadingHTTPServer):
    """Accepts envelopes on /api/<project>/envelope/ and keeps their items."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.raw: list[bytes] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler) -> None:  # noqa: N805 - the server is `self` here
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                if handler.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                self.raw.append(body)
                for line in body.splitlines():
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(item, dict):
                        self.items.append(item)
                handler.send_response(200)
                handler.end_headers()

            def log_message(handler, *args) -> None:  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server_address[1]}/1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ingest() -> Iterator[SentryIngest]:
    server = SentryIngest()
    yield server
    server.shutdown()


def _serve_and_raise(tmp_path: Path, env: dict[str, str]) -> None:
    port = _free_port()
    full_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "SENTRY_DSN"}}
    full_env.update({"VAR_DIR": str(tmp_path / "var"), "ASGI_WARMUP": "0", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "tests.chat.raising_asgi:application"],
        cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and process.poll() is None, "daphne did not start"
                time.sleep(0.3)
        response = httpx.get(f"http://127.0.0.1:{port}/test/raise", params={"q": QUESTION}, timeout=30)
        assert response.status_code == 500
        time.sleep(3)  # the SDK sends from a background thread
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_with_sentry_dsn_a_failing_request_is_reported_without_the_question(ingest, tmp_path):
    _serve_and_raise(tmp_path, {"SENTRY_DSN": ingest.dsn})

    events = [item for item in ingest.items if "exception" in item]
    assert events, ingest.raw
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["request"]["url"].endswith("/test/raise")
    everything = b"".join(ingest.raw).decode(errors="replace")
    assert "KITAS" not in everything  # neither the query string nor a breadcrumb carries the question
    assert not any("vars" in frame for frame in event["exception"]["values"][-1]["stacktrace"]["frames"])


def test_without_sentry_dsn_nothing_is_sent(ingest, tmp_path):
    _serve_and_raise(tmp_path, {})

    assert ingest.raw == []
