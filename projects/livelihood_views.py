"""重点民生项目清单 pages: the list (state, unit, search, paging, progress, completion date,
"逾期 N 个工作日") and a project's page with its progress reports, 催办, 回访 and 销号 — the
last three through the ledger's own services on the project's demand, so the project is followed
exactly as the ledger follows it. Scoped by projects.access.visible_livelihood."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands import schemas
from demands import services as ds
from demands.models import Satisfaction
from orgs.models import DEPARTMENT_ROLES, Department
from projects import access, livelihood
from qinshang.errors import InvalidInput
from qinshang.pages import ParkRequest, paginate, post_action, query_without, roles_required

PAGE = "重点民生项目清单"
PAGE_ROLES = (*access.LIVELIHOOD_ALL, *DEPARTMENT_ROLES)
# The ledger actions this page offers on the project's demand (the others stay on the demand's
# own page, which the project page links to).
LEDGER_ACTIONS = {
    "urge": "已催办责任单位",
    "confirm": "已记录群众评价",
    "record_callback": "已记录回访未果",
    "close": "已销号，项目办结",
}


def _department_id(raw: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput("责任单位参数无效", field="department") from None


@roles_required(*PAGE_ROLES, page=PAGE)
def livelihood_list(request: ParkRequest) -> HttpResponse:
    park = request.park
    today = timezone.localdate()
    base = access.visible_livelihood(request.user, park)
    g = request.GET
    f = {
        "q": g.get("q", "").strip()[: livelihood.SEARCH_MAX],
        "state": g.get("state", ""),
        "department": g.get("department", ""),
    }
    error = ""
    if f["state"] and f["state"] not in livelihood.State.values:
        error, f["state"] = "状态参数无效，已显示全部项目", ""
    try:
        dept = _department_id(f["department"])
    except InvalidInput as exc:
        error, dept, f["department"] = exc.message, None, ""
    qs = livelihood.filter_projects(
        base, today, state=f["state"] or None, department_id=dept, q=f["q"]
    )
    page = paginate(request, qs, 30)
    rows = [livelihood.row(p, today) for p in page.object_list]
    for r, p in zip(rows, page.object_list, strict=True):
        r["state"] = livelihood.state_of(p, today)
    units = Department.objects.filter(pk__in=base.values("department_id"), park=park).order_by(
        "sort", "name"
    )
    return render(
        request,
        "projects/livelihood_list.html",
        {
            "page": page,
            "rows": rows,
            "f": f,
            "error": error,
            "states": livelihood.State.choices,
            "counts": livelihood.counts(base, today),
            "total": base.count(),
            "units": units,
            "query": query_without(request, "page"),
        },
    )


@roles_required(*PAGE_ROLES, page=PAGE)
def livelihood_detail(request: ParkRequest, pk: int) -> HttpResponse:
    project = access.get_livelihood(request.user, request.park, pk)
    today = timezone.localdate()
    demand = project.demand
    actions = [
        a for a in ds.available_actions(request.user, demand) if a["action"] in LEDGER_ACTIONS
    ]
    names = {a["action"] for a in actions}
    tasks = list(demand.tasks.select_related("department").order_by("-role", "id"))
    return render(
        request,
        "projects/livelihood_detail.html",
        {
            "p": project,
            "d": demand,
            "row": livelihood.row(project, today),
            "state": livelihood.state_of(project, today),
            "reports": project.reports.select_related("actor").order_by("-at", "-id"),
            "tasks": tasks,
            "can_report": access.can_report_livelihood(request.user, project)
            and demand.status != "closed",
            "can": names,
            "satisfactions": Satisfaction.choices,
        },
    )


def _back(pk: int) -> str:
    return reverse("projects:livelihood_detail", args=[pk])


@require_POST
@roles_required(*PAGE_ROLES, page=PAGE)
def livelihood_progress(request: ParkRequest, pk: int) -> HttpResponse:
    project = access.get_livelihood(request.user, request.park, pk)

    def act() -> str:
        p = livelihood.report_progress(
            request.user,
            project,
            progress=request.POST.get("progress", ""),
            note=request.POST.get("note", ""),
        )
        return f"已报告进度 {p.progress}%"

    return post_action(request, _back(project.pk), act)


def _ledger_action(action: str) -> Any:
    @require_POST
    @roles_required(*PAGE_ROLES, page=PAGE)
    def view(request: ParkRequest, pk: int) -> HttpResponse:
        project = access.get_livelihood(request.user, request.park, pk)
        demand = project.demand

        # Who may do it is the ledger's rule, asked before the form is read: its Forbidden is
        # not a form refusal, so it leaves post_action as a 403, as on the demand's own page.
        def act() -> str:
            ds.check(action, request.user, demand)
            body = schemas.parse_action(action, request.POST)
            ds.perform(request.user, demand, body)
            return LEDGER_ACTIONS[action]

        return post_action(request, _back(project.pk), act)

    view.__name__ = f"livelihood_{action}"
    return view


livelihood_urge = _ledger_action("urge")
livelihood_confirm = _ledger_action("confirm")
livelihood_callback = _ledger_action("record_callback")
livelihood_close = _ledger_action("close")
