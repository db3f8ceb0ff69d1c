"""Who hears of the department heads' steps and of 补充材料: the assigned handler, the head who
reviews, the handler whose answer was sent back, the requester asked a question, and whoever
asked it when the answer comes.

The ledger's older events are announced by `notifications.services.notify_for_event`; these are
told here through the same `notify` (so every delivery the notifications app offers applies).
This module sits in a room above notifications (qinshang/tests/test_rooms.py), and
`demands.apps` connects it to `event_recorded`, so the rest of the ledger imports nothing of it.
"""

from __future__ import annotations

import logging
from typing import Any

from demands.models import Demand, Event, Task
from notifications.models import Kind
from notifications.services import department_staff, notify, requesters
from orgs.models import Role, User

log = logging.getLogger(__name__)

ANNOUNCED = frozenset(
    {"assign", "submit_reply", "send_back_reply", "ask_info", "supply_info", "undo_dispatch"}
)


def _short(demand: Demand) -> str:
    title = demand.title if len(demand.title) <= 30 else demand.title[:29] + "…"
    return f"{demand.number}「{title}」"


def _people(*ids: Any) -> list[User]:
    wanted = [i for i in ids if isinstance(i, int)]
    return list(User.objects.filter(pk__in=wanted, is_active=True)) if wanted else []


def announce(event: Event) -> int:
    if event.action not in ANNOUNCED:
        return 0
    demand = Demand.objects.select_related("park", "created_by").get(pk=event.demand_id)
    task = (
        Task.objects.select_related("department").get(pk=event.task_id) if event.task_id else None
    )
    actor, d, s = event.actor, event.data or {}, _short(demand)
    a = event.action
    if a == "assign" and task is not None:
        text = f"指派给您办理：{s}，请于 {task.deadline:%m月%d日} 前办结"
        return notify(_people(d.get("assignee_id")), demand, Kind.ASSIGNED, text, actor=actor)
    if a == "submit_reply" and task is not None:
        heads = User.objects.filter(
            department_id=task.department_id, role=Role.DEPARTMENT_HEAD, is_active=True
        )
        who = actor.display_name if actor is not None else "经办人"
        return notify(heads, demand, Kind.REPLIED, f"{who}的答复待您审核：{s}", actor=actor)
    if a == "send_back_reply" and task is not None:
        text = f"答复被退回修改：{s}。修改意见：{event.note}"
        people = _people(d.get("drafted_by_id"), task.assignee_id)
        return notify(people, demand, Kind.REPLIED, text, actor=actor)
    if a == "ask_info":
        text = f"请您补充材料：{s}。{event.note}"
        return notify(requesters(demand), demand, Kind.MATERIAL, text, actor=actor)
    if a == "supply_info":
        how = f"（电话补充，{d['recorded_by']}记录）" if d.get("via") == "phone" else ""
        text = f"诉求人已补充材料{how}，暂停的任务已恢复计时：{s}"
        return notify(_people(d.get("asked_by_id")), demand, Kind.MATERIAL, text, actor=actor)
    if a == "undo_dispatch":
        # The departments were told of a new task minutes ago: they must hear it is withdrawn.
        why = f"。理由：{event.note}" if event.note else ""
        text = f"交办已撤销，无需办理：{s}{why}"
        staff = department_staff(d.get("department_ids") or [])
        return notify(staff, demand, Kind.WITHDRAWN, text, actor=actor)
    return 0


def on_event_recorded(sender: Any, event: Event, **kwargs: Any) -> None:
    # After the commit: a failed notice must not turn a done action into an error.
    try:
        announce(event)
    except Exception:
        log.exception("notice for event %s failed", event.pk)
