"""/api/v1/profiles/{entity_id}: the 一企一档 summary of one entity, scoped like the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema

from entities import services as entities
from entities import sizing
from entities.api import CertificationOut, EnterpriseDetail, YearlyFigureOut
from orgs.access import request_park as current_park
from orgs.models import User
from profiles import dossier
from qinshang.limits import Id

router = Router(tags=["一企一档"])


class PlanGoalOut(Schema):
    goal: int
    text: str
    metric: str
    year: int | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    actual: Decimal | None = None
    percent: int | None = None
    reached: bool | None = None


class PlanMeasureOut(Schema):
    id: int
    text: str
    track: str
    responsible: str
    due_on: dt.date
    status: str


class ServicePlanOut(Schema):
    id: int
    title: str
    status: str
    starts_on: dt.date
    ends_on: dt.date
    next_review_on: dt.date
    goals: list[PlanGoalOut]
    measures: list[PlanMeasureOut]


class ProfileDemandOut(Schema):
    id: int
    title: str
    status: str
    created_at: dt.datetime


class ProfileOut(Schema):
    enterprise: EnterpriseDetail
    size_class: str | None
    size_class_label: str
    size_rule: str
    size_reason: str
    figures: list[YearlyFigureOut]
    certifications: list[CertificationOut]
    demand_count: int
    open_demands: int
    recent_demands: list[ProfileDemandOut]
    visits: int
    meetings: int
    projects: list[str]
    plan: ServicePlanOut | None


@router.get("/profiles/{entity_id}", response=ProfileOut, summary="一企一档：企业全景档案")
def get_profile(request: HttpRequest, entity_id: Id) -> dict[str, Any]:
    user = cast(User, request.user)
    park = current_park(request)
    dossier.require_view(user)
    entity = entities.get_entity(user, park, entity_id)
    d = dossier.build(user, park, entity)
    plan = None
    if d.active_plan is not None:
        p = d.active_plan
        plan = {
            "id": p.pk,
            "title": p.title,
            "status": p.status,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "next_review_on": p.next_review_on,
            "goals": d.progress,
            "measures": [
                {
                    "id": m.pk,
                    "text": m.text,
                    "track": m.track,
                    "responsible": m.responsible.display_name,
                    "due_on": m.due_on,
                    "status": m.status,
                }
                for m in p.measures.all()
            ],
        }
    return {
        "enterprise": entity,
        "size_class": entity.size_class or None,
        "size_class_label": sizing.LABELS.get(entity.size_class, "未划型"),
        "size_rule": d.size.rule,
        "size_reason": d.size.reason,
        "figures": d.figures,
        "certifications": d.certifications,
        "demand_count": d.demand_count,
        "open_demands": d.open_demands,
        "recent_demands": list(d.demands[:10]),
        "visits": len(d.visits),
        "meetings": len(d.agenda),
        "projects": [p.name for p in d.projects],
        "plan": plan,
    }
