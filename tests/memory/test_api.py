"""/api/v1/memory/facts/: the signed-in user's own current facts only; bad input is a 400 that says why."""

import pytest
from rest_framework.test import APIClient

from memory.models import MemoryDeletion, MemoryFact
from memory.services import memory_apply_extraction

from .factories import MemoryFactFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/memory/facts/"


def url(pk: int) -> str:
    return f"{URL}{pk}/"


def test_list_shows_only_my_current_facts(api, user, other_user):
    mine = MemoryFactFactory(user=user, text="Lives in Sanur")
    MemoryFactFactory(user=user, text="Lives in Canggu", invalidated_at="2025-01-01T00:00:00Z")
    MemoryFactFactory(user=other_user, text="Lives in Ubud")

    response = api.get(URL)

    assert response.status_code == 200
    assert [f["id"] for f in response.json()["results"]] == [mine.pk]
    assert set(response.json()["results"][0]) == {
        "id", "kind", "text", "pinned", "confidence", "source_message_id", "created_at", "updated_at"
    }  # fmt: skip


def test_create_stores_a_fact_with_its_embedding(api, user):
    response = api.post(URL, {"kind": "immigration", "text": "  My KITAS expires in March  ", "pinned": True})

    assert response.status_code == 201
    fact = MemoryFact.objects.get(pk=response.json()["id"])
    assert (fact.user, fact.kind, fact.text, fact.pinned) == (user, "immigration", "My KITAS expires in March", True)
    assert len(fact.embedding) == 384 * 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": ""}, "text: Fact text must not be empty."),
        ({"text": "   "}, "text: Fact text must not be empty."),
        ({"kind": "other"}, "text: Fact text is required."),
        ({"text": "x" * 1001}, "text: Fact text must be at most 1,000 characters."),
    ],
)
def test_bad_text_is_a_400_that_says_why(api, body, message):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert not MemoryFact.objects.exists()


def test_an_unknown_kind_is_a_400_listing_the_kinds(api):
    response = api.post(URL, {"kind": "hobby", "text": "Surfs every morning"}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        'kind: Unknown kind "hobby". Valid kinds: identity, family, location, business, immigration, deadline, '
        "preference, other."
    )


def test_update_edits_my_fact_in_place(api, user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur", kind="location")

    response = api.patch(url(fact.pk), {"text": "Lives in Ubud"}, format="json")

    assert response.status_code == 200
    fact.refresh_from_db()
    assert (fact.text, fact.kind) == ("Lives in Ubud", "location")


def test_update_with_bad_input_is_a_400_and_changes_nothing(api, user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur", kind="location")

    response = api.put(url(fact.pk), {"text": "", "kind": "location"}, format="json")

    assert response.status_code == 400
    fact.refresh_from_db()
    assert fact.text == "Lives in Sanur"


def test_delete_erases_the_row_and_audits_without_content(api, user):
    fact = MemoryFactFactory(user=user, text="Passport ends in 4521")

    response = api.delete(url(fact.pk))

    assert response.status_code == 204
    assert not MemoryFact.objects.filter(pk=fact.pk).exists()
    assert not MemoryFact.objects.filter(text__contains="4521").exists()
    audit = MemoryDeletion.objects.get()
    assert (audit.user, audit.count, audit.how) == (user, 1, "api_one")
    assert "4521" not in str([getattr(audit, f.attname) for f in MemoryDeletion._meta.fields])


def test_deleting_a_fact_erases_the_versions_it_replaced(api, user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")
    memory_apply_extraction(user=user, user_text="I moved to Sanur.")
    current = MemoryFact.objects.get(user=user, invalidated_at__isnull=True)

    api.delete(url(current.pk))

    assert not MemoryFact.objects.filter(user=user).exists()
    assert MemoryDeletion.objects.get().count == 2


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_users_fact_is_a_404(api, other_user, method):
    theirs = MemoryFactFactory(user=other_user, text="Lives in Ubud")

    response = getattr(api, method)(url(theirs.pk), {"text": "hacked", "kind": "other"}, format="json")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "Lives in Ubud"
    assert not MemoryDeletion.objects.exists()


def test_a_fact_kept_only_as_history_is_a_404(api, user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")
    memory_apply_extraction(user=user, user_text="I moved to Sanur.")
    old = MemoryFact.objects.get(user=user, text="Lives in Canggu")

    assert api.get(url(old.pk)).status_code == 404


def test_a_non_numeric_id_is_a_404(api):
    assert api.get(url("abc")).status_code == 404


def test_the_api_requires_a_signed_in_user():
    assert APIClient().get(URL).status_code in (401, 403)
