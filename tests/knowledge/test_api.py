import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from knowledge.models import Document
from knowledge.search import index
from knowledge.services import documents_ingest
from tests.knowledge.factories import DocumentDraftFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/knowledge/search"
DOCUMENTS = "/api/v1/knowledge/documents"
TEXT = "# Golden Visa\n\nThe golden visa gives investors a stay of five or ten years without yearly renewals at all."


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


def test_search_needs_a_signed_in_user(db):
    response = APIClient().get(SEARCH, {"q": "visa"})

    assert response.status_code in {401, 403}


def test_search_returns_ranked_chunks(api, visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, title="Golden Visa", text=TEXT)])[
        0
    ].document

    response = api.get(SEARCH, {"q": "golden visa for investors", "collection": "visa_oracle,tax_genius", "k": 3})

    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["document_id"] == document.pk
    assert result["collection"] == "visa_oracle"
    assert result["title"] == "Golden Visa"
    assert result["chunk"].startswith("The golden visa")
    assert result["stale"] is False
    assert {"score", "vector_score", "lexical_score", "source", "source_url", "last_reviewed"} <= result.keys()


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"q": ""}, "The query is empty."),
        ({"q": "x" * 2001}, "The query is too long (2001 characters; the limit is 2000)."),
        ({"q": "visa", "collection": "visa_oracle,atlantis"}, "Unknown collection: atlantis."),
        ({"q": "visa", "k": "0"}, "k: Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_search_requests_get_400_with_a_message(api, params, detail):
    response = api.get(SEARCH, params)

    assert response.status_code == 400
    assert response.json()["detail"] == detail


def test_non_staff_cannot_write_documents(api, visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])[0].document

    create = api.post(DOCUMENTS, {"collection": "visa_oracle", "title": "T", "text": TEXT}, format="json")
    update = api.patch(f"{DOCUMENTS}/{document.pk}", {"title": "Changed"}, format="json")
    retire = api.post(f"{DOCUMENTS}/{document.pk}/retire")

    assert [create.status_code, update.status_code, retire.status_code] == [403, 403, 403]
    document.refresh_from_db()
    assert document.status == Document.Status.ACTIVE
    assert Document.objects.count() == 1


def test_staff_create_a_document_from_text(staff_api, db):
    response = staff_api.post(
        DOCUMENTS,
        {
            "collection": "visa_oracle",
            "title": "Golden Visa",
            "text": TEXT,
            "language": "en",
            "last_reviewed": "2025-01-02",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["collection"] == "visa_oracle"
    assert body["chunks"] == 1
    assert body["original_name"] == "golden-visa.md"
    assert index.count(slug="visa_oracle") == 1


def test_staff_upload_a_file(staff_api, db, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the ingest task runs here after the commit
    upload = SimpleUploadedFile("golden.md", f"---\ntitle: Golden\ncollection: visa_oracle\n---\n{TEXT}".encode())

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(DOCUMENTS, {"file": upload}, format="multipart")

    assert response.status_code == 202
    assert (response.json()["title"], response.json()["ingest_status"]) == ("Golden", "pending")
    document = Document.objects.get()
    assert document.ingest_status == "ready"
    assert document.original_file.name.endswith(".md")


def test_staff_update_replaces_the_content(staff_api, visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])[0].document

    response = staff_api.patch(f"{DOCUMENTS}/{document.pk}", {"text": "# New\n\nEntirely new words."}, format="json")

    assert response.status_code == 200
    document.refresh_from_db()
    assert [c.text for c in document.chunks.all()] == ["Entirely new words."]


def test_staff_retire_a_document(staff_api, visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])[0].document

    response = staff_api.post(f"{DOCUMENTS}/{document.pk}/retire")

    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    assert index.count(slug="visa_oracle") == 0


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("photo.png", b"\x89PNG....", "photo.png: unsupported file type '.png'"),
        ("broken.docx", b"PK\x03\x04 nope", "broken.docx: cannot read the Word document"),
    ],
)
def test_unreadable_uploads_get_400_and_store_nothing(staff_api, db, settings, name, content, detail):
    response = staff_api.post(
        DOCUMENTS, {"file": SimpleUploadedFile(name, content), "collection": "visa_oracle"}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert Document.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_oversized_uploads_get_413(staff_api, db, settings):
    settings.KNOWLEDGE_MAX_UPLOAD_BYTES = 1024
    upload = SimpleUploadedFile("big.txt", io.BytesIO(b"a " * 1024).getvalue())

    response = staff_api.post(DOCUMENTS, {"file": upload, "collection": "visa_oracle"}, format="multipart")

    assert response.status_code == 413
    assert response.json()["detail"] == "big.txt: the file is larger than 1 KB (KNOWLEDGE_MAX_UPLOAD_BYTES)"
    assert Document.objects.count() == 0


def test_an_impossible_front_matter_date_gets_400_naming_the_field(staff_api, db):
    upload = SimpleUploadedFile("golden.md", f"---\ntitle: Golden\nlast_reviewed: 2026-02-30\n---\n{TEXT}".encode())

    response = staff_api.post(DOCUMENTS, {"file": upload, "collection": "visa_oracle"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("golden.md: last_reviewed '2026-02-30' is not a valid date")
    assert Document.objects.count() == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/guide.pdf"])
def test_a_source_url_that_is_not_http_gets_400_naming_the_field(staff_api, db, url):
    fields = {"collection": "visa_oracle", "title": "Golden", "text": TEXT, "source_url": url}

    response = staff_api.post(DOCUMENTS, fields, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "source_url: Enter an http:// or https:// URL."
    assert Document.objects.count() == 0


def test_a_javascript_source_url_in_an_uploaded_file_gets_400(staff_api, db):
    upload = SimpleUploadedFile(
        "golden.md", f'---\ntitle: Golden\nsource_url: "javascript:alert(1)"\n---\n{TEXT}'.encode()
    )

    response = staff_api.post(DOCUMENTS, {"file": upload, "collection": "visa_oracle"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"] == "golden.md: source_url 'javascript:alert(1)' is not an http:// or https:// URL"
    assert Document.objects.count() == 0


def test_search_falls_back_to_the_lexical_half_and_says_so_when_chroma_is_down(api, visa, request):
    documents_ingest(drafts=[DocumentDraftFactory(collection=visa, title="Golden Visa", text=TEXT)])
    request.getfixturevalue("unreachable_chroma")

    response = api.get(SEARCH, {"q": "golden visa for investors"})

    assert response.status_code == 200
    body = response.json()
    assert body["vector_index"] == "unavailable"
    assert body["results"][0]["title"] == "Golden Visa"
    assert all(r["vector_score"] is None and r["lexical_score"] > 0 for r in body["results"])


def test_search_reports_both_halves_when_chroma_answers(api, visa):
    documents_ingest(drafts=[DocumentDraftFactory(collection=visa, title="Golden Visa", text=TEXT)])

    body = api.get(SEARCH, {"q": "golden visa for investors"}).json()

    assert body["vector_index"] == "ok"
    assert body["results"][0]["vector_score"] > 0 and body["results"][0]["lexical_score"] > 0
