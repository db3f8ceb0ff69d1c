"""Market entities: who may see them, and how they are created and corrected."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from entities.models import KINDS_WITHOUT_CODE, Contact, EntityKind, MarketEntity, Tier
from orgs.models import Park, Role, User
from qinshang import industries
from qinshang.errors import Forbidden, InvalidInput, NotFound
from qinshang.validators import (
    check_credit_code,
    check_phone,
    normalize_credit_code,
    normalize_phone,
)

EDIT_ROLES = (Role.DISPATCHER, Role.ADMIN)


def visible_entities(user: User, park: Park) -> QuerySet[MarketEntity]:
    qs = MarketEntity.objects.filter(park=park)
    if not user.is_authenticated or (not user.in_park(park.pk) and not user.is_superuser):
        return qs.none()
    if user.role == Role.ENTERPRISE:
        return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
    if user.role in (Role.RESIDENT, Role.EXPERT):
        return qs.none()
    return qs


def get_entity(user: User, park: Park, entity_id: Any) -> MarketEntity:
    try:
        pk = int(entity_id)
    except (TypeError, ValueError):
        raise NotFound("企业不存在")
    entity = visible_entities(user, park).filter(pk=pk).first()
    if entity is None:
        if MarketEntity.objects.filter(pk=pk, park=park).exists():
            raise Forbidden("您无权查看该企业")
        raise NotFound("企业不存在")
    return entity


@dataclass
class EntityInput:
    name: str
    kind: str
    credit_code: str = ""
    industry: str = ""
    address: str = ""
    tier: int | None = None
    legal_representative: str = ""
    employees: int | None = None
    annual_revenue_wan: Any = None
    registered_capital_wan: Any = None
    contacts: list[dict[str, Any]] = field(default_factory=list)
    # Only an administrator may vouch for a code that fails the GB 32100 check character.
    credit_code_confirm_reason: str = ""


def _decimal(value: Any, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{label}必须是数字", field=label)
    if d < 0 or d >= Decimal("1e12"):
        raise InvalidInput(f"{label}超出合理范围", field=label)
    return d.quantize(Decimal("0.01"))


def validate_credit_code(code: str, kind: str, actor: User, reason: str) -> tuple[str, bool]:
    """Return the normalised code and whether an administrator vouched for it."""
    code = normalize_credit_code(code or "")
    if not code:
        if kind in KINDS_WITHOUT_CODE:
            return "", False
        raise InvalidInput("企业须填写统一社会信用代码", field="credit_code")
    err = check_credit_code(code)
    if err is None:
        return code, False
    if reason.strip() and len(code) == 18:
        if actor.role != Role.ADMIN and not actor.is_superuser:
            raise Forbidden("只有系统管理员可以人工确认未通过校验的统一社会信用代码")
        return code, True
    raise InvalidInput(f"统一社会信用代码有误：{err}", field="credit_code")


def default_tier(kind: str) -> int:
    return Tier.MAJOR if kind in (EntityKind.ABOVE_SCALE, EntityKind.PROJECT) else Tier.GENERAL


def _clean(
    data: EntityInput, actor: User, park: Park, instance: MarketEntity | None = None
) -> dict[str, Any]:
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput("名称不能为空", field="name")
    if len(name) > 200:
        raise InvalidInput("名称不能超过 200 字", field="name")
    if data.kind not in EntityKind.values:
        opts = "、".join(f"{k.value}（{k.label}）" for k in EntityKind)
        raise InvalidInput(f"类型“{data.kind}”无效，可选：{opts}", field="kind")
    code, vouched = validate_credit_code(
        data.credit_code, data.kind, actor, data.credit_code_confirm_reason
    )
    if code:
        dup = MarketEntity.objects.filter(park=park, credit_code=code)
        if instance is not None:
            dup = dup.exclude(pk=instance.pk)
        if dup.exists():
            raise InvalidInput(
                f"统一社会信用代码 {code} 已登记为“{dup.first()}”", field="credit_code"
            )
    ind = (data.industry or "").strip()
    if ind and not industries.is_division(ind):
        raise InvalidInput(
            f"行业代码“{ind}”不是 GB/T 4754 的大类代码（两位数字）", field="industry"
        )
    tier = data.tier if data.tier is not None else default_tier(data.kind)
    if tier not in Tier.values:
        raise InvalidInput("层级应为 1、2 或 3", field="tier")
    if data.employees is not None and not 0 <= int(data.employees) <= 1_000_000:
        raise InvalidInput("从业人数超出合理范围", field="employees")
    contacts = []
    for i, c in enumerate(data.contacts or [], start=1):
        cname = str(c.get("name", "")).strip()
        phone = str(c.get("phone", "")).strip()
        if not cname:
            raise InvalidInput(f"第 {i} 个联系人姓名不能为空", field="contacts")
        err = check_phone(phone)
        if err:
            raise InvalidInput(f"第 {i} 个联系人电话有误：{err}", field="contacts")
        contacts.append(
            Contact(
                name=cname[:50],
                phone=normalize_phone(phone),
                position=str(c.get("position", ""))[:50],
                is_primary=bool(c.get("is_primary", i == 1)),
            )
        )
    return {
        "fields": dict(
            name=name,
            kind=data.kind,
            credit_code=code,
            industry=ind,
            address=(data.address or "").strip()[:200],
            tier=tier,
            legal_representative=(data.legal_representative or "").strip()[:50],
            employees=data.employees,
            annual_revenue_wan=_decimal(data.annual_revenue_wan, "年营业收入"),
            registered_capital_wan=_decimal(data.registered_capital_wan, "注册资本"),
            credit_code_confirmed_by=actor if vouched else None,
            credit_code_confirm_reason=data.credit_code_confirm_reason.strip() if vouched else "",
        ),
        "contacts": contacts,
    }


def create_entity(actor: User, park: Park, data: EntityInput) -> MarketEntity:
    if actor.role not in EDIT_ROLES and not actor.is_superuser:
        raise Forbidden("只有派单员或管理员可以登记市场主体")
    if not actor.in_park(park.pk) and not actor.is_superuser:
        raise Forbidden("您无权在该园区登记市场主体")
    cleaned = _clean(data, actor, park)
    with transaction.atomic():
        entity = MarketEntity.objects.create(park=park, **cleaned["fields"])
        for c in cleaned["contacts"]:
            c.entity = entity
            c.save()
    return entity


def update_entity(actor: User, entity: MarketEntity, data: EntityInput) -> MarketEntity:
    if actor.role not in EDIT_ROLES and not actor.is_superuser:
        raise Forbidden("只有派单员或管理员可以修改市场主体")
    cleaned = _clean(data, actor, entity.park, instance=entity)
    with transaction.atomic():
        for k, v in cleaned["fields"].items():
            setattr(entity, k, v)
        entity.save()
        if data.contacts:
            entity.contacts.all().delete()
            for c in cleaned["contacts"]:
                c.entity = entity
                c.save()
    return entity
