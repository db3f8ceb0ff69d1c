from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计分析与简报"

    def ready(self) -> None:
        from reports import signals  # noqa: F401
