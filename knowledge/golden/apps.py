from django.apps import AppConfig


class GoldenConfig(AppConfig):
    name = "knowledge.golden"
    label = "golden"
    verbose_name = "Golden answers"

    def ready(self) -> None:
        from nuzantara.health import register_check

        from . import receivers  # noqa: F401 - connects the signal receivers
        from .health import check_golden_answers

        register_check("golden_answers", check_golden_answers)
