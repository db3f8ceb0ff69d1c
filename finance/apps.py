from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "银企对接"
    default_auto_field = "django.db.models.BigAutoField"
