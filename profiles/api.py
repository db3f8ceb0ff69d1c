"""/api/v1/profiles/{entity_id}: the 一企一档 of one entity, every section through the same
dossier.build the page uses, so each part is scoped by its own app's access function (a
department sees the market but no financing need, a liaison the needs of those it serves).

The park's staff open any entity of the park, as on the page; enterprise and resident accounts get
403 (the dossier is the park's working file), and so does a 金融机构 user, as on every route
outside 银企对接."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema

from entities import services as entities
from entities import sizing
from entities.api import CertificationOut, EnterpriseDetail, SizeClassOut, YearlyFigureOut
from entities.api import _size as size_dict
from finance.models import FinancingStatus as FinanceNeedStatus
from finance.models import ReferralStatus, Urgency
from matchmaking.models import NeedStatus as MarketNeedStatus
from matchmaking.models import OfferKind, OfferStatus, OrderStatus, Side
from meetings.models import MeetingKind
from orgs.access import request_park as current_park
from orgs.models import User
from policies.models import ApplicationStatus, GrantStatus, Track
from profiles import dossier
from projects.models import Level, Stage
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


class ProfileProductOut(Schema):
    id: int
    kind: OfferKind
    name: str
    spec: str
    capacity: str
    industry: str
    chain_link: str
    share_city: bool
    status: OfferStatus


class ProfileMarketNeedOut(Schema):
    id: int
    title: str
    volume: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: MarketNeedStatus
    created_at: dt.datetime


class ProfileOrderOut(Schema):
    id: int
    event_id: int
    subject: str
    as_counterparty: bool = Field(..., description="true：本企业是对方单位（订单由另一家企业登记）")
    side: Side | None = Field(None, description="本企业在订单中的身份；作为对方单位时为 null")
    counterparty: str = Field(..., description="另一方的名称")
    amount_wan: Decimal
    status: OrderStatus
    signed_on: dt.date | None
    fulfilled_on: dt.date | None


class ProfileDisbursementOut(Schema):
    id: int
    referral_id: int
    institution: str
    amount_wan: Decimal
    disbursed_on: dt.date
    term_months: int
    rate_pct: Decimal
    voided: bool
    void_reason: str


class ProfileAnswerOut(Schema):
    referral_id: int
    institution: str
    product: str | None
    status: ReferralStatus
    deadline: dt.date
    answered_at: dt.datetime | None
    approved_amount_wan: Decimal | None
    rate_pct: Decimal | None
    term_months: int | None
    subsidy_pct: Decimal | None
    decline_reason: str
    disbursements: list[ProfileDisbursementOut] = Field(..., description="放款记录（含已作废）")


class ProfileFinancingOut(Schema):
    id: int
    number: str
    amount_wan: Decimal
    purpose: str
    term_months: int | None
    urgency: Urgency
    status: FinanceNeedStatus
    created_at: dt.datetime
    answers: list[ProfileAnswerOut]


class ProfileLoansOut(Schema):
    label: str = Field(..., description="“已放款（贷款发放）”：贷款按放款记录计，批准不算")
    count: int
    amount_wan: Decimal
    approved_count: int = Field(..., description="已批准的答复数（承诺，尚不是贷款）")
    approved_amount_wan: Decimal
    rows: list[ProfileDisbursementOut] = Field(..., description="有效的放款记录")


class ProfileGrantOut(Schema):
    id: int
    policy_id: int
    policy: str
    track: Track
    status: GrantStatus
    period_start: dt.date
    period_end: dt.date
    amount_wan: Decimal | None


class ProfileApplicationOut(Schema):
    id: int
    policy_id: int
    policy: str
    status: ApplicationStatus
    submitted_on: dt.date
    payout_deadline: dt.date | None
    amount_wan: Decimal | None


class ProfileUnclaimedOut(Schema):
    id: int
    policy_id: int
    policy: str
    track: Track
    opened_at: dt.datetime


class ProfilePoliciesOut(Schema):
    granted: list[ProfileGrantOut] = Field(..., description="已享受（不含未通过的）")
    applications: list[ProfileApplicationOut]
    unclaimed: list[ProfileUnclaimedOut] = Field(..., description="有政策未享受")


class ProfileAgendaOut(Schema):
    meeting_id: int
    meeting: str
    kind: MeetingKind
    date: dt.date
    title: str = Field(..., description="议题")


class ProfileProjectOut(Schema):
    id: int
    name: str
    level: Level
    stage: Stage
    investment_wan: Decimal
    signed_on: dt.date


class ProfileOut(Schema):
    enterprise: EnterpriseDetail
    size_class: str | None = Field(None, description="large / medium / small / micro 或 null")
    size_class_label: str
    size_rule: str = Field(..., description="起决定作用的标准条款")
    size_reason: str
    size: SizeClassOut
    figures: list[YearlyFigureOut] = Field(..., description="年度经营数据，每项带来源与日期")
    certifications: list[CertificationOut] = Field(..., description="资质认定及有效期")
    demand_count: int
    open_demands: int
    recent_demands: list[ProfileDemandOut]
    visits: int
    meetings: int
    agenda: list[ProfileAgendaOut] = Field(..., description="上会记录（接待日、调度会……）")
    projects: list[str]
    key_projects: list[ProfileProjectOut]
    products: list[ProfileProductOut] = Field(..., description="产品与配套能力")
    purchasing_needs: list[ProfileMarketNeedOut]
    signed_orders: list[ProfileOrderOut] = Field(..., description="已签约、已履约的订单")
    financing: list[ProfileFinancingOut] = Field(..., description="融资需求与金融机构答复")
    loans: ProfileLoansOut
    policies: ProfilePoliciesOut
    plan: ServicePlanOut | None = Field(None, description="一企一策（仅园区工作人员可见）")


def require_api_view(user: User) -> None:
    """The page's viewers only: the dossier carries liaison history, visit notes and the 一企一策,
    which are the park's working papers, not the enterprise's (its portal shows what is its own)."""
    dossier.require_view(user)


def _plan(d: dossier.Dossier) -> dict[str, Any] | None:
    p = d.active_plan
    if p is None:
        return None
    return {
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


def _disbursement(x: Any) -> dict[str, Any]:
    return {
        "id": x.pk,
        "referral_id": x.referral_id,
        "institution": x.referral.institution.name,
        "amount_wan": x.amount_wan,
        "disbursed_on": x.disbursed_on,
        "term_months": x.term_months,
        "rate_pct": x.rate_pct,
        "voided": x.voided_at is not None,
        "void_reason": x.void_reason,
    }


def _financing(f: dossier.Financing) -> dict[str, Any]:
    n = f.need
    return {
        "id": n.pk,
        "number": n.number,
        "amount_wan": n.amount_wan,
        "purpose": n.purpose,
        "term_months": n.term_months,
        "urgency": n.urgency,
        "status": n.status,
        "created_at": n.created_at,
        "answers": [
            {
                "referral_id": r.pk,
                "institution": r.institution.name,
                "product": r.product.name if r.product else None,
                "status": r.status,
                "deadline": r.deadline,
                "answered_at": r.answered_at,
                "approved_amount_wan": r.approved_amount_wan,
                "rate_pct": r.rate_pct,
                "term_months": r.term_months,
                "subsidy_pct": r.subsidy_pct,
                "decline_reason": r.decline_reason,
                "disbursements": [_disbursement(x) for x in getattr(r, "lent", [])],
            }
            for r in f.answers
        ],
    }


def _order(o: Any, entity_id: int) -> dict[str, Any]:
    mine = o.enterprise_id == entity_id
    return {
        "id": o.pk,
        "event_id": o.event_id,
        "subject": o.subject,
        "as_counterparty": not mine,
        "side": o.side if mine else None,
        "counterparty": o.counterparty_name if mine else o.enterprise.name,
        "amount_wan": o.amount_wan,
        "status": o.status,
        "signed_on": o.signed_on,
        "fulfilled_on": o.fulfilled_on,
    }


@router.get("/profiles/{entity_id}", response=ProfileOut, summary="一企一档：企业全景档案")
def get_profile(request: HttpRequest, entity_id: Id) -> dict[str, Any]:
    user = cast(User, request.user)
    park = current_park(request)
    require_api_view(user)
    entity = entities.get_entity(user, park, entity_id)
    d = dossier.build(user, park, entity)
    return {
        "enterprise": entity,
        "size_class": entity.size_class or None,
        "size_class_label": sizing.LABELS.get(entity.size_class, "未划型"),
        "size_rule": d.size.rule,
        "size_reason": d.size.reason,
        "size": size_dict(entity),
        "figures": d.figures,
        "certifications": d.certifications,
        "demand_count": d.demand_count,
        "open_demands": d.open_demands,
        "recent_demands": list(d.demands[:10]),
        "visits": len(d.visits),
        "meetings": len(d.agenda),
        "agenda": [
            {
                "meeting_id": i.meeting_id,
                "meeting": str(i.meeting),
                "kind": i.meeting.kind,
                "date": i.meeting.date,
                "title": i.title,
            }
            for i in d.agenda
        ],
        "projects": [p.name for p in d.projects],
        "key_projects": d.projects,
        "products": d.products,
        "purchasing_needs": d.market_needs,
        "signed_orders": [_order(o, entity.pk) for o in d.orders],
        "financing": [_financing(f) for f in d.financing],
        "loans": {
            "label": "已放款（贷款发放）",
            "count": len(d.loans),
            "amount_wan": sum((x.amount_wan for x in d.loans), Decimal(0)),
            "approved_count": len(d.approvals),
            "approved_amount_wan": sum(
                (r.approved_amount_wan or Decimal(0) for r in d.approvals), Decimal(0)
            ),
            "rows": [_disbursement(x) for x in d.loans],
        },
        "policies": {
            "granted": [
                {
                    "id": g.pk,
                    "policy_id": g.policy_id,
                    "policy": g.policy.title,
                    "track": g.policy.track,
                    "status": g.status,
                    "period_start": g.period_start,
                    "period_end": g.period_end,
                    "amount_wan": g.amount_wan,
                }
                for g in d.policy_grants
            ],
            "applications": [
                {
                    "id": a.pk,
                    "policy_id": a.policy_id,
                    "policy": a.policy.title,
                    "status": a.status,
                    "submitted_on": a.submitted_on,
                    "payout_deadline": a.payout_deadline,
                    "amount_wan": a.amount_wan,
                }
                for a in d.policy_applications
            ],
            "unclaimed": [
                {
                    "id": u.pk,
                    "policy_id": u.policy_id,
                    "policy": u.policy.title,
                    "track": u.policy.track,
                    "opened_at": u.opened_at,
                }
                for u in d.policy_unclaimed
            ],
        },
        "plan": _plan(d),
    }
