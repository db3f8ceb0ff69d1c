"""专家会诊 and 清零 pages: the expert pool, consultations (open, opinions, conclusion), the
清零 board with its burn-down chart, and the park's legacy rule. Views parse, authorize through
experts.access, call experts.services / experts.legacy and render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands.access import get_demand
from demands.models import Outcome
from experts import access, legacy, services
from experts.models import ConclusionKind, Consultation, ConsultationStatus, Expert, PoolEvent
from orgs.models import Department, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from qinshang.pages import ParkRequest, paginate, query_without, roles_required
from workcal import calendar as wcal

MANAGERS = (Role.LEADER, Role.DISPATCHER, Role.ADMIN)
CONSULT_ROLES = (*MANAGERS, Role.EXPERT, Role.HANDLER, Role.DEPARTMENT_HEAD)
SEARCH_MAX = 100
RULE_LABELS = {
    "open_working_days": "办理工作日数",
    "overdue_urges": "催办次数",
    "count_escalated": "计入提级专家协商",
    "target_date": "清零目标日期",
}


def _require_manager(request: ParkRequest) -> None:
    if not access.can_manage(request.user, request.park):
        raise Forbidden("该页面仅供园区领导和派单中心使用")


# --------------------------------------------------------------------------- pool


@roles_required(*MANAGERS, page="专家库")
def pool(request: ParkRequest) -> HttpResponse:
    park = request.park
    qs = access.visible_experts(request.user, park).select_related("user")
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    active = request.GET.get("active", "1")
    if q:
        qs = qs.filter(
            Q(user__full_name__icontains=q) | Q(field__icontains=q) | Q(organisation__icontains=q)
        )
    if active in ("0", "1"):
        qs = qs.filter(is_active=active == "1")
    qs = qs.annotate(
        n_open=Count("consultations", filter=Q(consultations__status=ConsultationStatus.OPEN)),
        n_all=Count("consultations"),
    )
    error = None
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            e = services.save_expert(
                request.user,
                park,
                user_id=p.get("user_id"),
                field=p.get("field"),
                organisation=p.get("organisation"),
                title=p.get("title", ""),
                phone=p.get("phone", ""),
                email=p.get("email", ""),
                is_active=p.get("is_active") == "1",
            )
            messages.success(request, f"已保存专家 {e.user.display_name}")
            return HttpResponseRedirect(reverse("experts:pool"))
        except InvalidInput as exc:
            error, status = exc.message, 422
    candidates = User.objects.filter(park=park, role=Role.EXPERT, is_active=True).order_by(
        "full_name"
    )
    return render(
        request,
        "experts/pool.html",
        {
            "page": paginate(request, qs.order_by("field", "pk"), 30),
            "q": q,
            "active": active,
            "query": query_without(request, "page"),
            "candidates": candidates,
            "error": error,
            "post": request.POST if error else {},
        },
        status=status,
    )


# --------------------------------------------------------------------------- consultations


@roles_required(*CONSULT_ROLES, page="专家会诊")
def consultation_list(request: ParkRequest) -> HttpResponse:
    park = request.park
    qs = access.visible_consultations(request.user, park)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    if status in ConsultationStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(topic__icontains=q) | Q(demand__number__icontains=q) | Q(demand__title__icontains=q)
        )
    qs = qs.select_related("demand", "chair").prefetch_related("experts__user")
    return render(
        request,
        "experts/consultations.html",
        {
            "page": paginate(request, qs, 30),
            "status": status,
            "q": q,
            "statuses": ConsultationStatus.choices,
            "query": query_without(request, "page"),
            "can_manage": access.can_manage(request.user, park),
        },
    )


@roles_required(*MANAGERS, page="发起专家会诊")
def consultation_new(request: ParkRequest) -> HttpResponse:
    park = request.park
    raw = request.POST.get("demand_id") or request.GET.get("demand")
    if not raw:
        return HttpResponseRedirect(reverse("experts:board"))
    demand = get_demand(request.user, park, raw)
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            c = services.open_consultation(
                request.user,
                demand,
                topic=p.get("topic"),
                chair_id=p.get("chair_id"),
                expert_ids=p.getlist("expert_ids"),
                background=p.get("background", ""),
            )
            messages.success(request, "已发起专家会诊，专家组成员将收到提醒")
            return HttpResponseRedirect(reverse("experts:consultation", args=[c.pk]))
        except (InvalidInput, InvalidState) as exc:
            error = exc.message
    rule = legacy.rule_for(park)
    since = legacy.legacy_since(demand, rule, legacy.histories([demand.pk]).get(demand.pk))
    chairs = User.objects.filter(
        Q(park=park) | Q(extra_parks=park), role__in=(Role.LEADER, Role.DISPATCHER), is_active=True
    ).distinct()
    return render(
        request,
        "experts/consultation_new.html",
        {
            "demand": demand,
            "since": since if since and since[0] <= timezone.localdate() else None,
            "experts": Expert.objects.filter(park=park, is_active=True).select_related("user"),
            "chairs": chairs,
            "error": error,
            "v": {
                "topic": request.POST.get("topic", demand.title),
                "chair_id": request.POST.get("chair_id", str(request.user.pk)),
                "expert_ids": request.POST.getlist("expert_ids"),
                "background": request.POST.get("background", ""),
            },
        },
        status=422 if error else 200,
    )


def _consultation_page(
    request: ParkRequest, pk: int, error: str | None = None, status: int = 200
) -> HttpResponse:
    park = request.park
    user = request.user
    c = access.get_consultation(user, park, pk)
    panel = list(c.experts.select_related("user"))
    opinions = {o.expert_id: o for o in c.opinions.all()}
    mine = services.panel_member(user, c)
    events = list(c.events.select_related("actor"))
    # The tasks the conclusion made carry its time (decide_tasks gives them the same moment).
    tasks = (
        list(c.demand.tasks.filter(assigned_at=c.concluded_at).select_related("department"))
        if c.conclusion_kind == ConclusionKind.TASKS and c.concluded_at
        else []
    )
    return render(
        request,
        "experts/consultation.html",
        {
            "c": c,
            "panel": [{"e": e, "op": opinions.get(e.pk)} for e in panel],
            "mine": mine,
            "my_opinion": opinions.get(mine.pk) if mine else None,
            "opinion_text": request.POST.get("text", "")
            if error
            else (opinions[mine.pk].text if mine and mine.pk in opinions else ""),
            "is_chair": user.pk == c.chair_id or user.is_superuser,
            "departments": Department.objects.filter(park=park, is_active=True),
            "kinds": ConclusionKind.choices,
            "outcomes": Outcome.choices,
            "events": events,
            "tasks": tasks,
            "error": error,
            "post": request.POST if error else {},
        },
        status=status,
    )


@roles_required(*CONSULT_ROLES, page="专家会诊")
def consultation(request: ParkRequest, pk: int) -> HttpResponse:
    return _consultation_page(request, pk)


@roles_required(Role.EXPERT, page="发表专家意见")
@require_POST
def opinion(request: ParkRequest, pk: int) -> HttpResponse:
    c = access.get_consultation(request.user, request.park, pk)
    try:
        services.write_opinion(request.user, c, text=request.POST.get("text"))
    except (InvalidInput, InvalidState) as exc:
        return _consultation_page(request, pk, exc.message, exc.status)
    messages.success(request, "已提交专家意见")
    return HttpResponseRedirect(reverse("experts:consultation", args=[pk]))


@roles_required(*MANAGERS, page="会诊结论")
@require_POST
def conclude(request: ParkRequest, pk: int) -> HttpResponse:
    c = access.get_consultation(request.user, request.park, pk)
    p = request.POST
    try:
        services.conclude(
            request.user,
            c,
            conclusion=p.get("conclusion"),
            kind=p.get("kind"),
            outcome=p.get("outcome") or Outcome.SOLVED,
            lead_department_id=p.get("lead_department_id") or None,
            co_department_ids=[x for x in p.getlist("co_department_ids") if x],
            time_limit_days=p.get("time_limit_days") or None,
        )
    except (InvalidInput, InvalidState) as exc:
        return _consultation_page(request, pk, exc.message, exc.status)
    messages.success(request, "已记录会诊结论并写入问题台账")
    return HttpResponseRedirect(reverse("experts:consultation", args=[pk]))


# --------------------------------------------------------------------------- 清零 board


def _period(request: ParkRequest, today: dt.date) -> tuple[dt.date, dt.date, str | None]:
    start, end, error = dt.date(today.year, 1, 1), today, None
    try:
        if request.GET.get("start"):
            start = dt.date.fromisoformat(request.GET["start"])
        if request.GET.get("end"):
            end = dt.date.fromisoformat(request.GET["end"])
    except ValueError:
        return dt.date(today.year, 1, 1), today, "日期格式应为 YYYY-MM-DD，已按本年统计"
    if end > today:
        end = today
    if start > end:
        return dt.date(today.year, 1, 1), today, "开始日期不能晚于结束日期，已按本年统计"
    if (end - start).days > 3 * 366:
        return dt.date(today.year, 1, 1), today, "统计区间最长三年，已按本年统计"
    return start, end, error


@roles_required(*MANAGERS, page="遗留问题清零")
def board(request: ParkRequest) -> HttpResponse:
    park = request.park
    today = timezone.localdate()
    start, end, error = _period(request, today)
    rule = legacy.rule_for(park)
    items = list(
        legacy.legacy_open(park, today)
        .select_related("lead_department", "enterprise")
        .order_by("created_at", "id")
    )
    hist = legacy.histories([d.pk for d in items])
    open_consults = dict(
        Consultation.objects.filter(demand__in=items, status=ConsultationStatus.OPEN).values_list(
            "demand_id", "pk"
        )
    )
    depts: dict[str, list[int]] = {}
    ages = [0] * len(legacy.AGE_BUCKETS)
    rows: list[dict[str, Any]] = []
    for d in items:
        since = legacy.legacy_since(d, rule, hist.get(d.pk))
        age = legacy.working_age(d, today)
        b = legacy.bucket(age)
        ages[b] += 1
        name = d.lead_department.name if d.lead_department else "未交办"
        depts.setdefault(name, [0] * len(legacy.AGE_BUCKETS))[b] += 1
        rows.append(
            {
                "d": d,
                "age": age,
                "reason": since[1] if since else "",
                "consultation": open_consults.get(d.pk),
            }
        )
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    dept = request.GET.get("dept", "")
    shown = rows
    if q:
        shown = [
            r
            for r in shown
            if q in r["d"].number
            or q in r["d"].title
            or (r["d"].enterprise and q in r["d"].enterprise.name)
        ]
    if dept:
        shown = [
            r
            for r in shown
            if (r["d"].lead_department.name if r["d"].lead_department else "未交办") == dept
        ]
    figures = legacy.period_figures(park, start, end)
    chart = legacy.burndown(park, start, end, rule.target_date)
    remaining = (
        wcal.working_days_between(today, rule.target_date)
        if rule.target_date and rule.target_date >= today
        else None
    )
    return render(
        request,
        "experts/board.html",
        {
            "rule": rule,
            "start": start,
            "end": end,
            "error": error,
            "figures": figures,
            "open_count": len(items),
            "ages": list(zip([b[0] for b in legacy.AGE_BUCKETS], ages, strict=True)),
            "bucket_names": [b[0] for b in legacy.AGE_BUCKETS],
            "departments": sorted(
                ((name, counts, sum(counts)) for name, counts in depts.items()),
                key=lambda r: (-r[2], r[0]),
            ),
            "page": paginate(request, shown, 30),
            "q": q,
            "dept": dept,
            "query": query_without(request, "page"),
            "remaining": remaining,
            "chart": chart,
        },
    )


@roles_required(*MANAGERS, page="遗留问题认定规则")
def rule(request: ParkRequest) -> HttpResponse:
    park = request.park
    current = legacy.rule_for(park)
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            services.set_rule(
                request.user,
                park,
                open_working_days=p.get("open_working_days"),
                overdue_urges=p.get("overdue_urges"),
                count_escalated=p.get("count_escalated") == "1",
                target_date=p.get("target_date") or None,
            )
            messages.success(request, "已保存遗留问题认定规则")
            return HttpResponseRedirect(reverse("experts:board"))
        except InvalidInput as exc:
            error = exc.message
    v: dict[str, Any] = {
        "open_working_days": request.POST.get("open_working_days", current.open_working_days),
        "overdue_urges": request.POST.get("overdue_urges", current.overdue_urges),
        "count_escalated": (request.POST.get("count_escalated") == "1")
        if request.method == "POST"
        else current.count_escalated,
        "target_date": request.POST.get(
            "target_date", current.target_date.isoformat() if current.target_date else ""
        ),
    }
    return render(
        request,
        "experts/rule.html",
        {
            "rule": current,
            "v": v,
            "error": error,
            "history": [
                {
                    "e": e,
                    "changes": [
                        (RULE_LABELS.get(k, k), old, new)
                        for k, (old, new) in (e.data.get("changes") or {}).items()
                    ],
                }
                for e in PoolEvent.objects.filter(park=park, action="rule").select_related("actor")[
                    :20
                ]
            ],
        },
        status=422 if error else 200,
    )
