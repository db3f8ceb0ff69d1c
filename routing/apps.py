from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "智能分派"

    def ready(self) -> None:
        from demands.signals import DISPATCH_SUGGESTIONS
        from routing import receivers  # noqa: F401
        from routing.services import suggestion_for

        if suggestion_for not in DISPATCH_SUGGESTIONS:
            DISPATCH_SUGGESTIONS.append(suggestion_for)
