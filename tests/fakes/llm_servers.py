"""Local stand-ins for the Anthropic Messages API and an OpenAI-compatible (vLLM) server.

Real HTTP servers on 127.0.0.1 that the real SDKs reach through `base_url`. Each request takes the next scripted
behaviour from a queue (or the default), and every request body is recorded for assertions.
"""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Behaviour:
    kind: str = "stream"  # stream | overload | error500 | timeout | break
    tokens: list[str] = field(default_factory=lambda: ["Hello", " from", " the", " model", " [1]."])
    first_token_delay: float = 0.0
    token_interval: float = 0.0
    break_after: int = 2  # for "break": tokens sent before the connection is cut
    hang_seconds: float = 5.0  # for "timeout"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "FakeServer"

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return

    def _read_json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _send_json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _cut(self) -> None:
        """Drop the connection in the middle of the chunked body: the client sees an incomplete read."""
        self.wfile.write(b"ff\r\npartial")
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(2)

    def do_POST(self) -> None:
        body = self._read_json()
        behaviour = self.server.next_behaviour()
        self.server.requests.append(
            {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        )
        if behaviour.kind == "timeout":
            time.sleep(behaviour.hang_seconds)
            return
        self.server.handle_call(self, body, behaviour)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviours: deque[Behaviour] = deque()
        self.default = Behaviour()
        self.requests: list[dict] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, *behaviours: Behaviour) -> None:
        self.behaviours.extend(behaviours)

    def next_behaviour(self) -> Behaviour:
        return self.behaviours.popleft() if self.behaviours else self.default

    def start(self) -> "FakeServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_call(self, handler: _Handler, body: dict, behaviour: Behaviour) -> None:
        raise NotImplementedError


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


class FakeAnthropic(FakeServer):
    """POST /v1/messages with stream=true, in the Messages API's SSE format.

    Like the real API it answers an alias with the dated model id it resolves to, and reports cache reads only for a
    request that marks a prefix with `cache_control`.
    """

    model = "claude-haiku-4-5"
    dated_ids = {"claude-haiku-4-5": "claude-haiku-4-5-20251001"}

    def handle_call(self, handler: _Handler, body: dict, behaviour: Behaviour) -> None:
        if behaviour.kind == "overload":
            handler._send_json(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            return
        if behaviour.kind == "error500":
            handler._send_json(500, {"type": "error", "error": {"type": "api_error", "message": "Internal error"}})
            return
        handler._start_chunked()
        system = body.get("system")
        marked = isinstance(system, list) and any("cache_control" in block for block in system)
        usage = {
            "input_tokens": 321,
            "output_tokens": 1,
            "cache_read_input_tokens": 200 if marked else 0,
            "cache_creation_input_tokens": 0,
        }
        requested = body.get("model", self.model)
        handler._chunk(
            _sse(
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_fake",
                        "type": "message",
                        "role": "assistant",
                        "content": [],
                        "model": self.dated_ids.get(requested, requested),
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": usage,
                    },
                },
            )
        )
        handler._chunk(
            _sse(
                "content_block_start",
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            )
        )
        time.sleep(behaviour.first_token_delay)
        for i, token in enumerate(behaviour.tokens):
            if behaviour.kind == "break" and i == behaviour.break_after:
                handler._cut()
                return
            if i:
                time.sleep(behaviour.token_interval)
            handler._chunk(
                _sse(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}},
                )
            )
        handler._chunk(_sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
        handler._chunk(
            _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": len(behaviour.tokens)},
                },
            )
        )
        handler._chunk(_sse("message_stop", {"type": "message_stop"}))
        handler._end_chunked()


class FakeOpenAI(FakeServer):
    """POST /v1/chat/completions, streaming (SSE `data:` lines) or not, like vLLM's OpenAI-compatible server."""

    model = "meta-llama/Llama-3.1-8B-Instruct"

    def handle_call(self, handler: _Handler, body: dict, behaviour: Behaviour) -> None:
        if behaviour.kind in {"overload", "error500"}:
            handler._send_json(503 if behaviour.kind == "overload" else 500, {"error": {"message": "unavailable"}})
            return
        model = body.get("model", self.model)
        if not body.get("stream"):
            handler._send_json(
                200,
                {
                    "id": "cmpl-fake",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "".join(behaviour.tokens)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": len(behaviour.tokens), "total_tokens": 100},
                },
            )
            return
        handler._start_chunked()
        time.sleep(behaviour.first_token_delay)
        base = {"id": "cmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        for i, token in enumerate(behaviour.tokens):
            if behaviour.kind == "break" and i == behaviour.break_after:
                handler._cut()
                return
            if i:
                time.sleep(behaviour.token_interval)
            chunk = {**base, "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}]}
            handler._chunk(f"data: {json.dumps(chunk)}\n\n")
        final = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        handler._chunk(f"data: {json.dumps(final)}\n\n")
        usage = {
            **base,
            "choices": [],
            "usage": {"prompt_tokens": 100, "completion_tokens": len(behaviour.tokens), "total_tokens": 110},
        }
        handler._chunk(f"data: {json.dumps(usage)}\n\n")
        handler._chunk("data: [DONE]\n\n")
        handler._end_chunked()
