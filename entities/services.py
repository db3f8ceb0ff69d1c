"""Market entities: who may see them, and how they are created and corrected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from entities import profile
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
    if user.is_superuser or user.role in PARK_STAFF:
        return qs
    # Residents, experts, a 金融机构 and any role added later see no enterprise here: a bank
    # sees only what an enterprise consented to share, through finance.access.
    return qs.none()


# The park's own staff, who serve, route and oversee every enterprise of the park.
PARK_STAFF = frozenset(
    {
        Role.DISPATCHER,
        Role.HANDLER,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
        Role.LEADER,
        Role.ADMIN,
    }
)


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
    total_assets_wan: Any = None
    industry_detail: str = ""
    business_scope: str = ""
    main_business: str = ""
    contacts: list[dict[str, Any]] = field(default_factory=list)
    # Only an administrator may vouch for a code that fails the GB 32100 check character.
    credit_code_confirm_reason: str = ""


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
    detail = (data.industry_detail or "").strip()
    if detail and (not detail.isdigit() or len(detail) not in (3, 4) or not ind):
        raise InvalidInput(
            "行业中类/小类应为 3–4 位数字代码，并须先填写大类", field="industry_detail"
        )
    if detail and not detail.startswith(ind):
        raise InvalidInput(
            f"行业中类 {detail} 不属于大类 {ind}（前两位应与大类相同）", field="industry_detail"
        )
    scope = (data.business_scope or "").strip()
    if len(scope) > 4000:
        raise InvalidInput("经营范围不能超过 4000 字", field="business_scope")
    main = (data.main_business or "").strip()
    if len(main) > 200:
        raise InvalidInput("主营业务不能超过 200 字", field="main_business")
    tier = data.tier if data.tier is not None else default_tier(data.kind)
    if tier not in Tier.values:
        raise InvalidInput("层级应为 1、2 或 3", field="tier")
    employees = profile.headcount(data.employees, "从业人数")
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
            industry_detail=detail,
            business_scope=scope,
            main_business=main,
            employees=employees,
            annual_revenue_wan=profile.wan(data.annual_revenue_wan, "年营业收入"),
            registered_capital_wan=profile.wan(data.registered_capital_wan, "注册资本"),
            total_assets_wan=profile.wan(data.total_assets_wan, "资产总额"),
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
    fields = cleaned["fields"]
    suggestion = profile.suggestion_dict(
        profile.suggest_industry(
            park, fields["name"], fields["business_scope"], fields["main_business"]
        )
    )
    with transaction.atomic():
        entity = MarketEntity.objects.create(
            park=park, industry_suggestion=suggestion or {}, **fields
        )
        for c in cleaned["contacts"]:
            c.entity = entity
            c.save()
        profile.refresh_size(entity)
        profile.record(
            entity,
            actor,
            "created",
            entity.name,
            fields={k: v for k, v in fields.items() if k != "credit_code_confirmed_by"},
            suggestion=suggestion,
        )
    return entity


def update_entity(actor: User, entity: MarketEntity, data: EntityInput) -> MarketEntity:
    if actor.role not in EDIT_ROLES and not actor.is_superuser:
        raise Forbidden("只有派单员或管理员可以修改市场主体")
    cleaned = _clean(data, actor, entity.park, instance=entity)
    fields = cleaned["fields"]
    tracked = [k for k in fields if k != "credit_code_confirmed_by"]
    before = {k: getattr(entity, k) for k in tracked}
    if (fields["name"], fields["business_scope"], fields["main_business"]) != (
        entity.name,
        entity.business_scope,
        entity.main_business,
    ):
        fields["industry_suggestion"] = (
            profile.suggestion_dict(
                profile.suggest_industry(
                    entity.park, fields["name"], fields["business_scope"], fields["main_business"]
                )
            )
            or {}
        )
    with transaction.atomic():
        for k, v in fields.items():
            setattr(entity, k, v)
        entity.save()
        changed = {
            k: [before[k], getattr(entity, k)] for k in tracked if before[k] != getattr(entity, k)
        }
        if changed:
            profile.record(entity, actor, "updated", "修改登记信息", changed=changed)
        profile.refresh_size(entity)
        if data.contacts:
            entity.contacts.all().delete()
            for c in cleaned["contacts"]:
                c.entity = entity
                c.save()
    return entity
