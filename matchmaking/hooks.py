"""What matchmaking adds to lower rooms' pages (registered from apps.MatchmakingConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from demands.models import Demand
from matchmaking import access

MARKET_CATEGORY = "市场拓展"


def is_market_demand(demand: Demand) -> bool:
    cat = demand.category
    if cat is None:
        return False
    return MARKET_CATEGORY in (cat.name, cat.parent.name if cat.parent_id and cat.parent else "")


def demand_panel(user: Any, demand: Demand) -> dict[str, str] | None:
    """A 市场拓展 demand of an enterprise opens 供需匹配 from the ledger (staff only)."""
    if demand.enterprise_id is None or not is_market_demand(demand):
        return None
    if not access.is_staff(user, demand.park):
        return None
    url = reverse("matchmaking:need_new") + f"?demand={demand.pk}"
    return {
        "id": "matchmaking",
        "title": "供需对接",
        "text": "这是一件市场拓展诉求：可据此登记采购或销售需求，并为企业匹配本地供应商。",
        "url": url,
        "link": "发起供需匹配",
    }
