from django.apps import AppConfig


class NuzantaraConfig(AppConfig):
    name = "nuzantara"
    verbose_name = "NUZANTARA platform"

    def ready(self) -> None:
        from . import api_tokens, jobs  # noqa: F401 - connect the password-change and Celery failure receivers
