"""The issue's "done when": facts said in one conversation are used in a later one, shown and erased by the page."""

import pytest
from django.conf import settings

from memory.selectors import memory_prompt_block, memory_recall
from memory.services import memory_extract_exchange

pytestmark = pytest.mark.django_db


def test_facts_from_one_conversation_reach_the_prompt_of_a_later_one_until_deleted(client, user):
    # conversation 1: the chat pipeline enqueues extraction after its answer
    memory_extract_exchange(
        user_id=user.pk,
        user_text="I'm Giulia, I live in Ubud and my KITAS expires on 14 March 2026.",
        assistant_text="Noted, Giulia.",
        source_message_id=101,
    )

    # conversation 2, days later: the system prompt carries what she said
    block = memory_prompt_block(
        facts=memory_recall(user=user, query="Can I extend my KITAS?", budget_tokens=settings.MEMORY_RECALL_TOKENS)
    )
    assert "KITAS expires on 2026-03-14" in block
    assert "Lives in Ubud" in block

    # the memory page shows it, and deleting it there removes it from later prompts
    client.force_login(user)
    page = client.get("/memory/").content.decode()
    assert "KITAS expires on 2026-03-14" in page
    fact_id = next(f.pk for f in memory_recall(user=user, query="", budget_tokens=400) if "2026-03-14" in f.text)
    client.post(f"/memory/facts/{fact_id}/delete/", {"confirm": "yes"})

    block = memory_prompt_block(facts=memory_recall(user=user, query="Can I extend my KITAS?", budget_tokens=400))
    assert "2026-03-14" not in block
    assert "Lives in Ubud" in block
