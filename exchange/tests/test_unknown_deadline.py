"""An imported task whose sheet gives no 时限要求 has no deadline (时限未知): no overdue scan
alerts on it, 按时办结率 leaves it out and says how many it left out (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from demands.models import Demand, Task, TaskStatus
from exchange.importer import import_ledger
from exchange.tests import hotline
from notifications.models import Notification
from notifications.services import scan_deadlines
from reports import dashboard, metrics
from reports.metrics import Scope
from reports.periods import parse as period

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 20)


def open_ledger() -> hotline.Ledger:
    """Every ticket still open; half of them with no 时限要求."""
    led = hotline.build(30, seed=17, reregister=0)
    for i, r in enumerate(led.rows):
        for h in ("回复时间", "办理结果", "解决类型", "解决", "满意"):
            r[h] = ""
        if i % 2:
            r["时限要求"] = ""
    return led


def test_no_deadline_means_unknown_not_overdue(world):
    led = open_ledger()
    report = import_ledger(led.data(), park=world.park, create_missing=True)
    assert report.refused == 0
    no_limit = {r["工单编号"] for r in led.rows if not r["时限要求"]}
    tasks = Task.objects.filter(demand__park=world.park, demand__source_ref__in=no_limit)
    assert tasks.count() == len(no_limit) and not tasks.filter(deadline__isnull=False).exists()
    assert not Demand.objects.filter(source_ref__in=no_limit, due_date__isnull=False).exists()
    dated = Task.objects.filter(demand__park=world.park).exclude(demand__source_ref__in=no_limit)
    assert not dated.filter(deadline__isnull=True).exists()

    f = metrics.summary(Scope.for_period(world.park, period("2026"), today=TODAY))
    # Overdue counts only the dated tasks (all due well before TODAY), and says what it left out.
    late = dated.filter(status__in=(TaskStatus.PENDING, TaskStatus.SIGNED)).count()
    assert f.overdue_tasks == late and f.overdue_unknown == len(no_limit)
    assert f.on_time_unknown >= len(no_limit)
    scope = Scope.for_period(world.park, period("2026"), today=TODAY)
    cards = {c["key"]: c for c in dashboard.kpis(scope, period("2026"))["cards"]}
    assert f"另有 {len(no_limit)} 件在办事项台账未记时间，未计入" in cards["overdue"]["detail"]
    assert f"另有 {f.on_time_unknown} 项任务台账未记时间，未计入" in cards["on_time"]["detail"]

    # The overdue scan alerts on the dated tasks only.
    assert scan_deadlines(today=TODAY) > 0
    alerted = set(Notification.objects.values_list("demand__source_ref", flat=True))
    assert alerted and not alerted & no_limit

    c = Client()
    c.force_login(world.users["dispatcher"])
    d = Demand.objects.filter(source_ref__in=no_limit).first()
    assert d is not None
    assert "时限未知" in c.get(f"/demands/{d.pk}/").content.decode()
