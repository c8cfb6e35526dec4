from django.apps import AppConfig


class NuzantaraConfig(AppConfig):
    name = "nuzantara"
    verbose_name = "NUZANTARA platform"
