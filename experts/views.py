"""专家会诊 and 清零 pages: the expert pool, consultations (open, opinions, conclusion), the
清零 board with its burn-down chart, and the park's legacy rule. Views parse, authorize through
experts.access, call experts.services / experts.legacy and render."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

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
            # A refused form comes back with what was ticked.
            "post_expert_ids": request.POST.getlist("expert_ids") if error else [],
            "post_co_ids": request.POST.getlist("co_department_ids") if error else [],
            # The meeting that referred the item (a reverse relation: no import of meetings).
            "referral": c.meeting_decisions.select_related("meeting").first(),
            "can_form": c.status == ConsultationStatus.PREPARING
            and (access.can_manage(cast(User, user), park) or user.pk == c.chair_id),
            "pool": Expert.objects.filter(park=park, is_active=True).select_related("user")
            if c.status == ConsultationStatus.PREPARING
            else [],
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


@roles_required(*MANAGERS, page="组建专家组")
@require_POST
def form_panel(request: ParkRequest, pk: int) -> HttpResponse:
    c = access.get_consultation(request.user, request.park, pk)
    try:
        services.form_panel(request.user, c, expert_ids=request.POST.getlist("expert_ids"))
    except (InvalidInput, InvalidState) as exc:
        return _consultation_page(request, pk, exc.message, exc.status)
    messages.success(request, "已组建专家组，专家组成员将收到提醒")
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
    """The 清零 board: every figure is a link that lists exactly the items it counts."""
    park = request.park
    today = timezone.localdate()
    start, end, error = _period(request, today)
    rule = legacy.rule_for(park)
    figures = legacy.figures(park, start, end, target=rule.target_date)
    part = request.GET.get("part", "open")
    if part not in legacy.PARTS:
        part = "open"
    band: int | None = None
    raw_band = request.GET.get("band", "")
    if raw_band.isdigit() and int(raw_band) < len(legacy.AGE_BUCKETS):
        band = int(raw_band)
    dept = request.GET.get("dept", "")
    dept_id: int | str | None = None
    dept_name = ""
    if dept == "none":
        dept_id, dept_name = "none", "未交办"
    elif dept.isdigit():
        found = Department.objects.filter(park=park, pk=int(dept)).first()
        if found is not None:
            dept_id, dept_name = found.pk, found.name
    qs = legacy.items(park, start, end, part, band=band, department_id=dept_id)
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(title__icontains=q) | Q(enterprise__name__icontains=q)
        )
    qs = qs.select_related("lead_department", "enterprise").order_by("created_at", "id")
    page = paginate(request, qs, 30)
    shown = list(page.object_list)
    hist = legacy.histories([d.pk for d in shown])
    open_consults = dict(
        Consultation.objects.filter(
            demand__in=[d.pk for d in shown], status=ConsultationStatus.OPEN
        ).values_list("demand_id", "pk")
    )
    page.object_list = [
        {
            "d": d,
            "age": legacy.working_age(d, min(end, _closed_on(d) or end)),
            "reason": (legacy.legacy_since(d, rule, hist.get(d.pk)) or (None, ""))[1],
            "consultation": open_consults.get(d.pk),
        }
        for d in shown
    ]
    remaining = (
        wcal.working_days_between(today, rule.target_date)
        if rule.target_date and rule.target_date >= today
        else None
    )
    period = {"start": start.isoformat(), "end": end.isoformat()}
    return render(
        request,
        "experts/board.html",
        {
            "rule": rule,
            "start": start,
            "end": end,
            "error": error,
            "figures": figures,
            "open_count": figures["open_at_end"],
            "ages": [
                (name, n, i)
                for i, ((name, _), n) in enumerate(
                    zip(legacy.AGE_BUCKETS, figures["ages"], strict=True)
                )
            ],
            "bucket_names": [b[0] for b in legacy.AGE_BUCKETS],
            "departments": figures["departments"],
            "page": page,
            "q": q,
            "part": part,
            "part_label": legacy.PARTS[part],
            "band": band,
            "band_label": legacy.AGE_BUCKETS[band][0] if band is not None else "",
            "dept": dept if dept_id else "",
            "dept_name": dept_name,
            "filtered": bool(q or dept_id or band is not None or part != "open"),
            "period_query": urlencode(period),
            "query": query_without(request, "page"),
            "remaining": remaining,
            "chart": figures["burndown"],
        },
    )


def _closed_on(d: Any) -> dt.date | None:
    return timezone.localtime(d.closed_at).date() if d.closed_at else None


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
