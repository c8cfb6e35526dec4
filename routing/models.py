from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .registry import TOOLS


class RouteDecision(models.Model):
    """One routing decision. The query is kept as a SHA-256 hash only, for privacy; its text is stored when a staff
    member records a correction (they paste it, and it must hash to `query_hash`), because a correction becomes a
    training line."""

    query_hash = models.CharField(max_length=64, db_index=True)
    tool = models.CharField(max_length=32, blank=True)  # "" when no checkpoint was loaded
    confidence = models.FloatField()
    abstained = models.BooleanField()
    latency_ms = models.FloatField()
    model_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    corrected_tool = models.CharField(max_length=32, blank=True)
    query_text = models.TextField(blank=True)  # only with a correction
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["model_version", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0.0) & models.Q(confidence__lte=1.0),
                name="routedecision_confidence_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(corrected_tool="") | ~models.Q(query_text=""),
                name="routedecision_correction_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tool or '(no model)'} {self.confidence:.2f} {self.query_hash[:10]}"

    @property
    def is_correct(self) -> bool | None:
        """None until a staff member has reviewed it."""
        return None if not self.corrected_tool else self.corrected_tool == self.tool

    def clean(self) -> None:
        # Tools are validated against the registry, not field choices, so adding a tool needs no migration.
        if self.tool and self.tool not in TOOLS:
            raise ValidationError({"tool": f"unknown tool {self.tool!r}"})
        if self.corrected_tool and self.corrected_tool not in TOOLS:
            raise ValidationError({"corrected_tool": f"unknown tool {self.corrected_tool!r}"})
