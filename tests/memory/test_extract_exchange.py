"""Extraction from one exchange (what the chat task calls), and the LLM extractor seam (with a stand-in client)."""

import pytest

from memory.extraction import LLMFactExtractor, fact_extractor_get
from memory.models import MemoryFact
from memory.services import memory_extract_exchange

from .factories import MemoryFactFactory

pytestmark = pytest.mark.django_db


def extract(user_id: int, user_text: str, assistant_text: str, source_message_id: int, **options) -> dict:
    return memory_extract_exchange(
        user_id=user_id,
        user_text=user_text,
        assistant_text=assistant_text,
        source_message_id=source_message_id,
        **options,
    )


def test_the_facts_of_the_exchange_are_written(user):
    result = extract(user.pk, "Hi, I'm Marco and I live in Canggu.", "Hello Marco!", 11)

    assert result["status"] == "ok"
    assert result["operations"]["ADD"] == 2
    assert set(MemoryFact.objects.filter(user=user).values_list("text", flat=True)) == {
        "Name: Marco",
        "Lives in Canggu",
    }


def test_extraction_is_idempotent_for_the_same_source_message(user):
    extract(user.pk, "I live in Canggu.", "", 12)

    again = extract(user.pk, "I live in Canggu.", "", 12)

    assert again["status"] == "skipped"
    assert MemoryFact.objects.filter(user=user).count() == 1


def test_extraction_for_a_deleted_user_does_nothing():
    assert extract(999999, "I live in Canggu.", "", 1)["status"] == "no_user"


def test_without_an_llm_configured_the_rules_are_used(settings):
    settings.ANTHROPIC_API_KEY = ""
    settings.VLLM_BASE_URL = ""
    settings.MEMORY_LLM_CLIENT = "tests.memory.llm_standin.client_factory"

    assert fact_extractor_get().name == "rules"


def test_with_an_llm_configured_the_llm_extractor_applies_validated_operations(llm, user, other_user):
    mine = MemoryFactFactory(user=user, kind="location", key="city", value="Canggu", text="Lives in Canggu")
    theirs = MemoryFactFactory(user=other_user, kind="location", text="Lives in Ubud")
    llm.script.append(
        {
            "operations": [
                {"op": "UPDATE", "kind": "location", "key": "city", "value": "Sanur", "text": "Lives in Sanur", "target_id": mine.pk},
                {"op": "INVALIDATE", "kind": "location", "text": "", "target_id": theirs.pk},
                {"op": "ADD", "kind": "hobby", "text": "Surfs at dawn"},
            ]
        }
    )  # fmt: skip

    result = extract(user.pk, "We moved to Sanur, I surf at dawn.", "Nice!", 21)

    assert isinstance(fact_extractor_get(), LLMFactExtractor)
    assert result["operations"] == {"ADD": 1, "UPDATE": 1, "INVALIDATE": 0, "NONE": 0}
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.superseded_by.text == "Lives in Sanur"
    assert theirs.invalidated_at is None  # an id it was never shown is ignored
    assert MemoryFact.objects.get(user=user, text="Surfs at dawn").kind == "other"
    prompt = llm.calls[0]["messages"][0]["content"]
    assert f"[{mine.pk}]" in prompt and "Lives in Ubud" not in prompt


def test_the_last_attempt_uses_the_rules_whatever_is_configured(llm, user):
    llm.script.append(ConnectionError("down"))

    result = extract(user.pk, "I live in Canggu.", "", 31, rules_only=True)

    assert result["status"] == "ok"
    assert llm.calls == []
    assert MemoryFact.objects.get(user=user).text == "Lives in Canggu"
