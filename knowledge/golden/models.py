"""Golden answers: curated answers served before the LLM, their other phrasings, the lookup log and the nightly drafts.

Only `approved` answers (not past `valid_until`) are served. Question vectors are stored with the rows they belong to
(computed once per text and embedding model), so a process rebuilding its in-memory matrix embeds nothing new.
"""

import uuid

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone

from .matching.text import normalize_question

MAX_QUESTION_CHARS = 500


class GoldenAnswer(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        NEEDS_REVIEW = "needs_review", "Needs review"
        RETIRED = "retired", "Retired"

    class Origin(models.TextChoices):
        MANUAL = "manual", "Written by staff"
        CSV = "csv", "CSV import"
        DEMO = "demo", "Demo set"
        NIGHTLY = "nightly", "Nightly draft"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        INDONESIAN = "id", "Bahasa Indonesia"
        ITALIAN = "it", "Italiano"

    question = models.CharField(max_length=MAX_QUESTION_CHARS)
    question_normalized = models.CharField(max_length=MAX_QUESTION_CHARS, editable=False, db_index=True)
    answer = models.TextField(help_text="Markdown, shown to the user as is.")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    tool = models.CharField(
        max_length=30, blank=True, help_text="The router tool the question belongs to (visa, tax…)."
    )
    collection = models.ForeignKey(
        "knowledge.Collection", null=True, blank=True, on_delete=models.SET_NULL, related_name="golden_answers"
    )
    source_documents = models.ManyToManyField("knowledge.Document", blank=True, related_name="golden_answers")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    review_reason = models.CharField(max_length=300, blank=True, help_text="Why it needs review (set automatically).")
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.MANUAL)
    # A stable name for rows loaded from a file (the demo set), so loading again updates instead of duplicating.
    key = models.CharField(max_length=100, blank=True)
    nightly_run = models.ForeignKey(
        "NightlyRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="Not served after this day.")
    usage_count = models.PositiveIntegerField(default=0, editable=False)
    last_hit_at = models.DateTimeField(null=True, blank=True, editable=False)
    embedding = models.BinaryField(null=True, editable=False)
    embedding_model = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-usage_count", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="golden_answer_unique_key"),
        ]
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs) -> None:
        self.question_normalized = normalize_question(self.question)[:MAX_QUESTION_CHARS]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "question" in update_fields:
            kwargs["update_fields"] = {*update_fields, "question_normalized"}
        super().save(*args, **kwargs)

    def is_servable(self, *, today=None) -> bool:  # noqa: ANN001
        today = today or timezone.localdate()
        return self.status == self.Status.APPROVED and (self.valid_until is None or self.valid_until >= today)


class GoldenAnswerVariant(models.Model):
    """Another phrasing of a golden answer's question; matched exactly and semantically like the question itself."""

    golden_answer = models.ForeignKey(GoldenAnswer, on_delete=models.CASCADE, related_name="variants")
    question = models.CharField(max_length=MAX_QUESTION_CHARS)
    question_normalized = models.CharField(max_length=MAX_QUESTION_CHARS, editable=False, db_index=True)
    embedding = models.BinaryField(null=True, editable=False)
    embedding_model = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["golden_answer_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["golden_answer", "question_normalized"], name="golden_variant_unique_per_answer"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs) -> None:
        self.question_normalized = normalize_question(self.question)[:MAX_QUESTION_CHARS]
        super().save(*args, **kwargs)


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(raw: bytes | memoryview | None, dim: int) -> np.ndarray | None:
    if raw is None:
        return None
    vector = np.frombuffer(bytes(raw), dtype=np.float32)
    return vector if vector.shape == (dim,) else None


class GoldenLookup(models.Model):
    """One lookup, hit or miss, with the nearest golden answer: the traffic the threshold is tuned on."""

    class Method(models.TextChoices):
        EXACT = "exact", "Exact"
        SEMANTIC = "semantic", "Semantic"
        NONE = "", "No match"

    query = models.TextField()
    golden_answer = models.ForeignKey(
        GoldenAnswer, null=True, blank=True, on_delete=models.SET_NULL, related_name="lookups"
    )
    similarity = models.FloatField(null=True, blank=True, help_text="The blended score the threshold applies to.")
    cosine = models.FloatField(null=True, blank=True)
    coverage = models.FloatField(null=True, blank=True, help_text="Lexical coverage of the query by the phrasings.")
    hit = models.BooleanField(default=False)
    method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    refused_by = models.CharField(max_length=20, blank=True, help_text="The guard that refused a hit above threshold.")
    refusal_detail = models.CharField(max_length=300, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    latency_ms = models.FloatField(default=0)
    # The asking chat conversation (chat.Conversation id, deliberately not a FK): its rows are erased with it.
    conversation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["hit", "created_at"])]

    def __str__(self) -> str:
        return f"{'hit' if self.hit else 'miss'} {self.similarity or 0:.3f} {self.query[:60]}"


class NightlyRun(models.Model):
    """One run of the nightly drafting job: what it clustered, what it drafted, what went wrong."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    provider = models.CharField(max_length=20, blank=True, help_text="vllm or anthropic")
    questions = models.PositiveIntegerField(default=0, help_text="Missed questions of the window")
    clusters = models.PositiveIntegerField(default=0, help_text="Clusters of 3+ questions found")
    uncovered_clusters = models.PositiveIntegerField(default=0, help_text="Clusters not covered by a golden answer")
    drafts_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    skipped_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Nightly run {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class GoldenIndexState(models.Model):
    """One row whose version changes with every change to servable golden answers.

    Each process keeps its matrix in memory and rebuilds it only when this version differs. A random token, not a
    counter, so a rolled-back transaction never leaves a process holding a version that names other content.
    """

    version = models.CharField(max_length=32, default="initial")
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.version

    @classmethod
    def bump(cls) -> str:
        version = uuid.uuid4().hex
        if not cls.objects.filter(pk=1).update(version=version, changed_at=timezone.now()):
            cls.objects.update_or_create(pk=1, defaults={"version": version, "changed_at": timezone.now()})
        return version

    @classmethod
    def current(cls) -> str:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or "initial"


class GoldenAnswerReview(GoldenAnswer):
    """The review queue: drafts and answers whose sources changed (an admin screen over the same table)."""

    class Meta:
        proxy = True
        verbose_name = "golden answer to review"
        verbose_name_plural = "review queue"
