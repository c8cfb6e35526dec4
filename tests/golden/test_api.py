"""The API: staff-only writes, the lookup for signed-in users, 400 on bad input."""

import pytest
from rest_framework.test import APIClient

from knowledge.golden.models import GoldenAnswer

from .factories import GoldenAnswerFactory

LOOKUP = "/api/v1/golden-answers/lookup"
LIST = "/api/v1/golden-answers/"
NEW = {"question": "What is a KITAP?", "answer": "A permanent stay permit.", "variants": ["KITAP meaning"]}


@pytest.fixture
def client_for():
    def make(user=None) -> APIClient:  # noqa: ANN001
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def test_a_signed_in_user_gets_the_documented_lookup_shape(overstay_answer, user, client_for):
    response = client_for(user).get(LOOKUP, {"q": "What is the fine for overstaying my visa in Indonesia?"})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hit", "golden_answer_id", "similarity", "refused_by", "answer", "latency_ms"}
    assert body["hit"] is True and body["golden_answer_id"] == overstay_answer.pk and body["similarity"] == 1.0


def test_an_anonymous_lookup_is_refused(db, client_for):
    assert client_for().get(LOOKUP, {"q": "What is a KITAP?"}).status_code in {401, 403}


@pytest.mark.parametrize("query", ["", "   ", "x" * 2001])
def test_an_empty_or_over_long_query_is_a_400_with_a_reason(db, user, client_for, query):
    response = client_for(user).get(LOOKUP, {"q": query})

    assert response.status_code == 400 and response.json()["detail"]


def test_a_regular_user_cannot_write_or_list(db, user, client_for):
    golden = GoldenAnswerFactory()
    client = client_for(user)

    assert client.get(LIST).status_code == 403
    assert client.post(LIST, NEW, format="json").status_code == 403
    assert client.patch(f"{LIST}{golden.pk}/", {"answer": "changed"}, format="json").status_code == 403
    assert client.delete(f"{LIST}{golden.pk}/").status_code == 403
    assert client.post(f"{LIST}{golden.pk}/retire").status_code == 403
    golden.refresh_from_db()
    assert golden.answer == "A curated answer." and golden.status == "approved"


def test_staff_create_edit_approve_and_delete(db, staff_user, client_for):
    client = client_for(staff_user)

    created = client.post(LIST, NEW, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert (
        client.patch(f"{LIST}{pk}/", {"answer": "Five-year permit."}, format="json").json()["answer"]
        == "Five-year permit."
    )
    approved = client.post(f"{LIST}{pk}/approve").json()
    assert approved["status"] == "approved" and approved["approved_by"] == staff_user.pk
    assert client.get(LIST, {"status": "approved"}).json()["count"] == 1
    assert client.delete(f"{LIST}{pk}/").status_code == 204
    assert not GoldenAnswer.objects.exists()


def test_staff_get_a_400_for_an_invalid_answer(db, staff_user, client_for):
    response = client_for(staff_user).post(LIST, {**NEW, "source_document_ids": [424242]}, format="json")

    assert response.status_code == 400 and "Unknown source document" in response.json()["detail"]


def test_staff_csv_import_reports_the_bad_row_and_writes_nothing(db, staff_user, client_for):
    csv = "question,answer,language\nWhat is a KITAP?,A permit.,en\nWhat is a KITAS?,,en\n"

    response = client_for(staff_user).generic("POST", f"{LIST}import", csv, content_type="text/csv")

    assert response.status_code == 400 and response.json()["row"] == 3
    assert not GoldenAnswer.objects.exists()


def test_staff_export_csv(db, staff_user, client_for):
    GoldenAnswerFactory(question="What is a KITAP?")

    response = client_for(staff_user).get(f"{LIST}export")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "What is a KITAP?" in response.content.decode()
