from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.utils import timezone

from demands import services as ledger
from demands.models import Demand, Event, Task
from experts.models import Consultation, ConsultationEvent, Expert, Opinion
from orgs.models import Role, User


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def snapshot() -> tuple:
    return (
        list(Demand.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        Event.objects.count(),
        list(Consultation.objects.order_by("pk").values()),
        Opinion.objects.count(),
        ConsultationEvent.objects.count(),
    )


@contextmanager
def unchanged():
    before = snapshot()
    yield
    assert snapshot() == before, "refused input changed the database"


def demand(world, created: str, title: str = "厂房产权证分宗办理", **kw) -> Demand:  # type: ignore[no-untyped-def]
    return ledger.create_demand(
        world.users["dispatcher"],
        world.park,
        ledger.Intake(
            title=title,
            description="企业 8# 厂房产权证分宗登记多年未办结，影响融资抵押。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_land.pk,
            created_at=at(created),
            **kw,
        ),
    )


def dispatched(world, created: str, days: int = 10, **kw) -> Demand:  # type: ignore[no-untyped-def]
    d = demand(world, created, **kw)
    return ledger.dispatch(
        world.users["dispatcher"],
        d,
        lead_department_id=world.dept_a.pk,
        time_limit_days=days,
        at=at(created, 11),
    )


def closed(world, created: str, closed_on: str) -> Demand:  # type: ignore[no-untyped-def]
    """A demand played through the whole loop, 销号 on `closed_on`."""
    d = dispatched(world, created)
    h = world.users["handler"]
    d = ledger.sign(h, d, at=at(created, 14))
    d = ledger.reply(h, d, answer="已协调办结", outcome="solved", at=at(closed_on, 9))
    d = ledger.confirm(
        world.users["dispatcher"], d, satisfaction="satisfied", method="phone", at=at(closed_on, 10)
    )
    return ledger.close(world.users["dispatcher"], d, at=at(closed_on, 11))


def experts(world, n: int = 2) -> list[Expert]:  # type: ignore[no-untyped-def]
    out = [
        Expert.objects.create(
            user=world.users["expert"], park=world.park, field="土地规划", organisation="湘潭大学"
        )
    ]
    for i in range(1, n):
        u = User.objects.create_user(
            username=f"expert{i}",
            password="pw",
            role=Role.EXPERT,
            park=world.park,
            full_name=f"专家{i}",
        )
        out.append(
            Expert.objects.create(
                user=u, park=world.park, field="消防", organisation="市消防救援支队"
            )
        )
    return out
