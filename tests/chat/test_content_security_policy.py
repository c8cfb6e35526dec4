"""Every page under the Content-Security-Policy, in a real Chromium: no violation, and the page's scripts still work."""

import shutil

import pytest

from chat.models import Conversation, Message
from knowledge.models import Chunk

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def in_chromium(test):
    """A test against a live daphne in Chromium: slow, committed data, skipped where no Chromium is installed."""
    for mark in [
        pytest.mark.slow,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/install-browser does it)"),
    ]:
        test = mark(test)
    return test


# Collected in the page before any of its own scripts run (playwright's init scripts are not subject to the policy).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def cited_answer(user, knowledge_docs) -> Message:
    """An answer citing a chunk of the ingested documents, made before the browser starts (no ORM in its loop)."""
    chunk = Chunk.objects.select_related("document").first()
    conversation = Conversation.objects.create(user=user, title="KITAS")
    Message.objects.create(conversation=conversation, role="user", content="How do I extend my KITAS?")
    return Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="Apply 30 days before it expires [1].",
        source="offline",
        sources=[{"n": 1, "document_id": chunk.document_id, "chunk_id": chunk.pk, "title": chunk.document.title}],
    )


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_superuser("curator", password="correct-horse-battery")


@pytest.fixture
def browser(live_daphne):
    """Chromium, started after the test's data is written (the ORM refuses to run inside playwright's loop)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def signed_in_page(browser, live_daphne: str, username: str):
    context = browser.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_daphne}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page, console


def violations(page, console: list[str]) -> list[str]:
    return page.evaluate("window.__csp") + [line for line in console if "Content Security Policy" in line]


@pytest.mark.django_db
def test_the_policy_forbids_inline_script_on_every_page(client, user):
    client.force_login(user)

    for path in ["/", "/memory/", "/accounts/login/", "/api/docs/"]:
        policy = client.get(path)["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()

        assert script_src == ["script-src", "'self'"], path
        assert "object-src 'none'" in policy and "base-uri 'self'" in policy


@in_chromium
def test_chat_memory_source_and_login_pages_work_with_no_violation(cited_answer, live_daphne, browser):
    page, console = signed_in_page(browser, live_daphne, "alice")
    page.wait_for_selector("#question")
    seen: dict[str, list[str]] = {}

    page.fill("#question", "How do I extend my investor KITAS?")
    page.keyboard.press("Enter")
    page.wait_for_selector("article.message.assistant .meta", timeout=30_000)  # chat.js streamed an answer
    seen["chat"] = violations(page, console)
    page.select_option("select[name=language]", "id")  # the language switch submits itself (static script)
    page.wait_for_selector("html[lang=id]")
    seen["language switch"] = violations(page, console)
    page.goto(f"{live_daphne}/memory/")
    seen["memory"] = violations(page, console)
    page.goto(f"{live_daphne}/c/{cited_answer.conversation_id}/sources/{cited_answer.pk}/1/")
    page.wait_for_selector("blockquote.chunk")
    seen["source"] = violations(page, console)
    page.click("button[type=submit].link")  # log out
    page.wait_for_selector("input[name=username]")
    seen["login"] = violations(page, console)

    assert seen == {name: [] for name in seen}


@in_chromium
def test_admin_and_api_docs_work_with_no_violation(curator, live_daphne, browser):
    page, console = signed_in_page(browser, live_daphne, "curator")  # the site login: its session opens the admin
    seen: dict[str, list[str]] = {}

    page.goto(f"{live_daphne}/admin/")
    page.wait_for_selector("#content-main")
    seen["admin"] = violations(page, console)
    page.goto(f"{live_daphne}/admin/django_celery_beat/periodictask/add/")
    page.wait_for_selector("#id_crontab")
    assert page.locator(".field-crontab_translation").count() == 1
    page.locator(".field-crontab_translation").wait_for(state="hidden")  # the form's script ran
    seen["celery beat form"] = violations(page, console)
    page.goto(f"{live_daphne}/admin/login/?next=/admin/")
    seen["admin login"] = violations(page, console)
    page.goto(f"{live_daphne}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # Swagger UI ran and read the schema
    seen["api docs"] = violations(page, console)

    assert seen == {name: [] for name in seen}
