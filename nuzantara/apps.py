from django.apps import AppConfig


class NuzantaraConfig(AppConfig):
    name = "nuzantara"
    verbose_name = "NUZANTARA platform"

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - connects the Celery failure handler
