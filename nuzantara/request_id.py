"""One request id from a web request into the Celery tasks it queues, on every JSON log line of both.

The ASGI wrapper takes a well-formed `X-Request-ID` from the proxy (or makes one), answers with it, and keeps it in a
context variable for the request (for a websocket: the connection). Tasks published meanwhile carry it as a message
header; the worker restores it around the task. A logging filter adds it to each record as `request_id`.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "request_id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # what we accept from a client: no spaces, no text, bounded
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"x-request-id":
            candidate = value.decode("latin-1")
            if _VALID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """ASGI: a request id per HTTP request or websocket connection; HTTP answers carry it in `X-Request-ID`."""

    def __init__(self, app) -> None:  # noqa: ANN001 - any ASGI application
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - the ASGI signature
        if scope["type"] not in {"http", "websocket"}:
            return await self.app(scope, receive, send)
        request_id = request_id_from(scope.get("headers") or [])
        token = request_id_var.set(request_id)

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            return await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record while one is set (a web request or a task queued by one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


@before_task_publish.connect
def _publish_request_id(headers: dict | None = None, **kwargs) -> None:  # noqa: ANN003
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


_task_tokens: dict[str, object] = {}


@task_prerun.connect
def _restore_request_id(task_id: str | None = None, task=None, **kwargs) -> None:  # noqa: ANN001, ANN003
    request_id = getattr(task.request, HEADER, None) if task is not None else None
    if task_id and request_id and _VALID.match(str(request_id)):
        _task_tokens[task_id] = request_id_var.set(str(request_id))


@task_postrun.connect
def _forget_request_id(task_id: str | None = None, **kwargs) -> None:  # noqa: ANN003
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        request_id_var.reset(token)  # type: ignore[arg-type]
