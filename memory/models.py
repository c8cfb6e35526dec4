"""Per-user long-term memory: facts the user told ZANTARA, conversation summaries, and the audit of erasures.

`chat` depends on `memory`, never the reverse: message and conversation ids are plain integers here, not foreign keys.
"""

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q

FACT_TEXT_MAX_CHARS = 1000
FACT_KINDS = ("identity", "family", "location", "business", "immigration", "deadline", "preference", "other")
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """A model-independent estimate (about 4 characters per token), good enough for prompt budgets."""
    return max(1, -(-len(text) // CHARS_PER_TOKEN))


class MemoryFact(models.Model):
    class Kind(models.TextChoices):
        IDENTITY = "identity"
        FAMILY = "family"
        LOCATION = "location"
        BUSINESS = "business"
        IMMIGRATION = "immigration"
        DEADLINE = "deadline"
        PREFERENCE = "preference"
        OTHER = "other"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memory_facts")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    # A slot such as "city" or "visa_expiry": a new value for the same slot supersedes the old one. Empty for free facts.
    key = models.CharField(max_length=64, blank=True)
    value = models.CharField(max_length=200, blank=True)  # the slot's normalized value ("Sanur", "2026-03-14")
    text = models.CharField(max_length=FACT_TEXT_MAX_CHARS)
    confidence = models.FloatField(default=1.0)
    pinned = models.BooleanField(default=False)
    source_message_id = models.BigIntegerField(null=True, blank=True)  # chat.Message id, deliberately not a FK
    embedding = models.BinaryField(default=b"", editable=False)  # float32 bytes of the normalized text vector
    token_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "invalidated_at"], name="memoryfact_user_active"),
            models.Index(fields=["user", "key"], name="memoryfact_user_key"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="memoryfact_text_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=FACT_KINDS), name="memoryfact_kind_valid"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="memoryfact_confidence_0_1"
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(invalidated_at__isnull=False),
                name="memoryfact_superseded_is_invalidated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:60]}"

    @property
    def is_active(self) -> bool:
        return self.invalidated_at is None

    def vector(self, dim: int) -> np.ndarray:
        """The stored embedding, or zeros when missing or from a model of another size."""
        raw = bytes(self.embedding or b"")
        if len(raw) != dim * 4:
            return np.zeros(dim, dtype=np.float32)
        return np.frombuffer(raw, dtype=np.float32)

    def set_text(self, text: str, vector: np.ndarray) -> None:
        self.text = text
        self.embedding = np.asarray(vector, dtype=np.float32).tobytes()
        self.token_count = estimate_tokens(text) + 2  # "- " and the newline in the prompt block


class ConversationSummary(models.Model):
    """One rolling summary per conversation, replaced when a later summary covers more messages."""

    conversation_id = models.BigIntegerField(unique=True)  # chat.Conversation id, deliberately not a FK
    text = models.TextField()
    covers_up_to = models.BigIntegerField()  # id of the last message folded into the summary
    token_count = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=16, default="extractive")  # "extractive" | "llm"
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Summary of conversation {self.conversation_id} up to message {self.covers_up_to}"


class MemoryExtractionRun(models.Model):
    """Marks a source message as processed, so a retried or duplicated extraction task writes nothing twice.

    Holds counts only, never content.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source_message_id = models.BigIntegerField()
    extractor = models.CharField(max_length=32)
    operations = models.JSONField(default=dict)  # {"ADD": 1, "UPDATE": 0, ...}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "source_message_id"], name="memoryextractionrun_once_per_message")
        ]

    def __str__(self) -> str:
        return f"Extraction of message {self.source_message_id} ({self.extractor})"


class MemoryDeletion(models.Model):
    """Audit of a real erasure: who, how many facts, when and through which door. Never the content."""

    class How(models.TextChoices):
        PAGE_ONE = "page_one", "Memory page: one fact"
        PAGE_ALL = "page_all", "Memory page: forget everything"
        API_ONE = "api_one", "API: one fact"
        ADMIN = "admin", "Administration"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    count = models.PositiveIntegerField()
    how = models.CharField(max_length=16, choices=How.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.count} fact(s) erased ({self.how}) at {self.created_at:%Y-%m-%d %H:%M}"
