"""The leaders' dashboard, its drill-down lists and the briefings. Views parse the request, decide
the scope (`report_scope`), call reports.dashboard / reports.metrics and render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands import access, privacy, queries
from demands.models import Category, Tier
from exchange.xlsx import export_ledger
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, NotFound
from qinshang.pages import ParkRequest, roles_required
from reports import dashboard, facts, metrics, periods
from reports.metrics import Scope
from reports.models import Briefing

REPORT_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.DEPARTMENT_HEAD)
PAGE = "数据看板"


def report_department(user: User) -> int | None:
    """The department a user's figures are confined to: a department head sees their own
    department only; leaders, dispatchers and administrators see the park (None)."""
    if user.is_superuser or user.role in (Role.LEADER, Role.DISPATCHER, Role.ADMIN):
        return None
    if user.role == Role.DEPARTMENT_HEAD and user.department_id:
        return user.department_id
    raise Forbidden("数据看板仅供园区领导、派单员、系统管理员和部门负责人使用")


def _int(params: Any, name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(f"参数 {name}“{raw}”应为数字", field=name)
    return int(raw)


def scope_from(request: ParkRequest) -> tuple[Scope, periods.Period | None, Any]:
    """The scope the request asks for, confined to what the user may see."""
    park: Park = request.park
    user: User = request.user
    own = report_department(user)
    p = request.GET
    today = timezone.localdate()
    code = (p.get("period") or "").strip()
    period = (
        periods.parse(code)
        if code and code != "all"
        else (None if code == "all" else periods.current(today))
    )
    dept = _int(p, "department")
    if own is not None:
        dept = own  # whatever was asked, a department head sees their own department
    elif dept and not Department.objects.filter(park=park, pk=dept).exists():
        raise InvalidInput("部门不属于本园区", field="department")
    cat = _int(p, "category")
    if cat and not Category.objects.filter(park=park, pk=cat).exists():
        raise InvalidInput("类别不属于本园区", field="category")
    liaison = _int(p, "liaison")
    if liaison and not User.objects.filter(Q(park=park) | Q(extra_parks=park), pk=liaison).exists():
        raise InvalidInput("服务员不属于本园区", field="liaison")
    channel = (p.get("channel") or "").strip() or None
    weights = None
    if (p.get("weights") or "").strip():
        try:
            weights = [float(x) for x in p["weights"].replace("，", ",").split(",")]
            metrics.composite([metrics.Rate(0, 0)] * 3, weights)  # validates
        except ValueError:
            raise InvalidInput("三率权重应为三个非负数，如 30,35,35", field="weights")
    scope = Scope.for_period(
        park,
        period,
        department_id=dept,
        category_id=cat,
        channel=channel,
        liaison_id=liaison,
        today=today,
    )
    return scope, period, weights


@roles_required(*REPORT_ROLES, page=PAGE)
def index(request: ParkRequest) -> HttpResponse:
    scope, period, weights = scope_from(request)
    data = dashboard.build(scope, period, weights)
    user: User = request.user
    options = dashboard.period_options(scope.day)
    if period is not None and period.code not in dict(options):
        options.insert(0, (period.code, period.label))
    charts = {
        "trend": {k: v for k, v in data["trend"].items() if k != "table"},
        "heatmap": data["heatmap"],
        "categories": data["categories"][:15],
    }
    ctx = {
        **data,
        "scope": scope,
        "period": period,
        "charts": charts,
        "own_department": report_department(user),
        "department": Department.objects.filter(pk=scope.department_id).first()
        if scope.department_id
        else None,
        "period_options": options,
        "defs": metrics.DEFINITIONS,
        "weights": request.GET.get("weights", ""),
        "query": request.GET.urlencode(),
        "briefings": Briefing.objects.filter(park=scope.park, requested_by=user)[:5],
        **dashboard.choices(scope),
    }
    return render(request, "reports/dashboard.html", ctx)


@roles_required(*REPORT_ROLES, page=PAGE)
def data_json(request: ParkRequest) -> JsonResponse:
    """The dashboard's figures as JSON (for a wall screen or a BI tool)."""
    scope, period, weights = scope_from(request)
    with facts.checked():
        f = metrics.summary(scope, weights)
        monthly = metrics.monthly(scope, weights)
    body = {
        "park": scope.park.code,
        "period": period.code if period else "all",
        "department_id": scope.department_id,
        "figures": f.as_dict(),
        "monthly": [{"month": m, **x.as_dict()} for m, x in monthly],
        "definitions": metrics.DEFINITIONS,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _drill(request: ParkRequest) -> tuple[Any, str, Scope, periods.Period | None, Any]:
    scope, period, _ = scope_from(request)
    metric = request.GET.get("metric", "received")
    if metric not in metrics.DRILLS:
        raise InvalidInput(f"未知的统计口径“{metric}”", field="metric")
    tier = request.GET.get("tier") or None
    if tier and tier not in Tier.values:
        raise InvalidInput(f"未知的解决层级“{tier}”", field="tier")
    kw = {
        "month": _int(request.GET, "month"),
        "tier": tier,
        "category_l1_id": _int(request.GET, "category_l1"),
        "lead_department_id": _int(request.GET, "lead_department"),
    }
    ids = metrics.drill_ids(scope, metric, **kw)
    # The figures are the park's; the list is also cut to what this user may open.
    qs = access.visible_demands(request.user, scope.park).filter(pk__in=ids)
    ordered = None
    if report_department(request.user) is None:
        ordered = metrics.drill_ordered(scope, metric, **kw)
    title = metrics.DRILLS[metric][1]
    if metric == "tier" and tier:
        title = f"在“{Tier(tier).label}”层级答复的诉求"
    return qs, title, scope, period, ordered


@roles_required(*REPORT_ROLES, page=PAGE)
def drill(request: ParkRequest) -> HttpResponse:
    qs, title, scope, period, ordered = _drill(request)
    if ordered is not None:
        # Whole-park readers: page through the facts, then fetch just this page's demands.
        page = Paginator(ordered, 50).get_page(request.GET.get("page"))
        ids = list(page.object_list)
        visible = access.visible_demands(request.user, scope.park)
        rows = {d.pk: d for d in queries.for_list(visible.filter(pk__in=ids))}
        demands = [rows[i] for i in ids if i in rows]
    else:
        page = Paginator(queries.for_list(qs.order_by("-created_at", "-id")), 50).get_page(
            request.GET.get("page")
        )
        demands = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "page": page,
        "demands": [privacy.always(d) for d in demands],
        "title": title,
        "scope": scope,
        "period": period,
        "department": Department.objects.filter(pk=scope.department_id).first()
        if scope.department_id
        else None,
        "query": params.urlencode(),
        "today": scope.day,
    }
    return render(request, "reports/drill.html", ctx)


@roles_required(*REPORT_ROLES, page=PAGE)
def drill_export(request: ParkRequest) -> HttpResponse:
    qs, title, scope, _, _ = _drill(request)
    data = export_ledger(qs.order_by("created_at", "id"), mask=privacy.always)
    name = f"{title}-{scope.park.short_name}-{scope.day:%Y%m%d}.xlsx"
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = (
        f"attachment; filename=\"drill.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return resp


# --------------------------------------------------------------------------- briefings


@require_POST
@roles_required(*REPORT_ROLES, page=PAGE)
def briefing_new(request: ParkRequest) -> HttpResponse:
    from reports.tasks import generate_briefing

    park: Park = request.park
    user: User = request.user
    code = (request.POST.get("period") or "").strip()
    period = periods.parse(code or str(timezone.localdate().year))
    own = report_department(user)
    b = Briefing.objects.create(park=park, period=period.code, requested_by=user, department_id=own)
    generate_briefing.enqueue(b.pk)
    return HttpResponseRedirect(reverse("reports:briefing", args=[b.pk]))


def _briefing(request: ParkRequest, pk: int) -> Briefing:
    user: User = request.user
    own = report_department(user)
    b = Briefing.objects.filter(pk=pk, park=request.park).first()
    if b is None:
        raise NotFound("简报不存在")
    if own is not None and b.department_id != own:
        raise Forbidden("您只能查看本部门的简报")
    return b


@roles_required(*REPORT_ROLES, page=PAGE)
def briefing(request: ParkRequest, pk: int) -> HttpResponse:
    b = _briefing(request, pk)
    template = "reports/_briefing_progress.html" if request.htmx else "reports/briefing.html"
    return render(request, template, {"b": b, "label": _period_label(b.period)})


def _period_label(code: str) -> str:
    try:
        return periods.parse(code).label
    except InvalidInput:
        return code


@roles_required(*REPORT_ROLES, page=PAGE)
def briefing_file(request: ParkRequest, pk: int, kind: str) -> FileResponse:
    b = _briefing(request, pk)
    f = b.docx if kind == "docx" else b.pdf if kind == "pdf" else None
    if not f:
        raise NotFound("文件尚未生成")
    name = f"{b.park.short_name}工作简报-{_period_label(b.period)}.{kind}"
    return FileResponse(f.open("rb"), as_attachment=True, filename=name)
