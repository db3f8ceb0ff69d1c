"""A job left RUNNING by a killed task worker is queued again and then runs."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from scheduling import recovery
from scheduling.tests import tasks_for_tests

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _stranded(minutes_ago: float) -> DBTaskResult:
    """A job as a worker leaves it when it is killed after taking it."""
    result = tasks_for_tests.probe.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("killed-worker")
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return row


@override_settings(TASKS=DB_TASKS, TASK_STALE_MINUTES=60)
def test_a_stranded_job_is_queued_again_and_runs():
    old = _stranded(61)
    young = _stranded(5)  # perhaps still running on a live worker: left alone
    assert recovery.requeue_stranded() == [str(old.pk)]
    assert DBTaskResult.objects.get(pk=old.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=young.pk).status == TaskResultStatus.RUNNING
    # What db_worker takes next (bench/resilience.py shows a real worker running it).
    assert DBTaskResult.objects.ready().get_locked().pk == old.pk
    assert recovery.requeue_stranded() == []


@override_settings(TASKS=DB_TASKS)
def test_the_worker_runs_it(transactional_db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("db_worker closes the test connection on PostgreSQL")
    old = _stranded(61)
    recovery.requeue_stranded()
    tasks_for_tests.CALLS.clear()
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    assert tasks_for_tests.CALLS == ["ran"]
    assert DBTaskResult.objects.get(pk=old.pk).status == TaskResultStatus.SUCCESSFUL


def test_the_recovery_is_a_periodic_job_of_the_scheduler():
    from django.utils.module_loading import import_string

    from scheduling.schedule import jobs

    job = next(j for j in jobs() if j.name == "requeue_stranded_tasks")
    assert import_string(job.task) is recovery.requeue_stranded_tasks
