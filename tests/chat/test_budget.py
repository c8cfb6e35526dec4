"""LLM_MONTHLY_BUDGET_USD: staff mailed at 80%, Claude skipped from 100% until the month ends, shown in /health."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from chat.budget import budget_state, budget_warn_staff
from chat.models import Conversation, Message
from chat.pipeline.run import answer_events
from tests.fakes.llm_servers import Behaviour


@pytest.fixture(autouse=True)
def budget(settings):
    settings.LLM_MONTHLY_BUDGET_USD = 10.0
    key = f"llm-budget-warned:{timezone.now().astimezone(datetime.UTC):%Y-%m}"
    cache.delete(key)
    yield
    cache.delete(key)


def _spent(user, cost: str, *, days_ago: int = 0) -> None:
    conversation = Conversation.objects.create(user=user)
    answer = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, source="llm", cost_usd=Decimal(cost)
    )
    if days_ago:
        Message.objects.filter(pk=answer.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))


async def _ask(user) -> Message:
    events = [
        e async for e in answer_events(user=user, conversation_id=None, text="How do I extend my investor KITAS?")
    ]
    return await Message.objects.aget(pk=events[-1]["message_id"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_spent_budget_sends_new_questions_to_the_llama_worker(
    user, knowledge_docs, no_router, fake_anthropic, fake_vllm
):
    from asgiref.sync import sync_to_async

    await sync_to_async(_spent)(user, "10.00")
    fake_vllm.default = Behaviour(tokens=["Llama", " answers", " [1]"])

    message = await _ask(user)

    assert message.model == "meta-llama/Llama-3.1-8B-Instruct"
    assert not [r for r in fake_anthropic.requests if r["body"].get("stream")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_last_months_spending_does_not_count(user, knowledge_docs, no_router, fake_anthropic):
    from asgiref.sync import sync_to_async

    await sync_to_async(_spent)(user, "50.00", days_ago=40)

    message = await _ask(user)

    assert message.model == "claude-haiku-4-5-20251001"


@pytest.mark.django_db
def test_staff_are_mailed_once_when_spending_crosses_80_percent(user, django_user_model, mailoutbox):
    django_user_model.objects.create_user("curator", email="curator@example.com", password="x-long-pw-1", is_staff=True)
    _spent(user, "7.00")
    assert budget_warn_staff() is False  # 70%

    _spent(user, "1.50")

    assert budget_warn_staff() is True
    assert budget_warn_staff() is False  # once a month
    assert [m.to for m in mailoutbox] == [["curator@example.com"]]
    assert "85%" in mailoutbox[0].subject


@pytest.mark.django_db
def test_health_shows_a_spent_budget_as_degraded_with_200(client, user):
    _spent(user, "12.00")

    response = client.get("/health")
    body = response.json()

    assert budget_state().exhausted
    assert body["checks"]["budget"].startswith("exhausted (120% of 10.00 USD")
    assert response.status_code == 200  # answers still flow, without Claude: no reason to restart a web process
    assert body["status"] == "degraded"
    assert body["reasons"]["budget"] == "new questions skip Claude until the month ends"


@pytest.mark.django_db
def test_the_admin_cost_page_shows_the_months_spending_against_the_budget(client, user, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    _spent(user, "12.00")
    client.force_login(staff_user)

    page = client.get("/admin/chat/conversation/cost/").content.decode()

    assert "12.00 of 10.00 USD" in page
    assert "exhausted" in page
