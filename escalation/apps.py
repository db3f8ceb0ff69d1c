from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "提级规则"
    default_auto_field = "django.db.models.BigAutoField"
