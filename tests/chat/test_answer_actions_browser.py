"""The answer actions in a real Chromium: copy an answer, regenerate it, edit the last question, export the file.

Everything runs through the page against a real daphne (websocket streaming, offline answers); what the server saved
is read through the API from the page (the browser's event loop forbids ORM calls here).
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def chat_page(live_daphne, user, request):
    from playwright.sync_api import sync_playwright

    width, height = SIZES[request.param]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = browser.new_context(
            viewport={"width": width, "height": height}, permissions=["clipboard-read", "clipboard-write"]
        )
        page = context.new_page()
        page.goto(f"{live_daphne}/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("button[type=submit]")
        page.wait_for_selector("#question")
        yield page
        browser.close()


def answered(page, answers: int) -> None:
    """The streaming answer is done (Stop is gone once it is rendered) and `answers` answers are not replaced."""
    expect(page.locator("#stop")).to_be_hidden(timeout=30_000)
    expect(page.locator("article.message.assistant:not(.replaced)[data-id] .meta")).to_have_count(answers)


def saved_messages(page) -> list[dict]:
    conversation_id = page.evaluate("JSON.parse(document.querySelector('#conversation-id').textContent)") or int(
        page.url.rstrip("/").rsplit("/", 1)[1]
    )
    return page.evaluate(
        "(id) => fetch(`/api/v1/conversations/${id}/messages/`).then((r) => r.json()).then((b) => b.results)",
        conversation_id,
    )


@pytest.mark.parametrize("chat_page", ["desktop", "phone"], indirect=True)
def test_copy_regenerate_edit_and_export_in_the_web_chat(chat_page, tmp_path: Path):
    page = chat_page
    page.fill("#question", "How do I extend my investor KITAS?")
    page.keyboard.press("Enter")
    answered(page, 1)
    page.evaluate("window.notReloaded = true")  # regenerate and edit must not reload the page

    # Copy: the answer's text lands on the clipboard and the button says so.
    answer = page.locator("article.message.assistant").last
    answer.locator("button.copy").click()
    expect(answer.locator("button.copy")).to_have_attribute("aria-label", "Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == answer.locator(".bubble.answer").inner_text().strip() and "KITAS" in copied
    expect(answer.locator("button.copy")).to_have_attribute("aria-label", "Copy answer", timeout=5_000)

    # Regenerate: only the last answer offers it; the new answer streams in and the old one is folded as replaced.
    expect(page.locator("button.regenerate:visible")).to_have_count(1)
    answer.locator("button.regenerate").click()
    answered(page, 1)
    expect(page.locator("article.message.assistant.replaced")).to_have_count(1)
    expect(page.locator("article.message.assistant.replaced summary")).to_have_text("Replaced answer")
    assert [(m["role"], m["replaced"]) for m in saved_messages(page)] == [
        ("user", False),
        ("assistant", True),
        ("assistant", False),
    ]

    # Edit: the question comes back into the input; the sent version replaces it and its answers.
    expect(page.locator("button.edit-question:visible")).to_have_count(1)
    page.locator("button.edit-question").click()
    expect(page.locator("#question")).to_have_value("How do I extend my investor KITAS?")
    expect(page.locator("#editing")).to_be_visible()
    page.fill("#question", "How do I register for an NPWP?")
    page.keyboard.press("Enter")
    answered(page, 1)
    expect(page.locator("article.message.user.replaced summary")).to_have_text("Edited question (earlier version)")
    expect(page.locator("#editing")).to_be_hidden()
    saved = saved_messages(page)
    assert [(m["role"], m["replaced"]) for m in saved] == [
        ("user", True),
        ("assistant", True),
        ("assistant", True),
        ("user", False),
        ("assistant", False),
    ]
    assert saved[3]["content"] == "How do I register for an NPWP?"
    expect(page.locator("h1#chat-title")).to_have_text("How do I register for an NPWP?")  # the title follows the edit
    expect(page.locator(".conversations li.active a")).to_have_text("How do I register for an NPWP?")
    assert page.evaluate("window.notReloaded") is True

    # Export from the conversation header: Markdown and PDF files, without the replaced messages.
    page.locator("#export summary").click()
    with page.expect_download() as markdown_download:
        page.locator("#export a[data-type=md]").click()
    markdown = Path(markdown_download.value.path()).read_text()
    assert markdown_download.value.suggested_filename == "zantara-how-do-i-register-for-an-npwp.md"
    assert markdown.startswith("# How do I register for an NPWP?")
    assert "How do I register for an NPWP?" in markdown and "## ZANTARA" in markdown
    assert markdown.count("## You") == 1  # the edited question's earlier version is left out
    expect(page.locator("#export a[data-type=pdf]")).to_be_hidden()  # the menu closed once a file was chosen
    page.locator("#export summary").click()
    with page.expect_download() as pdf_download:
        page.locator("#export a[data-type=pdf]").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")


@pytest.fixture
def archived_conversation(user):
    from chat.models import Conversation

    Conversation.objects.create(user=user, title="KITAS this year")
    return Conversation.objects.create(user=user, title="Old NPWP question", archived=True)


@pytest.mark.parametrize("chat_page", ["phone"], indirect=True)
def test_archived_conversations_are_listed_apart_and_restored_from_the_sidebar(
    archived_conversation, chat_page, live_daphne
):
    page = chat_page
    page.goto(f"{live_daphne}/")
    active = page.locator(".sidebar > .conversations")
    expect(active.locator("li")).to_have_text(["KITAS this year"])
    row, sidebar = page.locator("#archived summary").bounding_box(), page.locator("#sidebar").bounding_box()
    assert row["y"] + row["height"] <= sidebar["y"] + sidebar["height"]  # the row is whole on a phone, not cut off

    page.locator("#archived summary").click()
    archived = page.locator(".archived-list li")
    expect(archived).to_have_text(["Old NPWP question"])
    archived.first.locator("button.restore").click()

    expect(active.locator("li a")).to_have_text(["Old NPWP question", "KITAS this year"])
    expect(archived).to_have_text(["No archived conversations."])
    listed = page.evaluate("fetch('/api/v1/conversations/?archived=1').then((r) => r.json())")
    assert listed["results"] == []

    # And back: archiving from the list moves it out of the active conversations again.
    active.locator("li", has_text="Old NPWP question").locator("button.archive").click()
    expect(active.locator("li a")).to_have_text(["KITAS this year"])
    expect(archived).to_have_text(["Old NPWP question"])
