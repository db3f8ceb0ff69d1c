from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from projects import services
from projects.models import KeyProject, Level, Milestone, ProjectEvent, SiteInspection


def snapshot() -> tuple:
    return (
        list(KeyProject.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(SiteInspection.objects.order_by("pk").values()),
        ProjectEvent.objects.count(),
    )


@contextmanager
def unchanged():
    before = snapshot()
    yield
    assert snapshot() == before, "refused input changed the database"


def project_input(world, **kw) -> services.ProjectInput:  # type: ignore[no-untyped-def]
    values = {
        "name": "湖南省医疗器械产业园二期",
        "investor_id": world.enterprise2.pk,
        "investment_wan": "130000",
        "industry": "35",
        "level": Level.CITY,
        "leader_id": world.users["leader"].pk,
        "liaison_id": world.users["liaison"].pk,
        "signed_on": "2026-03-02",
    }
    values.update(kw)
    return services.ProjectInput(**values)


def make_project(world, **kw) -> KeyProject:  # type: ignore[no-untyped-def]
    return services.create_project(
        world.users["dispatcher"], world.park, project_input(world, **kw)
    )


def at(day: str) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10)))


D = Decimal
