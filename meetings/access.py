"""The one place that decides which meetings, and which parts of them, a user may see.

Pages, the API and the minutes exports all start from `visible_meetings` / `get_meeting` and show
agenda items through `visible_items`. Leaders, dispatchers and administrators see every meeting of
their park; a department sees the meetings it was invited to or given tasks by; a 专属服务员 those
that hear an enterprise they serve; an enterprise only the meetings that hear its own demands, and
of them only its own items. Nothing crosses parks: another park's meeting is "not found".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from meetings.models import AgendaItem, Meeting, MeetingStatus
from orgs.models import DEPARTMENT_ROLES, Park, Role, User
from qinshang.errors import Forbidden, InvalidState, NotFound

PREPARE_ROLES = (Role.DISPATCHER, Role.ADMIN)
RECORD_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
ALL_ROLES = (*RECORD_ROLES,)


def _in_park(user: User, park: Park) -> bool:
    return user.is_authenticated and (user.is_superuser or user.in_park(park.pk))


def sees_everything(user: User, park: Park) -> bool:
    return _in_park(user, park) and (user.is_superuser or user.role in ALL_ROLES)


def can_prepare(user: User, park: Park) -> bool:
    """Dispatchers prepare meetings: dates, agenda, invitations, issuing the minutes."""
    return _in_park(user, park) and (user.is_superuser or user.role in PREPARE_ROLES)


def can_record(user: User, park: Park) -> bool:
    """During the meeting the chair (a leader) and the dispatch centre record what happens."""
    return _in_park(user, park) and (user.is_superuser or user.role in RECORD_ROLES)


def require_prepare(user: User, park: Park) -> None:
    if not can_prepare(user, park):
        raise Forbidden("只有派单中心（派单员、管理员）可以筹备会议")


def require_record(user: User, park: Park) -> None:
    if not can_record(user, park):
        raise Forbidden("只有会议主持领导和派单中心可以记录会议")


def _served(user: User) -> Q:
    return Q(enterprise__liaison=user) | Q(enterprise__backup_liaison=user)


def visible_meetings(user: User, park: Park) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(park=park)
    if not _in_park(user, park):
        return qs.none()
    if sees_everything(user, park):
        return qs
    role = user.role
    if role in DEPARTMENT_ROLES and user.department_id:
        dept = user.department_id
        return qs.filter(
            Q(invited_departments=dept) | Q(decisions__links__task__department_id=dept)
        ).distinct()
    if role == Role.LIAISON:
        items = AgendaItem.objects.filter(_served(user), removed=False).values("meeting_id")
        return qs.filter(pk__in=items)
    if role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(pk__in=_enterprise_items(user).values("meeting_id"))
    return qs.none()


def _enterprise_items(user: User) -> QuerySet[AgendaItem]:
    ent = user.enterprise_id
    return AgendaItem.objects.filter(
        Q(enterprise_id=ent) | Q(demand__enterprise_id=ent), removed=False
    )


def sees_whole_meeting(user: User, park: Park) -> bool:
    """Staff see the whole agenda (as in the issued minutes); an enterprise only its own part."""
    return _in_park(user, park) and user.role not in (Role.ENTERPRISE, Role.RESIDENT)


def visible_items(user: User, meeting: Meeting) -> QuerySet[AgendaItem]:
    qs = meeting.items.filter(removed=False)
    if sees_whole_meeting(user, meeting.park):
        return qs
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(pk__in=_enterprise_items(user).values("pk"))
    return qs.none()


def get_meeting(user: User, park: Park, meeting_id: int | str) -> Meeting:
    """The meeting if the user may see it; another park's meeting is reported as missing."""
    try:
        pk = int(meeting_id)
    except (TypeError, ValueError):
        raise NotFound("会议不存在")
    meeting = visible_meetings(user, park).select_related("park", "chair").filter(pk=pk).first()
    if meeting is not None:
        return meeting
    if Meeting.objects.filter(pk=pk, park=park).exists():
        raise Forbidden("您无权查看该会议")
    raise NotFound("会议不存在")


def require_status(meeting: Meeting, *statuses: str, doing: str) -> None:
    if meeting.status not in statuses:
        if meeting.status == MeetingStatus.PREPARING:
            raise InvalidState(f"会议尚未召开，不能{doing}")
        if meeting.status == MeetingStatus.ISSUED:
            raise InvalidState(f"会议纪要已印发，不能再{doing}")
        raise InvalidState(f"会议已召开，不能再{doing}")
