"""One bad request must not stall a daphne process: after it, an unhandled exception still gets its 500 within seconds."""

import json
import time

import httpx
import pytest

from chat.models import Conversation, Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
RAISING_APP = "tests.chat.raising_asgi:application"


def api_token(url: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/token/", json={"username": "alice", "password": "correct-horse-battery"})
    return response.json()["token"]


def raw_stream_post(url: str, token: str, body: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/chat/stream",
        content=body.encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        timeout=30,
    )


@pytest.mark.parametrize("live_daphne", [RAISING_APP], indirect=True)
@pytest.mark.parametrize("text", ["\\ud800 KITAS", "KITAS\\u0000 extension"], ids=["lone-surrogate", "nul"])
def test_bad_text_on_the_stream_is_400_and_the_process_still_answers_errors(live_daphne, user, text):
    token = api_token(live_daphne)

    response = raw_stream_post(live_daphne, token, '{"conversation_id": null, "message": "' + text + '"}')
    started = time.monotonic()
    after = httpx.get(f"{live_daphne}/test/raise", timeout=10)

    assert response.status_code == 400
    assert "message" in response.json()["detail"].lower()
    assert after.status_code == 500 and time.monotonic() - started < 5
    assert not Conversation.objects.filter(user=user).exists()  # a rejected ask creates nothing


@pytest.mark.parametrize("live_daphne", [RAISING_APP], indirect=True)
def test_an_exception_inside_a_started_stream_becomes_an_error_event_and_a_clean_end(live_daphne, user):
    response = httpx.get(f"{live_daphne}/test/stream-raise", timeout=10)
    started = time.monotonic()
    after = httpx.get(f"{live_daphne}/test/raise", timeout=10)

    events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    assert response.status_code == 200
    assert [e["type"] for e in events] == ["start", "token", "error"]
    assert events[-1]["code"] == "internal"
    assert after.status_code == 500 and time.monotonic() - started < 5


@pytest.mark.parametrize("live_daphne", [RAISING_APP], indirect=True)
def test_a_valid_stream_still_streams_after_a_bad_one(live_daphne, user):
    token = api_token(live_daphne)
    raw_stream_post(live_daphne, token, '{"conversation_id": null, "message": "\\ud800"}')

    response = raw_stream_post(
        live_daphne, token, json.dumps({"conversation_id": None, "message": "How to extend a KITAS?"})
    )

    events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1]["type"] == "done"
    assert Message.objects.get(pk=events[-1]["message_id"]).status == "complete"
