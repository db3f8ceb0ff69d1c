"""一企一档: everything the park knows of one entity, each part scoped by its own app's rules.

A viewer sees the entity (entities.services.visible_entities), and within the page only what
each app lets them see: demands through demands.access.visible_demands, meetings through
meetings.access.visible_meetings, key projects through projects.access.visible_projects, visits
for those who see every campaign or serve the entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from demands.access import visible_demands
from demands.models import OPEN_STATUSES
from entities import profile as facts
from entities import purchases
from entities.models import EntityEvent, MarketEntity
from liaisons import services as liaisons
from meetings.access import visible_meetings
from meetings.models import AgendaItem
from orgs.models import Park, Role, User
from policies import services as policies
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
    pol = policies.entity_policies(entity)
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
        policy_grants=pol["grants"],
        policy_applications=pol["applications"],
        policy_unclaimed=pol["unclaimed"],
    )
