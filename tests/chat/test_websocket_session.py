"""An open websocket re-checks its session on every ask: after a logout or a password change it answers no more."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from nuzantara.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
PASSWORD = "correct-horse-battery"


async def signed_in_client(user) -> AsyncClient:
    client = AsyncClient()
    await client.aforce_login(user)
    return client


async def socket_for(client: AsyncClient) -> WebsocketCommunicator:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=[*HEADERS, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def ask(communicator: WebsocketCommunicator) -> list[dict]:
    await communicator.send_json_to({"type": "ask", "conversation_id": None, "message": "How do I extend my KITAS?"})
    events = []
    while not events or events[-1]["type"] not in {"done", "error"}:
        events.append(await communicator.receive_json_from(timeout=20))
    return events


async def refused(communicator: WebsocketCommunicator) -> tuple[dict, dict]:
    await communicator.send_json_to({"type": "ask", "conversation_id": None, "message": "How do I extend my KITAS?"})
    return await communicator.receive_json_from(timeout=5), await communicator.receive_output(timeout=5)


async def test_after_logout_the_open_socket_refuses_the_next_ask_and_closes(user, knowledge_docs, no_router, offline):
    from chat.models import Conversation

    client = await signed_in_client(user)
    communicator = await socket_for(client)
    assert (await ask(communicator))[-1]["type"] == "done"

    assert (await client.post("/accounts/logout/")).status_code == 302
    error, closed = await refused(communicator)

    assert error == {"type": "error", "code": "unauthenticated", "message": error["message"]}
    assert closed == {"type": "websocket.close", "code": 4401}
    assert await Conversation.objects.acount() == 1  # the refused ask created nothing


async def test_after_a_password_change_elsewhere_the_open_socket_refuses_the_next_ask(
    user, knowledge_docs, no_router, offline
):
    browser, phone = await signed_in_client(user), await signed_in_client(user)
    communicator = await socket_for(browser)
    assert (await ask(communicator))[-1]["type"] == "done"

    changed = await phone.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "another-horse-b4ttery", "new_password2": "another-horse-b4ttery"},
    )
    assert changed.status_code == 302
    error, closed = await refused(communicator)

    assert error["code"] == "unauthenticated"
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_a_socket_whose_session_is_still_valid_keeps_answering(user, knowledge_docs, no_router, offline):
    communicator = await socket_for(await signed_in_client(user))

    assert (await ask(communicator))[-1]["type"] == "done"
    assert (await ask(communicator))[-1]["type"] == "done"
    await communicator.disconnect()
