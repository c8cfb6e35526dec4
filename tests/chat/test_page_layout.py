"""The web chat in a real Chromium at desktop and phone sizes: the message pane scrolls, the input stays on screen.

Waits use locators and expect(), not wait_for_function: its string predicates are eval'd in the page, which the
Content-Security-Policy forbids.
"""

import re
import shutil

import pytest
from playwright.sync_api import expect

from chat.models import Conversation, Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
LONG_ANSWER = "\n\n".join(
    f"Paragraph {n}: the KITAS extension is filed online before the permit expires, with the sponsor letter."
    for n in range(6)
)


@pytest.fixture
def long_conversation(user) -> Conversation:
    """Twelve questions with long answers, made before the browser starts (its event loop forbids ORM calls)."""
    answers = 12
    conversation = Conversation.objects.create(user=user, title="Twelve answers")
    for n in range(answers):
        Message.objects.create(conversation=conversation, role="user", content=f"Question {n} about my KITAS?")
        Message.objects.create(
            conversation=conversation, role="assistant", content=f"Answer {n}. {LONG_ANSWER}", source="offline"
        )
    return conversation


@pytest.fixture
def browser_page(live_daphne, user, request):
    from playwright.sync_api import sync_playwright

    width, height = SIZES[request.param]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{live_daphne}/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("button[type=submit]")
        page.wait_for_selector("#question")
        yield page
        browser.close()


def inside_viewport(page, selector: str) -> bool:
    box = page.locator(selector).last.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5


def visible_in_pane(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => {
            const pane = document.querySelector('#messages').getBoundingClientRect();
            const items = document.querySelectorAll(sel);
            const box = items[items.length - 1].getBoundingClientRect();
            return box.bottom > pane.top && box.top < pane.bottom && box.bottom <= pane.bottom + 1;
        }""",
        selector,
    )


pytestmark.append(pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"))


@pytest.mark.parametrize("browser_page", ["desktop", "phone"], indirect=True)
def test_a_long_conversation_opens_at_its_latest_message_with_the_input_on_screen(
    long_conversation, browser_page, live_daphne
):
    page, conversation = browser_page, long_conversation

    page.goto(f"{live_daphne}/c/{conversation.pk}/")
    page.wait_for_selector("article.message.assistant")

    assert page.evaluate("document.documentElement.scrollHeight") <= page.viewport_size["height"] + 1  # no page growth
    assert page.locator("header.topbar").bounding_box()["y"] == 0  # nothing (an icon sprite once) pushes the page down
    assert inside_viewport(page, "#question")
    assert visible_in_pane(page, "article.message.assistant")
    assert "Answer 11." in page.locator("article.message.assistant").last.inner_text()
    # The keyboard hint fits only a desktop's input: a phone gets the placeholder without it, never cut off.
    placeholder = page.get_attribute("#question", "placeholder")
    assert placeholder.startswith("Write your question")
    assert ("Shift+Enter" in placeholder) == (page.viewport_size["width"] > 700)


@pytest.mark.parametrize("browser_page", ["desktop", "phone"], indirect=True)
def test_a_new_answer_after_twelve_is_followed_and_the_input_stays_on_screen(
    long_conversation, browser_page, live_daphne
):
    page, conversation = browser_page, long_conversation
    page.goto(f"{live_daphne}/c/{conversation.pk}/")
    page.wait_for_selector("article.message.assistant")

    page.fill("#question", "How do I extend my investor KITAS?")
    page.keyboard.press("Enter")
    page.locator("article.message.assistant .meta").nth(12).wait_for(timeout=30_000)  # the 13th answer is complete

    assert inside_viewport(page, "#question")
    assert visible_in_pane(page, "article.message.assistant")
    assert page.locator("#jump").is_hidden()


@pytest.mark.parametrize("browser_page", ["desktop"], indirect=True)
def test_scrolling_up_stops_following_and_jump_to_latest_comes_back(long_conversation, browser_page, live_daphne):
    page, conversation = browser_page, long_conversation
    page.goto(f"{live_daphne}/c/{conversation.pk}/")
    page.wait_for_selector("article.message.assistant")

    page.fill("#question", "How do I extend my investor KITAS?")
    page.keyboard.press("Enter")
    expect(page.locator(".bubble.streaming")).to_have_text(re.compile(r"\S"))
    page.evaluate("document.querySelector('#messages').scrollTop = 0")
    page.locator("article.message.assistant .meta").nth(12).wait_for(timeout=30_000)  # the 13th answer is complete

    assert page.evaluate("document.querySelector('#messages').scrollTop") < 50  # the reader's place is kept
    assert page.locator("#jump").is_visible()
    page.click("#jump")
    assert visible_in_pane(page, "article.message.assistant")
    assert page.locator("#jump").is_hidden()


@pytest.mark.parametrize("browser_page", ["phone"], indirect=True)
def test_a_conversation_started_in_the_page_gets_its_title_and_buttons_at_once(browser_page, live_daphne, user):
    page = browser_page

    page.fill("#question", "What is the E33G remote worker visa?")
    page.keyboard.press("Enter")
    page.wait_for_selector("article.message.assistant .meta", timeout=30_000)
    item = page.locator(".conversations li.active")

    assert page.title() == "What is the E33G remote worker visa? · ZANTARA"
    assert item.locator("button.rename").count() == 1 and item.locator("button.delete").count() == 1
    assert page.locator("h1#chat-title").inner_text() == "What is the E33G remote worker visa?"
    prompted = []
    page.once("dialog", lambda dialog: (prompted.append(dialog.default_value), dialog.accept("E33G")))
    item.locator("button.rename").click()
    expect(page).to_have_title("E33G · ZANTARA")
    assert prompted == ["What is the E33G remote worker visa?"]  # the prompt opens with the current title
    titles = page.evaluate("fetch('/api/v1/conversations/').then((r) => r.json())")
    assert [c["title"] for c in titles["results"]] == ["E33G"]


@pytest.mark.parametrize("browser_page", ["desktop"], indirect=True)
def test_api_docs_render_with_no_request_leaving_the_server(browser_page, live_daphne):
    page = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_daphne}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)

    assert "NUZANTARA API" in page.inner_text(".swagger-ui .info .title")
    assert requested and all(url.startswith(live_daphne) for url in requested)


@pytest.fixture
def curated_citation(user) -> Conversation:
    from tests.golden.factories import GoldenAnswerFactory

    golden = GoldenAnswerFactory(
        question="Can a foreigner buy property in Bali?", answer="Not freehold: **Hak Pakai** or a lease."
    )
    conversation = Conversation.objects.create(user=user, title="Property")
    Message.objects.create(conversation=conversation, role="user", content="can I buy a house?")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="Not freehold: Hak Pakai or a lease. [1]",
        source="offline",
        sources=[
            {"n": 1, "document_id": None, "chunk_id": None, "golden_answer_id": golden.pk, "score": 0.7,
             "title": golden.question, "source": "Bali Zero curated answer"}
        ],
    )  # fmt: skip
    return conversation


@pytest.mark.parametrize("browser_page", ["desktop", "phone"], indirect=True)
def test_a_curated_source_is_labelled_and_opens_its_page(curated_citation, browser_page, live_daphne):
    page = browser_page
    page.goto(f"{live_daphne}/c/{curated_citation.pk}/")
    link = page.locator("ol.sources a").first
    expect(link).to_have_text("[1] Curated answer: Can a foreigner buy property in Bali?")

    link.click()

    expect(page.locator("h1")).to_have_text("Can a foreigner buy property in Bali?")
    expect(page.locator(".answer.curated strong")).to_have_text("Hak Pakai")
    box = page.locator("h1").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
