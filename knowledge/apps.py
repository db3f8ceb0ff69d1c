from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = "知识库"

    def ready(self) -> None:
        from knowledge import hooks

        hooks.install()
