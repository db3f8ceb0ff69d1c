"""Every change to a key project goes through a function here (pages, API, commands, the demo).

Each function checks who may act (403) and its input (422, a Chinese message, nothing changed),
runs in one transaction and writes a ProjectEvent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, overload

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from demands.models import OPEN_STATUSES, Demand
from entities.models import MarketEntity
from orgs.models import Park, Role, User
from projects import access
from projects.models import (
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    InspectionResult,
    KeyProject,
    Level,
    Milestone,
    ProjectEvent,
    SiteInspection,
    Stage,
)
from qinshang import industries, inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from workcal import calendar as wcal

NAME_MAX = 200
TEXT_MAX = 5_000
MAX_INVESTMENT_WAN = Decimal("100000000")  # 1 万亿元: beyond any park project
BIG_PROJECT_WAN = Decimal("100000")  # 10 亿元
MAX_RECTIFICATION_DAYS = 60


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: Any, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    return inputs.text(value, label, required=required, limit=limit)


@overload
def _date(value: Any, label: str) -> dt.date: ...
@overload
def _date(value: Any, label: str, *, required: bool) -> dt.date | None: ...
def _date(value: Any, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", field=label)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{label}“{value}”不是有效日期，应为 YYYY-MM-DD", field=label)


def _money(value: Any) -> Decimal:
    label = "总投资"
    if value in (None, ""):
        raise InvalidInput("请填写总投资（万元）", field="investment_wan")
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"{label}必须是数字（单位：万元）", field="investment_wan")
    if not d.is_finite():
        raise InvalidInput(f"{label}必须是数字（单位：万元）", field="investment_wan")
    if d <= 0:
        raise InvalidInput(f"{label}必须大于 0 万元", field="investment_wan")
    if d >= MAX_INVESTMENT_WAN:
        raise InvalidInput(f"{label}超出合理范围（应小于 1 万亿元）", field="investment_wan")
    if d != d.quantize(Decimal("0.01")):
        raise InvalidInput(f"{label}最多保留两位小数（万元）", field="investment_wan")
    return d


def _choice(value: Any, choices: Any, label: str, field_name: str) -> str:
    allowed = {c.value: c.label for c in choices}
    if value not in allowed:
        options = "、".join(f"{k}（{v}）" for k, v in allowed.items())
        raise InvalidInput(f"{label}“{value}”无效，可选：{options}", field=field_name)
    return str(value)


def _staff(park: Park, user_id: Any, label: str, field_name: str) -> User:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"请选择{label}", field=field_name)
    user = (
        User.objects.filter(pk=pk, is_active=True)
        .filter(Q(park=park) | Q(extra_parks=park))
        .exclude(role__in=(Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT))
        .first()
    )
    if user is None:
        raise InvalidInput(f"{label}不存在或不是本园区工作人员", field=field_name)
    return user


def _record(
    project: KeyProject,
    action: str,
    actor: User | None,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        actor=actor,
        action=action,
        note=note,
        data=data or {},
        created_at=at or _now(),
    )


def _require_manager(actor: User, park: Park) -> None:
    if not access.can_manage(actor, park):
        raise Forbidden("只有园区领导和派单中心可以登记和调整重点项目")


# --------------------------------------------------------------------------- projects


@dataclass
class ProjectInput:
    name: Any = ""
    investor_id: Any = None
    investment_wan: Any = None
    industry: Any = ""
    level: Any = ""
    leader_id: Any = None
    liaison_id: Any = None
    signed_on: Any = None
    address: Any = ""
    description: Any = ""


def _clean(park: Park, data: ProjectInput) -> dict[str, Any]:
    name = _text(data.name, "项目名称", limit=NAME_MAX)
    try:
        investor = MarketEntity.objects.filter(park=park, pk=int(data.investor_id)).first()
    except (TypeError, ValueError):
        investor = None
    if investor is None:
        raise InvalidInput("请选择本园区的投资主体（市场主体）", field="investor_id")
    industry = ("" if data.industry is None else str(data.industry)).strip()
    if not industries.is_division(industry):
        raise InvalidInput(
            f"行业“{industry}”不是 GB/T 4754-2017 的两位大类代码（如 35、39）", field="industry"
        )
    signed = _date(data.signed_on, "签约日期")
    assert signed is not None
    if signed > _today():
        raise InvalidInput("签约日期不能晚于今天", field="signed_on")
    return {
        "name": name,
        "investor": investor,
        "investment_wan": _money(data.investment_wan),
        "industry": industry,
        "level": _choice(data.level, Level, "重点项目级别", "level"),
        "leader": _staff(park, data.leader_id, "联系领导", "leader_id"),
        "liaison": _staff(park, data.liaison_id, "专属服务员", "liaison_id"),
        "signed_on": signed,
        "address": _text(data.address, "建设地点", required=False, limit=200),
        "description": _text(data.description, "建设内容", required=False),
    }


def _plain(v: Any) -> Any:
    if isinstance(v, (dt.date, Decimal)):
        return str(v)
    if isinstance(v, (User, MarketEntity)):
        return str(v)
    return v


def create_project(
    actor: User, park: Park, data: ProjectInput, *, at: dt.datetime | None = None
) -> KeyProject:
    _require_manager(actor, park)
    values = _clean(park, data)
    now = at or _now()
    with transaction.atomic():
        project = KeyProject.objects.create(
            park=park, created_by=actor, created_at=now, stage=Stage.SIGNED, **values
        )
        _record(
            project,
            "create",
            actor,
            at=now,
            data={k: _plain(v) for k, v in values.items() if k != "description"},
        )
    return project


def update_project(
    actor: User,
    project: KeyProject,
    data: ProjectInput,
    *,
    reason: Any,
    at: dt.datetime | None = None,
) -> KeyProject:
    _require_manager(actor, project.park)
    values = _clean(project.park, data)
    reason = _text(reason, "修改理由")
    earliest = (
        project.milestones.order_by("planned_on").values_list("planned_on", flat=True).first()
    )
    if earliest is not None and values["signed_on"] > earliest:
        raise InvalidInput(
            f"签约日期不能晚于最早的项目节点计划日期（{earliest}）", field="signed_on"
        )
    now = at or _now()
    with transaction.atomic():
        project = KeyProject.objects.select_for_update().get(pk=project.pk)
        changes = {}
        for k, v in values.items():
            old = getattr(project, k)
            if old != v:
                changes[k] = [_plain(old), _plain(v)]
                setattr(project, k, v)
        if not changes:
            raise InvalidInput("没有需要保存的修改")
        project.save()
        _record(project, "update", actor, note=reason, data={"changes": changes}, at=now)
    return project


def change_stage(
    actor: User,
    project: KeyProject,
    *,
    stage: Any,
    on: Any,
    note: Any = "",
    at: dt.datetime | None = None,
) -> KeyProject:
    """签约 → 开工 → 在建 → 竣工 → 投产, forward only, each with the day it happened."""
    _require_manager(actor, project.park)
    stage = _choice(stage, Stage, "项目阶段", "stage")
    day = _date(on, "阶段日期")
    assert day is not None
    note = _text(note, "说明", required=False)
    if day > _today():
        raise InvalidInput("阶段日期不能晚于今天", field="on")
    now = at or _now()
    with transaction.atomic():
        project = KeyProject.objects.select_for_update().get(pk=project.pk)
        before = project.stage
        if STAGE_ORDER.index(stage) <= STAGE_ORDER.index(before):
            raise InvalidState(f"项目已处于“{Stage(before).label}”阶段，只能推进到后续阶段")
        last = max(
            d for d in (getattr(project, f) for f in STAGE_DATE_FIELD.values()) if d is not None
        )
        if day < last:
            raise InvalidInput(f"阶段日期不能早于上一阶段的日期（{last}）", field="on")
        setattr(project, STAGE_DATE_FIELD[Stage(stage)], day)
        project.stage = stage
        project.save()
        _record(
            project,
            "stage",
            actor,
            note=note,
            at=now,
            data={"from": before, "to": stage, "on": day.isoformat()},
        )
    return project


# --------------------------------------------------------------------------- milestones


def _check_not_before_signing(project: KeyProject, day: dt.date | None, label: str, f: str) -> None:
    if day is not None and day < project.signed_on:
        raise InvalidInput(f"{label}（{day}）不能早于项目签约日期（{project.signed_on}）", field=f)


def add_milestone(
    actor: User,
    project: KeyProject,
    *,
    name: Any,
    planned_on: Any,
    note: Any = "",
    at: dt.datetime | None = None,
) -> Milestone:
    _require_manager(actor, project.park)
    name = _text(name, "节点名称", limit=100)
    planned = _date(planned_on, "计划日期")
    _check_not_before_signing(project, planned, "节点计划日期", "planned_on")
    note = _text(note, "说明", required=False, limit=500)
    now = at or _now()
    with transaction.atomic():
        m = Milestone.objects.create(project=project, name=name, planned_on=planned, note=note)
        _record(
            project,
            "milestone_add",
            actor,
            note=note,
            at=now,
            data={"milestone": m.pk, "name": name, "planned_on": str(planned)},
        )
    return m


def update_milestone(
    actor: User,
    milestone: Milestone,
    *,
    planned_on: Any = None,
    forecast_on: Any = None,
    actual_on: Any = None,
    note: Any = "",
    at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Milestone:
    """Record progress (actual date), a forecast, or a re-planned date (which needs a reason)."""
    project = milestone.project
    if not access.can_update_progress(actor, project):
        raise Forbidden("只有园区领导、派单中心和项目的联系领导、专属服务员可以更新项目节点")
    today = today or _today()
    planned = _date(planned_on, "计划日期", required=False) or milestone.planned_on
    forecast = _date(forecast_on, "预计完成日期", required=False)
    actual = _date(actual_on, "实际完成日期", required=False)
    note = _text(note, "说明", required=planned != milestone.planned_on, limit=500)
    if planned != milestone.planned_on and not access.can_manage(actor, project.park):
        raise Forbidden("调整节点计划日期须由园区领导或派单中心决定")
    _check_not_before_signing(project, planned, "节点计划日期", "planned_on")
    _check_not_before_signing(project, forecast, "预计完成日期", "forecast_on")
    _check_not_before_signing(project, actual, "实际完成日期", "actual_on")
    if actual is not None and actual > today:
        raise InvalidInput("实际完成日期不能晚于今天", field="actual_on")
    if forecast is not None and actual is None and forecast < today:
        raise InvalidInput("预计完成日期不能早于今天", field="forecast_on")
    now = at or _now()
    with transaction.atomic():
        m = (
            Milestone.objects.select_for_update()
            .select_related("project__park")
            .get(pk=milestone.pk)
        )
        changes = {}
        for f, v in (("planned_on", planned), ("forecast_on", forecast), ("actual_on", actual)):
            if f != "planned_on" and v is None:
                continue
            if getattr(m, f) != v:
                changes[f] = [_plain(getattr(m, f)), _plain(v)]
                setattr(m, f, v)
        if not changes:
            raise InvalidInput("没有需要保存的修改")
        if note:
            m.note = note
        m.save()
        _record(
            m.project,
            "milestone",
            actor,
            note=note,
            at=now,
            data={"milestone": m.pk, "name": m.name, "changes": changes},
        )
        alert_slip(m, today)
    return m


def slip_reason(m: Milestone, as_of: dt.date) -> str | None:
    """Why a milestone is slipping on `as_of`, or None. Done milestones never slip."""
    if m.actual_on is not None:
        return None
    if m.forecast_on is not None and m.forecast_on > m.planned_on:
        late = wcal.working_days_between(m.planned_on, m.forecast_on)
        return f"预计 {m.forecast_on} 完成，较计划（{m.planned_on}）推迟 {late} 个工作日"
    if m.planned_on < as_of:
        late = wcal.working_days_between(m.planned_on, as_of)
        return f"计划 {m.planned_on} 完成，已超期 {late} 个工作日未完成"
    return None


def _slip_filter(as_of: dt.date) -> Q:
    return Q(actual_on__isnull=True) & (
        Q(planned_on__lt=as_of) | Q(forecast_on__isnull=False, forecast_on__gt=F("planned_on"))
    )


def slipping_milestones(park: Park, as_of: dt.date) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(project__park=park)
        .filter(_slip_filter(as_of))
        .select_related("project", "project__leader", "project__liaison", "project__investor")
        .order_by("planned_on", "id")
    )


def _slip_key(m: Milestone) -> str:
    return f"{m.planned_on}:{m.forecast_on or ''}"


def alert_slip(m: Milestone, as_of: dt.date) -> bool:
    """Tell the responsible leader and liaison once per slip; a later forecast or a new plan
    that slips again is a new slip."""
    from notifications.models import Kind
    from notifications.services import notify_link

    reason = slip_reason(m, as_of)
    if reason is None:
        return False
    key = _slip_key(m)
    # A conditional update: two scans at once cannot both announce the same slip.
    if not Milestone.objects.filter(pk=m.pk).exclude(alerted_key=key).update(alerted_key=key):
        return False
    m.alerted_key = key
    p = m.project
    notify_link(
        [p.leader, p.liaison],
        p.park,
        Kind.PROJECT_SLIP,
        f"重点项目节点滞后：{p.name}「{m.name}」，{reason}",
        reverse("projects:detail", args=[p.pk]),
        dedupe_key=f"slip:{m.pk}:{key}",
    )
    return True


def scan_slips(as_of: dt.date | None = None) -> int:
    """The periodic job: announce every new slip in every park."""
    as_of = as_of or _today()
    n = 0
    for park in Park.objects.all():
        for m in slipping_milestones(park, as_of):
            if m.alerted_key != _slip_key(m):
                n += alert_slip(m, as_of)
    return n


@dataclass
class SlippingProject:
    project: KeyProject
    milestones: list[tuple[Milestone, str]] = field(default_factory=list)
    open_demands: list[Demand] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        out = [f"节点「{m.name}」{why}" for m, why in self.milestones]
        if self.open_demands:
            out.append(f"投资主体有 {len(self.open_demands)} 件诉求未办结")
        return out


def slipping_projects(park: Park, as_of: dt.date) -> list[SlippingProject]:
    """For the 调度会 agenda: every key project with a slipping milestone, and every project
    not yet in operation whose investor has open demands. Ordered by project signing date."""
    found: dict[int, SlippingProject] = {}
    for m in slipping_milestones(park, as_of):
        reason = slip_reason(m, as_of)
        if reason:
            found.setdefault(m.project_id, SlippingProject(m.project)).milestones.append(
                (m, reason)
            )
    active = KeyProject.objects.filter(park=park).exclude(stage=Stage.OPERATING)
    demands = (
        Demand.objects.filter(
            park=park,
            status__in=OPEN_STATUSES,
            enterprise_id__in=active.values("investor_id"),
        )
        .select_related("lead_department")
        .order_by("created_at", "id")
    )
    by_investor: dict[int | None, list[Demand]] = {}
    for d in demands:
        by_investor.setdefault(d.enterprise_id, []).append(d)
    if by_investor:
        for p in active.filter(investor_id__in=list(by_investor)).select_related(
            "investor", "leader", "liaison"
        ):
            found.setdefault(p.pk, SlippingProject(p)).open_demands = by_investor[p.investor_id]
    return sorted(found.values(), key=lambda s: (s.project.signed_on, s.project.pk))


# --------------------------------------------------------------------------- inspections


def record_inspection(
    actor: User,
    project: KeyProject,
    *,
    inspected_on: Any,
    findings: Any,
    rectification_days: Any = None,
    at: dt.datetime | None = None,
) -> SiteInspection:
    """工地巡查. With findings to put right, a deadline in working days from the inspection."""
    if not access.can_inspect(actor, project):
        raise Forbidden("您无权为该项目登记工地巡查")
    day = _date(inspected_on, "巡查日期")
    assert day is not None
    if day > _today():
        raise InvalidInput("巡查日期不能晚于今天", field="inspected_on")
    _check_not_before_signing(project, day, "巡查日期", "inspected_on")
    findings = _text(findings, "巡查发现")
    days: int | None = None
    if rectification_days not in (None, ""):
        try:
            days = int(str(rectification_days).strip())
        except (TypeError, ValueError):
            raise InvalidInput("整改时限必须是整数（工作日）", field="rectification_days")
        if not 1 <= days <= MAX_RECTIFICATION_DAYS:
            raise InvalidInput(
                f"整改时限应在 1 到 {MAX_RECTIFICATION_DAYS} 个工作日之间",
                field="rectification_days",
            )
    deadline = wcal.add_working_days(day, days) if days else None
    now = at or _now()
    with transaction.atomic():
        ins = SiteInspection.objects.create(
            project=project,
            inspected_on=day,
            inspector=actor,
            findings=findings,
            rectification_days=days,
            rectification_deadline=deadline,
            result=InspectionResult.PENDING if days else InspectionResult.PASSED,
            result_on=None if days else day,
        )
        _record(
            project,
            "inspection",
            actor,
            note=findings,
            at=now,
            data={
                "inspection": ins.pk,
                "on": str(day),
                "days": days,
                "deadline": str(deadline) if deadline else None,
                "calendar_warning": wcal.schedule_warning(deadline) if deadline else None,
            },
        )
    return ins


def close_inspection(
    actor: User,
    inspection: SiteInspection,
    *,
    note: Any,
    on: Any = None,
    at: dt.datetime | None = None,
) -> SiteInspection:
    project = inspection.project
    if not access.can_inspect(actor, project):
        raise Forbidden("您无权确认该巡查的整改结果")
    note = _text(note, "整改情况", limit=1000)
    day = _date(on, "整改确认日期", required=False) or _today()
    if day > _today():
        raise InvalidInput("整改确认日期不能晚于今天", field="on")
    if day < inspection.inspected_on:
        raise InvalidInput("整改确认日期不能早于巡查日期", field="on")
    now = at or _now()
    with transaction.atomic():
        ins = SiteInspection.objects.select_for_update().get(pk=inspection.pk)
        if ins.result != InspectionResult.PENDING:
            raise InvalidState(f"该巡查已是“{ins.get_result_display()}”")
        ins.result = InspectionResult.RECTIFIED
        ins.result_note = note
        ins.result_on = day
        ins.save()
        late = ins.rectification_deadline is not None and day > ins.rectification_deadline
        _record(
            project,
            "rectified",
            actor,
            note=note,
            at=now,
            data={"inspection": ins.pk, "on": str(day), "late": late},
        )
    return ins


# --------------------------------------------------------------------------- figures


def figures(projects: QuerySet[KeyProject], year: int) -> dict[str, Any]:
    """Projects and investment by stage, 竣工投产 in `year`, projects of 10 亿元 and more.

    竣工投产 in a year: projects that reached 竣工 (or 投产 directly) in that year; one that was
    completed in 2026 and went into operation in 2027 counts in 2026 only.
    """
    rows: dict[str, Mapping[str, Any]] = {
        r["stage"]: r
        for r in projects.values("stage").annotate(n=Count("pk"), wan=Sum("investment_wan"))
    }
    by_stage = [
        {
            "stage": s.value,
            "label": s.label,
            "count": rows.get(s.value, {}).get("n", 0),
            "investment_wan": rows.get(s.value, {}).get("wan") or Decimal("0"),
        }
        for s in Stage
    ]
    done = projects.filter(
        Q(completed_on__year=year) | Q(completed_on__isnull=True, operating_on__year=year)
    )
    return {
        "year": year,
        "total": sum(r["count"] for r in by_stage),
        "investment_wan": sum((r["investment_wan"] for r in by_stage), Decimal("0")),
        "by_stage": by_stage,
        "finished_this_year": done.count(),
        "big_projects": projects.filter(investment_wan__gte=BIG_PROJECT_WAN).count(),
    }
