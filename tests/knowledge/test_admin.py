import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Document
from knowledge.services import documents_ingest
from tests.knowledge.factories import DocumentDraftFactory, DocumentFactory

pytestmark = pytest.mark.django_db

TEXT = "# Golden Visa\n\nThe golden visa gives investors a stay of five or ten years without yearly renewals."


@pytest.fixture
def staff_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


def test_collection_list_shows_document_and_chunk_counts(staff_client, visa):
    documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])

    response = staff_client.get("/admin/knowledge/collection/")

    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.slug == "visa_oracle")
    assert (row.n_documents, row.n_chunks) == (1, 1)
    assert b"Upload documents" in response.content and b"Try a query" in response.content


def test_stale_documents_are_flagged_in_the_list(staff_client, settings):
    old = datetime.date.today() - datetime.timedelta(days=settings.KNOWLEDGE_STALE_DAYS + 30)
    DocumentFactory(title="Old guide", last_reviewed=old)
    DocumentFactory(title="Fresh guide")

    response = staff_client.get("/admin/knowledge/document/", {"stale": "yes"})

    assert [d.title for d in response.context["cl"].result_list] == ["Old guide"]


def test_document_page_previews_its_chunks(staff_client, visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])[0].document

    response = staff_client.get(f"/admin/knowledge/document/{document.pk}/change/")

    assert response.status_code == 200
    assert b"The golden visa gives investors" in response.content


def test_multi_file_upload_ingests_every_file(staff_client, visa, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the ingest tasks run here after the commit
    files = [
        SimpleUploadedFile("one.md", f"# One\n\n{TEXT}".encode()),
        SimpleUploadedFile("two.txt", b"Tax residency starts after 183 days in Indonesia within twelve months."),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/knowledge/collection/upload/", {"collection": visa.pk, "files": files})

    assert response.status_code == 302
    assert sorted(Document.objects.values_list("original_name", "ingest_status")) == [
        ("one.md", "ready"),
        ("two.txt", "ready"),
    ]
    assert Document.objects.filter(chunks__isnull=False).distinct().count() == 2


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("photo.png", b"\x89PNG", "photo.png: unsupported file type"),
        ("big.txt", b"word " * 400, "big.txt: the file is larger than 1 KB"),
    ],
)
def test_upload_with_a_bad_file_stores_nothing(staff_client, visa, settings, name, content, error):
    settings.KNOWLEDGE_MAX_UPLOAD_BYTES = 1024
    files = [SimpleUploadedFile("good.md", TEXT.encode()), SimpleUploadedFile(name, content)]

    response = staff_client.post("/admin/knowledge/collection/upload/", {"collection": visa.pk, "files": files})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Document.objects.count() == 0


def test_try_a_query_shows_vector_lexical_and_fused_scores(staff_client, visa):
    documents_ingest(drafts=[DocumentDraftFactory(collection=visa, title="Golden Visa", text=TEXT)])

    response = staff_client.get("/admin/knowledge/collection/try/", {"q": "golden visa investors", "k": 5})

    assert response.status_code == 200
    hit = response.context["hits"][0]
    assert hit.title == "Golden Visa"
    assert hit.vector_score is not None and hit.lexical_score is not None
    assert b"fused" in response.content and b"lexical" in response.content


def test_retire_action_takes_documents_out_of_search(staff_client, visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])[0].document

    staff_client.post("/admin/knowledge/document/", {"action": "retire", "_selected_action": [document.pk]})

    document.refresh_from_db()
    assert document.status == Document.Status.RETIRED


def test_non_staff_cannot_open_curation_pages(client, user):
    client.force_login(user)

    response = client.get("/admin/knowledge/collection/upload/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_reindex_action_rebuilds_the_collection_index(staff_client, visa, settings):
    from knowledge.search import index

    settings.CELERY_TASK_ALWAYS_EAGER = True  # no worker here: the action runs inline
    documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=TEXT)])
    index.recreate(slug="visa_oracle")  # the index lost its entries

    response = staff_client.post("/admin/knowledge/collection/", {"action": "reindex", "_selected_action": [visa.pk]})

    assert response.status_code == 302
    assert index.count(slug="visa_oracle") == 1


def test_upload_with_an_impossible_date_is_a_form_error_naming_the_field(staff_client, visa):
    raw = f"---\ntitle: Golden\nlast_reviewed: 2026-02-30\n---\n{TEXT}".encode()

    response = staff_client.post(
        "/admin/knowledge/collection/upload/", {"collection": visa.pk, "files": [SimpleUploadedFile("golden.md", raw)]}
    )

    assert response.status_code == 200
    assert "golden.md: last_reviewed &#x27;2026-02-30&#x27; is not a valid date" in response.content.decode()
    assert Document.objects.count() == 0


def test_upload_with_a_javascript_source_url_is_a_form_error(staff_client, visa):
    raw = f'---\ntitle: Golden\nsource_url: "javascript:alert(1)"\n---\n{TEXT}'.encode()

    response = staff_client.post(
        "/admin/knowledge/collection/upload/", {"collection": visa.pk, "files": [SimpleUploadedFile("golden.md", raw)]}
    )

    assert response.status_code == 200
    assert "golden.md: source_url &#x27;javascript:alert(1)&#x27; is not an http:// or https:// URL" in (
        response.content.decode()
    )
    assert Document.objects.count() == 0


CHUNKS_MANAGEMENT = {"chunks-TOTAL_FORMS": "0", "chunks-INITIAL_FORMS": "0"}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/guide.pdf"])
def test_editing_a_document_source_url_accepts_only_web_urls(staff_client, url):
    document = DocumentFactory(source_url="https://example.org/")
    form = {"source": "Imigrasi", "source_url": url, "last_reviewed": "2026-01-05", **CHUNKS_MANAGEMENT}

    response = staff_client.post(f"/admin/knowledge/document/{document.pk}/change/", form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["source_url"] == ["Enter an http:// or https:// URL."]
    document.refresh_from_db()
    assert document.source_url == "https://example.org/"


def test_editing_a_document_source_url_to_a_web_url_saves_it(staff_client):
    document = DocumentFactory(source_url="")
    form = {"source": "Imigrasi", "source_url": "https://www.imigrasi.go.id/", "last_reviewed": "", **CHUNKS_MANAGEMENT}

    response = staff_client.post(f"/admin/knowledge/document/{document.pk}/change/", form)

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.source_url == "https://www.imigrasi.go.id/"
