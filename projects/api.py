"""/api/v1/projects: the key-project list (filters, paging), registration and detail.

Scoped by projects.access like the pages; bad input answers 422 with the service's Chinese
message, and the request schema checks the same rules first so the OpenAPI shows them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from orgs.access import UserRequest
from orgs.access import request_park as current_park
from projects import access, livelihood, services
from projects.models import InspectionResult, KeyProject, Level, Stage
from qinshang import industries
from qinshang.errors import InvalidInput

router = Router(tags=["重点项目"])


def _choice_check(value: Any, choices: Any, label: str) -> Any:
    if value not in choices.values:
        options = "、".join(f"{c.value}（{c.label}）" for c in choices)
        raise PydanticCustomError("choice", f"{label}“{value}”无效，可选：{options}")
    return value


class ProjectIn(Schema):
    name: str = Field(..., max_length=200, description="项目名称")
    investor_id: int = Field(..., description="投资主体（市场主体编号）")
    investment_wan: Decimal = Field(..., description="总投资（万元），大于 0，最多两位小数")
    industry: str = Field(..., description="GB/T 4754-2017 两位大类代码，如 35")
    level: Level = Field(..., description="重点项目级别")
    leader_id: int = Field(..., description="联系领导（用户编号）")
    liaison_id: int = Field(..., description="专属服务员（用户编号）")
    signed_on: dt.date = Field(..., description="签约日期")
    address: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)

    @field_validator("investment_wan", mode="before")
    @classmethod
    def _money(cls, v: Any) -> Any:
        try:
            return services._money(v)
        except InvalidInput as exc:
            raise PydanticCustomError("investment", exc.message)

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, v: Any) -> Any:
        return _choice_check(v, Level, "重点项目级别")


class Ref(Schema):
    id: int
    name: str


class StageCount(Schema):
    stage: Stage
    label: str
    count: int
    investment_wan: Decimal


class Figures(Schema):
    year: int
    total: int
    investment_wan: Decimal
    by_stage: list[StageCount]
    finished_this_year: int = Field(..., description="本年竣工投产（本年达到竣工，或直接投产）")
    big_projects: int = Field(..., description="总投资 10 亿元（100000 万元）及以上")


class ProjectRow(Schema):
    id: int
    name: str
    investor: Ref
    investment_wan: Decimal
    industry: str
    industry_label: str
    level: Level
    level_label: str
    stage: Stage
    stage_label: str
    leader: Ref
    liaison: Ref
    signed_on: dt.date
    started_on: dt.date | None
    building_on: dt.date | None
    completed_on: dt.date | None
    operating_on: dt.date | None
    slipping: bool

    @staticmethod
    def resolve_investor(obj: KeyProject) -> dict:
        return {"id": obj.investor_id, "name": obj.investor.name}

    @staticmethod
    def resolve_leader(obj: KeyProject) -> dict:
        return {"id": obj.leader_id, "name": obj.leader.display_name}

    @staticmethod
    def resolve_liaison(obj: KeyProject) -> dict:
        return {"id": obj.liaison_id, "name": obj.liaison.display_name}

    @staticmethod
    def resolve_industry_label(obj: KeyProject) -> str:
        return industries.label(obj.industry) if industries.is_division(obj.industry) else ""

    @staticmethod
    def resolve_level_label(obj: KeyProject) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_stage_label(obj: KeyProject) -> str:
        return obj.get_stage_display()

    @staticmethod
    def resolve_slipping(obj: KeyProject) -> bool:
        return bool(getattr(obj, "slips", None))


class MilestoneOut(Schema):
    id: int
    name: str
    planned_on: dt.date
    forecast_on: dt.date | None
    actual_on: dt.date | None
    note: str
    slipping: bool
    slip_reason: str | None


class SiteInspectionOut(Schema):
    id: int
    inspected_on: dt.date
    inspector: str
    findings: str
    rectification_days: int | None
    rectification_deadline: dt.date | None
    result: InspectionResult
    result_label: str
    result_note: str
    result_on: dt.date | None


class ProjectEventOut(Schema):
    action: str
    actor: str | None
    note: str
    data: dict[str, Any]
    created_at: dt.datetime


class ProjectDetail(ProjectRow):
    address: str
    description: str
    milestones: list[MilestoneOut]
    inspections: list[SiteInspectionOut]
    events: list[ProjectEventOut]

    @staticmethod
    def resolve_milestones(obj: KeyProject) -> list:
        return obj.out_milestones

    @staticmethod
    def resolve_inspections(obj: KeyProject) -> list:
        return obj.out_inspections

    @staticmethod
    def resolve_events(obj: KeyProject) -> list:
        return obj.out_events


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    figures: Figures
    results: list[ProjectRow]


class ProjectFilter(Schema):
    q: str | None = Field(None, max_length=100, description="项目名称或投资主体")
    stage: Stage | None = None
    level: Level | None = None
    investor_id: int | None = None
    slipping: bool | None = Field(None, description="只看节点滞后的项目")
    min_investment_wan: Decimal | None = Field(None, ge=0)
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=200)


def _mark_slips(projects: list[KeyProject], today: dt.date) -> None:
    from projects.models import Milestone

    slipping = set(
        Milestone.objects.filter(project__in=projects)
        .filter(services._slip_filter(today))
        .values_list("project_id", flat=True)
    )
    for p in projects:
        p.slips = p.pk in slipping


@router.get("/projects", response=ProjectPage, summary="重点项目（筛选、分页、统计）")
def list_projects(request: UserRequest, filters: Query[ProjectFilter]) -> dict[str, Any]:
    park = current_park(request)
    base = access.visible_projects(request.user, park)
    qs = base
    today = timezone.localdate()
    f = filters
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(investor__name__icontains=f.q))
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.investor_id:
        qs = qs.filter(investor_id=f.investor_id)
    if f.min_investment_wan is not None:
        qs = qs.filter(investment_wan__gte=f.min_investment_wan)
    if f.slipping is not None:
        slipping = services.slipping_milestones(park, today).values("project_id")
        qs = qs.filter(pk__in=slipping) if f.slipping else qs.exclude(pk__in=slipping)
    count = qs.count()
    start = (f.page - 1) * f.page_size
    rows = list(
        qs.select_related("investor", "leader", "liaison").order_by("-signed_on", "-id")[
            start : start + f.page_size
        ]
    )
    _mark_slips(rows, today)
    return {
        "count": count,
        "page": f.page,
        "page_size": f.page_size,
        "figures": services.figures(base, today.year),
        "results": rows,
    }


@router.post("/projects", response={201: ProjectDetail}, summary="登记重点项目")
def create_project(request: UserRequest, payload: ProjectIn) -> Status:
    park = current_park(request)
    data = services.ProjectInput(**payload.dict())
    project = services.create_project(request.user, park, data)
    return Status(201, _detail(project))


@router.get(
    "/projects/{project_id}", response=ProjectDetail, summary="重点项目详情（节点、巡查、记录）"
)
def get_project(request: UserRequest, project_id: int) -> KeyProject:
    park = current_park(request)
    project = access.get_project(request.user, park, project_id)
    return _detail(project)


class MilestoneIn(Schema):
    name: str = Field(..., max_length=100, description="节点名称，如 主体封顶")
    planned_on: dt.date = Field(..., description="计划日期，不能早于项目签约日期")
    note: str = Field("", max_length=500, description="说明")


@router.post(
    "/projects/{project_id}/milestones",
    response={201: ProjectDetail},
    summary="添加项目节点（园区领导、派单中心）",
)
def add_milestone(request: UserRequest, project_id: int, payload: MilestoneIn) -> Status:
    park = current_park(request)
    project = access.get_project(request.user, park, project_id)
    services.add_milestone(
        request.user, project, name=payload.name, planned_on=payload.planned_on, note=payload.note
    )
    return Status(201, _detail(project))


def _detail(project: KeyProject) -> KeyProject:
    project = KeyProject.objects.select_related("investor", "leader", "liaison").get(pk=project.pk)
    today = timezone.localdate()
    milestones = []
    for m in project.milestones.all():
        why = services.slip_reason(m, today)
        milestones.append(
            {
                "id": m.pk,
                "name": m.name,
                "planned_on": m.planned_on,
                "forecast_on": m.forecast_on,
                "actual_on": m.actual_on,
                "note": m.note,
                "slipping": why is not None,
                "slip_reason": why,
            }
        )
    project.slips = any(m["slipping"] for m in milestones)
    project.out_milestones = milestones
    project.out_inspections = [
        {
            "id": i.pk,
            "inspected_on": i.inspected_on,
            "inspector": i.inspector.display_name,
            "findings": i.findings,
            "rectification_days": i.rectification_days,
            "rectification_deadline": i.rectification_deadline,
            "result": i.result,
            "result_label": i.get_result_display(),
            "result_note": i.result_note,
            "result_on": i.result_on,
        }
        for i in project.inspections.select_related("inspector")
    ]
    project.out_events = [
        {
            "action": e.action,
            "actor": e.actor.display_name if e.actor else None,
            "note": e.note,
            "data": e.data,
            "created_at": e.created_at,
        }
        for e in project.events.select_related("actor").order_by("created_at", "id")
    ]
    return project


# ---------------------------------------------------------------- 重点民生项目清单


class LivelihoodRow(Schema):
    id: int
    name: str
    department: Ref
    community: str
    due: dt.date = Field(..., description="完成时限")
    progress: int = Field(..., description="进度（%）")
    progress_note: str
    state: livelihood.State
    state_label: str
    overdue_working_days: int = Field(..., description="逾期工作日数；未逾期为 0")
    overdue_text: str = Field(..., description="如“逾期 3 个工作日”；未逾期为空")
    demand_id: int
    demand_number: str
    demand_status: str


class LivelihoodReportOut(Schema):
    at: dt.datetime
    progress: int
    note: str
    actor: str | None


class LivelihoodDetail(LivelihoodRow):
    description: str
    reports: list[LivelihoodReportOut]


class LivelihoodPage(Schema):
    count: int
    page: int
    page_size: int
    states: dict[str, int] = Field(..., description="可见项目按状态的数量")
    results: list[LivelihoodRow]


class LivelihoodFilter(Schema):
    q: str | None = Field(None, max_length=100, description="项目名称、村/社区、台账编号、责任单位")
    state: livelihood.State | None = None
    department_id: int | None = Field(None, ge=1)
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=200)


class LivelihoodProgressIn(Schema):
    progress: int = Field(..., ge=0, le=100, description="进度（%，0–100）")
    note: str = Field("", max_length=300, description="进展情况")


def _livelihood_out(p: Any, today: dt.date, *, detail: bool = False) -> dict[str, Any]:
    from workcal import dates

    state = livelihood.state_of(p, today)
    late = state == livelihood.State.LATE
    out = {
        "id": p.pk,
        "name": p.name,
        "department": {"id": p.department_id, "name": p.department.name},
        "community": p.demand.community,
        "due": p.due,
        "progress": p.progress,
        "progress_note": p.progress_note,
        "state": state,
        "state_label": state.label,
        "overdue_working_days": dates.overdue_working_days(p.due, today) if late else 0,
        "overdue_text": dates.overdue_text(p.due, today) if late else "",
        "demand_id": p.demand_id,
        "demand_number": p.demand.number,
        "demand_status": p.demand.status,
    }
    if detail:
        out["description"] = p.demand.description
        out["reports"] = [
            {
                "at": r.at,
                "progress": r.progress,
                "note": r.note,
                "actor": r.actor.display_name if r.actor else None,
            }
            for r in p.reports.select_related("actor").order_by("at", "id")
        ]
    return out


@router.get(
    "/livelihood-projects",
    response=LivelihoodPage,
    summary="重点民生项目清单（状态、责任单位、搜索、分页）",
    tags=["重点民生项目"],
)
def list_livelihood(request: UserRequest, filters: Query[LivelihoodFilter]) -> dict[str, Any]:
    park = current_park(request)
    today = timezone.localdate()
    base = access.visible_livelihood(request.user, park)
    f = filters
    qs = livelihood.filter_projects(
        base, today, state=f.state, department_id=f.department_id, q=f.q or ""
    )
    start = (f.page - 1) * f.page_size
    return {
        "count": qs.count(),
        "page": f.page,
        "page_size": f.page_size,
        "states": livelihood.counts(base, today),
        "results": [_livelihood_out(p, today) for p in qs[start : start + f.page_size]],
    }


@router.get(
    "/livelihood-projects/{livelihood_id}",
    response=LivelihoodDetail,
    summary="重点民生项目详情（进度记录）",
    tags=["重点民生项目"],
)
def get_livelihood(request: UserRequest, livelihood_id: int) -> dict[str, Any]:
    p = access.get_livelihood(request.user, current_park(request), livelihood_id)
    return _livelihood_out(p, timezone.localdate(), detail=True)


@router.post(
    "/livelihood-projects/{livelihood_id}/progress",
    response=LivelihoodDetail,
    summary="报告民生项目进度（责任单位、派单中心）",
    tags=["重点民生项目"],
)
def livelihood_progress(
    request: UserRequest, livelihood_id: int, payload: LivelihoodProgressIn
) -> dict[str, Any]:
    p = access.get_livelihood(request.user, current_park(request), livelihood_id)
    livelihood.report_progress(request.user, p, progress=payload.progress, note=payload.note)
    p = access.get_livelihood(request.user, current_park(request), livelihood_id)
    return _livelihood_out(p, timezone.localdate(), detail=True)
