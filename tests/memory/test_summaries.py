"""Conversation summaries: extractive without an LLM, within budget, one per conversation, idempotent."""

import pytest

from memory.models import ConversationSummary, estimate_tokens
from memory.selectors import conversation_summary_get
from memory.services import conversation_summarize, conversation_summary_delete
from memory.summaries import extractive_summary

TURNS = [
    ("user", "Hi! I'm Marco, I'm Italian and I live in Canggu with my wife."),
    ("assistant", "Hello Marco, nice to meet you. How can I help you today?"),
    ("user", "My investor KITAS expires on 14 March 2026. How do I extend it?"),
    ("assistant", "You can extend an investor KITAS (E28A) online through the immigration portal. "
                  "Start at least 30 days before it expires. Your sponsor company must upload its documents."),
    ("user", "Thanks. Also, my company PT Surya Abadi needs to file its LKPM report."),
    ("assistant", "The LKPM is filed quarterly on the OSS system, by the 10th of the month after the quarter."),
    ("user", "Great, thank you so much!"),
    ("assistant", "You're welcome!"),
]  # fmt: skip


def test_the_extractive_summary_keeps_the_users_concrete_details_within_budget():
    summary = extractive_summary(TURNS, budget_tokens=80)

    assert estimate_tokens(summary) <= 80
    assert "14 March 2026" in summary
    assert "PT Surya Abadi" in summary
    assert "You're welcome" not in summary


def test_the_extractive_summary_keeps_the_original_order():
    lines = extractive_summary(TURNS, budget_tokens=400).splitlines()

    assert lines[0] == "- User: I'm Marco, I'm Italian and I live in Canggu with my wife."
    assert lines.index(next(line for line in lines if "KITAS expires" in line)) < lines.index(
        next(line for line in lines if "LKPM report" in line)
    )


@pytest.mark.django_db
def test_a_summary_is_stored_once_per_conversation_and_replaced_when_it_covers_more():
    first = conversation_summarize(conversation_id=5, turns=TURNS[:4], covers_up_to=40)
    same = conversation_summarize(conversation_id=5, turns=TURNS[:2], covers_up_to=40)
    later = conversation_summarize(conversation_id=5, turns=TURNS, covers_up_to=80)

    assert same.pk == first.pk and same.text == first.text
    assert later.pk == first.pk
    assert (later.covers_up_to, later.method) == (80, "extractive")
    assert "LKPM" in later.text
    assert later.token_count == estimate_tokens(later.text)
    assert conversation_summary_get(conversation_id=5).text == later.text
    assert ConversationSummary.objects.count() == 1


@pytest.mark.django_db
def test_no_summary_for_an_unknown_conversation_and_deletion_removes_it():
    conversation_summarize(conversation_id=6, turns=TURNS, covers_up_to=10)

    assert conversation_summary_get(conversation_id=7) is None
    assert conversation_summary_delete(conversation_id=6) == 1
    assert conversation_summary_get(conversation_id=6) is None
