"""一企一策: creating a key enterprise's service plan, its goals and measures, and reviewing it.

Who: the dispatch centre, administrators, park leaders, and the enterprise's liaisons. Only key
enterprises (第1层级) get a plan. Every change is an event of the entity (entities.profile.record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from entities import profile as facts
from entities.models import MarketEntity, Tier
from orgs.models import Role, User
from profiles.models import (
    MeasureStatus,
    Metric,
    PlanGoal,
    PlanMeasure,
    PlanReview,
    PlanStatus,
    ServicePlan,
    Track,
)
from qinshang import inputs
from qinshang.errors import Forbidden, InvalidInput, NotFound

PLAN_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)


def can_plan(user: User, entity: MarketEntity) -> bool:
    if user.is_superuser or (user.role in PLAN_ROLES and user.in_park(entity.park_id)):
        return True
    return user.pk is not None and user.pk in (entity.liaison_id, entity.backup_liaison_id)


def require_plan(user: User, entity: MarketEntity) -> None:
    if not can_plan(user, entity):
        raise Forbidden("只有派单员、园区领导、管理员和该企业的专属服务员可以制定一企一策")


def _text(value: Any, label: str, limit: int, field: str) -> str:
    text = inputs.text(value, label) if not isinstance(value, str) else value.strip()
    if not text:
        raise InvalidInput(f"{label}不能为空", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字", field=field)
    return text


def _date(value: Any, label: str, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(f"{label}应为日期，如 2026-03-31", field=field)


def get_plan(entity: MarketEntity, plan_id: Any) -> ServicePlan:
    try:
        pk = int(plan_id)
    except (TypeError, ValueError):
        raise NotFound("一企一策不存在")
    plan = entity.service_plans.filter(pk=pk).first()
    if plan is None:
        raise NotFound("一企一策不存在")
    return plan


@dataclass
class PlanInput:
    title: Any
    starts_on: Any
    ends_on: Any
    next_review_on: Any


def create_plan(actor: User, entity: MarketEntity, data: PlanInput) -> ServicePlan:
    require_plan(actor, entity)
    if entity.tier != Tier.KEY:
        raise InvalidInput("一企一策适用于重点企业（第1层级），请先调整服务层级")
    title = _text(data.title, "名称", 100, "title")
    start = _date(data.starts_on, "起始日期", "starts_on")
    end = _date(data.ends_on, "截止日期", "ends_on")
    review = _date(data.next_review_on, "下次评估日期", "next_review_on")
    if end < start:
        raise InvalidInput("截止日期不能早于起始日期", field="ends_on")
    if not start <= review <= end:
        raise InvalidInput("下次评估日期应在计划期内", field="next_review_on")
    with transaction.atomic():
        if entity.service_plans.filter(status=PlanStatus.ACTIVE).exists():
            raise InvalidInput("该企业已有实施中的一企一策，请先结束原计划")
        plan = ServicePlan.objects.create(
            entity=entity,
            title=title,
            starts_on=start,
            ends_on=end,
            next_review_on=review,
            created_by=actor,
        )
        facts.record(entity, actor, "plan_created", title, plan=plan.pk, ends_on=end)
    return plan


def _require_active(plan: ServicePlan) -> None:
    if plan.status != PlanStatus.ACTIVE:
        raise InvalidInput("该一企一策已结束，不能再修改")


def add_goal(
    actor: User,
    plan: ServicePlan,
    text: Any,
    metric: Any = "",
    year: Any = None,
    target: Any = None,
) -> PlanGoal:
    entity = plan.entity
    require_plan(actor, entity)
    _require_active(plan)
    text = _text(text, "目标", 200, "text")
    metric = metric or ""
    if metric not in Metric.values:
        raise InvalidInput("指标应为从业人员、营业收入、资产总额之一，或留空", field="metric")
    goal_year: int | None = None
    goal_target: Decimal | None = None
    baseline: Decimal | None = None
    if metric:
        try:
            goal_year = int(str(year).strip())
        except (TypeError, ValueError):
            raise InvalidInput("量化目标须填写目标年度", field="year")
        if not 2000 <= goal_year <= timezone.localdate().year + 10:
            raise InvalidInput("目标年度超出合理范围", field="year")
        if metric == Metric.EMPLOYEES:
            n = facts.headcount(target, "目标值")
            goal_target = Decimal(n) if n is not None else None
        else:
            goal_target = facts.wan(target, "目标值")
        if goal_target is None:
            raise InvalidInput("量化目标须填写目标值", field="target")
        current = getattr(entity, metric)
        baseline = Decimal(current) if current is not None else None
    with transaction.atomic():
        goal = PlanGoal.objects.create(
            plan=plan,
            text=text,
            metric=metric,
            year=goal_year,
            baseline=baseline,
            target=goal_target,
        )
        facts.record(
            entity, actor, "plan_goal_added", text, plan=plan.pk, metric=metric, target=goal_target
        )
    return goal


def add_measure(
    actor: User, plan: ServicePlan, text: Any, track: Any, responsible_id: Any, due_on: Any
) -> PlanMeasure:
    entity = plan.entity
    require_plan(actor, entity)
    _require_active(plan)
    text = _text(text, "措施", 300, "text")
    if track not in Track.values:
        raise InvalidInput("帮扶方式应为政府帮、园区帮或项目帮", field="track")
    try:
        rid = int(responsible_id)
    except (TypeError, ValueError):
        raise InvalidInput("请选择责任人", field="responsible_id")
    person = User.objects.filter(pk=rid, is_active=True).first()
    if (
        person is None
        or not person.in_park(entity.park_id)
        or person.role
        in (
            Role.ENTERPRISE,
            Role.RESIDENT,
        )
    ):
        raise InvalidInput("责任人应为本园区的工作人员", field="responsible_id")
    due = _date(due_on, "完成时限", "due_on")
    with transaction.atomic():
        m = PlanMeasure.objects.create(
            plan=plan, text=text, track=track, responsible=person, due_on=due
        )
        facts.record(
            entity,
            actor,
            "plan_measure_added",
            text,
            plan=plan.pk,
            track=track,
            responsible=person.pk,
            due_on=due,
        )
    return m


def set_measure(actor: User, measure: PlanMeasure, status: Any, note: Any = "") -> PlanMeasure:
    plan = measure.plan
    require_plan(actor, plan.entity)
    _require_active(plan)
    if status not in MeasureStatus.values:
        raise InvalidInput("状态应为推进中、已完成或已取消", field="status")
    note_text = note.strip() if isinstance(note, str) else ""
    if status == MeasureStatus.DROPPED and not note_text:
        raise InvalidInput("取消措施须说明理由", field="note")
    with transaction.atomic():
        before = measure.status
        measure.status = status
        measure.note = note_text[:300]
        measure.save(update_fields=["status", "note"])
        facts.record(
            plan.entity,
            actor,
            "plan_measure_updated",
            note_text,
            measure=measure.pk,
            before=before,
            after=status,
        )
    return measure


def goal_progress(goal: PlanGoal, entity: MarketEntity) -> dict[str, Any]:
    """Where a quantified goal stands: the figure of its year (or the latest), against the target."""
    out: dict[str, Any] = {"goal": goal.pk, "text": goal.text, "metric": goal.metric}
    if not goal.metric:
        return out
    row = entity.figures.filter(year=goal.year).first() if goal.year else None
    row = row or entity.figures.order_by("-year").first()
    actual = getattr(row, goal.metric) if row else None
    out.update(
        year=row.year if row else None,
        actual=str(actual) if actual is not None else None,
        baseline=str(goal.baseline) if goal.baseline is not None else None,
        target=str(goal.target) if goal.target is not None else None,
    )
    if actual is not None and goal.target is not None:
        base = goal.baseline or Decimal(0)
        span = goal.target - base
        done = (Decimal(actual) - base) / span if span else Decimal(1)
        out["percent"] = int(max(Decimal(0), min(Decimal(1), done)) * 100)
        out["reached"] = Decimal(actual) >= goal.target
    return out


def review_plan(
    actor: User, plan: ServicePlan, summary: Any, next_review_on: Any = None, close: bool = False
) -> PlanReview:
    entity = plan.entity
    require_plan(actor, entity)
    _require_active(plan)
    text = _text(summary, "评估意见", 2000, "summary")
    today = timezone.localdate()
    nxt = None if close else _date(next_review_on, "下次评估日期", "next_review_on")
    if nxt is not None and nxt <= today:
        raise InvalidInput("下次评估日期应晚于今天", field="next_review_on")
    with transaction.atomic():
        plan = ServicePlan.objects.select_for_update().get(pk=plan.pk)
        _require_active(plan)
        progress = [goal_progress(g, entity) for g in plan.goals.all()]
        review = PlanReview.objects.create(
            plan=plan,
            reviewed_on=today,
            reviewer=actor,
            summary=text,
            progress=progress,
            next_review_on=nxt,
        )
        if close:
            plan.status = PlanStatus.CLOSED
            plan.closed_reason = text[:200]
        else:
            assert nxt is not None
            plan.next_review_on = nxt
        plan.save(update_fields=["status", "closed_reason", "next_review_on"])
        facts.record(
            entity,
            actor,
            "plan_closed" if close else "plan_reviewed",
            text[:200],
            plan=plan.pk,
            progress=progress,
            next_review_on=nxt,
        )
    return review


def reviews_due(park_id: int, on: dt.date | None = None) -> list[ServicePlan]:
    on = on or timezone.localdate()
    return list(
        ServicePlan.objects.filter(
            entity__park_id=park_id, status=PlanStatus.ACTIVE, next_review_on__lte=on
        ).select_related("entity")
    )
