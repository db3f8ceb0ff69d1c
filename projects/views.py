"""重点项目 pages: the list (filters, search, paging, figures, xlsx export), the detail page
with milestones, site inspections and the timeline, and the forms. Views parse, authorize through
projects.access, call projects.services and render; service errors show on the same page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands.access import visible_demands
from demands.models import OPEN_STATUSES
from entities.models import MarketEntity
from orgs.models import Role, User
from projects import access, display, services
from projects.export import export_projects
from projects.models import InspectionResult, KeyProject, Level, Milestone, SiteInspection, Stage
from qinshang import industries
from qinshang.errors import InvalidInput, InvalidState, NotFound
from qinshang.pages import ParkRequest, paginate, query_without, roles_required

PAGE_ROLES = (
    Role.LEADER,
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LIAISON,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.ENTERPRISE,
)
PAGE = "重点项目"
SEARCH_MAX = 100


def _filtered(request: ParkRequest) -> tuple[QuerySet[KeyProject], dict[str, Any]]:
    park = request.park
    qs = access.visible_projects(request.user, park)
    g = request.GET
    f = {
        "q": g.get("q", "").strip()[:SEARCH_MAX],
        "stage": g.get("stage", ""),
        "level": g.get("level", ""),
        "big": g.get("big", ""),
        "slipping": g.get("slipping", ""),
        "mine": g.get("mine", ""),
    }
    if f["q"]:
        qs = qs.filter(Q(name__icontains=f["q"]) | Q(investor__name__icontains=f["q"]))
    if f["stage"] in Stage.values:
        qs = qs.filter(stage=f["stage"])
    if f["level"] in Level.values:
        qs = qs.filter(level=f["level"])
    if f["big"] == "1":
        qs = qs.filter(investment_wan__gte=services.BIG_PROJECT_WAN)
    if f["mine"] == "1":
        qs = qs.filter(Q(leader=request.user) | Q(liaison=request.user))
    if f["slipping"] == "1":
        slipping = services.slipping_milestones(park, timezone.localdate()).values("project_id")
        qs = qs.filter(pk__in=slipping)
    return qs.select_related("investor", "leader", "liaison"), f


def _slips(projects: list[KeyProject], today: dt.date) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for m in Milestone.objects.filter(project__in=projects).filter(services._slip_filter(today)):
        why = services.slip_reason(m, today)
        if why:
            out.setdefault(m.project_id, []).append(f"{m.name}：{why}")
    return out


@roles_required(*PAGE_ROLES, page=PAGE)
def project_list(request: ParkRequest) -> HttpResponse:
    park = request.park
    qs, f = _filtered(request)
    page = paginate(request, qs, 30)
    today = timezone.localdate()
    rows = list(page.object_list)
    slips = _slips(rows, today)
    for p in rows:
        p.slips = slips.get(p.pk, [])
    manager = access.can_manage(request.user, park)
    year = today.year
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "rows": rows,
            "f": f,
            "stages": Stage.choices,
            "levels": Level.choices,
            "query": query_without(request, "page"),
            "can_manage": manager,
            "figures": services.figures(access.visible_projects(request.user, park), year),
        },
    )


@roles_required(*PAGE_ROLES, page=PAGE)
def export(request: ParkRequest) -> HttpResponse:
    qs, _ = _filtered(request)
    projects = list(qs.order_by("-signed_on", "-id")[:5000])
    data = export_projects(projects, _slips(projects, timezone.localdate()))
    name = f"重点项目_{timezone.localdate():%Y%m%d}.xlsx"
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _form_input(request: ParkRequest) -> services.ProjectInput:
    p = request.POST
    return services.ProjectInput(
        name=p.get("name", ""),
        investor_id=p.get("investor_id"),
        investment_wan=p.get("investment_wan"),
        industry=p.get("industry", ""),
        level=p.get("level", ""),
        leader_id=p.get("leader_id"),
        liaison_id=p.get("liaison_id"),
        signed_on=p.get("signed_on"),
        address=p.get("address", ""),
        description=p.get("description", ""),
    )


def _form(
    request: ParkRequest, project: KeyProject | None, error: str | None, status: int = 200
) -> HttpResponse:
    park = request.park
    p = request.POST
    src = project

    def v(name: str, default: Any = "") -> Any:
        if p:
            return p.get(name, "")
        return getattr(src, name, default) if src is not None else default

    staff = (
        User.objects.filter(Q(park=park) | Q(extra_parks=park), is_active=True)
        .exclude(role__in=(Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT))
        .distinct()
        .order_by("rank", "full_name")
    )
    return render(
        request,
        "projects/form.html",
        {
            "project": project,
            "error": error,
            "v": {
                "name": v("name"),
                "investor_id": str(v("investor_id", "")),
                "investment_wan": v("investment_wan"),
                "industry": v("industry"),
                "level": v("level", Level.PARK),
                "leader_id": str(v("leader_id", "")),
                "liaison_id": str(v("liaison_id", "")),
                "signed_on": str(v("signed_on", timezone.localdate())),
                "address": v("address"),
                "description": v("description"),
                "reason": p.get("reason", ""),
            },
            "entities": MarketEntity.objects.filter(park=park, is_active=True).order_by("name"),
            "leaders": [u for u in staff if u.role == Role.LEADER or u.rank <= 2],
            "staff": staff,
            "levels": Level.choices,
            "industry_choices": industries.choices(),
        },
        status=status,
    )


@roles_required(Role.LEADER, Role.DISPATCHER, Role.ADMIN, page="登记重点项目")
def project_new(request: ParkRequest) -> HttpResponse:
    park = request.park
    if request.method == "POST":
        try:
            project = services.create_project(request.user, park, _form_input(request))
        except InvalidInput as exc:
            return _form(request, None, exc.message, 422)
        messages.success(request, f"已登记重点项目“{project.name}”，请制定项目节点计划")
        return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]))
    return _form(request, None, None)


@roles_required(Role.LEADER, Role.DISPATCHER, Role.ADMIN, page="修改重点项目")
def project_edit(request: ParkRequest, pk: int) -> HttpResponse:
    project = access.get_project(request.user, request.park, pk)
    if request.method == "POST":
        try:
            services.update_project(
                request.user,
                project,
                _form_input(request),
                reason=request.POST.get("reason", ""),
            )
        except InvalidInput as exc:
            return _form(request, project, exc.message, 422)
        messages.success(request, "已保存修改")
        return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]))
    return _form(request, project, None)


def _detail(
    request: ParkRequest, project: KeyProject, error: str | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    park = request.park
    today = timezone.localdate()
    milestones = list(project.milestones.all())
    for m in milestones:
        m.slip = services.slip_reason(m, today)
    inspections = list(project.inspections.select_related("inspector"))
    for i in inspections:
        i.late = (
            i.result == InspectionResult.PENDING
            and i.rectification_deadline is not None
            and i.rectification_deadline < today
        )
    demands = list(
        visible_demands(user, park)
        .filter(enterprise=project.investor, status__in=OPEN_STATUSES)
        .select_related("lead_department")
        .order_by("-created_at")[:20]
    )
    order = [s.value for s in Stage]
    stage_rows = [
        {
            "label": s.label,
            "on": getattr(project, services.STAGE_DATE_FIELD[s]),
            "reached": order.index(s.value) <= order.index(project.stage),
        }
        for s in Stage
    ]
    next_stages = [(s.value, s.label) for s in Stage if order.index(s) > order.index(project.stage)]
    return render(
        request,
        "projects/detail.html",
        {
            "p": project,
            "error": error,
            "milestones": milestones,
            "inspections": inspections,
            "demands": demands,
            "events": display.timeline(
                project.events.select_related("actor").order_by("-created_at", "-id")[:50]
            ),
            "stage_rows": stage_rows,
            "next_stages": next_stages,
            "industry": industries.label(project.industry)
            if industries.is_division(project.industry)
            else project.industry,
            "can_manage": access.can_manage(user, park),
            "can_progress": access.can_update_progress(user, project),
            "can_inspect": access.can_inspect(user, project),
            "today": today,
            "post": request.POST if error else {},
        },
        status=status,
    )


@roles_required(*PAGE_ROLES, page=PAGE)
def detail(request: ParkRequest, pk: int) -> HttpResponse:
    project = access.get_project(request.user, request.park, pk)
    return _detail(request, project)


def _post(request: ParkRequest, pk: int, fn: Any, ok: str) -> HttpResponse:
    project = access.get_project(request.user, request.park, pk)
    try:
        fn(project)
    except (InvalidInput, InvalidState) as exc:
        return _detail(request, project, exc.message, exc.status)
    messages.success(request, ok)
    return HttpResponseRedirect(reverse("projects:detail", args=[project.pk]))


@roles_required(*PAGE_ROLES, page=PAGE)
@require_POST
def stage(request: ParkRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _post(
        request,
        pk,
        lambda project: services.change_stage(
            request.user,
            project,
            stage=p.get("stage"),
            on=p.get("on"),
            note=p.get("note", ""),
        ),
        "已更新项目阶段",
    )


@roles_required(*PAGE_ROLES, page=PAGE)
@require_POST
def milestone_add(request: ParkRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _post(
        request,
        pk,
        lambda project: services.add_milestone(
            request.user,
            project,
            name=p.get("name"),
            planned_on=p.get("planned_on"),
            note=p.get("note", ""),
        ),
        "已添加项目节点",
    )


@roles_required(*PAGE_ROLES, page=PAGE)
@require_POST
def milestone_update(request: ParkRequest, pk: int, mid: int) -> HttpResponse:
    p = request.POST

    def run(project: KeyProject) -> None:
        m = Milestone.objects.filter(project=project, pk=mid).first()
        if m is None:
            raise NotFound("项目节点不存在")
        services.update_milestone(
            request.user,
            m,
            planned_on=p.get("planned_on") or None,
            forecast_on=p.get("forecast_on") or None,
            actual_on=p.get("actual_on") or None,
            note=p.get("note", ""),
        )

    return _post(request, pk, run, "已更新项目节点")


@roles_required(*PAGE_ROLES, page=PAGE)
@require_POST
def inspection_add(request: ParkRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _post(
        request,
        pk,
        lambda project: services.record_inspection(
            request.user,
            project,
            inspected_on=p.get("inspected_on"),
            findings=p.get("findings"),
            rectification_days=p.get("rectification_days") or None,
        ),
        "已登记工地巡查",
    )


@roles_required(*PAGE_ROLES, page=PAGE)
@require_POST
def inspection_close(request: ParkRequest, pk: int, iid: int) -> HttpResponse:
    p = request.POST

    def run(project: KeyProject) -> None:
        ins = SiteInspection.objects.filter(project=project, pk=iid).first()
        if ins is None:
            raise NotFound("巡查记录不存在")
        services.close_inspection(
            request.user,
            ins,
            note=p.get("note"),
            on=p.get("on") or None,
        )

    return _post(request, pk, run, "已确认整改")
