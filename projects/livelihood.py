"""重点民生项目清单 (我为群众办实事): each project is a ledger demand of a resident class, dispatched
to its responsible unit with the completion date as deadline, so it is signed, urged (催办 → 督办),
answered, called back and closed like any demand; the unit reports progress here.

The figures per project and per class of the 办实事 ledger are read by reports.dashboard and
reports.briefing from these rows and the ledger's facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from demands import services as ds
from demands.models import Channel, Demand, RequesterKind, Status
from orgs.models import Department, Park, Role, User
from projects.models import LivelihoodProgress, LivelihoodProject
from qinshang.errors import Forbidden, InvalidInput
from qinshang.inputs import text as _text_input
from workcal import calendar as wcal

MANAGERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
# Still with the unit: what "in work" and "overdue" mean for a project (the answered and the
# called-back wait for the residents, not for the unit).
WORKING = (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)
WAITING = (Status.ANSWERED, Status.CONFIRMED)
SEARCH_MAX = 100


class State(models.TextChoices):
    """How far a project is, as residents would ask it."""

    WORKING = "working", "正在办理"
    LATE = "late", "逾期未完成"
    ANSWERED = "answered", "已完成待群众评价"
    CLOSED = "closed", "已办结"


@dataclass
class LivelihoodInput:
    name: str
    department_id: int
    due: dt.date
    description: str
    community: str
    contact: str
    phone: str
    category_id: int | None = None


def _limit_days(today: dt.date, due: dt.date) -> int:
    """The working days from today to the completion date: the task's limit (at least one)."""
    return max(1, wcal.working_days_between(today, due))


def add_project(
    actor: User, park: Park, data: LivelihoodInput, *, at: dt.datetime | None = None
) -> LivelihoodProject:
    if actor.role not in MANAGERS and not actor.is_superuser:
        raise Forbidden("只有派单中心、园区领导和系统管理员可以列入重点民生项目清单")
    name = _text_input(data.name, "项目名称", limit=200)
    dept = Department.objects.filter(pk=data.department_id, park=park, is_active=True).first()
    if dept is None:
        raise InvalidInput("责任单位不存在或不属于本园区", field="department_id")
    now = at or timezone.now()
    today = timezone.localtime(now).date()
    if not isinstance(data.due, dt.date) or data.due <= today:
        raise InvalidInput("完成时限须是今天以后的日期", field="due")
    with transaction.atomic():
        demand = ds.create_demand(
            actor,
            park,
            ds.Intake(
                title=f"重点民生项目：{name}",
                description=data.description,
                channel=Channel.LIAISON,  # listed by the park's staff, not found on a visit
                requester_kind=RequesterKind.COMMUNITY,
                requester_name=data.contact,
                requester_phone=data.phone,
                community=data.community,
                category_id=data.category_id,
                created_at=at,
            ),
        )
        demand = ds.dispatch(
            actor,
            demand,
            lead_department_id=dept.pk,
            time_limit_days=_limit_days(today, data.due),
            note=f"列入重点民生项目清单，{data.due:%Y年%-m月%-d日}前完成",
            at=at,
        )
        return LivelihoodProject.objects.create(
            park=park, name=name, department=dept, due=data.due, demand=demand
        )


def report_progress(
    actor: User,
    project: LivelihoodProject,
    *,
    progress: Any,
    note: Any = "",
    at: dt.datetime | None = None,
) -> LivelihoodProject:
    """The responsible unit (or the dispatch centre) reports how far the project is."""
    if not (
        actor.role in MANAGERS
        or actor.is_superuser
        or (actor.department_id == project.department_id and actor.park_id == project.park_id)
    ):
        raise Forbidden("只有责任单位或派单中心可以报告进度")
    try:
        pct = int(progress)
    except (TypeError, ValueError):
        raise InvalidInput("进度应为 0–100 的整数", field="progress") from None
    if not 0 <= pct <= 100:
        raise InvalidInput("进度应为 0–100 的整数", field="progress")
    text = _text_input(note, "进展情况", required=False, limit=300)
    with transaction.atomic():
        p = LivelihoodProject.objects.select_for_update().get(pk=project.pk)
        p.progress, p.progress_note = pct, text
        p.save(update_fields=["progress", "progress_note"])
        LivelihoodProgress.objects.create(
            project=p, actor=actor, at=at or timezone.now(), progress=pct, note=text
        )
    return p


def projects_of(park: Park) -> QuerySet[LivelihoodProject]:
    return LivelihoodProject.objects.filter(park=park).select_related("department", "demand")


def state_of(p: LivelihoodProject, today: dt.date) -> State:
    status = p.demand.status
    if status in WORKING:
        return State.LATE if p.due < today else State.WORKING
    if status in WAITING:
        return State.ANSWERED
    return State.CLOSED  # 已销号 (a merged demand is finished elsewhere)


def filter_projects(
    qs: QuerySet[LivelihoodProject],
    today: dt.date,
    *,
    state: str | None = None,
    department_id: int | None = None,
    q: str = "",
) -> QuerySet[LivelihoodProject]:
    """The list's filters, the same for the page and the API (unknown values are refused by the
    callers, so a typo never silently shows everything)."""
    if state == State.WORKING:
        qs = qs.filter(demand__status__in=WORKING, due__gte=today)
    elif state == State.LATE:
        qs = qs.filter(demand__status__in=WORKING, due__lt=today)
    elif state == State.ANSWERED:
        qs = qs.filter(demand__status__in=WAITING)
    elif state == State.CLOSED:
        qs = qs.exclude(demand__status__in=(*WORKING, *WAITING))
    if department_id:
        qs = qs.filter(department_id=department_id)
    q = (q or "").strip()[:SEARCH_MAX]
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(demand__community__icontains=q)
            | Q(demand__number__icontains=q)
            | Q(department__name__icontains=q)
        )
    return qs.select_related("department", "demand").order_by("due", "id")


def counts(qs: QuerySet[LivelihoodProject], today: dt.date) -> dict[str, int]:
    """How many projects of the (scoped) list are in each state: the figures above the list."""
    out = {s.value: 0 for s in State}
    for status, due in qs.values_list("demand__status", "due"):
        if status in WORKING:
            out[State.LATE if due < today else State.WORKING] += 1
        elif status in WAITING:
            out[State.ANSWERED] += 1
        else:
            out[State.CLOSED] += 1
    return out


def row(p: LivelihoodProject, today: dt.date) -> dict[str, Any]:
    """One line of the list as the dashboard and the briefing show it."""
    d: Demand = p.demand
    late = d.status in WORKING and p.due < today
    return {
        "id": p.pk,
        "name": p.name,
        "department": p.department.name,
        "community": d.community,
        "due": p.due,
        "progress": p.progress,
        "note": p.progress_note,
        "status": d.get_status_display(),
        "closed": d.status == "closed",
        "late_days": wcal.working_days_between(p.due, today) if late else 0,
        "late": late,
        "demand_id": d.pk,
        "number": d.number,
    }
