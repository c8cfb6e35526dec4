from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self) -> None:
        from nuzantara.health import register_check

        from .health import check_router

        register_check("router", check_router)
