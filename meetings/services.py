"""Every change to a meeting goes through a function here (pages, API, the scheduler job).

Each function checks who may act (403), the meeting's state (409) and the input (422) before it
changes anything, runs in one transaction and writes a MeetingEvent (who, when, what, why).
Decided tasks are created in the ledger by `demands.services.assign_tasks`, so they land in the
department inboxes at once and follow the normal workflow.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Choices, Max, Q
from django.urls import reverse
from django.utils import timezone

from demands import services as ds
from demands.models import Channel, Demand, TaskRole, Tier
from demands.models import Status as DemandStatus
from entities.models import MarketEntity
from experts import services as experts_services
from meetings import access
from meetings.models import (
    FULL_TITLES,
    AgendaItem,
    AgendaSource,
    Attendance,
    Decision,
    DecisionKind,
    DecisionTask,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    Registration,
    Schedule,
)
from orgs.models import DEPARTMENT_ROLES, Department, Park, Role, User
from qinshang import inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound
from workcal import calendar as wcal

log = logging.getLogger(__name__)

TEXT_MAX = 5_000
MAX_DAYS = ds.MAX_ASSIGN_DAYS
MAX_LEAD_DAYS = 20
SCHEDULED_KINDS = (MeetingKind.RECEPTION, MeetingKind.PROJECT)


def _now() -> dt.datetime:
    return timezone.now()


def _today(at: dt.datetime | None = None) -> dt.date:
    """The local day of `at` (the service's moment), today when none is given."""
    return timezone.localtime(at).date() if at is not None else timezone.localdate()


def _text(value: Any, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    return inputs.text(value, label, required=required, limit=limit)


def _choice(value: Any, choices: type[Choices], label: str) -> str:
    allowed = {c.value: c.label for c in choices}
    if value not in allowed:
        options = "、".join(f"{k}（{v}）" for k, v in allowed.items())
        raise InvalidInput(f"{label}“{value}”无效，可选：{options}", field=label)
    return str(value)


def _date(value: Any, label: str) -> dt.date:
    return inputs.date(value, label)


def _time(value: Any) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput("开始时间格式应为 09:00", field="start_time")


def _int(value: Any, label: str) -> int:
    return inputs.integer(value, label)


def record(
    meeting: Meeting,
    action: str,
    actor: User | None,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting,
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        note=note,
        data=data or {},
        created_at=at or _now(),
    )


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("park").get(pk=meeting.pk)


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def notify(
    users: Iterable[User],
    meeting: Meeting,
    text: str,
    *,
    actor: User | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Tell people about a meeting in the bell; after the commit, so a failure here cannot undo
    the change it reports."""
    from notifications.delivery import fan_out
    from notifications.models import Kind as NKind
    from notifications.models import Notification

    ids = {u.pk for u in users if actor is None or u.pk != actor.pk}
    if not ids:
        return 0
    link = meeting_url(meeting)
    park_id = meeting.park_id

    def send() -> None:
        try:
            now = at or _now()
            made = Notification.objects.bulk_create(
                Notification(
                    user_id=uid,
                    park_id=park_id,
                    kind=NKind.MEETING,
                    text=text[:300],
                    link=link,
                    created_at=now,
                )
                for uid in sorted(ids)
            )
            fan_out(made)
        except Exception:
            log.exception("meeting notification failed")

    transaction.on_commit(send)
    return len(ids)


def dispatchers(park: Park) -> list[User]:
    return list(
        User.objects.filter(
            Q(park=park) | Q(extra_parks=park), role=Role.DISPATCHER, is_active=True
        ).distinct()
    )


def department_staff(department_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            department_id__in=list(department_ids), role__in=DEPARTMENT_ROLES, is_active=True
        )
    )


# --------------------------------------------------------------------------- schedules


def first_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day (a 调休 Saturday is one), else the next one."""
    while not wcal.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def monthly_slot(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, pycal.monthrange(year, month)[1]))


def slots_between(
    schedule: Schedule, start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """(slot, date) of the schedule's meetings whose date falls in [start, end]: the slot is the
    rule's nominal day (the 9th, the Monday), the date the working day the meeting is held on."""
    out = []
    if schedule.monthly:
        y, m = start.year, start.month
        # One month back: a slot of last month may still be held this month after a holiday.
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        while dt.date(y, m, 1) <= end:
            slot = monthly_slot(y, m, schedule.day_of_month)
            out.append((slot, first_working_day(slot)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        slot = start - dt.timedelta(days=7 + (start.weekday() - schedule.weekday) % 7)
        while slot <= end:
            out.append((slot, first_working_day(slot)))
            slot += dt.timedelta(days=7)
    return [(s, d) for s, d in out if start <= d <= end]


def next_date(schedule: Schedule, after: dt.date) -> tuple[dt.date, dt.date]:
    """The schedule's next (slot, date) on or after `after`."""
    got = slots_between(schedule, after, after + dt.timedelta(days=70))
    return got[0]


def schedules(park: Park) -> list[Schedule]:
    """The park's schedules, the defaults of the seeds (接待日 on the 9th; 调度会 on Mondays,
    off until the park turns it on) written the first time they are asked for."""
    have = {s.kind: s for s in Schedule.objects.filter(park=park).select_related("chair")}
    for kind in SCHEDULED_KINDS:
        if kind not in have:
            have[kind], made = Schedule.objects.get_or_create(
                park=park,
                kind=kind,
                # 调度会 start switched off: a park turns them on once it tracks key projects.
                defaults={
                    "place": "园区管委会会议室",
                    "lead_working_days": 5,
                    "enabled": kind == MeetingKind.RECEPTION,
                },
            )
            if made:
                # The model's default start time is the string "09:00" until read back.
                have[kind].refresh_from_db()
    return [have[k] for k in SCHEDULED_KINDS]


@dataclass
class ScheduleInput:
    enabled: Any = True
    day_of_month: Any = 9
    weekday: Any = 0
    lead_working_days: Any = 5
    start_time: Any = "09:00"
    place: Any = ""
    chair_id: Any = None


def _leader(park: Park, user_id: Any) -> User | None:
    if user_id in (None, ""):
        return None
    uid = _int(user_id, "主持领导")
    u = User.objects.filter(pk=uid, role=Role.LEADER, is_active=True).first()
    if u is None or not u.in_park(park.pk):
        raise InvalidInput("主持人须为本园区的园区领导", field="chair_id")
    return u


def update_schedule(actor: User, park: Park, kind: Any, data: ScheduleInput) -> Schedule:
    access.require_prepare(actor, park)
    kind = _choice(kind, MeetingKind, "会议类型")
    if kind not in SCHEDULED_KINDS:
        raise InvalidInput("只有企业接待日和重点项目调度会按固定周期召开", field="kind")
    day = _int(data.day_of_month, "每月几日")
    if not 1 <= day <= 31:
        raise InvalidInput("每月几日应在 1 到 31 之间（小月取月末）", field="day_of_month")
    weekday = _int(data.weekday, "每周星期几")
    if not 0 <= weekday <= 4:
        raise InvalidInput("调度会应在星期一至星期五之间", field="weekday")
    lead = _int(data.lead_working_days, "提前生成工作日数")
    if not 1 <= lead <= MAX_LEAD_DAYS:
        raise InvalidInput(
            f"提前生成应在 1 到 {MAX_LEAD_DAYS} 个工作日之间", field="lead_working_days"
        )
    chair = _leader(park, data.chair_id)
    place = _text(data.place, "默认地点", required=False, limit=100)
    start = _time(data.start_time) or dt.time(9, 0)
    enabled = data.enabled not in (False, "", "0", "off", None)
    with transaction.atomic():
        schedules(park)
        s = Schedule.objects.select_for_update().get(park=park, kind=kind)
        s.enabled, s.day_of_month, s.weekday = enabled, day, weekday
        s.lead_working_days, s.start_time, s.place, s.chair = lead, start, place, chair
        s.save()
    return s


def _next_number(park: Park, kind: str, year: int) -> int:
    top = Meeting.objects.filter(park=park, kind=kind, year=year).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def _default_chair(park: Park) -> User | None:
    return (
        User.objects.filter(Q(park=park) | Q(extra_parks=park), role=Role.LEADER, is_active=True)
        .order_by("rank", "id")
        .first()
    )


def _announce(meeting: Meeting, actor: User | None, at: dt.datetime | None = None) -> None:
    when = f"{meeting.date:%Y年%-m月%-d日}" + (
        f" {meeting.start_time:%H:%M}" if meeting.start_time else ""
    )
    users = dispatchers(meeting.park)
    if meeting.chair:
        users.append(meeting.chair)
    notify(
        users,
        meeting,
        f"{meeting.title}定于{when}在{meeting.place or '（地点待定）'}召开，请做好准备",
        actor=actor,
        at=at,
    )


def _create(
    park: Park,
    kind: str,
    date: dt.date,
    *,
    actor: User | None,
    place: str,
    chair: User | None,
    theme: str,
    start_time: dt.time | None,
    schedule: Schedule | None = None,
    slot: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Meeting:
    now = at or _now()
    m = Meeting.objects.create(
        park=park,
        kind=kind,
        year=date.year,
        number=_next_number(park, kind, date.year),
        date=date,
        start_time=start_time,
        place=place,
        chair=chair,
        theme=theme,
        schedule=schedule,
        slot=slot,
        created_by=actor,
        created_at=now,
    )
    record(
        m,
        "create",
        actor,
        note="按会议安排自动生成" if schedule else "",
        data={
            "date": date.isoformat(),
            "slot": slot.isoformat() if slot else None,
            "calendar_warning": wcal.schedule_warning(date),
        },
        at=now,
    )
    from meetings import agenda

    agenda.refresh(m, actor, at=now)
    _announce(m, actor, now)
    return m


def schedule_meetings(
    today: dt.date | None = None, park: Park | None = None, *, at: dt.datetime | None = None
) -> list[Meeting]:
    """The periodic job: create each schedule's meetings that fall within its lead time (N
    working days ahead). Idempotent: a slot that has a meeting (even one moved since) is skipped.
    `at` is the job's moment (now by default); `today` defaults to its day."""
    today = today or _today(at)
    created = []
    parks = [park] if park is not None else list(Park.objects.all())
    for p in parks:
        for s in schedules(p):
            if not s.enabled:
                continue
            horizon = wcal.add_working_days(today, s.lead_working_days)
            for slot, date in slots_between(s, today, horizon):
                if Meeting.objects.filter(schedule=s, slot=slot).exists():
                    continue
                try:
                    with transaction.atomic():
                        created.append(
                            _create(
                                p,
                                s.kind,
                                date,
                                actor=None,
                                place=s.place,
                                chair=s.chair or _default_chair(p),
                                theme="",
                                start_time=s.start_time,
                                schedule=s,
                                slot=slot,
                                at=at,
                            )
                        )
                except IntegrityError:
                    continue  # another worker created it a moment ago
    return created


# --------------------------------------------------------------------------- meetings


@dataclass
class MeetingInput:
    kind: Any = MeetingKind.TOPIC
    date: Any = None
    start_time: Any = None
    place: Any = ""
    chair_id: Any = None
    theme: Any = ""
    department_ids: list[Any] = field(default_factory=list)
    enterprise_ids: list[Any] = field(default_factory=list)


def _departments(park: Park, ids: Iterable[Any]) -> list[Department]:
    ids = [_int(i, "参会部门") for i in ids if i not in (None, "")]
    found = list(Department.objects.filter(park=park, pk__in=ids, is_active=True))
    if len(found) != len(set(ids)):
        raise InvalidInput("参会部门不存在或不属于本园区", field="department_ids")
    return found


def _enterprises(park: Park, ids: Iterable[Any]) -> list[MarketEntity]:
    ids = [_int(i, "参会企业") for i in ids if i not in (None, "")]
    found = list(MarketEntity.objects.filter(park=park, pk__in=ids))
    if len(found) != len(set(ids)):
        raise InvalidInput("参会企业不存在或不属于本园区", field="enterprise_ids")
    return found


def _future(date: dt.date, at: dt.datetime | None = None) -> dt.date:
    today = _today(at)
    if date < today:
        raise InvalidInput(
            f"会议日期 {date:%Y-%m-%d} 已经过去，请选择今天或以后的日期", field="date"
        )
    if date > today + dt.timedelta(days=400):
        raise InvalidInput("会议日期不能晚于一年以后", field="date")
    return date


def create_meeting(
    actor: User, park: Park, data: MeetingInput, *, at: dt.datetime | None = None
) -> Meeting:
    access.require_prepare(actor, park)
    kind = _choice(data.kind, MeetingKind, "会议类型")
    date = _future(_date(data.date, "会议日期"), at)
    start = _time(data.start_time)
    place = _text(data.place, "会议地点", limit=100)
    theme = _text(data.theme, "会议主题", required=False, limit=200)
    chair = _leader(park, data.chair_id)
    if chair is None:
        raise InvalidInput("请选择主持会议的园区领导", field="chair_id")
    depts = _departments(park, data.department_ids)
    ents = _enterprises(park, data.enterprise_ids)
    with transaction.atomic():
        m = _create(
            park,
            kind,
            date,
            actor=actor,
            place=place,
            chair=chair,
            theme=theme,
            start_time=start,
            at=at,
        )
        m.invited_departments.set(depts)
        m.invited_enterprises.set(ents)
    return m


def update_meeting(
    actor: User, meeting: Meeting, data: MeetingInput, *, at: dt.datetime | None = None
) -> Meeting:
    """Change place, time, chair, theme and invitations while the meeting is being prepared.
    The date is moved by `move_meeting`, which asks why."""
    park = meeting.park
    access.require_prepare(actor, park)
    start = _time(data.start_time)
    place = _text(data.place, "会议地点", limit=100)
    theme = _text(data.theme, "会议主题", required=False, limit=200)
    chair = _leader(park, data.chair_id)
    if chair is None:
        raise InvalidInput("请选择主持会议的园区领导", field="chair_id")
    depts = _departments(park, data.department_ids)
    ents = _enterprises(park, data.enterprise_ids)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.PREPARING, MeetingStatus.HELD, doing="修改会议信息")
        changed = []
        for name, value in (
            ("start_time", start),
            ("place", place),
            ("theme", theme),
            ("chair", chair),
        ):
            if getattr(m, name) != value:
                changed.append(name)
                setattr(m, name, value)
        m.save()
        old_d = set(m.invited_departments.values_list("pk", flat=True))
        old_e = set(m.invited_enterprises.values_list("pk", flat=True))
        if old_d != {d.pk for d in depts}:
            changed.append("invited_departments")
            m.invited_departments.set(depts)
        if old_e != {e.pk for e in ents}:
            changed.append("invited_enterprises")
            m.invited_enterprises.set(ents)
        if changed:
            record(
                m,
                "update",
                actor,
                data={
                    "changed": changed,
                    "place": place,
                    "chair": chair.display_name,
                    "departments": [d.name for d in depts],
                    "enterprises": [e.name for e in ents],
                },
                at=at,
            )
    return m


def move_meeting(
    actor: User, meeting: Meeting, *, date: Any, reason: Any, at: dt.datetime | None = None
) -> Meeting:
    access.require_prepare(actor, meeting.park)
    new = _future(_date(date, "会议日期"), at)
    reason = _text(reason, "调整理由", limit=500)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.PREPARING, doing="调整会议日期")
        if m.date == new:
            raise InvalidInput("新日期与原日期相同", field="date")
        old = m.date
        m.date = new
        m.save(update_fields=["date"])
        record(
            m,
            "move",
            actor,
            note=reason,
            data={
                "from": old.isoformat(),
                "to": new.isoformat(),
                "calendar_warning": wcal.schedule_warning(new),
            },
            at=at,
        )
        users = dispatchers(m.park) + ([m.chair] if m.chair else [])
        users += department_staff(m.invited_departments.values_list("pk", flat=True))
        notify(
            users,
            m,
            f"{m.title}改期：由{old:%-m月%-d日}调整至{new:%-m月%-d日}（{reason}）",
            actor=actor,
            at=at,
        )
    return m


def hold(actor: User, meeting: Meeting, *, at: dt.datetime | None = None) -> Meeting:
    """The meeting opens: from now on attendance, notes and decisions are recorded."""
    access.require_record(actor, meeting.park)
    now = at or _now()
    with transaction.atomic():
        m = _lock(meeting)
        if m.status != MeetingStatus.PREPARING:
            raise InvalidState(f"会议当前为“{m.get_status_display()}”，不能再次召开")
        if m.date > _today(now):
            raise InvalidState(
                f"会议定于 {m.date:%Y-%m-%d} 召开，尚未到会议日期；如需提前召开请先调整日期"
            )
        if not m.items.filter(removed=False).exists():
            raise InvalidState("议程为空，请先添加议题")
        m.status = MeetingStatus.HELD
        m.held_at = now
        m.save(update_fields=["status", "held_at"])
        record(m, "hold", actor, at=now)
    return m


# --------------------------------------------------------------------------- agenda


def _item(meeting: Meeting, item_id: Any) -> AgendaItem:
    try:
        return meeting.items.select_related("demand", "enterprise").get(
            pk=int(item_id), removed=False
        )
    except (AgendaItem.DoesNotExist, TypeError, ValueError):
        raise NotFound("议题不存在或已移出议程")


def _next_order(meeting: Meeting) -> int:
    top = meeting.items.filter(removed=False).aggregate(n=Max("order"))["n"]
    return (top or 0) + 1


def put_on_agenda(
    meeting: Meeting,
    demand: Demand | None,
    *,
    source: str,
    actor: User | None,
    title: str = "",
    enterprise: MarketEntity | None = None,
    source_ref: str = "",
    at: dt.datetime | None = None,
) -> AgendaItem | None:
    """Add one item (inside the caller's transaction); None when the demand is already there."""
    if demand is not None and meeting.items.filter(demand=demand, removed=False).exists():
        return None
    now = at or _now()
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=_next_order(meeting),
        source=source,
        source_ref=source_ref,
        demand=demand,
        enterprise=enterprise or (demand.enterprise if demand else None),
        title=(title or (demand.title if demand else ""))[:200],
        added_by=actor,
        created_at=now,
    )
    record(
        meeting,
        "add_item",
        actor,
        data={
            "item": item.pk,
            "title": item.title,
            "source": source,
            "demand": demand.number if demand else None,
        },
        at=now,
    )
    return item


@dataclass
class ItemInput:
    demand_number: Any = ""
    enterprise_id: Any = None
    title: Any = ""
    description: Any = ""


def _at_rung(actor: User, meeting: Meeting, demand: Demand, now: dt.datetime) -> Demand:
    """A demand the meeting hears is solved at the meeting's rung (Demand.tier, which the rung
    shares count): one brought up at a 接待日 counts under 企业接待日, not under 限时交办, even
    when the decision then gives it to departments."""
    tier = meeting.tier
    if tier and demand.tier != tier and demand.status in ds.ASSIGNABLE:
        return ds.escalate(actor, demand, tier=Tier(tier), note=f"列入{meeting.title}议程", at=now)
    return demand


def add_item(
    actor: User, meeting: Meeting, data: ItemInput, *, at: dt.datetime | None = None
) -> AgendaItem:
    """A manual addition: a demand of the ledger by its number, or a new problem of an
    enterprise, which is recorded in the ledger first (channel 接待日) so it is followed up."""
    park = meeting.park
    now = at or _now()
    access.require_prepare(actor, park)
    access.require_status(meeting, MeetingStatus.PREPARING, MeetingStatus.HELD, doing="调整议程")
    number = str(data.demand_number or "").strip()
    with transaction.atomic():
        if number:
            demand = Demand.objects.filter(park=park, number=number).first()
            if demand is None:
                raise InvalidInput(f"诉求编号“{number}”不存在", field="demand_number")
            if not demand.is_open:
                raise InvalidInput(
                    f"诉求 {number} 当前为“{demand.get_status_display()}”，无须上会",
                    field="demand_number",
                )
        else:
            if data.enterprise_id in (None, ""):
                raise InvalidInput("请填写诉求编号，或选择企业并填写问题", field="demand_number")
            demand = ds.create_demand(
                actor,
                park,
                ds.Intake(
                    title=_text(data.title, "议题", limit=200),
                    description=_text(data.description, "问题描述", limit=TEXT_MAX),
                    channel=Channel.RECEPTION,
                    enterprise_id=_int(data.enterprise_id, "企业"),
                    created_at=now,
                ),
            )
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.PREPARING, MeetingStatus.HELD, doing="调整议程")
        item = put_on_agenda(m, demand, source=AgendaSource.MANUAL, actor=actor, at=now)
        if item is None:
            raise InvalidInput(f"诉求 {demand.number} 已在本次会议议程中", field="demand_number")
        item.demand = _at_rung(actor, m, demand, now)
    return item


def remove_item(
    actor: User, meeting: Meeting, *, item_id: Any, reason: Any, at: dt.datetime | None = None
) -> AgendaItem:
    access.require_prepare(actor, meeting.park)
    reason = _text(reason, "移出理由", limit=300)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.PREPARING, doing="移出议题")
        item = _item(m, item_id)
        item.removed = True
        item.removed_reason = reason
        item.save(update_fields=["removed", "removed_reason"])
        record(
            m,
            "remove_item",
            actor,
            note=reason,
            data={"item": item.pk, "title": item.title},
            at=at,
        )
    return item


def reorder(
    actor: User, meeting: Meeting, item_ids: list[Any], *, at: dt.datetime | None = None
) -> list[AgendaItem]:
    access.require_prepare(actor, meeting.park)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.PREPARING, MeetingStatus.HELD, doing="调整议程顺序")
        items = {i.pk: i for i in m.items.filter(removed=False)}
        try:
            ids = [int(i) for i in item_ids]
        except (TypeError, ValueError):
            raise InvalidInput("议题顺序无效")
        if sorted(ids) != sorted(items):
            raise InvalidInput("议题顺序须包含本次议程的全部议题，且不重复")
        for n, pk in enumerate(ids, start=1):
            if items[pk].order != n:
                items[pk].order = n
                items[pk].save(update_fields=["order"])
        record(m, "reorder", actor, data={"order": ids}, at=at)
    return [items[pk] for pk in ids]


def move_item(actor: User, meeting: Meeting, *, item_id: Any, up: bool) -> None:
    ids = list(meeting.items.filter(removed=False).values_list("pk", flat=True))
    item = _item(meeting, item_id)
    i = ids.index(item.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        reorder(actor, meeting, ids)


def register(
    actor: User, park: Park, *, demand_id: Any, note: Any = "", at: dt.datetime | None = None
) -> tuple[Registration, AgendaItem | None]:
    """报名参加接待日: an enterprise asks for one of its open demands to be heard. It goes on
    the next 接待日 being prepared, or waits for the next one the scheduler creates."""
    if actor.role != Role.ENTERPRISE or not actor.enterprise_id:
        raise Forbidden("只有企业用户可以报名参加企业接待日")
    if not actor.in_park(park.pk):
        raise Forbidden("您无权在该园区报名")
    from demands.access import visible_demands

    demand = visible_demands(actor, park).filter(pk=_int(demand_id, "诉求")).first()
    if demand is None or demand.enterprise_id != actor.enterprise_id:
        raise InvalidInput("请选择本企业的诉求", field="demand_id")
    if not demand.is_open:
        raise InvalidInput("该诉求已办结，无须上会", field="demand_id")
    note = _text(note, "报名说明", required=False, limit=500)
    if (
        Registration.objects.filter(demand=demand, item__isnull=True).exists()
        or AgendaItem.objects.filter(
            demand=demand, removed=False, meeting__status=MeetingStatus.PREPARING
        ).exists()
    ):
        raise InvalidInput("该诉求已报名或已列入即将召开的会议议程", field="demand_id")
    now = at or _now()
    with transaction.atomic():
        reg = Registration.objects.create(
            park=park,
            enterprise_id=actor.enterprise_id,
            demand=demand,
            user=actor,
            note=note,
            created_at=now,
        )
        item = None
        m = next_meeting(park, MeetingKind.RECEPTION, today=_today(now))
        if m is not None:
            m = _lock(m)
            item = put_on_agenda(m, demand, source=AgendaSource.PORTAL, actor=actor, at=now)
            reg.item = item
            reg.save(update_fields=["item"])
            notify(
                dispatchers(park),
                m,
                f"{demand.enterprise.name if demand.enterprise else ''}报名参加{m.title}：{demand.number}",
                actor=actor,
                at=now,
            )
    return reg, item


def next_meeting(park: Park, kind: str, *, today: dt.date | None = None) -> Meeting | None:
    """The next meeting of the kind being prepared, on `today` (default today) or later."""
    return (
        Meeting.objects.filter(
            park=park, kind=kind, status=MeetingStatus.PREPARING, date__gte=today or _today()
        )
        .order_by("date", "id")
        .first()
    )


def set_notes(
    actor: User, meeting: Meeting, *, item_id: Any, notes: Any, at: dt.datetime | None = None
) -> AgendaItem:
    access.require_record(actor, meeting.park)
    text = _text(notes, "会议记录", required=False, limit=TEXT_MAX)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.PREPARING, MeetingStatus.HELD, doing="修改会议记录")
        item = _item(m, item_id)
        if item.notes != text:
            item.notes = text
            item.save(update_fields=["notes"])
            record(m, "notes", actor, note=text, data={"item": item.pk, "title": item.title}, at=at)
    return item


def set_minutes(
    actor: User, meeting: Meeting, *, text: Any, at: dt.datetime | None = None
) -> Meeting:
    access.require_record(actor, meeting.park)
    text = _text(text, "会议概述", required=False, limit=TEXT_MAX)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.HELD, doing="修改会议概述")
        if m.minutes != text:
            m.minutes = text
            m.save(update_fields=["minutes"])
            record(m, "minutes", actor, note=text, at=at)
    return m


# --------------------------------------------------------------------------- attendance


def set_attendance(
    actor: User,
    meeting: Meeting,
    *,
    department_ids: Iterable[Any] = (),
    enterprise_ids: Iterable[Any] = (),
    others: Any = "",
    at: dt.datetime | None = None,
) -> list[Attendance]:
    """Who came. Departments and enterprises are ticked; others are typed one per line as
    “单位 姓名”. Replaces the previous record of this meeting (the event keeps the history)."""
    access.require_record(actor, meeting.park)
    depts = _departments(meeting.park, department_ids)
    ents = _enterprises(meeting.park, enterprise_ids)
    people = []
    for line in _text(others, "其他参会人员", required=False, limit=2000).splitlines():
        parts = line.strip().split(None, 1)
        if parts:
            people.append((parts[0][:100], (parts[1] if len(parts) > 1 else "")[:100]))
    if not depts and not ents and not people:
        raise InvalidInput("请至少勾选一个参会单位", field="department_ids")
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.HELD, doing="记录参会情况")
        now = at or _now()
        m.attendance.all().delete()  # a snapshot, not ledger history: the event keeps each version
        rows = [Attendance(meeting=m, department=d, unit=d.name, recorded_at=now) for d in depts]
        rows += [Attendance(meeting=m, enterprise=e, unit=e.name, recorded_at=now) for e in ents]
        rows += [Attendance(meeting=m, unit=u, person=p, recorded_at=now) for u, p in people]
        Attendance.objects.bulk_create(rows)
        record(
            m,
            "attendance",
            actor,
            data={"units": [r.unit + (f" {r.person}" if r.person else "") for r in rows]},
            at=now,
        )
    return list(m.attendance.all())


# --------------------------------------------------------------------------- decisions


@dataclass
class TaskSpec:
    department_id: Any
    role: str = TaskRole.LEAD
    time_limit_days: Any = None


def _check_tasks(park: Park, tasks: list[TaskSpec]) -> list[ds.Assignment]:
    """The decided tasks as the ledger's typed assignments (InvalidInput if one does not fit)."""
    out: list[ds.Assignment] = []
    tasks = [t for t in tasks if not (t.role == TaskRole.CO and t.department_id in (None, ""))]
    if not tasks:
        raise InvalidInput("交办事项须指定责任单位（主办部门）", field="department_id")
    leads = [t for t in tasks if t.role == TaskRole.LEAD]
    if len(leads) != 1:
        raise InvalidInput("交办事项须指定一个主办部门", field="department_id")
    seen = set()
    for t in tasks:
        label = "主办部门" if t.role == TaskRole.LEAD else "协办部门"
        if t.role not in (TaskRole.LEAD, TaskRole.CO):
            raise InvalidInput(f"任务角色“{t.role}”无效，可选：lead（主办）、co（协办）")
        if t.department_id in (None, ""):
            raise InvalidInput(f"交办事项须指定责任单位（{label}）", field="department_id")
        dept = Department.objects.filter(
            park=park, pk=_int(t.department_id, label), is_active=True
        ).first()
        if dept is None:
            raise InvalidInput(f"{label}不存在或不属于本园区", field="department_id")
        if dept.pk in seen:
            raise InvalidInput(f"{dept.name}重复，同一部门只能交办一次", field="department_id")
        seen.add(dept.pk)
        if t.time_limit_days in (None, ""):
            raise InvalidInput(f"请填写{dept.name}的办结时限（工作日）", field="time_limit_days")
        try:
            days = int(t.time_limit_days)
        except (TypeError, ValueError):
            raise InvalidInput(f"{dept.name}的办结时限须为整数个工作日", field="time_limit_days")
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(
                f"{dept.name}的办结时限应在 1 到 {MAX_DAYS} 个工作日之间（填写的是 {days}）",
                field="time_limit_days",
            )
        out.append(ds.Assignment(dept.pk, TaskRole(t.role), days))
    return out


def decide(
    actor: User,
    meeting: Meeting,
    *,
    item_id: Any,
    kind: Any,
    text: Any,
    tasks: list[TaskSpec] | None = None,
    expert_field: Any = "",
    at: dt.datetime | None = None,
) -> Decision:
    """议定事项 on one agenda item. Tasks are created in the ledger and linked to the meeting."""
    park = meeting.park
    access.require_record(actor, park)
    access.require_status(meeting, MeetingStatus.HELD, doing="作出议定事项")
    kind = _choice(kind, DecisionKind, "决定类型")
    text = _text(text, "议定内容")
    specs = _check_tasks(park, list(tasks or [])) if kind == DecisionKind.TASKS else []
    expert_field = _text(expert_field, "会诊领域", required=False, limit=100)
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.HELD, doing="作出议定事项")
        item = _item(m, item_id)
        if item.decisions.exists():
            raise InvalidState("该议题已有议定事项")
        now = at or _now()
        decision = Decision.objects.create(
            meeting=m,
            item=item,
            kind=kind,
            text=text,
            expert_field=expert_field,
            decided_by=actor,
            created_at=now,
        )
        demand = item.demand
        made = []
        if kind == DecisionKind.TASKS:
            if demand is None:
                if item.enterprise_id is None:
                    raise InvalidInput("该议题未关联诉求或企业，无法交办；请先关联诉求")
                demand = ds.create_demand(
                    actor,
                    park,
                    ds.Intake(
                        title=item.title,
                        description=item.notes or item.title,
                        channel=Channel.RECEPTION,
                        enterprise_id=item.enterprise_id,
                        created_at=now,
                    ),
                )
                # Recorded at the meeting's rung, so a key project's slip decided at a 调度会
                # counts under 重点项目调度会, not under 限时交办.
                demand = _at_rung(actor, m, demand, now)
                item.demand = demand
                item.save(update_fields=["demand"])
            made = ds.assign_tasks(
                actor,
                demand,
                assignments=specs,
                note=f"{m.title}议定：{text}",
                source={"meeting_id": m.pk, "meeting": m.title, "decision_id": decision.pk},
                at=now,
            )
            DecisionTask.objects.bulk_create(DecisionTask(decision=decision, task=t) for t in made)
        elif kind == DecisionKind.EXPERT:
            if demand is None:
                raise InvalidInput("该议题未关联诉求，无法提交专家会诊；请先关联诉求")
            chair_id = m.chair_id or actor.pk
            decision.consultation = experts_services.prepare_consultation(
                actor,
                demand,
                topic=item.title,
                referred_by=f"{m.title}议定",
                chair_id=chair_id,
                background=text,
                field=expert_field,
                at=now,
            )
            decision.save(update_fields=["consultation"])
            ds.comment(
                actor,
                demand,
                note=f"{m.title}议定（{decision.get_kind_display()}）：{text}",
                at=now,
            )
        elif demand is not None and demand.status != DemandStatus.MERGED:
            ds.comment(
                actor,
                demand,
                note=f"{m.title}议定（{decision.get_kind_display()}）：{text}",
                at=now,
            )
        record(
            m,
            "decide",
            actor,
            note=text,
            data={
                "item": item.pk,
                "decision": decision.pk,
                "kind": kind,
                "demand": demand.number if demand else None,
                "consultation": decision.consultation_id,
                "tasks": [
                    {
                        "department": t.department.name,
                        "role": t.role,
                        "days": t.time_limit_days,
                        "deadline": t.deadline.isoformat() if t.deadline else None,
                    }
                    for t in made
                ],
            },
            at=now,
        )
    return decision


def issue_minutes(actor: User, meeting: Meeting, *, at: dt.datetime | None = None) -> Meeting:
    """印发会议纪要: the record is frozen and every responsible department is told."""
    access.require_record(actor, meeting.park)
    now = at or _now()
    with transaction.atomic():
        m = _lock(meeting)
        access.require_status(m, MeetingStatus.HELD, doing="印发会议纪要")
        if not m.attendance.exists():
            raise InvalidState("请先记录参会单位，再印发会议纪要")
        if not m.decisions.exists():
            raise InvalidState("本次会议还没有议定事项，不能印发会议纪要")
        m.status = MeetingStatus.ISSUED
        m.issued_at = now
        m.issued_by = actor
        m.save(update_fields=["status", "issued_at", "issued_by"])
        depts = set(
            DecisionTask.objects.filter(decision__meeting=m).values_list(
                "task__department_id", flat=True
            )
        )
        record(m, "issue", actor, data={"departments": len(depts)}, at=now)
        notify(
            department_staff(depts),
            m,
            f"{m.title}会议纪要已印发，请按议定事项抓好落实",
            actor=actor,
            at=now,
        )
    return m


def heading(meeting: Meeting) -> str:
    return FULL_TITLES.get(meeting.kind, meeting.get_kind_display())
