"""遗留问题: which demands are legacy by the park's rule, since when, and the 清零 figures.

A demand is legacy while it is open (not 销号, not merged) and old and unsolved by the park's
`LegacyRule`: open longer than N working days, or overdue with 催办/督办 at level M or above, or
(if the park counts them) escalated to 专家协商. `legacy_since` gives the day it became legacy,
so the same rule answers "legacy now", "cleared in a period" and the burn-down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from demands.models import OPEN_STATUSES, Demand, Event, Status, Tier
from experts.models import LegacyRule
from orgs.models import Park
from workcal import calendar as wcal

_DAY = dt.timedelta(days=1)
# Age buckets of the board, in working days open (upper bounds; None = no bound).
AGE_BUCKETS: list[tuple[str, int | None]] = [
    ("60 个工作日以内", 60),
    ("61–120 个工作日", 120),
    ("121–250 个工作日", 250),
    ("250 个工作日以上", None),
]


def rule_for(park: Park) -> LegacyRule:
    """The park's rule, or the defaults (unsaved) when the park has not set one."""
    rule = LegacyRule.objects.filter(park=park).first()
    return rule if rule is not None else LegacyRule(park=park)


def _local(d: dt.datetime) -> dt.date:
    return timezone.localtime(d).date()


def latest_legacy_birth(as_of: dt.date, n: int) -> dt.date:
    """The latest creation day for which more than `n` working days have passed by `as_of`."""
    d, count = as_of, 0  # count == working_days_between(d, as_of)
    while count <= n:
        if wcal.is_workday(d):
            count += 1
        d -= _DAY
    return d


def legacy_filter(rule: LegacyRule, as_of: dt.date) -> Q:
    """The rule as a query on open demands, for `as_of` = today (uses the current urge level)."""
    birth = latest_legacy_birth(as_of, rule.open_working_days)
    start = timezone.make_aware(dt.datetime.combine(birth + _DAY, dt.time.min))
    q = Q(created_at__lt=start)
    if rule.overdue_urges:
        q |= Q(urge_level__gte=rule.overdue_urges, due_date__lt=as_of)
    if rule.count_escalated:
        q |= Q(is_legacy=True)
    return q


def legacy_open(park: Park, as_of: dt.date | None = None) -> QuerySet[Demand]:
    as_of = as_of or timezone.localdate()
    rule = rule_for(park)
    return Demand.objects.filter(park=park, status__in=OPEN_STATUSES).filter(
        legacy_filter(rule, as_of)
    )


@dataclass
class History:
    """What the ledger's events say about a demand's way to legacy."""

    escalated_on: dt.date | None = None
    urges: tuple[dt.date, ...] = ()


def histories(demand_ids: list[int]) -> dict[int, History]:
    out: dict[int, History] = {}
    if not demand_ids:
        return out
    rows = (
        Event.objects.filter(demand_id__in=demand_ids, action__in=("escalate", "urge"))
        .order_by("created_at", "id")
        .values_list("demand_id", "action", "data", "created_at")
    )
    urges: dict[int, list[dt.date]] = {}
    for did, action, data, at in rows:
        h = out.setdefault(did, History())
        if action == "escalate" and (data or {}).get("tier") == Tier.EXPERT:
            h.escalated_on = h.escalated_on or _local(at)
        elif action == "urge":
            urges.setdefault(did, []).append(_local(at))
    for did, days in urges.items():
        out[did].urges = tuple(days)
    return out


def legacy_since(
    d: Demand, rule: LegacyRule, history: History | None = None
) -> tuple[dt.date, str] | None:
    """The first day the rule made the demand legacy, with the reason; None if it never did
    (on any day up to now). Closed and merged demands are judged on their life while open."""
    history = history or History()
    born = _local(d.created_at)
    options: list[tuple[dt.date, str]] = [
        (
            wcal.add_working_days(born, rule.open_working_days + 1),
            f"办理超过 {rule.open_working_days} 个工作日",
        )
    ]
    m = rule.overdue_urges
    if m and d.due_date is not None:
        # Urges before the item was late count once it is late (the due date as it stands).
        if len(history.urges) >= m:
            day = max(history.urges[m - 1], d.due_date + _DAY)
            options.append((day, f"逾期且催办/督办达 {m} 次"))
        elif d.urge_level >= m and not history.urges:
            options.append((d.due_date + _DAY, f"逾期且催办/督办达 {m} 次"))
    if rule.count_escalated:
        if history.escalated_on is not None:
            options.append((history.escalated_on, "已提级专家协商"))
        elif d.is_legacy:
            options.append((born, "已提级专家协商"))
    end = _local(d.closed_at) if d.closed_at else None
    day, why = min(options, key=lambda o: o[0])
    if end is not None and day > end:
        return None
    return day, why


def working_age(d: Demand, as_of: dt.date) -> int:
    return wcal.working_days_between(_local(d.created_at), as_of)


def bucket(age: int) -> int:
    for i, (_, hi) in enumerate(AGE_BUCKETS):
        if hi is None or age <= hi:
            return i
    return len(AGE_BUCKETS) - 1


def _candidates(park: Park, start: dt.date, end: dt.date) -> list[Demand]:
    """Demands that could be legacy and open at some day of [start, end]."""
    end_dt = timezone.make_aware(dt.datetime.combine(end + _DAY, dt.time.min))
    start_dt = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    return list(
        Demand.objects.filter(park=park, created_at__lt=end_dt)
        .exclude(status=Status.MERGED)
        # Closed at a time no one recorded (an imported finished ledger): not open on any day.
        .exclude(status=Status.CLOSED, closed_at__isnull=True)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start_dt))
        .only("pk", "created_at", "closed_at", "due_date", "urge_level", "is_legacy", "status")
    )


def _open_on(d: Demand, day: dt.date) -> bool:
    return d.closed_at is None or _local(d.closed_at) > day


def period_figures(park: Park, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Legacy items open at the start, newly legacy in the period, cleared (销号) in it, and
    open at the end. open_at_end = open_at_start + became − cleared."""
    rule = rule_for(park)
    cands = _candidates(park, start, end)
    hist = histories([d.pk for d in cands])
    open_start = became = cleared = open_end = 0
    for d in cands:
        since = legacy_since(d, rule, hist.get(d.pk))
        if since is None:
            continue
        day = since[0]
        if day > end:
            continue
        if day < start and _open_on(d, start - _DAY):
            open_start += 1
        elif start <= day:
            became += 1
        else:
            continue  # legacy before the period and closed before it began
        if d.closed_at is not None and _local(d.closed_at) <= end:
            cleared += 1
        else:
            open_end += 1
    return {
        "start": start,
        "end": end,
        "open_at_start": open_start,
        "became": became,
        "cleared": cleared,
        "open_at_end": open_end,
    }


def burndown(park: Park, start: dt.date, end: dt.date, target: dt.date | None) -> dict[str, Any]:
    """Weekly points (each Sunday, and the end day) of legacy items open, and the ideal line
    from the first point to zero on the target date."""
    rule = rule_for(park)
    cands = _candidates(park, start, end)
    hist = histories([d.pk for d in cands])
    lives = []
    for d in cands:
        since = legacy_since(d, rule, hist.get(d.pk))
        if since is not None:
            lives.append((since[0], _local(d.closed_at) if d.closed_at else None))
    days = []
    day = start + dt.timedelta(days=(6 - start.weekday()) % 7)
    while day < end:
        days.append(day)
        day += dt.timedelta(days=7)
    days.append(end)
    actual = [sum(1 for s, c in lives if s <= x and (c is None or c > x)) for x in days]
    ideal: list[float | None] = []
    if target is not None and actual and target > days[0]:
        span = (target - days[0]).days
        ideal = [round(max(0.0, actual[0] * (1 - (x - days[0]).days / span)), 1) for x in days]
    return {"days": [x.isoformat() for x in days], "actual": actual, "ideal": ideal}
