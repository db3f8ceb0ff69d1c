import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus

from ops.health import task_backlog
from ops.tests.helpers import queued_job
from scheduling.models import SchedulerTick
from scheduling.schedule import record_tick

pytestmark = pytest.mark.django_db


def _tick(minutes_ago: float) -> None:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    record_tick(at, at, instance="web-1")


def _get(client, **params):
    r = client.get("/healthz", params)
    assert r["Content-Type"] == "application/json"
    assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    return r, r.json()


def test_ok_without_login_and_cheap(client, django_assert_max_num_queries):
    _tick(0.5)
    queued_job(timezone.now() - dt.timedelta(minutes=1))
    with django_assert_max_num_queries(4):
        r, body = _get(client)
    assert r.status_code == 200
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["database"]["ok"] is True
    tasks = body["checks"]["tasks"]
    assert tasks["queued"] == 1 and 55 <= tasks["oldest_queued_age_seconds"] <= 70
    assert body["checks"]["scheduler"]["age_seconds"] <= 60


def test_no_park_data_or_secrets(client, world):
    _tick(0.1)
    r, body = _get(client)
    text = r.content.decode()
    for leak in (world.park.name, world.users["admin"].username, "SECRET", "postgres://"):
        assert leak not in text


def test_database_down_is_503(client):
    with mock.patch("ops.health._database", side_effect=OperationalError("host db1 user x")):
        r, body = _get(client)
    assert r.status_code == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["problems"] == ["数据库无法连接"]
    assert "db1" not in r.content.decode()  # the driver's message stays in the log


@override_settings(HEALTH_MAX_QUEUED_AGE_MINUTES=10)
def test_old_queued_job_is_503(client):
    _tick(0.1)
    queued_job(timezone.now() - dt.timedelta(minutes=11))
    r, body = _get(client)
    assert r.status_code == 503
    assert body["failing"] == ["tasks"]
    assert "最早的任务已排队 11 分钟" in body["checks"]["tasks"]["problems"][0]


@override_settings(HEALTH_MAX_QUEUED=2, HEALTH_MAX_QUEUED_AGE_MINUTES=0)
def test_too_many_queued_is_503(client):
    _tick(0.1)
    for _ in range(3):
        queued_job(timezone.now())
    r, body = _get(client)
    assert r.status_code == 503 and body["failing"] == ["tasks"]
    assert "排队任务 3 个" in body["checks"]["tasks"]["problems"][0]


@override_settings(HEALTH_MAX_TICK_AGE_MINUTES=5)
def test_silent_scheduler_is_503(client):
    r, body = _get(client)
    assert r.status_code == 503 and body["failing"] == ["scheduler"]
    assert "从未运行" in body["checks"]["scheduler"]["problems"][0]
    _tick(6)
    r, body = _get(client)
    assert r.status_code == 503 and "没有心跳" in body["checks"]["scheduler"]["problems"][0]
    _tick(1)  # the same instance ticks again
    assert SchedulerTick.objects.count() == 1
    assert client.get("/healthz").status_code == 200


@override_settings(HEALTH_MAX_TICK_AGE_MINUTES=0)
def test_scheduler_check_can_be_switched_off(client):
    assert client.get("/healthz").status_code == 200


def test_load_balancer_variant_checks_only_the_database(client):
    queued_job(timezone.now() - dt.timedelta(hours=3))
    assert client.get("/healthz").status_code == 503
    r, body = _get(client, check="database")
    assert r.status_code == 200 and list(body["checks"]) == ["database"]


def test_backlog_counts_ready_jobs_only():
    now = timezone.now()
    queued_job(now - dt.timedelta(minutes=30), status=TaskResultStatus.SUCCESSFUL)
    queued_job(now - dt.timedelta(minutes=20), status=TaskResultStatus.RUNNING)
    # Deferred: enqueued long ago but runnable only in an hour, so not late.
    queued_job(now - dt.timedelta(hours=5), run_after=now + dt.timedelta(hours=1))
    # Deferred until 3 minutes ago: it has waited 3 minutes, not 2 hours.
    queued_job(now - dt.timedelta(hours=2), run_after=now - dt.timedelta(minutes=3))
    b = task_backlog(now)
    assert (b.queued, b.running) == (1, 1)
    assert b.age(now) == dt.timedelta(minutes=3)


def test_post_is_refused(client):
    assert client.post("/healthz").status_code == 405
