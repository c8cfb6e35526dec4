"""Export a conversation as Markdown or PDF: title, turns with role and time, citations; replaced messages left out."""

import io
import re

import pytest
from pypdf import PdfReader

from chat.models import Conversation, Message
from knowledge.models import Document

pytestmark = pytest.mark.django_db
ITALIAN = "Perché il KITAS è già scaduto? Cosa succederà?"
INDONESIAN = "Perpanjang KITAS paling lambat 30 hari sebelum habis [1]."


@pytest.fixture
def conversation(user, knowledge_docs) -> Conversation:
    document = Document.objects.select_related("collection").get(title="Extending an investor KITAS (E28A)")
    conversation = Conversation.objects.create(user=user, title="Perpanjangan KITAS è già")
    Message.objects.create(conversation=conversation, role="user", content="An old question", replaced=True)
    Message.objects.create(conversation=conversation, role="user", content=ITALIAN)
    Message.objects.create(
        conversation=conversation, role="assistant", content="A replaced answer", source="llm", replaced=True
    )
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        content=INDONESIAN,
        source="llm",
        sources=[{"n": 1, "document_id": document.pk, "chunk_id": 1, "title": document.title, "score": 0.8,
                  "source": document.source}],
    )  # fmt: skip
    return conversation


def export(client, conversation_id: int, kind: str | None):
    params = {"type": kind} if kind is not None else {}
    return client.get(f"/api/v1/conversations/{conversation_id}/export/", params)


def test_markdown_export_has_the_title_turns_and_citations_and_leaves_replaced_messages_out(client, user, conversation):
    client.force_login(user)

    response = export(client, conversation.pk, "md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="zantara-perpanjangan-kitas-e-gia.md"'
    text = response.content.decode()
    assert text.startswith("# Perpanjangan KITAS è già\n")
    assert re.search(r"^## You — \d{4}-\d\d-\d\d \d\d:\d\d UTC$", text, re.MULTILINE)
    assert re.search(r"^## ZANTARA — \d{4}-\d\d-\d\d \d\d:\d\d UTC · AI answer$", text, re.MULTILINE)
    assert ITALIAN in text and INDONESIAN in text
    answer = conversation.messages.get(content=INDONESIAN)
    assert (
        f"- [1] [Extending an investor KITAS (E28A)](http://testserver/c/{conversation.pk}/sources/{answer.pk}/1/)"
        " — Directorate General of Immigration · Visa oracle"
    ) in text
    assert "replaced" not in text.lower() and "An old question" not in text


def test_pdf_export_renders_accents_and_citations(client, user, conversation):
    client.force_login(user)

    response = export(client, conversation.pk, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment; filename=")
        and ".pdf" in response["Content-Disposition"]
    )
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Perpanjangan KITAS è già" in text
    assert ITALIAN in text and INDONESIAN in text
    assert "[1] Extending an investor KITAS (E28A) — Directorate General of Immigration · Visa oracle" in text
    assert "A replaced answer" not in text
    assert any("DejaVu" in str(font.get_object()["/BaseFont"]) for font in page_fonts(reader))
    links = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    assert any(f"/c/{conversation.pk}/sources/" in link for link in links)


def test_without_the_dejavu_fonts_the_pdf_falls_back_to_helvetica_with_latin1_accents(
    client, user, conversation, settings, tmp_path
):
    settings.EXPORT_PDF_FONT_DIR = tmp_path  # no font files there
    client.force_login(user)

    response = export(client, conversation.pk, "pdf")

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert {str(font.get_object()["/BaseFont"]) for font in page_fonts(reader)} <= {"/Helvetica", "/Helvetica-Bold"}
    assert ITALIAN in " ".join(reader.pages[0].extract_text().split())


def page_fonts(reader: PdfReader) -> list:
    return [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]


def test_a_pdf_export_logs_nothing_of_the_conversation(client, user, conversation, caplog):
    client.force_login(user)

    with caplog.at_level("DEBUG", logger="chat"):
        export(client, conversation.pk, "pdf")

    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "fontTools" not in logged  # its subsetter lists the glyphs of the text at INFO
    assert "KITAS" not in logged and "egrave" not in logged


@pytest.mark.parametrize("kind", ["docx", "", None], ids=["unknown", "empty", "missing"])
def test_an_unknown_or_missing_type_is_400_with_a_message(client, user, conversation, kind):
    client.force_login(user)

    response = export(client, conversation.pk, kind)

    assert response.status_code == 400
    assert response.json() == {"detail": "Choose the file type: ?type=md (Markdown) or ?type=pdf."}


def test_another_users_conversation_cannot_be_exported(client, conversation, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="mallory", password="x-long-password-1"))

    response = export(client, conversation.pk, "md")

    assert response.status_code == 404
