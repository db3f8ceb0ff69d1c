"""电话回访 when the rating request cannot reach the requester: a call task for the enterprise's
liaison, shown on their home page. Completing it records the call-back through the ledger's own
services (`demands.services.confirm` with method phone, or `record_callback` when nobody
answered); the demands workflow is not changed.

A task opens when the 回访 notice to the requesters got no outside delivery at all (no mobile,
no channel chosen, none configured) or when the last of them failed after its retries. It closes
by itself when the demand is rated or closed some other way.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from demands import services as demand_services
from demands.models import CallbackMethod, Demand, Event, Satisfaction, Status
from notifications.models import (
    CallState,
    CallTask,
    Delivery,
    DeliveryState,
    Kind,
    Notification,
)
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound

log = logging.getLogger(__name__)

REQUESTER_ROLES = (Role.ENTERPRISE, Role.RESIDENT)
OUTCOMES = {
    "satisfied": "已联系上：满意",
    "basic": "已联系上：基本满意",
    "dissatisfied": "已联系上：不满意",
    "unreached": "未联系上",
}


def liaison_for(demand: Demand) -> User | None:
    who = demand.liaison
    if who is None and demand.enterprise_id:
        who = demand.enterprise.liaison if demand.enterprise else None
    if who is None or not who.is_active:
        return None
    return who


def open_call(demand: Demand, reason: str) -> CallTask | None:
    """One open call task per demand, for its liaison; nothing when it has none (the dispatch
    centre's 待回访 list still holds the item)."""
    demand = Demand.objects.select_related("liaison", "enterprise__liaison").get(pk=demand.pk)
    if demand.status != Status.ANSWERED:
        return None
    liaison = liaison_for(demand)
    if liaison is None:
        log.info("demand %s: no liaison for a call-back task", demand.pk)
        return None
    existing = CallTask.objects.filter(demand=demand, state=CallState.OPEN).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CallTask.objects.create(
                park_id=demand.park_id,
                demand=demand,
                liaison=liaison,
                reason=reason[:300],
                created_at=timezone.now(),
            )
    except IntegrityError:  # another worker opened it a moment ago
        return CallTask.objects.filter(demand=demand, state=CallState.OPEN).first()


def after_rating_request(demand: Demand, requester_notices: list[Notification]) -> CallTask | None:
    """Called right after the 回访 notices were written and fanned out."""
    live = Delivery.objects.filter(notification__in=[n for n in requester_notices if n.pk]).exclude(
        state=DeliveryState.FAILED
    )
    if requester_notices and live.exists():
        return None  # wait for the outcome; a final failure comes back here
    if not requester_notices:
        reason = "诉求人没有平台账号，无法发送回访提醒"
    else:
        reason = "诉求人没有可用的手机号或其他消息渠道，回访提醒只在站内"
    return open_call(demand, reason)


def after_delivery_failed(delivery_id: int) -> CallTask | None:
    d = Delivery.objects.select_related("notification__user").get(pk=delivery_id)
    n = d.notification
    if n.kind != Kind.ANSWERED or n.demand_id is None or n.user.role not in REQUESTER_ROLES:
        return None
    # The same request to the requesters went out together (one created_at): any of its other
    # outside deliveries still under way or through means someone may yet read it.
    alive = (
        Delivery.objects.filter(
            notification__demand_id=n.demand_id,
            notification__kind=Kind.ANSWERED,
            notification__created_at=n.created_at,
            notification__user__role__in=REQUESTER_ROLES,
        )
        .exclude(state=DeliveryState.FAILED)
        .exists()
    )
    if alive:
        return None
    demand = Demand.objects.get(pk=n.demand_id)
    return open_call(demand, f"回访提醒{d.get_channel_display()}未能送达：{d.last_error}")


def open_for(user: User, park: Park) -> list[CallTask]:
    return list(
        CallTask.objects.filter(liaison=user, park=park, state=CallState.OPEN)
        .select_related("demand", "demand__enterprise")
        .order_by("created_at", "id")[:50]
    )


def _get(actor: User, park: Park, call_id: int) -> CallTask:
    call = CallTask.objects.filter(pk=call_id, park=park).first()
    if call is None:
        raise NotFound("回访任务不存在")
    if call.liaison_id != actor.pk and actor.role not in (Role.DISPATCHER, Role.ADMIN):
        raise Forbidden("这项回访任务不是分配给您的")
    return call


def complete(actor: User, park: Park, call_id: int, *, outcome: str, note: str = "") -> CallTask:
    """The liaison called: record the rating taken by phone, or that nobody answered."""
    call = _get(actor, park, call_id)
    note = note.strip()[:300]
    if outcome not in OUTCOMES:
        raise InvalidInput("请选择回访结果", field="outcome")
    if outcome == "unreached" and not note:
        raise InvalidInput("未联系上时请写明回访情况（如：电话无人接听）", field="note")
    if outcome == "dissatisfied" and not note:
        raise InvalidInput("不满意时请记录诉求人的意见", field="note")
    with transaction.atomic():
        call = CallTask.objects.select_for_update().get(pk=call.pk)
        if call.state != CallState.OPEN:
            raise InvalidState("这项回访任务已经处理过了")
        demand = Demand.objects.get(pk=call.demand_id)
        if outcome == "unreached":
            demand_services.record_callback(actor, demand, note=note)
            action = "record_callback"
        else:
            demand_services.confirm(
                actor,
                demand,
                satisfaction=Satisfaction(outcome),
                comment=note,
                method=CallbackMethod.PHONE,
            )
            action = "confirm"
        call.event = (
            Event.objects.filter(demand_id=demand.pk, action=action).order_by("-id").first()
        )
        call.state = CallState.DONE
        call.outcome = outcome
        call.note = note
        call.done_at = timezone.now()
        call.done_by = actor
        call.save()
    return call


def settle_for_event(event: Event) -> int:
    """The demand was rated or closed another way (the requester on the portal, the dispatch
    centre): an open call task has nothing left to do."""
    if event.action not in ("confirm", "close"):
        return 0
    return CallTask.objects.filter(demand_id=event.demand_id, state=CallState.OPEN).update(
        state=CallState.CANCELLED,
        outcome="self" if event.action == "confirm" else "closed",
        note="诉求已评价" if event.action == "confirm" else "诉求已销号",
        done_at=timezone.now(),
        event=event,
    )
