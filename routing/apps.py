from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "智能分派"

    def ready(self) -> None:
        from routing import receivers  # noqa: F401
