"""Asks sent at once into one conversation (two tabs, a double click, a script): each answer sits next to its question."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from chat.models import Conversation, Message
from chat.pipeline.run import prepare_turn

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_asks_keep_each_answer_next_to_its_question(user, knowledge_docs, no_router, offline):
    conversation = Conversation.objects.create(user=user, title="Busy")
    asks = 4
    barrier = threading.Barrier(asks)

    def ask(n: int) -> tuple[int, int]:
        try:
            barrier.wait(timeout=30)
            turn = prepare_turn(
                user=user, conversation_id=conversation.pk, text=f"Question {n} about my KITAS?", started=0
            )
            return turn.user_message.pk, turn.assistant_message.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(asks) as pool:
        pairs = list(pool.map(ask, range(asks)))

    ordered = list(conversation.messages.values_list("pk", "role"))
    assert [role for _, role in ordered] == ["user", "assistant"] * asks
    position = {pk: i for i, (pk, _) in enumerate(ordered)}
    assert all(position[answer] == position[question] + 1 for question, answer in pairs)


def test_a_failed_preparation_leaves_the_question_and_no_empty_answer(
    user, monkeypatch, knowledge_docs, no_router, offline
):
    from chat.pipeline import steps

    def broken_retrieval(*args, **kwargs):  # a Chroma outage now falls back to lexical search: fail it outright
        raise RuntimeError("the knowledge search failed")

    monkeypatch.setattr(steps, "retrieve", broken_retrieval)
    conversation = Conversation.objects.create(user=user, title="Broken")

    with pytest.raises(Exception):  # noqa: B017 - whatever the failure is
        prepare_turn(user=user, conversation_id=conversation.pk, text="How do I extend my KITAS?", started=0)

    assert list(Message.objects.filter(conversation=conversation).values_list("role", flat=True)) == ["user"]
