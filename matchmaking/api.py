"""/api/v1/matchmaking: products, purchasing needs and their matches, events, invitations,
registrations, one-to-one slots, orders and their follow-up, and the year's figures.

Scoped by matchmaking.access like the pages; bad input answers 422 (409 for a state conflict such
as a slot booked twice) with the service's Chinese message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from matchmaking import access, chains, services
from matchmaking.models import (
    EventKind,
    EventStatus,
    MatchEvent,
    Need,
    NeedStatus,
    OfferKind,
    OfferStatus,
    Order,
    OrderStatus,
    Product,
    Registration,
    Side,
    Slot,
)
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from qinshang import industries
from qinshang.errors import Forbidden
from qinshang.limits import Id, Line, PageNo, Text

router = Router(tags=["供需对接"])


class MmMatchQuery(Schema):
    limit: int = Field(10, ge=1, le=50, description="返回条数")


class MmYearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")


class MmRef(Schema):
    id: int
    name: str


class MmChainLink(Schema):
    code: str
    name: str
    chain: str
    chain_name: str
    industries: list[str]
    upstream: list[str]


class MmProductIn(Schema):
    enterprise_id: Id = Field(..., description="发布企业（市场主体编号）")
    kind: OfferKind = OfferKind.PRODUCT
    name: Line = Field(..., min_length=1, max_length=100, description="产品名称")
    industry: Line = Field(..., max_length=2, description="GB/T 4754-2017 两位大类代码，如 36")
    chain_link: Line = Field(
        "", max_length=40, description="产业链环节代码（见 /matchmaking/chains）；空则按行业推断"
    )
    spec: Line = Field("", max_length=200)
    capacity: Line = Field("", max_length=100)
    description: Text = Field("", max_length=2000)
    share_city: bool = Field(False, description="同城共享：同城其他园区匹配时可见")


class MmProductOut(Schema):
    id: int
    enterprise: MmRef
    kind: OfferKind
    name: str
    spec: str
    capacity: str
    description: str
    industry: str
    industry_label: str
    chain_link: str
    chain_link_label: str
    share_city: bool
    status: OfferStatus
    updated_at: dt.datetime


class MmProductPage(Schema):
    count: int
    page: int
    results: list[MmProductOut]


class MmProductFilter(Schema):
    q: Line | None = Field(None, max_length=100, description="产品名称、规格、介绍或企业名称")
    industry: Line | None = Field(None, max_length=2)
    chain_link: Line | None = Field(None, max_length=40)
    kind: OfferKind | None = None
    status: OfferStatus | None = OfferStatus.PUBLISHED
    enterprise_id: Id | None = None
    page: PageNo = 1


def _product(p: Product) -> dict[str, Any]:
    return {
        "id": p.pk,
        "enterprise": {"id": p.enterprise_id, "name": p.enterprise.name},
        "kind": p.kind,
        "name": p.name,
        "spec": p.spec,
        "capacity": p.capacity,
        "description": p.description,
        "industry": p.industry,
        "industry_label": industries.label(p.industry)
        if industries.is_division(p.industry)
        else "",
        "chain_link": p.chain_link,
        "chain_link_label": chains.link_label(p.chain_link),
        "share_city": p.share_city,
        "status": p.status,
        "updated_at": p.updated_at,
    }


PAGE_SIZE = 50


@router.get("/matchmaking/chains", response=list[MmChainLink], summary="产业链环节（数据）")
def list_chain_links(request: UserRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": lk.code,
            "name": lk.name,
            "chain": lk.chain,
            "chain_name": lk.chain_name,
            "industries": list(lk.industries),
            "upstream": list(lk.upstream),
        }
        for lk in chains.links().values()
    ]


@router.get("/matchmaking/products", response=MmProductPage, summary="产品与配套能力（筛选、分页）")
def list_products(request: UserRequest, filters: Query[MmProductFilter]) -> dict[str, Any]:
    park = current_park(request)
    qs = access.visible_products(request.user, park).select_related("enterprise")
    f = filters
    if f.q:
        qs = qs.filter(
            Q(name__icontains=f.q)
            | Q(spec__icontains=f.q)
            | Q(description__icontains=f.q)
            | Q(enterprise__name__icontains=f.q)
        )
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.chain_link:
        qs = qs.filter(chain_link=f.chain_link)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.enterprise_id:
        qs = qs.filter(enterprise_id=f.enterprise_id)
    start = (f.page - 1) * PAGE_SIZE
    return {
        "count": qs.count(),
        "page": f.page,
        "results": [
            _product(p) for p in qs.order_by("-updated_at", "-id")[start : start + PAGE_SIZE]
        ],
    }


@router.post("/matchmaking/products", response={201: MmProductOut}, summary="发布产品或配套能力")
def create_product(request: UserRequest, payload: MmProductIn) -> Status:
    park = current_park(request)
    p = services.publish_product(request.user, park, services.ProductInput(**payload.dict()))
    return Status(201, _product(Product.objects.select_related("enterprise").get(pk=p.pk)))


@router.get("/matchmaking/products/{product_id}", response=MmProductOut, summary="产品详情")
def get_product(request: UserRequest, product_id: Id) -> dict[str, Any]:
    return _product(access.get_product(request.user, current_park(request), product_id))


# --------------------------------------------------------------------------- needs


class MmNeedIn(Schema):
    enterprise_id: Id = Field(..., description="采购企业（市场主体编号）")
    title: Line = Field(..., min_length=1, max_length=100, description="采购内容")
    volume: Line = Field(..., min_length=1, max_length=100, description="采购量，如 每月 2000 套")
    description: Text = Field("", max_length=2000)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    industry: Line = Field("", max_length=2, description="所需产品的 GB/T 4754 大类")
    chain_link: Line = Field("", max_length=40, description="采购方所在产业链环节")
    demand_id: Id | None = Field(None, description="来源诉求（市场拓展）")


class MmNeedOut(Schema):
    id: int
    enterprise: MmRef
    title: str
    description: str
    volume: str
    period_start: dt.date | None
    period_end: dt.date | None
    industry: str
    chain_link: str
    demand_id: int | None
    status: NeedStatus
    created_at: dt.datetime


class MmNeedPage(Schema):
    count: int
    page: int
    results: list[MmNeedOut]


class MmMatchOut(Schema):
    product: MmProductOut
    score: float = Field(..., description="综合匹配度（0–1）")
    text: float = Field(..., description="文本相似度（字符 n-gram TF-IDF 余弦）")
    chain: float = Field(..., description="产业链关系：上游 1、同环节 0.6、同链 0.3")
    locality: float = Field(..., description="本园区 1、同城 0.5")
    reasons: list[str]


def _need(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk,
        "enterprise": {"id": n.enterprise_id, "name": n.enterprise.name},
        "title": n.title,
        "description": n.description,
        "volume": n.volume,
        "period_start": n.period_start,
        "period_end": n.period_end,
        "industry": n.industry,
        "chain_link": n.chain_link,
        "demand_id": n.demand_id,
        "status": n.status,
        "created_at": n.created_at,
    }


@router.get("/matchmaking/needs", response=MmNeedPage, summary="采购需求")
def list_needs(
    request: UserRequest,
    q: Query[Line | None] = None,
    status: Query[NeedStatus | None] = None,
    page: Query[PageNo] = 1,
) -> dict[str, Any]:
    qs = access.visible_needs(request.user, current_park(request)).select_related("enterprise")
    if q:
        qs = qs.filter(Q(title__icontains=q[:100]) | Q(enterprise__name__icontains=q[:100]))
    if status:
        qs = qs.filter(status=status)
    start = (page - 1) * PAGE_SIZE
    return {
        "count": qs.count(),
        "page": page,
        "results": [_need(n) for n in qs.order_by("-created_at", "-id")[start : start + PAGE_SIZE]],
    }


@router.post("/matchmaking/needs", response={201: MmNeedOut}, summary="发布采购需求")
def create_need(request: UserRequest, payload: MmNeedIn) -> Status:
    need = services.create_need(
        request.user, current_park(request), services.NeedInput(**payload.dict())
    )
    return Status(201, _need(need))


@router.get("/matchmaking/needs/{need_id}", response=MmNeedOut, summary="采购需求详情")
def get_need(request: UserRequest, need_id: Id) -> dict[str, Any]:
    return _need(access.get_need(request.user, current_park(request), need_id))


@router.get(
    "/matchmaking/needs/{need_id}/matches",
    response=list[MmMatchOut],
    summary="为采购需求匹配本地供应商（含理由）",
)
def need_matches(request: UserRequest, need_id: Id, q: Query[MmMatchQuery]) -> list[dict[str, Any]]:
    limit = q.limit
    park = current_park(request)
    need = access.get_need(request.user, park, need_id)
    if not access.is_staff(request.user, park):
        raise Forbidden("供应商匹配由园区工作人员查看并对接")
    return [
        {
            "product": _product(m.product),
            "score": m.score,
            "text": m.text,
            "chain": m.chain,
            "locality": m.locality,
            "reasons": m.reasons,
        }
        for m in services.matches_for(need, limit)
    ]


# --------------------------------------------------------------------------- events


class MmEventIn(Schema):
    kind: EventKind
    theme: Line = Field(..., min_length=1, max_length=100)
    date: dt.date
    place: Line = Field("", max_length=100)
    chain: Line = Field("", max_length=20, description="产业链代码，如 auto、building、equipment")
    industry: Line = Field("", max_length=2)
    description: Text = Field("", max_length=2000)


class MmEventFigures(Schema):
    registrations: int
    invitations: int
    slots: int
    intents: int
    signed: int
    signed_enterprises: int
    amount_wan: Decimal
    amount_yi: Decimal
    fulfilled_wan: Decimal


class MmEventOut(Schema):
    id: int
    kind: EventKind
    theme: str
    date: dt.date
    place: str
    chain: str
    industry: str
    description: str
    status: EventStatus
    figures: MmEventFigures | None = Field(None, description="园区工作人员可见")


class MmEventPage(Schema):
    count: int
    page: int
    results: list[MmEventOut]


def _event(ev: MatchEvent, figures: bool = False) -> dict[str, Any]:
    return {
        "id": ev.pk,
        "kind": ev.kind,
        "theme": ev.theme,
        "date": ev.date,
        "place": ev.place,
        "chain": ev.chain,
        "industry": ev.industry,
        "description": ev.description,
        "status": ev.status,
        "figures": services.event_figures(ev) if figures else None,
    }


@router.get("/matchmaking/events", response=MmEventPage, summary="对接活动")
def list_events(
    request: UserRequest,
    y: Query[MmYearQuery],
    kind: Query[EventKind | None] = None,
    status: Query[EventStatus | None] = None,
    page: Query[PageNo] = 1,
) -> dict[str, Any]:
    qs = access.visible_events(request.user, current_park(request))
    if y.year:
        qs = qs.filter(date__year=y.year)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    start = (page - 1) * PAGE_SIZE
    return {
        "count": qs.count(),
        "page": page,
        "results": [_event(e) for e in qs.order_by("-date", "-id")[start : start + PAGE_SIZE]],
    }


@router.post("/matchmaking/events", response={201: MmEventOut}, summary="策划对接活动")
def create_event(request: UserRequest, payload: MmEventIn) -> Status:
    ev = services.plan_event(
        request.user, current_park(request), services.EventInput(**payload.dict())
    )
    return Status(201, _event(ev, True))


@router.get("/matchmaking/events/{event_id}", response=MmEventOut, summary="对接活动详情")
def get_event(request: UserRequest, event_id: Id) -> dict[str, Any]:
    park = current_park(request)
    ev = access.get_event(request.user, park, event_id)
    return _event(ev, access.is_staff(request.user, park))


class MmInviteIn(Schema):
    enterprise_ids: list[Id] = Field(default_factory=list, max_length=2000)
    by_target: bool = Field(False, description="按活动的产业链和行业邀请全部相关企业")


class MmInviteOut(Schema):
    invited: int


@router.post(
    "/matchmaking/events/{event_id}/invitations", response=MmInviteOut, summary="邀请企业（并通知）"
)
def invite(request: UserRequest, event_id: Id, payload: MmInviteIn) -> dict[str, int]:
    ev = access.get_event(request.user, current_park(request), event_id)
    n = services.invite(
        request.user, ev, enterprise_ids=payload.enterprise_ids, by_target=payload.by_target
    )
    return {"invited": n}


class MmRegistrationIn(Schema):
    enterprise_id: Id | None = Field(None, description="企业用户可省略（即本企业）")
    side: Side
    note: Line = Field("", max_length=200)
    contact_name: Line = Field("", max_length=50)
    contact_phone: Line = Field("", max_length=20)


class MmRegistrationOut(Schema):
    id: int
    event_id: int
    enterprise: MmRef
    side: Side
    note: str
    contact_name: str
    contact_phone: str
    created_at: dt.datetime


def _registration(r: Registration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "event_id": r.event_id,
        "enterprise": {"id": r.enterprise_id, "name": r.enterprise.name},
        "side": r.side,
        "note": r.note,
        "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
        "created_at": r.created_at,
    }


@router.get(
    "/matchmaking/events/{event_id}/registrations",
    response=list[MmRegistrationOut],
    summary="报名（企业只看到本企业的）",
)
def list_registrations(request: UserRequest, event_id: Id) -> list[dict[str, Any]]:
    park = current_park(request)
    ev = access.get_event(request.user, park, event_id)
    qs = (
        access.visible_registrations(request.user, park)
        .filter(event=ev)
        .select_related("enterprise")
    )
    return [_registration(r) for r in qs]


@router.post(
    "/matchmaking/events/{event_id}/registrations",
    response={201: MmRegistrationOut},
    summary="报名参加",
)
def create_registration(request: UserRequest, event_id: Id, payload: MmRegistrationIn) -> Status:
    ev = access.get_event(request.user, current_park(request), event_id)
    data = payload.dict()
    if data["enterprise_id"] is None:
        data["enterprise_id"] = access.own_enterprise(request.user) or 0
    reg = services.register(request.user, ev, services.RegistrationInput(**data))
    return Status(201, _registration(reg))


class MmSlotIn(Schema):
    starts_at: dt.datetime = Field(
        ..., description="开始时间（活动当天），如 2026-12-09T09:20:00+08:00"
    )
    table: Line = Field(..., min_length=1, max_length=20, description="洽谈桌，如 A3")
    enterprise_ids: list[Id] = Field(
        ..., min_length=1, max_length=2, description="一或两家报名企业"
    )
    counterparty_name: Line = Field(
        "", max_length=100, description="园区外对方单位（只有一家企业时必填）"
    )
    topic: Line = Field("", max_length=200)
    minutes: int = Field(20, ge=5, le=240)


class MmSlotOut(Schema):
    id: int
    starts_at: dt.datetime
    minutes: int
    table: str
    enterprises: list[MmRef]
    counterparty_name: str
    topic: str


def _slot(s: Slot, own: int | None = None) -> dict[str, Any]:
    seats = [x for x in s.seats.all() if own is None or x.enterprise_id == own]
    return {
        "id": s.pk,
        "starts_at": s.starts_at,
        "minutes": s.minutes,
        "table": s.table,
        "enterprises": [{"id": x.enterprise_id, "name": x.enterprise.name} for x in seats],
        "counterparty_name": s.counterparty_name,
        "topic": s.topic,
    }


@router.get(
    "/matchmaking/events/{event_id}/slots", response=list[MmSlotOut], summary="一对一洽谈安排"
)
def list_slots(request: UserRequest, event_id: Id) -> list[dict[str, Any]]:
    park = current_park(request)
    ev = access.get_event(request.user, park, event_id)
    qs = ev.slots.prefetch_related("seats__enterprise")
    if access.is_staff(request.user, park):
        return [_slot(s) for s in qs]
    own = access.own_enterprise(request.user)
    return [_slot(s, own) for s in qs.filter(seats__enterprise_id=own)] if own else []


@router.post(
    "/matchmaking/events/{event_id}/slots",
    response={201: MmSlotOut},
    summary="安排一对一洽谈（同一企业或洽谈桌同一时间不可重复预约）",
)
def create_slot(request: UserRequest, event_id: Id, payload: MmSlotIn) -> Status:
    ev = access.get_event(request.user, current_park(request), event_id)
    slot = services.book_slot(request.user, ev, services.SlotInput(**payload.dict()))
    return Status(201, _slot(Slot.objects.prefetch_related("seats__enterprise").get(pk=slot.pk)))


# --------------------------------------------------------------------------- orders


class MmOrderIn(Schema):
    enterprise_id: Id = Field(..., description="签约的园区企业")
    side: Side = Field(..., description="该企业的身份：采购方、供应方、融资方、合作方")
    subject: Line = Field(..., min_length=1, max_length=200, description="标的")
    amount_wan: Decimal = Field(
        ..., ge=0, max_digits=14, decimal_places=2, description="金额（万元）"
    )
    status: OrderStatus = Field(OrderStatus.SIGNED, description="intent（意向）或 signed（签约）")
    counterparty_id: Id | None = Field(None, description="对方为园区企业时其编号")
    institution_id: Id | None = Field(
        None, description="对方为本园区金融机构（银企对接）时其编号；名称取自机构"
    )
    counterparty_name: Line = Field("", max_length=100, description="对方单位名称（高校等）")
    signed_on: dt.date | None = Field(None, description="签约日期，不早于活动日期")


class MmOrderOut(Schema):
    id: int
    event_id: int
    enterprise: MmRef
    side: Side
    counterparty_id: int | None
    institution_id: int | None
    counterparty_name: str
    subject: str
    amount_wan: Decimal
    status: OrderStatus
    signed_on: dt.date | None
    fulfilled_wan: Decimal
    fulfilled_on: dt.date | None


class MmOrderPage(Schema):
    count: int
    page: int
    results: list[MmOrderOut]


class MmSignIn(Schema):
    signed_on: dt.date
    amount_wan: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)


class MmFollowUpIn(Schema):
    on: dt.date
    note: Line = Field(..., min_length=1, max_length=300)
    amount_wan: Decimal = Field(
        Decimal("0"), ge=0, max_digits=14, decimal_places=2, description="本次交付/放款（万元）"
    )


class MmFollowUpOut(Schema):
    id: int
    on: dt.date
    note: str
    amount_wan: Decimal


def _order(o: Order) -> dict[str, Any]:
    return {
        "id": o.pk,
        "event_id": o.event_id,
        "enterprise": {"id": o.enterprise_id, "name": o.enterprise.name},
        "side": o.side,
        "counterparty_id": o.counterparty_id,
        "institution_id": o.institution_id,
        "counterparty_name": o.counterparty_name,
        "subject": o.subject,
        "amount_wan": o.amount_wan,
        "status": o.status,
        "signed_on": o.signed_on,
        "fulfilled_wan": o.fulfilled_wan,
        "fulfilled_on": o.fulfilled_on,
    }


@router.get("/matchmaking/orders", response=MmOrderPage, summary="意向与签约（企业只看到本企业的）")
def list_orders(
    request: UserRequest,
    event_id: Query[Id | None] = None,
    status: Query[OrderStatus | None] = None,
    page: Query[PageNo] = 1,
) -> dict[str, Any]:
    qs = access.visible_orders(request.user, current_park(request)).select_related("enterprise")
    if event_id:
        qs = qs.filter(event_id=event_id)
    if status:
        qs = qs.filter(status=status)
    start = (page - 1) * PAGE_SIZE
    return {
        "count": qs.count(),
        "page": page,
        "results": [_order(o) for o in qs.order_by("-id")[start : start + PAGE_SIZE]],
    }


@router.post(
    "/matchmaking/events/{event_id}/orders", response={201: MmOrderOut}, summary="登记意向或签约"
)
def create_order(request: UserRequest, event_id: Id, payload: MmOrderIn) -> Status:
    ev = access.get_event(request.user, current_park(request), event_id)
    o = services.record_order(request.user, ev, services.OrderInput(**payload.dict()))
    return Status(201, _order(o))


@router.get("/matchmaking/orders/{order_id}", response=MmOrderOut, summary="签约详情")
def get_order(request: UserRequest, order_id: Id) -> dict[str, Any]:
    return _order(access.get_order(request.user, current_park(request), order_id))


@router.post("/matchmaking/orders/{order_id}/sign", response=MmOrderOut, summary="意向转签约")
def sign_order(request: UserRequest, order_id: Id, payload: MmSignIn) -> dict[str, Any]:
    o = access.get_order(request.user, current_park(request), order_id)
    return _order(services.sign_order(request.user, o, payload.signed_on, payload.amount_wan))


@router.post(
    "/matchmaking/orders/{order_id}/follow-ups",
    response={201: MmFollowUpOut},
    summary="履约跟踪（交付或放款）",
)
def follow_up(request: UserRequest, order_id: Id, payload: MmFollowUpIn) -> Status:
    o = access.get_order(request.user, current_park(request), order_id)
    f = services.follow_up(request.user, o, payload.on, payload.note, payload.amount_wan)
    return Status(201, {"id": f.pk, "on": f.on, "note": f.note, "amount_wan": f.amount_wan})


class MmYearFigure(Schema):
    kind: EventKind
    label: str
    events: int
    held: int
    orders: int
    enterprises: int
    amount_wan: Decimal
    amount_yi: Decimal
    headline: str


@router.get(
    "/matchmaking/figures", response=list[MmYearFigure], summary="年度对接成效（按活动类型）"
)
def year_figures(request: UserRequest, y: Query[MmYearQuery]) -> list[dict[str, Any]]:
    year = y.year or timezone.localdate().year
    park = current_park(request)
    if not access.is_staff(request.user, park):
        raise Forbidden("对接成效供园区工作人员查看")
    rows = services.year_figures(park, year)
    return [{**r, "headline": services.headline(r)} for r in rows]
