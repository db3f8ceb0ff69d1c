"""Who sees which knowledge entries and consults: the one scoping function per object type.

Requesters (the portal) see only entries that are public, published, in force and not past
review; they never see internal notes (templates for requesters have no such field). Staff see
the published entries of their park; drafts and retired entries only those who may edit them
(the dispatch centre, the owning department, the entry's 政策专员).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from knowledge.models import Consult, Entry, EntryStatus
from orgs.models import Park, Role, User
from qinshang.errors import NotFound

REQUESTER_ROLES = (Role.ENTERPRISE, Role.RESIDENT)
EDITOR_ROLES = (Role.DISPATCHER, Role.ADMIN)


def is_requester(user: User) -> bool:
    return user.role in REQUESTER_ROLES


def in_force(qs: QuerySet[Entry], today: dt.date) -> QuerySet[Entry]:
    return qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def not_past_review(qs: QuerySet[Entry], today: dt.date) -> QuerySet[Entry]:
    return qs.filter(review_due__gte=today)


def portal_entries(park: Park, today: dt.date | None = None) -> QuerySet[Entry]:
    today = today or timezone.localdate()
    qs = Entry.objects.filter(park=park, status=EntryStatus.PUBLISHED, is_public=True)
    return not_past_review(in_force(qs, today), today)


def visible_entries(user: User, park: Park) -> QuerySet[Entry]:
    qs = Entry.objects.filter(park=park)
    if not user.is_authenticated or not (user.in_park(park.pk) or user.is_superuser):
        return qs.none()
    if is_requester(user):
        return portal_entries(park)
    if user.is_superuser or user.role in EDITOR_ROLES:
        return qs
    mine = Q(specialist=user)
    if user.department_id and user.role in (Role.HANDLER, Role.DEPARTMENT_HEAD):
        mine |= Q(department_id=user.department_id)
    return qs.filter(Q(status=EntryStatus.PUBLISHED) | mine)


def get_entry(user: User, park: Park, entry_id: int | str) -> Entry:
    e = (
        visible_entries(user, park)
        .select_related("department", "specialist", "source_demand")
        .filter(pk=entry_id)
        .first()
    )
    if e is None:
        raise NotFound("知识条目不存在")
    return e


def can_edit(user: User, entry: Entry) -> bool:
    if user.is_superuser or user.role in EDITOR_ROLES:
        return True
    if entry.specialist_id == user.pk:
        return True
    return (
        user.role in (Role.HANDLER, Role.DEPARTMENT_HEAD)
        and user.department_id is not None
        and user.department_id == entry.department_id
    )


def can_author(user: User) -> bool:
    return user.is_superuser or user.role in (*EDITOR_ROLES, Role.HANDLER, Role.DEPARTMENT_HEAD)


def visible_consults(user: User, park: Park) -> QuerySet[Consult]:
    qs = Consult.objects.filter(park=park)
    if not user.is_authenticated or not (user.in_park(park.pk) or user.is_superuser):
        return qs.none()
    if user.is_superuser or user.role in (*EDITOR_ROLES, Role.LEADER):
        return qs
    if is_requester(user):
        return qs.none()
    return qs.filter(Q(specialist=user) | Q(asked_by=user))


def get_consult(user: User, park: Park, consult_id: int | str) -> Consult:
    c = (
        visible_consults(user, park)
        .select_related("demand", "entry", "specialist", "asked_by")
        .filter(pk=consult_id)
        .first()
    )
    if c is None:
        raise NotFound("三方连线不存在")
    return c
