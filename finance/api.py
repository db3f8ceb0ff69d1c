"""/api/v1/finance: 银企对接 — institutions, their products, financing needs, consents, needs shown
to institutions and their answers, and what a bank may read of consenting enterprises.

Every list and detail goes through finance.access; a bank user reaches nothing else of the API
(finance.gate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from finance import access, services
from finance.models import (
    Consent,
    ConsentField,
    Disbursement,
    FinancingNeed,
    FinancingStatus,
    Institution,
    InstitutionKind,
    Product,
    ProductType,
    Referral,
    ReferralStatus,
    Urgency,
)
from orgs.access import UserRequest, request_park
from orgs.models import Park, Role
from qinshang.limits import Id, Line, PageNo, Text

router = Router(tags=["银企对接"])


class InstitutionOut(Schema):
    id: int
    name: str
    kind: InstitutionKind
    contact_name: str
    contact_phone: str
    answer_working_days: int
    is_active: bool


class InstitutionIn(Schema):
    name: Line = Field(..., max_length=100, description="机构名称")
    kind: InstitutionKind
    contact_name: Line = Field("", max_length=50)
    contact_phone: Line = Field("", max_length=20)
    address: Line = Field("", max_length=200)
    answer_working_days: int = Field(5, description="答复时限（工作日，1–30）")


class ProductOut(Schema):
    id: int
    institution_id: int
    institution: str
    name: str
    type: ProductType
    min_amount_wan: Decimal
    max_amount_wan: Decimal
    rate_min_pct: Decimal
    rate_max_pct: Decimal
    term_min_months: int
    term_max_months: int
    conditions: str


class ProductIn(Schema):
    name: Line = Field(..., max_length=100)
    type: ProductType
    min_amount_wan: Decimal = Field(..., description="最低额度（万元）")
    max_amount_wan: Decimal = Field(..., description="最高额度（万元）")
    rate_min_pct: Decimal = Field(..., description="年利率下限（%）")
    rate_max_pct: Decimal = Field(..., description="年利率上限（%）")
    term_min_months: int
    term_max_months: int
    conditions: Text = Field("", max_length=2000)


class NeedOut(Schema):
    id: int
    number: str
    entity_id: int
    enterprise: str | None = Field(None, description="企业名称（金融机构仅在获授权时可见）")
    amount_wan: Decimal
    purpose: str
    collateral: str
    term_months: int | None
    urgency: Urgency
    status: FinancingStatus
    created_at: dt.datetime


class NeedIn(Schema):
    entity_id: Id
    amount_wan: Decimal = Field(..., description="融资金额（万元）")
    purpose: Text = Field(..., max_length=2000)
    collateral: Line = Field("", max_length=300)
    term_months: int | None = None
    urgency: Urgency = Urgency.NORMAL


class NeedFilter(Schema):
    status: FinancingStatus | None = None
    q: Line = Field("", max_length=50)
    page: PageNo = 1
    page_size: int = Field(20, ge=1, le=200)


class NeedPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[NeedOut]


class ConsentOut(Schema):
    id: int
    entity_id: int
    enterprise: str | None
    institution_id: int
    institution: str
    fields: list[ConsentField]
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None


class ConsentIn(Schema):
    entity_id: Id
    institution_id: Id
    fields: list[ConsentField] = Field(..., description="授权共享的信息")


class WithdrawIn(Schema):
    reason: Line = Field("", max_length=200)


class ReferralIn(Schema):
    institution_id: Id
    product_id: Id | None = None


class ReferralOut(Schema):
    id: int
    need_id: int
    need_number: str
    amount_wan: Decimal
    institution_id: int
    institution: str
    product: str | None
    shown_at: dt.datetime
    deadline: dt.date
    overdue: bool
    status: ReferralStatus
    answered_at: dt.datetime | None
    decline_reason: str
    approved_amount_wan: Decimal | None
    rate_pct: Decimal | None
    term_months: int | None
    subsidy_pct: Decimal | None
    urge_count: int


class AnswerIn(Schema):
    approved: bool = Field(..., description="true 批准；false 拒绝（须填拒绝理由）")
    approved_amount_wan: Decimal | None = None
    rate_pct: Decimal | None = Field(None, description="年利率（%）")
    term_months: int | None = None
    subsidy_pct: Decimal | None = Field(None, description="贴息（百分点）")
    decline_reason: Text = Field("", max_length=1000)
    note: Text = Field("", max_length=1000)


class DisbursementOut(Schema):
    id: int
    referral_id: int
    institution: str
    amount_wan: Decimal = Field(..., description="放款金额（万元）")
    disbursed_on: dt.date
    term_months: int
    rate_pct: Decimal = Field(..., description="年利率（%）")
    note: str
    recorded_by: str = Field(..., description="登记人（金融机构用户或园区工作人员）")
    recorded_at: dt.datetime
    voided: bool
    voided_at: dt.datetime | None
    void_reason: str


class DisbursementIn(Schema):
    amount_wan: Decimal = Field(..., description="放款金额（万元），大于 0，累计不超过批准金额")
    disbursed_on: dt.date = Field(..., description="放款日期，不早于批准日期、不晚于今天")
    term_months: int = Field(..., description="期限（月）")
    rate_pct: Decimal = Field(..., description="年利率（%）")
    note: Line = Field("", max_length=500)


class VoidIn(Schema):
    reason: Line = Field("", max_length=200, description="作废理由（必填）")


class FigureRow(Schema):
    year: int
    employees: int | None
    annual_revenue_wan: Decimal | None
    total_assets_wan: Decimal | None


class ContactOut(Schema):
    name: str
    phone: str
    position: str


class SharedEnterpriseOut(Schema):
    """Only the fields the enterprise consented to share with the caller's institution."""

    entity_id: int
    fields: list[ConsentField]
    name: str | None
    credit_code: str | None
    industry: str | None
    size_class: str | None
    figures: list[FigureRow]
    certifications: list[str]
    contacts: list[ContactOut]


def _institution(i: Institution) -> dict:
    return {
        "id": i.pk,
        "name": i.name,
        "kind": i.kind,
        "contact_name": i.contact_name,
        "contact_phone": i.contact_phone,
        "answer_working_days": i.answer_working_days,
        "is_active": i.is_active,
    }


def _product(p: Product) -> dict:
    return {
        "id": p.pk,
        "institution_id": p.institution_id,
        "institution": p.institution.name,
        "name": p.name,
        "type": p.type,
        "min_amount_wan": p.min_amount_wan,
        "max_amount_wan": p.max_amount_wan,
        "rate_min_pct": p.rate_min_pct,
        "rate_max_pct": p.rate_max_pct,
        "term_min_months": p.term_min_months,
        "term_max_months": p.term_max_months,
        "conditions": p.conditions,
    }


def _need(n: FinancingNeed, names: dict[int, access.SharedProfile] | None) -> dict:
    if names is None:
        enterprise: str | None = n.entity.name
    else:
        shared = names.get(n.entity_id)
        enterprise = shared.name if shared else None
    return {
        "id": n.pk,
        "number": n.number,
        "entity_id": n.entity_id,
        "enterprise": enterprise,
        "amount_wan": n.amount_wan,
        "purpose": n.purpose,
        "collateral": n.collateral,
        "term_months": n.term_months,
        "urgency": n.urgency,
        "status": n.status,
        "created_at": n.created_at,
    }


def _names(request: UserRequest, park: Park) -> dict[int, access.SharedProfile] | None:
    """For a bank user, the shared profiles (the only source of enterprise names); None for the
    park's own users, who see the entity."""
    if request.user.role != Role.BANK:
        return None
    return access.profiles_by_entity(request.user, park)


def _consent(c: Consent, bank: bool) -> dict:
    return {
        "id": c.pk,
        "entity_id": c.entity_id,
        "enterprise": (c.entity.name if "name" in c.fields else None) if bank else c.entity.name,
        "institution_id": c.institution_id,
        "institution": c.institution.name,
        "fields": c.fields,
        "granted_at": c.granted_at,
        "withdrawn_at": c.withdrawn_at,
    }


def _referral(r: Referral) -> dict:
    return {
        "id": r.pk,
        "need_id": r.need_id,
        "need_number": r.need.number,
        "amount_wan": r.need.amount_wan,
        "institution_id": r.institution_id,
        "institution": r.institution.name,
        "product": r.product.name if r.product else None,
        "shown_at": r.shown_at,
        "deadline": r.deadline,
        "overdue": services.is_overdue(r),
        "status": r.status,
        "answered_at": r.answered_at,
        "decline_reason": r.decline_reason,
        "approved_amount_wan": r.approved_amount_wan,
        "rate_pct": r.rate_pct,
        "term_months": r.term_months,
        "subsidy_pct": r.subsidy_pct,
        "urge_count": r.urge_count,
    }


@router.get("/finance/institutions", response=list[InstitutionOut], summary="金融机构")
def institutions(request: UserRequest) -> list[dict]:
    park = request_park(request)
    return [_institution(i) for i in access.visible_institutions(request.user, park)]


@router.post("/finance/institutions", response={201: InstitutionOut}, summary="登记金融机构")
def create_institution(request: UserRequest, payload: InstitutionIn) -> Status:
    park = request_park(request)
    inst = services.create_institution(
        request.user, park, services.NewInstitution(**payload.dict())
    )
    return Status(201, _institution(inst))


@router.get("/finance/products", response=list[ProductOut], summary="金融产品")
def products(request: UserRequest) -> list[dict]:
    park = request_park(request)
    qs = access.visible_products(request.user, park).filter(is_active=True)
    return [_product(p) for p in qs.select_related("institution")[:500]]


@router.post(
    "/finance/institutions/{institution_id}/products",
    response={201: ProductOut},
    summary="发布金融产品",
)
def add_product(request: UserRequest, institution_id: int, payload: ProductIn) -> Status:
    park = request_park(request)
    inst = access.get_institution(request.user, park, institution_id)
    product = services.add_product(request.user, inst, services.NewProduct(**payload.dict()))
    return Status(201, _product(product))


@router.get("/finance/needs", response=NeedPage, summary="融资需求")
def needs(request: UserRequest, filters: Query[NeedFilter]) -> dict:
    park = request_park(request)
    qs = access.visible_needs(request.user, park).select_related("entity")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(number__icontains=filters.q) | qs.filter(purpose__icontains=filters.q)
    names = _names(request, park)
    start = (filters.page - 1) * filters.page_size
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_need(n, names) for n in qs[start : start + filters.page_size]],
    }


@router.post("/finance/needs", response={201: NeedOut}, summary="登记融资需求")
def create_need(request: UserRequest, payload: NeedIn) -> Status:
    park = request_park(request)
    need = services.create_need(request.user, park, services.NewNeed(**payload.dict()))
    return Status(201, _need(need, None))


@router.get("/finance/needs/{need_id}", response=NeedOut, summary="融资需求详情")
def need_detail(request: UserRequest, need_id: int) -> dict:
    park = request_park(request)
    return _need(access.get_need(request.user, park, need_id), _names(request, park))


@router.post(
    "/finance/needs/{need_id}/referrals",
    response={201: ReferralOut},
    summary="向金融机构推送融资需求",
)
def refer(request: UserRequest, need_id: int, payload: ReferralIn) -> Status:
    park = request_park(request)
    need = access.get_need(request.user, park, need_id)
    ref = services.refer(request.user, need, payload.institution_id, payload.product_id)
    return Status(201, _referral(ref))


@router.get("/finance/consents", response=list[ConsentOut], summary="信息授权")
def consents(request: UserRequest) -> list[dict]:
    park = request_park(request)
    bank = request.user.role == Role.BANK
    qs = access.visible_consents(request.user, park).select_related("entity", "institution")
    return [_consent(c, bank) for c in qs[:500]]


@router.post("/finance/consents", response={201: ConsentOut}, summary="授权向金融机构共享信息")
def grant(request: UserRequest, payload: ConsentIn) -> Status:
    park = request_park(request)
    c = services.grant_consent(
        request.user,
        park,
        payload.entity_id,
        payload.institution_id,
        [f.value for f in payload.fields],
    )
    return Status(201, _consent(c, False))


@router.post("/finance/consents/{consent_id}/withdraw", response=ConsentOut, summary="撤回信息授权")
def withdraw(request: UserRequest, consent_id: int, payload: WithdrawIn) -> dict:
    park = request_park(request)
    c = access.get_consent(request.user, park, consent_id)
    return _consent(services.withdraw_consent(request.user, c, payload.reason), False)


@router.get("/finance/referrals", response=list[ReferralOut], summary="推送与答复")
def referrals(request: UserRequest, status: ReferralStatus | None = None) -> list[dict]:
    park = request_park(request)
    qs = access.visible_referrals(request.user, park).select_related(
        "need", "institution", "product"
    )
    if status:
        qs = qs.filter(status=status)
    return [_referral(r) for r in qs[:500]]


@router.get("/finance/referrals/{referral_id}", response=ReferralOut, summary="推送详情")
def referral(request: UserRequest, referral_id: int) -> dict:
    park = request_park(request)
    return _referral(access.get_referral(request.user, park, referral_id))


@router.post(
    "/finance/referrals/{referral_id}/answer", response=ReferralOut, summary="金融机构答复"
)
def answer(request: UserRequest, referral_id: int, payload: AnswerIn) -> dict:
    park = request_park(request)
    ref = services.answer(request.user, park, referral_id, services.Answer(**payload.dict()))
    return _referral(ref)


def _disbursement(d: Disbursement) -> dict:
    return {
        "id": d.pk,
        "referral_id": d.referral_id,
        "institution": d.referral.institution.name,
        "amount_wan": d.amount_wan,
        "disbursed_on": d.disbursed_on,
        "term_months": d.term_months,
        "rate_pct": d.rate_pct,
        "note": d.note,
        "recorded_by": d.recorded_by.display_name,
        "recorded_at": d.recorded_at,
        "voided": d.voided_at is not None,
        "voided_at": d.voided_at,
        "void_reason": d.void_reason,
    }


@router.get(
    "/finance/referrals/{referral_id}/disbursements",
    response=list[DisbursementOut],
    summary="放款记录（含已作废）",
)
def disbursements(request: UserRequest, referral_id: int) -> list[dict]:
    park = request_park(request)
    ref = access.get_referral(request.user, park, referral_id)
    rows = ref.disbursements.select_related("recorded_by", "referral__institution")
    return [_disbursement(d) for d in rows]


@router.post(
    "/finance/referrals/{referral_id}/disbursements",
    response={201: DisbursementOut},
    summary="登记放款",
)
def disburse(request: UserRequest, referral_id: int, payload: DisbursementIn) -> Status:
    park = request_park(request)
    d = services.record_disbursement(
        request.user, park, referral_id, services.NewDisbursement(**payload.dict())
    )
    return Status(201, _disbursement(d))


@router.post(
    "/finance/disbursements/{disbursement_id}/void",
    response=DisbursementOut,
    summary="作废放款记录（须说明理由）",
)
def void_disbursement(request: UserRequest, disbursement_id: int, payload: VoidIn) -> dict:
    park = request_park(request)
    return _disbursement(
        services.void_disbursement(request.user, park, disbursement_id, payload.reason)
    )


@router.get(
    "/finance/enterprises",
    response=list[SharedEnterpriseOut],
    summary="授权企业（金融机构可见的授权字段）",
)
def shared_enterprises(request: UserRequest) -> list[dict]:
    park = request_park(request)
    return [_shared(p) for p in access.shared_profiles(request.user, park)]


@router.get(
    "/finance/enterprises/{entity_id}",
    response=SharedEnterpriseOut,
    summary="授权企业详情（仅授权字段）",
)
def shared_enterprise(request: UserRequest, entity_id: int) -> dict:
    park = request_park(request)
    return _shared(access.shared_profile(request.user, park, entity_id))


def _shared(p: access.SharedProfile) -> dict:
    return {
        "entity_id": p.entity_id,
        "fields": p.fields,
        "name": p.name,
        "credit_code": p.credit_code,
        "industry": p.industry,
        "size_class": p.size_class,
        "figures": p.figures,
        "certifications": p.certifications,
        "contacts": p.contacts,
    }
