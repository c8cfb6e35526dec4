"""The project's URLs plus two that fail on purpose: /test/raise (a view raises), /test/stream-raise (a stream breaks)."""

from collections.abc import AsyncIterator

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from chat.api import event_stream_response
from chat.pipeline import events


def always_raises(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("raised on purpose by a test")


async def _breaks_after_a_token() -> AsyncIterator[events.Event]:
    yield events.start(conversation_id=0, message_id=0)
    yield events.token("Half an ans")
    raise RuntimeError("the stream broke on purpose")


async def stream_raises(request: HttpRequest) -> HttpResponse:
    return event_stream_response(_breaks_after_a_token())


urlpatterns = [
    path("test/raise", always_raises),
    path("test/stream-raise", stream_raises),
    path("", include("nuzantara.urls")),
]
