from django.db import models


class JobFailure(models.Model):
    """A background task that failed (after its retries), kept where staff can see it in the admin."""

    task_name = models.CharField(max_length=200, db_index=True)
    task_id = models.CharField(max_length=64, blank=True)
    exception = models.CharField(max_length=500)
    traceback = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task_name}: {self.exception[:80]}"


class ProcessHeartbeat(models.Model):
    """The last time a background process showed it was running (beat writes "beat" each minute); /health reads it."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.beat_at:%Y-%m-%d %H:%M:%S}"
