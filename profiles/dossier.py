"""一企一档: everything the park knows of one entity, each part scoped by its own app's rules.

A viewer sees the entity (entities.services.visible_entities), and within the page only what
each app lets them see: demands through demands.access.visible_demands, meetings through
meetings.access.visible_meetings, key projects through projects.access.visible_projects, visits
for those who see every campaign or serve the entity; products, purchasing needs and signed
orders through matchmaking.access, financing needs and the banks' answers through finance.access
(so a department's handler sees the market but no financing need, as 银企对接 decides), grants,
applications and 有政策未享受 through policies.access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from demands.access import visible_demands
from demands.models import OPEN_STATUSES
from entities import profile as facts
from entities import purchases
from entities.models import EntityEvent, MarketEntity
from finance import access as finance
from finance.models import Disbursement, FinancingNeed, Referral, ReferralStatus
from liaisons import services as liaisons
from matchmaking import access as market
from matchmaking.models import Need, Order, OrderStatus, Product
from meetings.access import visible_meetings
from meetings.models import AgendaItem
from orgs.models import Park, Role, User
from policies import access as policies
from policies.models import GrantStatus
from profiles import services
from profiles.models import PlanStatus
from projects.access import visible_projects
from qinshang import industries
from qinshang.errors import Forbidden
from visits import services as visits
from visits.models import Visit

VIEW_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LEADER,
    Role.LIAISON,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
)


def require_view(user: User) -> None:
    if not (user.is_superuser or user.role in VIEW_ROLES):
        raise Forbidden("企业档案仅供园区工作人员查看")


def industry_label(code: str) -> str:
    try:
        return industries.label(code) if code else "未登记"
    except KeyError:
        return code


@dataclass
class Financing:
    """A financing need with the institutions' answers the viewer may see."""

    need: FinancingNeed
    answers: list[Referral]


@dataclass
class Dossier:
    entity: MarketEntity
    industry: str
    size: Any  # entities.sizing.SizeResult, computed now
    figures: list[Any]
    certifications: list[Any]
    demands: QuerySet[Any]
    demand_count: int
    open_demands: int
    visits: list[Visit]
    agenda: list[AgendaItem]
    projects: list[Any]
    history: list[Any]
    contact_logs: list[Any]
    plans: list[Any]
    active_plan: Any
    progress: list[dict[str, Any]]
    events: list[tuple[EntityEvent, str]]
    can_edit: bool
    can_plan: bool
    purchases: list[Any]
    purchase_years: list[tuple[int, dict[str, Any]]]
    policy_grants: list[Any]
    policy_applications: list[Any]
    policy_unclaimed: list[Any]
    products: list[Product]
    market_needs: list[Need]
    orders: list[Order]
    financing: list[Financing]
    approvals: list[Referral]  # approved answers: amount, rate, term, 贴息 — a promise
    loans: list[Disbursement]  # 放款 actually recorded on those answers (not voided)


def build(user: User, park: Park, entity: MarketEntity) -> Dossier:
    demands = (
        visible_demands(user, park)
        .filter(enterprise=entity)
        .select_related("category")
        .order_by("-created_at")
    )
    served = visits.serves(user, entity)
    visit_rows: list[Visit] = []
    if visits.can_view_all(user, park) or served:
        visit_rows = list(
            Visit.objects.filter(park=park, entity=entity)
            .select_related("campaign", "recorded_by")
            .prefetch_related("answers__question")[:20]
        )
    agenda = list(
        AgendaItem.objects.filter(meeting__in=visible_meetings(user, park), removed=False)
        .filter(Q(enterprise=entity) | Q(demand__enterprise=entity))
        .select_related("meeting", "demand")
        .order_by("-meeting__date", "order")[:20]
    )
    plans = list(entity.service_plans.prefetch_related("goals", "measures__responsible", "reviews"))
    active = next((p for p in plans if p.status == PlanStatus.ACTIVE), None)
    events = [
        (e, facts.EVENT_LABELS.get(e.action, e.action))
        for e in entity.events.select_related("actor")[:30]
    ]
    progress = [services.goal_progress(g, entity) for g in active.goals.all()] if active else []
    grants = policies.visible_grants(user, park).filter(entity=entity)
    referrals = list(
        finance.visible_referrals(user, park)
        .filter(need__entity=entity)
        .select_related("institution", "product")
        .prefetch_related(
            Prefetch(
                "disbursements",
                queryset=Disbursement.objects.select_related("recorded_by"),
                to_attr="lent",
            )
        )
        .order_by("shown_at", "id")
    )
    financing = [
        Financing(need, [r for r in referrals if r.need_id == need.pk])
        for need in finance.visible_needs(user, park).filter(entity=entity)[:20]
    ]
    return Dossier(
        entity=entity,
        industry=industry_label(entity.industry),
        size=facts.compute_size(entity),
        figures=list(entity.figures.order_by("-year")),
        certifications=list(entity.certifications.order_by("-valid_from")),
        demands=demands[:20],
        demand_count=demands.count(),
        open_demands=demands.filter(status__in=OPEN_STATUSES).count(),
        visits=visit_rows,
        agenda=agenda,
        projects=list(visible_projects(user, park).filter(investor=entity)[:20]),
        history=list(liaisons.entity_history(entity)[:20]),
        contact_logs=list(entity.contact_logs.select_related("by")[:10])
        if (served or liaisons.can_view(user, park))
        else [],
        plans=plans,
        active_plan=active,
        progress=progress,
        events=events,
        can_edit=facts.can_edit(user, entity),
        can_plan=services.can_plan(user, entity),
        purchases=list(entity.purchases.select_related("supplier")[:50]),
        purchase_years=sorted(
            purchases.yearly_totals(entity.purchases.all()).items(), reverse=True
        ),
        policy_grants=list(grants.exclude(status=GrantStatus.REJECTED).select_related("policy")),
        policy_applications=list(
            policies.visible_applications(user, park).filter(entity=entity).select_related("policy")
        ),
        policy_unclaimed=list(
            policies.visible_unclaimed(user, park).filter(entity=entity).select_related("policy")
        ),
        products=list(
            market.visible_products(user, park).filter(enterprise=entity).order_by("status", "name")
        ),
        market_needs=list(
            market.visible_needs(user, park).filter(enterprise=entity).order_by("-created_at")[:20]
        ),
        orders=list(
            market.visible_orders(user, park)
            .filter(Q(enterprise=entity) | Q(counterparty=entity))
            .filter(status__in=(OrderStatus.SIGNED, OrderStatus.FULFILLED))
            .select_related("event", "enterprise", "counterparty")
            .order_by("-signed_on", "-id")[:30]
        ),
        financing=financing,
        approvals=[r for r in referrals if r.status == ReferralStatus.APPROVED],
        loans=[d for r in referrals for d in r.lent if d.voided_at is None],
    )
