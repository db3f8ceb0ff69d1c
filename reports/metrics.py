"""The figures a park reports: 三率 and the rest, for any period and slice of the ledger.

Every figure is defined in docs/metrics.md; the short definitions shown beside each figure on the
dashboard are `DEFINITIONS` below. In brief: a period selects the demands *received* in it (受理时间;
merged duplicates excluded), and every figure describes that cohort as the ledger stands today.
Task figures (响应率, 按时办结率, 退单率, 平均办理用时) count the department tasks of the cohort.

The functions read `reports.models.DemandFact` / `TaskFact`, rows derived from the ledger's events
by `reports.facts` (brought up to date at the start of every call), so each figure is one aggregate
query however long the timeline. `summary` computes all headline figures in two queries; the single
functions (`on_spot_rate`, …) return exactly the same numbers, from the same aggregates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from demands.models import OPEN_STATUSES, Category, Demand, Outcome, Status, Tier
from entities.models import MarketEntity
from experts import legacy as experts_legacy
from liaisons.services import cadence_for
from orgs.models import Department, Park
from reports import facts
from reports.models import (
    DEMAND_COUNTERS,
    RESPONSE_DAYS_KEPT,
    DemandFact,
    DemandRollup,
    TaskFact,
    TaskRollup,
)
from reports.periods import Period
from workcal import calendar as wcal

# 三率 composite: 响应率, 解决率, 满意率 weights (percent); settings.QINSHANG_SANLV_WEIGHTS overrides.
DEFAULT_SANLV_WEIGHTS: tuple[float, float, float] = (30, 35, 35)
# How much each outcome counts towards 解决率; settings.QINSHANG_OUTCOME_CREDIT overrides.
DEFAULT_OUTCOME_CREDIT: dict[str, float] = {
    Outcome.SOLVED: 1.0,
    Outcome.PARTLY: 0.5,
    Outcome.EXPLAINED: 0.0,
    Outcome.NOT_FEASIBLE: 0.0,
}
TIERS: tuple[str, ...] = tuple(Tier.values)
WORKING_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)
ESCALATED_TIERS = (Tier.RECEPTION_DAY, Tier.PROJECT_MEETING, Tier.EXPERT)

DEFINITIONS: dict[str, str] = {
    "received": "统计期内受理（按受理时间）的诉求件数；被合并的重复件不计。",
    "answered": "上述诉求中目前已答复（待回访、待销号或已销号）的件数。",
    "closed": "上述诉求中目前已销号（形成工作闭环）的件数。",
    "on_spot": "当即解决率 = 受理时当场答复（解决层级为“当即解决”）且目前仍处于已答复状态的件数 ÷ 受理件数。",
    "tiers": "各层级解决占比 = 在该层级（当即解决、限时交办、企业接待日、重点项目调度会、专家协商）"
    "答复的件数 ÷ 受理件数；其余为尚未答复。",
    "response": "响应率 = 交办后在签收时限（园区设置，默认 1 个工作日，按法定节假日和调休计算）内"
    "签收或退单的任务数 ÷ 已响应或已超过签收时限的任务数。导入台账自带的“响应”判断按台账计；"
    "既无判断也无签收时间的导入任务不计。",
    "on_time": "按时办结率 = 首次答复不晚于办结时限（含已批准的延期和暂停顺延）的任务数 ÷ "
    "已答复的任务数与目前已逾期未答复（暂停中的除外）的任务数之和。",
    "solve": "解决率 = Σ 办理结果得分 ÷ 已答复件数；“已解决”计 1 分，“部分解决”计 0.5 分，"
    "“政策解释到位”“暂不具备条件”计 0 分。",
    "satisfaction": "满意率 =（“满意” + “基本满意”）回访评价次数 ÷ 全部回访评价次数；"
    "重办或重新打开后的再次回访各计一次。",
    "reopen": "重新打开率 = 销号后又被重新打开过的件数 ÷ 至少销号过一次的件数。",
    "returns": "退单率 = 部门退单次数 ÷ 交办任务数（含被退回后改派的任务），反映派单准确度。",
    "avg_days": "平均办理用时 = 任务从交办到首次答复经过的工作日数（扣除“待补充材料”暂停的工作日）"
    "的平均值；当即解决的诉求没有任务，不计入。",
    "sanlv": "三率综合得分 = 响应率 × 30% + 解决率 × 35% + 满意率 × 35%（权重可配置）；"
    "某一率无数据时按其余各率的权重重新归一。",
    "overdue": "目前已超过办结时限仍在交办、办理或退单处理中的件数。",
    "legacy_open": "按本园区遗留问题规则（办理超过规定工作日数、逾期且催办达规定次数，或已提级专家协商）"
    "认定为遗留问题、目前尚未办结的件数，与遗留问题清零看板一致。",
    "coverage": "服务员覆盖率 = 在园市场主体中已明确专属服务员的比例；按期联系率 = 最近联系在走访周期内"
    "（重点企业 30 天、规上企业和重点项目 60 天、一般 90 天）的比例。按当前状态统计。",
}


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Rate:
    num: float
    den: int

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None

    @property
    def percent(self) -> float | None:
        v = self.value
        return None if v is None else round(100 * v, 1)

    def __str__(self) -> str:
        p = self.percent
        return "—" if p is None else f"{p:.1f}%"


@dataclass(frozen=True)
class Figures:
    """Every headline figure for one slice of the ledger."""

    received: int
    answered: int
    closed: int
    open: int
    overdue: int
    legacy_open: int
    on_spot: Rate
    tiers: dict[str, Rate]
    response: Rate
    on_time: Rate
    solve: Rate
    satisfaction: Rate
    reopen: Rate
    returns: Rate
    avg_answer_days: float | None
    sanlv: float | None
    tasks: int
    overdue_tasks: int
    outcomes: dict[str, int] = field(default_factory=dict)
    ratings: dict[str, int] = field(default_factory=dict)
    answered_tasks: int = 0  # tasks with an answer time: the sample of 平均办理用时

    # The counts the drill-downs list (DRILLS): each one is the complement or the sample of a
    # rate above, so a figure and the list behind it are computed from the same aggregate.
    @property
    def response_late(self) -> int:
        """Tasks not signed or returned within the window (响应率's misses)."""
        return self.response.den - int(self.response.num)

    @property
    def late_tasks(self) -> int:
        """Tasks answered late or overdue unanswered (按时办结率's misses)."""
        return self.on_time.den - int(self.on_time.num)

    @property
    def unsolved(self) -> int:
        """Answered demands whose outcome is not 已解决."""
        return sum(self.outcomes.values()) - self.outcomes.get(Outcome.SOLVED, 0)

    @property
    def unanswered(self) -> int:
        return self.received - self.answered

    # What each timed figure leaves out because an imported sheet gave no time for it.
    response_unknown: int = 0  # tasks: no 签收时间 and no 响应 judgement
    on_time_unknown: int = 0  # tasks: no 答复时间 or no 办结时限
    days_unknown: int = 0  # answered tasks: no 派发时间 or 答复时间
    overdue_unknown: int = 0  # open demands: no 办结时限

    @property
    def left_out(self) -> dict[str, int]:
        return {
            "response": self.response_unknown,
            "on_time": self.on_time_unknown,
            "avg_days": self.days_unknown,
            "overdue": self.overdue_unknown,
        }

    def as_dict(self) -> dict[str, Any]:
        def r(rate: Rate) -> dict[str, Any]:
            return {"num": rate.num, "den": rate.den, "percent": rate.percent}

        return {
            "received": self.received,
            "answered": self.answered,
            "closed": self.closed,
            "open": self.open,
            "overdue": self.overdue,
            "legacy_open": self.legacy_open,
            "on_spot": r(self.on_spot),
            "tiers": {k: r(v) for k, v in self.tiers.items()},
            "response": r(self.response),
            "on_time": r(self.on_time),
            "solve": r(self.solve),
            "satisfaction": r(self.satisfaction),
            "reopen": r(self.reopen),
            "returns": r(self.returns),
            "avg_answer_days": self.avg_answer_days,
            "sanlv": self.sanlv,
            "tasks": self.tasks,
            "overdue_tasks": self.overdue_tasks,
            "outcomes": self.outcomes,
            "ratings": self.ratings,
            "answered_tasks": self.answered_tasks,
            "response_late": self.response_late,
            "late_tasks": self.late_tasks,
            "unsolved": self.unsolved,
            "left_out": self.left_out,
        }


# --------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """Which demands a figure describes: received in [start, end] in a park, optionally of one
    department (主办 for demand figures, its own tasks for task figures), category (level 1
    includes its level-2 children), channel or liaison. `today` decides what is overdue."""

    park: Park
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive
    department_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    liaison_id: int | None = None
    today: dt.date | None = None
    response_window: int | None = None  # working days; default the park's setting
    rollups: bool = True  # read the monthly rollups when the slice allows (tests compare both)

    @classmethod
    def for_period(cls, park: Park, period: Period | None, **kw: Any) -> Scope:
        if period is None:
            return cls(park, **kw)
        return cls(park, period.start, period.end, **kw)

    @property
    def day(self) -> dt.date:
        return self.today or timezone.localdate()

    @property
    def window(self) -> int:
        w = self.response_window
        return self.park.response_window_working_days if w is None else w

    def but(self, **kw: Any) -> Scope:
        return replace(self, **kw)

    def _range(self, name: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{name}__gte": _midnight(self.start)})
        if self.end:
            q &= Q(**{f"{name}__lt": _midnight(self.end + dt.timedelta(days=1))})
        return q

    def _dims(self) -> Q:
        q = Q()
        if self.category_id:
            q &= Q(category_id=self.category_id) | Q(category_l1_id=self.category_id)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.liaison_id:
            q &= Q(liaison_id=self.liaison_id)
        return q

    def demand_facts(self) -> QuerySet[DemandFact]:
        q = Q(park_id=self.park.pk, is_merged=False) & self._range("created_at") & self._dims()
        if self.department_id:
            q &= Q(lead_department_id=self.department_id)
        return DemandFact.objects.filter(q)

    def task_facts(self) -> QuerySet[TaskFact]:
        q = (
            Q(park_id=self.park.pk, demand_merged=False)
            & self._range("demand_created_at")
            & self._dims()
        )
        if self.department_id:
            q &= Q(department_id=self.department_id)
        return TaskFact.objects.filter(q)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def response_cutoff(today: dt.date, window: int) -> dt.date:
    """Tasks assigned before this date and still unsigned have missed their response window:
    more than `window` working days lie between their assignment and today."""
    day = today
    while wcal.working_days_between(day - dt.timedelta(days=1), today) <= window:
        day -= dt.timedelta(days=1)
    return day


# --------------------------------------------------------------------------- aggregates


def _demand_aggs(today: dt.date) -> dict[str, Any]:
    answered = Q(answered=True)
    aggs: dict[str, Any] = {
        "received": Count("pk"),
        "answered": Count("pk", filter=answered),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=WORKING_STATUSES, due_date__lt=today)),
        "overdue_unknown": Count("pk", filter=Q(status__in=WORKING_STATUSES, due_date=None)),
        "rated": Sum("rated"),
        "r_satisfied": Sum("rated_satisfied"),
        "r_basic": Sum("rated_basic"),
        "r_dissatisfied": Sum("rated_dissatisfied"),
        "reopened": Count("pk", filter=Q(reopened=True)),
        "ever_closed": Count("pk", filter=Q(ever_closed=True)),
    }
    for t in TIERS:
        aggs[f"tier_{t}"] = Count("pk", filter=answered & Q(tier=t))
    for o in Outcome.values:
        aggs[f"out_{o}"] = Count("pk", filter=answered & Q(outcome=o))
    # Aliases must not shadow the fact columns they aggregate ("answered", "rated", …).
    return {f"x_{k}": v for k, v in aggs.items()}


def _task_aggs(today: dt.date, window: int) -> dict[str, Any]:
    cutoff = response_cutoff(today, window)
    late_now = Q(active=True, paused=False, deadline__lt=today, deadline_known=True)
    timed = Q(sheet_responded__isnull=True, response_known=True)
    aggs = {
        "tasks": Count("pk"),
        "returns": Sum("returns"),
        "resp_ok": Count(
            "pk", filter=Q(sheet_responded=True) | timed & Q(response_days__lte=window)
        ),
        "resp_due": Count(
            "pk",
            filter=Q(sheet_responded__isnull=False)
            | timed
            & (Q(response_days__isnull=False) | Q(cancelled=False, assigned_date__lt=cutoff)),
        ),
        "ontime_ok": Count("pk", filter=Q(deadline_known=True, answered_on_time=True)),
        "ontime_due": Count(
            "pk", filter=Q(deadline_known=True) & (Q(answered_on_time__isnull=False) | late_now)
        ),
        "days_sum": Sum("answer_days"),
        "days_n": Count("answer_days"),
        "overdue_tasks": Count("pk", filter=late_now),
        "resp_unknown": Count("pk", filter=Q(sheet_responded__isnull=True, response_known=False)),
        "ontime_unknown": Count(
            "pk", filter=Q(answer_known=False) | Q(deadline_known=False, cancelled=False)
        ),
        "days_unknown": Count(
            "pk",
            filter=Q(answer_known=False) | Q(first_answered_at__isnull=False, answer_days=None),
        ),
    }
    return {f"x_{k}": v for k, v in aggs.items()}


def _weights(weights: Iterable[float] | None) -> tuple[float, float, float]:
    w = (
        tuple(weights)
        if weights is not None
        else tuple(getattr(settings, "QINSHANG_SANLV_WEIGHTS", DEFAULT_SANLV_WEIGHTS))
    )
    if len(w) != 3 or any(x < 0 for x in w) or not sum(w):
        raise ValueError("三率权重须为三个非负数且不全为零，如 30,35,35")
    return (float(w[0]), float(w[1]), float(w[2]))


def _credit(credit: Mapping[str, float] | None) -> Mapping[str, float]:
    return credit or getattr(settings, "QINSHANG_OUTCOME_CREDIT", DEFAULT_OUTCOME_CREDIT)


def composite(rates: Iterable[Rate], weights: Iterable[float] | None = None) -> float | None:
    """Weighted mean of the rates that have data, in percent (one decimal)."""
    pairs = [
        (r.value, w)
        for r, w in zip(rates, _weights(weights), strict=True)
        if r.value is not None and w > 0
    ]
    total = sum(w for _, w in pairs)
    if not total:
        return None
    return round(100 * sum(v * w for v, w in pairs) / total, 1)


def _figures(
    d: Mapping[str, Any],
    t: Mapping[str, Any],
    weights: Iterable[float] | None = None,
    credit: Mapping[str, float] | None = None,
) -> Figures:
    def n(row: Mapping[str, Any], key: str) -> int:
        return int(row.get(f"x_{key}") or 0)

    received = n(d, "received")
    answered = n(d, "answered")
    cr = _credit(credit)
    outcomes = {o: n(d, f"out_{o}") for o in Outcome.values}
    solved_den = sum(outcomes.values())
    solved_num = sum(cr.get(o, 0.0) * k for o, k in outcomes.items())
    ratings = {
        "satisfied": n(d, "r_satisfied"),
        "basic": n(d, "r_basic"),
        "dissatisfied": n(d, "r_dissatisfied"),
    }
    response = Rate(n(t, "resp_ok"), n(t, "resp_due"))
    solve = Rate(round(solved_num, 4), solved_den)
    satisfaction = Rate(ratings["satisfied"] + ratings["basic"], n(d, "rated"))
    days_n = n(t, "days_n")
    return Figures(
        received=received,
        answered=answered,
        closed=n(d, "closed"),
        open=n(d, "open"),
        overdue=n(d, "overdue"),
        # By the park's legacy rule, not a fact column: summary and the breakdowns fill it in.
        legacy_open=0,
        on_spot=Rate(n(d, f"tier_{Tier.ON_SPOT}"), received),
        tiers={tier: Rate(n(d, f"tier_{tier}"), received) for tier in TIERS},
        response=response,
        on_time=Rate(n(t, "ontime_ok"), n(t, "ontime_due")),
        solve=solve,
        satisfaction=satisfaction,
        reopen=Rate(n(d, "reopened"), n(d, "ever_closed")),
        returns=Rate(n(t, "returns"), n(t, "tasks")),
        avg_answer_days=round(n(t, "days_sum") / days_n, 2) if days_n else None,
        sanlv=composite((response, solve, satisfaction), weights),
        tasks=n(t, "tasks"),
        overdue_tasks=n(t, "overdue_tasks"),
        outcomes=outcomes,
        ratings=ratings,
        answered_tasks=days_n,
        response_unknown=n(t, "resp_unknown"),
        on_time_unknown=n(t, "ontime_unknown"),
        days_unknown=n(t, "days_unknown"),
        overdue_unknown=n(d, "overdue_unknown"),
    )


def _yyyymm(day: dt.date) -> int:
    return day.year * 100 + day.month


def _is_level1(category_id: int) -> bool:
    return Category.objects.filter(pk=category_id, parent__isnull=True).exists()


def use_rollups(scope: Scope) -> bool:
    """The monthly rollups answer a slice made of whole months, without a liaison or level-2
    category filter and with a response window the histogram covers; anything else reads the
    facts (indexed for those filters too)."""
    if not scope.rollups or scope.liaison_id or scope.window > RESPONSE_DAYS_KEPT:
        return False
    if scope.start and scope.start.day != 1:
        return False
    if scope.end and (scope.end + dt.timedelta(days=1)).day != 1:
        return False
    return not (scope.category_id and not _is_level1(scope.category_id))


def _rollup_q(scope: Scope, dept_field: str) -> Q:
    q = Q(park_id=scope.park.pk)
    if scope.start:
        q &= Q(month__gte=_yyyymm(scope.start))
    if scope.end:
        q &= Q(month__lte=_yyyymm(scope.end))
    if scope.category_id:
        q &= Q(category_l1_id=scope.category_id)
    if scope.channel:
        q &= Q(channel=scope.channel)
    if scope.department_id:
        q &= Q(**{dept_field: scope.department_id})
    return q


def _none(key: str | None, value: Any) -> Any:
    """Rollups store "no department / no category" as 0; facts as NULL."""
    return None if key and key.endswith("_id") and value == 0 else value


def _rows(
    static: Any, live: Any, key: str | None, static_aggs: dict[str, Any], live_aggs: dict[str, Any]
) -> dict[Any, dict[str, Any]]:
    if key is None:
        return {None: {**static.aggregate(**static_aggs), **live.aggregate(**live_aggs)}}
    out: dict[Any, dict[str, Any]] = {}
    for r in static.order_by().values(key).annotate(**static_aggs):
        out[_none(key, r[key])] = r
    for r in live.order_by().values(key).annotate(**live_aggs):
        out.setdefault(_none(key, r[key]), {}).update(r)
    return out


def demand_rows(scope: Scope, key: str | None = None) -> dict[Any, dict[str, Any]]:
    """Raw demand aggregates of the scope, grouped by `key` (a fact column) or as one row."""
    facts.process_stale()
    today = scope.day
    if not use_rollups(scope):
        qs = scope.demand_facts()
        if key is None:
            return {None: qs.aggregate(**_demand_aggs(today))}
        return {r[key]: r for r in qs.order_by().values(key).annotate(**_demand_aggs(today))}
    static = DemandRollup.objects.filter(_rollup_q(scope, "lead_department_id"))
    live = scope.demand_facts().filter(status__in=WORKING_STATUSES)
    live_aggs = {
        "x_overdue": Count("pk", filter=Q(due_date__lt=today)),
        "x_overdue_unknown": Count("pk", filter=Q(due_date=None)),
    }
    return _rows(static, live, key, {f"x_{c}": Sum(c) for c in DEMAND_COUNTERS}, live_aggs)


def task_rows(scope: Scope, key: str | None = None) -> dict[Any, dict[str, Any]]:
    facts.process_stale()
    today, window = scope.day, scope.window
    if not use_rollups(scope):
        qs = scope.task_facts()
        if key is None:
            return {None: qs.aggregate(**_task_aggs(today, window))}
        return {r[key]: r for r in qs.order_by().values(key).annotate(**_task_aggs(today, window))}
    static = TaskRollup.objects.filter(_rollup_q(scope, "department_id"))
    resp_ok: Any = F("resp_0") + F("resp_sheet_ok")
    for d in range(1, window + 1):
        resp_ok = resp_ok + F(f"resp_{d}")
    static_aggs = {
        "x_tasks": Sum("tasks"),
        "x_returns": Sum("returns"),
        "x_reacted": Sum(F("reacted") + F("resp_sheet_n")),
        "x_resp_ok": Sum(resp_ok),
        "x_ontime_ok": Sum("ontime_ok"),
        "x_ontime_answered": Sum("ontime_answered"),
        "x_days_sum": Sum("days_sum"),
        "x_days_n": Sum("days_n"),
        "x_resp_unknown": Sum("resp_unknown"),
        "x_ontime_unknown": Sum("ontime_unknown"),
        "x_days_unknown": Sum("days_unknown"),
    }
    # Only unsigned or still-open tasks change standing with the date (partial index tfact_live).
    live = scope.task_facts().filter(Q(active=True) | Q(response_days__isnull=True))
    late_now = Q(active=True, paused=False, deadline__lt=today, deadline_known=True)
    live_aggs = {
        "x_pending_due": Count(
            "pk",
            filter=Q(
                sheet_responded__isnull=True,
                response_known=True,
                response_days__isnull=True,
                cancelled=False,
                assigned_date__lt=response_cutoff(today, window),
            ),
        ),
        "x_late_unanswered": Count(
            "pk", filter=late_now & Q(deadline_known=True, answered_on_time__isnull=True)
        ),
        "x_overdue_tasks": Count("pk", filter=late_now),
    }
    rows = _rows(static, live, key, static_aggs, live_aggs)
    for r in rows.values():
        r["x_resp_due"] = (r.get("x_reacted") or 0) + (r.get("x_pending_due") or 0)
        r["x_ontime_due"] = (r.get("x_ontime_answered") or 0) + (r.get("x_late_unanswered") or 0)
    return rows


def _demand_row(scope: Scope) -> dict[str, Any]:
    return demand_rows(scope)[None]


def _task_row(scope: Scope) -> dict[str, Any]:
    return task_rows(scope)[None]


# --------------------------------------------------------------------------- headline figures


def _legacy_q(scope: Scope) -> Q:
    """The scope's demands that are legacy and open on its day by the park's rule
    (experts.legacy, as the 清零 board counts them), not by the `is_legacy` flag alone."""
    day = scope.day
    ids = experts_legacy.item_ids(scope.park, day, day, "open")
    return Q(demand_id__in=ids, status__in=OPEN_STATUSES)


def legacy_rows(scope: Scope, key: str | None = None, *, fresh: bool = False) -> dict[Any, int]:
    """遗留问题 open by the park's rule, grouped by `key` (a demand fact column) or in one row:
    two queries (the rule, the count). `fresh`: the caller has just brought the facts up to date."""
    if not fresh:
        facts.process_stale()
    qs = scope.demand_facts().filter(_legacy_q(scope)).order_by()
    if key is None:
        return {None: qs.count()}
    return {r[key]: r["n"] for r in qs.values(key).annotate(n=Count("pk"))}


def legacy_open(scope: Scope) -> int:
    """未销号的遗留问题 by the park's rule (the drill `legacy_open` lists exactly these)."""
    return legacy_rows(scope)[None]


def summary(
    scope: Scope, weights: Iterable[float] | None = None, credit: Mapping[str, float] | None = None
) -> Figures:
    """All headline figures for the scope, in three queries."""
    figs = _figures(_demand_row(scope), _task_row(scope), weights, credit)
    return replace(figs, legacy_open=legacy_rows(scope, fresh=True)[None])


def received(scope: Scope) -> int:
    return _figures(_demand_row(scope), {}).received


def answered(scope: Scope) -> int:
    return _figures(_demand_row(scope), {}).answered


def closed(scope: Scope) -> int:
    return _figures(_demand_row(scope), {}).closed


def on_spot_rate(scope: Scope) -> Rate:
    """当即解决率."""
    return _figures(_demand_row(scope), {}).on_spot


def tier_shares(scope: Scope) -> dict[str, Rate]:
    """Share of received demands answered at each tier of the ladder."""
    return _figures(_demand_row(scope), {}).tiers


def response_rate(scope: Scope) -> Rate:
    """响应率."""
    return _figures({}, _task_row(scope)).response


def on_time_rate(scope: Scope) -> Rate:
    """按时办结率."""
    return _figures({}, _task_row(scope)).on_time


def solve_rate(scope: Scope, credit: Mapping[str, float] | None = None) -> Rate:
    """解决率."""
    return _figures(_demand_row(scope), {}, credit=credit).solve


def satisfaction_rate(scope: Scope) -> Rate:
    """满意率."""
    return _figures(_demand_row(scope), {}).satisfaction


def reopen_rate(scope: Scope) -> Rate:
    return _figures(_demand_row(scope), {}).reopen


def return_rate(scope: Scope) -> Rate:
    """退单率."""
    return _figures({}, _task_row(scope)).returns


def avg_answer_days(scope: Scope) -> float | None:
    return _figures({}, _task_row(scope)).avg_answer_days


def sanlv(scope: Scope, weights: Iterable[float] | None = None) -> float | None:
    """三率 composite: 响应率, 解决率 and 满意率 weighted (default 30/35/35)."""
    return summary(scope, weights).sanlv


NOUNS = {"enterprise": "企业诉求", "resident": "群众诉求", "community": "群众诉求"}


def demand_noun(scope: Scope) -> str:
    """How texts name the scope's demands: 企业诉求 when every one is an enterprise's, 群众诉求
    when every one is a resident's or a village's, else 诉求 (a bureau's citizen complaints are
    not enterprise demands).

    The park's own kinds first, from the (park, requester_kind) index: a park of one kind — the
    common case — then needs only whether the scope has any demand at all. Asking the scope's
    distinct kinds joined every fact row of the period to its demand (711 ms for a year of the
    busiest park at 1,000,000 demands). Only a park of several kinds asks the scope, one EXISTS
    per noun."""
    facts.process_stale()
    groups: dict[str, list[str]] = {}
    for kind in _park_kinds(scope.park.pk):
        groups.setdefault(NOUNS.get(kind, "诉求"), []).append(kind)
    facts_qs = scope.demand_facts().order_by()
    if len(groups) == 1:
        ((noun, _),) = groups.items()
        return noun if facts_qs.exists() else "诉求"
    present = {
        noun
        for noun, kinds in groups.items()
        if facts_qs.filter(demand__requester_kind__in=kinds).exists()
    }
    return present.pop() if len(present) == 1 else "诉求"


def _park_kinds(park_id: int) -> list[str]:
    """The distinct requester kinds of the park's demands, one index probe each (a loose index
    scan: the next kind after the last one found)."""
    kinds: list[str] = []
    while True:
        qs = Demand.objects.filter(park_id=park_id)
        if kinds:
            qs = qs.filter(requester_kind__gt=kinds[-1])
        nxt = qs.order_by("requester_kind").values_list("requester_kind", flat=True).first()
        if nxt is None:
            return kinds
        kinds.append(nxt)


def left_out_note(count: int, what: str = "项任务") -> str:
    """The words beside a timed figure that had to leave items out."""
    return f"另有 {count} {what}台账未记时间，未计入" if count else ""


# --------------------------------------------------------------------------- breakdowns


def _grouped(
    scope: Scope, dkey: str, tkey: str | None, weights: Iterable[float] | None = None
) -> dict[Any, Figures]:
    drows = demand_rows(scope, dkey)
    trows = task_rows(scope, tkey) if tkey else {}
    legacy = legacy_rows(scope, dkey, fresh=True)
    return {
        k: replace(
            _figures(drows.get(k, {}), trows.get(k, {}), weights), legacy_open=legacy.get(k, 0)
        )
        for k in set(drows) | set(trows)
    }


def monthly(scope: Scope, weights: Iterable[float] | None = None) -> list[tuple[int, Figures]]:
    """Figures per month of receipt (yyyymm), every month of the scope's range present."""
    by_month = _grouped(scope, "month", "month", weights)
    if scope.start and scope.end:
        months = Period("", scope.start, scope.end, "").months()
    else:
        months = sorted(by_month)
    empty = _figures({}, {}, weights)
    return [(m, by_month.get(m, empty)) for m in months]


def by_category(scope: Scope) -> list[tuple[Category | None, Figures]]:
    """Figures per level-1 category, most demands first."""
    rows = _grouped(scope, "category_l1_id", "category_l1_id")
    cats = Category.objects.in_bulk([k for k in rows if k])
    out = [(cats.get(k) if k else None, f) for k, f in rows.items()]
    return sorted(
        out, key=lambda x: (-x[1].received, x[0].sort if x[0] else 9999, x[0].pk if x[0] else 0)
    )


def league(
    scope: Scope, weights: Iterable[float] | None = None
) -> list[tuple[Department, Figures]]:
    """The department league: task figures of each department's tasks, demand figures of the
    demands it leads (主办). Best 三率 score first; departments without data are left out."""
    drows = demand_rows(scope, "lead_department_id")
    trows = task_rows(scope, "department_id")
    legacy = legacy_rows(scope, "lead_department_id", fresh=True)
    ids = {k for k in set(drows) | set(trows) if k}
    depts = Department.objects.in_bulk(ids)
    out = [
        (
            depts[k],
            replace(
                _figures(drows.get(k, {}), trows.get(k, {}), weights),
                legacy_open=legacy.get(k, 0),
            ),
        )
        for k in ids
        if k in depts
    ]
    return sorted(
        out, key=lambda x: (-(x[1].sanlv if x[1].sanlv is not None else -1), x[0].sort, x[0].pk)
    )


@dataclass(frozen=True)
class HeatMap:
    categories: list[Category]
    departments: list[Department]
    cells: dict[tuple[int, int], int]  # (category_l1_id, lead_department_id) -> received
    overdue: dict[tuple[int, int], int]


def heatmap(scope: Scope) -> HeatMap:
    """Received demands by level-1 category (rows) and lead department (columns)."""
    facts.process_stale()
    keys = ("category_l1_id", "lead_department_id")
    late = Q(status__in=WORKING_STATUSES, due_date__lt=scope.day)
    if use_rollups(scope):
        static = (
            DemandRollup.objects.filter(_rollup_q(scope, "lead_department_id"))
            .exclude(category_l1_id=0)
            .exclude(lead_department_id=0)
            .values(*keys)
            .annotate(n=Sum("received"))
        )
        live = (
            scope.demand_facts()
            .filter(late)
            .exclude(category_l1_id=None)
            .exclude(lead_department_id=None)
            .order_by()
            .values(*keys)
            .annotate(late=Count("pk"))
        )
        cells = {(r["category_l1_id"], r["lead_department_id"]): r["n"] for r in static if r["n"]}
        overdue = {(r["category_l1_id"], r["lead_department_id"]): r["late"] for r in live}
    else:
        rows = (
            scope.demand_facts()
            .exclude(category_l1_id=None)
            .exclude(lead_department_id=None)
            .order_by()
            .values(*keys)
            .annotate(n=Count("pk"), late=Count("pk", filter=late))
        )
        cells = {(r["category_l1_id"], r["lead_department_id"]): r["n"] for r in rows}
        overdue = {
            (r["category_l1_id"], r["lead_department_id"]): r["late"] for r in rows if r["late"]
        }
    cats = Category.objects.in_bulk({c for c, _ in cells})
    depts = Department.objects.in_bulk({d for _, d in cells})
    return HeatMap(
        sorted(cats.values(), key=lambda c: (c.sort, c.pk)),
        sorted(depts.values(), key=lambda d: (d.sort, d.pk)),
        cells,
        overdue,
    )


@dataclass(frozen=True)
class Coverage:
    entities: int
    with_liaison: int
    contacted: int

    @property
    def liaison_rate(self) -> Rate:
        return Rate(self.with_liaison, self.entities)

    @property
    def contact_rate(self) -> Rate:
        return Rate(self.contacted, self.entities)


def liaison_coverage(scope: Scope, cadence: Mapping[int, int] | None = None) -> Coverage:
    """Entities of the park with a liaison, and contacted within their tier's cadence. Current
    state: the period does not apply. A department slice counts the entities its staff serve.
    The cadence is the park's own (`liaisons.services.cadence_for`), the one the liaison's
    overdue list uses, so "按期联系率" and that list cannot disagree."""
    cadence = cadence or cadence_for(scope.park)
    now = timezone.make_aware(dt.datetime.combine(scope.day, dt.time.max))
    recent = Q()
    for tier, days in cadence.items():
        recent |= Q(tier=tier, last_contact_at__gte=now - dt.timedelta(days=days))
    qs = MarketEntity.objects.filter(park_id=scope.park.pk, is_active=True)
    if scope.liaison_id:
        qs = qs.filter(liaison_id=scope.liaison_id)
    if scope.department_id:
        qs = qs.filter(liaison__department_id=scope.department_id)
    row = qs.aggregate(
        n=Count("pk"),
        served=Count("pk", filter=Q(liaison__isnull=False)),
        contacted=Count("pk", filter=recent),
    )
    return Coverage(row["n"], row["served"], row["contacted"])


# --------------------------------------------------------------------------- drill-down

# What each drill-down lists, and in which unit: demands of the scope that satisfy a condition on
# the demand facts ("d"), department tasks on the task facts ("t"), or ledger events ("e": 回访
# ratings, 退单) of the scope's demands or tasks. A figure that counts tasks drills to tasks and a
# figure that counts ratings drills to ratings, so the list holds exactly what the figure counts.
DRILLS: dict[str, tuple[str, str]] = {
    "received": ("d", "受理的诉求"),
    "answered": ("d", "已答复的诉求"),
    "unanswered": ("d", "尚未答复的诉求"),
    "closed": ("d", "已销号的诉求"),
    "open": ("d", "未销号的诉求"),
    "overdue": ("d", "已逾期的诉求"),
    "legacy_open": ("d", "未销号的遗留问题"),
    "on_spot": ("d", "当即解决的诉求"),
    "tier": ("d", "在该层级答复的诉求"),
    "solve": ("d", "已答复（解决率的分母）"),
    "unsolved": ("d", "答复但未完全解决的诉求"),
    "reopened": ("d", "销号后被重新打开的诉求"),
    "ever_closed": ("d", "至少销号过一次的诉求"),
    "escalated_open": ("d", "提级协调中（接待日、调度会、专家协商）未销号的诉求"),
    "rated": ("e", "回访评价"),
    "dissatisfied": ("e", "“不满意”的回访评价"),
    "returned": ("e", "部门退单"),
    "response_late": ("t", "未在签收时限内响应的任务"),
    "late": ("t", "未按时办结的任务"),
    "overdue_tasks": ("t", "已逾期的任务"),
    "tasks": ("t", "交办的任务"),
    "answered_tasks": ("t", "已答复的任务（平均办理用时的样本）"),
}
UNITS = {"d": "件诉求", "t": "项任务", "e": "次"}


def drill_kind(metric: str) -> str:
    return DRILLS[metric][0]


def drill_ids(scope: Scope, metric: str, **kw: Any) -> QuerySet[Any]:
    """Ids of the items behind a figure (a values_list subquery to combine with the scoping
    function): demand ids, task ids or event ids by the drill's kind."""
    qs, _ = drill_facts(scope, metric, **kw)
    return qs.values_list(_ID[drill_kind(metric)], flat=True)


_ID = {"d": "demand_id", "t": "task_id", "e": "pk"}


def drill_ordered(scope: Scope, metric: str, **kw: Any) -> QuerySet[Any]:
    """The same ids, newest first, paginated on the facts' own indexes (cheaper than joining the
    demands table when the reader may see the whole park)."""
    qs, created = drill_facts(scope, metric, **kw)
    key = _ID[drill_kind(metric)]
    return qs.order_by(f"-{created}", f"-{key}").values_list(key, flat=True).distinct()


def drill_demand_ids(scope: Scope, metric: str, **kw: Any) -> QuerySet[Any]:
    """The demands the items behind a figure belong to (every kind of item has its demand)."""
    qs, _ = drill_facts(scope, metric, **kw)
    return qs.values_list("demand_id", flat=True)


def drill_count(scope: Scope, metric: str, **kw: Any) -> int:
    qs, _ = drill_facts(scope, metric, **kw)
    return qs.count()


def escalated_open(scope: Scope) -> int:
    """提级协调中: demands escalated to a meeting rung or the experts and not yet closed (the
    figure is its drill's count: no aggregate of the facts keeps it)."""
    return drill_count(scope, "escalated_open")


def drill_facts(
    scope: Scope,
    metric: str,
    *,
    month: int | None = None,
    tier: str | None = None,
    category_l1_id: int | None = None,
    lead_department_id: int | None = None,
) -> tuple[QuerySet[Any], str]:
    """The rows behind a figure (facts, or events for "e" drills), and the name of the column
    they are ordered by (receipt time, or the event's time)."""
    from demands.models import Event

    if metric not in DRILLS:
        raise KeyError(metric)
    facts.process_stale()
    today = scope.day
    kind = DRILLS[metric][0]
    if kind == "d" or metric in ("rated", "dissatisfied"):
        qs: QuerySet[Any] = scope.demand_facts()
        if month:
            qs = qs.filter(month=month)
        if category_l1_id is not None:  # 0: the demands without a category (未分类)
            qs = qs.filter(category_l1_id=category_l1_id or None)
        if lead_department_id:
            qs = qs.filter(lead_department_id=lead_department_id)
        if kind == "e":
            # The ratings the facts count: every 回访 (confirm event) of the scope's demands.
            ev = Event.objects.filter(
                action="confirm", demand_id__in=qs.filter(rated__gt=0).values("demand_id")
            )
            if metric == "dissatisfied":
                ev = ev.filter(data__satisfaction="dissatisfied")
            return ev, "created_at"
        cond = {
            "received": Q(),
            "answered": Q(answered=True),
            "unanswered": Q(answered=False),
            "closed": Q(status=Status.CLOSED),
            "open": Q(status__in=OPEN_STATUSES),
            "overdue": Q(status__in=WORKING_STATUSES, due_date__lt=today),
            "legacy_open": _legacy_q(scope),
            "on_spot": Q(answered=True, tier=Tier.ON_SPOT),
            "tier": Q(answered=True, tier=tier or ""),
            "solve": Q(answered=True) & ~Q(outcome=""),
            "unsolved": Q(
                answered=True, outcome__in=[o for o in Outcome.values if o != Outcome.SOLVED]
            ),
            "reopened": Q(reopened=True),
            "ever_closed": Q(ever_closed=True),
            "escalated_open": Q(tier__in=ESCALATED_TIERS, status__in=OPEN_STATUSES),
        }[metric]
        return qs.filter(cond), "created_at"
    tq: QuerySet[Any] = scope.task_facts()
    if month:
        tq = tq.filter(month=month)
    if category_l1_id is not None:
        tq = tq.filter(category_l1_id=category_l1_id or None)
    if lead_department_id:
        tq = tq.filter(department_id=lead_department_id)
    if metric == "returned":
        # Every 退单 of the scope's tasks (a task insisted on can be returned twice).
        ev = Event.objects.filter(
            action="return", task_id__in=tq.filter(returns__gt=0).values("task_id")
        )
        return ev, "created_at"
    window = scope.window
    cutoff = response_cutoff(today, window)
    late_now = Q(active=True, paused=False, deadline__lt=today, deadline_known=True)
    cond = {
        "response_late": Q(sheet_responded=False)
        | Q(sheet_responded__isnull=True, response_known=True)
        & (
            Q(response_days__gt=window)
            | Q(response_days__isnull=True, cancelled=False, assigned_date__lt=cutoff)
        ),
        "late": Q(deadline_known=True)
        & (Q(answered_on_time=False) | Q(answered_on_time__isnull=True) & late_now),
        "overdue_tasks": late_now,
        "tasks": Q(),
        "answered_tasks": Q(answer_days__isnull=False),
    }[metric]
    return tq.filter(cond), "demand_created_at"
