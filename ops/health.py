"""What /healthz reports, for a load balancer and a monitor: the database answers, the task queue
is drained (how many jobs wait, how long the oldest has waited) and a scheduler is ticking.

A handful of cheap queries, no park data and nothing secret: counts, ages and limits only. The
limits are settings (HEALTH_*), so an installation tunes them without code.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Max, Min, Q, When
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from scheduling.models import SchedulerTick

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backlog:
    queued: int
    running: int
    oldest_due: dt.datetime | None  # when the longest-waiting job became runnable

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        return None if self.oldest_due is None else max(now - self.oldest_due, dt.timedelta(0))


def task_backlog(now: dt.datetime | None = None) -> Backlog:
    """Jobs ready to run now and not yet taken by a worker. A job deferred with run_after waits
    from that moment, not from when it was enqueued; jobs still deferred do not count."""
    now = now or timezone.now()
    never = get_date_max()
    ready = Q(status=TaskResultStatus.READY) & (Q(run_after=never) | Q(run_after__lte=now))
    row = DBTaskResult.objects.aggregate(
        queued=Count("id", filter=ready),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
        oldest=Min(
            Case(When(run_after=never, then=F("enqueued_at")), default=F("run_after")),
            filter=ready,
        ),
    )
    return Backlog(row["queued"], row["running"], row["oldest"])


def last_tick() -> dt.datetime | None:
    return SchedulerTick.objects.aggregate(at=Max("last_tick_at"))["at"]


def _seconds(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _database() -> dict[str, Any]:
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _tasks(now: dt.datetime) -> dict[str, Any]:
    b = task_backlog(now)
    max_queued = settings.HEALTH_MAX_QUEUED
    max_age = settings.HEALTH_MAX_QUEUED_AGE_MINUTES * 60
    age = _seconds(b.age(now))
    problems = []
    if max_queued and b.queued > max_queued:
        problems.append(f"排队任务 {b.queued} 个，超过上限 {max_queued}")
    if max_age and age is not None and age > max_age:
        problems.append(f"最早的任务已排队 {age // 60} 分钟，超过 {max_age // 60} 分钟")
    return {
        "ok": not problems,
        "queued": b.queued,
        "running": b.running,
        "oldest_queued_age_seconds": age,
        "max_queued": max_queued,
        "max_queued_age_seconds": max_age,
        "problems": problems,
    }


def _scheduler(now: dt.datetime) -> dict[str, Any]:
    limit = settings.HEALTH_MAX_TICK_AGE_MINUTES * 60
    at = last_tick()
    age = _seconds(now - at) if at else None
    problems = []
    if limit:
        if at is None:
            problems.append("调度器从未运行：提醒、简报等定时任务没有启动，请联系运维人员")
        elif age is not None and age > limit:
            problems.append(f"调度器已 {age // 60} 分钟没有心跳，超过 {limit // 60} 分钟")
    return {
        "ok": not problems,
        "last_tick": at.isoformat() if at else None,
        "age_seconds": age,
        "max_age_seconds": limit,
        "problems": problems,
    }


def report(now: dt.datetime | None = None, only: str | None = None) -> dict[str, Any]:
    """The health answer; `only="database"` limits it to the database (for a load balancer that
    should keep serving pages while a task worker is down)."""
    now = now or timezone.now()
    checks: dict[str, Any] = {}
    try:
        checks["database"] = _database()
    except DatabaseError:
        # The driver's message may name hosts and users: it goes to the log, not to the answer.
        log.exception("healthz: database unreachable")
        checks["database"] = {"ok": False, "problems": ["数据库无法连接"]}
    if checks["database"]["ok"] and only != "database":
        for name, fn in (("tasks", _tasks), ("scheduler", _scheduler)):
            try:
                checks[name] = fn(now)
            except DatabaseError:
                log.exception("healthz: %s check failed", name)
                checks[name] = {"ok": False, "problems": ["查询失败（数据库表缺失或不可用）"]}
    failing = [name for name, c in checks.items() if not c["ok"]]
    return {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "time": now.isoformat(),
        "checks": checks,
    }
