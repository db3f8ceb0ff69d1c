"""What a requester (an enterprise user or a resident, or anyone else outside the park's staff) may
see of a demand. The demand page, the API, notifications and anything a requester can download
all ask this module, so a field hidden on one cannot leak through another.

The rule is a whitelist: a requester sees the steps of their own demand (intake, assignment to a
department, signing, pauses for material, the answer, the evaluation, closing), who acted only as
"which department" or "园区服务中心", and notes only when they are addressed to the requester
(the request for material, the answer) or written by a requester. Staff names, return reasons,
dispatch / urge / insist / sign / close notes, staff comments, extension requests, urging levels
and the raw event data stay inside the park.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from demands.models import Demand, Event, Status, Task, TaskStatus

REQUESTER_ROLES = ("enterprise", "resident")

# The steps a requester sees; everything else (return, redispatch, insist, urge, extension
# requests and decisions, merge bookkeeping, callback attempts) is the park's internal routing.
REQUESTER_ACTIONS = frozenset(
    {
        "create",
        "dispatch",
        "sign",
        "pause",
        "resume",
        "reply",
        "resolve_on_spot",
        "confirm",
        "close",
        "reopen",
        "comment",
        "escalate",
        "attach",
        # a higher rung's decision (consultation, meeting): answered, or handed to departments
        "decide_answer",
        "decide_tasks",
        # 补充材料: the question put to the requester, their answer, and closing for no answer
        "ask_info",
        "supply_info",
        "close_unreachable",
    }
)
# Notes meant for the requester whoever wrote them; other notes only when a requester wrote them.
ADDRESSED_NOTES = frozenset(
    {
        "create",
        "pause",
        "reply",
        "resolve_on_spot",
        "attach",
        "decide_answer",
        "ask_info",
        "supply_info",
    }
)
# A returned demand is still being routed as far as the requester is concerned.
REQUESTER_STATUS: dict[str, tuple[str, str]] = {
    Status.RETURNED: (Status.IN_PROGRESS.value, Status.IN_PROGRESS.label)
}
T = TypeVar("T", bound=Task)
HIDDEN_TASK_STATUSES = (TaskStatus.RETURNED, TaskStatus.CANCELLED)
PARK_NAME = "园区服务中心"


def is_requester(user: Any) -> bool:
    """Anyone who is not park staff: requesters, anonymous visitors, users without a role."""
    if user is None or not getattr(user, "is_authenticated", False):
        return True
    if getattr(user, "is_superuser", False):
        return False
    role = getattr(user, "role", "") or ""
    return role in REQUESTER_ROLES or not role


def public_status(demand: Demand) -> tuple[str, str]:
    """(value, label) of the demand's status as a requester is told it."""
    return REQUESTER_STATUS.get(demand.status, (demand.status, demand.get_status_display()))


def visible_tasks(tasks: Iterable[T]) -> list[T]:
    return [t for t in tasks if t.status not in HIDDEN_TASK_STATUSES]


def visible_events(events: Iterable[Event]) -> list[Event]:
    events = list(events)
    # A dispatch taken back within minutes was the park's slip, not a step of the requester's
    # matter: both it and its undo stay inside.
    undone = {(e.data or {}).get("dispatch_event") for e in events if e.action == "undo_dispatch"}
    return [e for e in events if e.action in REQUESTER_ACTIONS and e.pk not in undone]


def _by_requester(e: Event) -> bool:
    return (e.actor_role or "") in REQUESTER_ROLES


def event_note(e: Event) -> str:
    """The note of an event as a requester may read it ('' when it is internal)."""
    if e.action not in REQUESTER_ACTIONS:
        return ""
    if e.action in ADDRESSED_NOTES or _by_requester(e):
        return e.note
    return ""


def event_actor(e: Event) -> str:
    """Who acted, as a requester is told: their own side by name, staff only by department."""
    if e.actor_id is None:
        return ""
    if _by_requester(e):
        return e.actor.display_name if e.actor else ""
    dept = e.task.department.name if e.task_id and e.task else ""
    return dept or PARK_NAME


def task_status(t: Task) -> tuple[str, str]:
    """(value, label) of a task's state as a requester is told it: an answer in the head's
    review is still being worked on."""
    if t.status == TaskStatus.REVIEW:
        return TaskStatus.SIGNED.value, TaskStatus.SIGNED.label
    return t.status, t.get_status_display()


def task_row(t: Task) -> dict[str, Any]:
    """A task as a requester sees it: which department, by when, and its answer — only once it
    has gone out (a draft in review, or one sent back for revision, stays inside)."""
    status, label = task_status(t)
    sent = t.status == TaskStatus.ANSWERED
    return {
        "id": t.pk,
        "department": {"id": t.department.pk, "name": t.department.name},
        "role": t.role,
        "role_label": t.get_role_display(),
        "status": status,
        "status_label": label,
        "deadline": t.deadline,
        "signed_at": t.signed_at,
        "answered_at": t.answered_at,
        "answer": t.answer if sent else "",
        "outcome": t.outcome if sent else "",
    }


def event_row(e: Event) -> dict[str, Any]:
    from demands import display

    return {
        "id": e.pk,
        "action": e.action,
        "label": display.action_label(e.action),
        "detail": display.detail(e, requester=True),
        "who": event_actor(e),
        "note": event_note(e),
        "created_at": e.created_at,
    }


def requester_detail(demand: Demand, tasks: list[Task], events: list[Event]) -> dict[str, Any]:
    """The whole of a demand a requester may see, field by field (the API's requester schema)."""
    status, status_label = public_status(demand)
    return {
        "view": "requester",
        "id": demand.pk,
        "number": demand.number,
        "title": demand.title,
        "description": demand.description,
        "status": status,
        "status_label": status_label,
        "channel": demand.channel,
        "tier": demand.tier,
        "category": {"id": demand.category.pk, "name": str(demand.category)}
        if demand.category
        else None,
        "enterprise": {"id": demand.enterprise.pk, "name": demand.enterprise.name}
        if demand.enterprise
        else None,
        "requester_kind": demand.requester_kind,
        "requester_name": demand.requester_name,
        "community": demand.community,
        "lead_department": {"id": demand.lead_department.pk, "name": demand.lead_department.name}
        if demand.lead_department
        else None,
        "due_date": demand.due_date,
        "created_at": demand.created_at,
        "answer": demand.answer,
        "outcome": demand.outcome,
        "satisfaction": demand.satisfaction,
        # Both are the requester's own doing: a dissatisfied rating, a reopened demand.
        "redo_count": demand.redo_count,
        "reopen_count": demand.reopen_count,
        "answered_at": demand.answered_at,
        "closed_at": demand.closed_at,
        "merged_into": demand.merged_into.number if demand.merged_into else None,
        "awaiting_info": demand.awaits_info,
        "info_question": demand.info_question,
        "tasks": [task_row(t) for t in visible_tasks(tasks)],
        "timeline": [event_row(e) for e in visible_events(events)],
    }


def notification_note(e: Event) -> str:
    """What of an event's note a notification to a requester may quote."""
    return event_note(e)
