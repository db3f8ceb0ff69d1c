import datetime as dt
import logging

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from notifications.models import Kind, Notification
from ops.models import Incident
from ops.tests.helpers import queued_job
from ops.watch import check_backlog
from orgs.models import User
from scheduling.models import SchedulerTick
from scheduling.schedule import tick

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]
T0 = timezone.now()


def _alerts():
    return Notification.objects.filter(kind=Kind.SYSTEM).order_by("id")


@override_settings(BACKLOG_ALERT_MINUTES=15, PERIODIC_JOBS=[])
def test_alert_once_per_incident_to_each_parks_administrators(world, caplog):
    job = queued_job(T0)
    # Scheduler ticks every 30 s; nothing is said before the oldest job is 15 minutes late.
    tick(T0, T0 + dt.timedelta(minutes=14))
    assert not _alerts().exists()
    with caplog.at_level(logging.ERROR, logger="ops.watch"):
        for s in range(0, 600, 30):  # ten more minutes of ticks: still one alert
            tick(T0, T0 + dt.timedelta(minutes=16, seconds=s))
    alerts = list(_alerts())
    assert {(n.user.username, n.park_id) for n in alerts} == {
        ("admin", world.park.pk),
        ("o_admin", world.other_park.pk),
    }
    assert all(n.demand_id is None for n in alerts)
    assert "最早的任务已排队 16 分钟" in alerts[0].text and "运维人员" in alerts[0].text
    assert "db_worker" not in alerts[0].text and "systemctl" not in alerts[0].text
    assert [r.levelname for r in caplog.records if "task backlog" in r.message] == ["ERROR"]
    assert Incident.objects.get().notified == 2
    assert SchedulerTick.objects.get().last_tick_at == T0 + dt.timedelta(minutes=25, seconds=30)

    # The worker comes back and drains the queue: one recovery notice, incident closed.
    DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.SUCCESSFUL)
    tick(T0, T0 + dt.timedelta(minutes=30))
    tick(T0, T0 + dt.timedelta(minutes=31))
    assert _alerts().count() == 4
    assert "后台任务已恢复" in _alerts().last().text
    assert Incident.objects.get().closed_at == T0 + dt.timedelta(minutes=30)

    # A second stall is a second incident, with its own alert.
    queued_job(T0 + dt.timedelta(minutes=40))
    tick(T0, T0 + dt.timedelta(minutes=56))
    tick(T0, T0 + dt.timedelta(minutes=57))
    assert Incident.objects.count() == 2 and _alerts().count() == 6


@override_settings(BACKLOG_ALERT_MINUTES=15)
def test_only_active_administrators_and_extra_parks(world):
    admin = world.users["admin"]
    admin.extra_parks.add(world.other_park)
    User.objects.filter(username="o_admin").update(is_active=False)
    queued_job(T0)
    check_backlog(T0 + dt.timedelta(minutes=20))
    assert sorted((n.user.username, n.park_id) for n in _alerts()) == sorted(
        [("admin", world.park.pk), ("admin", world.other_park.pk)]
    )


@override_settings(BACKLOG_ALERT_MINUTES=15)
def test_a_second_scheduler_does_not_alert_again(world):
    queued_job(T0)
    first = check_backlog(T0 + dt.timedelta(minutes=20))
    second = check_backlog(T0 + dt.timedelta(minutes=20, seconds=5))
    assert first == second and _alerts().count() == 2


@override_settings(SCHEDULER_WATCHES=["ops.tests.test_backlog_alert.broken"], PERIODIC_JOBS=[])
def test_a_broken_watch_does_not_stop_the_tick(caplog):
    with caplog.at_level(logging.ERROR, logger="scheduling.schedule"):
        tick(T0, T0)
    assert SchedulerTick.objects.exists()
    assert "scheduler watch" in caplog.text


def broken(now):
    raise RuntimeError("boom")


@override_settings(BACKLOG_ALERT_MINUTES=15)
def test_the_administrator_reads_the_alert_in_the_bell(world, client):
    queued_job(T0)
    check_backlog(T0 + dt.timedelta(minutes=20))
    client.force_login(world.users["admin"])
    page = client.get("/notifications/")
    assert page.status_code == 200 and "后台任务积压" in page.content.decode()
    assert "系统告警" in page.content.decode()
    n = _alerts().get(user=world.users["admin"])
    r = client.get(f"/notifications/{n.pk}/")
    assert r.status_code == 302 and r["Location"] == "/notifications/"
    n.refresh_from_db()
    assert n.read_at is not None
