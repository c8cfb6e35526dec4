"""Uploads are stored and ingested by a Celery task: pending, then ready, or failed with the reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from knowledge.models import Document
from knowledge.search import index
from knowledge.services import documents_ingest
from tests.knowledge.crafted_files import docx_bytes
from tests.knowledge.factories import DocumentDraftFactory

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/knowledge/documents"
TEXT = "# Golden Visa\n\nThe golden visa gives investors a stay of five or ten years without yearly renewals at all."


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as without Redis: the task runs in the web process after the commit


def post_docx(staff_api: APIClient, raw: bytes, name: str = "golden.docx"):
    upload = SimpleUploadedFile(name, raw)
    return staff_api.post(DOCUMENTS, {"file": upload, "collection": "visa_oracle"}, format="multipart")


def test_an_upload_is_answered_pending_before_anything_is_parsed_or_indexed(staff_api, settings):
    response = post_docx(staff_api, docx_bytes(title="Golden Visa"))  # the transaction has not committed: no task yet

    assert response.status_code == 202
    body = response.json()
    assert (body["ingest_status"], body["ingest_error"], body["chunks"]) == ("pending", "", 0)
    document = Document.objects.get(pk=body["id"])
    assert document.pending_file.name.startswith("knowledge/pending/")
    assert document.body == ""
    assert index.count(slug="visa_oracle") == 0


def test_the_task_parses_chunks_and_indexes_the_upload(staff_api, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_docx(staff_api, docx_bytes(title="Golden Visa"))

    document = Document.objects.get(pk=response.json()["id"])
    assert document.ingest_status == "ready"
    assert document.title == "Golden Visa"
    assert document.chunks.count() >= 1
    assert index.count(slug="visa_oracle") >= 1
    assert not document.pending_file
    assert document.original_file.name.endswith(".docx")
    detail = staff_api.get(f"{DOCUMENTS}/{document.pk}").json()
    assert (detail["ingest_status"], detail["ingest_error"]) == ("ready", "")


def test_an_upload_without_text_ends_failed_with_the_reason_in_the_api_and_admin(
    staff_api, staff_client, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_docx(staff_api, docx_bytes(text=""), name="blank.docx")

    document_id = response.json()["id"]
    detail = staff_api.get(f"{DOCUMENTS}/{document_id}").json()
    assert detail["ingest_status"] == "failed"
    assert detail["ingest_error"] == "no text could be extracted from the file"
    assert detail["chunks"] == 0
    listing = staff_client.get("/admin/knowledge/document/").content.decode()
    assert "failed: no text could be extracted from the file" in listing
    page = staff_client.get(f"/admin/knowledge/document/{document_id}/change/").content.decode()
    assert "no text could be extracted from the file" in page


def test_a_failed_replacement_keeps_the_previous_version_in_search(
    staff_api, visa, eager, django_capture_on_commit_callbacks
):
    current = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])[0].document
    upload = SimpleUploadedFile("blank.docx", docx_bytes(text=""))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch(f"{DOCUMENTS}/{current.pk}", {"file": upload}, format="multipart")

    assert response.status_code == 202
    current.refresh_from_db()
    assert current.ingest_status == "failed"
    assert [c.text for c in current.chunks.all()] == [
        "The golden visa gives investors a stay of five or ten years without yearly renewals at all."
    ]
    assert index.count(slug="visa_oracle") == 1


def test_while_the_index_is_down_an_upload_stays_pending_for_a_retry(staff_api, unreachable_chroma):
    from knowledge.search.index import IndexUnavailable
    from knowledge.services import document_ingest_pending

    document_id = post_docx(staff_api, docx_bytes()).json()["id"]

    with pytest.raises(IndexUnavailable):
        document_ingest_pending(document_id=document_id, last_attempt=False)

    document = Document.objects.get(pk=document_id)
    assert document.ingest_status == "pending"
    assert document.pending_file.storage.exists(document.pending_file.name)


def test_an_upload_fails_with_the_reason_when_the_index_stays_down(
    staff_api, unreachable_chroma, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document_id = post_docx(staff_api, docx_bytes()).json()["id"]  # eager: the retries run at once

    document = Document.objects.get(pk=document_id)
    assert document.ingest_status == "failed"
    assert document.ingest_error.startswith("the index is unavailable")
    assert not document.pending_file
