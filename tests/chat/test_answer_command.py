"""`answer` runs the whole pipeline from the shell; `memory_extract` shows the offline extractor's facts."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from chat.models import Conversation
from knowledge.golden.models import GoldenLookup
from memory.models import MemoryFact

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[dict]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_answer_prints_the_documented_fields_for_each_question_in_one_conversation(knowledge_docs, no_router, offline):
    rows = run("answer", "How do I extend my investor KITAS?", "Apa itu NPWP?", "--json")

    assert [set(row) for row in rows] == [{"answer", "source", "tool", "sources", "language"}] * 2
    assert rows[0]["source"] == "offline" and rows[0]["language"] == "en"
    assert rows[0]["sources"] and set(rows[0]["sources"][0]) == {"title", "collection"}
    assert rows[0]["sources"][0]["collection"] == "visa_oracle"
    assert rows[1]["language"] == "id"


def test_answer_without_a_user_leaves_nothing_behind(knowledge_docs, no_router, offline):
    users_before = get_user_model().objects.count()

    run("answer", "My KITAS expires in March 2027. How do I extend it?", "--json")

    assert get_user_model().objects.count() == users_before
    assert not Conversation.objects.exists()
    assert not MemoryFact.objects.exists()
    assert not GoldenLookup.objects.exists()


def test_answer_as_a_user_keeps_one_conversation_and_uses_their_memory(user, knowledge_docs, no_router, offline):
    from memory.extraction.rules import RuleBasedExtractor
    from memory.services import memory_apply_extraction

    memory_apply_extraction(user=user, user_text="My KITAS expires in March 2027.", extractor=RuleBasedExtractor())

    rows = run("answer", "Hello", "When does my KITAS expire?", "--user", "alice", "--json")

    conversation = Conversation.objects.get(user=user)
    assert conversation.messages.filter(role="user").count() == 2
    assert rows[1]["answer"].startswith("You told me: KITAS expires in March 2027.")


@pytest.mark.parametrize("args", [("answer", "   "), ("answer", "hi", "--user", "nobody")])
def test_answer_refuses_bad_input_with_exit_code_2(db, args):
    with pytest.raises(CommandError) as error:
        call_command(*args)

    assert error.value.returncode == 2


def test_memory_extract_prints_facts_per_line_and_writes_nothing(user, tmp_path):
    queries = tmp_path / "m.jsonl"
    queries.write_text(
        '{"text": "I\'m Italian and my KITAS expires in March 2027.", "language": "en"}\n'
        '{"text": "My brother lives in Ubud.", "language": "en"}\n'
    )

    mine, brothers = run("memory_extract", "--queries", str(queries), "--json")

    assert {(f["key"], f["value"]) for f in mine["facts"]} >= {
        ("nationality", "Italian"),
        ("visa_expiry", "March 2027"),
    }
    assert set(mine["facts"][0]) == {"key", "value", "text", "kind", "action"}
    assert brothers == {"text": "My brother lives in Ubud.", "facts": []}
    assert not MemoryFact.objects.exists()


def test_memory_extract_with_a_bad_line_exits_2(db, tmp_path):
    queries = tmp_path / "m.jsonl"
    queries.write_text('{"text": "fine"}\n["not an object"]\n')

    with pytest.raises(CommandError) as error:
        call_command("memory_extract", "--queries", str(queries), "--json")

    assert error.value.returncode == 2 and "m.jsonl:2" in str(error.value)
