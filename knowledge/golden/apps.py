from django.apps import AppConfig


class GoldenConfig(AppConfig):
    name = "knowledge.golden"
    label = "golden"
    verbose_name = "Golden answers"
