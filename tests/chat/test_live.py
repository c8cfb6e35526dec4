"""Against a real daphne process: a websocket client over TCP, and a headless Chromium driving the web chat."""

import asyncio
import json
import shutil

import httpx
import pytest
import websockets

from chat.models import Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def session_cookie(url: str, username: str, password: str) -> str:
    with httpx.Client(base_url=url) as client:
        page = client.get("/accounts/login/")
        token = client.cookies["csrftoken"]
        client.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"},
            headers={"Referer": f"{url}/accounts/login/"},
        )
        assert page.status_code == 200
        return client.cookies["sessionid"]


def test_websocket_answer_through_a_real_daphne(live_daphne, user):
    session = session_cookie(live_daphne, "alice", "correct-horse-battery")

    async def ask() -> list[dict]:
        uri = live_daphne.replace("http", "ws") + "/ws/chat/"
        headers = {"Cookie": f"sessionid={session}", "Origin": live_daphne}
        async with websockets.connect(uri, additional_headers=headers) as socket:
            await socket.send(json.dumps({"type": "ask", "conversation_id": None, "message": "How to extend a KITAS?"}))
            events = []
            while not events or events[-1]["type"] != "done":
                events.append(json.loads(await asyncio.wait_for(socket.recv(), timeout=30)))
            return events

    events = asyncio.run(ask())

    assert events[0]["type"] == "start"
    assert events[-1]["type"] == "done" and events[-1]["status"] == "complete"
    assert Message.objects.get(pk=events[-1]["message_id"]).status == "complete"


def test_unauthenticated_websocket_is_closed_4401_by_daphne(live_daphne):
    async def connect() -> int:
        uri = live_daphne.replace("http", "ws") + "/ws/chat/"
        async with websockets.connect(uri, additional_headers={"Origin": live_daphne}) as socket:
            try:
                await asyncio.wait_for(socket.recv(), timeout=10)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code
        return 0

    assert asyncio.run(connect()) == 4401


def test_daphne_refuses_websockets_from_another_origin_of_the_same_host(live_daphne):
    port = live_daphne.rsplit(":", 1)[1]

    async def handshake(origin: str) -> int:
        uri = live_daphne.replace("http", "ws") + "/ws/chat/"
        try:
            async with websockets.connect(uri, additional_headers={"Origin": origin}):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    async def handshakes() -> dict[str, int]:
        origins = [live_daphne, f"http://localhost:{port}", "http://localhost:6666", f"https://127.0.0.1:{port}"]
        return {origin: await handshake(origin) for origin in origins}

    assert asyncio.run(handshakes()) == {
        live_daphne: 101,
        f"http://localhost:{port}": 403,
        "http://localhost:6666": 403,
        f"https://127.0.0.1:{port}": 403,
    }


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/install-browser installs it)")
def test_browser_logs_in_asks_sees_streamed_cited_answer_and_history(live_daphne, user):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-sized screen
        page.goto(f"{live_daphne}/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("button[type=submit]")
        page.wait_for_selector("#question")

        page.fill("#question", "How do I extend my investor KITAS?")
        page.keyboard.press("Enter")
        page.wait_for_selector("article.message.assistant a.cite", timeout=30_000)
        answer = page.inner_text("article.message.assistant .bubble")
        page.reload()
        page.wait_for_selector("article.message.assistant")

        assert "KITAS" in answer
        assert page.inner_text("article.message.user .bubble") == "How do I extend my investor KITAS?"
        assert page.locator("article.message.assistant a.cite").count() >= 1
        assert "/c/" in page.url
        browser.close()
