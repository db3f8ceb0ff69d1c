from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "workcal"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from workcal import signals  # noqa: F401
