import datetime

import factory

from knowledge.ingest.drafts import DocumentDraft
from knowledge.models import Chunk, Collection, Document


class DocumentDraftFactory(factory.Factory):
    class Meta:
        model = DocumentDraft

    collection = factory.LazyFunction(lambda: Collection.objects.get(slug="visa_oracle"))
    title = factory.Sequence(lambda n: f"Document {n}")
    original_name = factory.Sequence(lambda n: f"document-{n}.md")
    language = "en"
    source = "Test source"
    source_url = "https://example.org/source"
    last_reviewed = factory.LazyFunction(datetime.date.today)
    text = "# Heading\n\nSome text about visas and stay permits in Indonesia."


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored document without vectors: for admin and model tests that do not search."""

    class Meta:
        model = Document

    collection = factory.LazyFunction(lambda: Collection.objects.get(slug="visa_oracle"))
    title = factory.Sequence(lambda n: f"Stored document {n}")
    original_name = factory.Sequence(lambda n: f"stored-{n}.md")
    language = "en"
    checksum = factory.Sequence(lambda n: f"{n:064x}")
    last_reviewed = factory.LazyFunction(datetime.date.today)
    body = "Some text."


class ChunkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chunk

    document = factory.SubFactory(DocumentFactory)
    ordinal = factory.Sequence(lambda n: n)
    text = "Some text."
    heading_path = "Heading"
    token_count = 2
