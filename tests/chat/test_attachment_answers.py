"""Answers use the files attached to their conversation and cite them; citations of PDF sources carry their page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Conversation, Message
from knowledge.ingest.drafts import draft_from_file
from knowledge.models import Collection
from knowledge.services import documents_ingest
from tests.chat.test_attachments import LETTER
from tests.knowledge.crafted_files import pdf_with_pages

pytestmark = pytest.mark.django_db(transaction=True)  # the answer pipeline saves from its own thread


@pytest.fixture
def signed_in_client(client, user, settings, no_router, offline, knowledge_docs):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(user)
    return client


def ask(client, conversation_id: int, text: str) -> dict:
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages/", {"message": text}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_offline_answer_quotes_the_attached_letter_and_cites_it(signed_in_client, user, django_user_model):
    conversation = Conversation.objects.create(user=user, title="")
    upload = SimpleUploadedFile("letter.txt", LETTER.encode())
    signed_in_client.post(f"/api/v1/conversations/{conversation.pk}/attachments/", {"file": upload})

    answer = ask(signed_in_client, conversation.pk, "When does my new KITAS expire?")

    assert answer["source"] == "offline"
    assert "14 March 2028" in answer["content"]
    cited = next(s for s in answer["sources"] if s.get("attachment_id"))
    assert cited["title"] == "letter.txt" and f"[{cited['n']}]" in answer["content"]
    page = signed_in_client.get(f"/c/{conversation.pk}/sources/{answer['id']}/{cited['n']}/")
    assert page.status_code == 200 and "14 March 2028" in page.content.decode()
    html = signed_in_client.get(f"/chat/messages/{answer['id']}/html").content.decode()
    assert "Your attachment: letter.txt" in html

    # Another conversation of the same user knows nothing of it; another user cannot open the citation.
    other = Conversation.objects.create(user=user, title="")
    elsewhere = ask(signed_in_client, other.pk, "When does my new KITAS expire?")
    assert "14 March 2028" not in elsewhere["content"]
    assert not any(s.get("attachment_id") for s in elsewhere["sources"])
    bob = django_user_model.objects.create_user(username="bob", password="x")
    signed_in_client.force_login(bob)
    assert signed_in_client.get(f"/c/{conversation.pk}/sources/{answer['id']}/{cited['n']}/").status_code == 404


def test_a_pdf_source_is_cited_with_its_page_and_shown_highlighted_on_it(signed_in_client, user, settings):
    settings.KNOWLEDGE_CHUNK_TOKENS, settings.KNOWLEDGE_CHUNK_OVERLAP = 20, 0
    raw = pdf_with_pages(
        [
            ["Residence permits for investors.", "An investor KITAS is valid for two years."],
            ["Departure rules.", "Foreigners leave through an international airport."],
            ["Overstay fines.", "Each day of overstay costs IDR 1,000,000, paid at the airport before departure."],
        ]
    )
    visa = Collection.objects.get(slug="visa_oracle")
    documents_ingest(drafts=[draft_from_file(name="overstay-rules.pdf", raw=raw, collection=visa)])
    conversation = Conversation.objects.create(user=user, title="")

    answer = ask(signed_in_client, conversation.pk, "How much is the overstay fine per day?")

    cited = next(s for s in answer["sources"] if s["title"] == "overstay rules")
    assert cited["page"] == 3
    html = signed_in_client.get(f"/chat/messages/{answer['id']}/html").content.decode()
    assert 'overstay rules, <span class="page">p. 3</span>' in html
    page = signed_in_client.get(f"/c/{conversation.pk}/sources/{answer['id']}/{cited['n']}/").content.decode()
    assert '<h2 class="page-number">Page 3</h2>' in page
    assert re.search(r'<mark id="cited">[^<]*Each day of overstay costs IDR 1,000,000[^<]*</mark>', page)
    assert Message.objects.get(pk=answer["id"]).sources == answer["sources"]
    exported = signed_in_client.get(f"/api/v1/conversations/{conversation.pk}/export/?type=md").content.decode()
    assert f"[{cited['n']}] [overstay rules, p. 3]" in exported
