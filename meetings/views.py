"""Meeting pages: the list, the preparation page, the in-meeting page (tablet and phone), the
schedules, the minutes downloads and the portal's 报名参加接待日. Views parse, authorize through
meetings.access, call meetings.services and render."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands.access import visible_demands
from demands.models import OPEN_STATUSES, TaskRole
from entities.models import MarketEntity
from meetings import access, agenda, metrics, minutes, services
from meetings.models import DecisionKind, Meeting, MeetingKind, MeetingStatus, Weekday
from orgs.models import Department, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from qinshang.pages import ParkRequest, page, paginate, query_without, roles_required
from workcal import calendar as wcal

CO_ROWS = 3  # 协办 rows on the decision form


def _park(request: ParkRequest):
    return request.park


def _leaders(park) -> list[User]:
    return list(
        User.objects.filter(Q(park=park) | Q(extra_parks=park), role=Role.LEADER, is_active=True)
        .distinct()
        .order_by("rank", "id")
    )


@page
def meeting_list(request: ParkRequest) -> HttpResponse:
    park, user = _park(request), request.user
    qs = access.visible_meetings(user, park).select_related("chair")
    f = {k: request.GET.get(k, "").strip() for k in ("kind", "status", "year", "q")}
    if f["kind"] in MeetingKind.values:
        qs = qs.filter(kind=f["kind"])
    if f["status"] in MeetingStatus.values:
        qs = qs.filter(status=f["status"])
    if f["year"].isdigit():
        qs = qs.filter(year=int(f["year"]))
    if f["q"]:
        qs = qs.filter(Q(theme__icontains=f["q"]) | Q(place__icontains=f["q"]))
    pg = paginate(request, qs.order_by("-date", "-id"), 20)
    figures = metrics.for_meetings(pg.object_list)
    for m in pg.object_list:
        m.fig = figures[m.pk]
    today = timezone.localdate()
    return render(
        request,
        "meetings/list.html",
        {
            "page": pg,
            "f": f,
            "kinds": MeetingKind.choices,
            "statuses": MeetingStatus.choices,
            "years": list(range(today.year + 1, today.year - 4, -1)),
            "can_prepare": access.can_prepare(user, park),
            "qs": query_without(request, "page"),
        },
    )


def _form_values(request: ParkRequest, m: Meeting | None = None) -> dict[str, Any]:
    p = request.POST
    if p:
        return {
            "kind": p.get("kind", ""),
            "date": p.get("date", ""),
            "start_time": p.get("start_time", ""),
            "place": p.get("place", ""),
            "chair_id": p.get("chair_id", ""),
            "theme": p.get("theme", ""),
            "department_ids": [int(x) for x in p.getlist("department_ids") if x.isdigit()],
            "enterprise_ids": [int(x) for x in p.getlist("enterprise_ids") if x.isdigit()],
        }
    if m is not None:
        return {
            "kind": m.kind,
            "date": m.date.isoformat(),
            "start_time": m.start_time.strftime("%H:%M") if m.start_time else "",
            "place": m.place,
            "chair_id": str(m.chair_id or ""),
            "theme": m.theme,
            "department_ids": list(m.invited_departments.values_list("pk", flat=True)),
            "enterprise_ids": list(m.invited_enterprises.values_list("pk", flat=True)),
        }
    return {
        "kind": request.GET.get("kind", MeetingKind.TOPIC),
        "date": "",
        "start_time": "09:00",
        "place": "园区管委会会议室",
        "chair_id": "",
        "theme": "",
        "department_ids": [],
        "enterprise_ids": [],
    }


def _input(request: ParkRequest) -> services.MeetingInput:
    p = request.POST
    return services.MeetingInput(
        kind=p.get("kind", ""),
        date=p.get("date", ""),
        start_time=p.get("start_time", ""),
        place=p.get("place", ""),
        chair_id=p.get("chair_id", ""),
        theme=p.get("theme", ""),
        department_ids=p.getlist("department_ids"),
        enterprise_ids=p.getlist("enterprise_ids"),
    )


def _form_ctx(request: ParkRequest, m: Meeting | None, error: str | None) -> dict[str, Any]:
    park = _park(request)
    return {
        "m": m,
        "v": _form_values(request, m),
        "error": error,
        "kinds": MeetingKind.choices,
        "leaders": _leaders(park),
        "departments": Department.objects.filter(park=park, is_active=True),
        "enterprises": MarketEntity.objects.filter(park=park).order_by("name")[:500],
        "today": timezone.localdate().isoformat(),
    }


@roles_required(Role.DISPATCHER, Role.ADMIN, page="筹备会议")
def meeting_new(request: ParkRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            m = services.create_meeting(request.user, _park(request), _input(request))
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"已创建{m.title}，议程已从台账生成")
            return HttpResponseRedirect(reverse("meetings:detail", args=[m.pk]))
    return render(
        request, "meetings/form.html", _form_ctx(request, None, error), status=422 if error else 200
    )


@roles_required(Role.DISPATCHER, Role.ADMIN, page="筹备会议")
def meeting_edit(request: ParkRequest, meeting_id: int) -> HttpResponse:
    m = access.get_meeting(request.user, _park(request), meeting_id)
    error = None
    if request.method == "POST":
        try:
            services.update_meeting(request.user, m, _input(request))
        except (InvalidInput, InvalidState) as exc:
            error = exc.message
        else:
            messages.success(request, "会议信息已保存")
            return HttpResponseRedirect(reverse("meetings:detail", args=[m.pk]))
    return render(
        request, "meetings/form.html", _form_ctx(request, m, error), status=422 if error else 200
    )


def _items(user: User, m: Meeting) -> list:
    items = list(
        access.visible_items(user, m).select_related(
            "demand", "enterprise", "demand__lead_department"
        )
    )
    follow = {
        f.decision.item_id: f
        for f in agenda.follow_ups(
            m.decisions.filter(item__in=[i.pk for i in items]), agenda.as_of(m)
        )
    }
    seen = set(
        visible_demands(user, m.park)
        .filter(pk__in=[i.demand_id for i in items if i.demand_id])
        .values_list("pk", flat=True)
    )
    for i in items:
        i.follow = follow.get(i.pk)
        i.demand_visible = i.demand_id in seen
    return items


def _detail_ctx(request: ParkRequest, m: Meeting) -> dict[str, Any]:
    user, park = request.user, m.park
    whole = access.sees_whole_meeting(user, park)
    prev = agenda.previous(m) if whole else []
    events = list(m.events.select_related("actor")) if whole else []
    return {
        "m": m,
        "items": _items(user, m),
        "whole": whole,
        "previous": prev,
        "prev_summary": agenda.summary(prev),
        "attendance": list(m.attendance.all()) if whole else [],
        "invited_departments": list(m.invited_departments.all()) if whole else [],
        "invited_enterprises": list(m.invited_enterprises.all()) if whole else [],
        "removed": list(m.items.filter(removed=True)) if whole else [],
        "events": events,
        "fig": metrics.for_meeting(m) if whole else None,
        "can_prepare": access.can_prepare(user, park),
        "can_record": access.can_record(user, park),
        "warning": wcal.schedule_warning(m.date),
        # Allowed (a 专题协调会 may meet on a Saturday), but said, in case it is a slip.
        "off_day": not wcal.is_workday(m.date),
        "today": timezone.localdate(),
        "enterprises": MarketEntity.objects.filter(park=park).order_by("name")[:500]
        if access.can_prepare(user, park)
        else [],
        "decision_kinds": DecisionKind.choices,
        "departments": list(Department.objects.filter(park=park, is_active=True)),
        "co_rows": range(CO_ROWS),
        "states": agenda.TaskState.LABELS,
    }


@page
def meeting_detail(request: ParkRequest, meeting_id: int) -> HttpResponse:
    m = access.get_meeting(request.user, _park(request), meeting_id)
    return render(request, "meetings/detail.html", _detail_ctx(request, m))


@page
def meeting_live(request: ParkRequest, meeting_id: int) -> HttpResponse:
    m = access.get_meeting(request.user, _park(request), meeting_id)
    access.require_record(request.user, m.park)
    ctx = _detail_ctx(request, m)
    present_d = {a.department_id for a in ctx["attendance"] if a.department_id}
    present_e = {a.enterprise_id for a in ctx["attendance"] if a.enterprise_id}
    depts = {d.pk: d for d in ctx["invited_departments"]}
    for i in ctx["items"]:  # the departments the items concern are expected too
        if not i.demand_id:
            continue
        concerned = i.demand.lead_department or (
            i.demand.category.default_department if i.demand.category_id else None
        )
        if concerned is not None:
            depts.setdefault(concerned.pk, concerned)
    ents = {e.pk: e for e in ctx["invited_enterprises"]}
    for i in ctx["items"]:
        if i.enterprise_id:
            ents.setdefault(i.enterprise_id, i.enterprise)
    ctx.update(
        expected_departments=list(depts.values()),
        expected_enterprises=list(ents.values()),
        present_d=present_d,
        present_e=present_e,
        others="\n".join(
            f"{a.unit} {a.person}".strip()
            for a in ctx["attendance"]
            if not a.department_id and not a.enterprise_id
        ),
        fresh=not ctx["attendance"],
    )
    return render(request, "meetings/live.html", ctx)


def _back(request: ParkRequest, m: Meeting, anchor: str = "") -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    allowed = {reverse("meetings:detail", args=[m.pk]), reverse("meetings:live", args=[m.pk])}
    url = target if target in allowed else reverse("meetings:detail", args=[m.pk])
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def _tasks_from(request: ParkRequest) -> list[services.TaskSpec]:
    p = request.POST
    specs = [services.TaskSpec(p.get("lead_department", ""), TaskRole.LEAD, p.get("lead_days", ""))]
    for n in range(CO_ROWS):
        dept = p.get(f"co_department_{n}", "")
        if dept:
            specs.append(services.TaskSpec(dept, TaskRole.CO, p.get(f"co_days_{n}", "")))
    return specs


ACTIONS = {
    "refresh": "从台账更新议程",
    "add_item": "添加议题",
    "remove_item": "移出议题",
    "move_up": "上移",
    "move_down": "下移",
    "move": "调整日期",
    "hold": "开始会议",
    "attendance": "记录参会单位",
    "notes": "保存会议记录",
    "decide": "议定",
    "minutes": "保存会议概述",
    "issue": "印发会议纪要",
}


@page
@require_POST
def meeting_action(request: ParkRequest, meeting_id: int, action: str) -> HttpResponse:
    user = request.user
    m = access.get_meeting(user, _park(request), meeting_id)
    p = request.POST
    anchor = ""
    try:
        if action == "refresh":
            access.require_prepare(user, m.park)
            n = agenda.refresh(m, user)
            done = f"已从台账更新议程，新增 {n} 个议题" if n else "台账中没有新的待上会事项"
        elif action == "add_item":
            item = services.add_item(
                user,
                m,
                services.ItemInput(
                    demand_number=p.get("demand_number", ""),
                    enterprise_id=p.get("enterprise_id", ""),
                    title=p.get("title", ""),
                    description=p.get("description", ""),
                ),
            )
            done, anchor = f"已添加议题：{item.title}", f"item-{item.pk}"
        elif action == "remove_item":
            item = services.remove_item(user, m, item_id=p.get("item_id"), reason=p.get("reason"))
            done = f"已移出议题：{item.title}"
        elif action in ("move_up", "move_down"):
            services.move_item(user, m, item_id=p.get("item_id"), up=action == "move_up")
            done, anchor = "议程顺序已调整", f"item-{p.get('item_id')}"
        elif action == "move":
            services.move_meeting(user, m, date=p.get("date"), reason=p.get("reason"))
            done = "会议日期已调整，已通知主持领导和参会部门"
        elif action == "hold":
            services.hold(user, m)
            messages.success(request, "会议已开始：请记录参会单位、会议记录和议定事项")
            return HttpResponseRedirect(reverse("meetings:live", args=[m.pk]))
        elif action == "attendance":
            services.set_attendance(
                user,
                m,
                department_ids=p.getlist("department_ids"),
                enterprise_ids=p.getlist("enterprise_ids"),
                others=p.get("others", ""),
            )
            done, anchor = "参会情况已保存", "attendance"
        elif action == "notes":
            item = services.set_notes(user, m, item_id=p.get("item_id"), notes=p.get("notes"))
            done, anchor = f"已保存会议记录：{item.title}", f"item-{item.pk}"
        elif action == "decide":
            kind = p.get("kind", "")
            d = services.decide(
                user,
                m,
                item_id=p.get("item_id"),
                kind=kind,
                text=p.get("text", ""),
                tasks=_tasks_from(request) if kind == DecisionKind.TASKS else [],
                expert_field=p.get("expert_field", ""),
            )
            n = d.links.count()
            done = "已记录议定事项" + (f"，已向 {n} 个部门交办任务" if n else "")
            anchor = f"item-{d.item_id}"
        elif action == "minutes":
            services.set_minutes(user, m, text=p.get("text", ""))
            done = "会议概述已保存"
        elif action == "issue":
            services.issue_minutes(user, m)
            done = "会议纪要已印发，已通知各责任单位"
        else:
            raise InvalidInput(f"未知的操作“{action}”")
    except (InvalidInput, InvalidState) as exc:
        # Nothing was changed: say why on the page the user came from, keeping their place.
        messages.error(request, f"{ACTIONS.get(action, '操作')}未完成：{exc.message}")
        return _back(request, m, p.get("item_id") and f"item-{p.get('item_id')}" or "")
    messages.success(request, done)
    return _back(request, m, anchor)


def _minutes_allowed(request: ParkRequest, m: Meeting) -> None:
    if not access.sees_whole_meeting(request.user, m.park):
        raise Forbidden("会议纪要仅供园区工作人员下载")


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@page
def minutes_docx(request: ParkRequest, meeting_id: int) -> HttpResponse:
    m = access.get_meeting(request.user, _park(request), meeting_id)
    _minutes_allowed(request, m)
    return _download(
        minutes.build_docx(m),
        minutes.filename(m, "docx"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@page
def minutes_pdf(request: ParkRequest, meeting_id: int) -> HttpResponse:
    from qinshang.documents import ConversionError

    m = access.get_meeting(request.user, _park(request), meeting_id)
    _minutes_allowed(request, m)
    try:
        pdf = minutes.to_pdf(minutes.build_docx(m))
    except ConversionError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("meetings:detail", args=[m.pk]))
    return _download(pdf, minutes.filename(m, "pdf"), "application/pdf")


@roles_required(Role.DISPATCHER, Role.ADMIN, page="会议安排")
def schedule_page(request: ParkRequest) -> HttpResponse:
    park = _park(request)
    error = None
    if request.method == "POST":
        p = request.POST
        kind = p.get("kind", "")
        try:
            if p.get("run"):
                made = services.schedule_meetings(park=park)
                messages.success(
                    request,
                    "已生成：" + "、".join(m.title for m in made) if made else "暂无需要生成的会议",
                )
                return HttpResponseRedirect(reverse("meetings:schedules"))
            services.update_schedule(
                request.user,
                park,
                kind,
                services.ScheduleInput(
                    enabled=p.get("enabled", ""),
                    day_of_month=p.get("day_of_month", 9),
                    weekday=p.get("weekday", 0),
                    lead_working_days=p.get("lead_working_days", 5),
                    start_time=p.get("start_time", ""),
                    place=p.get("place", ""),
                    chair_id=p.get("chair_id", ""),
                ),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, "会议安排已保存")
            return HttpResponseRedirect(reverse("meetings:schedules"))
    today = timezone.localdate()
    rows = []
    for s in services.schedules(park):
        slot, date = services.next_date(s, today)
        rows.append(
            {
                "s": s,
                "next": date,
                "slot": slot,
                "moved": slot != date,
                "warning": wcal.schedule_warning(date),
                "creates_on": _creation_day(date, s.lead_working_days, today),
            }
        )
    return render(
        request,
        "meetings/schedules.html",
        {"rows": rows, "error": error, "weekdays": Weekday.choices, "leaders": _leaders(park)},
    )


def _creation_day(date: dt.date, lead: int, today: dt.date) -> dt.date:
    """The first day on which the job sees `date` within its lead time."""
    day = today
    while wcal.add_working_days(day, lead) < date:
        day += dt.timedelta(days=1)
    return day


@roles_required(Role.ENTERPRISE, page="报名参加接待日")
def register(request: ParkRequest) -> HttpResponse:
    park, user = _park(request), request.user
    demands = (
        visible_demands(user, park)
        .filter(enterprise_id=user.enterprise_id, status__in=OPEN_STATUSES)
        .order_by("-created_at")
    )
    error = None
    if request.method == "POST":
        try:
            reg, item = services.register(
                user,
                park,
                demand_id=request.POST.get("demand_id"),
                note=request.POST.get("note", ""),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            if item is not None:
                messages.success(
                    request,
                    f"报名成功：您的诉求已列入{item.meeting.title}（{item.meeting.date:%-m月%-d日}）议程",
                )
            else:
                messages.success(request, "报名成功：下一期企业接待日议程生成时将列入您的诉求")
            return HttpResponseRedirect(reverse("meetings:register"))
    nxt = services.next_meeting(park, MeetingKind.RECEPTION)
    mine = access.visible_meetings(user, park).order_by("-date")[:20]
    return render(
        request,
        "meetings/register.html",
        {"demands": demands, "error": error, "next": nxt, "mine": mine},
    )
