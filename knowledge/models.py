"""The knowledge base: collections of documents cut into chunks. Postgres is the source of truth; Chroma is an index."""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

# A document's source_url becomes an href on citation pages: only web addresses, never javascript:, data: or ftp:.
WEB_URL_MESSAGE = "Enter an http:// or https:// URL."
validate_web_url = URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)


def is_web_url(value: str) -> bool:
    try:
        validate_web_url(value)
    except ValidationError:
        return False
    return True


class WebURLFormField(forms.URLField):
    default_validators = [validate_web_url]
    default_error_messages = {"invalid": WEB_URL_MESSAGE}  # form fields replace a validator's message by its code


class WebURLField(models.URLField):
    """A URLField that accepts only http(s) URLs, in model validation and in the forms built from it (admin)."""

    default_validators = [validate_web_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


class Collection(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # Multiplies the fused search score of this collection's chunks (1.0 = neutral).
    score_boost = models.FloatField(default=1.0)
    ordering = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["ordering", "slug"]

    def __str__(self) -> str:
        return self.slug


class Document(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        INDONESIAN = "id", "Bahasa Indonesia"
        ITALIAN = "it", "Italiano"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    class IngestStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=500, blank=True)
    source_url = WebURLField(max_length=1000, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    last_reviewed = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Identity of the document inside its collection: re-ingesting the same name replaces it.
    original_name = models.CharField(max_length=255)
    original_file = models.FileField(upload_to="knowledge/originals/%Y/%m/", blank=True, max_length=500)
    file_format = models.CharField(max_length=8, default="md")
    # The parsed text, so chunks and the index can be rebuilt (other chunk sizes, another model) without the file.
    body = models.TextField(blank=True)
    checksum = models.CharField(max_length=64, help_text="sha256 of the ingested content")
    # An upload is stored first and parsed, chunked and indexed by a task; until then the last ingested content stays.
    ingest_status = models.CharField(max_length=8, choices=IngestStatus.choices, default=IngestStatus.READY)
    ingest_error = models.CharField(max_length=1000, blank=True, help_text="why the last upload was not ingested")
    pending_file = models.FileField(upload_to="knowledge/pending/%Y/%m/", blank=True, max_length=500)
    pending_upload = models.JSONField(default=dict, blank=True, help_text="the upload's name and metadata overrides")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["collection__ordering", "title"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "original_name"], name="knowledge_document_unique_name"),
        ]
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_reviewed)

    @property
    def source_link(self) -> str:
        """source_url if it is a web URL, else "": rows stored before the check must not render as links either."""
        return self.source_url if is_web_url(self.source_url) else ""


def is_stale(last_reviewed: datetime.date | None, *, today: datetime.date | None = None) -> bool:
    """A document not reviewed for KNOWLEDGE_STALE_DAYS (a year by default) is flagged; never reviewed counts too."""
    if last_reviewed is None:
        return True
    today = today or timezone.localdate()
    return (today - last_reviewed).days > settings.KNOWLEDGE_STALE_DAYS


class Chunk(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField()
    text = models.TextField()
    heading_path = models.CharField(max_length=1000, blank=True)
    token_count = models.PositiveIntegerField()
    # The English gloss of an Indonesian or Italian chunk's searchable text, made at ingest so that building the
    # lexical index does not gloss every chunk again ("" for English chunks, and until filled).
    gloss = models.TextField(blank=True)
    # The page of a PDF the chunk starts on (null for other formats, and for PDFs ingested before pages were kept).
    page = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="knowledge_chunk_unique_ordinal"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.ordinal}"


class CorpusState(models.Model):
    """One row whose version changes with every write to the searchable corpus.

    Search processes keep their lexical index in memory and rebuild it only when this version differs. It is a random
    token, not a counter, so a rolled-back or restored database never reuses a version with different content.
    """

    version = models.CharField(max_length=32, default="initial")
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.version

    @classmethod
    def bump(cls) -> str:
        version = uuid.uuid4().hex
        updated = cls.objects.filter(pk=1).update(version=version, changed_at=timezone.now())
        if not updated:
            cls.objects.update_or_create(pk=1, defaults={"version": version, "changed_at": timezone.now()})
        return version

    @classmethod
    def current(cls) -> str:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or "initial"
