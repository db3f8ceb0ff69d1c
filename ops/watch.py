"""Watches the scheduler runs on every tick (settings.SCHEDULER_WATCHES).

check_backlog: when the oldest job ready in the task queue has waited longer than
BACKLOG_ALERT_MINUTES, the workers are down or overwhelmed. The administrators of every park hear
of it once (an open Incident row marks the incident; its partial unique constraint keeps two
schedulers from both opening one), and once more when the queue is drained again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.delivery import fan_out
from notifications.models import Kind, Notification
from ops.health import task_backlog
from ops.models import Incident, IncidentKind
from orgs.models import Park, Role, User

log = logging.getLogger(__name__)


def notify_admins(text: str, dedupe: str, at: dt.datetime) -> int:
    """One notification per administrator and park they administer; `dedupe` keeps a retried
    tick from sending the same alert twice."""
    rows = []
    for park in Park.objects.all():
        admins = User.objects.filter(
            Q(park=park) | Q(extra_parks=park), role=Role.ADMIN, is_active=True
        ).distinct()
        rows += [
            Notification(
                user=u,
                park=park,
                demand=None,
                kind=Kind.SYSTEM,
                text=text[:300],
                created_at=at,
                dedupe_key=f"{dedupe}:{park.pk}",
            )
            for u in admins
        ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    fan_out(rows)
    return len(rows)


def check_backlog(now: dt.datetime | None = None) -> Incident | None:
    """Open, keep or close the backlog incident; return the open one (None when all is well)."""
    now = now or timezone.now()
    limit = dt.timedelta(minutes=settings.BACKLOG_ALERT_MINUTES)
    backlog = task_backlog(now)
    age = backlog.age(now)
    current = Incident.objects.filter(kind=IncidentKind.TASK_BACKLOG, closed_at=None).first()
    if age is not None and age > limit:
        if current is not None:
            return current  # already told; nothing more until it recovers
        minutes = int(age.total_seconds() // 60)
        detail = {"queued": backlog.queued, "running": backlog.running, "oldest_minutes": minutes}
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    kind=IncidentKind.TASK_BACKLOG, opened_at=now, detail=detail
                )
                text = (
                    f"后台任务积压：最早的任务已排队 {minutes} 分钟（排队 {backlog.queued} 个，"
                    f"执行中 {backlog.running} 个），通知、导出和简报会延迟。"
                    "请联系系统运维人员检查后台任务进程。"
                )
                incident.notified = notify_admins(text, f"incident:{incident.pk}", now)
                incident.save(update_fields=["notified"])
        except IntegrityError:
            # Another scheduler opened it between our read and our insert: it sends the alert.
            return Incident.objects.filter(kind=IncidentKind.TASK_BACKLOG, closed_at=None).first()
        log.error(
            "task backlog: oldest queued job waited %s min (%s queued, %s running); "
            "%s administrators notified",
            minutes,
            backlog.queued,
            backlog.running,
            incident.notified,
        )
        return incident
    if current is not None:
        with transaction.atomic():
            closed = Incident.objects.filter(pk=current.pk, closed_at=None).update(closed_at=now)
            if closed:
                lasted = int((now - current.opened_at).total_seconds() // 60)
                notify_admins(
                    f"后台任务已恢复：积压持续约 {lasted} 分钟，现在排队 {backlog.queued} 个。",
                    f"incident:{current.pk}:closed",
                    now,
                )
        if closed:
            log.warning("task backlog recovered after %s min", lasted)
    return None
