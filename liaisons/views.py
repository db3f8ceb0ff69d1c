"""Pages of 一对一专属服务员: overview, rules, plan preview and apply, history per entity and per
person, handover, contact cadence, and sheet import/export. Views parse, check access, call
`liaisons.services` / `liaisons.sheets` and render."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from entities.models import MarketEntity, Tier
from entities.services import get_entity
from liaisons import services, sheets
from liaisons.models import (
    Change,
    ContactKind,
    Plan,
    PlanItem,
    StaffOverride,
)
from orgs.models import Department, Role, User
from qinshang import industries
from qinshang.errors import Forbidden, InvalidInput, NotFound
from qinshang.pages import ParkRequest, page, paginate, query_without

STAFF_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.LIAISON,
    Role.LEADER,
)


def _ctx(request: ParkRequest, tab: str, **kw: Any) -> dict[str, Any]:
    park = request.park
    return {
        "tab": tab,
        "can_plan": services.can_plan(request.user, park),
        "can_view": services.can_view(request.user, park),
        **kw,
    }


def _industry(code: str) -> str:
    try:
        return industries.label(code) if code else "未登记"
    except KeyError:
        return code


# --------------------------------------------------------------------------- overview


@page
def index(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    ents = MarketEntity.objects.filter(park=park, is_active=True)
    stats = ents.aggregate(
        total=Count("pk"),
        covered=Count("pk", filter=Q(liaison__isnull=False)),
        with_backup=Count("pk", filter=Q(backup_liaison__isnull=False)),
        serving=Count("liaison", distinct=True),
    )
    total = stats["total"] or 0
    by_tier = ents.values("tier").annotate(n=Count("pk"), covered=Count("liaison")).order_by("tier")
    tiers = dict(Tier.choices)
    overdue = services.overdue_entities(park).count()
    plans = Plan.objects.filter(park=park).select_related("created_by", "applied_by")[:10]
    return render(
        request,
        "liaisons/index.html",
        _ctx(
            request,
            "index",
            stats=stats,
            coverage=(stats["covered"] / total * 100) if total else 100.0,
            backup_coverage=(stats["with_backup"] / total * 100) if total else 100.0,
            uncovered=total - stats["covered"],
            tiers=[
                {
                    "tier": r["tier"],
                    "label": tiers.get(r["tier"], r["tier"]),
                    "n": r["n"],
                    "covered": r["covered"],
                }
                for r in by_tier
            ],
            overdue=overdue,
            plans=plans,
            eligible=services.eligible_staff(park).count(),
        ),
    )


@page
@require_POST
def plan_new(request: ParkRequest) -> HttpResponse:
    park = request.park
    try:
        plan = services.plan_assignment(park, request.user)
    except services.ShortageError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("liaisons:index"))
    return HttpResponseRedirect(reverse("liaisons:plan", args=[plan.pk]))


# --------------------------------------------------------------------------- rules


def _rules_form(request: HttpRequest, park: Any) -> services.RulesInput:
    p = request.POST

    def ranks(prefix: str) -> dict[int, list[int]]:
        return {
            t: [int(r) for r in p.getlist(f"{prefix}_{t}") if r.isdigit()] for t in services.TIERS
        }

    def numbers(prefix: str, keys: tuple[int, ...]) -> dict[int, str]:
        return {k: p.get(f"{prefix}_{k}", "") for k in keys}

    depts = Department.objects.filter(park=park).values_list("pk", flat=True)
    return services.RulesInput(
        allowed_ranks=ranks("allowed"),
        backup_allowed_ranks=ranks("backup_allowed"),
        capacity_by_rank=numbers("cap", services.RANKS),
        backup_capacity_by_rank=numbers("bcap", services.RANKS),
        backup=p.get("backup") == "on",
        eligible_roles=p.getlist("eligible_roles"),
        cadence_days=numbers("cadence", services.TIERS),
        department_industries={d: p.get(f"dept_{d}", "") for d in depts},
        industry_weight=p.get("industry_weight", ""),
        seniority_weight=p.get("seniority_weight", ""),
        load_weight=p.get("load_weight", ""),
        change_weight=p.get("change_weight", ""),
        department_weight=p.get("department_weight", ""),
    )


@page
def rules(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    error = None
    if request.method == "POST":
        services.require_planner(request.user, park)
        action = request.POST.get("action", "rules")
        try:
            if action == "override":
                person = services.get_staff(
                    request.user,
                    park,
                    request.POST.get("user"),
                )
                services.set_override(
                    request.user,
                    park,
                    person,
                    capacity=request.POST.get("capacity"),
                    backup_capacity=request.POST.get("backup_capacity"),
                    industries_text=request.POST.get("industries", ""),
                    excluded=request.POST.get("excluded") == "on",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, f"已保存{person.display_name}的个别设置")
            elif action == "delete_override":
                services.delete_override(
                    request.user,
                    park,
                    request.POST.get("override"),
                )
                messages.success(request, "已删除个别设置")
            else:
                services.update_rules(
                    request.user,
                    park,
                    _rules_form(request, park),
                )
                messages.success(request, "规则已保存；生成新方案时按新规则计算")
            return HttpResponseRedirect(reverse("liaisons:rules"))
        except (InvalidInput, NotFound) as exc:
            error = exc.message
    r = services.rules_for(park)
    rank_labels = services.RANK_LABELS
    tier_rows = []
    for t in services.TIERS:
        tier_rows.append(
            {
                "tier": t,
                "label": Tier(t).label,
                "allowed": set(r.allowed_ranks.get(str(t), [])),
                "backup_allowed": set(r.backup_allowed_ranks.get(str(t), [])),
                "cadence": r.cadence_days.get(str(t), ""),
            }
        )
    rank_rows = [
        {
            "rank": k,
            "label": v,
            "cap": r.capacity_by_rank.get(str(k), ""),
            "bcap": r.backup_capacity_by_rank.get(str(k), ""),
        }
        for k, v in rank_labels.items()
    ]
    depts = [
        {"pk": d.pk, "name": d.name, "industries": r.department_industries.get(str(d.pk), "")}
        for d in Department.objects.filter(park=park, is_active=True)
    ]
    overrides = StaffOverride.objects.filter(park=park).select_related("user__department")
    staff = (
        services.eligible_staff(park, r)
        .select_related("department")
        .order_by("department__sort", "rank", "full_name")
    )
    roles = [(v, Role(v).label, v in r.eligible_roles) for v in services.ELIGIBLE_ROLE_CHOICES]
    return render(
        request,
        "liaisons/rules.html",
        _ctx(
            request,
            "rules",
            rules=r,
            tier_rows=tier_rows,
            rank_rows=rank_rows,
            ranks=rank_labels,
            depts=depts,
            overrides=overrides,
            staff=staff,
            roles=roles,
            error=error,
            sections=industries.SECTION_NAMES,
            changes=services.rules_changes(park),
        ),
        status=422 if error else 200,
    )


# --------------------------------------------------------------------------- plans


CHANGE_TABS = [
    ("changed", "有变化"),
    (Change.NEW, "新增"),
    (Change.MOVED, "调整"),
    (Change.ORPHANED, "原服务员离岗"),
    (Change.KEPT, "保持"),
    ("all", "全部"),
]


@page
def plan_detail(request: ParkRequest, plan_id: int) -> HttpResponse:
    park = request.park
    plan = services.get_plan(request.user, park, plan_id)
    show = request.GET.get("show", "changed")
    items = PlanItem.objects.filter(plan=plan).select_related(
        "entity", "liaison__department", "backup", "previous_liaison", "previous_backup"
    )
    counts = dict(plan.items.values_list("change").annotate(n=Count("pk")).order_by())
    backup_changes = plan.backup_changed
    if show == "changed":
        items = items.filter(~Q(change=Change.KEPT) | Q(backup_changed=True))
    elif show in Change.values:
        items = items.filter(change=show)
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(Q(entity__name__contains=q) | Q(liaison__full_name__contains=q))
    items = items.order_by("entity__tier", "entity__name")
    pairs = paginate(request, items, 50)
    tabs = []
    n_changed = (
        PlanItem.objects.filter(plan=plan)
        .filter(~Q(change=Change.KEPT) | Q(backup_changed=True))
        .count()
    )
    for key, label in CHANGE_TABS:
        n = {"all": plan.entity_count, "changed": None}.get(key, counts.get(key, 0))
        if key == "changed":
            n = n_changed
        tabs.append({"key": key, "label": label, "n": n, "on": key == show})
    load = _load_view(plan, park, request)
    return render(
        request,
        "liaisons/plan.html",
        _ctx(
            request,
            "plans",
            plan=plan,
            pairs=pairs,
            tabs=tabs,
            show=show,
            q=q,
            qs=query_without(request, "page", "staff_page"),
            backup_changes=backup_changes,
            saving=(plan.greedy_objective or 0) - plan.objective,
            **load,
        ),
    )


def _load_view(plan: Plan, park: Any, request: HttpRequest) -> dict[str, Any]:
    """Histogram of load per rank, per-department summary and a paged per-person table."""
    ids = [int(k) for k in plan.load]
    people = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("department")}
    hist: dict[int, Counter[int]] = defaultdict(Counter)
    dept: dict[str, dict[str, Any]] = {}
    rows = []
    for sid, (n, cap, bn, bcap) in plan.load.items():
        u = people.get(int(sid))
        if u is None:
            continue
        rank = services._rank(u.rank)
        hist[rank][n] += 1
        name = u.department.name if u.department else "园区领导"
        d = dept.setdefault(
            name,
            {
                "name": name,
                "people": 0,
                "entities": 0,
                "backups": 0,
                "max": 0,
                "sort": u.department.sort if u.department else -1,
            },
        )
        d["people"] += 1
        d["entities"] += n
        d["backups"] += bn
        d["max"] = max(d["max"], n)
        rows.append(
            {
                "user": u,
                "n": n,
                "cap": cap,
                "bn": bn,
                "bcap": bcap,
                "pct": round(100 * n / cap) if cap else 0,
            }
        )
    charts = []
    for rank in sorted(hist):
        c = hist[rank]
        top = max(c.values()) if c else 1
        charts.append(
            {
                "rank": rank,
                "label": services.RANK_LABELS[rank],
                "people": sum(c.values()),
                "bars": [
                    {"load": k, "n": c.get(k, 0), "pct": round(100 * c.get(k, 0) / top)}
                    for k in range(0, max(c) + 1)
                ],
            }
        )
    for d in dept.values():
        d["avg"] = d["entities"] / d["people"] if d["people"] else 0
    rows.sort(key=lambda r: (-r["pct"], r["user"].full_name))
    staff_page = paginate(request, rows, 30, "staff_page")
    return {
        "charts": charts,
        "depts": sorted(dept.values(), key=lambda d: d["sort"]),
        "staff_page": staff_page,
    }


@page
@require_POST
def plan_apply(request: ParkRequest, plan_id: int) -> HttpResponse:
    park = request.park
    plan = services.get_plan(request.user, park, plan_id)
    result = services.apply_plan(plan, request.user)
    messages.success(
        request,
        f"方案已生效：{result.changed} 家市场主体的服务关系有变化，{result.kept} 家保持不变",
    )
    return HttpResponseRedirect(reverse("liaisons:plan", args=[plan.pk]))


# --------------------------------------------------------------------------- history


@page
def entity_detail(request: ParkRequest, entity_id: int) -> HttpResponse:
    park = request.park
    user = request.user
    entity = get_entity(user, park, entity_id)
    if not (services.can_view(user, park) or services.serves(user, entity)):
        raise Forbidden("只有该企业的专属服务员、派单员和园区领导可以查看服务记录")
    entity = MarketEntity.objects.select_related("liaison__department", "backup_liaison").get(
        pk=entity.pk
    )
    history = services.entity_history(entity)
    contacts = entity.contact_logs.select_related("by")[:20]
    cadence = services.cadence_for(park).get(entity.tier, 90)
    days = services.days_since_contact(entity)
    return render(
        request,
        "liaisons/entity.html",
        _ctx(
            request,
            "index",
            entity=entity,
            history=history,
            contacts=contacts,
            cadence=cadence,
            days=days,
            overdue=days > cadence,
            industry=_industry(entity.industry),
            may_record=services.serves(user, entity) or services.can_plan(user, park),
            contact_kinds=ContactKind.choices,
            now=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        ),
    )


@page
def staff_list(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    qs = services.staff_loads(park)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(full_name__contains=q)
            | Q(phone__contains=q)
            | Q(username__contains=q)
            | Q(department__name__contains=q)
        )
    dept = request.GET.get("dept", "")
    if dept.isdigit():
        qs = qs.filter(department_id=int(dept))
    if request.GET.get("inactive") != "1":
        qs = qs.filter(is_active=True)
    people = paginate(request, qs.order_by("department__sort", "rank", "full_name"), 50)
    return render(
        request,
        "liaisons/staff_list.html",
        _ctx(
            request,
            "staff",
            people=people,
            q=q,
            dept=dept,
            ranks=services.RANK_LABELS,
            departments=Department.objects.filter(park=park),
            qs=query_without(request, "page"),
        ),
    )


@page
def staff_detail(request: ParkRequest, staff_id: int) -> HttpResponse:
    park = request.park
    user = request.user
    person = services.get_staff(user, park, staff_id)
    if not (services.can_view(user, park) or user.pk == person.pk):
        raise Forbidden("只有派单员、系统管理员和园区领导可以查看他人的服务记录")
    primary = MarketEntity.objects.filter(park=park, liaison=person, is_active=True).select_related(
        "backup_liaison"
    )
    backups = MarketEntity.objects.filter(
        park=park, backup_liaison=person, is_active=True
    ).select_related("liaison")
    history = paginate(request, services.person_history(person), 30)
    handovers = person.handovers_given.select_related("to", "created_by")
    heirs = (
        services.eligible_staff(park)
        .exclude(pk=person.pk)
        .select_related("department")
        .order_by("department__sort", "rank", "full_name")
    )
    return render(
        request,
        "liaisons/staff.html",
        _ctx(
            request,
            "staff",
            person=person,
            primary=primary,
            backups=backups,
            history=history,
            handovers=handovers,
            heirs=heirs,
            rank_label=services.RANK_LABELS.get(services._rank(person.rank)),
            serving=primary.count() + backups.count(),
        ),
    )


@page
@require_POST
def staff_handover(request: ParkRequest, staff_id: int) -> HttpResponse:
    park = request.park
    services.require_planner(request.user, park)
    person = services.get_staff(request.user, park, staff_id)
    to_id = request.POST.get("to", "")
    to = services.get_staff(request.user, park, to_id) if to_id else None
    deactivate = request.POST.get("deactivate") == "on"
    try:
        record = services.handover(
            person,
            request.user,
            request.POST.get("note", ""),
            to=to,
            deactivate=deactivate,
        )
    except (InvalidInput, services.ShortageError) as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("liaisons:staff", args=[person.pk]))
    text = f"已办理{person.display_name}的工作交接，涉及 {record.entity_count} 家市场主体"
    if deactivate:
        text += "；账号已停用"
    messages.success(request, text)
    return HttpResponseRedirect(reverse("liaisons:staff", args=[person.pk]))


@page
@require_POST
def staff_deactivate(request: ParkRequest, staff_id: int) -> HttpResponse:
    park = request.park
    person = services.get_staff(request.user, park, staff_id)
    services.deactivate_user(person, request.user)
    messages.success(request, f"已停用{person.display_name}的账号")
    return HttpResponseRedirect(reverse("liaisons:staff", args=[person.pk]))


# --------------------------------------------------------------------------- contact cadence


@page
def contacts(request: ParkRequest) -> HttpResponse:
    park = request.park
    user = request.user
    if not (user.is_superuser or user.role in STAFF_ROLES):
        raise Forbidden("联系提醒仅供园区工作人员使用")
    cadence = services.cadence_for(park)
    scope = services.visible_contact_entities(user, park)
    show = request.GET.get("show", "overdue")
    qs = scope.filter(is_active=True)
    if show == "overdue":
        qs = qs.filter(pk__in=services.overdue_entities(park, cadence=cadence).values("pk"))
    tier = request.GET.get("tier", "")
    if tier.isdigit():
        qs = qs.filter(tier=int(tier))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(liaison__full_name__contains=q))
    qs = qs.select_related("liaison__department").order_by("last_contact_at", "tier", "pk")
    rows = paginate(request, qs, 50)
    now = timezone.now()
    for e in rows:
        e.days = services.days_since_contact(e, now)
        e.cadence = cadence.get(e.tier, 90)
        e.late = e.days - e.cadence
        e.mine = services.serves(user, e)
    n_overdue = scope.filter(
        pk__in=services.overdue_entities(park, cadence=cadence).values("pk")
    ).count()
    return render(
        request,
        "liaisons/contacts.html",
        _ctx(
            request,
            "contacts",
            rows=rows,
            show=show,
            tier=tier,
            q=q,
            cadence=cadence,
            tiers=Tier.choices,
            n_overdue=n_overdue,
            qs=query_without(request, "page"),
            contact_kinds=ContactKind.choices,
            may_all=services.can_plan(user, park),
            now=timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        ),
    )


@page
@require_POST
def contact_record(request: ParkRequest, entity_id: int) -> HttpResponse:
    park = request.park
    entity = get_entity(request.user, park, entity_id)
    at = None
    raw = request.POST.get("at", "").strip()
    if raw:
        try:
            at = timezone.make_aware(dt.datetime.fromisoformat(raw))
        except ValueError:
            raise InvalidInput("联系时间格式不对", field="at")
    services.record_contact(
        request.user,
        entity,
        request.POST.get("kind", ""),
        at=at,
        note=request.POST.get("note", ""),
    )
    messages.success(request, f"已登记与{entity.name}的联系")
    back = request.POST.get("next", "")
    if not back.startswith("/liaisons/"):
        back = reverse("liaisons:entity", args=[entity.pk])
    return HttpResponseRedirect(back)


# --------------------------------------------------------------------------- sheets


@page
def import_page(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    report = None
    error = None
    kind = request.POST.get("kind", request.GET.get("kind", "entities"))
    if request.method == "POST":
        services.require_planner(request.user, park)
        f = request.FILES.get("file")
        try:
            if f is None:
                raise InvalidInput("请选择要导入的 xlsx 文件", field="file")
            if f.size and f.size > sheets.MAX_BYTES:
                raise InvalidInput("文件超过 10 MB", field="file")
            fn = sheets.import_staff if kind == "staff" else sheets.import_entities
            report = fn(
                request.user,
                park,
                f.read(),
                dry_run=request.POST.get("dry_run") == "on",
                valid_only=request.POST.get("valid_only") == "on",
            )
        except InvalidInput as exc:
            error = exc.message
    status = 422 if error or (report and report.errors and not report.committed) else 200
    return render(
        request,
        "liaisons/import.html",
        _ctx(
            request,
            "import",
            report=report,
            error=error,
            kind=kind,
            entity_headers=[c for c in sheets.ENTITY_COLUMNS],
            staff_headers=[c for c in sheets.STAFF_COLUMNS],
        ),
        status=status,
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@page
def export_entities(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    data = sheets.export_entities(MarketEntity.objects.filter(park=park, is_active=True))
    return _xlsx(data, f"{park.short_name}市场主体及专属服务员{timezone.localdate():%Y%m%d}.xlsx")


@page
def export_staff(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    data = sheets.export_staff(services.staff_loads(park))
    return _xlsx(data, f"{park.short_name}联企人员{timezone.localdate():%Y%m%d}.xlsx")
