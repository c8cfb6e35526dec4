"""Explicit memory requests in chat: remember, update, forget, forget everything, list, recall (EN/ID/IT)."""

import pytest

from memory.commands import Intent, memory_command_parse
from memory.models import MemoryFact
from memory.services import memory_apply_extraction, memory_command_answer

from .factories import MemoryFactFactory


@pytest.mark.parametrize(
    ("text", "intent", "content"),
    [
        ("remember that my KITAS expires in March", Intent.REMEMBER, "my KITAS expires in March"),
        ("ingat bahwa saya tinggal di Canggu", Intent.REMEMBER, "saya tinggal di Canggu"),
        ("ricordati che mia moglie si chiama Kadek", Intent.REMEMBER, "mia moglie si chiama Kadek"),
        ("rememeber my name is Tom", Intent.REMEMBER, "my name is Tom"),
        ("my name is Giulia, please remember it", Intent.REMEMBER, "my name is Giulia"),
        ("don't forget I'm vegetarian", Intent.REMEMBER, "I'm vegetarian"),
        ("memorize my details", Intent.REMEMBER, ""),
        ("update my address, I moved to Sanur", Intent.UPDATE, "I moved to Sanur"),
        ("forget my address", Intent.FORGET, "my address"),
        ("forgt my address pls", Intent.FORGET, "my address"),
        ("lupakan alamat saya", Intent.FORGET, "alamat saya"),
        ("dimentica il mio indirizzo", Intent.FORGET, "il mio indirizzo"),
        ("don't keep my address anymore", Intent.FORGET, "my address"),
        ("forget everything you know about me", Intent.FORGET_ALL, ""),
        ("hapus semua data pribadi saya", Intent.FORGET_ALL, ""),
        ("cancella tutti i miei dati", Intent.FORGET_ALL, ""),
        ("what do you remember about me?", Intent.LIST, ""),
        ("kamu ingat apa aja soal aku", Intent.LIST, ""),
        ("cosa ricordi di me?", Intent.LIST, ""),
        ("what's in your notes about my business", Intent.RECALL, "my business"),
        ("do you remember my visa type", Intent.RECALL, "do you remember my visa type"),
    ],
)
def test_requests_are_understood_in_three_languages(text, intent, content):
    command = memory_command_parse(text)

    assert (command.intent, command.content) == (intent, content)


@pytest.mark.django_db
def test_remember_stores_a_pinned_fact_in_the_users_words_with_its_slot(user):
    answer = memory_command_answer(user=user, text="remember that I live in Canggu", source_message_id=5)

    fact = MemoryFact.objects.get(user=user)
    assert (fact.text, fact.pinned, fact.key, fact.value) == ("I live in Canggu", True, "city", "Canggu")
    assert fact.source_message_id == 5
    assert "I live in Canggu" in answer


@pytest.mark.django_db
def test_a_remembered_fact_is_corrected_by_a_later_statement(user):
    memory_command_answer(user=user, text="ricorda che vivo a Canggu", language="it")

    memory_apply_extraction(user=user, user_text="I moved from Canggu to Sanur.")

    current = MemoryFact.objects.get(user=user, invalidated_at__isnull=True)
    assert (current.text, current.pinned) == ("Lives in Sanur", True)


@pytest.mark.django_db
def test_remember_without_a_recognized_slot_keeps_a_free_note_of_a_guessed_kind(user):
    memory_command_answer(user=user, text="tolong ingat saya punya dua anjing", language="id")

    fact = MemoryFact.objects.get(user=user)
    assert (fact.text, fact.kind, fact.key, fact.pinned) == ("Saya punya dua anjing", "family", "", True)


@pytest.mark.django_db
def test_remember_with_nothing_to_remember_asks_what(user):
    answer = memory_command_answer(user=user, text="memorize my details")

    assert not MemoryFact.objects.filter(user=user).exists()
    assert "What should I remember" in answer


@pytest.mark.django_db
def test_update_supersedes_the_old_value_and_says_what_it_was(user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")

    answer = memory_command_answer(user=user, text="update my address, I moved to Sanur")

    assert "Lives in Sanur (was: Lives in Canggu)" in answer
    assert MemoryFact.objects.get(user=user, text="Lives in Canggu").invalidated_at is not None


@pytest.mark.django_db
def test_forget_invalidates_only_the_matching_facts(user):
    memory_apply_extraction(user=user, user_text="My name is Marco and I live in Canggu.")

    answer = memory_command_answer(user=user, text="lupakan alamat saya", language="id")

    assert MemoryFact.objects.get(user=user, text="Lives in Canggu").invalidated_at is not None
    assert MemoryFact.objects.get(user=user, text="Name: Marco").invalidated_at is None
    assert "Lives in Canggu" in answer and "/memory/" in answer


@pytest.mark.django_db
def test_forgetting_the_wifes_name_leaves_the_users_own_facts(user):
    memory_apply_extraction(user=user, user_text="My name is Marco. I'm married, my wife is called Sari.")

    memory_command_answer(user=user, text="please forget my wife's name")

    current = set(MemoryFact.objects.filter(user=user, invalidated_at__isnull=True).values_list("text", flat=True))
    assert current == {"Name: Marco", "Married"}


@pytest.mark.django_db
def test_forget_with_no_match_changes_nothing_and_says_so(user):
    MemoryFactFactory(user=user, kind="location", text="Lives in Canggu")

    answer = memory_command_answer(user=user, text="dimentica il nome del mio commercialista", language="it")

    assert MemoryFact.objects.get(user=user).invalidated_at is None
    assert answer.startswith("Non ho trovato nulla")


@pytest.mark.django_db
def test_forget_everything_invalidates_all_current_facts(user, other_user):
    MemoryFactFactory.create_batch(3, user=user)
    MemoryFactFactory(user=other_user)

    answer = memory_command_answer(user=user, text="forget everything you know about me")

    assert not MemoryFact.objects.filter(user=user, invalidated_at__isnull=True).exists()
    assert MemoryFact.objects.filter(user=other_user, invalidated_at__isnull=True).count() == 1
    assert "(3 facts)" in answer


@pytest.mark.django_db
def test_what_do_you_remember_lists_current_facts_only(user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")
    memory_apply_extraction(user=user, user_text="I moved to Sanur.")

    answer = memory_command_answer(user=user, text="cosa ricordi di me?", language="it")

    assert answer.startswith("Ecco cosa ricordo di te:")
    assert "- Lives in Sanur" in answer
    assert "Canggu" not in answer


@pytest.mark.django_db
def test_what_do_you_remember_with_nothing_stored(user):
    assert memory_command_answer(user=user, text="what do you know about me").startswith("I don't remember anything")


@pytest.mark.django_db
def test_a_question_about_one_fact_answers_from_memory(user):
    memory_apply_extraction(user=user, user_text="Hi, I'm Marco. My KITAS expires on 14 March 2026.")

    answer = memory_command_answer(user=user, text="what's my KITAS expiry date again, you saved it right?")

    assert "KITAS expires on 2026-03-14" in answer
    assert "Marco" not in answer


@pytest.mark.django_db
def test_commands_never_touch_another_users_facts(user, other_user):
    MemoryFactFactory(user=other_user, kind="location", text="Lives in Ubud")

    listing = memory_command_answer(user=user, text="what do you remember about me?")
    memory_command_answer(user=user, text="forget my address")

    assert "Ubud" not in listing
    assert MemoryFact.objects.get(user=other_user).invalidated_at is None
