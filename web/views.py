"""Role homes: the page each role lands on after login, and the park switcher.

The queues come from demands.workbench (all scoped by access.visible_demands); actions post to the
demand views, which call the services.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands import access, privacy, queries, services, workbench
from demands.models import OPEN_STATUSES, Status
from escalation import access as escalation_access
from experts.models import Consultation, ConsultationStatus
from notifications import calls as notification_calls
from orgs.access import UserRequest, user_parks
from orgs.middleware import SESSION_KEY
from orgs.models import Department, Role
from parkadmin import services as parkadmin_services
from policies import access as policy_access
from qinshang.pages import DISPATCH_ROLES, ParkRequest, paginate, query_without, roles_required
from reports import dashboard, facts, metrics, periods
from reports.metrics import Scope
from visits import services as visit_services
from workcal import calendar as wcal

HOME_FOR_ROLE: dict[str, str] = {
    Role.DISPATCHER: "dispatch_centre",
    Role.ADMIN: "admin_home",
    Role.HANDLER: "department",
    Role.DEPARTMENT_HEAD: "department",
    Role.LIAISON: "liaison",
    Role.LEADER: "leader",
    Role.ENTERPRISE: "portal",
    Role.RESIDENT: "portal",
    Role.EXPERT: "expert",
    Role.BANK: "finance:bank",  # 金融机构: its 银企对接 workbench (finance.views.bank)
}
LIST_LIMIT = 50


@login_required
def home(request: UserRequest) -> HttpResponse:
    target = HOME_FOR_ROLE.get(request.user.role)
    if request.user.is_superuser and not target:
        target = "admin_home"
    if target is None:
        return render(
            request,
            "web/error.html",
            {"title": "尚未开通", "message": "您的账号尚未分配角色，请联系系统管理员。"},
            status=403,
        )
    return HttpResponseRedirect(reverse(target))


@login_required
@require_POST
def switch_park(request: UserRequest) -> HttpResponse:
    try:
        park_id = int(request.POST.get("park", ""))
    except ValueError:
        park_id = 0
    if user_parks(request.user).filter(pk=park_id).exists():
        request.session[SESSION_KEY] = park_id
    return HttpResponseRedirect(reverse("home"))


def _rows(demands, today, user):
    demands = privacy.apply(user, list(demands))
    return [{"d": d, "state": services.demand_deadline_state(d, today)} for d in demands]


# --------------------------------------------------------------------------- 派单中心


@roles_required(*DISPATCH_ROLES, page="派单中心")
def dispatch_centre(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    today = timezone.localdate()
    tabs = dict(workbench.DISPATCH_TABS)
    tab = request.GET.get("tab", "received")
    tab = tab if tab in tabs else "received"
    counts = workbench.dispatch_counts(user, park, today)
    ctx = {
        "tab": tab,
        "counts": counts,
        "proposals": escalation_access.open_count(user, park),
        "today": today,
        "limit": LIST_LIMIT,
        "tabs": [(k, label, counts.get(k, 0)) for k, label in workbench.DISPATCH_TABS],
        "here": f"{reverse('dispatch_centre')}?tab={tab}",
    }
    if tab == "received":
        ctx["undoable"] = services.undoable_dispatches(user, park)
        ctx["undo_minutes"] = services.DISPATCH_UNDO_MINUTES
    qs, sort = workbench.dispatch_queue(user, park, tab, today, request.GET.get("sort", ""))
    page = paginate(request, qs, per_page=LIST_LIMIT)
    ctx["page"] = page
    ctx["sort"] = sort
    ctx["sorts"] = [(k, label) for k, label, _ in workbench.QUEUE_SORTS[tab]]
    ctx["keep"] = query_without(request, "page")
    ctx["here"] = request.get_full_path()
    if tab == "returned":
        ctx["returned"] = list(page)
        ctx["departments"] = list(
            Department.objects.filter(park=park, is_active=True, is_dispatch_centre=False)
        )
    elif tab == "extensions":
        ctx["extensions"] = list(page)
    else:
        ctx["rows"] = _rows(page, today, user)
    return render(request, "web/dispatch_centre.html", ctx)


# --------------------------------------------------------------------------- 部门工作台


@roles_required(Role.HANDLER, Role.DEPARTMENT_HEAD, page="部门工作台")
def department(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    if not user.department_id:
        return render(
            request,
            "web/error.html",
            {"title": "尚未分配部门", "message": "您的账号尚未分配部门，请联系系统管理员。"},
            status=403,
        )
    today = timezone.localdate()
    tabs = dict(workbench.DEPARTMENT_TABS)
    counts = workbench.inbox_counts(user, park, today)
    tab = request.GET.get("tab", "")
    if tab not in tabs:  # open on the first queue that has work in it: a head's reviews, then
        # what was assigned to the person, then the department's
        first = ("review", "mine") if user.role == Role.DEPARTMENT_HEAD else ("mine",)
        tab = next(
            (t for t in (*first, "pending", "overdue", "due_soon", "working") if counts[t]),
            "pending",
        )
    qs, sort = workbench.sorted_inbox(user, park, tab, today, request.GET.get("sort", ""))
    page = paginate(request, qs, per_page=LIST_LIMIT)
    tasks = list(page)
    privacy.apply(user, [t.demand for t in tasks])
    rows = [
        {"t": t, "d": t.demand, "state": services.task_deadline_state(t, park, today)}
        for t in tasks
    ]
    figures = None
    period = None
    if user.role == Role.DEPARTMENT_HEAD:
        # The dashboard's figures for the department and this year, each with its drill-down.
        period = periods.current(today)
        scope = Scope.for_period(park, period, department_id=user.department_id, today=today)
        with facts.checked():
            figures = [c for c in dashboard.kpis(scope, period)["cards"] if c["key"] in HEAD_KPIS]
    return render(
        request,
        "web/department.html",
        {
            "tab": tab,
            "counts": counts,
            "rows": rows,
            "figures": figures,
            "page": page,
            "sort": sort,
            "sorts": [(k, label) for k, label, _ in workbench.INBOX_SORTS],
            "keep": query_without(request, "page"),
            "period": period,
            "tabs": [(k, label, counts.get(k, 0)) for k, label in workbench.DEPARTMENT_TABS],
            "here": request.get_full_path(),
            "department": user.department,
        },
    )


# --------------------------------------------------------------------------- 专属服务员


@roles_required(Role.LIAISON, page="我的企业")
def liaison(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    today = timezone.localdate()
    entities = list(workbench.liaison_entities(user, park))
    for e in entities:
        e.last_contact = workbench.last_contact(e)
    visible = access.visible_demands(user, park)
    # 电话回访 tasks (the rating request reached the requester by no outside channel) come
    # first, with their form; their demands are not listed a second time under 待回访.
    calls = notification_calls.open_for(user, park)
    callbacks = list(
        queries.for_list(
            visible.filter(status=Status.ANSWERED).exclude(pk__in=[c.demand_id for c in calls])
        ).order_by("answered_at")[:LIST_LIMIT]
    )
    open_items = list(
        queries.for_list(
            visible.filter(status__in=OPEN_STATUSES).exclude(status=Status.ANSWERED)
        ).order_by("due_date", "-created_at")[:LIST_LIMIT]
    )
    return render(
        request,
        "web/liaison.html",
        {
            "entities": entities,
            "callbacks": _rows(callbacks, today, user),
            "calls": calls,
            "call_outcomes": notification_calls.OUTCOMES.items(),
            "open_rows": _rows(open_items, today, user),
            "campaigns": visit_services.pending_for(user, park),
            "unclaimed": list(
                policy_access.visible_unclaimed(user, park)
                .select_related("policy", "entity")
                .order_by("opened_at")[:LIST_LIMIT]
            ),
            "today": today,
        },
    )


# --------------------------------------------------------------------------- 企业门户


@roles_required(Role.ENTERPRISE, Role.RESIDENT, page="企业门户")
def portal(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    today = timezone.localdate()
    qs = access.visible_demands(user, park)
    rows = _rows(queries.for_list(qs).order_by("-created_at", "-id")[:LIST_LIMIT], today, user)
    to_rate = [r for r in rows if r["d"].status == Status.ANSWERED]
    # 待补充 counts over every demand of theirs, not only the rows listed below.
    to_supply = _rows(
        queries.for_list(qs.filter(info_requested_at__isnull=False)).order_by(
            "info_requested_at", "id"
        )[:LIST_LIMIT],
        today,
        user,
    )
    return render(
        request,
        "web/portal.html",
        {
            "rows": rows,
            "to_rate": to_rate,
            "to_supply": to_supply,
            "enterprise": user.enterprise,
        },
    )


# --------------------------------------------------------------------------- 园区领导


HOME_KPIS = ("received", "closed", "overdue", "on_time", "satisfaction", "sanlv")
HEAD_KPIS = ("response", "on_time", "solve", "satisfaction", "overdue", "returns", "avg_days")


@roles_required(Role.LEADER, Role.ADMIN, page="领导总览")
def leader(request: ParkRequest) -> HttpResponse:
    """The leader's figures are the dashboard's: the same metric functions for a named period
    (this year and this month, by receipt) and, for what stands open now, the whole ledger; each
    number links to the drill-down that lists exactly what it counts."""
    user, park = request.user, request.park
    today = timezone.localdate()
    year = periods.current(today)
    month = periods.current(today, "month")
    ys = Scope.for_period(park, year, today=today)
    ms = Scope.for_period(park, month, today=today, rollups=False)
    whole = Scope(park, today=today, rollups=False)
    with facts.checked():
        cards = [c for c in dashboard.kpis(ys, year)["cards"] if c["key"] in HOME_KPIS]
        m = metrics.summary(ms)
        w = metrics.summary(whole)
        now = [
            dashboard.link(whole, None, "open", w.open, "在办 {n} 件"),
            dashboard.link(whole, None, "overdue", w.overdue, "已逾期 {n} 件"),
            dashboard.link(
                whole, None, "escalated_open", metrics.escalated_open(whole), "提级协调中 {n} 件"
            ),
        ]
        month_links = [
            dashboard.link(ms, month, "received", m.received, "受理 {n} 件"),
            dashboard.link(ms, month, "closed", m.closed, "已销号 {n} 件"),
        ]
        late_ids = metrics.drill_ids(whole, "overdue")
    qs = access.visible_demands(user, park)
    urged = _rows(
        queries.for_list(qs.filter(status__in=OPEN_STATUSES, urge_level__gt=0)).order_by(
            "-urge_level", "due_date"
        )[:20],
        today,
        user,
    )
    late = _rows(
        queries.for_list(qs.filter(pk__in=late_ids)).order_by("due_date", "id")[:20], today, user
    )
    return render(
        request,
        "web/leader.html",
        {
            "cards": cards,
            "year": year,
            "month": month,
            "month_links": month_links,
            "now": now,
            "overdue_now": w.overdue,
            "urged": urged,
            "late": late,
            "today": today,
        },
    )


# --------------------------------------------------------------------------- 专家 / 管理员


@roles_required(Role.EXPERT, page="遗留问题")
def expert(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    today = timezone.localdate()
    qs = access.visible_demands(user, park)
    rows = _rows(
        queries.for_list(qs.filter(status__in=OPEN_STATUSES)).order_by("due_date", "-created_at")[
            :LIST_LIMIT
        ],
        today,
        user,
    )
    done = _rows(
        queries.for_list(qs.exclude(status__in=OPEN_STATUSES)).order_by("-closed_at")[:20],
        today,
        user,
    )
    # An expert's opinion is written on the consultation, not on the demand: link there.
    sitting = dict(
        Consultation.objects.filter(
            park=park,
            experts__user=user,
            status=ConsultationStatus.OPEN,
            demand_id__in=[r["d"].pk for r in rows],
        ).values_list("demand_id", "pk")
    )
    for r in rows:
        r["consultation"] = sitting.get(r["d"].pk)
    return render(request, "web/expert.html", {"rows": rows, "done": done})


@roles_required(Role.ADMIN, page="系统管理")
def admin_home(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    counts = workbench.dispatch_counts(user, park, timezone.localdate())
    today = wcal.today()
    return render(
        request,
        "web/admin_home.html",
        {
            "counts": counts,
            "missing_year": parkadmin_services.missing_next_year(today),
            "years": parkadmin_services.calendar_years(today),
            "recent": parkadmin_services.changes(park)[:8],
        },
    )
