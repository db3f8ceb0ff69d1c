"""银企对接 at work: institutions and their products, financing needs, consents, showing a need
to an institution, the institution's answer, and the urging of late answers. Pages, the API,
commands and the periodic job call these functions; each change is atomic and recorded as a
FinanceEvent. Bad input raises InvalidInput with a Chinese message and changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from entities.models import MarketEntity
from finance import access
from finance.models import (
    Consent,
    ConsentField,
    Disbursement,
    FinanceEvent,
    FinancingNeed,
    FinancingStatus,
    Institution,
    InstitutionKind,
    InstitutionUser,
    Product,
    ProductType,
    Referral,
    ReferralStatus,
    Urgency,
)
from notifications.models import Kind
from notifications.services import notify_link
from orgs.models import Park, Role, User
from qinshang import inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound
from workcal import calendar as wcal

MAX_AMOUNT_WAN = Decimal("10000000")  # 1 000 亿元: beyond any single loan
CENT = Decimal("0.01")
MAX_TERM_MONTHS = 360
MANAGERS = (Role.DISPATCHER, Role.ADMIN)


def money(
    value: Any, label: str, *, required: bool = True, positive: bool = True
) -> Decimal | None:
    """An amount in 万元: text "1000.5" or a number, at most two decimals, not negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"请填写{label}", field=label)
        return None
    if isinstance(value, bool) or isinstance(value, float):
        value = str(value)
    try:
        d = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise InvalidInput(f"{label}应为数字（万元）", field=label)
    if not d.is_finite():
        raise InvalidInput(f"{label}应为数字（万元）", field=label)
    if d < 0:
        raise InvalidInput(f"{label}不能为负数", field=label)
    if positive and d == 0:
        raise InvalidInput(f"{label}应大于 0", field=label)
    if d > MAX_AMOUNT_WAN:
        raise InvalidInput(f"{label}不能超过 {MAX_AMOUNT_WAN} 万元", field=label)
    if d != d.quantize(CENT):
        raise InvalidInput(f"{label}最多保留两位小数", field=label)
    return d


def rate(value: Any, label: str, *, required: bool = True) -> Decimal | None:
    """An annual rate in per cent: 0 < r ≤ 100."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"请填写{label}", field=label)
        return None
    try:
        d = Decimal(str(value).strip().rstrip("%").rstrip("％"))
    except InvalidOperation:
        raise InvalidInput(f"{label}应为百分数，例如 3.45", field=label)
    if not d.is_finite():
        raise InvalidInput(f"{label}应为百分数，例如 3.45", field=label)
    if d < 0:
        raise InvalidInput(f"{label}不能为负数", field=label)
    if d > 100:
        raise InvalidInput(f"{label}不能超过 100%", field=label)
    if d != d.quantize(CENT):
        raise InvalidInput(f"{label}最多保留两位小数", field=label)
    return d


def _event(
    park: Park,
    actor: User | None,
    action: str,
    *,
    note: str = "",
    entity: MarketEntity | None = None,
    institution: Institution | None = None,
    need: FinancingNeed | None = None,
    **data: Any,
) -> FinanceEvent:
    return FinanceEvent.objects.create(
        park=park,
        actor=actor,
        action=action,
        note=note[:500],
        entity=entity,
        institution=institution,
        need=need,
        data={k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()},
        at=timezone.now(),
    )


def _require_manager(actor: User, park: Park) -> None:
    if not (actor.is_superuser or (actor.role in MANAGERS and actor.in_park(park.pk))):
        raise Forbidden("金融机构由派单员或管理员维护")


# ------------------------------------------------------------------ institutions and products


@dataclass
class NewInstitution:
    name: str
    kind: str
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    answer_working_days: Any = 5  # a number, or the text of a form


def create_institution(actor: User, park: Park, data: NewInstitution) -> Institution:
    _require_manager(actor, park)
    name = inputs.text(data.name, "机构名称", limit=100)
    if data.kind not in InstitutionKind.values:
        raise InvalidInput("请选择机构类型", field="kind")
    days = inputs.integer(data.answer_working_days, "答复时限（工作日）", 1, 30)
    if Institution.objects.filter(park=park, name=name).exists():
        raise InvalidInput(f"本园区已有金融机构“{name}”", field="name")
    with transaction.atomic():
        inst = Institution.objects.create(
            park=park,
            name=name,
            kind=data.kind,
            contact_name=inputs.text(data.contact_name, "联系人", required=False, limit=50),
            contact_phone=inputs.text(data.contact_phone, "联系电话", required=False, limit=20),
            address=inputs.text(data.address, "地址", required=False, limit=200),
            answer_working_days=days,
        )
        _event(park, actor, "institution_created", institution=inst, note=name)
    return inst


def link_user(actor: User | None, user: User, institution: Institution) -> InstitutionUser:
    """Make `user` a 金融机构 user of the institution (the demo and administrators)."""
    if actor is not None:
        _require_manager(actor, institution.park)
    if user.role != Role.BANK:
        raise InvalidInput("只有“金融机构”角色的账号可以关联金融机构")
    if user.park_id != institution.park_id:
        raise InvalidInput("账号与金融机构不在同一园区")
    with transaction.atomic():
        link, _ = InstitutionUser.objects.update_or_create(
            user=user, defaults={"institution": institution}
        )
        _event(institution.park, actor, "member_linked", institution=institution, user=user.pk)
    return link


@dataclass
class NewProduct:
    name: str
    type: str
    min_amount_wan: Any
    max_amount_wan: Any
    rate_min_pct: Any
    rate_max_pct: Any
    term_min_months: Any
    term_max_months: Any
    conditions: str = ""


def can_edit_products(actor: User, institution: Institution) -> bool:
    if actor.is_superuser or (actor.role in MANAGERS and actor.in_park(institution.park_id)):
        return True
    mine = access.institution_of(actor)
    return mine is not None and mine.pk == institution.pk


def add_product(actor: User, institution: Institution, data: NewProduct) -> Product:
    if not can_edit_products(actor, institution):
        raise Forbidden("只有本机构用户或园区管理员可以发布金融产品")
    name = inputs.text(data.name, "产品名称", limit=100)
    if data.type not in ProductType.values:
        raise InvalidInput("请选择产品类型", field="type")
    low = money(data.min_amount_wan, "最低额度", positive=False)
    high = money(data.max_amount_wan, "最高额度")
    assert low is not None and high is not None
    if low > high:
        raise InvalidInput("最低额度不能高于最高额度", field="min_amount_wan")
    r_low = rate(data.rate_min_pct, "年利率下限")
    r_high = rate(data.rate_max_pct, "年利率上限")
    assert r_low is not None and r_high is not None
    if r_low > r_high:
        raise InvalidInput("年利率下限不能高于上限", field="rate_min_pct")
    t_low = inputs.integer(data.term_min_months, "期限下限（月）", 1, MAX_TERM_MONTHS)
    t_high = inputs.integer(data.term_max_months, "期限上限（月）", 1, MAX_TERM_MONTHS)
    if t_low > t_high:
        raise InvalidInput("期限下限不能长于上限", field="term_min_months")
    with transaction.atomic():
        product = Product.objects.create(
            institution=institution,
            name=name,
            type=data.type,
            min_amount_wan=low,
            max_amount_wan=high,
            rate_min_pct=r_low,
            rate_max_pct=r_high,
            term_min_months=t_low,
            term_max_months=t_high,
            conditions=inputs.text(data.conditions, "申请条件", required=False, limit=2000),
        )
        _event(institution.park, actor, "product_added", institution=institution, note=name)
    return product


# ------------------------------------------------------------------ needs


@dataclass
class NewNeed:
    entity_id: int
    amount_wan: Any
    purpose: str
    collateral: str = ""
    term_months: Any = None
    urgency: str = Urgency.NORMAL


def _entity_for(actor: User, park: Park, entity_id: int) -> MarketEntity:
    if actor.role not in access.ACTS_FOR_ENTERPRISE and not actor.is_superuser:
        raise Forbidden("融资需求由企业本身、其专属服务员或派单员登记")
    entity = access.served_entities(actor, park).filter(pk=entity_id).first()
    if entity is None:
        raise InvalidInput("请选择您所服务的本园区企业", field="entity_id")
    return entity


def _next_number(park: Park, year: int) -> str:
    prefix = f"融资〔{year}〕"
    taken = FinancingNeed.objects.filter(park=park, number__startswith=prefix).count()
    return f"{prefix}{taken + 1}号"


def create_need(actor: User, park: Park, data: NewNeed) -> FinancingNeed:
    entity = _entity_for(actor, park, data.entity_id)
    amount = money(data.amount_wan, "融资金额")
    assert amount is not None  # required
    purpose = inputs.text(data.purpose, "资金用途", limit=2000)
    collateral = inputs.text(data.collateral, "担保/抵押物", required=False, limit=300)
    term = None
    if data.term_months not in (None, ""):
        term = inputs.integer(data.term_months, "期望期限（月）", 1, MAX_TERM_MONTHS)
    if data.urgency not in Urgency.values:
        raise InvalidInput("请选择紧急程度", field="urgency")
    now = timezone.now()
    with transaction.atomic():
        need = FinancingNeed.objects.create(
            park=park,
            number=_next_number(park, timezone.localdate(now).year),
            entity=entity,
            amount_wan=amount,
            purpose=purpose,
            collateral=collateral,
            term_months=term,
            urgency=data.urgency,
            created_by=actor,
            created_at=now,
        )
        _event(park, actor, "need_created", entity=entity, need=need, amount_wan=amount)
    return need


def withdraw_need(actor: User, need: FinancingNeed, reason: str) -> FinancingNeed:
    _entity_for(actor, need.park, need.entity_id)
    why = inputs.text(reason, "撤回原因", limit=200)
    if need.status != FinancingStatus.OPEN:
        raise InvalidState("只有对接中的融资需求可以撤回")
    with transaction.atomic():
        need.status = FinancingStatus.WITHDRAWN
        need.save(update_fields=["status"])
        _event(need.park, actor, "need_withdrawn", entity=need.entity, need=need, note=why)
    return need


# ------------------------------------------------------------------ consent


def parse_fields(values: list[str]) -> list[str]:
    picked = [v for v in ConsentField.values if v in set(values)]
    unknown = sorted(set(values) - set(ConsentField.values))
    if unknown:
        raise InvalidInput("未知的授权字段：" + "、".join(unknown), field="fields")
    if not picked:
        raise InvalidInput("请至少勾选一项授权共享的信息", field="fields")
    return picked


def grant_consent(
    actor: User, park: Park, entity_id: int, institution_id: int, fields: list[str]
) -> Consent:
    """Share `fields` of the enterprise with the institution. A consent already given is ended
    and replaced (its history stays)."""
    entity = _entity_for(actor, park, entity_id)
    inst = Institution.objects.filter(pk=institution_id, park=park, is_active=True).first()
    if inst is None:
        raise InvalidInput("请选择本园区的金融机构", field="institution_id")
    picked = parse_fields(fields)
    now = timezone.now()
    with transaction.atomic():
        old = (
            Consent.objects.select_for_update()
            .filter(entity=entity, institution=inst, withdrawn_at__isnull=True)
            .first()
        )
        if old is not None:
            if old.fields == picked:
                return old
            old.withdrawn_at, old.withdrawn_by, old.withdraw_reason = now, actor, "授权范围变更"
            old.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        consent = Consent.objects.create(
            park=park,
            entity=entity,
            institution=inst,
            fields=picked,
            granted_by=actor,
            granted_at=now,
        )
        _event(
            park,
            actor,
            "consent_changed" if old else "consent_granted",
            entity=entity,
            institution=inst,
            fields=picked,
            before=old.fields if old else [],
        )
    return consent


def withdraw_consent(actor: User, consent: Consent, reason: str = "") -> Consent:
    """Effective at once: every bank query joins the active consent."""
    _entity_for(actor, consent.park, consent.entity_id)
    why = inputs.text(reason, "撤回原因", required=False, limit=200) or "企业撤回授权"
    with transaction.atomic():
        row = Consent.objects.select_for_update().get(pk=consent.pk)
        if row.withdrawn_at is not None:
            raise InvalidState("该授权已撤回")
        row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = timezone.now(), actor, why
        row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        _event(
            row.park,
            actor,
            "consent_withdrawn",
            entity=row.entity,
            institution=row.institution,
            note=why,
            fields=row.fields,
        )
    return row


# ------------------------------------------------------------------ showing a need, answering


def bank_users(institution: Institution) -> list[User]:
    return [m.user for m in institution.members.select_related("user").filter(user__is_active=True)]


def _liaisons(entity: MarketEntity) -> list[User]:
    ids = [i for i in (entity.liaison_id, entity.backup_liaison_id) if i]
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _enterprise_users(entity: MarketEntity) -> list[User]:
    return list(User.objects.filter(enterprise=entity, role=Role.ENTERPRISE, is_active=True))


def refer(
    actor: User, need: FinancingNeed, institution_id: int, product_id: int | None = None
) -> Referral:
    """Show the need to an institution; it must answer within its working-day limit. Needs the
    enterprise's active consent to that institution covering 融资需求."""
    park = need.park
    _entity_for(actor, park, need.entity_id)
    if need.status != FinancingStatus.OPEN:
        raise InvalidState("该融资需求已结束，不能再推送")
    inst = Institution.objects.filter(pk=institution_id, park=park, is_active=True).first()
    if inst is None:
        raise InvalidInput("请选择本园区的金融机构", field="institution_id")
    product = None
    if product_id:
        product = Product.objects.filter(pk=product_id, institution=inst, is_active=True).first()
        if product is None:
            raise InvalidInput("所选产品不属于该机构", field="product_id")
    consent = access.active_consents(inst).filter(entity_id=need.entity_id).first()
    if consent is None or not consent.covers_needs:
        raise InvalidInput(
            f"企业尚未授权向“{inst.name}”共享融资需求：请先在“信息授权”中勾选“融资需求”",
            field="institution_id",
        )
    if Referral.objects.filter(need=need, institution=inst).exists():
        raise InvalidState(f"该需求已推送给“{inst.name}”")
    today = wcal.today()
    with transaction.atomic():
        ref = Referral.objects.create(
            need=need,
            institution=inst,
            product=product,
            shown_by=actor,
            shown_at=timezone.now(),
            deadline=wcal.add_working_days(today, inst.answer_working_days),
        )
        _event(
            park,
            actor,
            "need_shown",
            entity=need.entity,
            institution=inst,
            need=need,
            deadline=ref.deadline.isoformat(),
        )
        link = reverse("finance:referral", args=[ref.pk])
        text = (
            f"新的融资需求 {need.number}：{access.amount(need.amount_wan)} 万元，"
            f"请于 {ref.deadline:%m月%d日} 前答复"
        )
        transaction.on_commit(
            lambda: notify_link(bank_users(inst), park, Kind.ASSIGNED, text, link)
        )
    return ref


@dataclass
class Answer:
    approved: bool
    approved_amount_wan: Any = None
    rate_pct: Any = None
    term_months: Any = None
    subsidy_pct: Any = None
    decline_reason: str = ""
    note: str = ""


def answer(actor: User, park: Park, referral_id: int, data: Answer) -> Referral:
    """The institution's answer. A need not shown to the actor's institution (or whose consent
    was withdrawn) is refused as if it did not exist."""
    if actor.role != Role.BANK:
        raise Forbidden("只有金融机构用户可以答复融资需求")
    ref = access.get_referral(actor, park, referral_id)
    values: dict[str, Any] = {}
    if data.approved:
        amount = money(data.approved_amount_wan, "批准金额")
        r = rate(data.rate_pct, "年利率")
        assert amount is not None and r is not None
        if r == 0:
            raise InvalidInput("年利率应大于 0", field="rate_pct")
        term = inputs.integer(data.term_months, "期限（月）", 1, MAX_TERM_MONTHS)
        subsidy = rate(data.subsidy_pct, "贴息", required=False)
        if subsidy is not None and subsidy > r:
            raise InvalidInput("贴息不能高于年利率", field="subsidy_pct")
        values = {
            "status": ReferralStatus.APPROVED,
            "approved_amount_wan": amount,
            "rate_pct": r,
            "term_months": term,
            "subsidy_pct": subsidy,
        }
    else:
        values = {
            "status": ReferralStatus.DECLINED,
            "decline_reason": inputs.text(data.decline_reason, "拒绝理由", limit=1000),
        }
    note = inputs.text(data.note, "说明", required=False, limit=1000)
    with transaction.atomic():
        row = Referral.objects.select_for_update().get(pk=ref.pk)
        if row.status != ReferralStatus.PENDING:
            raise InvalidState("该融资需求已答复")
        for k, v in values.items():
            setattr(row, k, v)
        row.note = note
        row.answered_at, row.answered_by = timezone.now(), actor
        row.save()
        need = ref.need
        late = wcal.today() > row.deadline
        _event(
            park,
            actor,
            "answered",
            entity=need.entity,
            institution=row.institution,
            need=need,
            note=row.decline_reason or note,
            late=late,
            **{k: v for k, v in values.items() if k != "status" and v is not None},
            status=str(row.status),
        )
        if row.status == ReferralStatus.APPROVED and need.status == FinancingStatus.OPEN:
            need.status = FinancingStatus.FUNDED
            need.save(update_fields=["status"])
        verdict = (
            f"批准 {access.amount(row.approved_amount_wan)} 万元"
            if row.status == ReferralStatus.APPROVED
            else "未获批准"
        )
        text = f"{row.institution.name}已答复融资需求 {need.number}：{verdict}"
        link = reverse("finance:need", args=[need.pk])
        who = _enterprise_users(need.entity) + _liaisons(need.entity)
        transaction.on_commit(lambda: notify_link(who, park, Kind.ANSWERED, text, link))
    return row


# ------------------------------------------------------------------ 放款 (disbursements)


@dataclass
class NewDisbursement:
    amount_wan: Any
    disbursed_on: Any  # a date or the ISO text of a form
    term_months: Any
    rate_pct: Any
    note: str = ""


def can_disburse(actor: User, ref: Referral) -> bool:
    """The lending institution's own users, or the park's centre recording for it."""
    if actor.is_superuser or (actor.role in MANAGERS and actor.in_park(ref.need.park_id)):
        return True
    mine = access.institution_of(actor)
    return mine is not None and mine.pk == ref.institution_id


def disbursed_total(ref: Referral) -> Decimal:
    total = ref.disbursements.filter(voided_at__isnull=True).aggregate(s=Sum("amount_wan"))["s"]
    return total or Decimal(0)


def _referral_for_disbursing(actor: User, park: Park, referral_id: int) -> Referral:
    if actor.role not in (Role.BANK, *MANAGERS) and not actor.is_superuser:
        raise Forbidden("放款由放款的金融机构用户或派单员、管理员登记")
    ref = access.get_referral(actor, park, referral_id)
    if not can_disburse(actor, ref):
        raise Forbidden("只有放款的金融机构用户或派单员、管理员可以登记放款")
    return ref


def record_disbursement(
    actor: User, park: Park, referral_id: int, data: NewDisbursement
) -> Disbursement:
    """One drawdown of an approved loan. Together the drawdowns never exceed the approved
    amount, and none is dated before the approval or after today."""
    ref = _referral_for_disbursing(actor, park, referral_id)
    if ref.status != ReferralStatus.APPROVED or ref.answered_at is None:
        raise InvalidState("只有已批准的融资对接可以登记放款")
    amount = money(data.amount_wan, "放款金额")
    assert amount is not None  # required
    on = inputs.date(data.disbursed_on, "放款日期")
    approved_on = timezone.localdate(ref.answered_at)
    if on < approved_on:
        raise InvalidInput(f"放款日期不能早于批准日期 {approved_on:%Y-%m-%d}", field="disbursed_on")
    if on > wcal.today():
        raise InvalidInput("放款日期不能晚于今天", field="disbursed_on")
    term = inputs.integer(data.term_months, "期限（月）", 1, MAX_TERM_MONTHS)
    r = rate(data.rate_pct, "年利率")
    assert r is not None
    if r == 0:
        raise InvalidInput("年利率应大于 0", field="rate_pct")
    note = inputs.text(data.note, "说明", required=False, limit=500)
    with transaction.atomic():
        # the referral row is the lock: two drawdowns at once cannot both pass the total check
        row = Referral.objects.select_for_update().get(pk=ref.pk)
        approved = row.approved_amount_wan or Decimal(0)
        already = disbursed_total(row)
        if already + amount > approved:
            left = approved - already
            raise InvalidInput(
                f"放款金额不能超过批准金额 {access.amount(approved)} 万元"
                f"（已放款 {access.amount(already)} 万元，还可放款 {access.amount(left)} 万元）",
                field="amount_wan",
            )
        d = Disbursement.objects.create(
            referral=row,
            amount_wan=amount,
            disbursed_on=on,
            term_months=term,
            rate_pct=r,
            note=note,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        need = ref.need
        _event(
            park,
            actor,
            "disbursed",
            entity=need.entity,
            institution=row.institution,
            need=need,
            note=note,
            disbursement=d.pk,
            referral=row.pk,
            amount_wan=amount,
            disbursed_on=on.isoformat(),
            term_months=term,
            rate_pct=r,
        )
    return d


def void_disbursement(actor: User, park: Park, disbursement_id: int, reason: str) -> Disbursement:
    row = (
        Disbursement.objects.select_related("referral")
        .filter(pk=disbursement_id, referral__need__park=park)
        .first()
    )
    if row is None:
        raise NotFound("放款记录不存在")
    # one answer for a row of another institution and for none at all
    try:
        _referral_for_disbursing(actor, park, row.referral_id)
    except NotFound:
        raise NotFound("放款记录不存在") from None
    why = inputs.text(reason, "作废理由", limit=200)
    with transaction.atomic():
        locked = Disbursement.objects.select_for_update().get(pk=row.pk)
        if locked.voided_at is not None:
            raise InvalidState("该放款记录已作废")
        locked.voided_at, locked.voided_by, locked.void_reason = timezone.now(), actor, why
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        ref = locked.referral
        need = ref.need
        _event(
            park,
            actor,
            "disbursement_voided",
            entity=need.entity,
            institution=ref.institution,
            need=need,
            note=why,
            disbursement=locked.pk,
            amount_wan=locked.amount_wan,
        )
    return locked


def is_overdue(ref: Referral, today: dt.date | None = None) -> bool:
    return ref.status == ReferralStatus.PENDING and (today or wcal.today()) > ref.deadline


def urge_overdue(today: dt.date | None = None) -> int:
    """The periodic job: every unanswered need past its deadline is urged once per day — the
    institution's users and the enterprise's liaison are notified, and the urge is an event."""
    today = today or wcal.today()
    late = (
        Referral.objects.filter(status=ReferralStatus.PENDING, deadline__lt=today)
        .filter(Q(last_urged_on__isnull=True) | Q(last_urged_on__lt=today))
        .select_related("need", "need__entity", "need__park", "institution")
    )
    n = 0
    for ref in late:
        need = ref.need
        days = wcal.working_days_between(ref.deadline, today)
        text = (
            f"催办：融资需求 {need.number} 已超过答复期限 {ref.deadline:%m月%d日}"
            f"（逾期 {days} 个工作日），请{ref.institution.name}尽快答复"
        )
        with transaction.atomic():
            updated = Referral.objects.filter(
                Q(last_urged_on__isnull=True) | Q(last_urged_on__lt=today),
                pk=ref.pk,
                status=ReferralStatus.PENDING,
            ).update(last_urged_on=today, urge_count=ref.urge_count + 1)
            if not updated:
                continue
            _event(
                need.park,
                None,
                "urged",
                entity=need.entity,
                institution=ref.institution,
                need=need,
                note=text,
                overdue_days=days,
            )
            key = f"finance-urge:{ref.pk}:{today.isoformat()}"
            bank_link = reverse("finance:referral", args=[ref.pk])
            notify_link(
                bank_users(ref.institution), need.park, Kind.URGED, text, bank_link, dedupe_key=key
            )
            notify_link(
                _liaisons(need.entity),
                need.park,
                Kind.URGED,
                text,
                reverse("finance:need", args=[need.pk]),
                dedupe_key=key,
            )
            n += 1
    return n


# ------------------------------------------------------------------ figures


@dataclass
class Figures:
    needs: int = 0
    needs_amount_wan: Decimal = Decimal(0)
    referrals: int = 0
    pending: int = 0
    overdue: int = 0
    approved: int = 0
    approved_amount_wan: Decimal = Decimal(0)
    declined: int = 0
    # loans granted = money actually lent (放款), not approvals
    disbursed: int = 0  # approved answers with at least one valid disbursement
    disbursed_amount_wan: Decimal = Decimal(0)
    by_institution: list[dict[str, Any]] = field(default_factory=list)


def figures(user: User, park: Park, today: dt.date | None = None) -> Figures:
    """The park's 银企对接 figures over what the user may see (four queries)."""
    today = today or wcal.today()
    needs = access.visible_needs(user, park).aggregate(n=Count("id"), s=Sum("amount_wan"))
    refs = access.visible_referrals(user, park)
    agg = refs.aggregate(
        n=Count("id"),
        pending=Count("id", filter=Q(status=ReferralStatus.PENDING)),
        overdue=Count("id", filter=Q(status=ReferralStatus.PENDING, deadline__lt=today)),
        approved=Count("id", filter=Q(status=ReferralStatus.APPROVED)),
        declined=Count("id", filter=Q(status=ReferralStatus.DECLINED)),
        amount=Sum("approved_amount_wan"),
    )
    lent = Disbursement.objects.filter(referral__in=refs, voided_at__isnull=True).aggregate(
        n=Count("referral_id", distinct=True), s=Sum("amount_wan")
    )
    rows = (
        refs.values("institution_id", "institution__name")
        .annotate(
            n=Count("id"),
            approved=Count("id", filter=Q(status=ReferralStatus.APPROVED)),
            amount=Sum("approved_amount_wan"),
        )
        .order_by("-amount", "institution_id")
    )
    return Figures(
        needs=needs["n"] or 0,
        needs_amount_wan=needs["s"] or Decimal(0),
        referrals=agg["n"] or 0,
        pending=agg["pending"] or 0,
        overdue=agg["overdue"] or 0,
        approved=agg["approved"] or 0,
        approved_amount_wan=agg["amount"] or Decimal(0),
        declined=agg["declined"] or 0,
        disbursed=lent["n"] or 0,
        disbursed_amount_wan=lent["s"] or Decimal(0),
        by_institution=[dict(r) for r in rows],
    )
