"""The one place that decides which products, needs, events, registrations and orders a user
sees. Lists, detail pages, the API and the exports all start here.

- Staff who serve enterprises (dispatch centre, departments, liaisons, leaders, administrators)
  see the park's whole market: every product, need, event, registration and order.
- An enterprise user sees its own products, needs, registrations and orders and the park's
  events (to register); never another enterprise's (the park brokers contacts).
- Residents and experts see none of it. Another park's objects answer 404.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from entities.models import MarketEntity
from matchmaking.models import MatchEvent, Need, Order, Product, Registration
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, NotFound

M = TypeVar("M", bound=Model)

MANAGER_ROLES = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)
STAFF_ROLES = (
    Role.DISPATCHER,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.LIAISON,
    Role.LEADER,
    Role.ADMIN,
)


def _in(user: User, park: Park) -> bool:
    return user.is_authenticated and (user.is_superuser or user.in_park(park.pk))


def is_staff(user: User, park: Park) -> bool:
    return _in(user, park) and (user.is_superuser or user.role in STAFF_ROLES)


def can_manage(user: User, park: Park) -> bool:
    """Plan events, invite, book slots, record orders: leaders and the dispatch centre."""
    return _in(user, park) and (user.is_superuser or user.role in MANAGER_ROLES)


def own_enterprise(user: User) -> int | None:
    return user.enterprise_id if user.role == Role.ENTERPRISE else None


def can_publish_for(user: User, entity: MarketEntity) -> bool:
    """An enterprise for itself, its liaison for it, and the dispatch centre / administrators."""
    park = entity.park
    if not _in(user, park):
        return False
    if user.is_superuser or user.role in (Role.DISPATCHER, Role.ADMIN):
        return True
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id == entity.pk
    if user.role == Role.LIAISON:
        return user.pk in (entity.liaison_id, entity.backup_liaison_id)
    return False


def _by_enterprise(user: User, park: Park, qs: QuerySet[M], *fields: str) -> QuerySet[M]:
    if not _in(user, park):
        return qs.none()
    if is_staff(user, park):
        return qs
    ent = own_enterprise(user)
    if ent is None:
        return qs.none()
    cond = Q()
    for f in fields:
        cond |= Q(**{f: ent})
    return qs.filter(cond)


def visible_products(user: User, park: Park) -> QuerySet[Product]:
    return _by_enterprise(user, park, Product.objects.filter(park=park), "enterprise_id")


def visible_needs(user: User, park: Park) -> QuerySet[Need]:
    return _by_enterprise(user, park, Need.objects.filter(park=park), "enterprise_id")


def visible_events(user: User, park: Park) -> QuerySet[MatchEvent]:
    qs = MatchEvent.objects.filter(park=park)
    if not _in(user, park):
        return qs.none()
    if is_staff(user, park) or own_enterprise(user) is not None:
        return qs
    return qs.none()


def visible_registrations(user: User, park: Park) -> QuerySet[Registration]:
    return _by_enterprise(
        user, park, Registration.objects.filter(event__park=park), "enterprise_id"
    )


def visible_orders(user: User, park: Park) -> QuerySet[Order]:
    return _by_enterprise(
        user, park, Order.objects.filter(park=park), "enterprise_id", "counterparty_id"
    )


def _get(qs: QuerySet[M], pk: int | str, park: Park, what: str) -> M:
    """Another park's object answers 404 (nothing leaks); one of this park outside the user's
    scope answers 403."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(f"{what}不存在")
    obj = qs.filter(pk=key).first()
    if obj is not None:
        return obj
    if qs.model._default_manager.filter(pk=key, park=park).exists():
        raise Forbidden(f"您无权查看该{what}")
    raise NotFound(f"{what}不存在")


def get_product(user: User, park: Park, pk: int | str) -> Product:
    qs = visible_products(user, park).select_related("enterprise", "published_by")
    return _get(qs, pk, park, "产品")


def get_need(user: User, park: Park, pk: int | str) -> Need:
    qs = visible_needs(user, park).select_related("enterprise", "created_by", "demand")
    return _get(qs, pk, park, "采购需求")


def get_event(user: User, park: Park, pk: int | str) -> MatchEvent:
    qs = visible_events(user, park).select_related("created_by")
    return _get(qs, pk, park, "对接活动")


def get_order(user: User, park: Park, pk: int | str) -> Order:
    qs = visible_orders(user, park).select_related("event", "enterprise", "counterparty")
    return _get(qs, pk, park, "签约记录")
