"""The ledger pages: the list with search and export, the demand page with its action forms, intake,
bulk actions and attachments. Views parse the request, check access, call services and render."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch, Q, TextChoices
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from demands import (
    access,
    display,
    exports,
    privacy,
    queries,
    redaction,
    replies,
    saved,
    schemas,
    services,
    tracking,
    workbench,
)
from demands import attachments as att
from demands.models import (
    AccessKind,
    Attachment,
    Category,
    Channel,
    Demand,
    Event,
    Extension,
    ExtensionStatus,
    Outcome,
    RequesterKind,
    ReturnReason,
    Satisfaction,
    Status,
    Tier,
)
from demands.signals import DEMAND_CARDS, DEMAND_PANELS, DISPATCH_SUGGESTIONS, INTAKE_PANELS
from demands.workbook import export_ledger
from entities.models import MarketEntity
from entities.services import visible_entities
from orgs.models import Department, Role
from qinshang.errors import Forbidden, InvalidInput, NotFound, ServiceError
from qinshang.pages import (
    DISPATCH_ROLES,
    STAFF_ROLES,
    ParkRequest,
    page,
    paginate,
    query_without,
    roles_required,
)
from qinshang.replicas import replica_reads
from workcal.calendar import DeadlineState

PAGE_SIZES = (20, 50, 100)


class PageRequest(ParkRequest):
    """A guarded page's request, with django-htmx's details (HtmxMiddleware)."""

    htmx: HtmxDetails


ADVANCED_FILTERS = ("category", "department", "channel", "tier", "date_from", "date_to", "sort")

# How each action's form fields are read; demands.schemas.parse_action makes them typed.
TEXT, LIST, BOOL = "text", "list", "bool"
FORM_FIELDS: dict[str, list[tuple[str, str]]] = {
    "resolve_on_spot": [
        ("answer", TEXT),
        ("outcome", TEXT),
        ("category_id", TEXT),
        ("reference", TEXT),
    ],
    "dispatch": [
        ("lead_department_id", TEXT),
        ("co_department_ids", LIST),
        ("time_limit_days", TEXT),
        ("category_id", TEXT),
        ("note", TEXT),
    ],
    "undo_dispatch": [("note", TEXT)],
    "sign": [("task_id", TEXT), ("note", TEXT)],
    "return": [("task_id", TEXT), ("reason", TEXT), ("note", TEXT)],
    "redispatch": [
        ("task_id", TEXT),
        ("department_id", TEXT),
        ("time_limit_days", TEXT),
        ("note", TEXT),
    ],
    "insist": [("task_id", TEXT), ("note", TEXT)],
    "request_extension": [("task_id", TEXT), ("days", TEXT), ("reason", TEXT)],
    "decide_extension": [
        ("task_id", TEXT),
        ("extension_id", TEXT),
        ("approve", BOOL),
        ("note", TEXT),
    ],
    "pause": [("task_id", TEXT), ("note", TEXT)],
    "resume": [("task_id", TEXT), ("note", TEXT)],
    "reply": [("task_id", TEXT), ("answer", TEXT), ("outcome", TEXT)],
    "confirm": [("satisfaction", TEXT), ("comment", TEXT), ("method", TEXT)],
    "record_callback": [("note", TEXT)],
    "close": [("note", TEXT)],
    "reopen": [("reason", TEXT)],
    "urge": [("note", TEXT)],
    "merge": [("into_number", TEXT), ("note", TEXT)],
    "escalate": [("tier", TEXT), ("note", TEXT)],
    "comment": [("note", TEXT)],
    "assign": [("task_id", TEXT), ("handler_id", TEXT), ("note", TEXT)],
    "require_review": [("task_id", TEXT), ("required", BOOL), ("note", TEXT)],
    "approve_reply": [("task_id", TEXT), ("note", TEXT)],
    "send_back_reply": [("task_id", TEXT), ("note", TEXT)],
    "ask_info": [("question", TEXT)],
    "supply_info": [("answer", TEXT)],
    "record_supply": [("answer", TEXT)],
    "close_unreachable": [("kind", TEXT), ("note", TEXT)],
}
FILE_ACTIONS = {"reply", "resolve_on_spot", "comment", "resume", "supply_info", "record_supply"}
# Actions whose event is recorded under another name (the files go to that event).
EVENT_ACTIONS = {"record_supply": "supply_info"}


def payload_from_form(action: str, post: QueryDict) -> schemas.ActionBody:
    """The action's form as its typed body (InvalidInput when a value does not fit)."""
    out: dict[str, Any] = {}
    for name, kind in FORM_FIELDS.get(action, []):
        if kind == LIST:
            out[name] = [v.strip() for v in post.getlist(name) if v.strip()]
        elif kind == BOOL:
            raw = post.get(name, "")
            out[name] = {"1": True, "true": True, "0": False, "false": False}.get(raw)
        else:
            out[name] = post.get(name, "").strip()
    return schemas.parse_action(action, out)


C = TypeVar("C", bound=TextChoices)


def _choice(value: str, choices: type[C], label: str) -> C:
    """A form's choice as its enum member; the form only offers valid ones."""
    if value not in choices.values:
        options = "、".join(f"{k}（{v}）" for k, v in choices.choices)
        raise InvalidInput(f"{label}“{value}”无效，可选：{options}", field=label)
    return choices(value)


def _form_id(value: str, label: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise InvalidInput(f"{label}“{value}”无效", field=field)
    return int(value)


def _next_url(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


def _today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- ledger


ledger_filter = queries.ledger_filter


def _rows(demands: list[Demand], today: dt.date) -> list[dict[str, Any]]:
    return [{"d": d, "state": services.demand_deadline_state(d, today)} for d in demands]


def _filter_choices(park: Any) -> dict[str, Any]:
    return {
        "statuses": [("open", "全部未办结"), *Status.choices],
        "categories": list(Category.objects.filter(park=park, parent=None, is_active=True)),
        "departments": list(Department.objects.filter(park=park, is_active=True)),
        "channels": Channel.choices,
        "tiers": Tier.choices,
        "sorts": [
            ("created", "受理时间（新→旧）"),
            ("-created", "受理时间（旧→新）"),
            ("due", "办结时限（近→远）"),
            ("urge", "督办级别"),
            ("number", "编号"),
        ],
        "page_sizes": PAGE_SIZES,
    }


@roles_required(*STAFF_ROLES, page="问题台账")
def ledger(request: PageRequest) -> HttpResponse:
    park = request.park
    today = _today()
    error = None
    try:
        f = ledger_filter(request.GET)
        qs = queries.apply(access.visible_demands(request.user, park), f, today)
    except InvalidInput as exc:
        error = exc.message
        f = queries.LedgerFilter()
        qs = queries.apply(access.visible_demands(request.user, park), f, today)
    try:
        size = int(request.GET.get("size", 20))
    except ValueError:
        size = 20
    size = size if size in PAGE_SIZES else 20
    paginator = queries.CappedPaginator(qs, size)
    wanted = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if wanted == "last" else wanted)
    params = request.GET.copy()
    params.pop("page", None)
    ctx = {
        "f": f,
        "page": page,
        "rows": _rows(privacy.apply(request.user, list(page.object_list)), today),
        "error": error,
        "query": params.urlencode(),
        "size": size,
        "today": today,
        "advanced": any(request.GET.get(k) for k in ADVANCED_FILTERS) or size != 20,
        "saved_views": list(saved.views_of(request.user, park)),
        "current_query": saved.clean_query(params.urlencode()) if not error else "",
        "bulk_ops": ledger_bulk_ops(request.user),
        "here": request.get_full_path(),
        **_filter_choices(park),
    }
    status = 422 if error else 200
    if request.htmx and request.htmx.target == "ledger-results":
        return render(request, "demands/_ledger_results.html", ctx, status=status)
    return render(request, "demands/ledger.html", ctx, status=status)


@roles_required(*STAFF_ROLES, page="问题台账")
@require_POST
def save_view(request: PageRequest) -> HttpResponse:
    """保存为视图: the ledger's current filter under a name of the user's."""
    query = request.POST.get("query", "")
    try:
        view, new = saved.save_view(request.user, request.park, request.POST.get("name", ""), query)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        # Back to the filter as posted, re-encoded: the posted text never reaches the header.
        back = QueryDict(query).urlencode()
        return HttpResponseRedirect(
            f"{reverse('demands:ledger')}?{back}" if back else reverse("demands:ledger")
        )
    messages.success(request, f"已{'保存' if new else '更新'}视图“{view.name}”")
    return HttpResponseRedirect(f"{reverse('demands:ledger')}?{view.query}")


@roles_required(*STAFF_ROLES, page="问题台账")
@require_POST
def delete_view(request: PageRequest, view_id: int) -> HttpResponse:
    name = saved.delete_view(request.user, request.park, view_id)
    messages.success(request, f"已删除视图“{name}”")
    return HttpResponseRedirect(reverse("demands:ledger"))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@roles_required(*STAFF_ROLES, page="台账导出")
@replica_reads
def export(request: PageRequest) -> HttpResponse:
    """The filtered ledger as .xlsx at once; over `LEDGER_EXPORT_SYNC_MAX_ROWS` rows (or on
    POST) a background job (demands.exports) whose page shows its progress and the download."""
    park = request.park
    query = request.GET.copy()
    if request.method == "POST" and request.POST.getlist("ids"):
        # 导出所选: the rows ticked in the ledger, posted with its selection form.
        query.setlist("ids", request.POST.getlist("ids"))
    f = ledger_filter(query)
    qs = queries.apply(access.visible_demands(request.user, park), f)
    name = f"问题台账-{park.short_name}-{_today():%Y%m%d}.xlsx"
    if (request.method == "POST" and not f.ids) or qs.count() > exports.sync_max_rows():
        params = {k: ",".join(query.getlist(k)) if k == "ids" else query.get(k, "") for k in query}
        job = exports.start(request.user, park, params, name)
        return HttpResponseRedirect(reverse("demands:export_job", args=[job.pk]))
    data = export_ledger(qs, mask=privacy.masker(request.user, qs))
    resp = HttpResponse(data, content_type=XLSX)
    from urllib.parse import quote

    resp["Content-Disposition"] = (
        f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return resp


@roles_required(*STAFF_ROLES, page="台账导出")
def export_job(request: PageRequest, export_id: int) -> HttpResponse:
    job = exports.get(request.user, request.park, export_id)
    ctx = {"job": job, "recent": exports.visible(request.user, request.park)[:10]}
    if request.htmx and request.htmx.target == "export-progress":
        return render(request, "demands/_export_progress.html", ctx)
    return render(request, "demands/export_job.html", ctx)


@roles_required(*STAFF_ROLES, page="台账导出")
def export_file(request: PageRequest, export_id: int) -> FileResponse:
    job = exports.get(request.user, request.park, export_id)
    if job.state != job.State.DONE or not job.file:
        raise NotFound("导出文件尚未生成")
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.name, content_type=XLSX
    )


# --------------------------------------------------------------------------- demand page


def detail_context(request: PageRequest, demand: Demand) -> dict[str, Any]:
    user = request.user
    park = demand.park
    today = _today()
    demand = Demand.objects.select_related(
        "category",
        "category__parent",
        "enterprise",
        "lead_department",
        "park",
        "created_by",
        "liaison",
        "merged_into",
    ).get(pk=demand.pk)
    tasks = list(
        demand.tasks.select_related("department", "signed_by", "assignee").prefetch_related(
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("requested_by"),
                to_attr="all_extensions",
            )
        )
    )
    events = list(
        demand.events.select_related("actor", "task", "task__department")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    requester = redaction.is_requester(user)
    contact_full = privacy.sees_contact(user, demand)
    if not contact_full:
        privacy.mask(demand)
    actions = services.available_actions(user, demand)
    task_rows: list[dict[str, Any]] = []
    shown = redaction.visible_tasks(tasks) if requester else tasks
    for t in cast(list[Any], shown):  # prefetched with all_extensions above
        pending = next((e for e in t.all_extensions if e.status == ExtensionStatus.PENDING), None)
        task_rows.append(
            {
                "t": t,
                "state": services.task_deadline_state(t, park, today),
                "pending_extension": pending,
            }
        )
    pending_by_task = {r["t"].pk: r["pending_extension"] for r in task_rows}
    by_pk = {t.pk: t for t in tasks}
    assigning = [by_pk[a["task_id"]] for a in actions if a["action"] == "assign"]
    members = services.department_members({t.department_id for t in assigning})
    for a in actions:
        a["extension"] = pending_by_task.get(a["task_id"])
        task = by_pk.get(a["task_id"])
        if task is not None:
            # The 指派 form offers the task's own department; the reply form brings back an
            # answer the head sent back, and the review forms show it.
            a["members"] = members.get(task.department_id, [])
            a["task"] = task
            a["review"] = services.needs_review(task)
    need_routing = any(
        a["action"] in ("dispatch", "redispatch", "resolve_on_spot") for a in actions
    )
    suggestion = (
        next((s for f in DISPATCH_SUGGESTIONS if (s := f(demand)) is not None), None)
        if need_routing
        else None
    )
    writes_answer = any(a["action"] in ("reply", "resolve_on_spot") for a in actions)
    return {
        "demand": demand,
        "can_issue_code": user.role in tracking.ISSUERS and demand.status != Status.MERGED,
        "reply_templates": replies.offered(user, park, demand.category, demand)
        if writes_answer
        else [],
        "panels": [u for f in DEMAND_PANELS if (u := f(user, demand))],
        "suggestion": suggestion,
        "cards": [p for f in DEMAND_CARDS if (p := f(user, demand)) is not None],
        "show_similar": not requester,
        "state": services.demand_deadline_state(demand, today),
        "tasks": task_rows,
        "timeline": display.timeline(events, requester=requester),
        "loose_files": list(demand.attachments.filter(event=None).order_by("id")),
        "actions": actions,
        "requester": requester,
        "contact_masked": not contact_full,
        "departments": list(
            Department.objects.filter(park=park, is_active=True, is_dispatch_centre=False)
        )
        if need_routing
        else [],
        "categories": _categories(park) if need_routing else [],
        # A filter argument that fails to resolve raises, so a demand filed without a category
        # (the API allows it) must not reach the template as `demand.category.time_limit_days`.
        "default_days": demand.category.time_limit_days if demand.category else "",
        "outcomes": Outcome.choices,
        "reasons": ReturnReason.choices,
        "unreachable_kinds": [(k.value, k.label) for k in schemas.UnreachableKind],
        "info_wait_days": park.info_wait_working_days,
        "satisfactions": Satisfaction.choices,
        "tiers": [(t.value, t.label) for t in services.ESCALATION_TIERS],
        "states": DeadlineState.LABELS,
        "can_upload": demand.status != Status.MERGED,
        "max_mb": att.settings.ATTACHMENT_MAX_BYTES // 1048576,
        "allowed_files": att.ALLOWED_TEXT,
        "calendar_warning": services.wcal.schedule_warning(*[t.deadline for t in shown]),
    }


def _categories(park: Any) -> list[Category]:
    return list(
        Category.objects.filter(park=park, is_active=True, parent__isnull=False)
        .select_related("parent", "default_department")
        .order_by("parent__sort", "parent_id", "sort", "id")
    )


def _render_detail(
    request: PageRequest,
    demand: Demand,
    *,
    error: str | None = None,
    status: int = 200,
    open_action: str = "",
    open_task: str = "",
    revealed: dict[str, str] | None = None,
    linked: bool = False,
) -> HttpResponse:
    ctx = detail_context(request, demand)
    ctx["revealed"] = revealed or {}
    for a in ctx["actions"]:
        a["open"] = a["action"] == open_action and str(a["task_id"] or "") == open_task
        a["values"] = request.POST if a["open"] else {}
    if linked and not any(a["open"] for a in ctx["actions"]):
        # A queue's 退单 / 回访 button names the action (and the task when it knows it): the
        # form it means opens, the first of that name when the task is not named or not found.
        first = next((a for a in ctx["actions"] if a["action"] == open_action), None)
        if first is not None:
            first["open"] = True
    ctx.update(error=error, open_action=open_action, next=_next_url(request, ""))
    return render(request, "demands/detail.html", ctx, status=status)


@page
def detail(request: PageRequest, pk: int) -> HttpResponse:
    demand = access.get_demand(request.user, request.park, pk)
    privacy.log_open(request.user, demand)
    return _render_detail(
        request,
        demand,
        open_action=request.GET.get("act", "")[:40],
        open_task=request.GET.get("task", "")[:20],
        linked=True,
    )


@page
@require_POST
def reveal(request: PageRequest, pk: int, field: str) -> HttpResponse:
    """显示: the masked name or phone in full, once, logged for 督查."""
    demand = access.get_demand(request.user, request.park, pk)
    value = privacy.reveal(request.user, demand, field)
    if request.htmx:
        return render(request, "demands/_revealed.html", {"value": value, "field": field})
    return _render_detail(request, demand, revealed={field: value})


@page
@require_POST
def act(request: PageRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    demand = access.get_demand(user, request.park, pk)
    if action not in FORM_FIELDS:
        raise NotFound(f"未知的操作“{action}”")
    files = att.payload_files(request.FILES) if action in FILE_ACTIONS else []
    try:
        body = payload_from_form(action, request.POST)
        att.check_uploads(files)
        with transaction.atomic():
            demand = services.perform(user, demand, body)
            if files:
                recorded = EVENT_ACTIONS.get(action, action)
                event = Event.objects.filter(demand=demand, action=recorded, actor=user).latest(
                    "id"
                )
                att.add_attachments(user, demand, files, event)
    except ServiceError as exc:
        return _render_detail(
            request,
            demand,
            error=exc.message,
            status=exc.status,
            open_action=action,
            open_task=request.POST.get("task_id", ""),
        )
    label = display.action_label(action)
    undo = (
        f"（{services.DISPATCH_UNDO_MINUTES} 分钟内、承办部门签收前可在诉求页或派单中心撤销）"
        if action == "dispatch"
        else ""
    )
    messages.success(request, f"{demand.number}：已{label}{undo}")
    return HttpResponseRedirect(_next_url(request, reverse("demands:detail", args=[demand.pk])))


@page
@require_POST
def upload(request: PageRequest, pk: int) -> HttpResponse:
    user = request.user
    demand = access.get_demand(user, request.park, pk)
    files = att.payload_files(request.FILES)
    try:
        if not files:
            raise InvalidInput("请选择要上传的文件", field="files")
        att.check_uploads(files)
        with transaction.atomic():
            event = services.record(
                demand,
                "attach",
                user,
                note="、".join(att.clean_name(f.name or "") for f in files),
            )
            saved = att.add_attachments(user, demand, files, event)
    except ServiceError as exc:
        return _render_detail(
            request, demand, error=exc.message, status=exc.status, open_action="upload"
        )
    messages.success(request, f"已上传 {len(saved)} 个附件")
    return HttpResponseRedirect(reverse("demands:detail", args=[demand.pk]))


# login_required, not page: page's wrapper is typed for HttpResponse, and a file streams; the park
# check that page makes is the first line here.
@login_required
def download(request: PageRequest, att_id: int) -> FileResponse:
    if getattr(request, "park", None) is None:
        raise Forbidden("您的账号尚未分配园区，请联系管理员")
    a = Attachment.objects.filter(pk=att_id).first()
    if a is None:
        raise NotFound("附件不存在")
    # Another park's attachment reads as missing; one of this park outside the user's scope, 403.
    if a.demand.park_id != request.park.pk:
        raise NotFound("附件不存在")
    access.get_demand(request.user, request.park, a.demand_id)
    inline = a.content_type in att.INLINE_TYPES and request.GET.get("download") != "1"
    resp = FileResponse(
        a.file.open("rb"),
        as_attachment=not inline,
        filename=a.original_name,
        content_type=a.content_type,
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return resp


# --------------------------------------------------------------------------- intake

INTAKE_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LIAISON,
    Role.LEADER,
    Role.ENTERPRISE,
    Role.RESIDENT,
)
STAFF_CHANNELS = [c for c in Channel.choices if c[0] not in ("portal", "api", "import")]


def _intake_enterprise(request: PageRequest) -> int | None:
    user = request.user
    park = request.park
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id
    if user.role == Role.RESIDENT:
        return None
    if request.POST.get("requester_kind", "enterprise") != RequesterKind.ENTERPRISE:
        return None
    raw_id = request.POST.get("enterprise_id", "").strip()
    ents = visible_entities(user, park)
    if raw_id:
        ent = ents.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
        if ent is None:
            raise InvalidInput("所选企业不存在或不属于本园区", field="enterprise_id")
        return ent.pk
    text = request.POST.get("enterprise", "").strip()
    if not text:
        raise InvalidInput("请填写企业全称或统一社会信用代码", field="enterprise")
    ent = ents.filter(Q(name=text) | Q(credit_code=text.upper())).first()
    if ent is not None:
        return ent.pk
    # A caller gives part of the name ("恒远精密"): one enterprise that fits is the one; several
    # are named so the clerk can pick without retyping.
    fits = list(
        ents.filter(is_active=True, name__contains=text)
        .order_by("name")
        .values_list("pk", "name")[:6]
    )
    if len(text) >= 2 and len(fits) == 1:
        return fits[0][0]
    if len(text) >= 2 and fits:
        names = "、".join(n for _, n in fits[:5]) + ("等" if len(fits) > 5 else "")
        raise InvalidInput(
            f"“{text}”对应多家企业：{names}，请从候选列表中选择或输入全称", field="enterprise"
        )
    raise InvalidInput(
        f"未找到企业“{text}”，请输入企业全称、名称中的关键词或统一社会信用代码",
        field="enterprise",
    )


TRACKED_CHANNELS = frozenset({Channel.HOTLINE, Channel.RECEPTION})


@roles_required(*INTAKE_ROLES, page="登记诉求")
def new(request: PageRequest) -> HttpResponse:
    user = request.user
    park = request.park
    role = user.role
    error = None
    status = 200
    if request.method == "POST":
        files = att.payload_files(request.FILES)
        try:
            att.check_uploads(files)
            on_spot = request.POST.get("on_spot") == "1" and role in (
                Role.LIAISON,
                Role.DISPATCHER,
                Role.ADMIN,
            )
            kind = request.POST.get("requester_kind", "")
            intake = services.Intake(
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                channel=_choice(
                    request.POST.get("channel", "") or Channel.PORTAL, Channel, "来源渠道"
                ),
                enterprise_id=_intake_enterprise(request),
                requester_kind=_choice(kind, RequesterKind, "诉求人类型")
                if kind and role not in (Role.ENTERPRISE, Role.RESIDENT)
                else None,
                requester_name=request.POST.get("requester_name", ""),
                requester_phone=request.POST.get("requester_phone", ""),
                community=request.POST.get("community", ""),
                category_id=_form_id(request.POST.get("category_id", ""), "诉求类别", "category"),
                typed=True,
            )
            on_spot_body = (
                schemas.parse_action(
                    "resolve_on_spot",
                    {
                        "answer": request.POST.get("answer", "").strip(),
                        "outcome": request.POST.get("outcome", "") or Outcome.SOLVED,
                        "reference": request.POST.get("reference", "").strip(),
                    },
                )
                if on_spot
                else None
            )
            with transaction.atomic():
                demand = services.create_demand(user, park, intake)
                if files:
                    event = demand.events.get(action="create")
                    att.add_attachments(user, demand, files, event)
                if on_spot_body is not None:
                    services.perform(user, demand, on_spot_body)
                # A caller has no account: the number and this code are how they follow it, so
                # the code is issued with the demand or not at all.
                code = (
                    tracking.issue_code(user, demand)
                    if role in tracking.ISSUERS and demand.channel in TRACKED_CHANNELS
                    else ""
                )
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            said = f"诉求已提交，编号 {demand.number}" + ("，已记录当场解决" if on_spot else "")
            if code:
                said += f"；查询码 {code}（只显示这一次，请告知诉求人）"
            messages.success(request, said)
            return HttpResponseRedirect(reverse("demands:detail", args=[demand.pk]))
    form: Any = request.POST
    if request.method != "POST" and role in (Role.ENTERPRISE, Role.RESIDENT):
        # The requester is who is logged in: their name and number are the likely contact.
        form = {"requester_name": user.full_name, "requester_phone": user.phone}
    ctx = intake_context(request, form, error)
    return render(request, "demands/new.html", ctx, status=status)


def intake_context(request: PageRequest, form: Any, error: str | None = None) -> dict[str, Any]:
    """What the intake form needs (the page, and routing's 从文本提取 which re-renders it)."""
    user = request.user
    park = request.park
    role = user.role
    categories = _categories(park)
    if role == Role.RESIDENT:
        categories = [c for c in categories if c.for_residents] or categories
    my_entities: list[MarketEntity] = []
    if role == Role.LIAISON:
        my_entities = list(
            MarketEntity.objects.filter(park=park)
            .filter(Q(liaison=user) | Q(backup_liaison=user))
            .order_by("name")
            .only("pk", "name")
        )
    return {
        "error": error,
        "form": form,
        "categories": categories,
        "channels": STAFF_CHANNELS,
        "kinds": RequesterKind.choices,
        "my_entities": my_entities,
        "preset_enterprise": request.GET.get("enterprise", ""),
        "panels": [u for f in INTAKE_PANELS if (u := f(user))],
        "is_requester": role in (Role.ENTERPRISE, Role.RESIDENT),
        "is_resident": role == Role.RESIDENT,
        "can_resolve": role in (Role.LIAISON, Role.DISPATCHER, Role.ADMIN),
        # Before the demand exists its placeholders stay for the writer to complete.
        "reply_templates": replies.offered(user, park, None)
        if role in (Role.LIAISON, Role.DISPATCHER, Role.ADMIN)
        else [],
        "outcomes": Outcome.choices,
        "max_mb": att.settings.ATTACHMENT_MAX_BYTES // 1048576,
        "allowed_files": att.ALLOWED_TEXT,
        "extracted": {},
    }


# --------------------------------------------------------------------------- bulk actions

BULK_LIMIT = 200
BULK_OPS = {
    # op: (action, roles, label)
    "dispatch_defaults": ("dispatch", DISPATCH_ROLES, "按默认交办"),
    "urge": ("urge", DISPATCH_ROLES, "催办"),
    "close": ("close", DISPATCH_ROLES, "销号"),
    "sign": ("sign", (Role.HANDLER, Role.DEPARTMENT_HEAD), "签收"),
}


# What the ledger's selection offers, in this order, to whoever may run it.
LEDGER_BULK = ("urge", "close", "sign")


def ledger_bulk_ops(user: Any) -> list[tuple[str, str]]:
    """The bulk actions the ledger offers this user on the rows they tick (op, label)."""
    return [
        (op, BULK_OPS[op][2])
        for op in LEDGER_BULK
        if user.is_superuser or user.role in BULK_OPS[op][1]
    ]


def _bulk_body(op: str, d: Demand, request: HttpRequest) -> schemas.ActionBody:
    if op == "dispatch_defaults":
        cat = d.category
        if cat is None:
            raise InvalidInput("尚未分类：请在诉求页选择类别和主办部门后交办")
        if cat.default_department_id is None:
            raise InvalidInput(f"类别“{cat}”没有默认主办部门：请在诉求页指定")
        co = [c.pk for c in cat.default_co_departments.all() if c.pk != cat.default_department_id]
        return schemas.DispatchIn(
            lead_department_id=cat.default_department_id,
            co_department_ids=co,
            time_limit_days=cat.time_limit_days,
        )
    if op == "urge":
        return schemas.parse_action("urge", {"note": request.POST.get("note", "").strip()})
    if op == "close":
        return schemas.CloseIn()
    return schemas.SignIn()


@page
@require_POST
def bulk(request: PageRequest) -> HttpResponse:
    """Run one action on many demands, each in its own transaction; report each one's result."""
    user = request.user
    park = request.park
    op = request.POST.get("op", "")
    if op not in BULK_OPS:
        raise InvalidInput("未知的批量操作")
    action, roles, label = BULK_OPS[op]
    if not user.is_superuser and user.role not in roles:
        raise Forbidden(f"您的角色不能批量{label}")
    visible = access.visible_demands(user, park)
    only = request.POST.get("only", "")
    raw: list[str | int]
    if only:
        raw = [only]
    elif request.POST.get("scope") == "all_overdue" and op == "urge":
        late = workbench.overdue(user, park, _today())
        raw = list(late.values_list("pk", flat=True)[:BULK_LIMIT])
    elif request.POST.get("scope") == "all_confirmed" and op == "close":
        raw = list(
            visible.filter(status=Status.CONFIRMED).values_list("pk", flat=True)[:BULK_LIMIT]
        )
    else:
        raw = list(request.POST.getlist("ids")[:BULK_LIMIT])
    pks = [int(i) for i in raw if str(i).isdigit()]
    default = reverse("home")
    if not pks:
        messages.warning(request, "请先勾选要处理的诉求")
        return HttpResponseRedirect(_next_url(request, default))
    demands = {
        d.pk: d
        for d in visible.filter(pk__in=pks)
        .select_related("category", "park")
        .prefetch_related("category__default_co_departments")
    }
    done, failed = [], []
    for pk in pks:
        d = demands.get(pk)
        if d is None:
            failed.append((str(pk), "诉求不存在或您无权办理"))
            continue
        try:
            with transaction.atomic():
                services.perform(user, d, _bulk_body(op, d, request))
            done.append(d.number)
        except ServiceError as exc:
            failed.append((d.number, exc.message))
    if done:
        messages.success(
            request,
            f"已{label} {len(done)} 件：{'、'.join(done[:20])}"
            + ("等" if len(done) > 20 else "")
            + (
                f"。{services.DISPATCH_UNDO_MINUTES} 分钟内、承办部门签收前可在“刚刚交办”中撤销"
                if action == "dispatch"
                else ""
            ),
        )
    for number, why in failed:
        messages.error(request, f"{number} 未能{label}：{why}")
    return HttpResponseRedirect(_next_url(request, default))


# --------------------------------------------------------------------------- 督查: access log


def access_filter(params: Any) -> dict[str, Any]:
    def date(name: str) -> dt.date | None:
        raw = params.get(name, "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"日期“{raw}”格式不正确，应为 2026-01-31", field=name)

    kind = params.get("kind", "").strip()
    return {
        "user": params.get("user", "").strip()[:50],
        "demand": params.get("demand", "").strip()[:30],
        "kind": kind if kind in AccessKind.values else "",
        "date_from": date("date_from"),
        "date_to": date("date_to"),
    }


@roles_required(Role.DISPATCHER, page="诉求查阅记录")
def access_log(request: PageRequest) -> HttpResponse:
    """Who opened which demand and who revealed a masked contact, newest first (督查)."""
    park = request.park
    error = None
    try:
        f = access_filter(request.GET)
    except InvalidInput as exc:
        error, f = exc.message, access_filter({})
    qs = privacy.access_log(park)
    if f["user"]:
        qs = qs.filter(Q(user__username=f["user"]) | Q(user__full_name__contains=f["user"]))
    if f["demand"]:
        qs = qs.filter(demand__number__contains=f["demand"])
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    tz = timezone.get_current_timezone()
    if f["date_from"]:
        qs = qs.filter(at__gte=dt.datetime.combine(f["date_from"], dt.time.min, tz))
    if f["date_to"]:
        qs = qs.filter(
            at__lt=dt.datetime.combine(f["date_to"] + dt.timedelta(days=1), dt.time.min, tz)
        )
    page = paginate(request, qs, 50)
    return render(
        request,
        "demands/access_log.html",
        {
            "page": page,
            "f": f,
            "error": error,
            "kinds": AccessKind.choices,
            "query": query_without(request, "page"),
        },
        status=422 if error else 200,
    )
