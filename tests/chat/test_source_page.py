"""The citation page of an answer: the cited chunk and its document, with the document's link only when it is web."""

import pytest

from chat.models import Conversation, Message
from tests.knowledge.factories import ChunkFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def source_page(client, user, *, source_url: str = "", status: str = "active") -> str:
    document = DocumentFactory(source="Directorate General of Immigration", source_url=source_url, status=status)
    chunk = ChunkFactory(document=document, text="Apply 30 days before the permit expires.")
    conversation = Conversation.objects.create(user=user, title="KITAS")
    answer = Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="Apply 30 days ahead [1].",
        source="offline",
        sources=[{"n": 1, "document_id": document.pk, "chunk_id": chunk.pk, "title": document.title, "source": ""}],
    )
    client.force_login(user)
    response = client.get(f"/c/{conversation.pk}/sources/{answer.pk}/1/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_web_source_url_is_a_link(client, user):
    page = source_page(client, user, source_url="https://www.imigrasi.go.id/kitas")

    assert '<a href="https://www.imigrasi.go.id/kitas" rel="noopener noreferrer">' in page


@pytest.mark.parametrize("stored", ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,x"])
def test_a_stored_non_web_source_url_is_shown_as_text_never_as_a_link(client, user, stored):
    page = source_page(client, user, source_url=stored)

    assert "Directorate General of Immigration" in page
    assert "javascript:" not in page.lower() and "data:text" not in page


def test_a_retired_source_says_so_and_an_active_one_does_not(client, user):
    assert "This source was retired" in source_page(client, user, status="retired")
    assert "This source was retired" not in source_page(client, user)


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Curated answer"), ("id", "Jawaban terkurasi"), ("it", "Risposta curata")]
)
def test_the_label_under_an_answer_is_in_the_users_language(client, user, language, label):
    conversation = Conversation.objects.create(user=user, title="KITAS")
    Message.objects.create(conversation=conversation, role="assistant", content="Yes.", source="golden")
    client.force_login(user)

    page = client.get(f"/c/{conversation.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f'<span class="via">{label}</span>' in page
