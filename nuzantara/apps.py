from django.apps import AppConfig


class NuzantaraConfig(AppConfig):
    name = "nuzantara"
    verbose_name = "NUZANTARA platform"

    def ready(self) -> None:
        from . import api_tokens, jobs, request_id  # noqa: F401 - connect the password-change and Celery receivers
        from .health import register_check
        from .process_health import check_beat, check_worker

        register_check("worker", check_worker)
        register_check("beat", check_beat)
