from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    title = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=2, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["user", "-updated_at"])]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"
        STAFF = "staff"  # a consultant's reply in the thread (a handoff request)

    class Status(models.TextChoices):
        COMPLETE = "complete"
        PARTIAL = "partial"  # stopped, disconnected or the model failed mid-stream: what was said is kept
        FAILED = "failed"

    class Source(models.TextChoices):  # the labels are what the chat shows under an answer
        USER = "user", _("You")
        LLM = "llm", _("AI answer")
        GOLDEN = "golden", _("Curated answer")
        OFFLINE = "offline", _("Offline")
        HANDOFF = "handoff", _("Handoff")
        MEMORY = "memory", _("Memory")
        STAFF = "staff", _("Consultant")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.USER)
    model = models.CharField(max_length=100, blank=True)
    tool = models.CharField(max_length=30, blank=True)
    route_confidence = models.FloatField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)  # [{n, document_id, title, source, chunk_id, score}]
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    tokens_cache_read = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    timings = models.JSONField(
        default=dict, blank=True
    )  # {golden_ms, route_ms, memory_ms, retrieve_ms, ttft_ms, total_ms}
    feedback = models.SmallIntegerField(null=True, blank=True, choices=[(1, "+1"), (-1, "-1")])
    feedback_comment = models.TextField(blank=True)
    # A regenerated answer, or an edited question and its answers: kept and shown, but out of the prompt and exports.
    replaced = models.BooleanField(default=False)
    # A staff reply: who wrote it (their name is kept should the account go), when its client saw it, when it was mailed.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_replies"
    )
    author_name = models.CharField(max_length=150, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


HANDOFF_STAFF_GROUP = "handoff"  # the staff on duty, managed in the admin; with nobody in it, all active staff


class HandoffRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        WAITING = "waiting", _("Waiting for the client")
        RESOLVED = "resolved", _("Resolved")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handoff_requests")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="handoff_requests")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="handoff_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    language = models.CharField(max_length=2, blank=True)  # the client's, when they asked
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_handoffs",
        limit_choices_to={"is_staff": True},
    )
    preferred_contact = models.CharField(max_length=200, blank=True)
    preferred_time = models.CharField(max_length=200, blank=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"Handoff #{self.pk} ({self.status}) for {self.user}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED

    @property
    def first_reply_seconds(self) -> float | None:
        if self.first_reply_at is None:
            return None
        return (self.first_reply_at - self.created_at).total_seconds()


class Attachment(models.Model):
    """A file the user attached to one conversation: searched for that conversation's answers only, never added to
    the knowledge base, and deleted with the conversation."""

    class Status(models.TextChoices):
        PENDING = "pending"  # stored, not yet read by the task
        READY = "ready"
        FAILED = "failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    # The upload until the task has read it; emptied then (the text and chunks are what answers use).
    raw = models.BinaryField(blank=True, default=b"")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=30, blank=True)
    text = models.TextField(blank=True)  # a PDF's pages kept apart by form feeds, as for knowledge documents
    language = models.CharField(max_length=2, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)  # PDFs only
    characters = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class AttachmentChunk(models.Model):
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField()
    text = models.TextField()
    heading_path = models.CharField(max_length=1000, blank=True)
    page = models.PositiveIntegerField(null=True, blank=True)
    vectors = models.BinaryField(blank=True, default=b"")  # float32 embeddings of the chunk's windows, row after row

    class Meta:
        ordering = ["attachment_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["attachment", "ordinal"], name="chat_attachmentchunk_unique_ordinal"),
        ]

    def __str__(self) -> str:
        return f"{self.attachment_id}#{self.ordinal}"
