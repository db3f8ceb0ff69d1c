"""The queues of the workbenches: what a dispatcher, a department or a liaison has to do next.

Every queue starts from `access.visible_demands`, and every list is fetched in a constant number of
queries (select_related / one aggregate), however many rows it holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from demands import access, queries
from demands.access import visible_demands
from demands.models import (
    ACTIVE_TASK_STATUSES,
    OPEN_STATUSES,
    Demand,
    Event,
    Extension,
    ExtensionStatus,
    Status,
    Task,
    TaskStatus,
)
from demands.workflow import WORKING
from entities.models import MarketEntity
from orgs.models import Park, User
from workcal import calendar as wcal


def due_soon_limit(park: Park, today: dt.date) -> dt.date:
    """The last deadline that counts as 即将到期 today."""
    return wcal.add_working_days(today, park.due_soon_working_days)


# --------------------------------------------------------------------------- dispatch centre

DISPATCH_TABS = [
    ("received", "待交办"),
    ("returned", "退单待处理"),
    ("extensions", "延期审批"),
    ("late", "逾期催办"),
    ("callback", "待回访"),
    ("confirmed", "待销号"),
]


# Each queue's orders: (key, label, order_by); the first is the default. 待交办 opens newest first
# so that what an enterprise has just submitted is at the top; 逾期催办 by deadline.
QUEUE_SORTS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "received": [
        ("newest", "最新在前", ("-created_at", "-id")),
        ("oldest", "最早在前", ("created_at", "id")),
    ],
    "returned": [
        ("oldest", "最早在前", ("demand__created_at", "id")),
        ("newest", "最新在前", ("-demand__created_at", "-id")),
    ],
    "extensions": [
        ("oldest", "最早申请在前", ("requested_at", "id")),
        ("newest", "最新申请在前", ("-requested_at", "-id")),
    ],
    "late": [
        ("deadline", "截止日期最早在前", ("due_date", "id")),
        ("newest", "最新在前", ("-created_at", "-id")),
    ],
    "callback": [
        ("oldest", "答复最早在前", ("answered_at", "id")),
        ("newest", "答复最新在前", ("-answered_at", "-id")),
    ],
    "confirmed": [
        ("oldest", "确认最早在前", ("confirmed_at", "id")),
        ("newest", "确认最新在前", ("-confirmed_at", "-id")),
    ],
}


def dispatch_queue(
    user: User, park: Park, tab: str, today: dt.date, sort: str = ""
) -> tuple[QuerySet[Any], str]:
    """One queue of the dispatch centre in the chosen order, and the order's key. Each queue
    counts exactly what `dispatch_counts` gives its tab."""
    options = QUEUE_SORTS[tab]
    key, _, order = next((o for o in options if o[0] == sort), options[0])
    qs: QuerySet[Any]
    if tab == "received":
        qs = received(user, park)
    elif tab == "returned":
        qs = returned_tasks(user, park)
    elif tab == "extensions":
        qs = pending_extensions(user, park)
    elif tab == "late":
        qs = late(user, park, today)
    elif tab == "callback":
        qs = answered(user, park)
    else:
        qs = confirmed(user, park)
    return qs.order_by(*order), key


# The dispatch centre's queue states: each tab's demands are few (a state passed through), the
# ledger is not. Counted by state from the (park, status, …) index, never over the whole ledger.
QUEUE_STATES = (Status.RECEIVED, Status.RETURNED, Status.ANSWERED, Status.CONFIRMED)


def dispatch_counts(user: User, park: Park, today: dt.date) -> dict[str, int]:
    """Each tab's count in four queries that read indexes only: the demands in the queue states
    grouped by state (an index-only scan of (park, status, created_at) over those states), the
    late and overdue ones from the partial index of working demands by due date, the pending
    extensions and the returned tasks. One aggregate with a FILTER per tab read every demand of
    the park instead: 2.3–5.7 s at 1,000,000 demands (docs/benchmarks.md)."""
    qs = visible_demands(user, park)
    soon = due_soon_limit(park, today)
    by_state = dict(
        qs.filter(status__in=QUEUE_STATES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    agg = qs.filter(status__in=WORKING, due_date__lte=soon).aggregate(
        late=Count("*"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    agg["received"] = by_state.get(Status.RECEIVED, 0)
    agg["callback"] = by_state.get(Status.ANSWERED, 0)
    agg["confirmed"] = by_state.get(Status.CONFIRMED, 0)
    agg["extensions"] = pending_extensions(user, park).count()
    # 退单待处理 lists returned tasks (a demand may be returned by two departments).
    agg["returned"] = returned_tasks(user, park).count() if by_state.get(Status.RETURNED) else 0
    return agg


def received(user: User, park: Park) -> QuerySet[Demand]:
    qs = visible_demands(user, park).filter(status=Status.RECEIVED)
    return (
        queries.for_list(qs)
        .select_related("category__default_department")
        .order_by("created_at", "id")
    )


def returned_tasks(user: User, park: Park) -> QuerySet[Task]:
    return (
        Task.objects.filter(
            # The visible demands narrowed to the returned ones first: a few rows of the
            # (park, status) index instead of every demand of the park.
            demand__in=visible_demands(user, park).filter(status=Status.RETURNED),
            status=TaskStatus.RETURNED,
        )
        .select_related("demand", "demand__enterprise", "department")
        .order_by("demand__created_at", "id")
    )


def pending_extensions(user: User, park: Park) -> QuerySet[Extension]:
    return (
        Extension.objects.filter(
            task__demand__in=visible_demands(user, park),
            status=ExtensionStatus.PENDING,
            task__status__in=(TaskStatus.SIGNED, TaskStatus.PAUSED),
        )
        .select_related(
            "task", "task__department", "task__demand", "task__demand__enterprise", "requested_by"
        )
        .order_by("requested_at", "id")
    )


def late(user: User, park: Park, today: dt.date) -> QuerySet[Demand]:
    qs = visible_demands(user, park).filter(
        status__in=WORKING, due_date__lte=due_soon_limit(park, today)
    )
    return queries.for_list(qs).order_by("due_date", "id")


def overdue(user: User, park: Park, today: dt.date) -> QuerySet[Demand]:
    return visible_demands(user, park).filter(status__in=WORKING, due_date__lt=today)


def answered(user: User, park: Park) -> QuerySet[Demand]:
    qs = visible_demands(user, park).filter(status=Status.ANSWERED)
    return queries.for_list(qs).order_by("answered_at", "id")


def confirmed(user: User, park: Park) -> QuerySet[Demand]:
    qs = visible_demands(user, park).filter(status=Status.CONFIRMED)
    return queries.for_list(qs).order_by("confirmed_at", "id")


# --------------------------------------------------------------------------- department inbox

DEPARTMENT_TABS = [
    ("mine", "指派给我"),
    ("review", "待审核"),
    ("pending", "待签收"),
    ("working", "办理中"),
    ("due_soon", "即将到期"),
    ("overdue", "已逾期"),
    ("answered", "已答复"),
]


# 办理中: signed, waiting for material, or an answer in the head's review.
WORKING_TASK_STATUSES = (TaskStatus.SIGNED, TaskStatus.PAUSED, TaskStatus.REVIEW)


def department_tasks(user: User, park: Park) -> QuerySet[Task]:
    return access.department_tasks(user, park)


def inbox(user: User, park: Park, tab: str, today: dt.date) -> QuerySet[Task]:
    qs = department_tasks(user, park)
    soon = due_soon_limit(park, today)
    if tab == "mine":
        qs = qs.filter(assignee=user, status__in=ACTIVE_TASK_STATUSES).order_by("deadline", "id")
    elif tab == "review":
        qs = qs.filter(status=TaskStatus.REVIEW).order_by("deadline", "id")
    elif tab == "pending":
        qs = qs.filter(status=TaskStatus.PENDING).order_by("deadline", "id")
    elif tab == "working":
        qs = qs.filter(status__in=WORKING_TASK_STATUSES).order_by("deadline", "id")
    elif tab == "due_soon":
        qs = qs.filter(
            status__in=ACTIVE_TASK_STATUSES, deadline__gte=today, deadline__lte=soon
        ).order_by("deadline", "id")
    elif tab == "overdue":
        qs = qs.filter(status__in=ACTIVE_TASK_STATUSES, deadline__lt=today).order_by(
            "deadline", "id"
        )
    else:
        qs = qs.filter(status=TaskStatus.ANSWERED).order_by("-answered_at", "-id")
    return qs.select_related(
        "demand",
        "demand__enterprise",
        "demand__category",
        "demand__category__parent",
        "department",
        "assignee",
    )


INBOX_SORTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("deadline", "截止日期最早在前", ("deadline", "id")),
    ("newest", "最新交办在前", ("-assigned_at", "-id")),
    ("oldest", "最早交办在前", ("assigned_at", "id")),
]


def sorted_inbox(
    user: User, park: Park, tab: str, today: dt.date, sort: str = ""
) -> tuple[QuerySet[Task], str]:
    """A department queue in the chosen order (已答复 defaults to the newest answers)."""
    qs = inbox(user, park, tab, today)
    if not sort and tab == "answered":
        return qs, ""
    key, _, order = next((o for o in INBOX_SORTS if o[0] == sort), INBOX_SORTS[0])
    return qs.order_by(*order), key


def inbox_counts(user: User, park: Park, today: dt.date) -> dict[str, int]:
    soon = due_soon_limit(park, today)
    active = Q(status__in=ACTIVE_TASK_STATUSES)
    return department_tasks(user, park).aggregate(
        mine=Count("pk", filter=active & Q(assignee=user)),
        review=Count("pk", filter=Q(status=TaskStatus.REVIEW)),
        pending=Count("pk", filter=Q(status=TaskStatus.PENDING)),
        working=Count("pk", filter=Q(status__in=WORKING_TASK_STATUSES)),
        due_soon=Count("pk", filter=active & Q(deadline__gte=today, deadline__lte=soon)),
        overdue=Count("pk", filter=active & Q(deadline__lt=today)),
        answered=Count("pk", filter=Q(status=TaskStatus.ANSWERED)),
    )


# --------------------------------------------------------------------------- liaison


def liaison_entities(user: User, park: Park) -> QuerySet[MarketEntity]:
    """The liaison's enterprises with their open demands and the last time the liaison acted."""
    last_event = (
        Event.objects.filter(demand__enterprise=OuterRef("pk"), actor=user)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        MarketEntity.objects.filter(park=park, is_active=True)
        .filter(Q(liaison=user) | Q(backup_liaison=user))
        .annotate(
            open_demands=Count("demands", filter=Q(demands__status__in=OPEN_STATUSES)),
            to_call_back=Count("demands", filter=Q(demands__status=Status.ANSWERED)),
            last_demand_at=Max("demands__created_at"),
            last_action_at=Subquery(last_event),
        )
        .order_by("-open_demands", "tier", "name")
    )


def last_contact(entity: MarketEntity) -> dt.datetime | None:
    dates = [d for d in (entity.last_contact_at, getattr(entity, "last_action_at", None)) if d]
    return max(dates) if dates else None


def today() -> dt.date:
    return timezone.localdate()
