"""督查 pages: the list (with the 督查通报 download), a new inspection, one inspection with its
rectification and acceptance. Views parse, call `access` / `services` and render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from orgs.models import DEPARTMENT_ROLES, Role
from qinshang.errors import InvalidInput
from qinshang.pages import ParkRequest, paginate, query_without, roles_required
from supervision import access, services
from supervision.models import InspectionStatus
from workcal import calendar as wcal

VIEWERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER, *DEPARTMENT_ROLES)
INSPECTORS = (Role.DISPATCHER, Role.ADMIN)


def _month(raw: str | None) -> tuple[dt.date, dt.date]:
    today = wcal.today()
    try:
        year, month = (int(x) for x in (raw or "").split("-"))
        start = dt.date(year, month, 1)
    except ValueError:
        start = today.replace(day=1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


@roles_required(*VIEWERS, page="督查")
def inspections(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    qs = access.visible_inspections(user, park).select_related("department", "inspector")
    status = request.GET.get("status", "")
    if status in InspectionStatus.values:
        qs = qs.filter(status=status)
    dept = request.GET.get("department", "")
    if dept.isdigit() and len(dept) < 12:
        qs = qs.filter(department_id=int(dept))
    page = paginate(request, qs, per_page=30)
    today = wcal.today()
    for i in page:
        i.late = services.is_overdue(i, today)
    start, _ = _month(None)
    return render(
        request,
        "supervision/list.html",
        {
            "page": page,
            "status": status,
            "department": dept,
            "statuses": InspectionStatus.choices,
            "departments": services.department_choices(park),
            "keep": query_without(request, "page"),
            "can_inspect": user.is_superuser or user.role in INSPECTORS,
            "month": f"{start:%Y-%m}",
        },
    )


@roles_required(*INSPECTORS, page="登记督查")
def new(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    departments = services.department_choices(park)
    picked = request.POST.get("department_id") or request.GET.get("department", "")
    department = next((d for d in departments if str(d.pk) == picked), None)
    error = ""
    if request.method == "POST" and request.POST.get("save"):
        try:
            ids = [
                int(x) for x in request.POST.getlist("demand_ids") if x.isdigit() and len(x) < 12
            ]
            ids += services.numbers_to_ids(park, request.POST.get("numbers", ""))
            days_raw = request.POST.get("rectification_days", "").strip()
            if not days_raw.isdigit() or len(days_raw) > 4:
                raise InvalidInput("整改时限应为 1 至 60 个工作日")
            day_raw = request.POST.get("inspected_on", "").strip()
            try:
                day = dt.date.fromisoformat(day_raw) if day_raw else None
            except ValueError:
                raise InvalidInput("督查日期格式应为 年-月-日")
            insp = services.create(
                user,
                park,
                services.NewInspection(
                    department_id=department.pk if department else 0,
                    demand_ids=ids,
                    findings=request.POST.get("findings", ""),
                    rectification_days=int(days_raw),
                    inspected_on=day,
                ),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记 {insp.number}，整改期限 {insp.rectification_due}")
            return HttpResponseRedirect(reverse("supervision:detail", args=[insp.pk]))
    items = services.open_items_of(department, wcal.today()) if department else []
    return render(
        request,
        "supervision/new.html",
        {
            "departments": departments,
            "department": department,
            "items": items,
            "chosen": set(request.POST.getlist("demand_ids")),
            "error": error,
            "form": request.POST,
            "today": wcal.today(),
        },
        status=422 if error else 200,
    )


@roles_required(*VIEWERS, page="督查")
def detail(request: ParkRequest, pk: int) -> HttpResponse:
    user, park = request.user, request.park
    insp = access.get_inspection(user, park, pk)
    return render(
        request,
        "supervision/detail.html",
        {
            "i": insp,
            "late": services.is_overdue(insp),
            "items": insp.demands.order_by("number"),
            "events": insp.events.select_related("actor"),
            "can_report": user.role in DEPARTMENT_ROLES
            and user.department_id == insp.department_id
            and insp.status == InspectionStatus.RECTIFYING,
            "can_verify": (user.is_superuser or user.role in INSPECTORS)
            and insp.status == InspectionStatus.REPORTED,
        },
    )


@require_POST
@roles_required(*VIEWERS, page="督查")
def act(request: ParkRequest, pk: int, step: str) -> HttpResponse:
    user, park = request.user, request.park
    insp = access.get_inspection(user, park, pk)
    try:
        if step == "report":
            services.report(user, insp, request.POST.get("rectification", ""))
            messages.success(request, "整改情况已报送")
        elif step == "verify":
            passed = request.POST.get("passed") == "1"
            services.verify(user, insp, passed=passed, note=request.POST.get("note", ""))
            messages.success(request, "已验收" if passed else "已退回整改")
        else:
            raise InvalidInput("未知的操作")
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("supervision:detail", args=[insp.pk]))


@roles_required(Role.DISPATCHER, Role.ADMIN, Role.LEADER, page="督查通报")
def bulletin(request: ParkRequest) -> HttpResponse:
    park = request.park
    start, end = _month(request.GET.get("month"))
    body = services.bulletin_docx(park, start, end)
    name = f"{park.short_name}督查通报{start:%Y年%m月}.docx"
    resp = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
