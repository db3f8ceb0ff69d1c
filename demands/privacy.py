"""Requesters' names and phone numbers by role, and the log of who opened or revealed what.

Who needs a requester's contact details in full: the dispatch centre and hotline (派单员, 管理员),
the handlers of a department that is working on the demand (an active or answered task), the
requester's own 专属服务员 and whoever recorded the demand, and the requester. Everyone else
(leaders, experts, other departments, liaisons of other enterprises, reports) sees 138****1234
and 张* and may press 显示, which is logged. Lists, the demand page, the API and exports all go
through `masker`, so a field masked in one is masked in all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from demands import redaction
from demands.models import AccessField, AccessKind, AccessLog, Demand, TaskStatus
from orgs.models import DEPARTMENT_ROLES, Role, User
from qinshang.errors import Forbidden, InvalidInput

FULL_ROLES = (Role.DISPATCHER, Role.ADMIN)
RELATION_ROLES = (*DEPARTMENT_ROLES, Role.LIAISON)
# A department that returned its task, or whose task was withdrawn, no longer works on it.
WORKING_TASKS = (TaskStatus.PENDING, TaskStatus.SIGNED, TaskStatus.PAUSED, TaskStatus.ANSWERED)


def mask_phone(phone: str) -> str:
    p = (phone or "").strip()
    if not p:
        return ""
    if len(p) >= 7:
        return p[:3] + "****" + p[-4:]
    return "*" * len(p)


def mask_name(name: str) -> str:
    n = (name or "").strip()
    if not n:
        return ""
    return n[0] + "*" * max(len(n) - 1, 1)


def _relation(user: User) -> Q:
    q = Q(liaison=user) | Q(enterprise__liaison=user) | Q(enterprise__backup_liaison=user)
    q |= Q(created_by=user)
    if user.role in DEPARTMENT_ROLES and user.department_id:
        q |= Q(tasks__department_id=user.department_id, tasks__status__in=WORKING_TASKS)
    return q


def full_ids(user: User, demands: QuerySet[Demand] | Iterable[Demand]) -> set[int] | None:
    """The ids among `demands` whose contact details the user sees in full; None means all.

    At most one query, whatever the number of demands (a list's page or a whole export)."""
    if user.is_superuser or user.role in FULL_ROLES or redaction.is_requester(user):
        return None
    if user.role not in RELATION_ROLES:
        return set()
    if isinstance(demands, QuerySet):
        base = demands.order_by()
    else:
        ids = [d.pk for d in demands]
        if not ids:
            return set()
        base = Demand.objects.filter(pk__in=ids)
    return set(base.filter(_relation(user)).values_list("pk", flat=True).distinct())


def sees_contact(user: User, demand: Demand, tasks: Iterable[Any] | None = None) -> bool:
    """`tasks`: the demand's tasks when the caller has them; a department working on it then
    needs no query (the same condition as `_relation`'s task branch)."""
    if (
        tasks is not None
        and user.role in DEPARTMENT_ROLES
        and user.department_id
        and any(t.department_id == user.department_id and t.status in WORKING_TASKS for t in tasks)
    ):
        return True
    ids = full_ids(user, [demand])
    return ids is None or demand.pk in ids


def mask(demand: Demand) -> Demand:
    """Mask a demand's contact details in memory (the instance then refuses to be saved)."""
    if not getattr(demand, "contact_masked", False):
        demand.requester_name = mask_name(demand.requester_name)
        demand.requester_phone = mask_phone(demand.requester_phone)
        demand.contact_masked = True
    return demand


def masker(user: User, demands: QuerySet[Demand] | Iterable[Demand]) -> Callable[[Demand], Demand]:
    """A function that masks each demand of `demands` the user may not see in full."""
    ids = full_ids(user, demands)
    if ids is None:
        return lambda d: d
    return lambda d: d if d.pk in ids else mask(d)


def apply(user: User, demands: list[Demand]) -> list[Demand]:
    m = masker(user, demands)
    return [m(d) for d in demands]


def always(demand: Demand) -> Demand:
    """For reports and briefings, which nobody reads to call a requester."""
    return mask(demand)


# --------------------------------------------------------------------------- access log


def log_open(user: Any, demand: Demand, via: str = "web") -> None:
    """One INSERT per opening of a demand by a signed-in user."""
    if not getattr(user, "is_authenticated", False):
        return
    row = AccessLog(
        park_id=demand.park_id,
        demand_id=demand.pk,
        user_id=user.pk,
        kind=AccessKind.OPEN,
        via=via,
        at=timezone.now(),
    )
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        row.save(force_insert=True)
        return
    # Waiting for the WAL flush of this commit was most of the cost (4 ms of 4.1 on a busy
    # machine). An opening may be lost in the last moments before a database crash, never
    # half-written; reveals (below) keep the full commit, they hand out the data.
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit TO OFF")
        row.save(force_insert=True)


def reveal(user: User, demand: Demand, field: str, via: str = "web") -> str:
    """The unmasked value of `field` ("name" or "phone"), logged as who, when, which, what."""
    if field not in (AccessField.NAME, AccessField.PHONE):
        raise InvalidInput("只能显示联系人或联系电话", field="field")
    if redaction.is_requester(user):
        raise Forbidden("您无权查看该信息")
    AccessLog.objects.create(
        park_id=demand.park_id,
        demand_id=demand.pk,
        user_id=user.pk,
        kind=AccessKind.REVEAL,
        field=field,
        via=via,
        at=timezone.now(),
    )
    fresh = Demand.objects.only("requester_name", "requester_phone").get(pk=demand.pk)
    return fresh.requester_name if field == AccessField.NAME else fresh.requester_phone


def access_log(park: Any) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(park=park).select_related("user", "demand")
