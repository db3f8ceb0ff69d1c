from django.apps import AppConfig


class ParkadminConfig(AppConfig):
    name = "parkadmin"
    verbose_name = "园区管理"
    default_auto_field = "django.db.models.BigAutoField"
