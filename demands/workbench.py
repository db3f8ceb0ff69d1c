"""The queues of the workbenches: what a dispatcher, a department or a liaison has to do next.

Every queue starts from `access.visible_demands`, and every list is fetched in a constant number of
queries (select_related / one aggregate), however many rows it holds.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from demands import queries
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


def dispatch_counts(user: User, park: Park, today: dt.date) -> dict[str, int]:
    qs = visible_demands(user, park)
    soon = due_soon_limit(park, today)
    agg = qs.aggregate(
        received=Count("pk", filter=Q(status=Status.RECEIVED)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        late=Count("pk", filter=Q(status__in=WORKING, due_date__lte=soon)),
        overdue=Count("pk", filter=Q(status__in=WORKING, due_date__lt=today)),
        callback=Count("pk", filter=Q(status=Status.ANSWERED)),
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
    )
    agg["extensions"] = pending_extensions(user, park).count()
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
            demand__in=visible_demands(user, park),
            status=TaskStatus.RETURNED,
            demand__status=Status.RETURNED,
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
    ("pending", "待签收"),
    ("working", "办理中"),
    ("due_soon", "即将到期"),
    ("overdue", "已逾期"),
    ("answered", "已答复"),
]


def department_tasks(user: User, park: Park) -> QuerySet[Task]:
    if not user.department_id:
        return Task.objects.none()
    return Task.objects.filter(
        department_id=user.department_id, demand__in=visible_demands(user, park)
    )


def inbox(user: User, park: Park, tab: str, today: dt.date) -> QuerySet[Task]:
    qs = department_tasks(user, park)
    soon = due_soon_limit(park, today)
    if tab == "pending":
        qs = qs.filter(status=TaskStatus.PENDING).order_by("deadline", "id")
    elif tab == "working":
        qs = qs.filter(status__in=(TaskStatus.SIGNED, TaskStatus.PAUSED)).order_by("deadline", "id")
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
        "demand", "demand__enterprise", "demand__category", "demand__category__parent", "department"
    )


def inbox_counts(user: User, park: Park, today: dt.date) -> dict[str, int]:
    soon = due_soon_limit(park, today)
    active = Q(status__in=ACTIVE_TASK_STATUSES)
    return department_tasks(user, park).aggregate(
        pending=Count("pk", filter=Q(status=TaskStatus.PENDING)),
        working=Count("pk", filter=Q(status__in=(TaskStatus.SIGNED, TaskStatus.PAUSED))),
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
