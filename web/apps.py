from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "门户与工作台框架"
