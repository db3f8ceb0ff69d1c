import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from scheduling.models import JobRun
from scheduling.schedule import Job, run_due

TZ = timezone.get_fixed_timezone(8 * 60)
CALLS: list[str] = []


def _at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def test_slots():
    assert Job("a", "x", every_minutes=60).last_slot(_at(2026, 11, 23, 9, 41)) == _at(
        2026, 11, 23, 9, 0
    )
    assert Job("b", "x", daily_at="07:30").last_slot(_at(2026, 11, 23, 7, 0)) == _at(
        2026, 11, 22, 7, 30
    )
    # 2026-11-23 is a Monday; the last Sunday 02:00 slot is the day before.
    assert Job("c", "x", weekly="sun 02:00").last_slot(_at(2026, 11, 23, 1, 0)) == _at(
        2026, 11, 22, 2, 0
    )
    assert Job("c", "x", weekly="sun 02:00").last_slot(_at(2026, 11, 22, 1, 0)) == _at(
        2026, 11, 15, 2, 0
    )


JOBS = [{"name": "probe", "task": "scheduling.tests.tasks_for_tests.probe", "every_minutes": 60}]


@pytest.mark.django_db
@override_settings(PERIODIC_JOBS=JOBS)
def test_each_slot_is_enqueued_once_however_many_schedulers_run():
    from scheduling.tests import tasks_for_tests

    tasks_for_tests.CALLS.clear()
    now = _at(2026, 11, 23, 9, 5)
    assert run_due(now) == ["probe"]
    assert run_due(now + dt.timedelta(minutes=10)) == []  # a second scheduler, same slot
    assert run_due(now + dt.timedelta(minutes=60)) == ["probe"]
    assert JobRun.objects.count() == 2
    assert tasks_for_tests.CALLS == ["ran", "ran"]  # tests run tasks immediately


@pytest.mark.django_db
@override_settings(PERIODIC_JOBS=[], SCHEDULER_WATCHES=[], SCHEDULER_INSTANCE="sched-a")
def test_each_tick_leaves_a_heartbeat():
    import io

    from django.core.management import call_command

    from scheduling.models import SchedulerTick

    call_command("scheduler", "--once", stdout=io.StringIO())
    call_command("scheduler", "--once", stdout=io.StringIO())
    tick = SchedulerTick.objects.get()
    assert tick.instance == "sched-a"
    assert timezone.now() - tick.last_tick_at < dt.timedelta(seconds=30)
