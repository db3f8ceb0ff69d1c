"""查询进度: the public page where a caller without an account follows a demand by its number and
查询码, and rates the answer; and the staff's button that issues the code. Views parse, call
`demands.tracking` / `demands.services` and render; what is shown is the requester's view."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.lockout import client_ip
from demands import access, display, redaction, schemas, services, tracking
from demands.models import Demand, Satisfaction, Status
from qinshang.errors import InvalidInput, NotFound, ServiceError
from qinshang.pages import ParkRequest, page

SESSION_KEY = "tracked_demands"
SESSION_MAX = 20  # a caller follows a few items; the list must not grow without end


def _proven(request: HttpRequest) -> list[int]:
    ids = request.session.get(SESSION_KEY, [])
    return [i for i in ids if isinstance(i, int)]


def track(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    number = request.GET.get("number", "")[:20]
    if request.method == "POST":
        number = request.POST.get("number", "")[:20]
        try:
            demand = tracking.find(number, request.POST.get("code", ""), client_ip(request) or "")
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            ids = [i for i in _proven(request) if i != demand.pk]
            request.session[SESSION_KEY] = [demand.pk, *ids][:SESSION_MAX]
            return HttpResponseRedirect(reverse("track_detail", args=[demand.number]))
    return render(request, "demands/track.html", {"error": error, "number": number}, status=status)


def _tracked(request: HttpRequest, number: str) -> Demand:
    demand = (
        Demand.objects.select_related("park", "category", "enterprise")
        .filter(number=number.upper()[:20])
        .first()
    )
    if demand is None or demand.pk not in _proven(request):
        raise NotFound("请先输入诉求编号和查询码")
    return demand


def track_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        demand = _tracked(request, number)
    except NotFound:
        return HttpResponseRedirect(reverse("track") + f"?number={number[:20]}")
    return _render(request, demand)


def _render(
    request: HttpRequest, demand: Demand, *, error: str = "", status: int = 200
) -> HttpResponse:
    events = list(
        demand.events.select_related("actor", "task", "task__department").order_by(
            "created_at", "id"
        )
    )
    tasks = redaction.visible_tasks(demand.tasks.select_related("department"))
    ctx: dict[str, Any] = {
        "demand": demand,
        "timeline": display.timeline(events, requester=True),
        "departments": sorted({t.department.name for t in tasks}),
        "can_rate": demand.status == Status.ANSWERED,
        "can_supply": demand.awaits_info and demand.status != Status.CLOSED,
        "satisfactions": Satisfaction.choices,
        "error": error,
        "form": request.POST if error else {},
    }
    return render(request, "demands/track_detail.html", ctx, status=status)


@require_POST
def track_rate(request: HttpRequest, number: str) -> HttpResponse:
    try:
        demand = _tracked(request, number)
    except NotFound:
        return HttpResponseRedirect(reverse("track") + f"?number={number[:20]}")
    try:
        raw = request.POST.get("satisfaction", "")
        if raw not in Satisfaction.values:
            raise InvalidInput("请选择满意度", field="satisfaction")
        services.confirm_tracked(
            demand,
            satisfaction=Satisfaction(raw),
            comment=request.POST.get("comment", "").strip()[:1000],
        )
    except ServiceError as exc:
        return _render(request, demand, error=exc.message, status=exc.status)
    messages.success(request, "感谢您的评价")
    return HttpResponseRedirect(reverse("track_detail", args=[demand.number]))


@require_POST
def track_supply(request: HttpRequest, number: str) -> HttpResponse:
    """补充材料 by the caller: the answer to the park's question starts the clock again."""
    try:
        demand = _tracked(request, number)
    except NotFound:
        return HttpResponseRedirect(reverse("track") + f"?number={number[:20]}")
    try:
        body = schemas.parse_action("supply_info", {"answer": request.POST.get("answer", "")})
        services.supply_info_tracked(demand, answer=cast(schemas.SupplyInfoIn, body).answer)
    except ServiceError as exc:
        return _render(request, demand, error=exc.message, status=exc.status)
    messages.success(request, "已提交补充材料，我们会尽快继续办理")
    return HttpResponseRedirect(reverse("track_detail", args=[demand.number]))


@page
@require_POST
def issue_code(request: ParkRequest, pk: int) -> HttpResponse:
    demand = access.get_demand(request.user, request.park, pk)
    code = tracking.issue_code(request.user, demand)
    messages.success(
        request,
        f"查询码 {code}（只显示这一次）：请告知诉求人，凭编号 {demand.number} 和查询码"
        f"在“查询进度”页面查看办理情况并评价。",
    )
    return HttpResponseRedirect(reverse("demands:detail", args=[demand.pk]))
