"""重点民生项目清单 (我为群众办实事): each project is a ledger demand of a resident class, dispatched
to its responsible unit with the completion date as deadline, so it is signed, urged (催办 → 督办),
answered, called back and closed like any demand; the unit reports progress here.

The figures per project and per class of the 办实事 ledger are read by reports.dashboard and
reports.briefing from these rows and the ledger's facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from demands import services as ds
from demands.models import Channel, Demand, RequesterKind
from orgs.models import Department, Park, Role, User
from projects.models import LivelihoodProgress, LivelihoodProject
from qinshang.errors import Forbidden, InvalidInput
from qinshang.inputs import text as _text_input
from workcal import calendar as wcal

MANAGERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)


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


def row(p: LivelihoodProject, today: dt.date) -> dict[str, Any]:
    """One line of the list as the dashboard and the briefing show it."""
    d: Demand = p.demand
    late = d.is_open and p.due < today and d.status not in ("answered", "confirmed")
    return {
        "id": p.pk,
        "name": p.name,
        "department": p.department.name,
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
