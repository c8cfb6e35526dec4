from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from knowledge.health import check_chroma, check_knowledge
        from nuzantara.health import register_check

        register_check("chroma", check_chroma)
        register_check("knowledge", check_knowledge)
