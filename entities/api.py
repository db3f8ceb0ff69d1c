import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from entities import profile, purchases, services, sizing
from entities.models import (
    Certification,
    EntityKind,
    MarketEntity,
    Purchase,
    PurchaseSource,
    SizeStandard,
    Tier,
    YearlyFigure,
)
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from orgs.models import Role, User
from qinshang import industries
from qinshang.errors import NotFound
from qinshang.limits import Id, Line, PageNo, Text

router = Router(tags=["市场主体"])


class EntityTier(enum.IntEnum):
    """联系层级 (entities.models.Tier): 1 重点（领导联系）、2 规上/重点项目、3 一般.

    Its own name in the OpenAPI: the ledger's 解决层级 is called Tier there."""

    KEY = Tier.KEY.value
    MAJOR = Tier.MAJOR.value
    GENERAL = Tier.GENERAL.value


class ContactIO(Schema):
    name: Line
    phone: Line
    position: Line = ""
    is_primary: bool = False


class EnterpriseIn(Schema):
    name: Line = Field(..., max_length=200)
    kind: EntityKind
    credit_code: Line = ""
    industry: Line = ""
    address: Line = ""
    tier: EntityTier | None = None
    legal_representative: Line = ""
    employees: int | None = Field(None, description="从业人员（人）")
    annual_revenue_wan: Decimal | None = Field(None, description="营业收入（万元）")
    total_assets_wan: Decimal | None = Field(None, description="资产总额（万元）")
    registered_capital_wan: Decimal | None = None
    industry_detail: Line = Field("", description="行业中类/小类（3–4 位，如 701、5920）")
    business_scope: Text = Field("", description="经营范围")
    main_business: Line = Field("", description="主营业务")
    contacts: list[ContactIO] = []
    credit_code_confirm_reason: Text = ""


class EnterpriseOut(Schema):
    id: int
    name: str
    kind: EntityKind
    kind_label: str
    credit_code: str
    credit_code_confirmed: bool
    tier: EntityTier
    industry: str
    industry_label: str
    address: str
    industry_detail: str
    employees: int | None
    annual_revenue_wan: Decimal | None
    total_assets_wan: Decimal | None
    figures_year: int | None
    size_class: str | None = Field(
        None, description="large / medium / small / micro；经营数据不全或行业无法划型时为 null"
    )
    size_class_label: str
    size_rule: str
    liaison_id: int | None
    liaison_name: str | None

    @staticmethod
    def resolve_size_class(obj: MarketEntity) -> str | None:
        return obj.size_class or None

    @staticmethod
    def resolve_size_class_label(obj: MarketEntity) -> str:
        return profile.size_label(obj)

    @staticmethod
    def resolve_size_rule(obj: MarketEntity) -> str:
        basis = obj.size_basis or {}
        return str(basis.get("rule") or basis.get("reason") or "")

    @staticmethod
    def resolve_kind_label(obj: MarketEntity) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_credit_code_confirmed(obj: MarketEntity) -> bool:
        return obj.credit_code_confirmed_by_id is not None

    @staticmethod
    def resolve_industry_label(obj: MarketEntity) -> str:
        return industries.label(obj.industry) if obj.industry else ""

    @staticmethod
    def resolve_liaison_name(obj: MarketEntity) -> str | None:
        return obj.liaison.display_name if obj.liaison_id and obj.liaison else None


class SuggestionEvidenceOut(Schema):
    text: str = Field(..., description="名称或经营范围中起作用的部分")
    phrase: str = Field(..., description="GB/T 4754-2017 中与之匹配的类目表述")
    division: str
    weight: float


class SuggestionAltOut(Schema):
    division: str
    label: str
    share: float


class IndustrySuggestionOut(Schema):
    section: str = Field(..., description="门类字母")
    section_label: str
    division: str = Field(..., description="大类代码")
    division_label: str
    confidence: float = Field(..., description="0–1")
    words: list[str]
    evidence: list[SuggestionEvidenceOut]
    alternatives: list[SuggestionAltOut]


class EnterpriseDetail(EnterpriseOut):
    legal_representative: str
    registered_capital_wan: Decimal | None
    business_scope: str
    main_business: str
    industry_suggestion: IndustrySuggestionOut | None
    contacts: list[ContactIO]

    @staticmethod
    def resolve_industry_suggestion(obj: MarketEntity) -> dict | None:
        return obj.industry_suggestion or None

    @staticmethod
    def resolve_contacts(obj: MarketEntity) -> list:
        return list(obj.contacts.all())


class EnterprisePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EnterpriseOut]


class EnterpriseFilter(Schema):
    q: Line | None = None
    kind: EntityKind | None = None
    liaison_id: Id | None = None
    page: PageNo = 1
    page_size: int = Field(50, ge=1, le=200)


@router.get("/enterprises", response=EnterprisePage, summary="市场主体列表")
def list_enterprises(request: UserRequest, filters: Query[EnterpriseFilter]) -> dict:
    park = current_park(request)
    qs = services.visible_entities(request.user, park).select_related("liaison")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(credit_code=filters.q.upper()))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.liaison_id:
        qs = qs.filter(liaison_id=filters.liaison_id)
    qs = qs.order_by("tier", "name", "id")
    start = (filters.page - 1) * filters.page_size
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": list(qs[start : start + filters.page_size]),
    }


@router.post("/enterprises", response={201: EnterpriseDetail}, summary="登记市场主体")
def create_enterprise(request: UserRequest, payload: EnterpriseIn) -> Status:
    park = current_park(request)
    data = payload.dict()
    data["contacts"] = [c for c in data["contacts"]]
    entity = services.create_entity(request.user, park, services.EntityInput(**data))
    return Status(201, entity)


@router.get("/enterprises/{entity_id}", response=EnterpriseDetail, summary="市场主体详情")
def get_enterprise(request: UserRequest, entity_id: Id) -> MarketEntity:
    park = current_park(request)
    return services.get_entity(request.user, park, entity_id)


# ------------------------------------------------------------------ 一企一档: figures, certifications


def _entity(request: UserRequest, entity_id: int) -> tuple[User, MarketEntity]:
    user = request.user
    return user, services.get_entity(user, current_park(request), entity_id)


class YearlyFigureIn(Schema):
    # Fields default so that the entity is checked (403/404) before the body (422).
    year: int | None = Field(None, description="年度（必填）")
    employees: int | None = Field(None, description="从业人员（人），不能为负")
    employees_source: Line = ""
    employees_date: dt.date | None = None
    annual_revenue_wan: Decimal | None = Field(None, description="营业收入（万元），不能为负")
    revenue_source: Line = ""
    revenue_date: dt.date | None = None
    total_assets_wan: Decimal | None = Field(None, description="资产总额（万元），不能为负")
    assets_source: Line = ""
    assets_date: dt.date | None = None


class YearlyFigureOut(Schema):
    id: int
    year: int
    employees: int | None
    employees_source: str
    employees_date: dt.date | None
    annual_revenue_wan: Decimal | None
    revenue_source: str
    revenue_date: dt.date | None
    total_assets_wan: Decimal | None
    assets_source: str
    assets_date: dt.date | None


class CertificationIn(Schema):
    kind: Line = Field(
        "", description="high_tech、little_giant、provincial_srdi … 或中文名称（必填）"
    )
    valid_from: dt.date | None = Field(None, description="有效期起（必填）")
    valid_until: dt.date | None = None
    name: Line = ""
    number: Line = ""
    issuer: Line = ""
    source: Line = ""


class CertificationOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date | None
    source: str
    revoked_reason: str
    valid_today: bool

    @staticmethod
    def resolve_valid_today(obj: Certification) -> bool:
        return obj.valid_on(dt.date.today())


class ReasonIn(Schema):
    reason: Text = ""


class SizeClassOut(Schema):
    size_class: str | None = Field(None, description="large / medium / small / micro 或 null")
    label: str
    computed: str | None = Field(None, description="按标准计算的规模（人工认定之前）")
    rule: str = Field(..., description="起决定作用的标准条款")
    row: str
    version: str
    year: int | None
    missing: list[str]
    reason: str
    override: str | None
    override_reason: str


class SizeOverrideIn(Schema):
    size_class: Line = Field("", description="large / medium / small / micro；空串为取消人工认定")
    reason: Text = Field("", description="理由（必填）")


class IndustrySuggestIn(Schema):
    name: Line = ""
    business_scope: Text = ""
    main_business: Line = ""


class SizeStandardOut(Schema):
    version: str
    title: str
    effective_from: dt.date
    rows: list[dict[str, Any]]

    @staticmethod
    def resolve_rows(obj: SizeStandard) -> list:
        return list(obj.table.get("rows", []))


def _size(entity: MarketEntity) -> dict[str, Any]:
    result = profile.compute_size(entity)
    return {
        **result.as_dict(),
        "size_class": entity.size_class or None,
        "label": sizing.LABELS.get(entity.size_class, "未划型"),
        "computed": result.size_class,
        "year": entity.figures_year,
        "override": entity.size_override or None,
        "override_reason": entity.size_override_reason,
    }


@router.get(
    "/enterprises/{entity_id}/figures", response=list[YearlyFigureOut], summary="年度经营数据"
)
def list_figures(request: UserRequest, entity_id: Id) -> list[YearlyFigure]:
    _, entity = _entity(request, entity_id)
    return list(entity.figures.order_by("-year"))


@router.post(
    "/enterprises/{entity_id}/figures",
    response={201: YearlyFigureOut},
    summary="录入或更正一个年度的经营数据",
)
def add_figures(request: UserRequest, entity_id: Id, payload: YearlyFigureIn) -> Status:
    user, entity = _entity(request, entity_id)
    row = profile.record_figures(user, entity, profile.FigureInput(**payload.dict()))
    return Status(201, row)


@router.get(
    "/enterprises/{entity_id}/certifications",
    response=list[CertificationOut],
    summary="资质认定（高新技术企业、专精特新等）",
)
def list_certifications(request: UserRequest, entity_id: Id) -> list[Certification]:
    _, entity = _entity(request, entity_id)
    return list(entity.certifications.order_by("-valid_from"))


@router.post(
    "/enterprises/{entity_id}/certifications",
    response={201: CertificationOut},
    summary="登记资质认定",
)
def add_certification(request: UserRequest, entity_id: Id, payload: CertificationIn) -> Status:
    user, entity = _entity(request, entity_id)
    cert = profile.add_certification(user, entity, profile.CertificationInput(**payload.dict()))
    return Status(201, cert)


@router.post(
    "/enterprises/{entity_id}/certifications/{cert_id}/revoke",
    response=CertificationOut,
    summary="撤销资质认定（须说明理由）",
)
def revoke_certification(
    request: UserRequest, entity_id: Id, cert_id: Id, payload: ReasonIn
) -> Certification:
    user, entity = _entity(request, entity_id)
    cert = entity.certifications.filter(pk=cert_id).first()
    if cert is None:
        raise NotFound("资质认定不存在")
    return profile.revoke_certification(user, cert, payload.reason)


@router.get(
    "/enterprises/{entity_id}/size-class", response=SizeClassOut, summary="企业规模及划型依据"
)
def get_size_class(request: UserRequest, entity_id: Id) -> dict:
    _, entity = _entity(request, entity_id)
    return _size(entity)


@router.post(
    "/enterprises/{entity_id}/size-class/override",
    response=SizeClassOut,
    summary="人工认定企业规模（须说明理由；size_class 为空串即取消）",
)
def override_size_class(request: UserRequest, entity_id: Id, payload: SizeOverrideIn) -> dict:
    user, entity = _entity(request, entity_id)
    entity = profile.override_size(user, entity, payload.size_class, payload.reason)
    return _size(entity)


@router.post(
    "/industry-suggestions",
    response={200: IndustrySuggestionOut | None},
    summary="按名称和经营范围建议国民经济行业（门类、大类）",
)
def suggest_industry(request: UserRequest, payload: IndustrySuggestIn) -> dict | None:
    park = current_park(request)
    user = request.user
    # Requesters and experts see no other entities: the park's examples are not theirs to probe.
    staff = user.role not in (Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT)
    park_for_examples = park if staff and user.in_park(park.pk) else None
    return profile.suggestion_dict(
        profile.suggest_industry(
            park_for_examples, payload.name, payload.business_scope, payload.main_business
        )
    )


@router.get("/size-standards", response=list[SizeStandardOut], summary="企业划型标准（各版本）")
def list_size_standards(request: UserRequest) -> list[SizeStandard]:
    return list(SizeStandard.objects.order_by("-effective_from"))


# -- purchases from local firms ---------------------------------------------------------------


class PurchaseIn(Schema):
    # Fields default so that the entity is checked (403/404) before the body (422).
    amount_wan: Decimal | None = Field(None, description="采购金额（万元），大于 0")
    purchased_on: dt.date | None = Field(None, description="采购日期（必填）")
    supplier_id: Id | None = Field(None, description="供应商：本园区市场主体 id")
    supplier_name: Line = Field("", description="园区外供应商名称")
    supplier_credit_code: Line = Field("", description="园区外供应商统一社会信用代码")
    evidence: Line = Field("", description="凭证（合同号、发票号）")
    local_sei: bool | None = Field(
        None, description="供应商是否本地战略性新兴产业企业（空：按其资质认定判断）"
    )
    local_sei_basis: Line = Field("", description="声明为是时的依据")


class PurchaseOut(Schema):
    id: int
    buyer_id: int
    supplier_id: int | None
    supplier_name: str
    supplier_credit_code: str
    amount_wan: Decimal
    purchased_on: dt.date
    evidence: str
    source: PurchaseSource
    local_sei: bool
    local_sei_basis: str
    voided_reason: str


@router.get(
    "/enterprises/{entity_id}/purchases",
    response=list[PurchaseOut],
    summary="本地采购记录（3% 补助的依据）",
)
def list_purchases(request: UserRequest, entity_id: Id) -> list[Purchase]:
    _, entity = _entity(request, entity_id)
    return list(entity.purchases.order_by("-purchased_on", "-id"))


@router.post(
    "/enterprises/{entity_id}/purchases", response={201: PurchaseOut}, summary="登记本地采购"
)
def add_purchase(request: UserRequest, entity_id: Id, payload: PurchaseIn) -> Status:
    user, entity = _entity(request, entity_id)
    profile.require_edit(user, entity)
    row = purchases.record_purchase(user, entity, purchases.PurchaseInput(**payload.dict()))
    return Status(201, row)


@router.post(
    "/enterprises/{entity_id}/purchases/{purchase_id}/void",
    response=PurchaseOut,
    summary="作废采购记录（须说明理由）",
)
def void_purchase(
    request: UserRequest, entity_id: Id, purchase_id: Id, payload: ReasonIn
) -> Purchase:
    user, entity = _entity(request, entity_id)
    row = entity.purchases.filter(pk=purchase_id).first()
    if row is None:
        raise NotFound("采购记录不存在")
    return purchases.void_purchase(user, row, payload.reason)
