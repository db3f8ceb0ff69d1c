"""大走访: every write to campaigns, questionnaires and visits goes through a function here.

`record_visit` is the heart: in one transaction it stores the visit, its answers and photos, marks
the target visited (or refused), moves the entity's last_contact_at, and turns every answer the
liaison marked as a problem into a demand of the ledger through `demands.services.create_demand`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from demands.models import Category, Channel
from demands.services import Intake, create_demand
from entities.models import EntityKind, MarketEntity, Tier
from liaisons.models import ContactKind, ContactLog
from notifications.models import Kind
from notifications.services import notify_link
from orgs.models import Park, Role, User
from qinshang import industries, inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound
from visits.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Outcome,
    Question,
    QuestionKind,
    Target,
    TargetStatus,
    Theme,
    Visit,
    VisitPhoto,
)

MANAGER_ROLES = (Role.DISPATCHER, Role.ADMIN)
VIEWER_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
STAFF_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LEADER,
    Role.LIAISON,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
)
MAX_OPTIONS = 20
MAX_QUESTIONS = 50
TEXT_MAX = 2000
MAX_PHOTOS = 9
PHOTO_MAX_BYTES = getattr(settings, "VISIT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
PHOTO_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
}


# --------------------------------------------------------------------------- access


def _in_park(user: User, park: Park) -> bool:
    return user.is_superuser or user.in_park(park.pk)


def can_manage(user: User, park: Park) -> bool:
    return (
        user.is_authenticated
        and _in_park(user, park)
        and (user.is_superuser or user.role in MANAGER_ROLES)
    )


def can_view_all(user: User, park: Park) -> bool:
    return (
        user.is_authenticated
        and _in_park(user, park)
        and (user.is_superuser or user.role in VIEWER_ROLES)
    )


def require_manager(user: User, park: Park) -> None:
    if not _in_park(user, park):
        raise Forbidden("您无权管理该园区的走访活动")
    if not (user.is_superuser or user.role in MANAGER_ROLES):
        raise Forbidden("只有派单员或系统管理员可以组织走访活动")


def require_viewer(user: User, park: Park) -> None:
    if not _in_park(user, park):
        raise Forbidden("您无权查看该园区的走访活动")
    if not (user.is_superuser or user.role in VIEWER_ROLES):
        raise Forbidden("走访活动看板仅供派单员、系统管理员和园区领导查看")


def require_staff(user: User, park: Park) -> None:
    if not _in_park(user, park) or not (user.is_superuser or user.role in STAFF_ROLES):
        raise Forbidden("大走访仅供园区工作人员使用")


def serves(user: User, entity: MarketEntity) -> bool:
    return user.pk is not None and user.pk in (entity.liaison_id, entity.backup_liaison_id)


def visible_campaigns(user: User, park: Park) -> QuerySet[Campaign]:
    qs = Campaign.objects.filter(park=park)
    if not user.is_authenticated or not _in_park(user, park):
        return qs.none()
    if user.is_superuser or user.role in VIEWER_ROLES:
        return qs
    if user.role in STAFF_ROLES:
        return qs.exclude(status=CampaignStatus.DRAFT)
    return qs.none()


def get_campaign(user: User, park: Park, campaign_id: Any) -> Campaign:
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        raise NotFound("走访活动不存在")
    c = visible_campaigns(user, park).filter(pk=pk).first()
    if c is None:
        if Campaign.objects.filter(pk=pk, park=park).exists():
            raise Forbidden("您无权查看该走访活动")
        raise NotFound("走访活动不存在")
    return c


def my_targets(user: User, campaign: Campaign) -> QuerySet[Target]:
    return Target.objects.filter(campaign=campaign).filter(
        Q(entity__liaison=user) | Q(entity__backup_liaison=user)
    )


def visible_visit(user: User, park: Park, visit_id: Any) -> Visit:
    try:
        pk = int(visit_id)
    except (TypeError, ValueError):
        raise NotFound("走访记录不存在")
    visit = (
        Visit.objects.filter(pk=pk, park=park)
        .select_related("campaign", "entity", "recorded_by")
        .first()
    )
    if visit is None:
        raise NotFound("走访记录不存在")
    if not (
        can_view_all(user, park) or visit.recorded_by_id == user.pk or serves(user, visit.entity)
    ):
        raise Forbidden("只有走访人、该企业的专属服务员和派单员可以查看该走访记录")
    return visit


# --------------------------------------------------------------------------- campaigns


def _text(value: Any, label: str, limit: int, *, required: bool = True) -> str:
    text = ("" if value is None else str(value)).strip()
    if required and not text:
        raise InvalidInput(f"{label}不能为空", field=label)
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字", field=label)
    return text


def _date(value: Any, label: str) -> dt.date:
    return inputs.date(value, label)


@dataclass
class CampaignInput:
    title: str
    theme: str
    start_date: Any
    end_date: Any
    description: str = ""
    target_kinds: Sequence[str] = ()
    target_industries: Sequence[str] | str = ()
    target_tiers: Sequence[Any] = ()


def _clean_campaign(data: CampaignInput) -> dict[str, Any]:
    if data.theme not in Theme.values:
        raise InvalidInput(f"主题“{data.theme}”无效", field="theme")
    start, end = _date(data.start_date, "开始日期"), _date(data.end_date, "结束日期")
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期", field="end_date")
    if (end - start).days > 366:
        raise InvalidInput("一次走访活动不超过一年", field="end_date")
    kinds = [k for k in data.target_kinds if k]
    bad = [k for k in kinds if k not in EntityKind.values]
    if bad:
        raise InvalidInput(f"对象类型“{bad[0]}”无效", field="target_kinds")
    raw = data.target_industries
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    codes = []
    for c in raw:
        c = str(c).strip().upper()
        if not c:
            continue
        if c not in industries.SECTION_NAMES and not industries.is_division(c):
            raise InvalidInput(
                f"行业代码“{c}”无效：填门类字母（如 C）或两位大类代码（如 39）",
                field="target_industries",
            )
        codes.append(c)
    tiers = sorted({int(t) for t in data.target_tiers if str(t).strip()})
    if any(t not in Tier.values for t in tiers):
        raise InvalidInput("层级应为 1、2 或 3", field="target_tiers")
    return {
        "title": _text(data.title, "活动名称", 100),
        "theme": data.theme,
        "description": _text(data.description, "走访要求", TEXT_MAX, required=False),
        "start_date": start,
        "end_date": end,
        "target_kinds": sorted(set(kinds)),
        "target_industries": sorted(set(codes)),
        "target_tiers": tiers,
    }


def create_campaign(
    actor: User, park: Park, data: CampaignInput, *, at: dt.datetime | None = None
) -> Campaign:
    require_manager(actor, park)
    return Campaign.objects.create(
        park=park, created_by=actor, created_at=at or timezone.now(), **_clean_campaign(data)
    )


def update_campaign(actor: User, campaign: Campaign, data: CampaignInput) -> Campaign:
    require_manager(actor, campaign.park)
    fields = _clean_campaign(data)
    if campaign.status != CampaignStatus.DRAFT:
        # Once launched the targets are fixed; only the wording and the period may change.
        for key in ("target_kinds", "target_industries", "target_tiers"):
            if fields[key] != getattr(campaign, key):
                raise InvalidState("走访已启动，不能再修改走访对象", field=key)
    for k, v in fields.items():
        setattr(campaign, k, v)
    campaign.save()
    return campaign


def target_entities(campaign: Campaign) -> QuerySet[MarketEntity]:
    qs = MarketEntity.objects.filter(park=campaign.park, is_active=True)
    if campaign.target_kinds:
        qs = qs.filter(kind__in=campaign.target_kinds)
    if campaign.target_tiers:
        qs = qs.filter(tier__in=campaign.target_tiers)
    if campaign.target_industries:
        divisions: set[str] = set()
        for code in campaign.target_industries:
            if code in industries.SECTION_NAMES:
                divisions.update(c for c, _ in industries.divisions_of(code))
            else:
                divisions.add(code)
        qs = qs.filter(industry__in=sorted(divisions))
    return qs


def launch(actor: User, campaign: Campaign, *, at: dt.datetime | None = None) -> int:
    """Start the campaign: fix its targets. Returns how many entities it covers."""
    require_manager(actor, campaign.park)
    now = at or timezone.now()
    with transaction.atomic():
        c = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if c.status != CampaignStatus.DRAFT:
            raise InvalidState(f"走访活动{c.get_status_display()}，不能再启动")
        if not c.questions.exists():
            raise InvalidState("请先设计问卷（至少一个问题）再启动走访")
        ids = list(target_entities(c).values_list("pk", flat=True))
        if not ids:
            raise InvalidState("按所选条件没有走访对象，请调整对象类型、行业或层级")
        Target.objects.bulk_create(
            [Target(campaign_id=c.pk, entity_id=i) for i in ids], batch_size=1000
        )
        c.status = CampaignStatus.ACTIVE
        c.launched_at = now
        c.save(update_fields=["status", "launched_at"])
        _tell_liaisons(c, now)
    campaign.refresh_from_db()
    return len(ids)


def _tell_liaisons(campaign: Campaign, at: dt.datetime | None = None) -> int:
    """ "已推送到各专属服务员" must be true: each liaison (A角 and B角) hears how many of the
    enterprises they serve the campaign covers, once per campaign."""
    per_person: dict[int, int] = {}
    for a, b in Target.objects.filter(campaign=campaign).values_list(
        "entity__liaison_id", "entity__backup_liaison_id"
    ):
        for pk in {a, b} - {None}:
            per_person[pk] = per_person.get(pk, 0) + 1
    people = User.objects.filter(pk__in=per_person, is_active=True)
    sent = 0
    link = reverse("visits:mine", args=[campaign.pk])
    for person in people:
        sent += notify_link(
            [person],
            campaign.park,
            Kind.CAMPAIGN,
            f"走访任务：“{campaign.title}”已启动，您服务的 {per_person[person.pk]} 家企业待走访，"
            f"请于 {campaign.end_date:%Y年%m月%d日} 前完成并填写问卷",
            link,
            dedupe_key=f"campaign-{campaign.pk}",
            at=at,
        )
    return sent


def pending_for(user: User, park: Park) -> list[dict[str, Any]]:
    """The active campaigns with enterprises this person still has to visit: the liaison's
    home page shows them."""
    rows = (
        Target.objects.filter(
            campaign__park=park,
            campaign__status=CampaignStatus.ACTIVE,
            status=TargetStatus.PENDING,
        )
        .filter(Q(entity__liaison=user) | Q(entity__backup_liaison=user))
        .values("campaign_id", "campaign__title", "campaign__end_date")
        .annotate(n=Count("pk"))
        .order_by("campaign__end_date", "campaign_id")
    )
    return [
        {
            "id": r["campaign_id"],
            "name": r["campaign__title"],
            "end": r["campaign__end_date"],
            "pending": r["n"],
        }
        for r in rows
    ]


def close(actor: User, campaign: Campaign, *, at: dt.datetime | None = None) -> None:
    require_manager(actor, campaign.park)
    if campaign.status != CampaignStatus.ACTIVE:
        raise InvalidState(f"走访活动{campaign.get_status_display()}，不能结束")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = at or timezone.now()
    campaign.save(update_fields=["status", "closed_at"])


# --------------------------------------------------------------------------- questionnaire


@dataclass
class QuestionInput:
    text: str
    kind: str
    options: Sequence[str] | str = ()
    required: bool = True
    follow_up: str = ""
    follow_up_on: str = "yes"
    category_id: Any = None


def _editable(actor: User, campaign: Campaign) -> None:
    require_manager(actor, campaign.park)
    if campaign.status != CampaignStatus.DRAFT:
        raise InvalidState("走访已启动，问卷不能再修改（已有的回答依赖它）")


def add_question(actor: User, campaign: Campaign, data: QuestionInput) -> Question:
    _editable(actor, campaign)
    if campaign.questions.count() >= MAX_QUESTIONS:
        raise InvalidInput(f"一份问卷最多 {MAX_QUESTIONS} 题", field="text")
    text = _text(data.text, "问题", 200)
    if data.kind not in QuestionKind.values:
        raise InvalidInput(f"题型“{data.kind}”无效", field="kind")
    raw = data.options
    if isinstance(raw, str):
        raw = raw.replace("\r", "").split("\n")
    options: list[str] = []
    for o in raw:
        o = str(o).strip()
        if o and o not in options:
            options.append(o[:100])
    if data.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        if len(options) < 2:
            raise InvalidInput("单选题和多选题至少要有两个选项（每行一个）", field="options")
        if len(options) > MAX_OPTIONS:
            raise InvalidInput(f"选项不能超过 {MAX_OPTIONS} 个", field="options")
    else:
        options = []
    follow_up = ""
    follow_up_on = ""
    if data.kind == QuestionKind.YESNO:
        follow_up = _text(data.follow_up, "追问", 200, required=False)
        follow_up_on = data.follow_up_on if data.follow_up_on in ("yes", "no") else "yes"
    category = None
    if data.category_id not in (None, ""):
        category = Category.objects.filter(
            park=campaign.park, pk=data.category_id, is_active=True
        ).first()
        if category is None:
            raise InvalidInput("问题归类不存在", field="category")
    order = (campaign.questions.aggregate(m=Max("order"))["m"] or 0) + 1
    return Question.objects.create(
        campaign=campaign,
        order=order,
        text=text,
        kind=data.kind,
        options=options,
        required=bool(data.required),
        follow_up=follow_up,
        follow_up_on=follow_up_on,
        category=category,
    )


def delete_question(actor: User, campaign: Campaign, question_id: Any) -> None:
    _editable(actor, campaign)
    campaign.questions.filter(pk=question_id).delete()


def move_question(actor: User, campaign: Campaign, question_id: Any, step: int) -> None:
    _editable(actor, campaign)
    qs = list(campaign.questions.order_by("order", "pk"))
    idx = next((i for i, q in enumerate(qs) if str(q.pk) == str(question_id)), None)
    if idx is None:
        raise NotFound("问题不存在")
    j = idx + (1 if step > 0 else -1)
    if not 0 <= j < len(qs):
        return
    qs[idx], qs[j] = qs[j], qs[idx]
    for n, q in enumerate(qs, start=1):
        if q.order != n:
            q.order = n
            q.save(update_fields=["order"])


# --------------------------------------------------------------------------- visits


@dataclass
class AnswerInput:
    question_id: int
    value: Any = None  # str, or list[str] for multiple choice
    follow_up: str = ""
    is_problem: bool = False
    problem_note: str = ""


@dataclass
class VisitInput:
    entity_id: Any
    visited_on: Any
    outcome: str = Outcome.VISITED
    people_met: str = ""
    note: str = ""
    answers: list[AnswerInput] = field(default_factory=list)
    photos: list[UploadedFile] = field(default_factory=list)


def check_photo(f: UploadedFile) -> tuple[str, str]:
    """(extension, content type) of an acceptable photo; InvalidInput otherwise. Extension and
    first bytes must agree, so a renamed file is refused."""
    name = (f.name or "照片").rsplit("/", 1)[-1][:200]
    size = f.size or 0
    if size <= 0:
        raise InvalidInput(f"照片“{name}”是空文件", field="photos")
    if size > PHOTO_MAX_BYTES:
        raise InvalidInput(
            f"照片“{name}”大小 {size / 1048576:.1f} MB，超过 "
            f"{PHOTO_MAX_BYTES // 1048576} MB 的上限",
            field="photos",
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in PHOTO_TYPES:
        raise InvalidInput(f"照片“{name}”格式不支持：仅限 jpg、png、webp、heic", field="photos")
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    ok = {
        "jpg": head.startswith(b"\xff\xd8\xff"),
        "jpeg": head.startswith(b"\xff\xd8\xff"),
        "png": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "webp": head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "heic": head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"),
    }[ext]
    if not ok:
        raise InvalidInput(
            f"照片“{name}”的内容与扩展名 .{ext} 不符，请上传原始照片", field="photos"
        )
    return ext, PHOTO_TYPES[ext]


def _clean_value(q: Question, a: AnswerInput | None) -> Any:
    raw = a.value if a else None
    if q.kind == QuestionKind.MULTI:
        values = (
            [str(v).strip() for v in (raw or []) if str(v).strip()]
            if isinstance(raw, list | tuple)
            else ([str(raw).strip()] if raw not in (None, "") else [])
        )
        bad = [v for v in values if v not in q.options]
        if bad:
            raise InvalidInput(f"“{q.text}”没有“{bad[0]}”这个选项", field=f"q{q.pk}")
        if q.required and not values:
            raise InvalidInput(f"请回答：{q.text}", field=f"q{q.pk}")
        return [o for o in q.options if o in values] or None
    value = (
        "" if raw is None else str(raw[0] if isinstance(raw, list | tuple) and raw else raw).strip()
    )
    if not value:
        if q.required:
            raise InvalidInput(f"请回答：{q.text}", field=f"q{q.pk}")
        return None
    if q.kind == QuestionKind.SINGLE and value not in q.options:
        raise InvalidInput(f"“{q.text}”没有“{value}”这个选项", field=f"q{q.pk}")
    if q.kind == QuestionKind.YESNO and value not in ("yes", "no"):
        raise InvalidInput(f"“{q.text}”请选择是或否", field=f"q{q.pk}")
    if q.kind == QuestionKind.NUMBER:
        try:
            d = Decimal(value.replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise InvalidInput(f"“{q.text}”应填数字", field=f"q{q.pk}")
        if not d.is_finite() or abs(d) >= Decimal("1e12"):
            raise InvalidInput(f"“{q.text}”的数字超出范围", field=f"q{q.pk}")
        return format(d.normalize(), "f")
    if len(value) > TEXT_MAX:
        raise InvalidInput(f"“{q.text}”的回答不能超过 {TEXT_MAX} 字", field=f"q{q.pk}")
    return value


def _display(q: Question, value: Any) -> str:
    if value is None:
        return "（未答）"
    if isinstance(value, list):
        return "、".join(value)
    if q.kind == QuestionKind.YESNO:
        return {"yes": "是", "no": "否"}.get(value, value)
    return str(value)


def record_visit(
    actor: User, campaign: Campaign, data: VisitInput, *, at: dt.datetime | None = None
) -> Visit:
    """Record one visit; `at` is when it is recorded (now by default)."""
    park = campaign.park
    now = at or timezone.now()
    if not _in_park(actor, park):
        raise Forbidden("您无权在该园区登记走访")
    try:
        entity_id = int(data.entity_id)
    except (TypeError, ValueError):
        raise NotFound("市场主体不存在")
    entity = MarketEntity.objects.filter(pk=entity_id, park=park).first()
    if entity is None:
        raise NotFound("市场主体不存在")
    if not (serves(actor, entity) or can_manage(actor, park)):
        raise Forbidden("只有该企业的专属服务员（或派单员）可以登记走访")
    if campaign.status != CampaignStatus.ACTIVE:
        raise InvalidState(f"走访活动{campaign.get_status_display()}，不能登记走访")
    visited_on = _date(data.visited_on, "走访日期")
    today = timezone.localtime(now).date()
    if visited_on > today:
        raise InvalidInput("走访日期不能晚于今天", field="visited_on")
    if visited_on < campaign.start_date:
        raise InvalidInput(
            f"走访日期不能早于活动开始日期 {campaign.start_date}", field="visited_on"
        )
    if data.outcome not in Outcome.values:
        raise InvalidInput("走访结果无效", field="outcome")
    people_met = _text(data.people_met, "接待人员", 200, required=False)
    note = _text(data.note, "走访情况", TEXT_MAX, required=False)
    photos = list(data.photos or [])
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"一次最多上传 {MAX_PHOTOS} 张照片", field="photos")
    checked = [(f, *check_photo(f)) for f in photos]

    questions = list(campaign.questions.select_related("category").order_by("order", "pk"))
    by_q = {int(a.question_id): a for a in data.answers if a is not None}
    unknown = set(by_q) - {q.pk for q in questions}
    if unknown:
        raise InvalidInput("回答了不属于本问卷的问题", field="answers")
    cleaned: list[tuple[Question, Any, AnswerInput | None]] = []
    if data.outcome == Outcome.VISITED:
        if not people_met:
            raise InvalidInput("请填写接待人员（见到了谁）", field="people_met")
        for q in questions:
            a = by_q.get(q.pk)
            value = _clean_value(q, a)
            cleaned.append((q, value, a))
    elif not note:
        raise InvalidInput("拒访或未遇，请在“走访情况”中说明原因", field="note")

    with transaction.atomic():
        target = Target.objects.select_for_update().filter(campaign=campaign, entity=entity).first()
        if target is None:
            raise InvalidInput(f"{entity.name}不在本次走访对象中", field="entity")
        if target.status == TargetStatus.VISITED:
            raise InvalidState(f"{entity.name}在本次活动中已走访过")
        visit = Visit.objects.create(
            park=park,
            campaign=campaign,
            entity=entity,
            recorded_by=actor,
            visited_on=visited_on,
            outcome=data.outcome,
            people_met=people_met,
            note=note,
            created_at=now,
        )
        for q, value, a in cleaned:
            follow = ""
            if a and q.kind == QuestionKind.YESNO and q.follow_up and value == q.follow_up_on:
                follow = _text(a.follow_up, q.follow_up, TEXT_MAX, required=False)
            problem = bool(a and a.is_problem)
            pnote = _text(a.problem_note if a else "", "问题说明", TEXT_MAX, required=False)
            answer = Answer.objects.create(
                visit=visit,
                question=q,
                value=value,
                follow_up_answer=follow,
                is_problem=problem,
                problem_note=pnote,
            )
            if problem:
                answer.demand = _raise_demand(actor, campaign, visit, q, value, follow, pnote, now)
                answer.save(update_fields=["demand"])
        target.status = (
            TargetStatus.VISITED if data.outcome == Outcome.VISITED else TargetStatus.REFUSED
        )
        target.visit = visit
        target.save(update_fields=["status", "visit"])
        if data.outcome == Outcome.VISITED:
            _touch_contact(actor, entity, visited_on, campaign, now)
        for f, ext, ctype in checked:
            photo = VisitPhoto(
                visit=visit,
                original_name=(f.name or "照片")[-200:],
                content_type=ctype,
                size=f.size or 0,
            )
            f.seek(0)
            photo.file.save(f"{uuid.uuid4().hex}.{ext}", f, save=False)
            photo.save()
    return visit


def _raise_demand(
    actor: User,
    campaign: Campaign,
    visit: Visit,
    q: Question,
    value: Any,
    follow: str,
    note: str,
    at: dt.datetime,
) -> Any:
    entity = visit.entity
    answer = _display(q, value)
    title = f"【{campaign.get_theme_display()}走访】{q.text}"
    if note:
        title += f"：{note.splitlines()[0]}"
    lines = [
        f"走访活动：{campaign.title}（{visit.visited_on:%Y-%m-%d}，{actor.display_name}走访）",
        f"问题：{q.text}",
        f"回答：{answer}",
    ]
    if follow:
        lines.append(f"{q.follow_up}：{follow}")
    if note:
        lines.append(f"情况说明：{note}")
    if visit.people_met:
        lines.append(f"接待人员：{visit.people_met}")
    return create_demand(
        actor,
        campaign.park,
        Intake(
            title=title[:200],
            description="\n".join(lines),
            channel=Channel.VISIT,
            enterprise_id=entity.pk,
            category_id=q.category_id,
            extra={
                "走访活动": campaign.title,
                "visit_id": visit.pk,
                "campaign_id": campaign.pk,
                "question": q.text,
            },
            created_at=at,
        ),
    )


def _touch_contact(
    actor: User, entity: MarketEntity, day: dt.date, campaign: Campaign, now: dt.datetime
) -> None:
    # A visit is a contact: log it and move last_contact_at like liaisons.services.record_contact.
    at = (
        now
        if day == timezone.localtime(now).date()
        else timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    )
    ContactLog.objects.create(
        park=entity.park,
        entity=entity,
        by=actor,
        kind=ContactKind.VISIT,
        at=at,
        note=f"{campaign.title}走访"[:500],
    )
    MarketEntity.objects.filter(pk=entity.pk).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
    ).update(last_contact_at=at)


# --------------------------------------------------------------------------- dashboard


@dataclass
class Dashboard:
    total: int
    visited: int
    refused: int
    pending: int
    problems: int
    demands: int
    by_liaison: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    recent_problems: list[Answer]

    @property
    def coverage(self) -> float:
        return 100 * self.visited / self.total if self.total else 0.0


def dashboard(campaign: Campaign) -> Dashboard:
    """Coverage and problems of a campaign, per liaison and per department (six queries)."""
    targets = Target.objects.filter(campaign=campaign)
    counts = Counter(dict(targets.values_list("status").annotate(n=Count("pk"))))
    visited = Count("pk", filter=Q(status=TargetStatus.VISITED))
    refused = Count("pk", filter=Q(status=TargetStatus.REFUSED))
    problems = dict(
        Answer.objects.filter(visit__campaign=campaign, is_problem=True)
        .values_list("visit__entity__liaison")
        .annotate(n=Count("pk"))
    )
    rows: list[dict[str, Any]] = []
    for r in cast(
        "Iterable[dict[str, Any]]",  # the rows gain display keys below
        targets.values(
            "entity__liaison",
            "entity__liaison__full_name",
            "entity__liaison__username",
            "entity__liaison__department__name",
            "entity__liaison__department__sort",
        ).annotate(total=Count("pk"), visited=visited, refused=refused),
    ):
        r["name"] = (
            r["entity__liaison__full_name"] or r["entity__liaison__username"] or "未安排服务员"
        )
        if r["entity__liaison"] is None:
            r["department"] = "未安排服务员"
        else:
            r["department"] = r["entity__liaison__department__name"] or "园区领导"
        r["pending"] = r["total"] - r["visited"] - r["refused"]
        r["problems"] = problems.get(r["entity__liaison"], 0)
        r["pct"] = round(100 * r["visited"] / r["total"]) if r["total"] else 0
        rows.append(r)
    rows.sort(key=lambda r: (r["pct"], -r["pending"], r["name"]))
    dept: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = dept.setdefault(
            r["department"],
            {
                "name": r["department"],
                "total": 0,
                "visited": 0,
                "refused": 0,
                "problems": 0,
                "people": 0,
                "sort": r["entity__liaison__department__sort"] or -1,
            },
        )
        for k in ("total", "visited", "refused", "problems"):
            d[k] += r[k]
        d["people"] += 1
    for d in dept.values():
        d["pending"] = d["total"] - d["visited"] - d["refused"]
        d["pct"] = round(100 * d["visited"] / d["total"]) if d["total"] else 0
    answers = Answer.objects.filter(visit__campaign=campaign)
    n_problems = answers.filter(is_problem=True).count()
    n_demands = answers.filter(demand__isnull=False).count()
    return Dashboard(
        total=sum(counts.values()),
        visited=counts.get(TargetStatus.VISITED, 0),
        refused=counts.get(TargetStatus.REFUSED, 0),
        pending=counts.get(TargetStatus.PENDING, 0),
        problems=n_problems,
        demands=n_demands,
        by_liaison=rows,
        by_department=sorted(dept.values(), key=lambda d: (d["sort"], d["name"])),
        questions=question_summary(campaign),
        recent_problems=list(
            answers.filter(is_problem=True)
            .select_related("question", "visit__entity", "demand")
            .order_by("-visit__visited_on", "-pk")[:20]
        ),
    )


def question_summary(campaign: Campaign) -> list[dict[str, Any]]:
    """Per question: how often each option was chosen (choice and yes/no), or how many answered."""
    questions = list(campaign.questions.order_by("order", "pk"))
    values: dict[int, list[Any]] = defaultdict(list)
    problems: Counter[int] = Counter()
    for qid, value, problem in Answer.objects.filter(visit__campaign=campaign).values_list(
        "question_id", "value", "is_problem"
    ):
        values[qid].append(value)
        if problem:
            problems[qid] += 1
    out = []
    for q in questions:
        vals = [v for v in values.get(q.pk, []) if v not in (None, "", [])]
        counter: Counter[str] = Counter()
        options: list[str] = []
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            options = list(q.options)
            for v in vals:
                counter.update(v if isinstance(v, list) else [v])
        elif q.kind == QuestionKind.YESNO:
            options = ["是", "否"]
            counter.update({"yes": "是", "no": "否"}.get(v, v) for v in vals)
        top = max(counter.values()) if counter else 1
        out.append(
            {
                "question": q,
                "answered": len(vals),
                "problems": problems[q.pk],
                "bars": [
                    {
                        "label": o,
                        "n": counter.get(o, 0),
                        "pct": round(100 * counter.get(o, 0) / top) if top else 0,
                    }
                    for o in options
                ],
            }
        )
    return out


def campaign_progress(campaigns: Iterable[Campaign]) -> dict[int, dict[str, int]]:
    ids = [c.pk for c in campaigns]
    out: dict[int, dict[str, int]] = {i: {"total": 0, "visited": 0, "refused": 0} for i in ids}
    for cid, status, n in (
        Target.objects.filter(campaign_id__in=ids)
        .values_list("campaign_id", "status")
        .annotate(n=Count("pk"))
    ):
        out[cid]["total"] += n
        if status in (TargetStatus.VISITED, TargetStatus.REFUSED):
            out[cid][status] += n
    return out
