"""The "What ZANTARA remembers" page: list, edit, delete, forget everything with a confirmation; only one's own."""

import pytest
from django.test import Client

from memory.models import MemoryDeletion, MemoryFact
from memory.services import memory_apply_extraction

from .factories import MemoryFactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, user) -> Client:
    client.force_login(user)
    return client


def test_the_page_requires_login(client):
    response = client.get("/memory/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_my_facts_and_not_anyone_elses(browser, user, other_user):
    MemoryFactFactory(user=user, kind="location", text="Lives in Sanur")
    MemoryFactFactory(user=other_user, kind="location", text="Lives in Ubud")

    page = browser.get("/memory/").content.decode()

    assert "What ZANTARA remembers" in page
    assert "Lives in Sanur" in page
    assert "Ubud" not in page


def test_the_page_shows_replaced_facts_as_history(browser, user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")
    memory_apply_extraction(user=user, user_text="I moved to Sanur.")

    page = browser.get("/memory/").content.decode()

    assert "<s>Lives in Canggu</s>" in page


def test_editing_a_fact_changes_it(browser, user):
    fact = MemoryFactFactory(user=user, kind="location", text="Lives in Sanur")

    response = browser.post(f"/memory/facts/{fact.pk}/edit/", {"text": "Lives in Ubud", "kind": "location"})

    assert response.status_code == 302
    fact.refresh_from_db()
    assert fact.text == "Lives in Ubud"


def test_an_empty_edit_is_refused_with_a_message(browser, user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")

    page = browser.post(f"/memory/facts/{fact.pk}/edit/", {"text": " ", "kind": "other"}, follow=True)

    fact.refresh_from_db()
    assert fact.text == "Lives in Sanur"
    assert "Fact text must not be empty." in page.content.decode()


def test_adding_a_fact_from_the_page(browser, user):
    browser.post("/memory/facts/add/", {"text": "Has two dogs", "kind": "family", "pinned": "on"})

    fact = MemoryFact.objects.get(user=user)
    assert (fact.text, fact.kind, fact.pinned) == ("Has two dogs", "family", True)


def test_deleting_a_fact_erases_it_and_audits(browser, user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")

    response = browser.post(f"/memory/facts/{fact.pk}/delete/", {"confirm": "yes"})

    assert response.status_code == 302
    assert not MemoryFact.objects.filter(pk=fact.pk).exists()
    assert MemoryDeletion.objects.get().how == "page_one"


def test_deleting_without_the_confirmation_erases_nothing(browser, user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")

    response = browser.post(f"/memory/facts/{fact.pk}/delete/", follow=True)

    assert MemoryFact.objects.filter(pk=fact.pk).exists()
    assert "Nothing was deleted" in response.content.decode()


def test_forget_everything_first_asks_for_confirmation(browser, user):
    MemoryFactFactory.create_batch(2, user=user)

    page = browser.get("/memory/forget/")
    unconfirmed = browser.post("/memory/forget/", {})

    assert "This erases the 2 facts" in page.content.decode()
    assert unconfirmed.status_code == 200
    assert MemoryFact.objects.filter(user=user).count() == 2
    assert not MemoryDeletion.objects.exists()


def test_forget_everything_erases_current_and_historical_facts_of_mine_only(browser, user, other_user):
    memory_apply_extraction(user=user, user_text="I live in Canggu.")
    memory_apply_extraction(user=user, user_text="I moved to Sanur. My name is Marco.")
    MemoryFactFactory(user=other_user, text="Lives in Ubud")

    response = browser.post("/memory/forget/", {"confirm": "yes"})

    assert response.status_code == 302
    assert not MemoryFact.objects.filter(user=user).exists()
    assert MemoryFact.objects.filter(user=other_user).count() == 1
    audit = MemoryDeletion.objects.get()
    assert (audit.user, audit.count, audit.how) == (user, 3, "page_all")


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_another_users_fact_cannot_be_edited_or_deleted_from_the_page(browser, other_user, action):
    theirs = MemoryFactFactory(user=other_user, text="Lives in Ubud")

    response = browser.post(f"/memory/facts/{theirs.pk}/{action}/", {"text": "hacked", "kind": "other"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "Lives in Ubud"


def test_forms_are_protected_by_csrf(user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")

    response = strict.post(f"/memory/facts/{fact.pk}/delete/")

    assert response.status_code == 403
    assert MemoryFact.objects.filter(pk=fact.pk).exists()


def test_deleting_needs_a_post(browser, user):
    fact = MemoryFactFactory(user=user, text="Lives in Sanur")

    assert browser.get(f"/memory/facts/{fact.pk}/delete/").status_code == 405
    assert MemoryFact.objects.filter(pk=fact.pk).exists()


@pytest.mark.parametrize(
    ("language", "heading", "add", "kind"),
    [("id", "Tempat tinggal", "Tambah fakta", "Lainnya"), ("it", "Dove vivi", "Aggiungi un fatto", "Altro")],
)
def test_the_page_speaks_indonesian_and_italian(browser, user, language, heading, add, kind):
    MemoryFactFactory(user=user, kind="location", text="Lives in Sanur")

    page = browser.get("/memory/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"<h2>{heading}</h2>" in page and add in page and f">{kind}</option>" in page
    assert "What ZANTARA remembers" not in page
