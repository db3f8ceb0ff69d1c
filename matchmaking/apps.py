from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = "供需对接"

    def ready(self) -> None:
        from demands.signals import DEMAND_PANELS
        from matchmaking.hooks import demand_panel

        if demand_panel not in DEMAND_PANELS:
            DEMAND_PANELS.append(demand_panel)
