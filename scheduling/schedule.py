"""The one scheduler of periodic jobs (late-item scans, contact cadence, weekly retraining).

Jobs are listed in settings.PERIODIC_JOBS; `manage.py scheduler` enqueues each job's task into the
django-tasks queue when its slot comes, and the db_worker processes run it. Several schedulers
may run (e.g. one per machine for availability): the JobRun unique row decides who enqueues.

Each tick also records a heartbeat (SchedulerTick, read by /healthz) and runs the checks listed in
settings.SCHEDULER_WATCHES in the scheduler's own process: they watch the task workers, so they
must not wait in the queue the workers are failing to drain.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from scheduling.models import JobRun, SchedulerTick

log = logging.getLogger(__name__)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks Task
    every_minutes: int | None = None
    daily_at: str | None = None  # "07:30", local time
    weekly: str | None = None  # "sun 02:00", local time

    def last_slot(self, now: dt.datetime) -> dt.datetime:
        """The most recent moment, at or before `now`, at which this job was due."""
        local = timezone.localtime(now)
        if self.every_minutes:
            minutes = local.hour * 60 + local.minute
            start = minutes - minutes % self.every_minutes
            return local.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)
        if self.daily_at:
            h, m = (int(x) for x in self.daily_at.split(":"))
            slot = local.replace(hour=h, minute=m, second=0, microsecond=0)
            return slot if slot <= local else slot - dt.timedelta(days=1)
        if self.weekly:
            day, at = self.weekly.split()
            h, m = (int(x) for x in at.split(":"))
            slot = local.replace(hour=h, minute=m, second=0, microsecond=0)
            slot -= dt.timedelta(days=(local.weekday() - WEEKDAYS[day]) % 7)
            return slot if slot <= local else slot - dt.timedelta(days=7)
        raise ValueError(f"定时任务 {self.name} 没有设置周期")


def jobs() -> list[Job]:
    return [Job(**spec) for spec in getattr(settings, "PERIODIC_JOBS", [])]


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been enqueued yet; return their names."""
    now = now or timezone.now()
    fired = []
    for job in jobs():
        slot = job.last_slot(now)
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job.name, slot=slot)
        except IntegrityError:
            continue  # this slot was already taken, here or by another scheduler
        try:
            result = import_string(job.task).enqueue()
            run.task_result_id = str(getattr(result, "id", ""))
        except Exception as exc:  # keep the scheduler alive; the error is visible in the admin
            log.exception("enqueue %s failed", job.name)
            run.error = repr(exc)
        run.save(update_fields=["task_result_id", "error"])
        fired.append(job.name)
    return fired


def instance_name() -> str:
    return getattr(settings, "SCHEDULER_INSTANCE", "") or socket.gethostname()


def record_tick(now: dt.datetime, started_at: dt.datetime, instance: str | None = None) -> None:
    SchedulerTick.objects.update_or_create(
        instance=(instance or instance_name())[:200],
        defaults={"last_tick_at": now, "started_at": started_at, "pid": os.getpid()},
    )


def run_watches(now: dt.datetime) -> None:
    for path in getattr(settings, "SCHEDULER_WATCHES", []):
        try:
            import_string(path)(now)
        except Exception:  # one broken check must not stop the schedule or the other checks
            log.exception("scheduler watch %s failed", path)


def tick(started_at: dt.datetime, now: dt.datetime | None = None) -> list[str]:
    """One look at the clock: heartbeat, due jobs, watches. Returns the jobs enqueued."""
    now = now or timezone.now()
    record_tick(now, started_at)
    fired = run_due(now)
    run_watches(now)
    return fired
