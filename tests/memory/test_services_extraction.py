"""Applying extracted facts: ADD, UPDATE on correction (the old fact kept, invalidated), INVALIDATE, NONE."""

import pytest

from memory.extraction import FactCandidate
from memory.models import MemoryExtractionRun, MemoryFact
from memory.services import memory_apply_extraction

from .factories import MemoryFactFactory

pytestmark = pytest.mark.django_db


def active_texts(user) -> set[str]:
    return set(MemoryFact.objects.filter(user=user, invalidated_at__isnull=True).values_list("text", flat=True))


def test_new_facts_are_added_with_their_source_message(user):
    operations = memory_apply_extraction(
        user=user, user_text="Hi, my name is Marco and I live in Canggu.", source_message_id=41
    )

    assert [o.op for o in operations] == ["ADD", "ADD"]
    assert active_texts(user) == {"Name: Marco", "Lives in Canggu"}
    assert set(MemoryFact.objects.filter(user=user).values_list("source_message_id", flat=True)) == {41}


def test_moving_invalidates_the_old_city_and_keeps_it_as_history(user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")

    operations = memory_apply_extraction(user=user, user_text="I moved from Canggu to Sanur last month.")

    assert [o.op for o in operations] == ["UPDATE"]
    old = MemoryFact.objects.get(user=user, text="Lives in Canggu")
    new = MemoryFact.objects.get(user=user, text="Lives in Sanur")
    assert old.invalidated_at is not None
    assert old.superseded_by == new
    assert new.invalidated_at is None
    assert active_texts(user) == {"Lives in Sanur"}


def test_a_correction_in_another_language_updates_the_same_slot(user):
    memory_apply_extraction(user=user, user_text="My KITAS expires on 14 March 2026.")

    memory_apply_extraction(user=user, user_text="KITAS saya sudah diperpanjang sampai 20 April 2027.")

    assert active_texts(user) == {"Visa: KITAS", "KITAS expires on 2027-04-20"}


def test_saying_the_same_thing_again_changes_nothing(user):
    memory_apply_extraction(user=user, user_text="I'm Italian.")

    operations = memory_apply_extraction(user=user, user_text="Sono italiano.")

    assert [o.op for o in operations] == ["NONE"]
    assert MemoryFact.objects.filter(user=user).count() == 1


def test_a_vaguer_value_does_not_replace_a_precise_one(user):
    memory_apply_extraction(user=user, user_text="I hold an investor KITAS that expires on 14 March 2026.")

    operations = memory_apply_extraction(user=user, user_text="I have a KITAS, it expires in March 2026.")

    assert {o.op for o in operations} == {"NONE"}
    assert active_texts(user) == {"Visa: Investor KITAS (E28A)", "Investor KITAS (E28A) expires on 2026-03-14"}


def test_saying_a_fact_no_longer_holds_invalidates_it_without_replacement(user):
    memory_apply_extraction(user=user, user_text="My company is called PT Surya Abadi.")

    operations = memory_apply_extraction(user=user, user_text="I sold my company last year.")

    assert [o.op for o in operations] == ["INVALIDATE"]
    assert active_texts(user) == set()
    assert MemoryFact.objects.get(user=user).invalidated_at is not None


def test_a_divorce_replaces_the_marriage_and_invalidates_the_spouse(user):
    memory_apply_extraction(user=user, user_text="I'm married, my wife is called Sari.")

    memory_apply_extraction(user=user, user_text="I'm divorced now.")

    assert active_texts(user) == {"Divorced"}


def test_a_deadline_with_a_new_date_updates_the_same_deadline(user):
    memory_apply_extraction(user=user, user_text="I need to file my annual tax return by 31 March 2026.")

    operations = memory_apply_extraction(
        user=user, user_text="Good news, now I have to file my annual tax return before 30 April 2026."
    )

    assert [o.op for o in operations] == ["UPDATE"]
    assert active_texts(user) == {"Deadline 2026-04-30: file my annual tax return"}


def test_a_correction_of_a_pinned_fact_stays_pinned(user):
    MemoryFactFactory(user=user, kind="location", key="city", value="Canggu", text="I live in Canggu", pinned=True)

    memory_apply_extraction(user=user, user_text="We moved to Ubud.")

    assert MemoryFact.objects.get(user=user, invalidated_at__isnull=True).pinned


def test_the_same_source_message_is_never_applied_twice(user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.", source_message_id=7)
    MemoryFact.objects.filter(user=user).delete()

    second = memory_apply_extraction(user=user, user_text="I live in Canggu.", source_message_id=7)

    assert second == []
    assert not MemoryFact.objects.filter(user=user).exists()
    assert MemoryExtractionRun.objects.get(user=user, source_message_id=7).operations["ADD"] == 1


def test_a_message_with_no_fact_still_counts_as_processed(user):
    assert memory_apply_extraction(user=user, user_text="How much is a KITAS?", source_message_id=8) == []

    assert MemoryExtractionRun.objects.filter(user=user, source_message_id=8).exists()


def test_one_users_facts_are_never_compared_with_another_users(user, other_user):
    memory_apply_extraction(user=other_user, user_text="I live in Canggu.")

    operations = memory_apply_extraction(user=user, user_text="I live in Sanur.")

    assert [o.op for o in operations] == ["ADD"]
    assert active_texts(other_user) == {"Lives in Canggu"}


class ScriptedExtractor:
    """An extractor returning fixed candidates, to test how LLM-style operations with targets are applied."""

    name = "scripted"

    def __init__(self, candidates):
        self.candidates = candidates

    def extract(self, *, user_text, assistant_text, existing):
        return self.candidates


def test_an_update_naming_a_target_supersedes_exactly_that_fact(user):
    target = MemoryFactFactory(user=user, kind="other", text="Looking for a villa in Pererenan")
    extractor = ScriptedExtractor(
        [FactCandidate(kind="other", text="Bought a villa in Pererenan", targets=(target.pk,))]
    )

    operations = memory_apply_extraction(user=user, user_text="...", extractor=extractor)

    assert [o.op for o in operations] == ["UPDATE"]
    target.refresh_from_db()
    assert target.superseded_by.text == "Bought a villa in Pererenan"


def test_a_nearly_identical_free_fact_is_a_duplicate(user):
    MemoryFactFactory(user=user, text="Is vegetarian")
    extractor = ScriptedExtractor([FactCandidate(kind="preference", text="Is vegetarian.")])

    operations = memory_apply_extraction(user=user, user_text="...", extractor=extractor)

    assert [o.op for o in operations] == ["NONE"]
