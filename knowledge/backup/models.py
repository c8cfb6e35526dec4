from django.db import models


class Backup(models.Model):
    """One backup attempt of one kind; skipped and failed attempts are kept too, so the admin shows them."""

    class Kind(models.TextChoices):
        INDEX = "index", "Knowledge index (Chroma)"
        DATABASE = "database", "Database"
        MEDIA = "media", "Uploaded originals"

    class Status(models.TextChoices):
        RUNNING = "running"
        GOOD = "good"
        FAILED = "failed"
        SKIPPED = "skipped"  # not attempted: R2 is not configured (or the index lives on a Chroma server)
        DELETED = "deleted"  # removed by retention

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INDEX, db_index=True)
    key = models.CharField(max_length=300, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True)
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    collections = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    manifest = models.JSONField(default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
