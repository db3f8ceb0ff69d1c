"""Every change of 供需对接 and the matching: pages, the API, the sheet import and the demo call
these. Each write checks the actor and the input (a Chinese InvalidInput that changes nothing),
runs in `transaction.atomic()` and records an `Activity` (who, when, what, why)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from entities import purchases
from entities.models import MarketEntity, PurchaseSource
from finance.models import Institution
from matchmaking import access, chains
from matchmaking.models import (
    Activity,
    EventKind,
    EventStatus,
    FollowUp,
    Invitation,
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
    SlotSeat,
)
from orgs.models import Park, Role, User
from qinshang import industries, inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound

MAX_WAN = Decimal("100000000")  # 1 万亿元 in 万元: above it is a typo


def _record(
    park: Park, actor: User | None, action: str, obj: Any, note: str = "", **data: Any
) -> None:
    Activity.objects.create(
        park=park,
        actor=actor,
        action=action,
        target=type(obj).__name__.lower(),
        target_id=obj.pk,
        note=note[:300],
        data=data,
    )


def money(value: Any, label: str, field_name: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in 万元: a number, not negative (nor zero unless allowed), two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"请填写{label}（万元）", field=field_name)
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"{label}必须是数字（单位：万元）", field=field_name)
    if not d.is_finite():
        raise InvalidInput(f"{label}必须是数字（单位：万元）", field=field_name)
    if d < 0:
        raise InvalidInput(f"{label}不能为负数", field=field_name)
    if d == 0 and not allow_zero:
        raise InvalidInput(f"{label}必须大于 0 万元", field=field_name)
    if d >= MAX_WAN:
        raise InvalidInput(f"{label}超出合理范围（应小于 1 万亿元）", field=field_name)
    if d != d.quantize(Decimal("0.01")):
        raise InvalidInput(f"{label}最多保留两位小数（万元）", field=field_name)
    return d


def _choice(value: Any, choices: Any, label: str, field_name: str) -> str:
    allowed = {c.value: c.label for c in choices}
    v = "" if value is None else str(value).strip()
    if v in allowed:
        return v
    by_label = {lbl: val for val, lbl in allowed.items()}
    if v in by_label:
        return by_label[v]
    options = "、".join(allowed.values())
    raise InvalidInput(f"{label}“{v}”无效，可选：{options}", field=field_name)


def _industry(value: Any, *, required: bool) -> str:
    v = "" if value is None else str(value).strip()
    if not v and not required:
        return ""
    if not industries.is_division(v):
        raise InvalidInput(
            f"行业“{v}”无效：请填写 GB/T 4754-2017 两位大类代码（如 36 汽车制造业）",
            field="industry",
        )
    return v


def _link(value: Any) -> str:
    v = "" if value is None else str(value).strip()
    if v and v not in chains.links():
        raise InvalidInput(f"产业链环节“{v}”无效", field="chain_link")
    return v


def _chain(value: Any) -> str:
    v = "" if value is None else str(value).strip()
    if v and v not in dict(chains.chain_choices()):
        raise InvalidInput(f"产业链“{v}”无效", field="chain")
    return v


def _entity(park: Park, entity_id: Any, label: str = "企业") -> MarketEntity:
    try:
        pk = int(entity_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"请选择{label}", field="enterprise_id")
    ent = MarketEntity.objects.filter(park=park, pk=pk).first()
    if ent is None:
        raise InvalidInput(f"{label}不存在或不属于本园区", field="enterprise_id")
    return ent


# --------------------------------------------------------------------------- products


@dataclass
class ProductInput:
    enterprise_id: int
    name: str
    industry: str
    kind: str = OfferKind.PRODUCT
    description: str = ""
    spec: str = ""
    capacity: str = ""
    chain_link: str = ""
    share_city: bool = False


def _product_fields(data: ProductInput) -> dict[str, Any]:
    industry = _industry(data.industry, required=True)
    return {
        "kind": _choice(data.kind, OfferKind, "类型", "kind"),
        "name": inputs.text(data.name, "产品名称", limit=100),
        "description": inputs.text(data.description, "产品介绍", required=False, limit=2000),
        "spec": inputs.text(data.spec, "规格型号", required=False, limit=200),
        "capacity": inputs.text(data.capacity, "产能", required=False, limit=100),
        "industry": industry,
        "chain_link": _link(data.chain_link) or chains.guess_link(industry),
        "share_city": bool(data.share_city),
    }


def publish_product(actor: User, park: Park, data: ProductInput) -> Product:
    ent = _entity(park, data.enterprise_id)
    if not access.can_publish_for(actor, ent):
        raise Forbidden("只有企业本身、其专属服务员或派单中心可以为该企业发布产品")
    values = _product_fields(data)
    with transaction.atomic():
        p = Product.objects.create(park=park, enterprise=ent, published_by=actor, **values)
        _record(park, actor, "publish", p, p.name)
    return p


def update_product(actor: User, product: Product, data: ProductInput) -> Product:
    if not access.can_publish_for(actor, product.enterprise):
        raise Forbidden("只有企业本身、其专属服务员或派单中心可以修改该产品")
    values = _product_fields(data)
    with transaction.atomic():
        p = Product.objects.select_for_update().get(pk=product.pk)
        before = {k: getattr(p, k) for k in values}
        for k, v in values.items():
            setattr(p, k, v)
        p.save()
        changed = {k: [before[k], v] for k, v in values.items() if before[k] != v}
        _record(p.park, actor, "update", p, "修改产品信息", changed=changed)
    return p


def set_product_status(actor: User, product: Product, status: str, reason: str = "") -> Product:
    if not access.can_publish_for(actor, product.enterprise):
        raise Forbidden("只有企业本身、其专属服务员或派单中心可以上架或下架该产品")
    status = _choice(status, OfferStatus, "状态", "status")
    with transaction.atomic():
        p = Product.objects.select_for_update().get(pk=product.pk)
        if p.status == status:
            raise InvalidState(f"产品已是“{OfferStatus(status).label}”状态")
        p.status = status
        p.save(update_fields=["status", "updated_at"])
        _record(p.park, actor, status, p, inputs.text(reason, "理由", required=False, limit=200))
    return p


# --------------------------------------------------------------------------- needs


@dataclass
class NeedInput:
    enterprise_id: int
    title: str
    volume: str
    description: str = ""
    period_start: Any = None
    period_end: Any = None
    industry: str = ""
    chain_link: str = ""
    demand_id: int | None = None


def create_need(actor: User, park: Park, data: NeedInput) -> Need:
    ent = _entity(park, data.enterprise_id, "采购企业")
    if not access.can_publish_for(actor, ent):
        raise Forbidden("只有企业本身、其专属服务员或派单中心可以为该企业发布采购需求")
    start = inputs.optional_date(data.period_start, "采购期起", field="period_start")
    end = inputs.optional_date(data.period_end, "采购期止", field="period_end")
    if start and end and end < start:
        raise InvalidInput("采购期止不能早于采购期起", field="period_end")
    industry = _industry(data.industry, required=False)
    demand = None
    if data.demand_id is not None:
        from demands.access import visible_demands

        demand = visible_demands(actor, park).filter(pk=data.demand_id).first()
        if demand is None:
            raise InvalidInput("关联的诉求不存在或您无权查看", field="demand_id")
    with transaction.atomic():
        need = Need.objects.create(
            park=park,
            enterprise=ent,
            title=inputs.text(data.title, "采购内容", limit=100),
            description=inputs.text(data.description, "需求说明", required=False, limit=2000),
            volume=inputs.text(data.volume, "采购量", limit=100),
            period_start=start,
            period_end=end,
            industry=industry,
            chain_link=_link(data.chain_link) or (chains.guess_link(industry) if industry else ""),
            demand=demand,
            created_by=actor,
        )
        _record(park, actor, "create", need, need.title)
    return need


def close_need(actor: User, need: Need, reason: str) -> Need:
    if not access.can_publish_for(actor, need.enterprise):
        raise Forbidden("只有企业本身、其专属服务员或派单中心可以关闭该需求")
    why = inputs.text(reason, "关闭理由", limit=200)
    with transaction.atomic():
        n = Need.objects.select_for_update().get(pk=need.pk)
        if n.status == NeedStatus.CLOSED:
            raise InvalidState("该需求已关闭")
        n.status = NeedStatus.CLOSED
        n.save(update_fields=["status"])
        _record(n.park, actor, "close", n, why)
    return n


# --------------------------------------------------------------------------- matching


@dataclass
class Match:
    product: Product
    score: float
    text: float
    chain: float
    locality: float
    reasons: list[str] = field(default_factory=list)


# Weights of the parts of a match's score; the text part dominates, the chain and the place
# decide between suppliers that offer the same thing (bench/matching.py measures the mix).
W_TEXT, W_CHAIN, W_INDUSTRY, W_LOCAL = 0.6, 0.2, 0.08, 0.12
MIN_TEXT = 0.08  # below this the product has nothing to do with the need


_INDEX_CACHE: dict[tuple[int, ...], tuple[tuple[Any, ...], Any, list[dict[str, Any]]]] = {}


def _city(park: Park) -> str:
    return (park.region_code or "")[:4]


def candidate_products(park: Park) -> QuerySet[Product]:
    """Published products of the park, and those of the city's other parks shared 同城."""
    city = _city(park)
    return Product.objects.filter(status=OfferStatus.PUBLISHED).filter(
        Q(park=park) | Q(share_city=True, park__region_code__startswith=city)
    )


def product_text(name: str, description: str, spec: str) -> str:
    # The name counts twice: it says what the product is; the description adds context.
    return f"{name} {name} {spec} {description}"


def _index(park: Park) -> tuple[Any, list[dict[str, Any]]]:
    """The park's candidate index, rebuilt when the candidate set changed (count, last change)."""
    from matchmaking.engine import Index

    qs = candidate_products(park)
    agg = qs.aggregate(n=Count("id"), last=Max("updated_at"))
    stamp = (agg["n"], agg["last"])
    key = (park.pk,)
    hit = _INDEX_CACHE.get(key)
    if hit and hit[0] == stamp:
        return hit[1], hit[2]
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.values(
            "id",
            "name",
            "description",
            "spec",
            "industry",
            "chain_link",
            "park_id",
            "enterprise_id",
            "enterprise__name",
            "park__short_name",
        )
    ]
    index = Index.build(
        [r["id"] for r in rows],
        [product_text(r["name"], r["description"], r["spec"]) for r in rows],
    )
    _INDEX_CACHE[key] = (stamp, index, rows)
    return index, rows


def need_text(need: Need) -> str:
    return f"{need.title} {need.title} {need.description}"


def rank(
    park: Park,
    query: str,
    *,
    industry: str = "",
    chain_link: str = "",
    exclude_enterprise: int | None = None,
    limit: int = 10,
    index: Any = None,
    rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Candidate rows ranked for a need: score, its parts and reasons (no model instances)."""
    import numpy as np

    from matchmaking.engine import shared_words

    if index is None or rows is None:
        index, rows = _index(park)
    if not rows:
        return []
    sims = index.similarities(query)
    # The best texts first (a partial sort of the whole catalogue), then the cheap parts of the
    # score for those, and the reasons (word segmentation) only for the ones returned.
    pool = min(len(rows), max(limit * 20, 200))
    top = np.argpartition(-sims, pool - 1)[:pool] if pool < len(rows) else np.arange(len(rows))
    scored = []
    for i in top:
        t = float(sims[i])
        if t < MIN_TEXT:
            continue
        r = rows[i]
        if exclude_enterprise is not None and r["enterprise_id"] == exclude_enterprise:
            continue
        c, why = chains.relation(r["chain_link"], chain_link) if chain_link else (0.0, "")
        ind = 1.0 if industry and r["industry"] == industry else 0.0
        local = 1.0 if r["park_id"] == park.pk else 0.5
        score = W_TEXT * t + W_CHAIN * c + W_INDUSTRY * ind + W_LOCAL * local
        scored.append((score, r["id"], t, c, why, ind, local, r))
    scored.sort(key=lambda x: (-x[0], x[1]))
    out = []
    for score, _, t, c, why, ind, local, r in scored[:limit]:
        reasons = []
        words = shared_words(query, product_text(r["name"], r["description"], r["spec"]))
        reasons.append(
            f"文本相似度 {t:.2f}" + (f"：共同关键词 {'、'.join(words)}" if words else "")
        )
        if why:
            reasons.append(why)
        if ind:
            reasons.append(f"同行业：{industries.label(industry)}")
        reasons.append(
            "本园区企业，就近配套" if local == 1.0 else f"同城企业（{r['park__short_name']}）"
        )
        out.append(
            {
                **r,
                "score": round(score, 4),
                "text": round(t, 4),
                "chain": c,
                "locality": local,
                "reasons": reasons,
            }
        )
    return out


def matches_for(need: Need, limit: int = 10) -> list[Match]:
    rows = rank(
        need.park,
        need_text(need),
        industry=need.industry,
        chain_link=need.chain_link,
        exclude_enterprise=need.enterprise_id,
        limit=limit,
    )
    products = Product.objects.select_related("enterprise", "park").in_bulk([r["id"] for r in rows])
    return [
        Match(products[r["id"]], r["score"], r["text"], r["chain"], r["locality"], r["reasons"])
        for r in rows
        if r["id"] in products
    ]


# --------------------------------------------------------------------------- events


@dataclass
class EventInput:
    kind: str
    theme: str
    date: Any
    place: str = ""
    chain: str = ""
    industry: str = ""
    description: str = ""


def _manager(actor: User, park: Park) -> None:
    if not access.can_manage(actor, park):
        raise Forbidden("对接活动由派单中心、园区领导或系统管理员组织")


def plan_event(actor: User, park: Park, data: EventInput) -> MatchEvent:
    _manager(actor, park)
    kind = _choice(data.kind, EventKind, "活动类型", "kind")
    day = inputs.date(data.date, "活动日期", field="date")
    with transaction.atomic():
        ev = MatchEvent.objects.create(
            park=park,
            kind=kind,
            theme=inputs.text(data.theme, "活动主题", limit=100),
            date=day,
            place=inputs.text(data.place, "地点", required=False, limit=100),
            chain=_chain(data.chain),
            industry=_industry(data.industry, required=False),
            description=inputs.text(data.description, "说明", required=False, limit=2000),
            created_by=actor,
        )
        _record(park, actor, "plan", ev, ev.theme)
    return ev


def _open(ev: MatchEvent) -> None:
    if ev.status == EventStatus.CANCELLED:
        raise InvalidState("活动已取消")


def invitable(ev: MatchEvent) -> QuerySet[MarketEntity]:
    """The park's enterprises of the event's industry, or with products in its chain."""
    qs = MarketEntity.objects.filter(park=ev.park)
    cond = Q()
    if ev.industry:
        cond |= Q(industry=ev.industry)
    if ev.chain:
        link_codes = [lk.code for lk in chains.links().values() if lk.chain == ev.chain]
        divisions = {
            d for lk in chains.links().values() if lk.chain == ev.chain for d in lk.industries
        }
        cond |= Q(products__chain_link__in=link_codes) | Q(industry__in=divisions)
    return qs.filter(cond).distinct() if cond else qs.none()


def invite(
    actor: User, ev: MatchEvent, *, enterprise_ids: list[int] | None = None, by_target: bool = False
) -> int:
    """Invite the given enterprises, or (by_target) every enterprise of the event's industry
    and chain; each enterprise's users are notified once. Returns the number newly invited."""
    _manager(actor, ev.park)
    _open(ev)
    if enterprise_ids:
        ents = list(MarketEntity.objects.filter(park=ev.park, pk__in=enterprise_ids))
        if len(ents) != len(set(enterprise_ids)):
            raise InvalidInput("有企业不存在或不属于本园区", field="enterprise_ids")
    elif by_target:
        if not (ev.chain or ev.industry):
            raise InvalidInput("活动未指定产业链或行业，请逐家选择邀请企业", field="enterprise_ids")
        ents = list(invitable(ev))
    else:
        raise InvalidInput("请选择要邀请的企业", field="enterprise_ids")
    already = set(Invitation.objects.filter(event=ev).values_list("enterprise_id", flat=True))
    new = [e for e in ents if e.pk not in already]
    with transaction.atomic():
        Invitation.objects.bulk_create(
            [Invitation(event=ev, enterprise=e, invited_by=actor) for e in new]
        )
        if new:
            _record(
                ev.park, actor, "invite", ev, f"邀请 {len(new)} 家企业", ids=[e.pk for e in new]
            )
        users = User.objects.filter(role=Role.ENTERPRISE, enterprise__in=new, is_active=True)
        if new:
            from notifications.models import Kind
            from notifications.services import notify_link

            link = reverse("matchmaking:event", args=[ev.pk])
            text = f"邀请参加{ev.get_kind_display()}：{ev.theme}（{ev.date:%Y-%m-%d}），请在企业门户报名"
            transaction.on_commit(
                lambda: notify_link(
                    users, ev.park, Kind.MEETING, text, link, dedupe_key=f"mm-invite-{ev.pk}"
                )
            )
    return len(new)


@dataclass
class RegistrationInput:
    enterprise_id: int
    side: str
    note: str = ""
    contact_name: str = ""
    contact_phone: str = ""


def register(actor: User, ev: MatchEvent, data: RegistrationInput) -> Registration:
    ent = _entity(ev.park, data.enterprise_id)
    if not (access.can_publish_for(actor, ent) or access.can_manage(actor, ev.park)):
        raise Forbidden("企业只能为本企业报名")
    _open(ev)
    if ev.status == EventStatus.HELD:
        raise InvalidState("活动已举办，报名已截止")
    side = _choice(data.side, Side, "参会身份", "side")
    phone = inputs.text(data.contact_phone, "联系电话", required=False, limit=20)
    if phone:
        from qinshang.validators import check_phone

        check_phone(phone)
    try:
        with transaction.atomic():
            reg = Registration.objects.create(
                event=ev,
                enterprise=ent,
                side=side,
                note=inputs.text(data.note, "对接意向说明", required=False, limit=200),
                contact_name=inputs.text(data.contact_name, "参会人", required=False, limit=50),
                contact_phone=phone,
                registered_by=actor,
            )
            _record(ev.park, actor, "register", ev, ent.name, registration=reg.pk)
    except IntegrityError:
        raise InvalidState(f"{ent.name}已报名该活动，无需重复报名")
    return reg


def mark_held(actor: User, ev: MatchEvent) -> MatchEvent:
    _manager(actor, ev.park)
    with transaction.atomic():
        e = MatchEvent.objects.select_for_update().get(pk=ev.pk)
        if e.status != EventStatus.PLANNED:
            raise InvalidState(f"活动为“{e.get_status_display()}”，不能再标记为已举办")
        if e.date > timezone.localdate():
            raise InvalidInput("活动日期未到，不能标记为已举办", field="date")
        e.status = EventStatus.HELD
        e.save(update_fields=["status"])
        _record(e.park, actor, "held", e)
    return e


@dataclass
class SlotInput:
    starts_at: Any  # datetime or ISO "2026-12-09T09:20"
    table: str
    enterprise_ids: list[int]
    counterparty_name: str = ""
    topic: str = ""
    minutes: Any = 20


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(f"开始时间“{value}”无效，应为 YYYY-MM-DD HH:MM", field="starts_at")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.replace(second=0, microsecond=0)


def book_slot(actor: User, ev: MatchEvent, data: SlotInput) -> Slot:
    """A one-to-one meeting: two registered enterprises, or one and an outside counterparty.
    An enterprise or a table already booked at that time is refused (the database's unique
    seats make it true even for two requests at once)."""
    _manager(actor, ev.park)
    _open(ev)
    at = _moment(data.starts_at)
    if timezone.localtime(at).date() != ev.date:
        raise InvalidInput(f"洽谈时间应在活动当天（{ev.date:%Y-%m-%d}）", field="starts_at")
    table = inputs.text(data.table, "洽谈桌", limit=20)
    ids = list(dict.fromkeys(int(i) for i in data.enterprise_ids))
    outside = inputs.text(data.counterparty_name, "对方单位", required=False, limit=100)
    if not (len(ids) == 2 or (len(ids) == 1 and outside)):
        raise InvalidInput(
            "一对一洽谈需要两家报名企业，或一家企业和一个对方单位", field="enterprise_ids"
        )
    registered = dict(
        Registration.objects.filter(event=ev, enterprise_id__in=ids).values_list(
            "enterprise_id", "enterprise__name"
        )
    )
    missing = [i for i in ids if i not in registered]
    if missing:
        raise InvalidInput("洽谈双方须先报名本次活动", field="enterprise_ids")
    taken = SlotSeat.objects.filter(event=ev, starts_at=at, enterprise_id__in=ids).values_list(
        "enterprise_id", flat=True
    )
    when = timezone.localtime(at).strftime("%H:%M")
    for t in taken:
        raise InvalidState(f"{registered[t]}在 {when} 已有洽谈安排，不能重复预约")
    if Slot.objects.filter(event=ev, starts_at=at, table=table).exists():
        raise InvalidState(f"{table} 在 {when} 已被占用，请换一张洽谈桌或时间")
    minutes = inputs.integer(data.minutes, "时长（分钟）", 5, 240)
    try:
        with transaction.atomic():
            slot = Slot.objects.create(
                event=ev,
                starts_at=at,
                minutes=minutes,
                table=table,
                counterparty_name=outside,
                topic=inputs.text(data.topic, "洽谈内容", required=False, limit=200),
                created_by=actor,
            )
            SlotSeat.objects.bulk_create(
                [SlotSeat(slot=slot, event=ev, starts_at=at, enterprise_id=i) for i in ids]
            )
            _record(ev.park, actor, "slot", ev, f"{when} {table}", slot=slot.pk, ids=ids)
    except IntegrityError:
        raise InvalidState(f"{when} 的洽谈已被预约（企业或洽谈桌冲突），请刷新后重试")
    return slot


# --------------------------------------------------------------------------- orders


@dataclass
class OrderInput:
    enterprise_id: int
    side: str
    subject: str
    amount_wan: Any
    status: str = OrderStatus.SIGNED
    counterparty_id: int | None = None
    counterparty_name: str = ""
    signed_on: Any = None
    institution_id: int | None = None  # a financial institution of the park (finance)


def _institution(park: Park, institution_id: Any) -> Institution:
    try:
        return Institution.objects.get(pk=int(institution_id), park=park, is_active=True)
    except (Institution.DoesNotExist, TypeError, ValueError):
        raise InvalidInput("对方金融机构不是本园区登记的金融机构", field="institution_id")


def record_order(actor: User, ev: MatchEvent, data: OrderInput) -> Order:
    """An intention (意向) or a signed order/contract of the event. The counterparty is an
    enterprise of the park, a financial institution of the park (its name is taken from the
    institution) or an outside body by name — one of them."""
    _manager(actor, ev.park)
    _open(ev)
    ent = _entity(ev.park, data.enterprise_id)
    side = _choice(data.side, Side, "企业身份", "side")
    status = _choice(data.status, OrderStatus, "状态", "status")
    if status not in (OrderStatus.INTENT, OrderStatus.SIGNED):
        raise InvalidInput("新记录只能是“达成意向”或“已签约”", field="status")
    amount = money(data.amount_wan, "金额", "amount_wan")
    counterparty = None
    if data.counterparty_id is not None:
        counterparty = _entity(ev.park, data.counterparty_id, "对方企业")
        if counterparty.pk == ent.pk:
            raise InvalidInput("签约双方不能是同一家企业", field="counterparty_id")
    institution = None
    if data.institution_id is not None:
        if counterparty is not None:
            raise InvalidInput(
                "对方只能是一家园区企业或一家金融机构，不能同时选择", field="institution_id"
            )
        institution = _institution(ev.park, data.institution_id)
    if institution is not None:
        name = institution.name
    else:
        name = inputs.text(
            data.counterparty_name, "对方单位", required=counterparty is None, limit=100
        )
        name = name or (counterparty.name if counterparty else "")
    signed_on = inputs.optional_date(data.signed_on, "签约日期", field="signed_on")
    if status == OrderStatus.SIGNED and signed_on is None:
        raise InvalidInput("请填写签约日期", field="signed_on")
    if signed_on is not None:
        if signed_on < ev.date:
            raise InvalidInput(f"签约日期不能早于活动日期（{ev.date:%Y-%m-%d}）", field="signed_on")
        if signed_on > timezone.localdate():
            raise InvalidInput("签约日期不能晚于今天", field="signed_on")
    with transaction.atomic():
        order = Order.objects.create(
            event=ev,
            park=ev.park,
            enterprise=ent,
            side=side,
            counterparty=counterparty,
            institution=institution,
            counterparty_name=name,
            subject=inputs.text(data.subject, "标的", limit=200),
            amount_wan=amount,
            status=status,
            signed_on=signed_on if status == OrderStatus.SIGNED else None,
            created_by=actor,
        )
        _record(
            ev.park,
            actor,
            status,
            order,
            order.subject,
            amount_wan=str(amount),
            institution=institution.pk if institution else None,
        )
        if status == OrderStatus.SIGNED:
            record_park_purchase(order)
    return order


def sign_order(actor: User, order: Order, signed_on: Any, amount_wan: Any = None) -> Order:
    """An intention becomes a signed order (the amount may be settled at signing)."""
    _manager(actor, order.park)
    day = inputs.date(signed_on, "签约日期", field="signed_on")
    amount = money(amount_wan, "金额", "amount_wan") if amount_wan not in (None, "") else None
    with transaction.atomic():
        o = Order.objects.select_for_update().select_related("event").get(pk=order.pk)
        if o.status != OrderStatus.INTENT:
            raise InvalidState(f"该记录为“{o.get_status_display()}”，不能再签约")
        if day < o.event.date:
            raise InvalidInput(
                f"签约日期不能早于活动日期（{o.event.date:%Y-%m-%d}）", field="signed_on"
            )
        if day > timezone.localdate():
            raise InvalidInput("签约日期不能晚于今天", field="signed_on")
        o.status, o.signed_on = OrderStatus.SIGNED, day
        if amount is not None:
            o.amount_wan = amount
        o.save(update_fields=["status", "signed_on", "amount_wan"])
        _record(o.park, actor, "sign", o, o.subject, amount_wan=str(o.amount_wan))
        record_park_purchase(o)
    return o


def follow_up(actor: User, order: Order, on: Any, note: str, amount_wan: Any = "0") -> FollowUp:
    """履约跟踪: a delivery (or, for a loan, a drawdown) of part of the amount; when the whole
    amount is delivered the order is fulfilled."""
    if not access.is_staff(actor, order.park):
        raise Forbidden("履约跟踪由园区工作人员记录")
    day = inputs.date(on, "跟踪日期", field="on")
    text = inputs.text(note, "跟踪情况", limit=300)
    amount = money(amount_wan, "本次交付/放款金额", "amount_wan", allow_zero=True)
    with transaction.atomic():
        o = Order.objects.select_for_update().get(pk=order.pk)
        if o.status != OrderStatus.SIGNED:
            raise InvalidState(f"该记录为“{o.get_status_display()}”，只有已签约的订单可以跟踪履约")
        if o.signed_on and day < o.signed_on:
            raise InvalidInput("跟踪日期不能早于签约日期", field="on")
        if day > timezone.localdate():
            raise InvalidInput("跟踪日期不能晚于今天", field="on")
        if o.fulfilled_wan + amount > o.amount_wan:
            left = o.amount_wan - o.fulfilled_wan
            raise InvalidInput(
                f"累计交付/放款不能超过合同金额（尚余 {left} 万元）", field="amount_wan"
            )
        f = FollowUp.objects.create(order=o, on=day, note=text, amount_wan=amount, by=actor)
        o.fulfilled_wan += amount
        fields = ["fulfilled_wan"]
        if o.fulfilled_wan == o.amount_wan:
            o.status, o.fulfilled_on = OrderStatus.FULFILLED, day
            fields += ["status", "fulfilled_on"]
        o.save(update_fields=fields)
        _record(o.park, actor, "follow_up", o, text, amount_wan=str(amount))
    return f


def purchase_facts(order: Order) -> dict[str, Any] | None:
    """The purchase a signed order between two park enterprises is: buyer, supplier, amount,
    day. None when the counterparty is no enterprise of the park (a bank, a university)."""
    if order.counterparty_id is None or order.side not in (Side.BUYER, Side.SUPPLIER):
        return None
    buyer, supplier = (
        (order.enterprise_id, order.counterparty_id)
        if order.side == Side.BUYER
        else (order.counterparty_id, order.enterprise_id)
    )
    return {
        "buyer_id": buyer,
        "supplier_id": supplier,
        "amount_wan": order.amount_wan,
        "on": order.signed_on,
        "subject": order.subject,
        "source": f"matchmaking.order:{order.pk}",
    }


def record_park_purchase(order: Order) -> Any:
    """A signed order between two park enterprises is a 本地配套采购 of the buyer (the basis of
    the 3 % subsidy): recorded through `entities.purchases` in the order's transaction, once per
    order (a replayed signing returns the first row)."""
    facts = purchase_facts(order)
    if facts is None:
        return None
    buyer = MarketEntity.objects.get(pk=facts["buyer_id"])
    return purchases.record_purchase(
        None,
        buyer,
        purchases.PurchaseInput(
            amount_wan=facts["amount_wan"],
            purchased_on=facts["on"],
            supplier_id=facts["supplier_id"],
            evidence=f"供需对接签约：{facts['subject']}"[:200],
            source=PurchaseSource.ORDER,
            source_ref=facts["source"],
        ),
    )


# --------------------------------------------------------------------------- figures


def _yi(wan: Decimal) -> Decimal:
    return (wan / Decimal(10000)).quantize(Decimal("0.01"))


def event_figures(ev: MatchEvent) -> dict[str, Any]:
    signed = Order.objects.filter(event=ev, status__in=(OrderStatus.SIGNED, OrderStatus.FULFILLED))
    agg = signed.aggregate(
        n=Count("id"), wan=Sum("amount_wan"), ents=Count("enterprise", distinct=True)
    )
    wan = agg["wan"] or Decimal("0")
    return {
        "registrations": ev.registrations.count(),
        "invitations": ev.invitations.count(),
        "slots": ev.slots.count(),
        "intents": Order.objects.filter(event=ev, status=OrderStatus.INTENT).count(),
        "signed": agg["n"],
        "signed_enterprises": agg["ents"],
        "amount_wan": wan,
        "amount_yi": _yi(wan),
        "fulfilled_wan": signed.aggregate(s=Sum("fulfilled_wan"))["s"] or Decimal("0"),
    }


def year_figures(park: Park, year: int) -> list[dict[str, Any]]:
    """Per kind of event in a year: events held, enterprises that signed, signed amount —
    "13 场, 订单 10 亿元", "48 家签约 131.67 亿元"."""
    events = MatchEvent.objects.filter(park=park, date__year=year).exclude(
        status=EventStatus.CANCELLED
    )
    out = []
    for kind in EventKind:
        evs = events.filter(kind=kind)
        orders = Order.objects.filter(
            event__in=evs, status__in=(OrderStatus.SIGNED, OrderStatus.FULFILLED)
        )
        agg = orders.aggregate(
            n=Count("id"), wan=Sum("amount_wan"), ents=Count("enterprise", distinct=True)
        )
        wan = agg["wan"] or Decimal("0")
        out.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "events": evs.count(),
                "held": evs.filter(status=EventStatus.HELD).count(),
                "orders": agg["n"],
                "enterprises": agg["ents"],
                "amount_wan": wan,
                "amount_yi": _yi(wan),
                "url": reverse("matchmaking:events") + f"?year={year}&kind={kind.value}",
            }
        )
    return out


def headline(row: dict[str, Any]) -> str:
    if row["kind"] == EventKind.BANK:
        return f"{row['events']} 场，{row['enterprises']} 家签约 {row['amount_yi']} 亿元"
    return f"{row['events']} 场，订单 {row['amount_yi']} 亿元"


def ensure_exists(qs: QuerySet[Any], message: str) -> None:
    if not qs.exists():
        raise NotFound(message)
