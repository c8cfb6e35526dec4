"""Facts said in one conversation reach the prompt of a later one, and never another user's prompt."""

import pytest

from chat.pipeline.run import answer_events
from memory.tasks import memory_extract

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def ask(user, text):
    return [e async for e in answer_events(user=user, conversation_id=None, text=text)]


def last_answer_prompt(server) -> str:
    """The system blocks of the last streamed answer (memory extraction may call the same fake API afterwards)."""
    request = [r for r in server.requests if r["body"].get("stream")][-1]
    return " ".join(block["text"] for block in request["body"]["system"])


async def test_a_fact_from_one_conversation_is_used_in_the_next_and_only_for_its_user(
    user, django_user_model, knowledge_docs, no_router, fake_anthropic
):
    from asgiref.sync import sync_to_async

    other = await django_user_model.objects.acreate(username="bob")
    first = await ask(user, "Hi, my name is Marco and I live in Canggu. How do I extend my KITAS?")
    # The worker's job, run here directly: extraction from that exchange.
    await sync_to_async(memory_extract.apply)(
        args=[
            user.pk,
            "Hi, my name is Marco and I live in Canggu. How do I extend my KITAS?",
            "...",
            first[0]["message_id"],
        ]
    )

    await ask(user, "Which immigration office should I go to?")
    alice_prompt = last_answer_prompt(fake_anthropic)
    await ask(other, "Which immigration office should I go to?")
    bob_prompt = last_answer_prompt(fake_anthropic)

    assert "<user_memory>" in alice_prompt and "Canggu" in alice_prompt and "Marco" in alice_prompt
    assert "Canggu" not in bob_prompt and "Marco" not in bob_prompt
