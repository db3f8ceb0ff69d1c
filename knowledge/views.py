"""知识库 pages: the list with search and filters, an entry (versions, attachments, owner's
actions), the editor, the 权责清单 import, the panels the ledger's pages load (answers for this
text, 三方连线, 类案), the portal's panel and its “已解决，不再提交”, the consults."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands import attachments as att
from demands.access import get_demand
from demands.models import Status
from knowledge import access, services, sheets
from knowledge.models import (
    Consult,
    ConsultStatus,
    EntryAttachment,
    EntryLink,
    EntryStatus,
    Kind,
)
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, NotFound, ServiceError
from qinshang.inputs import optional_date
from qinshang.pages import ParkRequest, paginate, query_without, roles_required, upload_page

STAFF = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LIAISON,
    Role.LEADER,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
)
AUTHORS = (Role.DISPATCHER, Role.ADMIN, Role.HANDLER, Role.DEPARTMENT_HEAD)
ASKERS = (Role.DISPATCHER, Role.ADMIN, Role.LIAISON)
EVERYONE = (*STAFF, Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT)
REQUESTERS = (Role.ENTERPRISE, Role.RESIDENT)


def _departments(park: Park) -> list[Department]:
    return list(
        Department.objects.filter(park=park, is_active=True, is_dispatch_centre=False).order_by(
            "sort", "id"
        )
    )


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@roles_required(*EVERYONE, page="知识库")
def index(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    dept = _int(request.GET.get("department"))
    requester = access.is_requester(user)
    hits: list[services.Suggestion] = []
    page = None
    if q:
        if requester:
            hits = services.portal_suggest(user, park, q, limit=20)
        else:
            hits = services.suggest(
                user, park, q, department_id=dept, kind=kind, limit=20, demands=not kind
            )
    else:
        qs = access.visible_entries(user, park).select_related("department", "specialist")
        if kind:
            qs = qs.filter(kind=kind)
        if dept:
            qs = qs.filter(department_id=dept)
        status = request.GET.get("status", "")
        if status in EntryStatus.values and not requester:
            qs = qs.filter(status=status)
        if request.GET.get("due") == "1" and not requester:
            qs = qs.filter(services.models_q_past(timezone.localdate()))
        page = paginate(request, qs.order_by("-updated_at", "-id"), per_page=30)
        today = timezone.localdate()
        for e in page:
            e.flag_texts = services.flags(e, today)
    return render(
        request,
        "knowledge/index.html",
        {
            "q": q,
            "kind": kind,
            "department": dept,
            "status": request.GET.get("status", ""),
            "due": request.GET.get("due", ""),
            "hits": hits,
            "page": page,
            "kinds": Kind.choices,
            "statuses": EntryStatus.choices,
            "departments": _departments(park),
            "requester": requester,
            "can_author": access.can_author(user),
            "keep": query_without(request, "page"),
        },
    )


def _entry_input(request: ParkRequest) -> services.EntryInput:
    p = request.POST
    dept = _int(p.get("department_id"))
    if dept is None:
        raise InvalidInput("请选择所属部门", field="department_id")
    cycle = _int(p.get("review_cycle_days")) or 365
    return services.EntryInput(
        kind=p.get("kind", ""),
        title=p.get("title", ""),
        body=p.get("body", ""),
        department_id=dept,
        specialist_id=_int(p.get("specialist_id")),
        internal_note=p.get("internal_note", ""),
        is_public=p.get("is_public") == "1",
        duty_code=p.get("duty_code", ""),
        basis=p.get("basis", ""),
        keywords=p.get("keywords", ""),
        valid_from=optional_date(p.get("valid_from", ""), "生效日期"),
        valid_until=optional_date(p.get("valid_until", ""), "失效日期"),
        review_cycle_days=cycle,
    )


def _specialists(park: Park) -> list[User]:
    return list(
        User.objects.filter(park=park, is_active=True)
        .exclude(role__in=(Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT))
        .select_related("department")
        .order_by("department__sort", "department_id", "id")
    )


def _form(request: ParkRequest, ctx: dict[str, object], status: int = 200) -> HttpResponse:
    ctx.update(
        kinds=Kind.choices,
        departments=_departments(request.park),
        specialists=_specialists(request.park),
    )
    return render(request, "knowledge/form.html", ctx, status=status)


@roles_required(*AUTHORS, page="编写知识条目")
def new(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    if request.method == "POST":
        try:
            entry = services.create_entry(
                user, park, _entry_input(request), publish=request.POST.get("publish") == "1"
            )
        except ServiceError as exc:
            return _form(request, {"form": request.POST, "error": exc.message}, exc.status)
        messages.success(request, f"已保存：{entry.title}")
        return HttpResponseRedirect(reverse("knowledge:detail", args=[entry.pk]))
    initial = {"department_id": str(user.department_id or ""), "review_cycle_days": "365"}
    return _form(request, {"form": initial})


@roles_required(*EVERYONE, page="知识条目")
def detail(request: ParkRequest, pk: int) -> HttpResponse:
    user, park = request.user, request.park
    entry = access.get_entry(user, park, pk)
    requester = access.is_requester(user)
    ctx: dict[str, object] = {"entry": entry, "requester": requester}
    if not requester:
        ctx.update(
            versions=list(entry.versions.select_related("changed_by")[:50]),
            links=list(
                EntryLink.objects.filter(entry=entry)
                .select_related("demand", "by")
                .order_by("-created_at")[:20]
            ),
            flags=services.flags(entry),
            can_edit=access.can_edit(user, entry),
            statuses=EntryStatus.choices,
            max_mb=att.settings.ATTACHMENT_MAX_BYTES // 1048576,
            allowed_files=att.ALLOWED_TEXT,
        )
    ctx["files"] = list(entry.attachments.order_by("id"))
    return render(request, "knowledge/detail.html", ctx)


@roles_required(*AUTHORS, page="修改知识条目")
def edit(request: ParkRequest, pk: int) -> HttpResponse:
    user, park = request.user, request.park
    entry = access.get_entry(user, park, pk)
    if not access.can_edit(user, entry):
        raise Forbidden("您不能修改这个知识条目")
    if request.method == "POST":
        try:
            services.update_entry(
                user, entry, _entry_input(request), reason=request.POST.get("reason", "")
            )
        except ServiceError as exc:
            return _form(
                request, {"form": request.POST, "entry": entry, "error": exc.message}, exc.status
            )
        messages.success(request, "已保存修改")
        return HttpResponseRedirect(reverse("knowledge:detail", args=[entry.pk]))
    form = {
        "kind": entry.kind,
        "title": entry.title,
        "body": entry.body,
        "internal_note": entry.internal_note,
        "department_id": str(entry.department_id),
        "specialist_id": str(entry.specialist_id or ""),
        "is_public": "1" if entry.is_public else "",
        "duty_code": entry.duty_code,
        "basis": entry.basis,
        "keywords": entry.keywords,
        "valid_from": entry.valid_from.isoformat() if entry.valid_from else "",
        "valid_until": entry.valid_until.isoformat() if entry.valid_until else "",
        "review_cycle_days": str(entry.review_cycle_days),
    }
    return _form(request, {"form": form, "entry": entry})


@roles_required(*AUTHORS, page="知识条目")
@require_POST
def status(request: ParkRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request.user, request.park, pk)
    try:
        if request.POST.get("status") == "reviewed":
            services.mark_reviewed(request.user, entry, note=request.POST.get("reason", ""))
            messages.success(request, "已复核")
        else:
            services.set_status(
                request.user,
                entry,
                request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "状态已更新")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("knowledge:detail", args=[entry.pk]))


@roles_required(*AUTHORS, page="知识条目")
@require_POST
def upload(request: ParkRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request.user, request.park, pk)
    files = att.payload_files(request.FILES)
    try:
        if not files:
            raise InvalidInput("请选择要上传的文件", field="files")
        att.check_uploads(files)
        for f in files:
            services.add_attachment(request.user, entry, f)
        messages.success(request, f"已上传 {len(files)} 个附件")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("knowledge:detail", args=[entry.pk]))


# login_required, not page: a file streams (as demands:download); the park check comes first.
@login_required
def download(request: ParkRequest, att_id: int) -> FileResponse:
    if getattr(request, "park", None) is None:
        raise Forbidden("您的账号尚未分配园区，请联系管理员")
    a = EntryAttachment.objects.filter(pk=att_id).select_related("entry").first()
    if a is None or a.entry.park_id != request.park.pk:
        raise NotFound("附件不存在")
    access.get_entry(request.user, request.park, a.entry_id)
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


@roles_required(Role.DISPATCHER, Role.ADMIN, Role.DEPARTMENT_HEAD, page="导入权责清单")
def import_duties(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park

    def run(data: bytes, dry_run: bool, valid_only: bool) -> sheets.DutyImportReport:
        dept_id = _int(request.POST.get("department_id"))
        dept = Department.objects.filter(park=park, pk=dept_id or 0).first()
        if dept is None:
            raise InvalidInput("请选择部门", field="department_id")
        return sheets.import_duties(user, park, dept, data, dry_run=dry_run, valid_only=valid_only)

    depts = _departments(park)
    if user.role == Role.DEPARTMENT_HEAD:
        depts = [d for d in depts if d.pk == user.department_id]
    return upload_page(
        request,
        "knowledge/import.html",
        run,
        {"departments": depts, "columns": sheets.COLUMNS},
    )


# --------------------------------------------------------------------------- ledger panels


PANEL_STAFF = STAFF


@roles_required(*PANEL_STAFF, page="知识库答复建议")
def demand_panel(request: ParkRequest, pk: int) -> HttpResponse:
    user, park = request.user, request.park
    demand = get_demand(user, park, pk)
    text = f"{demand.title} {demand.description}"
    hits = services.suggest(user, park, text, limit=5)
    can_answer = demand.status == Status.RECEIVED and user.role in ASKERS
    consults = list(
        Consult.objects.filter(demand=demand)
        .select_related("specialist", "entry")
        .order_by("-asked_at")[:5]
    )
    for c in consults:
        c.state_text = services.consult_state(c)
    promoted = (
        EntryLink.objects.filter(demand=demand, via="promoted").select_related("entry").first()
    )
    return render(
        request,
        "knowledge/_demand_panel.html",
        {
            "demand": demand,
            "hits": [h for h in hits if h.source != "demand" or h.id != demand.pk],
            "can_answer": can_answer,
            "consults": consults,
            "can_promote": demand.status in services.ANSWERED
            and bool(demand.answer.strip())
            and user.role in (Role.DISPATCHER, Role.ADMIN, Role.DEPARTMENT_HEAD, Role.HANDLER)
            and promoted is None,
            "promoted": promoted,
        },
    )


@roles_required(Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.LEADER, page="知识库答复建议")
def intake_panel(request: ParkRequest) -> HttpResponse:
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}".strip()[:2000]
    hits = services.suggest(request.user, request.park, text, limit=5) if len(text) >= 4 else []
    return render(request, "knowledge/_intake_panel.html", {"hits": hits, "text": text})


@roles_required(*REQUESTERS, page="常见问题")
def portal_panel(request: ParkRequest) -> HttpResponse:
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}".strip()[:2000]
    hits = services.portal_suggest(request.user, request.park, text)
    return render(request, "knowledge/_portal_panel.html", {"hits": hits})


@roles_required(*REQUESTERS, page="常见问题")
@require_POST
def self_serve(request: ParkRequest) -> HttpResponse:
    text = f"{request.POST.get('title', '')}\n{request.POST.get('description', '')}".strip()
    try:
        services.record_self_serve(
            request.user, request.park, text, _int(request.POST.get("entry_id"))
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("demands:new"))
    messages.success(
        request, "感谢反馈：问题已通过自助答复解决，未提交诉求。如仍需帮助，可随时再提交。"
    )
    return HttpResponseRedirect(reverse("home"))


@roles_required(Role.DISPATCHER, Role.ADMIN, Role.DEPARTMENT_HEAD, Role.HANDLER, page="推荐类案")
@require_POST
def promote(request: ParkRequest, pk: int) -> HttpResponse:
    demand = get_demand(request.user, request.park, pk)
    try:
        entry = services.promote_case(
            request.user,
            demand,
            title=request.POST.get("title", "").strip(),
            is_public=request.POST.get("is_public") == "1",
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("demands:detail", args=[demand.pk]))
    messages.success(request, "已推荐为类案答复（草稿），请条目负责人审核发布")
    return HttpResponseRedirect(reverse("knowledge:detail", args=[entry.pk]))


# --------------------------------------------------------------------------- 三方连线


@roles_required(*ASKERS, page="三方连线")
@require_POST
def consult_new(request: ParkRequest, pk: int) -> HttpResponse:
    demand = get_demand(request.user, request.park, pk)
    try:
        entry_id = _int(request.POST.get("entry_id"))
        if entry_id is None:
            raise InvalidInput("请选择知识条目", field="entry_id")
        c = services.open_consult(
            request.user,
            demand,
            entry_id=entry_id,
            question=request.POST.get("question", "") or demand.title,
            limit_hours=_int(request.POST.get("limit_hours")) or 2,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("demands:detail", args=[demand.pk]))
    due = timezone.localtime(c.due_at).strftime("%m-%d %H:%M")
    messages.success(request, f"已发起三方连线：{c.specialist.display_name}，请于 {due} 前答复")
    return HttpResponseRedirect(reverse("demands:detail", args=[demand.pk]))


@roles_required(*STAFF, page="三方连线")
def consults(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    qs = access.visible_consults(user, park).select_related("demand", "specialist", "asked_by")
    mine = request.GET.get("mine", "1" if user.role in (Role.HANDLER, Role.DEPARTMENT_HEAD) else "")
    if mine == "1":
        qs = qs.filter(specialist=user)
    st = request.GET.get("status", "")
    if st in ConsultStatus.values:
        qs = qs.filter(status=st)
    page = paginate(request, qs.order_by("-asked_at", "-id"), per_page=30)
    now = timezone.now()
    for c in page:
        c.state_text = services.consult_state(c, now)
    return render(
        request,
        "knowledge/consults.html",
        {
            "page": page,
            "mine": mine,
            "status": st,
            "statuses": ConsultStatus.choices,
            "keep": query_without(request, "page"),
        },
    )


@roles_required(*STAFF, page="三方连线")
def consult(request: ParkRequest, pk: int) -> HttpResponse:
    user, park = request.user, request.park
    c = access.get_consult(user, park, pk)
    error = None
    status_code = 200
    if request.method == "POST":
        try:
            services.answer_consult(
                user,
                c,
                answer=request.POST.get("answer", ""),
                verdict=request.POST.get("verdict", ""),
            )
        except ServiceError as exc:
            error, status_code = exc.message, exc.status
        else:
            messages.success(request, "已答复")
            return HttpResponseRedirect(reverse("knowledge:consult", args=[c.pk]))
    c.state_text = services.consult_state(c)
    return render(
        request,
        "knowledge/consult.html",
        {
            "c": c,
            "error": error,
            "form": request.POST,
            "can_answer": c.status == ConsultStatus.OPEN and c.specialist_id == user.pk,
            "hours_left": _hours_left(c),
        },
        status=status_code,
    )


def _hours_left(c: Consult) -> float | None:
    from workcal import hours

    if c.status != ConsultStatus.OPEN:
        return None
    return round(hours.working_hours_between(timezone.now(), c.due_at), 1)
