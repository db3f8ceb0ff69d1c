"""The leaders' dashboard, its drill-down lists and the briefings. Views parse the request, decide
the scope (`report_scope`), call reports.dashboard / reports.metrics and render."""

from __future__ import annotations

from dataclasses import dataclass
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
from demands.models import Category, Event, ReturnReason, Satisfaction, Task, Tier
from demands.workbook import export_ledger
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, NotFound
from qinshang.pages import ParkRequest, roles_required
from qinshang.replicas import replica_reads
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


def matchmaking_panel(park: Any, year: int) -> dict[str, Any]:
    """供需对接 figures of the year (matchmaking.services.year_figures): events, signings, amount
    per kind of event — "13 场, 订单 10 亿元", "48 家签约 131.67 亿元"."""
    from matchmaking.services import headline, year_figures

    rows = year_figures(park, year)
    for r in rows:
        r["headline"] = headline(r)
    return {"year": year, "rows": rows, "any": any(r["events"] for r in rows)}


@roles_required(*REPORT_ROLES, page=PAGE)
@replica_reads
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
        "matchmaking": matchmaking_panel(scope.park, scope.day.year),
        **dashboard.choices(scope),
    }
    return render(request, "reports/dashboard.html", ctx)


@roles_required(*REPORT_ROLES, page=PAGE)
@replica_reads
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


@dataclass
class Drill:
    """The items behind a figure: `qs` cut to what the reader may open (demands, tasks or events
    by `kind`), and for whole-park readers `ordered`, the ids paged on the facts' indexes."""

    qs: Any
    kind: str
    title: str
    scope: Scope
    period: periods.Period | None
    ordered: Any


def _drill(request: ParkRequest) -> Drill:
    scope, period, _ = scope_from(request)
    metric = request.GET.get("metric", "received")
    if metric in dashboard.LEGACY_DRILLS:
        return _legacy_drill(request, scope, period, metric)
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
    kind = metrics.drill_kind(metric)
    ids = metrics.drill_ids(scope, metric, **kw)
    # The figures are the park's; the list is also cut to what this user may open.
    reader = request.user
    visible = access.visible_demands(reader, scope.park)
    qs: Any
    if kind == "d":
        qs = visible.filter(pk__in=ids)
    elif kind == "t":
        qs = Task.objects.filter(pk__in=ids, demand__in=visible)
    else:
        qs = Event.objects.filter(pk__in=ids, demand__in=visible)
    ordered = None
    if report_department(reader) is None:
        ordered = metrics.drill_ordered(scope, metric, **kw)
    title = metrics.DRILLS[metric][1]
    if metric == "tier" and tier:
        title = f"在“{Tier(tier).label}”层级答复的诉求"
    return Drill(qs, kind, title, scope, period, ordered)


def _task_rows(qs: Any) -> Any:
    return qs.select_related(
        "demand", "demand__enterprise", "demand__category", "department"
    ).order_by("-demand__created_at", "-id")


def _event_rows(qs: Any) -> Any:
    return qs.select_related("demand", "demand__enterprise", "task__department", "actor").order_by(
        "-created_at", "-id"
    )


def _legacy_drill(
    request: ParkRequest, scope: Scope, period: periods.Period | None, metric: str
) -> Drill:
    """The legacy panel's figures: the items `experts.legacy` counts, by the park's rule."""
    band = _int(request.GET, "band")
    if band is not None and band >= len(dashboard.experts_legacy.AGE_BUCKETS):
        raise InvalidInput(f"未知的时长分段“{band}”", field="band")
    ids = dashboard.legacy_items(
        scope, metric, band=band, lead_department_id=_int(request.GET, "lead_department")
    ).values("pk")
    qs = access.visible_demands(request.user, scope.park).filter(pk__in=ids)
    start, end = dashboard.legacy_window(scope)
    title = f"{dashboard.LEGACY_DRILLS[metric][1]}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"
    if band is not None:
        title += f" · {dashboard.experts_legacy.AGE_BUCKETS[band][0]}"
    return Drill(qs, "d", title, scope, period, None)


@roles_required(*REPORT_ROLES, page=PAGE)
@replica_reads
def drill(request: ParkRequest) -> HttpResponse:
    dr = _drill(request)
    rows: dict[int, Any]
    if dr.ordered is not None:
        # Whole-park readers: page through the facts, then fetch just this page's rows.
        page = Paginator(dr.ordered, 50).get_page(request.GET.get("page"))
        ids = list(page.object_list)
        if dr.kind == "d":
            rows = {d.pk: d for d in queries.for_list(dr.qs.filter(pk__in=ids))}
        elif dr.kind == "t":
            rows = {t.pk: t for t in _task_rows(dr.qs.filter(pk__in=ids))}
        else:
            rows = {e.pk: e for e in _event_rows(dr.qs.filter(pk__in=ids))}
        items = [rows[i] for i in ids if i in rows]
    else:
        if dr.kind == "d":
            ordered_qs = queries.for_list(dr.qs.order_by("-created_at", "-id"))
        elif dr.kind == "t":
            ordered_qs = _task_rows(dr.qs)
        else:
            ordered_qs = _event_rows(dr.qs)
        page = Paginator(ordered_qs, 50).get_page(request.GET.get("page"))
        items = list(page.object_list)
    if dr.kind == "d":
        items = [privacy.always(d) for d in items]
    else:
        for x in items:
            privacy.always(x.demand)
            if dr.kind == "e":
                x.reason_text = _event_reason(x)
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "page": page,
        "kind": dr.kind,
        "unit": metrics.UNITS[dr.kind],
        "demands": items if dr.kind == "d" else [],
        "tasks": items if dr.kind == "t" else [],
        "events": items if dr.kind == "e" else [],
        "title": dr.title,
        "scope": dr.scope,
        "period": dr.period,
        "department": Department.objects.filter(pk=dr.scope.department_id).first()
        if dr.scope.department_id
        else None,
        "query": params.urlencode(),
        "today": dr.scope.day,
    }
    return render(request, "reports/drill.html", ctx)


TASK_SHEET = [
    ("诉求编号", 18),
    ("标题", 40),
    ("企业/诉求人", 28),
    ("部门", 22),
    ("角色", 8),
    ("任务状态", 10),
    ("交办时间", 18),
    ("办结时限", 12),
    ("答复时间", 18),
]
EVENT_SHEET = [
    ("诉求编号", 18),
    ("标题", 40),
    ("企业/诉求人", 28),
    ("事项", 10),
    ("部门", 22),
    ("时间", 18),
    ("评价/理由", 16),
    ("说明", 40),
]


def _who(d: Any) -> str:
    return d.enterprise.name if d.enterprise_id else d.requester_name


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _items_sheet(dr: Drill) -> bytes:
    from qinshang import sheets

    wb, ws = sheets.new_workbook(dr.title[:31])
    if dr.kind == "t":
        rows: Any = (
            (
                t.demand.number,
                t.demand.title,
                _who(privacy.always(t.demand)),
                t.department.name,
                t.get_role_display(),
                t.get_status_display(),
                _local(t.assigned_at),
                t.deadline,
                _local(t.answered_at),
            )
            for t in _task_rows(dr.qs).iterator(chunk_size=2000)
        )
        sheets.write_table(ws, TASK_SHEET, rows)
    else:
        rows = (
            (
                e.demand.number,
                e.demand.title,
                _who(privacy.always(e.demand)),
                "回访评价" if e.action == "confirm" else "退单",
                e.task.department.name if e.task_id else "",
                _local(e.created_at),
                _event_reason(e),
                e.note,
            )
            for e in _event_rows(dr.qs).iterator(chunk_size=2000)
        )
        sheets.write_table(ws, EVENT_SHEET, rows)
    return sheets.to_bytes(wb)


def _event_reason(e: Any) -> str:
    data = e.data or {}
    if e.action == "confirm":
        return (
            str(Satisfaction(data["satisfaction"]).label)
            if data.get("satisfaction") in Satisfaction.values
            else ""
        )
    reason = data.get("reason") or ""
    return str(ReturnReason(reason).label) if reason in ReturnReason.values else str(reason)


@roles_required(*REPORT_ROLES, page=PAGE)
@replica_reads
def drill_export(request: ParkRequest) -> HttpResponse:
    dr = _drill(request)
    if dr.kind == "d":
        data = export_ledger(dr.qs.order_by("created_at", "id"), mask=privacy.always)
    else:
        data = _items_sheet(dr)
    name = f"{dr.title}-{dr.scope.park.short_name}-{dr.scope.day:%Y%m%d}.xlsx"
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
