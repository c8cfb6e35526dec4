"""A golden answer whose source document changes or is retired goes back to review and is no longer served."""

import pytest
from django.core.management import call_command

from knowledge.golden.models import GoldenAnswer
from knowledge.golden.selectors import golden_answer_lookup
from knowledge.golden.services import GoldenAnswerError, golden_answer_approve
from knowledge.models import Document
from knowledge.services import document_retire

from .factories import DocumentFactory, GoldenAnswerFactory

QUESTION = "How do I extend an investor KITAS (E28A)?"


def _golden_on(document: Document) -> GoldenAnswer:
    return GoldenAnswerFactory(question=QUESTION, answer="Apply 30 days before expiry.", sources=[document])


def test_a_changed_source_document_sends_its_answer_to_review(knowledge_docs, django_capture_on_commit_callbacks):
    document = Document.objects.get(original_name="kitas-extension.md")
    golden = _golden_on(document)
    assert golden_answer_lookup(query=QUESTION).hit
    path = knowledge_docs / "visa_oracle" / "kitas-extension.md"
    path.write_text(path.read_text().replace("30 days", "60 days"))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("kb_ingest", str(knowledge_docs))

    golden.refresh_from_db()
    assert golden.status == GoldenAnswer.Status.NEEDS_REVIEW
    assert f"Source document {document.pk}" in golden.review_reason and "updated" in golden.review_reason
    assert not golden_answer_lookup(query=QUESTION).hit


def test_a_retired_source_document_sends_its_answer_to_review(knowledge_docs, django_capture_on_commit_callbacks):
    document = Document.objects.get(original_name="kitas-extension.md")
    golden = _golden_on(document)

    with django_capture_on_commit_callbacks(execute=True):
        document_retire(document=document)

    golden.refresh_from_db()
    assert golden.status == GoldenAnswer.Status.NEEDS_REVIEW and "retired" in golden.review_reason
    assert not golden_answer_lookup(query=QUESTION).hit


def test_answers_on_other_documents_keep_being_served(knowledge_docs, django_capture_on_commit_callbacks):
    golden = _golden_on(Document.objects.get(original_name="npwp.md"))

    with django_capture_on_commit_callbacks(execute=True):
        document_retire(document=Document.objects.get(original_name="kitas-extension.md"))

    golden.refresh_from_db()
    assert golden.status == GoldenAnswer.Status.APPROVED
    assert golden_answer_lookup(query=QUESTION).hit


def test_an_answer_cannot_be_approved_while_a_source_is_retired(db):
    golden = GoldenAnswerFactory(status="needs_review", sources=[DocumentFactory(status="retired")])

    with pytest.raises(GoldenAnswerError, match="retired"):
        golden_answer_approve(golden_answer=golden, user=None)

    golden.refresh_from_db()
    assert golden.status == "needs_review"
