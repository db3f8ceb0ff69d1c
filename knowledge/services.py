"""Every change to the knowledge base, its search index, the links from answers, portal
self-service and 三方连线 consults. Views, the API, commands and jobs call these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from demands import attachments as att
from demands import services as ledger
from demands.access import visible_demands
from demands.models import Demand, Event, Status
from knowledge import access, search
from knowledge.models import (
    PORTAL_KINDS,
    Consult,
    ConsultStatus,
    DocKind,
    Entry,
    EntryAttachment,
    EntryLink,
    EntryStatus,
    EntryVersion,
    Kind,
    LinkVia,
    SearchDoc,
    SelfServe,
)
from notifications.services import notify_link
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from workcal import hours as wh

TITLE_MAX = 200
BODY_MAX = 20000
MAX_CONSULT_HOURS = 40
ANSWERED = (Status.ANSWERED, Status.CONFIRMED, Status.CLOSED)
# Fields a version compares (what "who changed what" lists).
VERSIONED = (
    "kind",
    "title",
    "body",
    "internal_note",
    "department_id",
    "specialist_id",
    "is_public",
    "duty_code",
    "basis",
    "keywords",
    "valid_from",
    "valid_until",
    "review_cycle_days",
    "status",
)


def _now() -> dt.datetime:
    return timezone.now()


def _text(value: Any, label: str, *, limit: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{label}应为文字", field=label)
    out = value.strip()
    if required and not out:
        raise InvalidInput(f"请填写{label}", field=label)
    if len(out) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字（当前 {len(out)} 字）", field=label)
    return out


@dataclass
class EntryInput:
    kind: str
    title: str
    body: str
    department_id: int
    specialist_id: int | None = None
    internal_note: str = ""
    is_public: bool = False
    duty_code: str = ""
    basis: str = ""
    keywords: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    review_cycle_days: int = 365


def _department(park: Park, dept_id: int) -> Department:
    d = Department.objects.filter(park=park, pk=dept_id, is_active=True).first()
    if d is None:
        raise InvalidInput("所属部门不存在或不属于本园区", field="department_id")
    return d


def _specialist(park: Park, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    u = User.objects.filter(pk=user_id, is_active=True).first()
    if u is None or not u.in_park(park.pk) or u.role in access.REQUESTER_ROLES:
        raise InvalidInput("政策专员须为本园区在岗工作人员", field="specialist_id")
    return u


def _clean(park: Park, data: EntryInput) -> dict[str, Any]:
    if data.kind not in Kind.values:
        raise InvalidInput("请选择条目类型", field="kind")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise InvalidInput("失效日期不能早于生效日期", field="valid_until")
    if not 1 <= data.review_cycle_days <= 3650:
        raise InvalidInput("复核周期应在 1 到 3650 天之间", field="review_cycle_days")
    dept = _department(park, data.department_id)
    spec = _specialist(park, data.specialist_id)
    return {
        "kind": data.kind,
        "title": _text(data.title, "标题", limit=TITLE_MAX),
        "body": _text(data.body, "答复口径", limit=BODY_MAX),
        "internal_note": _text(data.internal_note, "内部备注", limit=BODY_MAX, required=False),
        "department_id": dept.pk,
        "specialist_id": spec.pk if spec else None,
        "is_public": bool(data.is_public),
        "duty_code": _text(data.duty_code, "事项编码", limit=60, required=False),
        "basis": _text(data.basis, "依据", limit=BODY_MAX, required=False),
        "keywords": _text(data.keywords, "关键词", limit=200, required=False),
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
        "review_cycle_days": data.review_cycle_days,
    }


def _duty_clash(park: Park, dept_id: int, code: str, exclude: int | None = None) -> None:
    if not code:
        return
    qs = Entry.objects.filter(department_id=dept_id, duty_code=code)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise InvalidInput(f"本部门已有事项编码为“{code}”的条目", field="duty_code")


def _version(entry: Entry, actor: User, changes: dict[str, Any], reason: str) -> None:
    EntryVersion.objects.create(
        entry=entry,
        number=entry.version,
        title=entry.title,
        body=entry.body,
        internal_note=entry.internal_note,
        changes=changes,
        reason=reason[:200],
        changed_by=actor,
        changed_at=_now(),
    )


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def create_entry(
    actor: User,
    park: Park,
    data: EntryInput,
    *,
    publish: bool = False,
    source_demand: Demand | None = None,
    reason: str = "新建",
) -> Entry:
    if not access.can_author(actor):
        raise Forbidden("只有派单中心和部门工作人员可以编写知识条目")
    values = _clean(park, data)
    if actor.role in (Role.HANDLER, Role.DEPARTMENT_HEAD) and values["department_id"] != (
        actor.department_id
    ):
        raise Forbidden("部门工作人员只能为本部门编写条目")
    today = timezone.localdate()
    with transaction.atomic():
        _duty_clash(park, values["department_id"], values["duty_code"])
        entry = Entry.objects.create(
            park=park,
            created_by=actor,
            source_demand=source_demand,
            status=EntryStatus.PUBLISHED if publish else EntryStatus.DRAFT,
            reviewed_on=today,
            review_due=today + dt.timedelta(days=values["review_cycle_days"]),
            **values,
        )
        _version(entry, actor, {k: [None, _plain(getattr(entry, k))] for k in VERSIONED}, reason)
        reindex_entry(entry)
    return entry


def update_entry(actor: User, entry: Entry, data: EntryInput, *, reason: str = "") -> Entry:
    if not access.can_edit(actor, entry):
        raise Forbidden("您不能修改这个知识条目")
    values = _clean(entry.park, data)
    reason = _text(reason, "修改说明", limit=200, required=False)
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        _duty_clash(entry.park, values["department_id"], values["duty_code"], exclude=entry.pk)
        changes = {
            k: [_plain(getattr(entry, k)), _plain(v)]
            for k, v in values.items()
            if getattr(entry, k) != v
        }
        if not changes:
            return entry
        for k, v in values.items():
            setattr(entry, k, v)
        if "review_cycle_days" in changes:
            entry.review_due = entry.reviewed_on + dt.timedelta(days=entry.review_cycle_days)
        entry.version += 1
        entry.save()
        _version(entry, actor, changes, reason)
        reindex_entry(entry)
    return entry


def set_status(actor: User, entry: Entry, status: str, *, reason: str = "") -> Entry:
    if not access.can_edit(actor, entry):
        raise Forbidden("您不能修改这个知识条目")
    if status not in EntryStatus.values:
        raise InvalidInput("状态无效", field="status")
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == status:
            raise InvalidState(f"条目已是“{entry.get_status_display()}”")
        if status == EntryStatus.RETIRED:
            reason = _text(reason, "停用理由", limit=200)
        before = entry.status
        entry.status = status
        entry.version += 1
        entry.save(update_fields=["status", "version", "updated_at"])
        _version(entry, actor, {"status": [before, status]}, reason)
        reindex_entry(entry)
    return entry


def mark_reviewed(actor: User, entry: Entry, *, note: str = "") -> Entry:
    """复核: the owner confirms the entry still holds; its next review is one cycle away."""
    if not access.can_edit(actor, entry):
        raise Forbidden("您不能复核这个知识条目")
    today = timezone.localdate()
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        before = entry.reviewed_on.isoformat()
        entry.reviewed_on = today
        entry.review_due = today + dt.timedelta(days=entry.review_cycle_days)
        entry.flagged_on = None
        entry.version += 1
        entry.save(
            update_fields=["reviewed_on", "review_due", "flagged_on", "version", "updated_at"]
        )
        _version(entry, actor, {"reviewed_on": [before, today.isoformat()]}, note or "复核")
        reindex_entry(entry)
    return entry


def add_attachment(actor: User, entry: Entry, f: UploadedFile) -> EntryAttachment:
    if not access.can_edit(actor, entry):
        raise Forbidden("您不能为这个知识条目上传附件")
    content_type = att.check_upload(f)
    with transaction.atomic():
        a = EntryAttachment.objects.create(
            entry=entry,
            file=f,
            original_name=att.clean_name(f.name or ""),
            content_type=content_type,
            size=f.size or 0,
            uploaded_by=actor,
        )
        entry.version += 1
        entry.save(update_fields=["version", "updated_at"])
        _version(entry, actor, {"attachment": [None, a.original_name]}, "上传附件")
    return a


# --------------------------------------------------------------------------- state by date


def past_review(entry: Entry, today: dt.date) -> bool:
    return entry.review_due < today


def past_validity(entry: Entry, today: dt.date) -> bool:
    return entry.valid_until is not None and entry.valid_until < today


def not_yet_valid(entry: Entry, today: dt.date) -> bool:
    return entry.valid_from is not None and entry.valid_from > today


def flags(entry: Entry, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    out = []
    if past_validity(entry, today):
        out.append("已过有效期")
    if not_yet_valid(entry, today):
        out.append("尚未生效")
    if past_review(entry, today):
        out.append("已过复核期")
    return out


# --------------------------------------------------------------------------- the index


def _entry_doc(entry: Entry, today: dt.date) -> SearchDoc:
    published = entry.status == EntryStatus.PUBLISHED
    valid = not past_validity(entry, today) and not not_yet_valid(entry, today)
    text = " ".join([entry.title, entry.title, entry.keywords, entry.body, entry.basis])
    return SearchDoc(
        park_id=entry.park_id,
        doc_kind=DocKind.ENTRY,
        ref_id=entry.pk,
        department_id=entry.department_id,
        entry_kind=entry.kind,
        live=published and valid,
        portal=published and valid and entry.is_public and not past_review(entry, today),
        title=entry.title[:200],
        tokens=" ".join(search.tokenize(text)),
    )


def reindex_entry(entry: Entry, today: dt.date | None = None) -> None:
    search.put([_entry_doc(entry, today or timezone.localdate())])


def _demand_doc(d: Demand) -> SearchDoc:
    text = " ".join([d.title, d.title, d.description, d.answer])
    return SearchDoc(
        park_id=d.park_id,
        doc_kind=DocKind.DEMAND,
        ref_id=d.pk,
        department_id=d.lead_department_id,
        entry_kind="",
        live=True,
        portal=False,
        title=d.title[:200],
        tokens=" ".join(search.tokenize(text)),
    )


def index_demand(demand: Demand) -> None:
    if demand.status in ANSWERED and demand.answer.strip():
        search.put([_demand_doc(demand)])


def rebuild(park: Park, *, batch: int = 2000) -> dict[str, int]:
    """Re-index every entry and answered demand of the park (after an import or a restore)."""
    today = timezone.localdate()
    counts = {"entries": 0, "demands": 0}
    with transaction.atomic():
        for kind in (DocKind.ENTRY, DocKind.DEMAND):
            ids = list(
                SearchDoc.objects.filter(park=park, doc_kind=kind).values_list("ref_id", flat=True)
            )
            search.remove(kind, ids)
        entries = list(Entry.objects.filter(park=park))
        for i in range(0, len(entries), batch):
            search.put([_entry_doc(e, today) for e in entries[i : i + batch]])
        counts["entries"] = len(entries)
        qs = Demand.objects.filter(park=park, status__in=ANSWERED).exclude(answer="")
        ids = list(qs.values_list("pk", flat=True))
        for i in range(0, len(ids), batch):
            part = list(
                Demand.objects.filter(pk__in=ids[i : i + batch]).only(
                    "pk", "park_id", "title", "description", "answer", "lead_department_id"
                )
            )
            search.put([_demand_doc(d) for d in part])
        counts["demands"] = len(ids)
    return counts


# --------------------------------------------------------------------------- suggestions


@dataclass
class Suggestion:
    source: str  # "entry" or "demand"
    id: int
    title: str
    text: str  # what would be told to the enterprise
    kind_label: str
    department: str
    matched: list[str]
    score: float
    reference: str  # what the answer records: kb:<id>
    specialist: str = ""
    specialist_id: int | None = None
    flags: list[str] = field(default_factory=list)
    number: str = ""  # a demand's number
    kind: str = ""  # an entry's Kind value; "" for a past answer
    department_id: int | None = None


def suggest(
    user: User,
    park: Park,
    text: str,
    *,
    department_id: int | None = None,
    kind: str = "",
    limit: int = 5,
    demands: bool = True,
) -> list[Suggestion]:
    """The best entries and past answers for this text (staff), each with its matched words."""
    text = (text or "").strip()[:2000]
    if not text or access.is_requester(user):
        return []
    kinds: tuple[str, ...] = ("entry", "demand") if demands and not kind else ("entry",)
    hits = search.search(
        park.pk,
        text,
        search.Filters(doc_kinds=kinds, department_id=department_id, entry_kind=kind),
        limit=limit * 3,
    )
    entry_ids = [h.ref_id for h in hits if h.doc_kind == DocKind.ENTRY]
    demand_ids = [h.ref_id for h in hits if h.doc_kind == DocKind.DEMAND]
    entries = {
        e.pk: e
        for e in access.visible_entries(user, park)
        .filter(pk__in=entry_ids, status=EntryStatus.PUBLISHED)
        .select_related("department", "specialist")
    }
    past = {
        d.pk: d
        for d in visible_demands(user, park)
        .filter(pk__in=demand_ids, status__in=ANSWERED)
        .select_related("lead_department")
        .only("pk", "number", "title", "answer", "lead_department__name")
    }
    today = timezone.localdate()
    out: list[Suggestion] = []
    for h in hits:
        if h.doc_kind == DocKind.ENTRY and (e := entries.get(h.ref_id)):
            out.append(
                Suggestion(
                    source="entry",
                    id=e.pk,
                    title=e.title,
                    text=e.body,
                    kind_label=e.get_kind_display(),
                    department=e.department.name,
                    matched=h.matched,
                    score=h.score,
                    reference=f"kb:{e.pk}",
                    kind=e.kind,
                    department_id=e.department_id,
                    specialist=e.specialist.display_name if e.specialist else "",
                    specialist_id=e.specialist_id,
                    flags=flags(e, today),
                )
            )
        elif h.doc_kind == DocKind.DEMAND and (d := past.get(h.ref_id)):
            out.append(
                Suggestion(
                    source="demand",
                    id=d.pk,
                    title=d.title,
                    text=d.answer,
                    kind_label="过往答复",
                    department=d.lead_department.name if d.lead_department else "",
                    matched=h.matched,
                    score=h.score,
                    reference="",
                    number=d.number,
                    department_id=d.lead_department_id,
                )
            )
        if len(out) >= limit:
            break
    return out


def portal_suggest(user: User, park: Park, text: str, *, limit: int = 3) -> list[Suggestion]:
    """What the portal shows before an enterprise submits: public 常见问答 and 政策解读 only."""
    text = (text or "").strip()[:2000]
    if len(text) < 4:
        return []
    hits = search.search(
        park.pk,
        text,
        search.Filters(doc_kinds=("entry",), portal_only=True, entry_kinds=tuple(PORTAL_KINDS)),
        limit=limit * 2,
    )
    # the index's flags are refreshed daily; the entries' own state is checked again here
    rows = {
        e.pk: e
        for e in access.portal_entries(park)
        .filter(pk__in=[h.ref_id for h in hits], kind__in=PORTAL_KINDS)
        .select_related("department")
    }
    out = []
    for h in hits:
        e = rows.get(h.ref_id)
        if e is None:
            continue
        out.append(
            Suggestion(
                source="entry",
                id=e.pk,
                title=e.title,
                text=e.body,
                kind_label=e.get_kind_display(),
                department=e.department.name,
                matched=h.matched,
                score=h.score,
                reference=f"kb:{e.pk}",
                kind=e.kind,
                department_id=e.department_id,
            )
        )
    return out[:limit]


# A ranked search is read from its best hits: the API pages through at most this many.
SEARCH_MAX_RESULTS = 100


@dataclass
class SearchPage:
    results: list[Suggestion]
    count: int
    count_exact: bool


def search_page(
    user: User,
    park: Park,
    text: str,
    *,
    department_id: int | None = None,
    kind: str = "",
    demands: bool = True,
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """A page of ranked hits, scoped as the knowledge page is: staff get `suggest` (entries they
    may see, past answers of demands they may see), an enterprise or a resident `portal_suggest`
    (public 常见问答 and 政策解读 in force), narrowed here by department and kind."""
    want = min(page * page_size + 1, SEARCH_MAX_RESULTS + 1)
    if access.is_requester(user):
        hits = portal_suggest(user, park, text, limit=SEARCH_MAX_RESULTS + 1)
        hits = [
            h
            for h in hits
            if (not kind or h.kind == kind)
            and (not department_id or h.department_id == department_id)
        ][:want]
    else:
        hits = suggest(
            user,
            park,
            text,
            department_id=department_id,
            kind=kind,
            limit=want,
            demands=demands and not kind,
        )
    start = (page - 1) * page_size
    # Fewer hits than asked for: all of them are known. Otherwise the count is a lower bound.
    return SearchPage(
        results=hits[start : start + page_size],
        count=min(len(hits), SEARCH_MAX_RESULTS),
        count_exact=len(hits) < want,
    )


def record_self_serve(user: User, park: Park, question: str, entry_id: int | None) -> SelfServe:
    """已解决，不再提交: counted for the portal's self-service share."""
    if not access.is_requester(user):
        raise Forbidden("只有企业和群众在门户上使用")
    q = _text(question, "问题", limit=2000)
    entry = None
    if entry_id is not None:
        entry = access.portal_entries(park).filter(pk=entry_id).first()
        if entry is None:
            raise InvalidInput("所选答复不存在", field="entry_id")
    return SelfServe.objects.create(
        park=park, user=user, question=q, entry=entry, created_at=_now()
    )


# --------------------------------------------------------------------------- links from answers


def parse_reference(ref: str) -> tuple[str, int] | None:
    kind, _, num = (ref or "").partition(":")
    if kind in ("kb", "consult") and num.isdigit():
        return kind, int(num)
    return None


def link_answer(event: Event) -> EntryLink | None:
    """An answer given on the spot that named an entry (reference kb:<id> or consult:<id>):
    record which entry it used. Called inside the answer's transaction; a reference to an entry
    this park or this person cannot use refuses the answer."""
    ref = parse_reference((event.data or {}).get("reference", ""))
    if ref is None:
        return None
    kind, num = ref
    demand = event.demand
    actor = event.actor
    if actor is None:
        return None
    entry: Entry | None
    via = LinkVia.ON_SPOT
    if kind == "consult":
        c = Consult.objects.filter(pk=num, demand=demand).select_related("entry").first()
        if c is None:
            raise InvalidInput("所引用的三方连线不属于这件诉求", field="reference")
        entry, via = c.entry, LinkVia.CONSULT
        if entry is None:
            return None
    else:
        entry = (
            access.visible_entries(actor, demand.park)
            .filter(pk=num, status=EntryStatus.PUBLISHED)
            .first()
        )
        if entry is None:
            raise InvalidInput("所引用的知识条目不存在或未发布", field="reference")
    return EntryLink.objects.create(
        entry=entry, demand=demand, event=event, via=via, by=actor, created_at=event.created_at
    )


def promote_case(
    actor: User,
    demand: Demand,
    *,
    title: str = "",
    body: str = "",
    is_public: bool = False,
    specialist_id: int | None = None,
) -> Entry:
    """推荐为类案答复: an answered demand becomes an entry (a draft the owner publishes)."""
    if actor.role not in (Role.DISPATCHER, Role.ADMIN, Role.DEPARTMENT_HEAD, Role.HANDLER):
        raise Forbidden("只有派单中心和部门工作人员可以推荐类案")
    demand = Demand.objects.select_related("park").get(pk=demand.pk)
    if demand.status not in ANSWERED or not demand.answer.strip():
        raise InvalidState("只有已答复的诉求才能推荐为类案答复")
    dept_id = demand.lead_department_id or actor.department_id
    if dept_id is None:
        raise InvalidInput("这件诉求没有主办部门，请先确定所属部门", field="department_id")
    if Entry.objects.filter(source_demand=demand, kind=Kind.CASE).exists():
        raise InvalidState("这件诉求已推荐为类案答复")
    if specialist_id is None:
        specialist_id = default_specialist(demand.park, dept_id)
    with transaction.atomic():
        entry = create_entry(
            actor,
            demand.park,
            EntryInput(
                kind=Kind.CASE,
                title=(title or demand.title)[:TITLE_MAX],
                body=body or demand.answer,
                department_id=dept_id,
                specialist_id=specialist_id,
                is_public=is_public,
            ),
            source_demand=demand,
            reason=f"由诉求 {demand.number} 推荐为类案",
        )
        event = ledger.record(demand, "kb_promote", actor, note=f"推荐为类案答复：{entry.title}")
        EntryLink.objects.create(
            entry=entry,
            demand=demand,
            event=event,
            via=LinkVia.PROMOTED,
            by=actor,
            created_at=event.created_at,
        )
    return entry


def default_specialist(park: Park, department_id: int) -> int | None:
    """The department's 政策专员: whoever holds most of its entries."""
    from django.db.models import Count

    row = (
        Entry.objects.filter(park=park, department_id=department_id, specialist__isnull=False)
        .values("specialist_id")
        .annotate(n=Count("id"))
        .order_by("-n", "specialist_id")
        .first()
    )
    return row["specialist_id"] if row else None


# --------------------------------------------------------------------------- 三方连线


def open_consult(
    actor: User,
    demand: Demand,
    *,
    entry_id: int,
    question: str,
    limit_hours: int = 2,
    at: dt.datetime | None = None,
) -> Consult:
    """三方连线: ask the entry's 政策专员; the answer is due in `limit_hours` working hours."""
    # who may answer on the spot may call the specialist: the dispatch centre, the liaison
    ledger.check("resolve_on_spot", actor, demand)
    q = _text(question, "咨询内容", limit=2000)
    if not 1 <= limit_hours <= MAX_CONSULT_HOURS:
        raise InvalidInput(
            f"答复时限应在 1 到 {MAX_CONSULT_HOURS} 个工作小时之间", field="limit_hours"
        )
    entry = (
        access.visible_entries(actor, demand.park)
        .filter(pk=entry_id, status=EntryStatus.PUBLISHED)
        .select_related("specialist")
        .first()
    )
    if entry is None:
        raise InvalidInput("所选知识条目不存在或未发布", field="entry_id")
    if entry.specialist is None or not entry.specialist.is_active:
        raise InvalidInput("这个条目没有在岗的政策专员", field="entry_id")
    now = at or _now()
    due = wh.add_working_hours(now, limit_hours, wh.hours_for(demand.park.code))
    with transaction.atomic():
        if Consult.objects.filter(demand=demand, status=ConsultStatus.OPEN).exists():
            raise InvalidState("这件诉求已有待答复的三方连线")
        c = Consult.objects.create(
            park=demand.park,
            demand=demand,
            entry=entry,
            specialist=entry.specialist,
            asked_by=actor,
            question=q,
            limit_hours=limit_hours,
            asked_at=now,
            due_at=due,
        )
        ledger.record(
            demand,
            "kb_consult",
            actor,
            note=q,
            data={
                "consult": c.pk,
                "specialist": entry.specialist.display_name,
                "entry": entry.pk,
                "due_at": due.isoformat(),
            },
            at=now,
        )
        link = reverse("knowledge:consult", args=[c.pk])
        local_due = timezone.localtime(due).strftime("%m-%d %H:%M")
        transaction.on_commit(
            lambda: notify_link(
                [entry.specialist] if entry.specialist else [],
                demand.park,
                "assigned",
                f"三方连线：{demand.title}（请于 {local_due} 前答复）",
                link,
                dedupe_key=f"kb-consult-{c.pk}",
            )
        )
    return c


def answer_consult(
    actor: User, consult: Consult, *, answer: str, verdict: str, at: dt.datetime | None = None
) -> Consult:
    """The specialist answers: `solved` resolves the demand on the spot with this answer (given
    in the asker's name, who holds the intake, and linked to the entry); `dispatch` makes it a
    normal 交办 to the entry's department (by the asker when they are the dispatch centre,
    otherwise the dispatch centre is told and the demand waits in its queue)."""
    if actor.pk != consult.specialist_id:
        raise Forbidden("只有被连线的政策专员可以答复")
    text = _text(answer, "专员答复", limit=ledger.NOTE_MAX)
    if verdict not in (ConsultStatus.SOLVED, ConsultStatus.DISPATCH):
        raise InvalidInput("请选择“当场解决”或“转为交办”", field="verdict")
    now = at or _now()
    with transaction.atomic():
        c = Consult.objects.select_for_update().get(pk=consult.pk)
        if c.status != ConsultStatus.OPEN:
            raise InvalidState("这次三方连线已答复")
        demand = Demand.objects.get(pk=c.demand_id)
        if demand.status != Status.RECEIVED:
            raise InvalidState("诉求已不在受理状态（可能已交办或答复），请在诉求页备注")
        c.status = verdict
        c.answer = text
        c.answered_at = now
        c.save(update_fields=["status", "answer", "answered_at"])
        ledger.record(
            demand,
            "kb_consult_answer",
            actor,
            note=text,
            data={"consult": c.pk, "verdict": verdict},
            at=now,
        )
        asker = c.asked_by
        entry = c.entry
        if verdict == ConsultStatus.SOLVED:
            ledger.resolve_on_spot(asker, demand, answer=text, reference=f"consult:{c.pk}", at=now)
        elif asker.role in (Role.DISPATCHER, Role.ADMIN) and entry is not None:
            ledger.dispatch(
                asker,
                demand,
                lead_department_id=entry.department_id,
                note=f"三方连线专员意见：{text}",
                at=now,
            )
        else:
            dispatchers = list(
                User.objects.filter(park=demand.park, role=Role.DISPATCHER, is_active=True)
            )
            dept = entry.department.name if entry else ""
            link = reverse("demands:detail", args=[demand.pk])
            transaction.on_commit(
                lambda: notify_link(
                    dispatchers,
                    demand.park,
                    "assigned",
                    f"三方连线建议交办{dept}：{demand.title}",
                    link,
                    dedupe_key=f"kb-consult-dispatch-{c.pk}",
                )
            )
        transaction.on_commit(
            lambda: notify_link(
                [asker],
                demand.park,
                "answered",
                f"政策专员已答复三方连线：{demand.title}",
                reverse("demands:detail", args=[demand.pk]),
                dedupe_key=f"kb-consult-answer-{c.pk}",
            )
        )
    return c


def consult_state(c: Consult, now: dt.datetime | None = None) -> str:
    if c.status != ConsultStatus.OPEN:
        return c.get_status_display()
    return "已超时" if (now or _now()) > c.due_at else "待答复"


# --------------------------------------------------------------------------- daily scan


def scan(today: dt.date | None = None) -> dict[str, int]:
    """Daily: entries past review or past validity are flagged to their owner once per review
    period (the 政策专员, else the department's head), and the index's portal/live flags follow
    the date; consults past their limit are told to the asker once."""
    today = today or timezone.localdate()
    out = {"flagged": 0, "reindexed": 0, "late_consults": 0}
    due = (
        Entry.objects.filter(status=EntryStatus.PUBLISHED)
        .filter(models_q_past(today))
        .select_related("department", "specialist", "park")
    )
    for e in due:
        if e.flagged_on is None:
            owners: list[User] = (
                [e.specialist]
                if e.specialist
                else list(
                    User.objects.filter(
                        department_id=e.department_id, role=Role.DEPARTMENT_HEAD, is_active=True
                    )
                )
            )
            why = "已过有效期" if past_validity(e, today) else "已过复核期"
            notify_link(
                owners,
                e.park,
                "system",
                f"知识条目{why}，请复核：{e.title}",
                reverse("knowledge:detail", args=[e.pk]),
                dedupe_key=f"kb-review-{e.pk}-{e.review_due.isoformat()}",
            )
            Entry.objects.filter(pk=e.pk).update(flagged_on=today)
            out["flagged"] += 1
    # flags of the index that the date changed
    live = {
        d.ref_id: (d.live, d.portal)
        for d in SearchDoc.objects.filter(doc_kind=DocKind.ENTRY).only("ref_id", "live", "portal")
    }
    for e in Entry.objects.all().only(
        "pk", "status", "is_public", "valid_from", "valid_until", "review_due"
    ):
        doc = _entry_doc_flags(e, today)
        if live.get(e.pk) != doc:
            search.set_flags(DocKind.ENTRY, e.pk, live=doc[0], portal=doc[1])
            out["reindexed"] += 1
    now = _now()
    for c in Consult.objects.filter(status=ConsultStatus.OPEN, due_at__lt=now).select_related(
        "demand", "asked_by", "park"
    ):
        sent = notify_link(
            [c.asked_by, c.specialist],
            c.park,
            "overdue",
            f"三方连线已超过 {c.limit_hours} 个工作小时未答复：{c.demand.title}",
            reverse("knowledge:consult", args=[c.pk]),
            dedupe_key=f"kb-consult-late-{c.pk}",
        )
        out["late_consults"] += 1 if sent else 0
    return out


def _entry_doc_flags(e: Entry, today: dt.date) -> tuple[bool, bool]:
    published = e.status == EntryStatus.PUBLISHED
    valid = not past_validity(e, today) and not not_yet_valid(e, today)
    return published and valid, published and valid and e.is_public and not past_review(e, today)


def models_q_past(today: dt.date) -> Any:
    from django.db.models import Q

    return Q(review_due__lt=today) | Q(valid_until__lt=today)


# --------------------------------------------------------------------------- routing's hook


def duty_texts(park: Park) -> dict[int, list[str]]:
    """Each department's duties as texts (its 权责清单 entries, published): for routing, which
    registers providers of label texts; the department's name and own duties field are
    routing's to add."""
    out: dict[int, list[str]] = {}
    rows = (
        Entry.objects.filter(park=park, kind=Kind.DUTY, status=EntryStatus.PUBLISHED)
        .order_by("department_id", "duty_code", "pk")
        .values_list("department_id", "title", "body")
    )
    for dept_id, title, body in rows:
        out.setdefault(dept_id, []).append(f"{title} {body}".strip())
    return out
