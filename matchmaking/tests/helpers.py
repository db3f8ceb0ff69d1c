from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.utils import timezone

from entities.models import MarketEntity
from matchmaking import services
from matchmaking.models import (
    Activity,
    FollowUp,
    Invitation,
    MatchEvent,
    Need,
    Order,
    Product,
    Registration,
    Slot,
    SlotSeat,
)


def snapshot() -> tuple:
    return tuple(
        list(m.objects.order_by("pk").values())
        for m in (
            Product,
            Need,
            MatchEvent,
            Invitation,
            Registration,
            Slot,
            SlotSeat,
            Order,
            FollowUp,
        )
    ) + (Activity.objects.count(),)


@contextmanager
def unchanged():  # type: ignore[no-untyped-def]
    before = snapshot()
    yield
    assert snapshot() == before, "refused input changed the database"


def product(world, name: str, industry: str = "34", entity=None, **kw) -> Product:  # type: ignore[no-untyped-def]
    ent = entity or world.enterprise
    users = world.users if ent.park_id == world.park.pk else world.other_users
    return services.publish_product(
        users["dispatcher"],
        ent.park,
        services.ProductInput(enterprise_id=ent.pk, name=name, industry=industry, **kw),
    )


def entity(park, name: str, industry: str = "34") -> MarketEntity:  # type: ignore[no-untyped-def]
    return MarketEntity.objects.create(park=park, name=name, kind="above_scale", industry=industry)


def event(world, days_ago: int = 0, **kw) -> MatchEvent:  # type: ignore[no-untyped-def]
    values = {
        "kind": "supply",
        "theme": "汽车产业链供需对接会",
        "date": timezone.localdate() - dt.timedelta(days=days_ago),
        "chain": "auto",
    }
    values.update(kw)
    return services.plan_event(world.users["dispatcher"], world.park, services.EventInput(**values))
