from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"

    def ready(self) -> None:
        from nuzantara.health import register_check

        from .budget import check_budget

        register_check("budget", check_budget)
