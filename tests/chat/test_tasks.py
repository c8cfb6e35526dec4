"""The memory extraction task: it gets the ids of a question and its answer and loads their texts itself."""

import pytest

from chat import services
from chat.models import Message
from chat.tasks import exchange_memory_extract
from memory.models import MemoryFact

pytestmark = pytest.mark.django_db


def exchange(user, question: str, answer: str = "Noted.") -> tuple[int, int]:
    conversation = services.conversation_create(user=user)
    asked = services.user_message_save(conversation=conversation, text=question, language="en")
    answered = Message.objects.create(conversation=conversation, role=Message.Role.ASSISTANT, content=answer)
    return asked.pk, answered.pk


def test_the_task_writes_the_facts_of_the_exchange_it_loads(user):
    question_id, answer_id = exchange(user, "Hi, I'm Marco and I live in Canggu.", "Hello Marco!")

    result = exchange_memory_extract.apply(args=[question_id, answer_id]).get()

    assert result == {
        "status": "ok",
        "user_id": user.pk,
        "source_message_id": question_id,
        "operations": {"ADD": 2, "UPDATE": 0, "INVALIDATE": 0, "NONE": 0},
    }
    assert set(MemoryFact.objects.filter(user=user).values_list("text", flat=True)) == {
        "Name: Marco",
        "Lives in Canggu",
    }


def test_the_task_is_idempotent_for_the_same_question(user):
    question_id, answer_id = exchange(user, "I live in Canggu.")
    exchange_memory_extract.apply(args=[question_id, answer_id]).get()

    again = exchange_memory_extract.apply(args=[question_id, answer_id]).get()

    assert again["status"] == "skipped"
    assert MemoryFact.objects.filter(user=user).count() == 1


def test_an_exchange_deleted_before_the_task_runs_is_not_extracted(user):
    question_id, answer_id = exchange(user, "I live in Canggu.")
    services.conversation_delete(conversation=Message.objects.get(pk=question_id).conversation)

    result = exchange_memory_extract.apply(args=[question_id, answer_id]).get()

    assert result == {"status": "no_message", "user_message_id": question_id}
    assert not MemoryFact.objects.filter(user=user).exists()


def test_an_llm_outage_is_retried_then_falls_back_to_the_rules(llm, user):
    llm.script.extend([ConnectionError("down")] * 5)
    question_id, answer_id = exchange(user, "I live in Canggu.", "")

    result = exchange_memory_extract.apply(args=[question_id, answer_id]).get()

    assert result["status"] == "ok"
    assert len(llm.calls) == 3  # three LLM attempts, the fourth uses the rules
    assert MemoryFact.objects.get(user=user).text == "Lives in Canggu"
