"""/api/v1/meetings: meetings of the escalation ladder, their agenda, attendance and decisions."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from demands.models import TaskRole, TaskStatus
from meetings import access, agenda, services
from meetings.models import (
    AgendaItem,
    AgendaSource,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from orgs.access import UserRequest
from orgs.access import request_park as current_park

router = Router(tags=["会议协调"])


class Ref(Schema):
    id: int
    name: str


class MeetingRow(Schema):
    id: int
    kind: MeetingKind
    kind_label: str
    title: str
    year: int
    number: int
    date: dt.date
    start_time: dt.time | None
    place: str
    chair: Ref | None
    theme: str
    status: MeetingStatus
    status_label: str


class MeetingPage(Schema):
    count: int
    items: list[MeetingRow]


TaskStateOut = Literal["on_time", "late", "open", "overdue", "done_untimed"]
DecisionStateOut = Literal["on_time", "late", "open", "overdue", "settled", "referred"]


class MeetingTaskOut(Schema):
    id: int
    demand_id: int
    department: Ref
    role: TaskRole
    status: TaskStatus
    time_limit_days: int
    deadline: dt.date | None = Field(
        None, description="办结时限；null 为时限未知（导入的台账未记）"
    )
    answered_at: dt.datetime | None
    state: TaskStateOut = Field(
        ...,
        description="on_time 按时办结 / late 超期办结 / open 办理中 / overdue 逾期 / "
        "done_untimed 已办结（时限未知）",
    )
    state_label: str


class DecisionOut(Schema):
    id: int
    meeting_id: int
    item_id: int
    kind: DecisionKind
    kind_label: str
    text: str
    expert_field: str
    state: DecisionStateOut = Field(
        ...,
        description="交办的决定按其任务：on_time / late / open / overdue；"
        "settled 已现场答复、已政策解释或会诊已形成结论；referred 已转专家会诊",
    )
    state_label: str
    tasks: list[MeetingTaskOut]
    created_at: dt.datetime


class ItemOut(Schema):
    id: int
    order: int
    source: AgendaSource
    source_label: str
    title: str
    demand_id: int | None
    demand_number: str | None
    enterprise: Ref | None
    notes: str


class AttendanceOut(Schema):
    unit: str
    person: str
    department_id: int | None
    enterprise_id: int | None


class FollowUpOut(Schema):
    meeting: str
    decision: DecisionOut


class MeetingDetail(MeetingRow):
    invited_departments: list[Ref]
    invited_enterprises: list[Ref]
    minutes: str
    agenda: list[ItemOut]
    attendance: list[AttendanceOut]
    decisions: list[DecisionOut]
    previous: list[FollowUpOut] = Field(..., description="往期交办事项落实情况")
    calendar_warning: str | None


class MeetingIn(Schema):
    kind: MeetingKind
    date: dt.date
    start_time: dt.time | None = None
    place: str
    chair_id: int
    theme: str = ""
    department_ids: list[int] = []
    enterprise_ids: list[int] = []


class AgendaIn(Schema):
    demand_number: str = Field("", description="台账中的诉求编号，如 QS-2026-000123")
    enterprise_id: int | None = Field(
        None, description="不填诉求编号时：企业，及新问题的标题和描述"
    )
    title: str = ""
    description: str = ""


class TaskIn(Schema):
    department_id: int | None
    role: TaskRole = TaskRole.LEAD
    time_limit_days: int | None = Field(None, description="办结时限（工作日）")


class MeetingDecisionIn(Schema):
    item_id: int
    kind: DecisionKind
    text: str
    tasks: list[TaskIn] = []
    expert_field: str = ""


class AttendanceIn(Schema):
    department_ids: list[int] = []
    enterprise_ids: list[int] = []
    others: str = Field("", description="其他参会人员，每行“单位 姓名”")


def _ref(obj) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, "display_name", None) or obj.name}


def _row(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "title": m.title,
        "year": m.year,
        "number": m.number,
        "date": m.date,
        "start_time": m.start_time,
        "place": m.place,
        "chair": _ref(m.chair),
        "theme": m.theme,
        "status": m.status,
        "status_label": m.get_status_display(),
    }


def _decision(f: agenda.FollowUp) -> dict:
    d = f.decision
    return {
        "id": d.pk,
        "meeting_id": d.meeting_id,
        "item_id": d.item_id,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "text": d.text,
        "expert_field": d.expert_field,
        "state": f.state,
        "state_label": f.label,
        "created_at": d.created_at,
        "tasks": [
            {
                "id": t.pk,
                "demand_id": t.demand_id,
                "department": _ref(t.department),
                "role": t.role,
                "status": t.status,
                "time_limit_days": t.time_limit_days,
                "deadline": t.deadline,
                "answered_at": t.answered_at,
                "state": s,
                "state_label": agenda.TaskState.LABELS[s],
            }
            for t, s in f.tasks
        ],
    }


def detail(user, m: Meeting) -> dict:
    """What the user may see of one meeting; an enterprise sees only its own items and their
    decisions, and no 往期 report of other enterprises' matters."""
    items = list(access.visible_items(user, m).select_related("demand", "enterprise"))
    ids = [i.pk for i in items]
    whole = access.sees_whole_meeting(user, m.park)
    decisions = agenda.follow_ups(
        Decision.objects.filter(meeting=m, item_id__in=ids).order_by("item__order", "id"),
        agenda.as_of(m),
    )
    out = _row(m)
    out.update(
        invited_departments=[_ref(d) for d in m.invited_departments.all()] if whole else [],
        invited_enterprises=[_ref(e) for e in m.invited_enterprises.all()] if whole else [],
        minutes=m.minutes if whole else "",
        agenda=[
            {
                "id": i.pk,
                "order": i.order,
                "source": i.source,
                "source_label": i.get_source_display(),
                "title": i.title,
                "demand_id": i.demand_id,
                "demand_number": i.demand.number if i.demand else None,
                "enterprise": _ref(i.enterprise),
                "notes": i.notes,
            }
            for i in items
        ],
        attendance=[
            {
                "unit": a.unit,
                "person": a.person,
                "department_id": a.department_id,
                "enterprise_id": a.enterprise_id,
            }
            for a in m.attendance.all()
        ]
        if whole
        else [],
        decisions=[_decision(f) for f in decisions],
        previous=[
            {"meeting": f.meeting.title, "decision": _decision(f)} for f in agenda.previous(m)
        ]
        if whole
        else [],
        calendar_warning=services.wcal.schedule_warning(m.date),
    )
    return out


@router.get("/meetings", response=MeetingPage, summary="会议列表")
def list_meetings(
    request: UserRequest,
    kind: MeetingKind | None = None,
    status: MeetingStatus | None = None,
    year: int | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict:
    park = current_park(request)
    qs = access.visible_meetings(request.user, park).select_related("chair")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return {"count": qs.count(), "items": [_row(m) for m in qs[offset : offset + limit]]}


@router.post("/meetings", response={201: MeetingDetail}, summary="新建会议（派单中心）")
def create_meeting(request: UserRequest, payload: MeetingIn) -> Status:
    park = current_park(request)
    m = services.create_meeting(
        request.user,
        park,
        services.MeetingInput(**payload.dict()),
    )
    return Status(201, detail(request.user, m))


@router.get("/meetings/{meeting_id}", response=MeetingDetail, summary="会议详情")
def get_meeting(request: UserRequest, meeting_id: int) -> dict:
    park = current_park(request)
    m = access.get_meeting(request.user, park, meeting_id)
    return detail(request.user, m)


@router.post("/meetings/{meeting_id}/agenda", response={201: ItemOut}, summary="添加议题")
def add_item(request: UserRequest, meeting_id: int, payload: AgendaIn) -> Status:
    park = current_park(request)
    m = access.get_meeting(request.user, park, meeting_id)
    item: AgendaItem = services.add_item(
        request.user,
        m,
        services.ItemInput(**payload.dict()),
    )
    return Status(
        201,
        {
            "id": item.pk,
            "order": item.order,
            "source": item.source,
            "source_label": item.get_source_display(),
            "title": item.title,
            "demand_id": item.demand_id,
            "demand_number": item.demand.number if item.demand else None,
            "enterprise": _ref(item.enterprise),
            "notes": item.notes,
        },
    )


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut}, summary="议定事项")
def decide(request: UserRequest, meeting_id: int, payload: MeetingDecisionIn) -> Status:
    park = current_park(request)
    m = access.get_meeting(request.user, park, meeting_id)
    d = services.decide(
        request.user,
        m,
        item_id=payload.item_id,
        kind=payload.kind,
        text=payload.text,
        tasks=[
            services.TaskSpec(t.department_id, t.role, t.time_limit_days) for t in payload.tasks
        ],
        expert_field=payload.expert_field,
    )
    f = agenda.follow_ups(Decision.objects.filter(pk=d.pk), agenda.as_of(m))[0]
    return Status(201, _decision(f))


@router.post("/meetings/{meeting_id}/hold", response=MeetingDetail, summary="开始会议（已召开）")
def hold(request: UserRequest, meeting_id: int) -> dict:
    park = current_park(request)
    m = access.get_meeting(request.user, park, meeting_id)
    return detail(request.user, services.hold(request.user, m))


@router.post("/meetings/{meeting_id}/attendance", response=MeetingDetail, summary="记录参会单位")
def attendance(request: UserRequest, meeting_id: int, payload: AttendanceIn) -> dict:
    park = current_park(request)
    m = access.get_meeting(request.user, park, meeting_id)
    services.set_attendance(request.user, m, **payload.dict())
    return detail(request.user, m)


@router.post("/meetings/{meeting_id}/issue", response=MeetingDetail, summary="印发会议纪要")
def issue(request: UserRequest, meeting_id: int) -> dict:
    park = current_park(request)
    m = access.get_meeting(request.user, park, meeting_id)
    return detail(request.user, services.issue_minutes(request.user, m))
