"""The escalation rules at work: the scan that proposes, and the decisions on proposals.

The scan is set-based (a few aggregate queries per park, whatever the size of the ledger) and
idempotent: the unique (demand, rule, rung) row means running it every hour proposes nothing
twice, and a dismissed proposal is not raised again until the demand changes rung.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from demands import services as ledger
from demands import workflow as wf
from demands.models import OPEN_STATUSES, Demand, Event, Satisfaction, Tier
from escalation.models import EscalationRules, Proposal, ProposalStatus, RuleKind, RulesChange
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from workcal import calendar as wcal

# One rung up from each rung; the top rung has nowhere further to go.
NEXT_RUNG: dict[str, str] = {
    Tier.ON_SPOT: Tier.RECEPTION_DAY,
    Tier.DEPARTMENT: Tier.RECEPTION_DAY,
    Tier.RECEPTION_DAY: Tier.EXPERT,
    Tier.PROJECT_MEETING: Tier.EXPERT,
}
MANAGERS = (Role.DISPATCHER, Role.ADMIN)
THRESHOLDS = {
    "overdue_urges": ("逾期后催办次数", 1, 20),
    "returns": ("退单次数", 1, 20),
    "dissatisfied": ("不满意评价次数", 1, 20),
    "age_working_days": ("受理后工作日数", 5, 1000),
}


def rules_for(park: Park) -> EscalationRules:
    rules, _ = EscalationRules.objects.get_or_create(park=park)
    return rules


def _require_manager(actor: User, park: Park) -> None:
    if not (actor.is_superuser or (actor.role in MANAGERS and actor.in_park(park.pk))):
        raise Forbidden("提级规则和提级建议由派单中心处理")


def require_viewer(actor: User, park: Park) -> None:
    if not (
        actor.is_superuser or (actor.role in (*MANAGERS, Role.LEADER) and actor.in_park(park.pk))
    ):
        raise Forbidden("提级规则仅供派单中心和园区领导查看")


def update_rules(
    actor: User, park: Park, values: dict[str, int | None], note: str = ""
) -> EscalationRules:
    """Set the thresholds (None switches a rule off); the change is logged with before/after."""
    _require_manager(actor, park)
    unknown = set(values) - set(THRESHOLDS)
    if unknown:
        raise InvalidInput(f"未知的提级规则：{'、'.join(sorted(unknown))}")
    clean: dict[str, int | None] = {}
    for key, value in values.items():
        label, low, high = THRESHOLDS[key]
        if value is None:
            clean[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(f"{label}应为 {low} 至 {high} 的整数，留空表示不启用", field=key)
        clean[key] = value
    with transaction.atomic():
        rules = EscalationRules.objects.select_for_update().get(pk=rules_for(park).pk)
        before = {k: getattr(rules, k) for k in THRESHOLDS}
        for key, value in clean.items():
            setattr(rules, key, value)
        after = {k: getattr(rules, k) for k in THRESHOLDS}
        if before == after:
            return rules
        rules.updated_by = actor
        rules.save()
        RulesChange.objects.create(
            park=park, actor=actor, before=before, after=after, note=note[:300]
        )
    return rules


@dataclass
class ScanResult:
    proposed: int = 0
    lapsed: int = 0


def _candidates(park: Park) -> QuerySet[Demand]:
    # Only demands the ledger's escalate action accepts, so an accepted proposal can be carried out.
    statuses = wf.TRANSITIONS["escalate"].from_statuses
    return Demand.objects.filter(park=park, status__in=statuses, tier__in=list(NEXT_RUNG))


def _matches(park: Park, rules: EscalationRules, today: dt.date) -> dict[str, dict[int, str]]:
    """rule -> {demand id: what happened}, for the open demands each active rule fires on."""
    base = _candidates(park)
    found: dict[str, dict[int, str]] = {}
    if rules.overdue_urges:
        urged = (
            base.filter(due_date__lt=today)
            .annotate(n=Count("events", filter=Q(events__action="urge")))
            .filter(n__gte=rules.overdue_urges)
            .values_list("pk", "n", "due_date")
        )
        found[RuleKind.OVERDUE_URGED] = {
            pk: f"已逾期（截止 {due:%Y-%m-%d}），已催办 {n} 次" for pk, n, due in urged
        }
    if rules.returns:
        returned = (
            base.annotate(n=Count("events", filter=Q(events__action="return")))
            .filter(n__gte=rules.returns)
            .values_list("pk", "n")
        )
        found[RuleKind.RETURNED] = {pk: f"已被退单 {n} 次" for pk, n in returned}
    if rules.dissatisfied:
        unhappy = (
            base.annotate(
                n=Count(
                    "events",
                    filter=Q(
                        events__action="confirm",
                        events__data__satisfaction=Satisfaction.DISSATISFIED,
                    ),
                )
            )
            .filter(n__gte=rules.dissatisfied)
            .values_list("pk", "n")
        )
        found[RuleKind.DISSATISFIED] = {pk: f"企业 {n} 次评价不满意" for pk, n in unhappy}
    if rules.age_working_days:
        since = _working_days_before(today, rules.age_working_days)
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        old = base.filter(created_at__lt=start).values_list("pk", "created_at")
        found[RuleKind.OLD] = {
            pk: f"受理于 {timezone.localtime(at):%Y-%m-%d}，超过 {rules.age_working_days} 个工作日未办结"
            for pk, at in old
        }
    return found


def _working_days_before(day: dt.date, n: int) -> dt.date:
    """The day n working days before `day` (the calendar's own rules, holidays included)."""
    d, left = day, n
    while left > 0:
        d -= dt.timedelta(days=1)
        if wcal.is_workday(d):
            left -= 1
    return d


def scan(park: Park, today: dt.date | None = None, *, at: dt.datetime | None = None) -> ScanResult:
    """Propose what the park's rules catch. `at`: the scan's moment (now by default); `today`
    defaults to its day."""
    now = at or timezone.now()
    today = today or (timezone.localtime(at).date() if at is not None else wcal.today())
    rules = rules_for(park)
    result = ScanResult()
    with transaction.atomic():
        # Open proposals whose demand was closed, or moved rung some other way, no longer apply.
        stale = Proposal.objects.filter(park=park, status=ProposalStatus.OPEN).filter(
            ~Q(demand__status__in=OPEN_STATUSES) | ~Q(demand__tier=F("from_tier"))
        )
        result.lapsed = stale.update(status=ProposalStatus.LAPSED, decided_at=now)
        matches = _matches(park, rules, today)
        ids = {pk for hits in matches.values() for pk in hits}
        tiers = dict(Demand.objects.filter(pk__in=ids).values_list("pk", "tier"))
        done = set(
            Proposal.objects.filter(demand_id__in=ids).values_list("demand_id", "rule", "from_tier")
        )
        rows = [
            Proposal(
                park=park,
                demand_id=pk,
                rule=rule,
                from_tier=tiers[pk],
                to_tier=NEXT_RUNG[tiers[pk]],
                reason=text[:300],
                created_at=now,
            )
            for rule, hits in matches.items()
            for pk, text in hits.items()
            if (pk, rule, tiers[pk]) not in done
        ]
        # Two schedulers racing on one slot are kept apart by the unique row.
        Proposal.objects.bulk_create(rows, ignore_conflicts=True)
        result.proposed = len(rows)
    return result


def scan_all(today: dt.date | None = None) -> int:
    return sum(scan(p, today).proposed for p in Park.objects.all())


def _decide(actor: User, proposal: Proposal) -> Proposal:
    _require_manager(actor, proposal.park)
    locked = Proposal.objects.select_for_update().select_related("demand").get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise InvalidState(f"该提级建议已{locked.get_status_display()}")
    return locked


def _lapse_if_stale(proposal: Proposal, now: dt.datetime) -> bool:
    """A proposal whose demand has since moved rung or closed no longer applies; the hourly scan
    lapses such rows, and so does an attempt to accept one in between."""
    with transaction.atomic():
        p = Proposal.objects.select_for_update().select_related("demand").get(pk=proposal.pk)
        stale = p.status == ProposalStatus.OPEN and (
            p.demand.tier != p.from_tier or p.demand.status not in OPEN_STATUSES
        )
        if stale:
            p.status = ProposalStatus.LAPSED
            p.decided_at = now
            p.save(update_fields=["status", "decided_at"])
    return stale


def accept(
    actor: User, proposal: Proposal, note: str = "", *, at: dt.datetime | None = None
) -> Proposal:
    """Escalate through the ledger's own action, so the tier history and the event are the ledger's."""
    note = (note or "").strip()[:400]
    _require_manager(actor, proposal.park)
    now = at or timezone.now()
    if _lapse_if_stale(proposal, now):
        raise InvalidState(
            f"{proposal.demand.number} 已不在提出建议时的层级或已办结，该提级建议已失效"
        )
    with transaction.atomic():
        p = _decide(actor, proposal)
        text = f"采纳提级建议（{p.get_rule_display()}：{p.reason}）"
        ledger.escalate(
            actor,
            p.demand,
            tier=Tier(p.to_tier),
            note=f"{text}。{note}" if note else text,
            at=now,
        )
        p.status = ProposalStatus.ACCEPTED
        p.decided_by, p.decided_at, p.decision_note = actor, now, note
        p.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return p


def dismiss(
    actor: User, proposal: Proposal, note: str, *, at: dt.datetime | None = None
) -> Proposal:
    note = (note or "").strip()
    if not note:
        raise InvalidInput("不采纳提级建议须说明理由", field="note")
    with transaction.atomic():
        p = _decide(actor, proposal)
        p.status = ProposalStatus.DISMISSED
        p.decided_by, p.decided_at, p.decision_note = actor, at or timezone.now(), note[:500]
        p.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return p


def tier_history(demand: Demand) -> list[Event]:
    """Every rung change of the demand, oldest first: the ledger's escalate events."""
    return list(
        demand.events.filter(action="escalate").select_related("actor").order_by("created_at", "id")
    )
