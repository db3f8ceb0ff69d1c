import datetime as dt
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from demands import access, privacy, queries, redaction, replies, schemas, services
from demands import workflow as wf
from demands.models import (
    Category,
    Channel,
    Demand,
    Outcome,
    RequesterKind,
    ReturnReason,
    Satisfaction,
    TaskRole,
    TaskStatus,
    Tier,
)
from demands.models import Status as DemandStatus
from demands.schemas import Blank
from orgs.access import request_park as current_park
from orgs.models import User
from qinshang.errors import NotFound
from qinshang.limits import Id, Line, PageNo, Text
from workcal import calendar as wcal

router = Router(tags=["诉求台账"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    parent_name: str | None
    default_department_id: int | None
    time_limit_days: int
    for_residents: bool

    @staticmethod
    def resolve_parent_name(obj: Category) -> str | None:
        return obj.parent.name if obj.parent_id and obj.parent else None


@router.get("/categories", response=list[CategoryOut], summary="诉求类别（两级）")
def list_categories(request: HttpRequest) -> list[Category]:
    park = current_park(request)
    return list(Category.objects.filter(park=park, is_active=True).select_related("parent"))


class ReplyTemplateOut(Schema):
    id: int
    title: str
    category: str = Field(..., description="适用类别（“通用”：所有类别）")
    body: str = Field(..., description="答复内容；给出 demand_id 时占位符已按该诉求填好")


@router.get(
    "/reply-templates",
    response=list[ReplyTemplateOut],
    summary="答复模板（答复和当场解决时选用）",
    description="园区维护的常用答复。给出 demand_id 时只列适用于该诉求类别的模板，并填好"
    "{企业名称}{诉求编号}等占位符；企业用户和群众得到空列表。",
)
def list_reply_templates(
    request: HttpRequest, demand_id: Id | None = None, category_id: Id | None = None
) -> list[replies.Offered]:
    park = current_park(request)
    user = _user(request)
    demand = access.get_demand(user, park, demand_id) if demand_id else None
    category = demand.category if demand is not None else None
    if demand is None and category_id:
        category = Category.objects.filter(park=park, pk=category_id).first()
        if category is None:
            raise NotFound("没有这个诉求类别")
    return replies.offered(user, park, category, demand)


DeadlineStateOut = Literal["normal", "due_soon", "overdue"]
SortKey = Literal["created", "-created", "due", "-due", "number", "-number", "status", "urge"]


def _user(request: HttpRequest) -> User:
    """The API's callers are authenticated (bearer token or session) before a handler runs."""
    return cast(User, request.user)


class DemandIn(Schema):
    title: Line = Field(..., description="标题（一行）")
    description: Text = Field(..., description="诉求内容")
    channel: Channel = Field(..., description="来源渠道（企业用户和群众一律记为 portal）")
    enterprise_id: Id | None = None
    requester_kind: RequesterKind | None = Field(
        None, description="诉求人类型；不填时有企业为 enterprise，否则为 resident"
    )
    requester_name: Line = ""
    requester_phone: Line = ""
    community: Line = ""
    category: Id | Line | None = Field(None, description="类别编号或代码")


class Ref(Schema):
    id: int
    name: str


class DemandBase(Schema):
    id: int
    number: str
    title: str
    status: DemandStatus
    status_label: str
    channel: Channel
    tier: Tier | Blank
    category: Ref | None
    enterprise: Ref | None
    requester_name: str
    lead_department: Ref | None
    due_date: dt.date | None
    deadline_state: DeadlineStateOut
    urge_level: int
    created_at: dt.datetime


def _for_requester(context: dict | None) -> bool:
    request = (context or {}).get("request")
    return request is not None and redaction.is_requester(request.user)


class DemandRow(DemandBase):
    # One schema for everybody's list, but a requester is told the public status and no urging.
    @staticmethod
    def resolve_status(obj: Demand, context: dict) -> str:
        return redaction.public_status(obj)[0] if _for_requester(context) else obj.status

    @staticmethod
    def resolve_status_label(obj: Demand, context: dict) -> str:
        if _for_requester(context):
            return redaction.public_status(obj)[1]
        return obj.get_status_display()

    @staticmethod
    def resolve_urge_level(obj: Demand, context: dict) -> int:
        return 0 if _for_requester(context) else obj.urge_level

    @staticmethod
    def resolve_category(obj: Demand) -> dict | None:
        c = obj.category
        return {"id": c.pk, "name": str(c)} if c else None

    @staticmethod
    def resolve_deadline_state(obj: Demand, context: dict) -> str:
        return services.demand_deadline_state(obj)


class TaskOut(Schema):
    id: int
    department: Ref
    role: TaskRole
    status: TaskStatus
    status_label: str
    time_limit_days: int
    assigned_at: dt.datetime
    deadline: dt.date | None = Field(
        None, description="办结时限；null 为时限未知（导入的台账未记）"
    )
    deadline_state: DeadlineStateOut
    signed_at: dt.datetime | None
    answered_at: dt.datetime | None
    answer: str
    outcome: Outcome | Blank
    return_reason: ReturnReason | Blank
    insisted: bool
    urge_level: int
    extension_count: int
    paused_working_days: int
    assignee: Ref | None = Field(..., description="部门负责人指派的经办人")
    review_required: bool = Field(..., description="答复须经部门负责人审核（任务或部门的设置）")


class EventOut(Schema):
    id: int
    action: str
    actor: str | None
    actor_role: str
    task_id: int | None
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]
    created_at: dt.datetime


class ActionOut(Schema):
    action: schemas.Action
    label: str
    task_id: int | None
    department: str


class DemandDetail(DemandBase):
    view: Literal["staff"] = Field("staff", description="staff：园区工作人员看到的全部内容")
    description: str
    requester_kind: RequesterKind
    requester_phone: str
    community: str
    answer: str
    outcome: Outcome | Blank
    satisfaction: Satisfaction | Blank
    redo_count: int
    reopen_count: int
    merged_into: str | None
    is_legacy: bool
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    calendar_warning: str | None
    awaiting_info: bool = Field(..., description="正在等待诉求人补充材料（各任务暂停计时）")
    info_question: str = Field(..., description="请诉求人补充的内容（最近一次）")
    info_requested_at: dt.datetime | None
    tasks: list[TaskOut]
    timeline: list[EventOut]
    actions: list[ActionOut]


class RequesterTaskOut(Schema):
    id: int
    department: Ref
    role: TaskRole
    role_label: str
    status: TaskStatus
    status_label: str
    deadline: dt.date | None = Field(
        None, description="办结时限；null 为时限未知（导入的台账未记）"
    )
    signed_at: dt.datetime | None
    answered_at: dt.datetime | None
    answer: str
    outcome: Outcome | Blank


class RequesterEventOut(Schema):
    id: int
    action: str
    label: str
    detail: str
    who: str = Field(..., description="诉求人本人，或办理部门 / 园区服务中心（不含工作人员姓名）")
    note: str
    created_at: dt.datetime


class RequesterDemandDetail(Schema):
    """What an enterprise user or a resident may see of their demand (demands.redaction)."""

    view: Literal["requester"] = Field(..., description="requester：诉求人（企业、群众）看到的内容")
    id: int
    number: str
    title: str
    description: str
    status: DemandStatus
    status_label: str
    channel: Channel
    tier: Tier | Blank
    category: Ref | None
    enterprise: Ref | None
    requester_kind: RequesterKind
    requester_name: str
    community: str
    lead_department: Ref | None
    due_date: dt.date | None
    created_at: dt.datetime
    answer: str
    outcome: Outcome | Blank
    satisfaction: Satisfaction | Blank
    redo_count: int
    reopen_count: int
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    merged_into: str | None
    awaiting_info: bool = Field(..., description="园区正在等待您补充材料（见 info_question）")
    info_question: str
    tasks: list[RequesterTaskOut]
    timeline: list[RequesterEventOut]
    actions: list[ActionOut]


# Staff get the whole record, requesters the redacted one; `view` tells a client which it got.
DemandAnswer = Annotated[DemandDetail | RequesterDemandDetail, Field(discriminator="view")]


class BriefTaskOut(Schema):
    id: int
    department: Ref
    status: TaskStatus
    deadline: dt.date | None = Field(None, description="办结时限；null 为时限未知")


class DemandBrief(Schema):
    """The short answer to an action (?answer=brief): where the demand stands, no timeline."""

    view: Literal["brief"] = Field(..., description="brief：办理操作的简短答复")
    id: int
    number: str
    status: DemandStatus = Field(..., description="诉求人得到的是对外状态，与完整答复相同")
    status_label: str
    tier: Tier | Blank
    outcome: Outcome | Blank
    due_date: dt.date | None
    tasks: list[BriefTaskOut] = Field(..., description="诉求人只看到对其可见的任务")


ActionAnswer = Annotated[
    DemandDetail | RequesterDemandDetail | DemandBrief, Field(discriminator="view")
]


class DemandCreated(Schema):
    id: int
    number: str
    status: DemandStatus


class DemandPage(Schema):
    count: int = Field(
        ..., description="符合条件的条数；超过 2000 条时为 2000，且 count_exact 为 false"
    )
    count_exact: bool = True
    page: int
    page_size: int
    results: list[DemandRow]


class DemandFilter(Schema):
    status: Line | None = Field(
        None, description="一个或多个状态（逗号分隔，取值见 Status）；open 为全部未办结"
    )
    category: Line | None = Field(None, description="类别编号或代码；一级类别含其下级")
    department: Id | None = None
    channel: Channel | None = None
    overdue: bool | None = None
    q: Line | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    enterprise_id: Id | None = None
    tier: Tier | None = None
    sort: SortKey = "created"
    page: PageNo = 1
    page_size: int = Field(20, ge=1, le=200)


def brief_dict(user: Any, demand: Demand) -> dict[str, Any]:
    """What a client driving the workflow needs after an action: one query for the tasks
    instead of the detail's three (tasks, timeline, pending extensions) and its buttons."""
    rows = demand.tasks.order_by("-role", "id").values_list(
        "id", "department_id", "department__name", "status", "deadline"
    )
    requester = redaction.is_requester(user)
    if requester:
        status, label = redaction.public_status(demand)
    else:
        status, label = demand.status, demand.get_status_display()
    hidden = redaction.HIDDEN_TASK_STATUSES if requester else ()
    return {
        "view": "brief",
        "id": demand.pk,
        "number": demand.number,
        "status": status,
        "status_label": label,
        "tier": demand.tier,
        "outcome": demand.outcome,
        "due_date": demand.due_date,
        "tasks": [
            {"id": i, "department": {"id": d, "name": n}, "status": st, "deadline": dl}
            for i, d, n, st, dl in rows
            if st not in hidden
        ],
    }


def detail_dict(user: Any, demand: Demand) -> dict[str, Any]:
    if redaction.is_requester(user):
        tasks = list(demand.tasks.select_related("department").order_by("-role", "id"))
        events = list(
            demand.events.select_related("actor", "task__department").order_by("created_at", "id")
        )
        row = redaction.requester_detail(demand, tasks, events)
        row["actions"] = services.available_actions(user, demand, tasks=tasks)
        return row
    today = timezone.localdate()
    park = demand.park
    tasks = list(demand.tasks.select_related("department", "assignee").order_by("-role", "id"))
    events = list(demand.events.select_related("actor").order_by("created_at", "id"))
    if not privacy.sees_contact(user, demand, tasks):
        privacy.mask(demand)
    row = {
        f: getattr(demand, f)
        for f in (
            "id",
            "number",
            "title",
            "status",
            "channel",
            "tier",
            "requester_name",
            "due_date",
            "urge_level",
            "created_at",
            "description",
            "requester_kind",
            "requester_phone",
            "community",
            "answer",
            "outcome",
            "satisfaction",
            "redo_count",
            "reopen_count",
            "is_legacy",
            "answered_at",
            "closed_at",
        )
    }
    row.update(
        view="staff",
        status_label=demand.get_status_display(),
        category={"id": demand.category.pk, "name": str(demand.category)}
        if demand.category
        else None,
        enterprise={"id": demand.enterprise.pk, "name": demand.enterprise.name}
        if demand.enterprise
        else None,
        lead_department={"id": demand.lead_department.pk, "name": demand.lead_department.name}
        if demand.lead_department
        else None,
        deadline_state=services.demand_deadline_state(demand, today),
        merged_into=demand.merged_into.number if demand.merged_into else None,
        calendar_warning=wcal.schedule_warning(*[t.deadline for t in tasks]),
        awaiting_info=demand.awaits_info,
        info_question=demand.info_question,
        info_requested_at=demand.info_requested_at,
        tasks=[
            {
                **{
                    f: getattr(t, f)
                    for f in (
                        "id",
                        "role",
                        "status",
                        "time_limit_days",
                        "assigned_at",
                        "deadline",
                        "signed_at",
                        "answered_at",
                        "answer",
                        "outcome",
                        "return_reason",
                        "insisted",
                        "urge_level",
                        "extension_count",
                        "paused_working_days",
                    )
                },
                "department": {"id": t.department.pk, "name": t.department.name},
                "assignee": {"id": t.assignee.pk, "name": t.assignee.display_name}
                if t.assignee
                else None,
                "review_required": services.needs_review(t),
                "status_label": t.get_status_display(),
                "deadline_state": services.task_deadline_state(t, park, today),
            }
            for t in tasks
        ],
        timeline=[
            {
                "id": e.pk,
                "action": e.action,
                "actor": e.actor.display_name if e.actor else None,
                "actor_role": e.actor_role,
                "task_id": e.task_id,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "data": e.data,
                "created_at": e.created_at,
            }
            for e in events
        ],
        actions=services.available_actions(user, demand, tasks=tasks),
    )
    return row


@router.get("/demands", response=DemandPage, summary="诉求台账（筛选、分页）")
def list_demands(request: HttpRequest, filters: Query[DemandFilter]) -> dict[str, Any]:
    park = current_park(request)
    user = _user(request)
    data = filters.dict()
    page, size = data.pop("page"), data.pop("page_size")
    qs = queries.apply(access.visible_demands(user, park), queries.LedgerFilter(**data))
    start = (page - 1) * size
    count, exact = queries.capped_count(qs)
    return {
        "count": count,
        "count_exact": exact,
        "page": page,
        "page_size": size,
        "results": privacy.apply(user, queries.page_rows(qs, start, start + size)),
    }


@router.post("/demands", response={201: DemandCreated}, summary="受理诉求")
def create_demand(request: HttpRequest, payload: DemandIn) -> Status:
    park = current_park(request)
    cat = payload.category
    intake = services.Intake(
        title=payload.title,
        description=payload.description,
        channel=payload.channel,
        enterprise_id=payload.enterprise_id,
        requester_kind=payload.requester_kind,
        requester_name=payload.requester_name,
        requester_phone=payload.requester_phone,
        community=payload.community,
        category_id=cat if isinstance(cat, int) else None,
        category_code=cat if isinstance(cat, str) else None,
        typed=True,
    )
    return Status(201, services.create_demand(_user(request), park, intake))


@router.get(
    "/demands/{demand_id}",
    response=DemandAnswer,
    summary="诉求详情（任务、时限、全过程）",
    description="园区工作人员得到全部内容（view=staff）；企业用户和群众得到 RequesterDemandDetail"
    "（view=requester），其中没有工作人员姓名、退单理由、内部意见和督办信息。",
)
def get_demand(request: HttpRequest, demand_id: Id) -> dict[str, Any]:
    park = current_park(request)
    user = _user(request)
    demand = access.get_demand(user, park, demand_id)
    privacy.log_open(user, demand, via="api")
    return detail_dict(user, demand)


class RevealOut(Schema):
    field: Literal["name", "phone"]
    value: str


@router.post(
    "/demands/{demand_id}/reveal/{field}",
    response=RevealOut,
    summary="显示被遮盖的联系人或联系电话（记录查阅日志）",
    description="field：name 或 phone。返回完整内容，并记录谁在何时查看了哪件诉求的哪个字段。",
)
def reveal_contact(
    request: HttpRequest, demand_id: Id, field: Literal["name", "phone"]
) -> dict[str, str]:
    park = current_park(request)
    user = _user(request)
    demand = access.get_demand(user, park, demand_id)
    value = privacy.reveal(user, demand, field, via="api")
    return {"field": field, "value": value}


# --------------------------------------------------------------------------- workflow actions
#
# One operation per action, each with its own typed body (demands.schemas), at the path the
# single untyped operation had: POST /demands/{demand_id}/actions/{action}. Every one answers
# the demand as the caller may see it after the action: the whole detail, or with
# ?answer=brief the status, due date and tasks only (a client driving many actions, the
# simulated year, need not pay for the timeline and the buttons each time).

ACTION_ERRORS = "加 ?answer=brief 只返回状态、时限和任务（view=brief）。状态不允许时返回 409，无权限时返回 403，参数有误时返回 422。"


def _action_operation(action: schemas.Action, body: type[schemas.ActionBody]) -> None:
    transition = wf.TRANSITIONS[action.value]

    def run(
        request: HttpRequest,
        demand_id: Id,
        payload: schemas.ActionBody,
        answer: Literal["full", "brief"] = "full",
    ) -> dict[str, Any]:
        park = current_park(request)
        user = _user(request)
        demand = access.get_demand(user, park, demand_id)
        demand = services.perform(user, demand, payload)
        if answer == "brief":
            # Read back as committed: a service may have changed the row beside the instance.
            demand.refresh_from_db()
            return brief_dict(user, demand)
        # Read back as committed (a service may have changed rows beside the instance), with the
        # relations the answer names, in one query.
        demand.refresh_from_db(from_queryset=Demand.objects.select_related(*access.DETAIL_RELATED))
        return detail_dict(user, demand)

    # django-ninja reads the body's schema from the annotation: each operation gets its own.
    run.__annotations__["payload"] = body
    run.__name__ = f"demand_action_{action.value}"
    router.post(
        f"/demands/{{demand_id}}/actions/{action.value}",
        response=ActionAnswer,
        operation_id=f"demand_action_{action.value}",
        url_name=f"demand_action_{action.value}",
        summary=f"办理操作：{transition.label}",
        description=f"{(body.__doc__ or '').strip()}{ACTION_ERRORS}",
    )(run)


for _action, _body in schemas.BODIES.items():
    _action_operation(_action, _body)
