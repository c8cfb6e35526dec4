"""Files attached to a conversation: read by the task, searched for that conversation's answers only, never added to
the knowledge base, private to their owner and deleted with the conversation."""

import logging

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from chat import api
from chat.models import Attachment, AttachmentChunk, Conversation
from chat.selectors import attachment_search
from knowledge.models import Chunk
from tests.knowledge.crafted_files import docx_bomb, docx_bytes, pdf_with_pages

LETTER = (
    "Directorate General of Immigration, Denpasar office.\n\n"
    "Dear Mr Rossi, your application for the extension of your investor KITAS number 2C11AB4471 was approved. "
    "Your new KITAS expires on 14 March 2028. Collect the card at the Denpasar office with your passport."
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def conversation(user) -> Conversation:
    return Conversation.objects.create(user=user, title="My KITAS letter")


@pytest.fixture(autouse=True)
def worker_inline(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as without Redis: the task reads the file before the upload answers


def attach(client, conversation_id: int, name: str, raw: bytes):
    return client.post(f"/api/v1/conversations/{conversation_id}/attachments/", {"file": SimpleUploadedFile(name, raw)})


@pytest.mark.django_db
class TestUpload:
    def test_a_text_file_is_read_and_described(self, signed_in_client, conversation):
        response = attach(signed_in_client, conversation.pk, "letter.txt", LETTER.encode())

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "name", "pages", "characters"}
        assert body["name"] == "letter.txt" and body["pages"] is None and body["characters"] == len(LETTER)
        attachment = Attachment.objects.get(pk=body["id"])
        assert attachment.status == "ready" and attachment.raw in (b"", memoryview(b""))  # the file is not kept
        assert attachment.chunks.exists()

    def test_a_pdf_gives_its_pages_and_each_chunk_its_page(self, signed_in_client, conversation, settings):
        settings.KNOWLEDGE_CHUNK_TOKENS, settings.KNOWLEDGE_CHUNK_OVERLAP = 8, 0
        raw = pdf_with_pages([["Immigration letter."], ["Your KITAS expires on 14 March 2028 at midnight."]])

        body = attach(signed_in_client, conversation.pk, "letter.pdf", raw).json()

        assert body["pages"] == 2
        pages = list(AttachmentChunk.objects.filter(attachment_id=body["id"]).values_list("page", flat=True))
        assert pages[0] == 1 and set(pages[1:]) == {2}

    def test_a_word_document_is_read(self, signed_in_client, conversation):
        response = attach(signed_in_client, conversation.pk, "letter.docx", docx_bytes(paragraphs=3))

        assert response.status_code == 201 and response.json()["characters"] > 200

    def test_a_file_over_10_mb_is_refused_with_413(self, signed_in_client, conversation):
        response = attach(signed_in_client, conversation.pk, "big.txt", b"a" * (10 * 1024 * 1024 + 1))

        assert response.status_code == 413
        assert response.json()["limit"] == "CHAT_ATTACHMENT_MAX_BYTES" and "10 MB" in response.json()["detail"]
        assert not Attachment.objects.exists()

    def test_a_zip_bomb_is_refused_by_the_staff_upload_limits(self, signed_in_client, conversation):
        response = attach(signed_in_client, conversation.pk, "bomb.docx", docx_bomb(unpacked=5 * 1024 * 1024))

        assert response.status_code == 413
        assert response.json()["limit"] == "KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO"

    def test_a_pdf_over_the_page_limit_is_refused(self, signed_in_client, conversation, settings):
        settings.KNOWLEDGE_PDF_MAX_PAGES = 2

        response = attach(signed_in_client, conversation.pk, "long.pdf", pdf_with_pages([["Page."]] * 3))

        assert response.status_code == 413 and response.json()["limit"] == "KNOWLEDGE_PDF_MAX_PAGES"

    @pytest.mark.parametrize("name", ["archive.zip", "script.exe", "page.html", "noextension"])
    def test_other_types_are_refused_with_415(self, signed_in_client, conversation, name):
        response = attach(signed_in_client, conversation.pk, name, b"PK\x03\x04 something")

        assert response.status_code == 415 and response.json()["code"] == "unsupported_type"
        assert not Attachment.objects.exists()

    @pytest.mark.parametrize(
        ("name", "raw"), [("scan.pdf", pdf_with_pages([[], []])), ("letter-photo.png", PNG)], ids=["scan", "photo"]
    )
    def test_a_scan_or_an_image_without_text_gets_a_clear_message(self, signed_in_client, conversation, name, raw):
        response = attach(signed_in_client, conversation.pk, name, raw)

        assert response.status_code == 422
        assert response.json()["code"] == "no_text_layer"
        assert "no text layer" in response.json()["detail"] and name in response.json()["detail"]
        assert not Attachment.objects.exists()  # a refused file is not kept

    @pytest.mark.parametrize(
        ("name", "raw"),
        [("nul.txt", b"\x00\x01binary"), ("broken.pdf", b"%PDF-1.4 not really"), ("fake.png", b"not an image")],
    )
    def test_a_broken_file_is_refused_with_422(self, signed_in_client, conversation, name, raw):
        response = attach(signed_in_client, conversation.pk, name, raw)

        assert response.status_code == 422 and response.json()["code"] == "unreadable"

    def test_nul_bytes_inside_a_text_are_dropped(self, signed_in_client, conversation):
        raw = LETTER.encode() + b" " * 9000 + b"tail\x00end"

        response = attach(signed_in_client, conversation.pk, "letter.txt", raw)

        assert response.status_code == 201
        assert "\x00" not in Attachment.objects.get().text

    def test_no_log_line_carries_the_files_text(self, signed_in_client, conversation, caplog):
        from tests.chat.test_chat_content_in_logs import json_lines

        caplog.set_level(logging.DEBUG)

        attach(signed_in_client, conversation.pk, "letter.txt", LETTER.encode())
        attach(signed_in_client, conversation.pk, "scan.pdf", pdf_with_pages([[]]))

        lines = json_lines(caplog.records)
        assert any("attachment read" in line for line in lines) and any("attachment refused" in line for line in lines)
        assert not [line for line in lines if "2C11AB4471" in line or "Rossi" in line]

    def test_another_users_conversation_is_404(self, signed_in_client, django_user_model):
        bob = django_user_model.objects.create_user(username="bob", password="x")
        theirs = Conversation.objects.create(user=bob, title="Bob's")

        response = attach(signed_in_client, theirs.pk, "letter.txt", LETTER.encode())

        assert response.status_code == 404
        assert not Attachment.objects.exists()

    def test_attaching_counts_against_the_ask_throttle(self, signed_in_client, conversation, monkeypatch):
        cache.clear()
        monkeypatch.setattr(api.AskThrottle, "THROTTLE_RATES", {"ask": "1/min"})

        first = attach(signed_in_client, conversation.pk, "letter.txt", LETTER.encode())
        second = attach(signed_in_client, conversation.pk, "letter.txt", LETTER.encode())

        assert (first.status_code, second.status_code) == (201, 429)
        cache.clear()

    def test_attachments_are_deleted_with_the_conversation(self, signed_in_client, conversation):
        attach(signed_in_client, conversation.pk, "letter.txt", LETTER.encode())

        response = signed_in_client.delete(f"/api/v1/conversations/{conversation.pk}/")

        assert response.status_code == 204
        assert not Attachment.objects.exists() and not AttachmentChunk.objects.exists()


@pytest.mark.django_db
def test_an_attachment_is_searched_for_its_conversation_only_never_in_the_knowledge_base(
    signed_in_client, conversation, user, knowledge_docs
):
    from knowledge.selectors import knowledge_search

    other = Conversation.objects.create(user=user, title="Another question")
    attach(signed_in_client, conversation.pk, "letter.txt", LETTER.encode())

    assert "2C11AB4471" in attachment_search(conversation_id=conversation.pk, query="KITAS 2C11AB4471")[0].text
    assert attachment_search(conversation_id=other.pk, query="KITAS 2C11AB4471") == []
    assert not Chunk.objects.filter(text__contains="2C11AB4471").exists()
    assert all("2C11AB4471" not in hit.text for hit in knowledge_search(query="KITAS 2C11AB4471 Rossi", k=10))
