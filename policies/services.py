"""The policy engine: who qualifies and why, grants, applications, 有政策未享受 tasks.

Every change runs in `transaction.atomic()` and writes a PolicyEvent. Views, the API, the
import and the daily scan call these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from entities.models import MarketEntity
from entities.profile import EntityFacts, entity_facts, wan
from entities.services import visible_entities
from notifications.models import Kind
from notifications.services import notify_link
from orgs.models import Park, Role, User
from policies import access, rules
from policies.formulas import FORMULAS, Computation
from policies.models import (
    Application,
    ApplicationStatus,
    BenefitKind,
    Grant,
    GrantStatus,
    Policy,
    PolicyEvent,
    PolicyStatus,
    Track,
    Unclaimed,
)
from qinshang.errors import Forbidden, InvalidInput
from workcal import calendar

FAST_PAYOUT_WORKING_DAYS = 60
CLAIM_TRACKS = (Track.FAST, Track.APPLY)  # the enterprise must claim: liaison tasks

EVENT_LABELS = {
    "created": "录入政策",
    "updated": "修改政策",
    "grants_proposed": "生成免申即享名单",
    "grant_confirmed": "财政确认兑现",
    "grant_rejected": "未予确认",
    "applied": "受理申请",
    "approved": "审核通过",
    "paid": "兑付",
    "application_rejected": "不予支持",
    "unclaimed_opened": "有政策未享受",
}


def record(
    policy: Policy,
    actor: User | None,
    action: str,
    note: str = "",
    entity: MarketEntity | None = None,
    **data: Any,
) -> PolicyEvent:
    from entities.profile import _jsonable

    return PolicyEvent.objects.create(
        policy=policy,
        entity=entity,
        actor=actor,
        action=action,
        note=note[:500],
        data=_jsonable(data),
    )


# -- policies --------------------------------------------------------------------------------


@dataclass
class PolicyInput:
    title: str
    track: str
    starts_on: Any
    ends_on: Any = None
    rules: Any = field(default_factory=list)
    benefit_kind: str = BenefitKind.FIXED
    benefit_amount_wan: Any = None
    benefit_formula: str = ""
    benefit_text: str = ""
    reference_year: Any = None
    guide: str = ""
    summary: str = ""
    source_document: str = ""
    department: str = ""
    code: str = ""
    status: str = PolicyStatus.DRAFT


def _text(value: Any, label: str, limit: int, key: str, required: bool = False) -> str:
    if value not in (None, "") and not isinstance(value, str):
        raise InvalidInput(f"{label}应为文字", field=key)
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"须填写{label}", field=key)
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字", field=key)
    return text


def _date(value: Any, label: str, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{label}应为日期，如 2026-01-01", field=key)


def clean_policy(data: PolicyInput) -> dict[str, Any]:
    title = _text(data.title, "政策名称", 200, "title", required=True)
    if data.track not in Track.values:
        raise InvalidInput(
            "兑现方式应为 免申即享（auto）、快申快享（fast）或 申报（apply）", field="track"
        )
    if data.status not in PolicyStatus.values:
        raise InvalidInput("状态应为 draft、published 或 closed", field="status")
    starts = _date(data.starts_on, "执行期起", "starts_on")
    if starts is None:
        raise InvalidInput("须填写执行期起始日期", field="starts_on")
    ends = _date(data.ends_on, "执行期止", "ends_on")
    if ends is not None and ends < starts:
        raise InvalidInput("执行期止不能早于执行期起", field="ends_on")
    parsed = rules.check_rules(data.rules)
    if data.benefit_kind not in BenefitKind.values:
        raise InvalidInput("扶持方式应为 fixed、computed 或 none", field="benefit_kind")
    amount = wan(data.benefit_amount_wan, "定额")
    formula = _text(data.benefit_formula, "计算公式", 40, "benefit_formula")
    if data.benefit_kind == BenefitKind.FIXED:
        if amount is None or amount <= 0:
            raise InvalidInput("定额扶持须填写大于 0 的金额（万元）", field="benefit_amount_wan")
        formula = ""
    elif data.benefit_kind == BenefitKind.COMPUTED:
        if formula not in FORMULAS:
            opts = "、".join(f"{k}（{f.label}）" for k, f in FORMULAS.items())
            raise InvalidInput(f"计算公式“{formula}”不存在，可用：{opts}", field="benefit_formula")
        amount = None
    else:
        amount, formula = None, ""
    year = data.reference_year
    if year in (None, ""):
        year = None
    else:
        try:
            year = int(str(year).strip())
        except ValueError:
            raise InvalidInput("考核年度应为四位数字", field="reference_year")
        if not 2000 <= year <= timezone.localdate().year:
            raise InvalidInput(
                f"考核年度应在 2000–{timezone.localdate().year} 之间", field="reference_year"
            )
    return {
        "title": title,
        "track": data.track,
        "status": data.status,
        "starts_on": starts,
        "ends_on": ends,
        "rules": [r.as_dict() for r in parsed],
        "benefit_kind": data.benefit_kind,
        "benefit_amount_wan": amount,
        "benefit_formula": formula,
        "benefit_text": _text(data.benefit_text, "扶持内容", 300, "benefit_text"),
        "reference_year": year,
        "guide": _text(data.guide, "申兑指南", 5000, "guide"),
        "summary": _text(data.summary, "政策内容", 5000, "summary"),
        "source_document": _text(data.source_document, "政策依据", 200, "source_document"),
        "department": _text(data.department, "兑现部门", 100, "department"),
        "code": _text(data.code, "政策编号", 40, "code"),
    }


def create_policy(actor: User, park: Park, data: PolicyInput) -> Policy:
    access.require_edit(actor)
    if not (actor.is_superuser or actor.in_park(park.pk)):
        raise Forbidden("不能为其他园区录入政策")
    cleaned = clean_policy(data)
    with transaction.atomic():
        policy = Policy.objects.create(park=park, created_by=actor, **cleaned)
        record(policy, actor, "created", policy.title, **cleaned)
    return policy


def update_policy(actor: User, policy: Policy, data: PolicyInput) -> Policy:
    access.require_edit(actor)
    cleaned = clean_policy(data)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        before = {k: getattr(policy, k) for k in cleaned}
        for k, v in cleaned.items():
            setattr(policy, k, v)
        policy.save()
        changed = {k: v for k, v in cleaned.items() if before[k] != v}
        record(
            policy, actor, "updated", "、".join(changed) or "未改动", before=before, after=changed
        )
    return policy


# -- eligibility -----------------------------------------------------------------------------


def policy_year(policy: Policy, today: dt.date | None = None) -> int:
    """The year whose figures and purchases a policy reads: its 考核年度, else last year."""
    today = today or timezone.localdate()
    return policy.reference_year or today.year - 1


def grant_period(policy: Policy, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    year = policy_year(policy, today)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@dataclass
class Assessment:
    entity: MarketEntity
    qualifies: bool
    outcomes: list[rules.Outcome]
    computation: Computation | None
    amount_wan: Decimal | None
    year: int

    @property
    def failed(self) -> list[rules.Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def reasons(self) -> list[str]:
        out = [f"{'✓' if o.passed else '✗'} {o.text}：{o.actual}" for o in self.outcomes]
        if self.computation is not None:
            out += self.computation.lines
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "qualifies": self.qualifies,
            "amount_wan": str(self.amount_wan) if self.amount_wan is not None else None,
            "rules": [o.as_dict() for o in self.outcomes],
            "computation": self.computation.lines if self.computation else [],
        }


def assess_facts(
    policy: Policy, entity: MarketEntity, facts: EntityFacts, today: dt.date | None = None
) -> Assessment:
    year = policy_year(policy, today)
    parsed = rules.load(policy.rules)
    fig_year = policy.reference_year
    outcomes = rules.evaluate(parsed, facts, fig_year if fig_year else None)
    # Purchase rules read the policy's year, not the calendar's.
    outcomes = [
        rules.evaluate_rule(o.rule, facts, year)
        if o.rule.field in ("purchase_total_wan", "local_sei_purchase_wan")
        else o
        for o in outcomes
    ]
    ok = all(o.passed for o in outcomes)
    comp: Computation | None = None
    amount = policy.benefit_amount_wan
    if policy.benefit_kind == BenefitKind.COMPUTED:
        comp = FORMULAS[policy.benefit_formula].compute(facts, year)
        ok = ok and comp.qualifies
        amount = comp.amount_wan
    elif policy.benefit_kind == BenefitKind.NONE:
        amount = None
    return Assessment(entity, ok, outcomes, comp, amount if ok else None, year)


def _entities(qs: QuerySet[MarketEntity]) -> QuerySet[MarketEntity]:
    return qs.filter(is_active=True).prefetch_related("figures", "certifications", "purchases")


def assess(policy: Policy, entity: MarketEntity, today: dt.date | None = None) -> Assessment:
    e = _entities(MarketEntity.objects.filter(pk=entity.pk)).first() or entity
    return assess_facts(policy, e, entity_facts(e, today), today)


def assess_all(
    user: User, park: Park, policy: Policy, today: dt.date | None = None
) -> list[Assessment]:
    """Every visible entity of the park assessed against the policy (qualifying first)."""
    qs = _entities(visible_entities(user, park)).select_related("liaison").order_by("name")
    out = [assess_facts(policy, e, entity_facts(e, today), today) for e in qs]
    out.sort(key=lambda a: (not a.qualifies, a.entity.name))
    return out


def eligible(
    user: User, park: Park, policy: Policy, today: dt.date | None = None
) -> list[Assessment]:
    return [a for a in assess_all(user, park, policy, today) if a.qualifies]


def in_force(policy: Policy, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        policy.status == PolicyStatus.PUBLISHED
        and policy.starts_on <= today
        and (policy.ends_on is None or today <= policy.ends_on)
    )


def claims(policy: Policy, entity_ids: list[int] | None = None) -> set[int]:
    """Entities that have a grant (not refused) in the policy's period or an application."""
    start, end = grant_period(policy)
    g = Grant.objects.filter(policy=policy, period_start__lte=end, period_end__gte=start).exclude(
        status=GrantStatus.REJECTED
    )
    a = Application.objects.filter(policy=policy).exclude(status=ApplicationStatus.REJECTED)
    if entity_ids is not None:
        g, a = g.filter(entity_id__in=entity_ids), a.filter(entity_id__in=entity_ids)
    return set(g.values_list("entity_id", flat=True)) | set(a.values_list("entity_id", flat=True))


def _overlap(policy: Policy, entity: MarketEntity, start: dt.date, end: dt.date) -> Grant | None:
    return (
        Grant.objects.filter(
            policy=policy, entity=entity, period_start__lte=end, period_end__gte=start
        )
        .exclude(status=GrantStatus.REJECTED)
        .first()
    )


def _refuse_overlap(other: Grant) -> None:
    raise InvalidInput(
        f"“{other.entity.name}”已有本政策 {other.period_start:%Y-%m-%d} 至 "
        f"{other.period_end:%Y-%m-%d} 的兑现记录（{other.get_status_display()}），享受期不能重叠",
        field="entity_id",
    )


def _close_unclaimed(policy: Policy, entity: MarketEntity, reason: str) -> None:
    Unclaimed.objects.filter(policy=policy, entity=entity, closed_at__isnull=True).update(
        closed_at=timezone.now(), close_reason=reason
    )


# -- 免申即享: the grant list, confirmed for the finance bureau --------------------------------


def propose_grants(actor: User, park: Park, policy: Policy) -> list[Grant]:
    """The 免申即享 list: a proposed grant for every qualifying entity without one in the period."""
    access.require_decide(actor)
    if policy.track != Track.AUTO:
        raise InvalidInput("只有免申即享政策生成兑现名单；其他政策由企业申请")
    if not in_force(policy):
        raise InvalidInput("政策未发布或不在执行期内，不能生成兑现名单")
    start, end = grant_period(policy)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        found = eligible(actor, park, policy)
        taken = claims(policy, [a.entity.pk for a in found])
        made = [
            Grant.objects.create(
                policy=policy,
                entity=a.entity,
                period_start=start,
                period_end=end,
                amount_wan=a.amount_wan,
                basis=a.as_dict(),
                proposed_by=actor,
            )
            for a in found
            if a.entity.pk not in taken
        ]
        record(
            policy,
            actor,
            "grants_proposed",
            f"{len(made)} 家企业列入{start.year}年度免申即享名单",
            grants=[g.pk for g in made],
        )
    return made


def confirm_grant(actor: User, grant: Grant, note: str = "") -> Grant:
    access.require_confirm(actor)
    note = _text(note, "说明", 300, "note")
    with transaction.atomic():
        grant = (
            Grant.objects.select_for_update().select_related("policy", "entity").get(pk=grant.pk)
        )
        if grant.status != GrantStatus.PROPOSED:
            raise InvalidInput(f"该兑现记录{grant.get_status_display()}，不能再确认")
        grant.status = GrantStatus.CONFIRMED
        grant.decided_by, grant.decided_at, grant.note = actor, timezone.now(), note
        grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
        _close_unclaimed(grant.policy, grant.entity, "已兑现")
        record(
            grant.policy,
            actor,
            "grant_confirmed",
            note,
            grant.entity,
            grant=grant.pk,
            amount_wan=grant.amount_wan,
        )
    return grant


def reject_grant(actor: User, grant: Grant, reason: str) -> Grant:
    access.require_confirm(actor)
    reason = _text(reason, "理由", 300, "note", required=True)
    with transaction.atomic():
        grant = (
            Grant.objects.select_for_update().select_related("policy", "entity").get(pk=grant.pk)
        )
        if grant.status != GrantStatus.PROPOSED:
            raise InvalidInput(f"该兑现记录{grant.get_status_display()}，不能再改")
        grant.status = GrantStatus.REJECTED
        grant.decided_by, grant.decided_at, grant.note = actor, timezone.now(), reason
        grant.save(update_fields=["status", "decided_by", "decided_at", "note"])
        record(grant.policy, actor, "grant_rejected", reason, grant.entity, grant=grant.pk)
    return grant


def record_grant(
    actor: User,
    policy: Policy,
    entity: MarketEntity,
    period_start: Any,
    period_end: Any,
    amount_wan: Any,
    note: str = "",
    application: Application | None = None,
) -> Grant:
    """A confirmed grant entered directly (an approved application, a grant from elsewhere).
    A grant overlapping another of the same policy and entity is refused."""
    access.require_decide(actor)
    start = _date(period_start, "享受期起", "period_start")
    end = _date(period_end, "享受期止", "period_end")
    if start is None or end is None:
        raise InvalidInput("须填写享受期起止日期", field="period_start")
    if end < start:
        raise InvalidInput("享受期止不能早于享受期起", field="period_end")
    amount = wan(amount_wan, "金额")
    note = _text(note, "说明", 300, "note")
    if entity.park_id != policy.park_id:
        raise InvalidInput("企业不属于本园区", field="entity_id")
    with transaction.atomic():
        MarketEntity.objects.select_for_update().filter(pk=entity.pk).first()
        other = _overlap(policy, entity, start, end)
        if other is not None:
            _refuse_overlap(other)
        try:
            with transaction.atomic():
                grant = Grant.objects.create(
                    policy=policy,
                    entity=entity,
                    period_start=start,
                    period_end=end,
                    amount_wan=amount,
                    status=GrantStatus.CONFIRMED,
                    application=application,
                    proposed_by=actor,
                    decided_by=actor,
                    decided_at=timezone.now(),
                    note=note,
                    basis=assess(policy, entity).as_dict(),
                )
        except IntegrityError:
            raise InvalidInput("该企业本享受期已有兑现记录，不能重复兑现", field="period_start")
        _close_unclaimed(policy, entity, "已兑现")
        record(policy, actor, "grant_confirmed", note, entity, grant=grant.pk, amount_wan=amount)
    return grant


# -- 快申快享 / 申报: applications --------------------------------------------------------------


def may_apply_for(user: User, entity: MarketEntity) -> bool:
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id == entity.pk
    if user.is_superuser or user.role in (Role.DISPATCHER, Role.ADMIN):
        return user.in_park(entity.park_id) or user.is_superuser
    return user.role == Role.LIAISON and user.pk in (entity.liaison_id, entity.backup_liaison_id)


def apply(
    actor: User, policy: Policy, entity: MarketEntity, note: str = "", today: dt.date | None = None
) -> Application:
    """An application (受理): the entity must qualify now; 快申快享 gets its payout deadline."""
    if not may_apply_for(actor, entity):
        raise Forbidden("只有企业本身、其专属服务员或派单员可以提出申请")
    if policy.track not in CLAIM_TRACKS:
        raise InvalidInput("免申即享政策无需申请，由园区核对后直接兑现")
    if not in_force(policy, today):
        raise InvalidInput("政策未发布或不在执行期内，暂不受理")
    note = _text(note, "说明", 300, "note")
    today = today or timezone.localdate()
    a = assess(policy, entity, today)
    if not a.qualifies:
        why = "；".join(o.text + "（" + o.actual + "）" for o in a.failed) or "；".join(
            a.computation.lines if a.computation else []
        )
        raise InvalidInput(f"“{entity.name}”暂不符合本政策条件：{why}")
    start, end = grant_period(policy, today)
    with transaction.atomic():
        MarketEntity.objects.select_for_update().filter(pk=entity.pk).first()
        if (
            Application.objects.filter(policy=policy, entity=entity)
            .exclude(status=ApplicationStatus.REJECTED)
            .exists()
        ):
            raise InvalidInput(f"“{entity.name}”已申请过本政策，请勿重复申请")
        other = _overlap(policy, entity, start, end)
        if other is not None:
            _refuse_overlap(other)
        deadline = (
            calendar.add_working_days(today, FAST_PAYOUT_WORKING_DAYS)
            if policy.track == Track.FAST
            else None
        )
        app = Application.objects.create(
            policy=policy,
            entity=entity,
            submitted_by=actor,
            submitted_on=today,
            payout_deadline=deadline,
            amount_wan=a.amount_wan,
            note=note,
        )
        _close_unclaimed(policy, entity, "已申请")
        record(policy, actor, "applied", note, entity, application=app.pk, deadline=deadline)
    return app


def approve_application(
    actor: User, app: Application, amount_wan: Any = None, note: str = ""
) -> Application:
    access.require_decide(actor)
    with transaction.atomic():
        app = (
            Application.objects.select_for_update()
            .select_related("policy", "entity")
            .get(pk=app.pk)
        )
        if app.status != ApplicationStatus.SUBMITTED:
            raise InvalidInput(f"该申请{app.get_status_display()}，不能再审核")
        amount = wan(amount_wan, "核定金额") if amount_wan not in (None, "") else app.amount_wan
        start, end = grant_period(app.policy, app.submitted_on)
        record_grant(actor, app.policy, app.entity, start, end, amount, note, application=app)
        app.status, app.amount_wan = ApplicationStatus.APPROVED, amount
        app.decided_by, app.decided_at = actor, timezone.now()
        app.save(update_fields=["status", "amount_wan", "decided_by", "decided_at"])
        record(
            app.policy, actor, "approved", note, app.entity, application=app.pk, amount_wan=amount
        )
    return app


def pay_application(actor: User, app: Application, paid_on: Any = None) -> Application:
    access.require_decide(actor)
    day = _date(paid_on, "兑付日期", "paid_on") or timezone.localdate()
    with transaction.atomic():
        app = (
            Application.objects.select_for_update()
            .select_related("policy", "entity")
            .get(pk=app.pk)
        )
        if app.status != ApplicationStatus.APPROVED:
            raise InvalidInput("审核通过后才能登记兑付")
        if day < app.submitted_on or day > timezone.localdate():
            raise InvalidInput("兑付日期应在受理日期与今天之间", field="paid_on")
        app.status, app.paid_on = ApplicationStatus.PAID, day
        app.save(update_fields=["status", "paid_on"])
        late = app.payout_deadline is not None and day > app.payout_deadline
        record(
            app.policy,
            actor,
            "paid",
            "超过兑付期限" if late else "",
            app.entity,
            application=app.pk,
            late=late,
        )
    return app


def reject_application(actor: User, app: Application, reason: str) -> Application:
    access.require_decide(actor)
    reason = _text(reason, "理由", 300, "note", required=True)
    with transaction.atomic():
        app = (
            Application.objects.select_for_update()
            .select_related("policy", "entity")
            .get(pk=app.pk)
        )
        if app.status != ApplicationStatus.SUBMITTED:
            raise InvalidInput(f"该申请{app.get_status_display()}，不能再审核")
        app.status, app.note = ApplicationStatus.REJECTED, reason
        app.decided_by, app.decided_at = actor, timezone.now()
        app.save(update_fields=["status", "note", "decided_by", "decided_at"])
        record(app.policy, actor, "application_rejected", reason, app.entity, application=app.pk)
    return app


def payout_state(app: Application, today: dt.date | None = None) -> str:
    if app.status in (ApplicationStatus.PAID, ApplicationStatus.REJECTED):
        return ""
    return calendar.deadline_state(app.payout_deadline, today or timezone.localdate())


# -- 有政策未享受: liaison tasks --------------------------------------------------------------


@dataclass
class ScanResult:
    opened: int = 0
    closed: int = 0
    notified: int = 0


def scan_unclaimed(park: Park, today: dt.date | None = None) -> ScanResult:
    """Open a task for the liaison of every qualifying entity that has not claimed a policy it
    must claim (快申快享, 申报), notify them once, and close tasks that no longer apply."""
    today = today or timezone.localdate()
    result = ScanResult()
    entities = list(
        _entities(MarketEntity.objects.filter(park=park)).select_related("liaison").order_by("pk")
    )
    facts = {e.pk: entity_facts(e, today) for e in entities}
    for policy in Policy.objects.filter(park=park, track__in=CLAIM_TRACKS):
        with transaction.atomic():
            open_rows = {
                u.entity_id: u
                for u in Unclaimed.objects.select_for_update().filter(
                    policy=policy, closed_at__isnull=True
                )
            }
            want: set[int] = set()
            if in_force(policy, today):
                qualifying = [
                    e for e in entities if assess_facts(policy, e, facts[e.pk], today).qualifies
                ]
                claimed = claims(policy, [e.pk for e in qualifying])
                for e in qualifying:
                    if e.pk in claimed or e.liaison_id is None:
                        continue
                    want.add(e.pk)
                    if e.pk in open_rows:
                        continue
                    Unclaimed.objects.create(policy=policy, entity=e, liaison_id=e.liaison_id)
                    record(policy, None, "unclaimed_opened", e.name, e, liaison=e.liaison_id)
                    result.opened += 1
                    result.notified += notify_link(
                        [e.liaison] if e.liaison else [],
                        park,
                        Kind.POLICY,
                        f"有政策未享受：{e.name} 符合“{policy.title}”，请联系企业申请",
                        f"/policies/{policy.pk}/#e{e.pk}",
                        dedupe_key=f"unclaimed:{policy.pk}:{e.pk}",
                    )
            for eid, row in open_rows.items():
                if eid not in want:
                    row.closed_at = timezone.now()
                    row.close_reason = (
                        "已申请或已兑现" if eid in claims(policy, [eid]) else "不再符合条件"
                    )
                    row.save(update_fields=["closed_at", "close_reason"])
                    result.closed += 1
    return result


def scan_all() -> ScanResult:
    total = ScanResult()
    for park in Park.objects.all():
        r = scan_unclaimed(park)
        total.opened += r.opened
        total.closed += r.closed
        total.notified += r.notified
    return total


def portal_view(user: User, park: Park, today: dt.date | None = None) -> list[dict[str, Any]]:
    """可享受的政策 for an enterprise user: every published policy in force with why it does or
    does not qualify, and what it has claimed."""
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        return []
    entity = visible_entities(user, park).filter(pk=user.enterprise_id).first()
    if entity is None:
        return []
    e = _entities(MarketEntity.objects.filter(pk=entity.pk)).get()
    f = entity_facts(e, today)
    rows: list[tuple[Policy, Assessment]] = [
        (p, assess_facts(p, e, f, today))
        for p in access.visible_policies(user, park).filter(status=PolicyStatus.PUBLISHED)
        if in_force(p, today)
    ]
    rows.sort(key=lambda r: (not r[1].qualifies, r[0].title))
    return [{"policy": p, "a": a, "claimed": e.pk in claims(p, [e.pk])} for p, a in rows]


def entity_policies(entity: MarketEntity) -> dict[str, Any]:
    """For the 一企一档 page: grants, applications, open 有政策未享受 tasks of one entity."""
    return {
        "grants": list(
            entity.policy_grants.select_related("policy").exclude(status=GrantStatus.REJECTED)
        ),
        "applications": list(entity.policy_applications.select_related("policy")),
        "unclaimed": list(
            entity.unclaimed_policies.filter(closed_at__isnull=True).select_related("policy")
        ),
    }


def policies_of(
    qs: QuerySet[Policy], q: str = "", track: str = "", status: str = ""
) -> QuerySet[Policy]:
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(code__contains=q) | Q(summary__contains=q))
    if track in Track.values:
        qs = qs.filter(track=track)
    if status in PolicyStatus.values:
        qs = qs.filter(status=status)
    return qs
