"""/api/v1/escalation: the proposals the park's rules raise, their decisions, and the rules."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from demands.models import Tier
from escalation import access, services
from escalation.models import Proposal, ProposalStatus, RuleKind
from orgs.access import UserRequest, request_park

router = Router(tags=["提级建议"])


class ProposalOut(Schema):
    id: int
    demand_id: int
    demand_number: str
    demand_title: str
    rule: RuleKind
    rule_label: str
    from_tier: Tier
    to_tier: Tier
    reason: str
    status: ProposalStatus
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class ProposalPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProposalOut]


class ProposalFilter(Schema):
    status: ProposalStatus | None = ProposalStatus.OPEN
    rule: RuleKind | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=200)


class DecisionIn(Schema):
    note: str = Field("", max_length=500, description="处理意见；不采纳时必填")


class RulesIn(Schema):
    overdue_urges: int | None = Field(None, description="逾期后催办次数（1–20，空为不启用）")
    returns: int | None = Field(None, description="退单次数（1–20，空为不启用）")
    dissatisfied: int | None = Field(None, description="不满意评价次数（1–20，空为不启用）")
    age_working_days: int | None = Field(None, description="受理后工作日数（5–1000，空为不启用）")
    note: str = Field("", max_length=300, description="修改理由")


class RulesOut(Schema):
    overdue_urges: int | None
    returns: int | None
    dissatisfied: int | None
    age_working_days: int | None
    updated_at: dt.datetime


def proposal_out(p: Proposal) -> dict:
    return {
        "id": p.pk,
        "demand_id": p.demand_id,
        "demand_number": p.demand.number,
        "demand_title": p.demand.title,
        "rule": p.rule,
        "rule_label": p.get_rule_display(),
        "from_tier": p.from_tier,
        "to_tier": p.to_tier,
        "reason": p.reason,
        "status": p.status,
        "created_at": p.created_at,
        "decided_by": p.decided_by.display_name if p.decided_by else None,
        "decided_at": p.decided_at,
        "decision_note": p.decision_note,
    }


@router.get("/escalation/proposals", response=ProposalPage, summary="提级建议（按规则提出）")
def list_proposals(request: UserRequest, filters: Query[ProposalFilter]) -> dict:
    park = request_park(request)
    qs = access.visible_proposals(request.user, park).select_related("demand", "decided_by")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    start = (filters.page - 1) * filters.page_size
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [proposal_out(p) for p in qs[start : start + filters.page_size]],
    }


@router.post(
    "/escalation/proposals/{proposal_id}/accept", response=ProposalOut, summary="采纳提级建议"
)
def accept(request: UserRequest, proposal_id: int, payload: DecisionIn) -> dict:
    park = request_park(request)
    p = access.get_proposal(request.user, park, proposal_id)
    return proposal_out(services.accept(request.user, p, payload.note))


@router.post(
    "/escalation/proposals/{proposal_id}/dismiss", response=ProposalOut, summary="不采纳提级建议"
)
def dismiss(request: UserRequest, proposal_id: int, payload: DecisionIn) -> dict:
    park = request_park(request)
    p = access.get_proposal(request.user, park, proposal_id)
    return proposal_out(services.dismiss(request.user, p, payload.note))


@router.get("/escalation/rules", response=RulesOut, summary="本园区的提级规则")
def get_rules(request: UserRequest) -> object:
    park = request_park(request)
    services.require_viewer(request.user, park)
    return services.rules_for(park)


@router.post("/escalation/rules", response=RulesOut, summary="修改提级规则")
def set_rules(request: UserRequest, payload: RulesIn) -> object:
    park = request_park(request)
    values = payload.dict(exclude_unset=True)
    note = values.pop("note", "")
    return services.update_rules(request.user, park, values, note)
