"""Uploads over a limit (zip bomb, parts, paragraphs, PDF pages) are refused naming the limit, with nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from knowledge.ingest.limits import UploadOverLimit, docx_paragraph_count
from knowledge.ingest.parsers import parse_file
from knowledge.models import Document
from tests.knowledge.crafted_files import docx_bomb, docx_bytes, pdf_bytes, with_extra_members

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/knowledge/documents"
UPLOAD = "/admin/knowledge/collection/upload/"


@pytest.fixture
def staff_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


def nothing_stored(settings) -> bool:
    media = settings.MEDIA_ROOT
    return Document.objects.count() == 0 and (not media.exists() or not any(p.is_file() for p in media.rglob("*")))


def post_file(staff_api: APIClient, name: str, raw: bytes):
    upload = SimpleUploadedFile(name, raw)
    return staff_api.post(DOCUMENTS, {"file": upload, "collection": "visa_oracle"}, format="multipart")


def test_a_docx_zip_bomb_gets_413_naming_the_unpacked_size_limit(staff_api, settings):
    bomb = docx_bomb(unpacked=settings.KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES + 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # well under the upload size limit: only the unpacked size gives it away

    response = post_file(staff_api, "bomb.docx", bomb)

    assert response.status_code == 413
    body = response.json()
    assert body["limit"] == "KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES"
    assert body["detail"].startswith("bomb.docx: the Word document unpacks to 10")
    assert body["detail"].endswith("MB; the limit is 100 MB (KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES)")
    assert nothing_stored(settings)


def test_a_small_docx_compressed_like_a_bomb_gets_413_naming_the_ratio_limit(staff_api, settings):
    response = post_file(staff_api, "dense.docx", docx_bomb(unpacked=10 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json()["limit"] == "KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO"
    assert "like a zip bomb; the limit is 100 to 1" in response.json()["detail"]
    assert nothing_stored(settings)


def test_a_docx_with_too_many_parts_gets_413(staff_api, settings):
    raw = with_extra_members(docx_bytes(), {f"word/extra/part{i}.xml": 1 for i in range(1001)})

    response = post_file(staff_api, "parts.docx", raw)

    assert response.status_code == 413
    assert response.json()["limit"] == "KNOWLEDGE_DOCX_MAX_MEMBERS"
    assert "parts; the limit is 1000" in response.json()["detail"]
    assert nothing_stored(settings)


def test_a_docx_with_too_many_paragraphs_gets_413(staff_api, settings):
    settings.KNOWLEDGE_DOCX_MAX_PARAGRAPHS = 50

    response = post_file(staff_api, "long.docx", docx_bytes(paragraphs=51))

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "long.docx: the Word document has more than 50 paragraphs (KNOWLEDGE_DOCX_MAX_PARAGRAPHS)"
    )
    assert nothing_stored(settings)


def test_a_pdf_over_the_page_limit_gets_413(staff_api, settings):
    response = post_file(staff_api, "gazette.pdf", pdf_bytes(pages=settings.KNOWLEDGE_PDF_MAX_PAGES + 1))

    assert response.status_code == 413
    assert response.json() == {
        "detail": "gazette.pdf: the PDF has 501 pages; the limit is 500 (KNOWLEDGE_PDF_MAX_PAGES)",
        "limit": "KNOWLEDGE_PDF_MAX_PAGES",
    }
    assert nothing_stored(settings)


def test_a_file_over_the_upload_size_gets_413(staff_api, settings):
    settings.KNOWLEDGE_MAX_UPLOAD_BYTES = 1024

    response = post_file(staff_api, "big.txt", b"word " * 400)

    assert response.status_code == 413
    assert response.json()["detail"] == "big.txt: the file is larger than 1 KB (KNOWLEDGE_MAX_UPLOAD_BYTES)"
    assert nothing_stored(settings)


def test_a_zip_bomb_in_the_admin_upload_is_a_form_error_and_stores_nothing(staff_client, visa, settings):
    files = [
        SimpleUploadedFile("good.docx", docx_bytes()),
        SimpleUploadedFile("bomb.docx", docx_bomb(unpacked=settings.KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES + 1)),
    ]

    response = staff_client.post(UPLOAD, {"collection": visa.pk, "files": files})

    assert response.status_code == 200
    page = response.content.decode()
    assert "bomb.docx: the Word document unpacks to" in page
    assert "(KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES)" in page
    assert "Nothing was stored." in page
    assert nothing_stored(settings)


def test_a_pdf_over_the_page_limit_in_the_admin_upload_is_a_form_error(staff_client, visa, settings):
    settings.KNOWLEDGE_PDF_MAX_PAGES = 3

    response = staff_client.post(
        UPLOAD, {"collection": visa.pk, "files": [SimpleUploadedFile("g.pdf", pdf_bytes(pages=4))]}
    )

    assert response.status_code == 200
    assert "g.pdf: the PDF has 4 pages; the limit is 3 (KNOWLEDGE_PDF_MAX_PAGES)" in response.content.decode()
    assert nothing_stored(settings)


def test_the_parser_itself_refuses_a_zip_bomb_and_too_many_pages(settings):
    """kb_ingest and the ingest task parse without the upload check: the limits hold there too."""
    settings.KNOWLEDGE_PDF_MAX_PAGES = 3

    with pytest.raises(UploadOverLimit) as bomb:
        parse_file(name="bomb.docx", raw=docx_bomb(unpacked=settings.KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES + 1))
    with pytest.raises(UploadOverLimit) as pages:
        parse_file(name="g.pdf", raw=pdf_bytes(pages=4))

    assert bomb.value.limit == "KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES"
    assert pages.value.limit == "KNOWLEDGE_PDF_MAX_PAGES"


def test_the_parser_refuses_too_many_paragraphs(settings):
    settings.KNOWLEDGE_DOCX_MAX_PARAGRAPHS = 10

    with pytest.raises(UploadOverLimit) as exc:
        parse_file(name="long.docx", raw=docx_bytes(paragraphs=11))

    assert exc.value.limit == "KNOWLEDGE_DOCX_MAX_PARAGRAPHS"


def test_the_streamed_paragraph_count_matches_the_parsed_document():
    import io
    import zipfile

    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    for i in range(3000):  # the body XML spans several scan blocks
        document.add_paragraph(f"Paragraph {i} with some words to make the XML longer than one block.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "a cell"
    out = io.BytesIO()
    document.save(out)

    counted = docx_paragraph_count(zipfile.ZipFile(io.BytesIO(out.getvalue())))

    assert counted == sum(1 for _ in document.element.body.iter(qn("w:p")))
