from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = "供需对接"

    def ready(self) -> None:
        from demands.signals import DEMAND_CARDS
        from matchmaking.hooks import demand_panel

        if demand_panel not in DEMAND_CARDS:
            DEMAND_CARDS.append(demand_panel)
