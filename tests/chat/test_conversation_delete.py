"""Deleting a conversation erases what it said everywhere: its messages, its summary and its golden lookup log rows."""

import pytest

from chat.models import Conversation
from knowledge.golden import lookup_log
from knowledge.golden.models import GoldenLookup

QUESTION = "How do I extend my investor KITAS before it expires?"
OTHER = "Do I need an NPWP as a tax resident?"


def ask(client, text: str) -> int:
    response = client.post("/api/v1/conversations/", {}, content_type="application/json")
    conversation_id = response.json()["id"]
    asked = client.post(
        f"/api/v1/conversations/{conversation_id}/messages/", {"message": text}, content_type="application/json"
    )
    assert asked.status_code == 201, asked.content
    return conversation_id


@pytest.mark.django_db(transaction=True)  # lookups outside a transaction go through the log's writer thread
def test_deleting_a_conversation_erases_its_questions_from_the_golden_lookup_log(
    client, user, knowledge_docs, no_router, offline
):
    client.force_login(user)
    deleted = ask(client, QUESTION)
    kept = ask(client, OTHER)

    response = client.delete(f"/api/v1/conversations/{deleted}/")

    assert response.status_code == 204
    lookup_log.flush()
    assert not Conversation.objects.filter(pk=deleted).exists()
    assert not GoldenLookup.objects.filter(query=QUESTION).exists()
    assert list(GoldenLookup.objects.filter(query=OTHER).values_list("conversation_id", flat=True)) == [kept]
