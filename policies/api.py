"""/api/v1/policies, eligibility with reasons, grants, applications; scoped by policies.access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from entities.services import get_entity
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from policies import access, services
from policies.models import (
    Application,
    ApplicationStatus,
    BenefitKind,
    Grant,
    GrantStatus,
    Policy,
    PolicyStatus,
    Track,
)
from qinshang.errors import Forbidden
from qinshang.limits import Id, Line, Text

router = Router(tags=["惠企政策"])


class RuleIO(Schema):
    field: Line = Field(
        ...,
        description="字段：industry、section、size_class、kind、tier、employees、annual_revenue_wan、total_assets_wan、certification、place、purchase_total_wan、local_sei_purchase_wan",
    )
    op: Line = Field(
        ...,
        description="运算：in、not_in、gte、gt、lte、lt、between、has、not_has、contains、not_contains",
    )
    value: list[Line] | Line | Decimal = Field(
        ..., description="取值：列表（in/has/between）、数字或文字"
    )


class PolicyIn(Schema):
    title: Line = Field(..., max_length=200)
    track: Track
    starts_on: dt.date
    ends_on: dt.date | None = None
    rules: list[RuleIO] = []
    benefit_kind: BenefitKind = BenefitKind.FIXED
    benefit_amount_wan: Decimal | None = Field(None, description="定额（万元）")
    benefit_formula: Line = Field("", description="计算公式，如 local_procurement_3pct")
    benefit_text: Line = ""
    reference_year: int | None = Field(None, description="考核年度（空：上一年度）")
    guide: Text = Field("", description="申兑指南")
    summary: Text = ""
    source_document: Line = ""
    department: Line = ""
    code: Line = ""
    status: PolicyStatus = PolicyStatus.DRAFT


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    track: Track
    status: PolicyStatus
    rules: list[dict[str, Any]]
    benefit_kind: BenefitKind
    benefit_amount_wan: Decimal | None
    benefit_formula: str
    benefit_text: str
    reference_year: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    guide: str
    summary: str
    source_document: str
    department: str


class RuleOutcomeOut(Schema):
    field: str
    op: str
    value: Any
    label: str
    rule: str
    actual: str
    passed: bool


class EligibleOut(Schema):
    entity_id: int
    name: str
    qualifies: bool
    year: int
    amount_wan: Decimal | None
    rules: list[RuleOutcomeOut]
    computation: list[str]
    claimed: bool


class GrantOut(Schema):
    id: int
    policy_id: int
    entity_id: int
    entity_name: str
    period_start: dt.date
    period_end: dt.date
    amount_wan: Decimal | None
    status: GrantStatus
    note: str
    decided_at: dt.datetime | None


class GrantIn(Schema):
    policy_id: Id
    entity_id: Id
    period_start: dt.date
    period_end: dt.date
    amount_wan: Decimal | None = None
    note: Line = ""


class NoteIn(Schema):
    note: Line = ""


class ReasonNoteIn(Schema):
    note: Line = Field(..., min_length=1, description="理由（必填）")


class ApplicationIn(Schema):
    policy_id: Id
    entity_id: Id
    note: Line = ""


class ApproveIn(Schema):
    amount_wan: Decimal | None = None
    note: Line = ""


class PayIn(Schema):
    paid_on: dt.date | None = None


class ApplicationOut(Schema):
    id: int
    policy_id: int
    entity_id: int
    entity_name: str
    status: ApplicationStatus
    submitted_on: dt.date
    payout_deadline: dt.date | None
    payout_state: str
    amount_wan: Decimal | None
    paid_on: dt.date | None
    note: str


def _policy_input(p: PolicyIn) -> services.PolicyInput:
    d = p.dict()
    d["rules"] = [
        {
            "field": r.field,
            "op": r.op,
            "value": [str(v) for v in r.value] if isinstance(r.value, list) else str(r.value),
        }
        for r in p.rules
    ]
    return services.PolicyInput(**d)


def _grant(g: Grant) -> dict[str, Any]:
    return {
        "id": g.pk,
        "policy_id": g.policy_id,
        "entity_id": g.entity_id,
        "entity_name": g.entity.name,
        "period_start": g.period_start,
        "period_end": g.period_end,
        "amount_wan": g.amount_wan,
        "status": g.status,
        "note": g.note,
        "decided_at": g.decided_at,
    }


def _app(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "policy_id": a.policy_id,
        "entity_id": a.entity_id,
        "entity_name": a.entity.name,
        "status": a.status,
        "submitted_on": a.submitted_on,
        "payout_deadline": a.payout_deadline,
        "payout_state": services.payout_state(a),
        "amount_wan": a.amount_wan,
        "paid_on": a.paid_on,
        "note": a.note,
    }


class PolicyFilter(Schema):
    q: Line = ""
    track: Track | None = None
    status: PolicyStatus | None = None


@router.get("/policies", response=list[PolicyOut], summary="惠企政策列表")
def list_policies(request: UserRequest, filters: Query[PolicyFilter]) -> list[Policy]:
    qs = access.visible_policies(request.user, current_park(request))
    qs = services.policies_of(
        qs,
        filters.q,
        filters.track.value if filters.track else "",
        filters.status.value if filters.status else "",
    )
    return list(qs[:500])


@router.post("/policies", response={201: PolicyOut}, summary="录入惠企政策（含申享条件）")
def create_policy(request: UserRequest, payload: PolicyIn) -> Status:
    policy = services.create_policy(request.user, current_park(request), _policy_input(payload))
    return Status(201, policy)


@router.get("/policies/{policy_id}", response=PolicyOut, summary="惠企政策详情")
def get_policy(request: UserRequest, policy_id: Id) -> Policy:
    return access.get_policy(request.user, current_park(request), policy_id)


@router.post("/policies/{policy_id}/edit", response=PolicyOut, summary="修改惠企政策")
def edit_policy(request: UserRequest, policy_id: Id, payload: PolicyIn) -> Policy:
    access.require_edit(request.user)
    policy = access.get_policy(request.user, current_park(request), policy_id)
    return services.update_policy(request.user, policy, _policy_input(payload))


class EligibleFilter(Schema):
    all: bool = Field(False, description="也列出不符合的企业（附原因）")


@router.get(
    "/policies/{policy_id}/eligible",
    response=list[EligibleOut],
    summary="符合政策的企业及每条条件的判断",
)
def eligible(
    request: UserRequest, policy_id: Id, filters: Query[EligibleFilter]
) -> list[dict[str, Any]]:
    user, park = request.user, current_park(request)
    if not access.is_staff(user):
        raise Forbidden("符合名单仅供园区工作人员查看")
    policy = access.get_policy(user, park, policy_id)
    rows = services.assess_all(user, park, policy)
    if not filters.all:
        rows = [a for a in rows if a.qualifies]
    claimed = services.claims(policy, [a.entity.pk for a in rows])
    return [
        {
            "entity_id": a.entity.pk,
            "name": a.entity.name,
            "claimed": a.entity.pk in claimed,
            **a.as_dict(),
        }
        for a in rows
    ]


@router.post(
    "/policies/{policy_id}/grants/propose",
    response={201: list[GrantOut]},
    summary="免申即享：生成待财政确认的兑现名单",
)
def propose(request: UserRequest, policy_id: Id) -> Status:
    access.require_decide(request.user)
    park = current_park(request)
    policy = access.get_policy(request.user, park, policy_id)
    return Status(201, [_grant(g) for g in services.propose_grants(request.user, park, policy)])


class GrantFilter(Schema):
    policy_id: Id | None = None
    status: GrantStatus | None = None


@router.get("/grants", response=list[GrantOut], summary="政策兑现记录")
def list_grants(request: UserRequest, filters: Query[GrantFilter]) -> list[dict[str, Any]]:
    qs = access.visible_grants(request.user, current_park(request)).select_related("entity")
    if filters.policy_id:
        qs = qs.filter(policy_id=filters.policy_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return [_grant(g) for g in qs.order_by("-proposed_at", "-id")[:1000]]


@router.post("/grants", response={201: GrantOut}, summary="登记一笔已确认的兑现（享受期不得重叠）")
def create_grant(request: UserRequest, payload: GrantIn) -> Status:
    user, park = request.user, current_park(request)
    access.require_decide(user)
    policy = access.get_policy(user, park, payload.policy_id)
    entity = get_entity(user, park, payload.entity_id)
    g = services.record_grant(
        user,
        policy,
        entity,
        payload.period_start,
        payload.period_end,
        payload.amount_wan,
        payload.note,
    )
    return Status(201, _grant(g))


@router.post("/grants/{grant_id}/confirm", response=GrantOut, summary="财政确认兑现")
def confirm_grant(request: UserRequest, grant_id: Id, payload: NoteIn) -> dict[str, Any]:
    access.require_confirm(request.user)
    g = access.get_grant(request.user, current_park(request), grant_id)
    return _grant(services.confirm_grant(request.user, g, payload.note))


@router.post("/grants/{grant_id}/reject", response=GrantOut, summary="不予确认（须说明理由）")
def reject_grant(request: UserRequest, grant_id: Id, payload: ReasonNoteIn) -> dict[str, Any]:
    access.require_confirm(request.user)
    g = access.get_grant(request.user, current_park(request), grant_id)
    return _grant(services.reject_grant(request.user, g, payload.note))


class ApplicationFilter(Schema):
    policy_id: Id | None = None
    status: ApplicationStatus | None = None


@router.get("/applications", response=list[ApplicationOut], summary="政策申请（快申快享、申报）")
def list_applications(
    request: UserRequest, filters: Query[ApplicationFilter]
) -> list[dict[str, Any]]:
    qs = access.visible_applications(request.user, current_park(request)).select_related("entity")
    if filters.policy_id:
        qs = qs.filter(policy_id=filters.policy_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return [_app(a) for a in qs[:1000]]


@router.post(
    "/applications",
    response={201: ApplicationOut},
    summary="提出申请（快申快享 60 个工作日内兑付）",
)
def create_application(request: UserRequest, payload: ApplicationIn) -> Status:
    user, park = request.user, current_park(request)
    policy = access.get_policy(user, park, payload.policy_id)
    entity = get_entity(user, park, payload.entity_id)
    return Status(201, _app(services.apply(user, policy, entity, payload.note)))


def _application(request: UserRequest, application_id: int) -> Application:
    access.require_decide(request.user)
    return access.get_application(request.user, current_park(request), application_id)


@router.post("/applications/{application_id}/approve", response=ApplicationOut, summary="审核通过")
def approve(request: UserRequest, application_id: Id, payload: ApproveIn) -> dict[str, Any]:
    app = _application(request, application_id)
    return _app(services.approve_application(request.user, app, payload.amount_wan, payload.note))


@router.post("/applications/{application_id}/pay", response=ApplicationOut, summary="登记兑付")
def pay(request: UserRequest, application_id: Id, payload: PayIn) -> dict[str, Any]:
    app = _application(request, application_id)
    return _app(services.pay_application(request.user, app, payload.paid_on))


@router.post(
    "/applications/{application_id}/reject",
    response=ApplicationOut,
    summary="不予支持（须说明理由）",
)
def reject(request: UserRequest, application_id: Id, payload: ReasonNoteIn) -> dict[str, Any]:
    app = _application(request, application_id)
    return _app(services.reject_application(request.user, app, payload.note))
