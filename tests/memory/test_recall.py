"""Reading memory for the prompt: pinned + relevant + recent within the budget, and never another user's facts."""

import pytest
from django.utils import timezone

from memory.models import MemoryFact, estimate_tokens
from memory.selectors import PROMPT_HEADER, memory_prompt_block, memory_recall
from memory.services import memory_apply_extraction, memory_fact_delete
from nuzantara.embeddings import get_embedder

from .factories import MemoryFactFactory

pytestmark = pytest.mark.django_db

FILLER = [f"Enjoys hobby number {i} on weekends" for i in range(12)]


def test_the_fact_relevant_to_the_question_is_recalled_under_a_tight_budget(user):
    for text in FILLER:
        MemoryFactFactory(user=user, text=text)
    MemoryFactFactory(user=user, kind="immigration", text="Visa: Investor KITAS (E28A)")
    for text in FILLER[:3]:
        MemoryFactFactory(user=user, text=text + " again")

    facts = memory_recall(user=user, query="How do I extend my investor KITAS?", budget_tokens=60)

    assert "Visa: Investor KITAS (E28A)" in [f.text for f in facts]


def test_pinned_facts_are_always_recalled(user):
    MemoryFactFactory(user=user, text="Prefers answers in Italian", pinned=True)
    for text in FILLER:
        MemoryFactFactory(user=user, text=text)

    facts = memory_recall(user=user, query="What is the capital of Bali?", budget_tokens=60)

    assert facts[0].text == "Prefers answers in Italian"


def test_the_prompt_block_fits_the_budget(user):
    for text in FILLER:
        MemoryFactFactory(user=user, text=text)

    for budget in (30, 60, 120):
        block = memory_prompt_block(facts=memory_recall(user=user, query="hobby", budget_tokens=budget))
        assert estimate_tokens(block) <= budget + 2  # per-line rounding


def test_nothing_is_recalled_when_the_budget_cannot_hold_the_header(user):
    MemoryFactFactory(user=user, text="Lives in Sanur")

    assert memory_recall(user=user, query="x", budget_tokens=estimate_tokens(PROMPT_HEADER)) == []


def test_invalidated_facts_are_not_recalled(user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")
    memory_apply_extraction(user=user, user_text="I moved to Sanur.")

    texts = [f.text for f in memory_recall(user=user, query="Where do I live?", budget_tokens=400)]

    assert texts == ["Lives in Sanur"]


def test_a_new_fact_is_seen_by_the_next_recall(user):
    MemoryFactFactory(user=user, text="Lives in Sanur")
    memory_recall(user=user, query="where", budget_tokens=400)  # fills the per-process cache

    MemoryFactFactory(user=user, text="Name: Marco")

    assert {f.text for f in memory_recall(user=user, query="where", budget_tokens=400)} == {
        "Lives in Sanur",
        "Name: Marco",
    }


def test_a_deleted_fact_is_not_recalled_even_from_a_warm_cache(user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")
    MemoryFactFactory(user=user, text="Name: Marco")
    memory_recall(user=user, query="where", budget_tokens=400)

    memory_fact_delete(fact=fact, how="api_one")

    assert [f.text for f in memory_recall(user=user, query="where", budget_tokens=400)] == ["Name: Marco"]


def test_an_edit_is_seen_by_the_next_recall(user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")
    memory_recall(user=user, query="where", budget_tokens=400)

    MemoryFact.objects.filter(pk=fact.pk).update(text="Lives in Ubud", updated_at=timezone.now())

    assert [f.text for f in memory_recall(user=user, query="where", budget_tokens=400)] == ["Lives in Ubud"]


def test_a_precomputed_query_vector_gives_the_same_recall(user):
    for text in [*FILLER, "Visa: Investor KITAS (E28A)"]:
        MemoryFactFactory(user=user, text=text)
    query = "How do I extend my investor KITAS?"

    by_text = memory_recall(user=user, query=query, budget_tokens=50)
    by_vector = memory_recall(user=user, query="", budget_tokens=50, query_vector=get_embedder().encode([query])[0])

    assert [f.pk for f in by_text] == [f.pk for f in by_vector]


def test_user_b_never_recalls_user_as_facts(user, other_user):
    memory_apply_extraction(user=user, user_text="My name is Marco, I live in Canggu and I hold an investor KITAS.")
    MemoryFactFactory(user=user, text="Prefers answers in Italian", pinned=True)

    facts = memory_recall(user=other_user, query="Where does Marco live? Which KITAS do I have?", budget_tokens=400)

    assert facts == []
    assert memory_prompt_block(facts=facts) == ""


def test_user_bs_prompt_holds_only_bs_facts(user, other_user):
    memory_apply_extraction(user=user, user_text="My name is Marco and I live in Canggu.")
    memory_apply_extraction(user=other_user, user_text="My name is Bob and I live in Ubud.")

    block = memory_prompt_block(facts=memory_recall(user=other_user, query="Where do I live?", budget_tokens=400))

    assert "Ubud" in block and "Bob" in block
    assert "Marco" not in block and "Canggu" not in block


def test_the_prompt_block_is_empty_without_facts_and_one_line_per_fact(user):
    fact = MemoryFactFactory(user=user, text="Note with\na line break")

    assert memory_prompt_block(facts=[]) == ""
    assert memory_prompt_block(facts=[fact]) == f"{PROMPT_HEADER}\n- Note with a line break"


def test_anonymous_users_recall_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert memory_recall(user=AnonymousUser(), query="x", budget_tokens=400) == []
