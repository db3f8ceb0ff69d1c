"""The suggestion job of a new demand is written in the intake's own transaction (an outbox):
it commits with the demand and rolls back with it."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from demands import services as ds

pytestmark = pytest.mark.django_db


def _intake(world, title: str):  # type: ignore[no-untyped-def]
    return ds.create_demand(
        world.users["dispatcher"],
        world.park,
        ds.Intake(
            title=title,
            description="新建厂房需要增容 800 千伏安，请协调供电部门。",
            channel="api",
            enterprise_id=world.enterprise.pk,
        ),
    )


def _jobs_for(demand_id: int) -> int:
    return sum(
        1
        for r in DBTaskResult.objects.filter(task_path="routing.tasks.suggest_for_demand")
        if r.args_kwargs.get("args") == [demand_id]
    )


def test_the_suggestion_job_is_written_with_the_demand(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # No commit hooks run inside the test's transaction: the job is there before any commit.
    d = _intake(world, "用电增容申请")
    assert _jobs_for(d.pk) == 1


def test_the_suggestion_job_rolls_back_with_the_demand(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _intake(world, "用电增容申请")
            raise RuntimeError("the caller's transaction fails after intake")
    assert DBTaskResult.objects.count() == before
