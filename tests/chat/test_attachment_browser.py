"""Attach a PDF in a real Chromium, ask about it, and follow the answer's page-numbered citation to the passage.

A real daphne without a broker (Celery eager, as in `make run`): the upload is read by the task before it answers.
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.knowledge.crafted_files import pdf_with_pages

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]
# Page 1 is long enough to fill a chunk of 50 words, so the expiry date starts a chunk on page 2.
LETTER_PAGES = [
    [
        "Directorate General of Immigration, Denpasar office. Dear Mr Rossi,",
        "we have examined the application you filed through your sponsor company for the extension of your",
        "investor stay permit. The documents you submitted, your passport, the sponsor letter, the deed of the",
        "company and the proof of the investment, were checked by our officers and found complete and valid.",
        "The application was approved by the head of the office after the biometric interview you attended.",
    ],
    ["Your new KITAS expires on 14 March 2028.", "Collect the card at the Denpasar office with your passport."],
]


@pytest.fixture
def server(monkeypatch, request) -> str:
    for name, value in {"REDIS_URL": "", "KNOWLEDGE_CHUNK_TOKENS": "50", "KNOWLEDGE_CHUNK_OVERLAP": "0"}.items():
        monkeypatch.setenv(name, value)
    return request.getfixturevalue("live_daphne")


def test_an_attached_pdf_is_cited_with_its_page_and_shown_highlighted(server, user, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    letter = tmp_path / "kitas-letter.pdf"
    letter.write_bytes(pdf_with_pages(LETTER_PAGES))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{server}/accounts/login/")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("button[type=submit]")
        page.wait_for_selector("#question")

        # Attach: a new conversation is made for the file, which shows as read, with its pages.
        expect(page.get_by_role("button", name="Attach a document")).to_be_visible()
        page.set_input_files("#attach-file", str(letter))
        chip = page.locator("#attachments li.attachment")
        expect(chip).to_have_class("attachment ready")
        expect(chip).to_have_text("kitas-letter.pdf 2 pages · ready")

        page.fill("#question", "When does my new KITAS expire?")
        page.keyboard.press("Enter")
        expect(page.locator("#stop")).to_be_hidden(timeout=30_000)
        answer = page.locator("article.message.assistant[data-id]").last
        expect(answer.locator(".bubble.answer")).to_contain_text("14 March 2028")
        citation = answer.locator(".sources a", has_text="kitas-letter.pdf")
        expect(citation).to_have_text("[1] Your attachment: kitas-letter.pdf, p. 2")
        expect(page.locator("h1#chat-title")).to_have_text("When does my new KITAS expire?")
        page.screenshot(path=str(tmp_path / "attachment-desktop.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        expect(chip).to_be_in_viewport()
        expect(page.locator("#question")).to_be_in_viewport()
        page.screenshot(path=str(tmp_path / "attachment-phone.png"))
        page.set_viewport_size({"width": 1280, "height": 800})

        # The citation opens the PDF's page with the cited passage highlighted.
        citation.click()
        expect(page.locator("h2.page-number")).to_have_text("Page 2")
        expect(page.locator("mark#cited")).to_contain_text("Your new KITAS expires on 14 March 2028.")
        page.screenshot(path=str(tmp_path / "attachment-source.png"))
        browser.close()
    print(f"screenshots in {tmp_path}")
