"""Staff in the loop over the real transports: Channels communicators on the ASGI application, then one daphne for the
module with the `websockets` client and a headless Chromium (the inbox -> reply -> the client sees it)."""

import asyncio
import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from chat import services
from chat.models import Conversation, HandoffRequest, Message
from nuzantara.asgi import application
from tests.chat.conftest import daphne_process, database_url

pytestmark = [pytest.mark.django_db(transaction=True)]  # the consumers and the server see committed rows only
HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the mail tasks run here, not on the Redis broker


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(username="bob", password=PASSWORD)


@pytest.fixture
def consultant(staff_user):
    staff_user.first_name, staff_user.last_name = "Dewi", "Lestari"
    staff_user.save()
    return staff_user


def open_request(user, title: str = "KITAS") -> HandoffRequest:
    conversation = Conversation.objects.create(user=user, title=title, language="en")
    Message.objects.create(conversation=conversation, role="user", content="How do I extend my KITAS?")
    ask = Message.objects.create(conversation=conversation, role="user", content="I want to talk to a human")
    request, _ = services.handoff_request_create(user=user, conversation=conversation, message=ask)
    return request


async def socket(user, path: str = "/ws/chat/") -> WebsocketCommunicator:
    client = AsyncClient()
    await client.aforce_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(application, path, headers=[*HEADERS, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.mark.asyncio
async def test_a_staff_reply_reaches_the_owners_open_socket_and_no_other_clients(user, bob, consultant, eager):
    request = await sync_to_async(open_request)(user)
    alice_socket, bob_socket = await socket(user), await socket(bob)
    await alice_socket.send_json_to({"type": "watch", "conversation_id": request.conversation_id})
    await bob_socket.send_json_to({"type": "watch", "conversation_id": request.conversation_id})  # not his
    assert await alice_socket.receive_json_from(timeout=5) == {
        "type": "watching",
        "conversation_id": request.conversation_id,
    }
    assert (await bob_socket.receive_json_from(timeout=5))["code"] == "not_found"

    reply = await sync_to_async(services.handoff_reply_create)(request=request, author=consultant, text="Hello Alice")

    assert await alice_socket.receive_json_from(timeout=5) == {
        "type": "message",
        "conversation_id": request.conversation_id,
        "message_id": reply.pk,
    }
    assert await bob_socket.receive_nothing(timeout=0.3)
    await reply.arefresh_from_db()
    assert reply.seen_at is not None  # shown on the client's open page: no unread mark, no mail
    await alice_socket.disconnect()
    await bob_socket.disconnect()


@pytest.mark.asyncio
async def test_a_reply_in_another_conversation_marks_it_unread_on_the_open_page(user, consultant, eager):
    request = await sync_to_async(open_request)(user)
    other = await Conversation.objects.acreate(user=user, title="Other")
    alice_socket = await socket(user)
    await alice_socket.send_json_to({"type": "watch", "conversation_id": other.pk})
    await alice_socket.receive_json_from(timeout=5)

    reply = await sync_to_async(services.handoff_reply_create)(request=request, author=consultant, text="Hello")

    assert await alice_socket.receive_json_from(timeout=5) == {
        "type": "unread",
        "conversation_id": request.conversation_id,
    }
    await reply.arefresh_from_db()
    assert reply.seen_at is None
    await alice_socket.disconnect()


@pytest.mark.asyncio
async def test_a_new_request_appears_in_the_staff_inbox_and_a_client_cannot_listen(user, consultant, eager):
    inbox = await socket(consultant, "/ws/staff/handoffs/")
    refused = await socket(user, "/ws/staff/handoffs/")

    request = await sync_to_async(open_request)(user)

    assert await inbox.receive_json_from(timeout=5) == {"type": "handoff", "handoff_id": request.pk, "new": True}
    assert (await refused.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}
    await inbox.disconnect()


# --- One daphne for the rest of the module ---


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real daphne on the test database, shared by the tests below (each commits its own rows)."""
    with django_db_blocker.unblock():
        url = database_url()
    with daphne_process({"DATABASE_URL": url}, tmp_path_factory.mktemp("daphne") / "daphne.log") as live:
        yield live


def signed_in(url: str, username: str) -> httpx.Client:
    """An HTTP client signed in through the login form (session and CSRF cookies)."""
    client = httpx.Client(base_url=url)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"]
    client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"},
        headers={"Referer": f"{url}/accounts/login/"},
    )
    assert "sessionid" in client.cookies
    return client


@pytest.mark.slow
def test_through_daphne_a_reply_posted_to_the_api_reaches_only_the_owners_websocket(server, user, bob, consultant):
    request = open_request(user)
    staff = signed_in(server, "stafford")
    sockets = {name: signed_in(server, name).cookies["sessionid"] for name in ("alice", "bob")}

    async def listen() -> tuple[dict, list[dict], int]:
        uri = server.replace("http", "ws") + "/ws/chat/"
        opened = [
            websockets.connect(uri, additional_headers={"Cookie": f"sessionid={sockets[n]}", "Origin": server})
            for n in ("alice", "bob")
        ]
        async with opened[0] as alice, opened[1] as bob_socket:
            await alice.send(json.dumps({"type": "watch", "conversation_id": request.conversation_id}))
            assert json.loads(await asyncio.wait_for(alice.recv(), timeout=10))["type"] == "watching"
            posted = await asyncio.to_thread(
                staff.post,
                f"/api/v1/handoffs/{request.pk}/replies/",
                json={"text": "Hello Alice, Dewi here."},
                headers={"X-CSRFToken": staff.cookies["csrftoken"]},
            )
            event = json.loads(await asyncio.wait_for(alice.recv(), timeout=10))
            others = []
            try:
                others.append(json.loads(await asyncio.wait_for(bob_socket.recv(), timeout=0.3)))
            except TimeoutError:
                pass
            return event, others, posted.status_code

    event, others, status = asyncio.run(listen())

    reply = Message.objects.get(role="staff")
    assert status == 201
    assert event == {"type": "message", "conversation_id": request.conversation_id, "message_id": reply.pk}
    assert others == []
    listed = signed_in(server, "alice").get(f"/api/v1/conversations/{request.conversation_id}/messages/").json()
    assert (listed["results"][-1]["role"], listed["results"][-1]["author"]) == ("staff", "Dewi Lestari")


CHROMIUM = shutil.which("chromium")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_in_the_browser_a_request_arrives_in_the_inbox_the_consultant_replies_and_the_client_sees_it(
    server, user, consultant
):
    from playwright.sync_api import expect, sync_playwright

    conversation = Conversation.objects.create(user=user, title="KITAS extension", language="en")
    question = Message.objects.create(conversation=conversation, role="user", content="How do I extend my KITAS?")
    database = ThreadPoolExecutor(1)  # the ORM outside Playwright's event loop

    def ask_for_a_person() -> int:
        from django.db import connection

        ask = Message.objects.create(conversation=conversation, role="user", content="I want to talk to a human")
        request, _ = services.handoff_request_create(user=user, conversation=conversation, message=ask)
        connection.close()
        return request.pk

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )

        def login(username: str, size: tuple[int, int]):  # noqa: ANN202
            page = browser.new_context(viewport={"width": size[0], "height": size[1]}).new_page()
            page.goto(f"{server}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/")
            return page

        client_page = login("alice", (390, 844))
        client_page.goto(f"{server}/c/{conversation.pk}/")
        expect(client_page.locator(f'body[data-watching="{conversation.pk}"]')).to_have_count(1)
        staff_page = login("stafford", (1280, 800))
        staff_page.goto(f"{server}/staff/handoffs/")
        expect(staff_page.locator("#inbox-live")).to_be_visible()
        expect(staff_page.locator("#inbox-empty")).to_be_visible()

        request_id = database.submit(ask_for_a_person).result()
        row = staff_page.locator(f'#handoff-rows li[data-id="{request_id}"]')
        expect(row).to_contain_text(question.content)  # live, with the client's question, language and wait
        expect(row).to_contain_text("EN")
        expect(row).to_contain_text("waiting")
        row.locator("a").click()
        expect(staff_page.locator("#messages article.message.user")).to_have_count(2)  # the whole conversation
        staff_page.fill("#reply-text", "Hello Alice, I am Dewi: I will handle your KITAS extension.")
        staff_page.click("#reply-send")
        expect(staff_page.locator("#reply-status")).to_contain_text("Sent")

        reply = client_page.locator("article.message.staff")
        expect(reply).to_contain_text("I will handle your KITAS extension.")
        expect(reply.locator(".author")).to_contain_text("Dewi Lestari")
        expect(reply.locator("button.feedback")).to_have_count(0)
        browser.close()
    database.shutdown()
    assert HandoffRequest.objects.get(pk=request_id).status == "waiting"
