"""The chat curation screens: what answers cost, per conversation and per user."""

from decimal import Decimal

import pytest
from django.urls import reverse

from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    return staff_user


def _answered(user, *costs: str) -> Conversation:
    conversation = Conversation.objects.create(user=user, title=f"about {len(costs)} things")
    for cost in costs:
        Message.objects.create(conversation=conversation, role=Message.Role.USER, content="q")
        Message.objects.create(
            conversation=conversation, role=Message.Role.ASSISTANT, source="llm", content="a", cost_usd=Decimal(cost)
        )
    return conversation


def test_the_conversation_list_shows_each_conversations_llm_cost(client, curator, user):
    _answered(user, "0.0012", "0.0030")
    client.force_login(curator)

    page = client.get(reverse("admin:chat_conversation_changelist"))

    assert page.status_code == 200
    assert "LLM cost (USD)" in page.content.decode()
    assert "0.0042" in page.content.decode()


def test_the_cost_page_sums_each_users_answers_across_conversations(client, curator, user, django_user_model):
    other = django_user_model.objects.create_user("bob", password="x-long-password-1")
    _answered(user, "0.0010")
    _answered(user, "0.0020", "0.0005")
    _answered(other, "0.0100")
    client.force_login(curator)

    page = client.get(reverse("admin:chat_cost_per_day"))

    assert page.status_code == 200
    per_user = list(page.context["per_user"])
    assert [(r["conversation__user__username"], r["conversations"], r["answers"]) for r in per_user] == [
        ("bob", 1, 1),
        (user.username, 2, 3),
    ]
    assert [r["cost"] for r in per_user] == [Decimal("0.0100"), Decimal("0.0035")]
