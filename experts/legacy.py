"""遗留问题: which demands are legacy by the park's rule, since when, and the 清零 figures.

A demand is legacy while it is open (not 销号, not merged) and old and unsolved by the park's
`LegacyRule`: open longer than N working days, or overdue with 催办/督办 at level M or above, or
(if the park counts them) escalated to 专家协商. `legacy_since` gives the day it became legacy,
so the same rule answers "legacy now", "cleared in a period" and the burn-down.

Two implementations of that one rule: `legacy_since` judges one demand in Python (the reason
shown beside an item, opening a consultation); `annotate` writes the same day as SQL — the
working-day thresholds computed here once per period, the M-th 催办 and the first 提级专家协商
as correlated subqueries on the ledger's events — so the 清零 board, the dashboard panel, its
drill-down and the briefing count in a constant number of queries however large the ledger
(`figures`, `items`). The tests hold both to the same hand-computed answers.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from demands.models import Demand, Event, Status, Task, TaskStatus, Tier
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


@dataclass
class History:
    """What the ledger's events and tasks say about a demand's way to legacy. `answered_due`:
    the earliest deadline of its answered tasks, unless one is paused — the due date it had
    while it was worked on, which the demand's own `due_date` forgets once it is answered or
    销号 (without it an item made legacy by urges would stop having been legacy on its 销号,
    and its 清零 would never count)."""

    escalated_on: dt.date | None = None
    urges: tuple[dt.date, ...] = ()
    answered_due: dt.date | None = None


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
    tasks = (
        Task.objects.filter(demand_id__in=demand_ids)
        .values("demand_id")
        .annotate(
            due=Min("deadline", filter=Q(status=TaskStatus.ANSWERED)),
            paused=Count("pk", filter=Q(status=TaskStatus.PAUSED)),
        )
        .order_by()
    )
    for r in tasks:
        if r["due"] is not None and not r["paused"]:
            out.setdefault(r["demand_id"], History()).answered_due = r["due"]
    return out


def _due(d: Demand, history: History) -> dt.date | None:
    """The due date the urge clause reads: the demand's, or the one it had while worked on."""
    return d.due_date if d.due_date is not None else history.answered_due


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
    due = _due(d, history)
    if m and due is not None:
        # Urges before the item was late count once it is late (the due date as it stands).
        # Urge events come with urge_level >= 1 (services.urge); the SQL below relies on it.
        if len(history.urges) >= m and d.urge_level:
            day = max(history.urges[m - 1], due + _DAY)
            options.append((day, f"逾期且催办/督办达 {m} 次"))
        elif d.urge_level >= m and not history.urges:
            options.append((due + _DAY, f"逾期且催办/督办达 {m} 次"))
    if rule.count_escalated and d.is_legacy:
        # An escalation to the experts sets is_legacy (the SQL below relies on it).
        options.append((history.escalated_on or born, "已提级专家协商"))
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


# --------------------------------------------------------------------------- set-based


FAR = dt.date(9999, 12, 31)  # "never" in the SQL below (Least/Greatest ignore no NULLs alike)
PARTS = {
    "open": "期末未清零的遗留问题",
    "start": "期初遗留问题",
    "became": "期内新认定的遗留问题",
    "cleared": "期内清零（销号）的遗留问题",
}


@dataclass(frozen=True)
class Slice:
    """Which demands of the park the figures describe (the dashboard's filters): 主办 department,
    category (a level-1 category includes its children), channel, liaison."""

    department_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    liaison_id: int | None = None

    def q(self) -> Q:
        q = Q()
        if self.department_id:
            q &= Q(lead_department_id=self.department_id)
        if self.category_id:
            q &= Q(category_id=self.category_id) | Q(category__parent_id=self.category_id)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.liaison_id:
            q &= Q(liaison_id=self.liaison_id)
        return q


class _NextDay(Func):
    """The day after a date column (SQLite and PostgreSQL, the two databases we run on)."""

    output_field = DateField()
    template = "(%(expressions)s + 1)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+1 day')")


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class _Ages:
    """The age rule of one period as plain dates, so that SQL compares creation times with
    constants: for each working day X of [start, end], the latest creation day that is more than
    n working days old on X (f(X); constant between working days), and f(start − 1).

    Counting working days back from X, the (n+1)-th one, w, is the first that no longer leaves
    n+1 of them, so f(X) = w − 1."""

    def __init__(self, start: dt.date, end: dt.date, n: int):
        self.start, self.end = start, end
        first = latest_legacy_birth(start - _DAY, n + 1)  # far enough back for every X
        work: list[dt.date] = []
        d = first
        while d <= end:
            if wcal.is_workday(d):
                work.append(d)
            d += _DAY
        self.before = latest_legacy_birth(start - _DAY, n)
        self.steps = [(x, work[i - n] - _DAY) for i, x in enumerate(work) if x >= start]
        self.last = self.steps[-1][1] if self.steps else self.before

    def limit(self, day: dt.date) -> dt.date:
        """f(day) for start − 1 <= day <= end."""
        out = self.before
        for x, f in self.steps:
            if x > day:
                break
            out = f
        return out

    def old_on(self, day: dt.date) -> Q:
        return Q(created_at__lt=_at(self.limit(day) + _DAY))

    def since(self, born: dt.date) -> dt.date:
        """The first day in [start − 1, end + 1] the age rule holds for a creation day (start − 1
        for earlier, end + 1 for later)."""
        if born <= self.before:
            return self.start - _DAY
        i = bisect.bisect_left([f for _, f in self.steps], born)
        return self.steps[i][0] if i < len(self.steps) else self.end + _DAY

    def cap_at_close(self) -> Case:
        """Per row: the creation time before which the demand was old on its 销号 day."""
        whens = []
        prev = self.before
        for x, f in self.steps:
            whens.append(When(closed_at__lt=_at(x), then=Value(_at(prev + _DAY))))
            prev = f
        return Case(*whens, default=Value(_at(prev + _DAY)), output_field=DateTimeField())


def _other_since(rule: LegacyRule, start: dt.date, end: dt.date) -> tuple[dict[str, Any], Any]:
    """Annotations, and the first day the urge or escalation clauses of the rule held, clipped
    to [start − 1, end + 1]."""
    parts: list[Any] = []
    ann: dict[str, Any] = {}
    m = rule.overdue_urges
    if m:
        urges = Event.objects.filter(demand_id=OuterRef("pk"), action="urge")
        ann["lg_urge_day"] = Subquery(
            urges.order_by("created_at", "id")
            .annotate(day=TruncDate("created_at"))
            .values("day")[m - 1 : m],
            output_field=DateField(),
        )
        ann["lg_urged"] = Exists(urges)
        # History.answered_due in SQL: the due date an answered or 销号 demand had.
        tasks = Task.objects.filter(demand_id=OuterRef("pk"))
        ann["lg_due"] = Coalesce(
            F("due_date"),
            Case(
                When(
                    ~Exists(tasks.filter(status=TaskStatus.PAUSED)),
                    then=Subquery(
                        tasks.filter(status=TaskStatus.ANSWERED)
                        .order_by("deadline")
                        .values("deadline")[:1]
                    ),
                ),
                default=Value(None),
                output_field=DateField(),
            ),
            output_field=DateField(),
        )
        # The tests of each WHEN run in the order written and stop at the first false one, so
        # the cheap and rare facts come first: the event and task subqueries then run for urged
        # demands only (an urge always raises urge_level, which nothing lowers), not for every
        # candidate (4 × 55,000 probes in a year's 清零 figures at 1,000,000 demands).
        # Keyword arguments would be sorted, lg_due first.
        parts.append(
            Case(
                When(
                    Q(urge_level__gte=1) & Q(lg_urge_day__isnull=False) & Q(lg_due__isnull=False),
                    then=Greatest("lg_urge_day", _NextDay("lg_due")),
                ),
                When(
                    Q(urge_level__gte=m) & Q(lg_urged=False) & Q(lg_due__isnull=False),
                    then=_NextDay("lg_due"),
                ),
                default=Value(FAR),
                output_field=DateField(),
            )
        )
    if rule.count_escalated:
        ann["lg_esc_day"] = Subquery(
            Event.objects.filter(
                demand_id=OuterRef("pk"), action="escalate", data__tier=Tier.EXPERT
            )
            .order_by("created_at", "id")
            .annotate(day=TruncDate("created_at"))
            .values("day")[:1],
            output_field=DateField(),
        )
        # An escalation to the experts always sets is_legacy (services.escalate, the import),
        # which nothing clears: only those rows need the event subquery.
        parts.append(
            Case(
                When(is_legacy=False, then=Value(FAR)),
                When(lg_esc_day__isnull=False, then=F("lg_esc_day")),
                default=TruncDate("created_at"),
                output_field=DateField(),
            )
        )
    top = Value(end + _DAY, output_field=DateField())
    earliest = Least(top, *parts, output_field=DateField()) if parts else top
    return ann, Greatest(
        Value(start - _DAY, output_field=DateField()), earliest, output_field=DateField()
    )


# PostgreSQL: `closed_at IS NULL OR closed_at >= day` written as one range of the covering
# index demand_legacy_cover (demands migration 0017), whose key is this very expression: the
# candidates come from the index alone. As two ranges of (park, closed_at) they came from a
# bitmap of heap pages — the year's 55,000 candidates of the busiest park at 1,000,000 demands
# lie on 37,700 of them, 1.4 s of the 清零 panel.
LEGACY_UNTIL_FAR = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _open_since(day: dt.date) -> Q:
    """Demands not closed before `day` (open, or closed on it or later)."""
    if connection.vendor == "postgresql":
        until = Coalesce(
            "closed_at",
            Value(LEGACY_UNTIL_FAR, output_field=DateTimeField()),
            output_field=DateTimeField(),
        )
        return Q(GreaterThanOrEqual(until, Value(_at(day), output_field=DateTimeField())))
    return Q(closed_at__isnull=True) | Q(closed_at__gte=_at(day))


def annotate(
    park: Park,
    start: dt.date,
    end: dt.date,
    where: Slice | None = None,
    rule: LegacyRule | None = None,
) -> tuple[QuerySet[Demand], _Ages]:
    """The park's demands that could count in [start, end] — received by `end`, not merged, not
    closed before `start` — with `lg_other` (the first day the urge or escalation clause held,
    clipped to [start − 1, end + 1]) and `lg_close` (the 销号 day when within the period); the
    age clause is in the returned `_Ages`."""
    rule = rule or rule_for(park)
    ages = _Ages(start, end, rule.open_working_days)
    ann, other = _other_since(rule, start, end)
    qs = (
        Demand.objects.filter(park=park, created_at__lt=_at(end + _DAY))
        .exclude(status=Status.MERGED)
        # Closed at a time no one recorded (an imported finished ledger): not open on any day.
        .exclude(status=Status.CLOSED, closed_at__isnull=True)
        .filter(_open_since(start))
    )
    if where is not None:
        qs = qs.filter(where.q())
    return (
        qs.annotate(**ann).annotate(
            lg_other=other,
            lg_close=Case(
                When(closed_at__lt=_at(end + _DAY), then=TruncDate("closed_at")),
                default=Value(None),
                output_field=DateField(),
            ),
        ),
        ages,
    )


def _band_expr(as_of: dt.date) -> Case:
    """The age band (index into AGE_BUCKETS) of a demand on `as_of`, from its creation time."""
    whens = [
        When(created_at__gte=_at(latest_legacy_birth(as_of, hi) + _DAY), then=Value(i))
        for i, (_, hi) in enumerate(AGE_BUCKETS)
        if hi is not None
    ]
    return Case(*whens, default=Value(len(AGE_BUCKETS) - 1), output_field=IntegerField())


def _part(part: str, ages: _Ages) -> tuple[Q, dict[str, Any]]:
    """The condition of one figure on `annotate`'s rows, with any annotation it needs."""
    start, end = ages.start, ages.end

    def legacy_on(day: dt.date) -> Q:
        return ages.old_on(day) | Q(lg_other__lte=day)

    at_close = Q(lg_other__lte=F("lg_close")) | Q(created_at__lt=F("lg_cap"))
    if part == "open":
        # lg_close IS NULL written on the column as well: the planner reads that range of the
        # index instead of walking the park's rows.
        not_closed = _open_since(end + _DAY)
        return legacy_on(end) & Q(lg_close__isnull=True) & not_closed, {}
    if part == "start":
        return legacy_on(start - _DAY), {}
    if part == "cleared":
        return Q(lg_close__isnull=False) & at_close, {"lg_cap": ages.cap_at_close()}
    if part == "became":
        q = legacy_on(end) & ~legacy_on(start - _DAY) & (Q(lg_close__isnull=True) | at_close)
        return q, {"lg_cap": ages.cap_at_close()}
    raise KeyError(part)


def items(
    park: Park,
    start: dt.date,
    end: dt.date,
    part: str = "open",
    *,
    where: Slice | None = None,
    band: int | None = None,
    department_id: int | None | str = None,
    rule: LegacyRule | None = None,
) -> QuerySet[Demand]:
    """Exactly the demands one of the figures counts (the drill-down): `part` is open (at the
    end), start (open at the start), became or cleared; `band` an age band on `end` and
    `department_id` a 主办 department ("none" for items never dispatched)."""
    qs = _matching(park, start, end, part, where, band, department_id, rule)
    return Demand.objects.filter(pk__in=qs.values("pk"))


def item_ids(
    park: Park, start: dt.date, end: dt.date, part: str = "open", *, rule: LegacyRule | None = None
) -> QuerySet[Demand, Any]:
    """The ids of `items(…)` as a subquery of the candidates themselves: a query filtering on
    `id IN (item_ids(…))` reads them from the covering index in one pass. Through `items` the
    extra layer of demands led PostgreSQL to probe the table by primary key once per outer row
    (12,800 heap fetches for the 遗留问题 figure of the busiest park at 1,000,000 demands)."""
    return _matching(park, start, end, part, None, None, None, rule).order_by().values("pk")


def first_items(
    park: Park,
    start: dt.date,
    end: dt.date,
    part: str = "open",
    *,
    n: int,
    where: Slice | None = None,
    rule: LegacyRule | None = None,
) -> list[Demand]:
    """The `n` oldest demands of `items(…)`, with their enterprise and 主办 department, in two
    steps: the ids from the annotated candidates themselves in creation order — the database
    walks the (park, created_at) index and stops at the n-th match, computing the correlated
    subqueries for the rows it passes only — then those n rows. Sorting the whole set of
    `items` (a semi-join on every candidate) first took 0.96 s at 1,000,000 demands."""
    qs = _matching(park, start, end, part, where, None, None, rule)
    ids = list(qs.order_by("created_at", "id").values_list("pk", flat=True)[:n])
    rows = Demand.objects.filter(pk__in=ids).select_related("enterprise", "lead_department")
    by_id = {d.pk: d for d in rows}
    return [by_id[pk] for pk in ids]


def _matching(
    park: Park,
    start: dt.date,
    end: dt.date,
    part: str,
    where: Slice | None,
    band: int | None,
    department_id: int | None | str,
    rule: LegacyRule | None,
) -> QuerySet[Demand]:
    qs, ages = annotate(park, start, end, where, rule)
    cond, extra = _part(part, ages)
    qs = qs.annotate(**extra).filter(cond)
    if band is not None:
        qs = qs.annotate(lg_band=_band_expr(end)).filter(lg_band=band)
    if department_id == "none":
        qs = qs.filter(lead_department__isnull=True)
    elif department_id:
        qs = qs.filter(Q(lead_department_id=department_id))
    return qs


def figures(
    park: Park,
    start: dt.date,
    end: dt.date,
    where: Slice | None = None,
    target: dt.date | None = None,
    rule: LegacyRule | None = None,
) -> dict[str, Any]:
    """The 清零 figures of [start, end] in two queries: open at the start, became legacy,
    cleared (销号), open at the end (open_at_end = open_at_start + became − cleared); the
    burn-down (each Sunday and the end day, with the ideal line to the target date); the items
    open at the end by age band and by 主办 department.

    The first query groups the candidates by creation day (clipped to the days where the age
    rule changes its answer within the period), the other clauses' day and the 销号 day, so it
    returns at most a row per distinct triple however many demands share it."""
    qs, ages = annotate(park, start, end, where, rule)
    born = Greatest(
        Value(ages.before, output_field=DateField()),
        Least(
            Value(ages.last + _DAY, output_field=DateField()),
            TruncDate("created_at"),
            output_field=DateField(),
        ),
        output_field=DateField(),
    )
    # The annotations are not model fields: their names go through a plain list.
    grouped: list[str] = ["lg_born", "lg_other", "lg_close"]
    rows = qs.annotate(lg_born=born).values(*grouped).annotate(n=Count("pk")).order_by()
    lives = []
    for r in rows:
        since = min(ages.since(r["lg_born"]), r["lg_other"])
        close = r["lg_close"]
        if since <= end and (close is None or since <= close):
            lives.append((since, close, r["n"]))
    open_start = sum(n for s, _, n in lives if s < start)
    became = sum(n for s, _, n in lives if s >= start)
    cleared = sum(n for _, c, n in lives if c is not None)
    open_end = sum(n for _, c, n in lives if c is None)
    days = []
    day = start + dt.timedelta(days=(6 - start.weekday()) % 7)
    while day < end:
        days.append(day)
        day += dt.timedelta(days=7)
    days.append(end)
    actual = [sum(n for s, c, n in lives if s <= x and (c is None or c > x)) for x in days]
    ideal: list[float | None] = []
    if target is not None and target > days[0]:
        span = (target - days[0]).days
        ideal = [round(max(0.0, actual[0] * (1 - (x - days[0]).days / span)), 1) for x in days]
    cond, _ = _part("open", ages)
    by = (
        qs.filter(cond)
        .annotate(lg_band=_band_expr(end))
        .values("lead_department_id", "lead_department__name", "lg_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    age_counts = [0] * len(AGE_BUCKETS)
    depts: dict[int | None, dict[str, Any]] = {}
    for r in by:
        age_counts[r["lg_band"]] += r["n"]
        key = r["lead_department_id"]
        row = depts.setdefault(
            key,
            {
                "id": key,
                "name": r["lead_department__name"] or "未交办",
                "counts": [0] * len(AGE_BUCKETS),
                "total": 0,
            },
        )
        row["counts"][r["lg_band"]] += r["n"]
        row["total"] += r["n"]
    return {
        "start": start,
        "end": end,
        "open_at_start": open_start,
        "became": became,
        "cleared": cleared,
        "open_at_end": open_end,
        "target": target,
        "burndown": {"days": [x.isoformat() for x in days], "actual": actual, "ideal": ideal},
        "ages": age_counts,
        "departments": sorted(depts.values(), key=lambda r: (-r["total"], r["name"])),
    }


def legacy_open(park: Park, as_of: dt.date | None = None) -> QuerySet[Demand]:
    """The legacy items open on `as_of` (default today)."""
    as_of = as_of or timezone.localdate()
    return items(park, as_of, as_of, "open")


def period_figures(park: Park, start: dt.date, end: dt.date) -> dict[str, Any]:
    f = figures(park, start, end)
    keys = ("start", "end", "open_at_start", "became", "cleared", "open_at_end")
    return {k: f[k] for k in keys}


def burndown(park: Park, start: dt.date, end: dt.date, target: dt.date | None) -> dict[str, Any]:
    return dict(figures(park, start, end, target=target)["burndown"])
