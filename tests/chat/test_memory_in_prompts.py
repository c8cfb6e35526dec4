"""Facts said in one conversation reach the prompt of a later one, and never another user's prompt."""

import pytest

from chat.models import Message
from chat.pipeline.run import answer_events
from chat.tasks import exchange_memory_extract

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
    question = await Message.objects.aget(conversation_id=first[0]["conversation_id"], role=Message.Role.USER)
    await sync_to_async(exchange_memory_extract.apply)(args=[question.pk, first[0]["message_id"]])

    await ask(user, "Which immigration office should I go to?")
    alice_prompt = last_answer_prompt(fake_anthropic)
    await ask(other, "Which immigration office should I go to?")
    bob_prompt = last_answer_prompt(fake_anthropic)

    assert "<user_memory>" in alice_prompt and "Canggu" in alice_prompt and "Marco" in alice_prompt
    assert "Canggu" not in bob_prompt and "Marco" not in bob_prompt


def last_user_message(server) -> str:
    request = [r for r in server.requests if r["body"].get("stream")][-1]
    content = request["body"]["messages"][-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


async def remember(user, text):
    from asgiref.sync import sync_to_async

    from memory.extraction.rules import RuleBasedExtractor
    from memory.services import memory_apply_extraction

    await sync_to_async(memory_apply_extraction)(user=user, user_text=text, extractor=RuleBasedExtractor())


@pytest.mark.parametrize(
    ("question", "told"),
    [
        ("When does my KITAS expire?", "You told me: KITAS expires in March 2027."),
        ("Kapan KITAS saya habis?", "Anda memberi tahu saya: KITAS expires in March 2027."),
        ("Quando scade il mio KITAS?", "Mi hai detto: KITAS expires in March 2027."),
    ],
)
async def test_offline_a_question_about_the_users_own_fact_is_answered_from_memory_first(
    user, knowledge_docs, no_router, offline, question, told
):

    await remember(user, "My KITAS expires in March 2027.")

    events = await ask(user, question)

    message = await Message.objects.aget(pk=events[-1]["message_id"])
    assert message.content.startswith(told)


async def test_the_model_is_told_to_answer_a_question_about_the_user_from_the_notes(
    user, knowledge_docs, no_router, fake_anthropic
):
    from chat.pipeline.prompt import ABOUT_USER

    await remember(user, "My KITAS expires in March 2027.")

    await ask(user, "When does my KITAS expire?")

    assert "KITAS expires in March 2027" in last_answer_prompt(fake_anthropic)
    assert ABOUT_USER in last_user_message(fake_anthropic)


async def test_a_general_question_is_not_treated_as_one_about_the_user(user, knowledge_docs, no_router, fake_anthropic):
    from chat.pipeline.prompt import ABOUT_USER

    await remember(user, "My KITAS expires in March 2027.")

    await ask(user, "How do I extend an investor KITAS?")

    assert ABOUT_USER not in last_user_message(fake_anthropic)
