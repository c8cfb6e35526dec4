import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from routing.models import RouteDecision

from .factories import RouteDecisionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/routing/routedecision/"


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="correct-horse-battery")
    client.force_login(admin)
    return client


def test_changelist_renders_with_filters(admin_client):
    RouteDecisionFactory.create_batch(3)

    response = admin_client.get(CHANGELIST, {"abstained__exact": "0", "reviewed": "no"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


def test_pasting_a_message_in_search_finds_its_decision(admin_client):
    wanted = RouteDecisionFactory(query="cara perpanjang KITAS")
    RouteDecisionFactory(query="something else")

    response = admin_client.get(CHANGELIST, {"q": "cara perpanjang KITAS"})

    assert list(response.context["cl"].result_list) == [wanted]


def correct_tool(admin_client, decision, *, tool, query_text):
    """Submit the admin action's form: the correct tool and the user's message (checked against the stored hash)."""
    form = {
        "action": "record_correct_tool",
        ACTION_CHECKBOX_NAME: [decision.pk],
        "apply": "1",
        "tool": tool,
        "query_text": query_text,
    }
    return admin_client.post(CHANGELIST, form, follow=True)


def test_correction_action_first_shows_a_form(admin_client):
    decision = RouteDecisionFactory(query="berapa biaya jasa kalian", tool="tax")

    response = admin_client.post(CHANGELIST, {"action": "record_correct_tool", ACTION_CHECKBOX_NAME: [decision.pk]})

    assert response.status_code == 200
    assert b"Correct tool" in response.content


def test_correction_action_records_the_tool_and_text(admin_client):
    decision = RouteDecisionFactory(query="berapa biaya jasa kalian", tool="tax")

    response = correct_tool(admin_client, decision, tool="pricing", query_text="berapa biaya jasa kalian")

    assert response.status_code == 200
    decision.refresh_from_db()
    assert (decision.corrected_tool, decision.query_text) == ("pricing", "berapa biaya jasa kalian")
    assert response.context["cl"].result_count == 1


def test_correction_action_with_text_of_another_query_changes_nothing(admin_client):
    decision = RouteDecisionFactory(query="berapa biaya jasa kalian", tool="tax")

    response = correct_tool(admin_client, decision, tool="pricing", query_text="a different message")

    assert b"does not match" in response.content
    assert RouteDecision.objects.get().corrected_tool == ""


def test_staff_cannot_add_decisions_by_hand(admin_client):
    assert admin_client.get(CHANGELIST + "add/").status_code == 403
