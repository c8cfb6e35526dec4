from django.conf import settings

from nuzantara.health import CheckResult


def check_router() -> CheckResult:
    """ "ok" when a trained checkpoint is in ROUTER_MODEL_DIR, else "missing" (the pipeline then abstains)."""
    directory = settings.ROUTER_MODEL_DIR
    if (directory / "config.json").is_file() and any(directory.glob("*.safetensors")):
        return CheckResult("ok")
    return CheckResult(
        "missing",
        healthy=False,
        reason=f"no router checkpoint in {directory}: run `make run` or `python manage.py train_router`",
    )
