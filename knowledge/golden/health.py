"""The /health line for golden answers: how many are served, and which encoder this process uses (if loaded)."""

from nuzantara.health import CheckResult

from .matching import encoder
from .models import GoldenAnswer


def check_golden_answers() -> CheckResult:
    approved = GoldenAnswer.objects.filter(status=GoldenAnswer.Status.APPROVED).count()
    pending = GoldenAnswer.objects.filter(
        status__in=[GoldenAnswer.Status.DRAFT, GoldenAnswer.Status.NEEDS_REVIEW]
    ).count()
    loaded = encoder._encoder.kind if encoder._encoder is not None else "not loaded"
    value = f"{approved} approved, {pending} to review, encoder {loaded}"
    if not approved:
        return CheckResult("empty", healthy=True, reason="no approved golden answers (run golden_load_demo)")
    return CheckResult(value)
