"""Who is told what: one notification per recipient for the events that ask someone to act.

Department staff hear of new assignments, insistence, urging and extension decisions; dispatchers of
returns, extension requests and replies; the requester (and the liaison) that an answer is ready or
material is missing. The deadline scan adds 即将到期 / 已逾期 once per task per day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from demands import redaction
from demands.models import (
    OPEN_STATUSES,
    Demand,
    Event,
    Status,
    Task,
    TaskStatus,
)
from notifications import calls, delivery
from notifications.models import Kind, Notification
from orgs.models import DEPARTMENT_ROLES, Department, Park, Role, User
from workcal import calendar as wcal

log = logging.getLogger(__name__)


def department_staff(department_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(
        department_id__in=list(department_ids), role__in=DEPARTMENT_ROLES, is_active=True
    )


def dispatchers(park: Park) -> QuerySet[User]:
    return User.objects.filter(
        Q(park=park) | Q(extra_parks=park), role=Role.DISPATCHER, is_active=True
    ).distinct()


def requesters(demand: Demand) -> list[User]:
    out: dict[int, User] = {}
    if demand.enterprise_id:
        for u in User.objects.filter(
            enterprise_id=demand.enterprise_id, role=Role.ENTERPRISE, is_active=True
        ):
            out[u.pk] = u
    creator = demand.created_by
    if creator is not None and creator.role in (Role.ENTERPRISE, Role.RESIDENT):
        out[creator.pk] = creator
    return list(out.values())


def notify(
    users: Iterable[User],
    demand: Demand,
    kind: str,
    text: str,
    *,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> int:
    return len(notify_rows(users, demand, kind, text, actor=actor, at=at))


def notify_rows(
    users: Iterable[User],
    demand: Demand,
    kind: str,
    text: str,
    *,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> list[Notification]:
    """The in-app notices (the bell), then their outside deliveries (`delivery.fan_out`)."""
    at = at or timezone.now()
    seen: set[int] = set()
    rows = []
    for u in users:
        if u.pk in seen or (actor is not None and u.pk == actor.pk):
            continue
        seen.add(u.pk)
        rows.append(
            Notification(
                user=u,
                park_id=demand.park_id,
                demand=demand,
                kind=kind,
                text=text[:300],
                created_at=at,
            )
        )
    rows = Notification.objects.bulk_create(rows)
    delivery.fan_out(rows)
    return rows


def notify_link(
    users: Iterable[User],
    park: Park,
    kind: str,
    text: str,
    link: str,
    *,
    dedupe_key: str = "",
    at: dt.datetime | None = None,
) -> int:
    """A message about something other than one demand (a key project, a consultation)."""
    at = at or timezone.now()
    rows = {
        u.pk: Notification(
            user=u,
            park=park,
            kind=kind,
            text=text[:300],
            link=link,
            created_at=at,
            dedupe_key=dedupe_key,
        )
        for u in users
        if u is not None
    }
    if dedupe_key and rows:
        # ignore_conflicts hands back every row offered, so the count would include the users
        # told before; leave those out first (the constraint still settles a race).
        told = Notification.objects.filter(
            user_id__in=list(rows), dedupe_key=dedupe_key
        ).values_list("user_id", flat=True)
        for pk in told:
            rows.pop(pk, None)
    made = Notification.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    delivery.fan_out(made)
    return len(rows)


def _short(demand: Demand) -> str:
    title = demand.title if len(demand.title) <= 30 else demand.title[:29] + "…"
    return f"{demand.number}「{title}」"


# The actions that tell anyone anything; the others (intake above all, the busiest) return at once.
NOTIFYING_ACTIONS = frozenset(
    {
        "create",
        "dispatch",
        "redispatch",
        "insist",
        "urge",
        "decide_extension",
        "return",
        "request_extension",
        "reply",
        "pause",
        "status",
        "resolve_on_spot",
        "decide_tasks",
        "decide_answer",
    }
)


def notify_for_event(event: Event) -> int:
    if event.action not in NOTIFYING_ACTIONS:
        return 0
    if event.action == "status" and event.to_status != Status.ANSWERED:
        return 0  # of the derived state changes only the answer is announced (below)
    demand = Demand.objects.select_related("park", "created_by", "liaison").get(pk=event.demand_id)
    actor = event.actor
    a = event.action
    d = event.data or {}
    task = (
        Task.objects.select_related("department").get(pk=event.task_id) if event.task_id else None
    )
    s = _short(demand)
    if a == "create":
        # What the dispatch centre did not take in itself (portal, liaison, API, import) is
        # announced to it; an item already answered on the spot waits for nobody.
        if demand.status != Status.RECEIVED or (
            actor is not None and actor.role in (Role.DISPATCHER, Role.ADMIN)
        ):
            return 0
        return notify(
            dispatchers(demand.park),
            demand,
            Kind.RECEIVED,
            f"新诉求待交办（{demand.get_channel_display()}）：{s}",
            actor=actor,
        )
    # Tasks made by this event carry its time; reading them so (not "the pending ones now") keeps
    # the answer right when the callbacks run late, after later actions.
    if a in ("dispatch", "decide_tasks"):
        tasks = list(demand.tasks.filter(assigned_at=event.created_at).select_related("department"))
        n = 0
        for t in tasks:
            n += notify(
                department_staff([t.department_id]),
                demand,
                Kind.ASSIGNED,
                f"新交办（{t.get_role_display()}）：{s}，请于 {t.deadline:%m月%d日} 前办结",
                actor=actor,
            )
        return n
    if a == "redispatch" and d.get("to"):
        new = (
            demand.tasks.filter(department__name=d["to"], created_at__gte=event.created_at)
            .order_by("id")
            .first()
        )
        if new is None:
            return 0
        return notify(
            department_staff([new.department_id]),
            demand,
            Kind.ASSIGNED,
            f"改派交办：{s}，请于 {new.deadline:%m月%d日} 前办结",
            actor=actor,
        )
    if a == "insist" and task is not None:
        return notify(
            department_staff([task.department_id]),
            demand,
            Kind.ASSIGNED,
            f"派单员坚持交办：{s}，请签收办理",
            actor=actor,
        )
    if a == "urge":
        depts = Department.objects.filter(
            park_id=demand.park_id, name__in=d.get("departments", [])
        ).values_list("pk", flat=True)
        return notify(
            department_staff(depts),
            demand,
            Kind.URGED,
            f"{d.get('label', '催办')}：{s}" + (f"。{event.note}" if event.note else ""),
            actor=actor,
        )
    if a == "decide_extension" and task is not None:
        verdict = "已同意" if d.get("approved") else "已驳回"
        return notify(
            department_staff([task.department_id]),
            demand,
            Kind.EXTENSION_DECIDED,
            f"延期申请{verdict}：{s}，截止 {d.get('deadline', '')}",
            actor=actor,
        )
    if a == "return" and task is not None:
        return notify(
            dispatchers(demand.park),
            demand,
            Kind.RETURNED,
            f"{task.department.name}退单（{d.get('reason_label', '')}）：{s}",
            actor=actor,
        )
    if a == "request_extension" and task is not None:
        return notify(
            dispatchers(demand.park),
            demand,
            Kind.EXTENSION_REQUESTED,
            f"{task.department.name}申请延期 {d.get('days')} 个工作日：{s}",
            actor=actor,
        )
    if a == "reply" and task is not None:
        return notify(
            dispatchers(demand.park),
            demand,
            Kind.REPLIED,
            f"{task.department.name}已答复：{s}",
            actor=actor,
        )
    if a == "pause" and task is not None:
        return notify(
            requesters(demand),
            demand,
            Kind.MATERIAL,
            f"{task.department.name}请您补充材料：{s}。{redaction.notification_note(event)}",
            actor=actor,
        )
    answered = (a == "status" and event.to_status == Status.ANSWERED) or a in (
        "resolve_on_spot",
        "decide_answer",
    )
    if answered:
        text = f"您的诉求已答复，请查看并评价：{s}"
        asked = notify_rows(requesters(demand), demand, Kind.ANSWERED, text, actor=actor)
        n = len(asked)
        if demand.liaison is not None and all(r.user_id != demand.liaison_id for r in asked):
            n += notify([demand.liaison], demand, Kind.ANSWERED, text, actor=actor)
        # The 回访 request that reaches the requester by no outside channel becomes a call.
        calls.after_rating_request(demand, asked)
        return n
    return 0


def on_event_recorded(sender: Any, event: Event, **kwargs: Any) -> None:
    # Runs after the action committed: a failure here must not turn a done action into an error.
    try:
        calls.settle_for_event(event)
        notify_for_event(event)
    except Exception:
        log.exception("notification for event %s failed", event.pk)


def scan_deadlines(today: dt.date | None = None) -> int:
    """Tell department staff about tasks due soon or overdue; once per task, person and day.

    A task 待审核 keeps its deadline running (review does not stop the clock), so it is
    reminded too: its department's staff as for any task, and its head is told that the
    answer waiting for review is what is late."""
    today = today or timezone.localdate()
    created = 0
    now = timezone.now()
    for park in Park.objects.all():
        soon = wcal.add_working_days(today, park.due_soon_working_days)
        tasks = list(
            Task.objects.filter(
                demand__park=park,
                demand__status__in=OPEN_STATUSES,
                status__in=(TaskStatus.PENDING, TaskStatus.SIGNED, TaskStatus.REVIEW),
                deadline__lte=soon,
            ).select_related("demand")
        )
        if not tasks:
            continue
        staff: dict[int | None, list[User]] = {}
        for u in department_staff({t.department_id for t in tasks}):
            staff.setdefault(u.department_id, []).append(u)
        rows = []
        for t in tasks:
            if t.deadline is None:  # 时限未知: the filter leaves these out already
                continue
            overdue = t.deadline < today
            kind = Kind.OVERDUE if overdue else Kind.DUE_SOON
            s = _short(t.demand)
            if overdue:
                when = f"已逾期 {wcal.working_days_between(t.deadline, today)} 个工作日"
            else:
                when = f"即将到期（{t.deadline:%m月%d日}）"
            text = f"{when}：{s}"
            review = t.status == TaskStatus.REVIEW
            for u in staff.get(t.department_id, []):
                said = text
                if review and u.role == Role.DEPARTMENT_HEAD:
                    said = f"待您审核的答复{when}，请尽快审核：{s}"
                elif review:
                    said = f"答复待负责人审核，{when}：{s}"
                rows.append(
                    Notification(
                        user=u,
                        park=park,
                        demand=t.demand,
                        kind=kind,
                        text=said,
                        created_at=now,
                        dedupe_key=f"{kind}:{t.pk}:{today.isoformat()}",
                    )
                )
        # The unique (user, dedupe_key) constraint drops what an earlier run today already sent.
        todays = Notification.objects.filter(park=park, dedupe_key__endswith=f":{today}")
        before = todays.count()
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        created += todays.count() - before
        delivery.fan_out(rows)
    return created


def for_user(user: User, park: Park) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, park=park)


def unread_count(user: User, park: Park | None) -> int:
    if park is None:
        return 0
    return for_user(user, park).filter(read_at=None).count()


def mark_read(user: User, park: Park, notification_id: int | None = None) -> int:
    qs = for_user(user, park).filter(read_at=None)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
