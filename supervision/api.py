"""/api/v1/supervision: inspections of departments' handling and their rectification."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from orgs.access import UserRequest, request_park
from supervision import access, services
from supervision.models import Inspection, InspectionStatus

router = Router(tags=["督查"])


class Ref(Schema):
    id: int
    name: str


class InspectionOut(Schema):
    id: int
    number: str
    department: Ref
    inspector: str
    inspected_on: dt.date
    demand_numbers: list[str]
    findings: str
    rectification_days: int
    rectification_due: dt.date
    status: InspectionStatus
    overdue: bool
    rectification: str
    result: str


class InspectionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InspectionOut]


class InspectionFilter(Schema):
    status: InspectionStatus | None = None
    department: int | None = Field(None, ge=1)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=200)


class InspectionIn(Schema):
    department_id: int = Field(..., ge=1, description="被督查部门")
    demand_ids: list[int] = Field(..., description="督查事项（该部门办理的诉求编号 id）")
    findings: str = Field(..., max_length=4000, description="发现的问题")
    rectification_days: int = Field(..., description="整改时限（工作日，1–60）")
    inspected_on: dt.date | None = Field(None, description="督查日期，默认今天")


class ReportIn(Schema):
    rectification: str = Field(..., max_length=4000, description="整改情况")


class VerifyIn(Schema):
    passed: bool = Field(..., description="true 验收通过；false 退回整改")
    note: str = Field("", max_length=2000, description="验收意见；退回时必填")


def out(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "number": i.number,
        "department": {"id": i.department_id, "name": i.department.name},
        "inspector": i.inspector.display_name,
        "inspected_on": i.inspected_on,
        "demand_numbers": [d.number for d in i.demands.all()],
        "findings": i.findings,
        "rectification_days": i.rectification_days,
        "rectification_due": i.rectification_due,
        "status": i.status,
        "overdue": services.is_overdue(i),
        "rectification": i.rectification,
        "result": i.result,
    }


@router.get("/supervision/inspections", response=InspectionPage, summary="督查记录")
def list_inspections(request: UserRequest, filters: Query[InspectionFilter]) -> dict:
    park = request_park(request)
    qs = access.visible_inspections(request.user, park)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    start = (filters.page - 1) * filters.page_size
    rows = qs.select_related("department", "inspector").prefetch_related("demands")
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [out(i) for i in rows[start : start + filters.page_size]],
    }


@router.post("/supervision/inspections", response={201: InspectionOut}, summary="登记督查")
def create(request: UserRequest, payload: InspectionIn) -> Status:
    park = request_park(request)
    insp = services.create(
        request.user,
        park,
        services.NewInspection(**payload.dict()),
    )
    return Status(201, out(insp))


@router.get("/supervision/inspections/{inspection_id}", response=InspectionOut, summary="督查详情")
def detail(request: UserRequest, inspection_id: int) -> dict:
    park = request_park(request)
    return out(access.get_inspection(request.user, park, inspection_id))


@router.post(
    "/supervision/inspections/{inspection_id}/report",
    response=InspectionOut,
    summary="被督查部门报送整改情况",
)
def report(request: UserRequest, inspection_id: int, payload: ReportIn) -> dict:
    park = request_park(request)
    insp = access.get_inspection(request.user, park, inspection_id)
    return out(services.report(request.user, insp, payload.rectification))


@router.post(
    "/supervision/inspections/{inspection_id}/verify",
    response=InspectionOut,
    summary="验收整改（通过或退回）",
)
def verify(request: UserRequest, inspection_id: int, payload: VerifyIn) -> dict:
    park = request_park(request)
    insp = access.get_inspection(request.user, park, inspection_id)
    done = services.verify(request.user, insp, passed=payload.passed, note=payload.note)
    return out(done)
