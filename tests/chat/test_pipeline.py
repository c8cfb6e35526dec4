"""The answer pipeline against the real SDKs talking to local stand-in servers."""

import asyncio
from decimal import Decimal

import pytest

from chat.models import Conversation, Message
from chat.pipeline.run import answer_events
from tests.fakes.llm_servers import Behaviour

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def collect(user, text, conversation_id=None, cancel=None):
    return [e async for e in answer_events(user=user, conversation_id=conversation_id, text=text, cancel=cancel)]


def types(events):
    return [e["type"] for e in events]


def last_answer_request(server) -> dict:
    """The last streamed answer request (with eager Celery, memory extraction calls the same fake API afterwards)."""
    return [r for r in server.requests if r["body"].get("stream")][-1]


async def test_anthropic_answer_streams_tokens_and_is_saved_with_usage(user, knowledge_docs, no_router, fake_anthropic):
    events = await collect(user, "How do I extend my investor KITAS?")

    assert types(events)[0] == "start"
    assert "sources" in types(events)
    assert "".join(e["text"] for e in events if e["type"] == "token") == "Hello from the model [1]."
    done = events[-1]
    assert done["type"] == "done" and done["source"] == "llm" and done["status"] == "complete"
    message = await Message.objects.aget(pk=done["message_id"])
    assert message.content == "Hello from the model [1]."
    assert message.model == "claude-haiku-4-5-20251001"  # the API answers the alias with the dated id
    assert (message.tokens_in, message.tokens_out, message.tokens_cache_read) == (321, 5, 0)
    assert message.cost_usd == Decimal("0.000346")  # priced as the alias: 321 x $1 + 5 x $5 per million tokens
    assert {"ttft_ms", "total_ms", "retrieve_ms", "memory_ms"} <= set(message.timings)
    assert message.sources[0]["title"] == "Extending an investor KITAS (E28A)"


async def test_prompt_marks_no_cache_below_the_minimum_prefix_and_fences_sources_as_data(
    user, knowledge_docs, no_router, fake_anthropic
):
    await collect(user, "How do I extend my investor KITAS?")

    body = last_answer_request(fake_anthropic)["body"]
    assert body["model"] == "claude-haiku-4-5"
    assert "cache_control" not in body["system"][0]  # ~280 tokens: below Haiku 4.5's 4,096-token cacheable minimum
    assert "ZANTARA" in body["system"][0]["text"]
    question = body["messages"][-1]["content"]
    assert question.startswith("<sources>")
    assert "[1] Extending an investor KITAS (E28A)" in question
    assert question.rstrip().endswith("Question: How do I extend my investor KITAS?")


async def test_overload_falls_back_to_the_llama_worker(user, knowledge_docs, no_router, fake_anthropic, fake_vllm):
    fake_anthropic.script(Behaviour(kind="overload"))
    fake_vllm.default = Behaviour(tokens=["Llama", " says", " hi", " [1]"])

    events = await collect(user, "How do I extend my investor KITAS?")

    assert "".join(e["text"] for e in events if e["type"] == "token") == "Llama says hi [1]"
    message = await Message.objects.aget(pk=events[-1]["message_id"])
    assert message.source == "llm" and message.model == "meta-llama/Llama-3.1-8B-Instruct"
    assert fake_vllm.requests[-1]["body"]["messages"][0]["role"] == "system"


async def test_timeout_without_llama_falls_back_to_the_offline_answer(user, knowledge_docs, no_router, fake_anthropic):
    fake_anthropic.script(Behaviour(kind="timeout", hang_seconds=4))

    events = await collect(user, "How do I extend my investor KITAS?")

    done = events[-1]
    assert done["source"] == "offline" and done["status"] == "complete"
    message = await Message.objects.aget(pk=done["message_id"])
    assert "offline" in message.content
    assert "[1]" in message.content


async def test_stream_broken_mid_answer_saves_a_partial(user, knowledge_docs, no_router, fake_anthropic):
    fake_anthropic.script(Behaviour(kind="break", break_after=2))

    events = await collect(user, "How do I extend my investor KITAS?")

    assert "error" in types(events)
    assert events[-1]["type"] == "done" and events[-1]["status"] == "partial"
    message = await Message.objects.aget(pk=events[-1]["message_id"])
    assert message.status == "partial"
    assert message.content == "Hello from"
    user_messages = [m async for m in Message.objects.filter(role="user")]
    assert [m.content for m in user_messages] == ["How do I extend my investor KITAS?"]


async def test_stop_keeps_what_was_said_as_partial(user, knowledge_docs, no_router, fake_anthropic):
    fake_anthropic.default = Behaviour(tokens=["one", " two", " three", " four"], token_interval=0.05)
    cancel = asyncio.Event()
    events = []

    async for event in answer_events(user=user, conversation_id=None, text="Extend KITAS?", cancel=cancel):
        events.append(event)
        if event["type"] == "token":
            cancel.set()

    assert events[-1]["status"] == "partial"
    message = await Message.objects.aget(pk=events[-1]["message_id"])
    assert message.status == "partial" and message.content == "one"


async def test_offline_is_the_default_without_an_api_key(user, knowledge_docs, no_router, offline):
    events = await collect(user, "Do I need an NPWP as a tax resident?")

    assert events[-1]["source"] == "offline"
    message = await Message.objects.aget(pk=events[-1]["message_id"])
    assert "NPWP" in message.content


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
async def test_invalid_message_is_an_error_event_and_saves_nothing(user, offline, text):
    events = await collect(user, text)

    assert types(events) == ["error"]
    assert await Message.objects.acount() == 0
    assert await Conversation.objects.acount() == 0


async def test_another_users_conversation_is_not_found(user, django_user_model, offline):
    other = await django_user_model.objects.acreate(username="bob")
    theirs = await Conversation.objects.acreate(user=other, title="private")

    events = await collect(user, "hello", conversation_id=theirs.pk)

    assert events == [{"type": "error", "code": "not_found", "message": "No such conversation."}]
    assert await Message.objects.acount() == 0


async def test_follow_up_question_carries_history(user, knowledge_docs, no_router, fake_anthropic):
    first = await collect(user, "How do I extend my investor KITAS?")
    conversation_id = first[0]["conversation_id"]

    await collect(user, "And what if I am late?", conversation_id=conversation_id)

    messages = last_answer_request(fake_anthropic)["body"]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "How do I extend my investor KITAS?"
    assert messages[1]["content"] == "Hello from the model [1]."


async def test_a_long_message_within_the_limit_is_answered(user, knowledge_docs, no_router, offline):
    text = "How do I extend my investor KITAS? " + "Some context about my situation. " * 110

    events = await collect(user, text.strip())

    assert 3000 < len(text) <= 4000
    assert events[-1]["type"] == "done" and events[-1]["status"] == "complete"
