from decimal import Decimal

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from entities import services
from entities.models import MarketEntity
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from qinshang import industries
from qinshang.limits import Id, Line, PageNo, Text

router = Router(tags=["市场主体"])


class ContactIO(Schema):
    name: Line
    phone: Line
    position: Line = ""
    is_primary: bool = False


class EnterpriseIn(Schema):
    name: Line = Field(..., max_length=200)
    kind: Line
    credit_code: Line = ""
    industry: Line = ""
    address: Line = ""
    tier: int | None = None
    legal_representative: Line = ""
    employees: int | None = None
    annual_revenue_wan: Decimal | None = None
    registered_capital_wan: Decimal | None = None
    contacts: list[ContactIO] = []
    credit_code_confirm_reason: Text = ""


class EnterpriseOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    credit_code: str
    credit_code_confirmed: bool
    tier: int
    industry: str
    industry_label: str
    address: str
    employees: int | None
    annual_revenue_wan: Decimal | None
    liaison_id: int | None
    liaison_name: str | None

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


class EnterpriseDetail(EnterpriseOut):
    legal_representative: str
    registered_capital_wan: Decimal | None
    contacts: list[ContactIO]

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
    kind: Line | None = None
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
