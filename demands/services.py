"""Every change to the demand ledger goes through a function here.

Each action function checks who may fire it (403), whether the state allows it (409) and its input
(422) before it changes anything, runs in one transaction, and records an Event. Pages, the API,
management commands and background tasks all call these functions.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from demands import schemas
from demands import workflow as wf
from demands.access import visible_demands
from demands.models import (
    ACTIVE_TASK_STATUSES,
    RUNNING_TASK_STATUSES,
    CallbackMethod,
    Category,
    Channel,
    Demand,
    Event,
    Extension,
    ExtensionStatus,
    NumberSequence,
    Outcome,
    RequesterKind,
    ReturnReason,
    Satisfaction,
    Status,
    Task,
    TaskRole,
    TaskStatus,
    Tier,
)
from entities.models import MarketEntity
from orgs.models import DEPARTMENT_ROLES, Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound
from qinshang.validators import check_phone, normalize_phone, phone_kind
from workcal import calendar as wcal

TITLE_MAX = schemas.TITLE_MAX
TEXT_MAX = schemas.TEXT_MAX
NOTE_MAX = schemas.NOTE_MAX
MAX_DAYS = schemas.MAX_DAYS
MAX_EXTENSION_DAYS = schemas.MAX_EXTENSION_DAYS
REOPEN_WINDOW_DAYS = 30
# A one-click 交办 can be taken back this long after it, while no department has touched it.
DISPATCH_UNDO_MINUTES = 10

# Sent after the transaction commits, once per recorded event; notifications listen to it.
event_recorded = Signal()
# Sent inside the transaction that records the event, for work that must commit or roll back
# with it: a background job enqueued here cannot be lost between the commit and the enqueue.
event_written = Signal()

_quiet = contextvars.ContextVar("quiet_events", default=False)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Record events without announcing them: for bringing in history (imports, the demo
    park's past year), where notifying people about events long gone would be noise."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


# --------------------------------------------------------------------------- helpers


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _required(text: str, label: str) -> None:
    """A text an action cannot do without (the edge has stripped it already)."""
    if not text.strip():
        raise InvalidInput(f"{label}不能为空", field=label)


def _clean(text: str, label: str, *, required: bool = True, limit: int = NOTE_MAX) -> str:
    """Intake's texts come from every domain (visits, meetings, imports): stripped and bounded."""
    out = text.strip()
    if required and not out:
        raise InvalidInput(f"{label}不能为空", field=label)
    if len(out) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字（当前 {len(out)} 字）", field=label)
    return out


def record(
    demand: Demand,
    action: str,
    actor: User | None,
    *,
    from_status: str = "",
    to_status: str = "",
    task: Task | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Event:
    event = Event.objects.create(
        demand=demand,
        task=task,
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
        created_at=at or _now(),
    )
    if not _quiet.get():
        event_written.send(sender=Event, event=event)
        transaction.on_commit(lambda: event_recorded.send(sender=Event, event=event))
    return event


def _lock(demand: Demand) -> Demand:
    """Re-read the demand under a row lock so two people acting at once cannot both win."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the enterprise join.
    return (
        Demand.objects.select_for_update(of=("self",))
        .select_related("park", "enterprise")
        .get(pk=demand.pk)
    )


def _lock_task(action: str, actor: User, demand: Demand, task: Task) -> tuple[Demand, Task]:
    """Inside the transaction: lock the demand and the task, and check again under the lock,
    so two people acting on the same task at once cannot both win."""
    demand = _lock(demand)
    task = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
    check(action, actor, demand, task)
    return demand, task


def next_number(year: int) -> str:
    # One statement that increments and reads back: the row lock is held only by this UPDATE,
    # so concurrent intakes serialise on it briefly and never get the same number.
    with connection.cursor() as cur:
        table = NumberSequence._meta.db_table
        cur.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])
        row = cur.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another intake created the year's row first
        return next_number(year)
    return f"QS-{year}-{row[0]:06d}"


# --------------------------------------------------------------------------- permissions


def actor_relations(
    user: User, demand: Demand, task: Task | None = None, *, tasks: list[Task] | None = None
) -> set[str]:
    """What the user is to this demand (and task): the keys used in the workflow table.

    `tasks`, when the caller has read the demand's tasks already, answers "has the user's
    department a task here" without another query."""
    rel: set[str] = set()
    if not user.is_authenticated or not user.in_park(demand.park_id):
        return rel
    rel.update(wf.ROLE_ACTORS.get(user.role, ()))
    if user.role in DEPARTMENT_ROLES and user.department_id:
        if task is not None:
            if task.department_id == user.department_id:
                rel.add(wf.TASK_DEPT)
                if user.role == Role.DEPARTMENT_HEAD:
                    rel.add(wf.TASK_HEAD)
        elif demand.pk and (
            any(t.department_id == user.department_id for t in tasks)
            if tasks is not None
            else demand.tasks.filter(department_id=user.department_id).exists()
        ):
            # Demand-level actions open to departments (备注) need only a task of theirs.
            rel.add(wf.TASK_DEPT)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        if demand.enterprise_id == user.enterprise_id:
            rel.add(wf.REQUESTER)
    if user.role in (Role.ENTERPRISE, Role.RESIDENT) and demand.created_by_id == user.pk:
        rel.add(wf.REQUESTER)
    if user.role not in (Role.ENTERPRISE, Role.RESIDENT):
        ent = demand.enterprise
        if demand.liaison_id == user.pk or (
            ent is not None and user.pk in (ent.liaison_id, ent.backup_liaison_id)
        ):
            rel.add(wf.LIAISON)
    return rel


def _department_task_for(user: User, demand: Demand, statuses: Iterable[str]) -> Task | None:
    if not user.department_id:
        return None
    return (
        demand.tasks.filter(department_id=user.department_id, status__in=list(statuses))
        .order_by("-role", "id")
        .first()
    )


def check(action: str, user: User, demand: Demand, task: Task | None = None) -> wf.Transition:
    """Raise Forbidden or InvalidState unless `user` may fire `action` now."""
    t = wf.TRANSITIONS.get(action)
    if t is None:
        raise NotFound(f"未知的操作“{action}”")
    if not actor_relations(user, demand, task) & set(t.actors):
        raise Forbidden(f"您的角色无权对该诉求执行“{t.label}”")
    if demand.status not in t.from_statuses:
        raise InvalidState(f"诉求当前状态为“{demand.get_status_display()}”，不能执行“{t.label}”")
    if t.task_statuses and task is not None and task.status not in t.task_statuses:
        raise InvalidState(
            f"{task.department.name}的任务当前为“{task.get_status_display()}”，不能执行“{t.label}”"
        )
    return t


def available_actions(
    user: User, demand: Demand, *, tasks: list[Task] | None = None
) -> list[dict[str, Any]]:
    """The actions the user could fire now, for buttons. Same rules as `check`.

    `tasks`: the demand's tasks with their departments, when the caller has just read them (the
    detail answer does), so that they are not read again."""
    out: list[dict[str, Any]] = []
    if not demand.pk:
        return out
    if tasks is None:
        tasks = list(demand.tasks.select_related("department"))
    pending_ext = set(
        Extension.objects.filter(task__demand=demand, status=ExtensionStatus.PENDING).values_list(
            "task_id", flat=True
        )
    )
    demand_rel = actor_relations(user, demand, tasks=tasks)
    for t in wf.TRANSITIONS.values():
        if demand.status not in t.from_statuses:
            continue
        if t.task_statuses:
            for task in tasks:
                if task.status not in t.task_statuses:
                    continue
                if not actor_relations(user, demand, task) & set(t.actors):
                    continue
                if t.action == "decide_extension" and task.pk not in pending_ext:
                    continue
                if t.action == "request_extension" and task.pk in pending_ext:
                    continue
                if t.action == "return" and task.insisted:
                    continue
                if t.action == "resume" and _paused_for_info(demand, task):
                    continue
                if t.action == "require_review" and task.department.review_replies:
                    continue
                out.append(
                    {
                        "action": t.action,
                        "label": t.label,
                        "task_id": task.pk,
                        "department": task.department.name,
                        "style": t.style,
                    }
                )
        elif demand_rel & set(t.actors):
            if t.action == "close" and not _closable(demand, tasks=tasks)[0]:
                continue
            if t.action == "reopen" and not _reopenable(demand):
                continue
            if t.action == "ask_info" and (demand.awaits_info or not _asks_as(user, demand, tasks)):
                continue
            if t.action == "supply_info" and not demand.awaits_info:
                continue
            if t.action == "record_supply" and not (
                demand.awaits_info and _asks_as(user, demand, tasks)
            ):
                continue
            if t.action == "close_unreachable" and not _unreachable(demand)[0]:
                continue
            if (
                t.action == "undo_dispatch"
                and undoable_dispatch(user, demand, tasks=tasks)[0] is None
            ):
                continue
            out.append(
                {
                    "action": t.action,
                    "label": t.label,
                    "task_id": None,
                    "department": "",
                    "style": t.style,
                }
            )
    return out


def _task_of(demand: Demand, task_id: int | None, user: User, statuses: Iterable[str]) -> Task:
    """The task an action targets: the one named, or the user's own department's task."""
    if task_id is not None:
        named = demand.tasks.select_related("department").filter(pk=task_id).first()
        if named is None:
            raise InvalidInput("任务不存在或不属于该诉求", field="task_id")
        return named
    statuses = list(statuses)
    task = _department_task_for(user, demand, statuses)
    if task is None and user.role not in DEPARTMENT_ROLES:
        task = demand.tasks.filter(status__in=statuses).order_by("-role", "id").first()
    if task is None:
        if (
            user.role in DEPARTMENT_ROLES
            and user.department_id is not None
            and not demand.tasks.filter(department_id=user.department_id).exists()
        ):
            raise Forbidden("该诉求未交办给您所在部门")
        raise InvalidState("没有可执行该操作的任务")
    return task


# --------------------------------------------------------------------------- intake


@dataclass
class Intake:
    title: str
    description: str
    channel: Channel
    enterprise_id: int | None = None
    requester_kind: RequesterKind | None = None
    requester_name: str = ""
    requester_phone: str = ""
    community: str = ""
    category_id: int | None = None
    category_code: str | None = None
    created_at: dt.datetime | None = None  # for imports and the demo park only
    extra: dict[str, Any] | None = None
    # Typed now at intake (portal, hotline / reception page, API): the description must say
    # something. Visits, meetings and imports carry what was noted there, however short.
    typed: bool = False


# The shortest description intake takes: "x" or "急" says nothing a department could act on,
# while "路灯不亮" does.
DESCRIPTION_MIN = 4


INTAKE_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.LIAISON,
    Role.LEADER,
    Role.ENTERPRISE,
    Role.RESIDENT,
)


def resolve_category(
    park: Park, category_id: int | None = None, code: str | None = None
) -> Category | None:
    """The category named by its id or by its code (or name); None when neither is given."""
    if category_id is None and not code:
        return None
    # Unordered lookups of at most one row: intake runs this on every demand.
    qs = Category.objects.filter(park=park, is_active=True).order_by()
    if category_id is not None:
        cat = next(iter(qs.filter(pk=category_id)[:1]), None)
    else:
        cat = next(iter(qs.filter(code=code)[:1]), None) or next(
            iter(qs.filter(name=code)[:1]), None
        )
    if cat is None:
        raise InvalidInput(f"未知的诉求类别“{category_id or code}”", field="category")
    return cat


def _serves(actor: User, enterprise_id: int | None) -> bool:
    if enterprise_id is None:
        return False
    return (
        MarketEntity.objects.filter(pk=enterprise_id)
        .filter(Q(liaison=actor) | Q(backup_liaison=actor))
        .exists()
    )


def _own_enterprise(actor: User, ent_id: int | None) -> int | None:
    """The enterprise a requester may file for: an enterprise user only its own, a resident none.

    Any other id, of this park, of another or of none, gets the same answer, so the answer says
    nothing about which enterprise ids exist."""
    if actor.is_superuser or actor.role not in (Role.ENTERPRISE, Role.RESIDENT):
        return ent_id
    own = actor.enterprise_id if actor.role == Role.ENTERPRISE else None
    if ent_id not in (None, own):
        if own is None:
            raise Forbidden("您只能以本人名义提交诉求，不能代企业提交")
        raise Forbidden("企业用户只能为本企业提交诉求")
    return own


def create_demand(actor: User, park: Park, data: Intake) -> Demand:
    # Department staff record demands only for the enterprises they serve as 专属服务员.
    if (
        actor.role not in INTAKE_ROLES
        and not actor.is_superuser
        and not (actor.role in DEPARTMENT_ROLES and _serves(actor, data.enterprise_id))
    ):
        raise Forbidden("您的角色不能登记诉求")
    if not actor.in_park(park.pk) and not actor.is_superuser:
        raise Forbidden("您无权在该园区登记诉求")
    title = _clean(data.title, "标题", limit=TITLE_MAX)
    description = _clean(data.description, "诉求内容", limit=TEXT_MAX)
    if data.typed and len(description) < DESCRIPTION_MIN:
        raise InvalidInput(
            f"诉求内容太短（{len(description)} 个字），请至少写 {DESCRIPTION_MIN} 个字，"
            "说明遇到了什么问题、希望园区帮助做什么",
            field="description",
        )
    channel = Channel(data.channel)
    if actor.role in (Role.ENTERPRISE, Role.RESIDENT):
        channel = Channel.PORTAL  # the portal is the only way in for them, whatever they claim
    enterprise = None
    ent_id = _own_enterprise(actor, data.enterprise_id)
    if ent_id is not None:
        # Only what intake reads: the entity row is wide, and building its full column list is a
        # visible share of a fast request. Other fields still load on access.
        enterprise = next(
            iter(
                MarketEntity.objects.filter(pk=ent_id, park=park)
                .only("id", "park_id", "name", "liaison_id")
                .order_by()[:1]
            ),
            None,
        )
        if enterprise is None:
            raise InvalidInput(f"企业（编号 {ent_id}）不存在或不属于本园区", field="enterprise_id")
    kind = data.requester_kind or (
        RequesterKind.ENTERPRISE if enterprise else RequesterKind.RESIDENT
    )
    if kind == RequesterKind.ENTERPRISE and enterprise is None:
        raise InvalidInput("企业诉求须指定企业（enterprise_id）", field="enterprise_id")
    name = _clean(data.requester_name, "联系人", required=False, limit=50)
    phone = data.requester_phone.strip()
    if phone:
        err = check_phone(phone)
        if err:
            raise InvalidInput(err, field="requester_phone")
        if phone_kind(phone) == "service":
            # 12345, 95xxx, 400 …: a hotline of its own, on which no one can call the caller back.
            raise InvalidInput(
                f"联系电话“{phone}”是服务热线号码，请填写诉求人本人的手机或固定电话",
                field="requester_phone",
            )
        phone = normalize_phone(phone)
    if enterprise is None:
        if actor.role == Role.RESIDENT:
            name = name or actor.display_name
            phone = phone or actor.phone
        if not name or not phone:
            raise InvalidInput("群众诉求须填写联系人和联系电话", field="requester_phone")
    community = _clean(data.community, "村/社区", required=False, limit=100)
    category = resolve_category(park, data.category_id, data.category_code)
    now = data.created_at or _now()
    with transaction.atomic():
        demand = Demand.objects.create(
            park=park,
            number=next_number(timezone.localtime(now).year),
            title=title,
            description=description,
            channel=channel,
            category=category,
            requester_kind=kind,
            enterprise=enterprise,
            requester_name=name,
            requester_phone=phone,
            community=community,
            liaison_id=enterprise.liaison_id if enterprise else None,
            created_by=actor,
            status=Status.RECEIVED,
            created_at=now,
            extra=data.extra or {},
        )
        record(
            demand,
            "create",
            actor,
            to_status=Status.RECEIVED,
            at=now,
            note=f"经{demand.get_channel_display()}受理",
            data={"channel": channel, "category": category.code if category else None},
        )
    return demand


# --------------------------------------------------------------------------- derived state


def _sync(
    demand: Demand, actor: User | None, at: dt.datetime, note: str = "", also: Iterable[str] = ()
) -> None:
    """Derive the demand's status and due date from its tasks after a task changed, and save
    them (with the fields named in `also`, changed by the caller)."""
    # With their departments: the answer is composed from their names when the demand is answered.
    everything = demand.tasks.select_related("department")
    tasks = [t for t in everything if t.status != TaskStatus.CANCELLED]
    before = demand.status
    if any(t.status == TaskStatus.RETURNED for t in tasks):
        status = Status.RETURNED
    elif tasks and all(t.status == TaskStatus.ANSWERED for t in tasks):
        status = Status.ANSWERED
    elif any(t.status != TaskStatus.PENDING for t in tasks):
        status = Status.IN_PROGRESS
    else:
        status = Status.DISPATCHED
    # A paused task's clock is stopped while the requester supplies material: not late. One
    # waiting for its head's review is still on the clock.
    active = [
        t.deadline for t in tasks if t.status in RUNNING_TASK_STATUSES and t.deadline is not None
    ]
    demand.due_date = min(active) if active else None
    lead = next((t for t in tasks if t.role == TaskRole.LEAD), None)
    demand.lead_department_id = lead.department_id if lead else demand.lead_department_id
    if status == Status.ANSWERED and before != Status.ANSWERED:
        demand.answered_at = at
        demand.outcome = lead.outcome if lead else tasks[0].outcome
        demand.answer = "\n\n".join(
            f"【{t.department.name}·{t.get_role_display()}】{t.answer}"
            for t in sorted(tasks, key=lambda t: (t.role != TaskRole.LEAD, t.pk))
        )
    demand.status = status
    demand.save(
        update_fields=[
            "status",
            "due_date",
            "lead_department",
            "answered_at",
            "outcome",
            "answer",
            "updated_at",
            *also,
        ]
    )
    if status != before:
        record(demand, "status", actor, from_status=before, to_status=status, at=at, note=note)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _earliest(tasks: Iterable[Task]) -> dt.date | None:
    days = [t.deadline for t in tasks if t.deadline is not None]
    return min(days) if days else None


def _warning(*days: dt.date | None) -> str | None:
    return wcal.schedule_warning(*(d for d in days if d is not None))


def _on_time(task: Task, now: dt.datetime) -> bool | None:
    """Whether an answer now is within the task's deadline; None when its deadline is unknown
    (an imported task whose sheet had no 时限要求), so no figure counts it either way."""
    if task.deadline is None:
        return None
    return timezone.localtime(now).date() <= task.deadline


def _new_task(
    demand: Demand, department: Department, role: TaskRole, days: int, at: dt.datetime
) -> Task:
    start = timezone.localtime(at).date()
    return Task.objects.create(
        demand=demand,
        department=department,
        role=role,
        time_limit_days=days,
        assigned_at=at,
        deadline=wcal.add_working_days(start, days),
    )


def _department(park: Park, dept_id: int, label: str) -> Department:
    dept = Department.objects.filter(park=park, pk=dept_id, is_active=True).first()
    if dept is None:
        raise InvalidInput(f"{label}“{dept_id}”不存在或不属于本园区", field=label)
    return dept


def _days(days: int, label: str, high: int = MAX_DAYS) -> int:
    """A time limit in working days; the API's bodies bound it too, other callers may not."""
    if not 1 <= days <= high:
        raise InvalidInput(f"{label}应在 1 到 {high} 个工作日之间", field=label)
    return days


def _pending_extension(task: Task) -> Extension | None:
    return task.extensions.filter(status=ExtensionStatus.PENDING).first()


# --------------------------------------------------------------------------- actions


def resolve_on_spot(
    actor: User,
    demand: Demand,
    *,
    answer: str,
    outcome: Outcome = Outcome.SOLVED,
    category_id: int | None = None,
    reference: str = "",
    at: dt.datetime | None = None,
) -> Demand:
    check("resolve_on_spot", actor, demand)
    _required(answer, "答复内容")
    category = resolve_category(demand.park, category_id)
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("resolve_on_spot", actor, demand)
        before = demand.status
        if category:
            demand.category = category
        demand.status = Status.ANSWERED
        demand.tier = Tier.ON_SPOT
        demand.answer = answer
        demand.outcome = outcome
        demand.answered_at = now
        demand.save(
            update_fields=[
                "category",
                "status",
                "tier",
                "answer",
                "outcome",
                "answered_at",
                "updated_at",
            ]
        )
        record(
            demand,
            "resolve_on_spot",
            actor,
            from_status=before,
            to_status=demand.status,
            note=answer,
            # what the answer was taken from (kb:<entry>, consult:<id>): a room above reads it
            data={"outcome": outcome, **({"reference": reference} if reference else {})},
            at=now,
        )
    return demand


def _lead_and_cos(
    park: Park, lead_department_id: int, co_department_ids: Iterable[int]
) -> tuple[Department, list[Department]]:
    lead = _department(park, lead_department_id, "主办部门")
    cos = [_department(park, c, "协办部门") for c in co_department_ids]
    if lead in cos:
        raise InvalidInput("主办部门不能同时作为协办部门", field="co_department_ids")
    if len({c.pk for c in cos}) != len(cos):
        raise InvalidInput("协办部门重复", field="co_department_ids")
    return lead, cos


def dispatch(
    actor: User,
    demand: Demand,
    *,
    lead_department_id: int,
    co_department_ids: Iterable[int] = (),
    time_limit_days: int | None = None,
    co_time_limit_days: int | None = None,
    category_id: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Demand:
    check("dispatch", actor, demand)
    park = demand.park
    lead, cos = _lead_and_cos(park, lead_department_id, co_department_ids)
    category = resolve_category(park, category_id) or demand.category
    if category is None:
        raise InvalidInput("交办前须确定诉求类别", field="category_id")
    days = _days(time_limit_days or category.time_limit_days, "办理时限")
    co_days = _days(co_time_limit_days or days, "协办时限")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("dispatch", actor, demand)
        before = demand.status
        # What an undo puts back (undo_dispatch): the fields a dispatch sets.
        previous = {
            "category_id": demand.category_id,
            "tier": demand.tier,
            "lead_department_id": demand.lead_department_id,
            "due_date": _iso(demand.due_date),
        }
        demand.category = category
        demand.tier = demand.tier or Tier.DEPARTMENT
        demand.dispatched_at = now
        demand.lead_department = lead
        demand.status = Status.DISPATCHED
        tasks = [_new_task(demand, lead, TaskRole.LEAD, days, now)]
        tasks += [_new_task(demand, c, TaskRole.CO, co_days, now) for c in cos]
        demand.due_date = _earliest(tasks)
        demand.save(
            update_fields=[
                "category",
                "tier",
                "dispatched_at",
                "lead_department",
                "status",
                "due_date",
                "updated_at",
            ]
        )
        record(
            demand,
            "dispatch",
            actor,
            from_status=before,
            to_status=demand.status,
            at=now,
            note=note,
            data={
                "lead": lead.name,
                "co": [c.name for c in cos],
                "days": days,
                "deadline": _iso(tasks[0].deadline),
                "calendar_warning": _warning(tasks[0].deadline),
                "before": previous,
            },
        )
    return demand


def undoable_dispatch(
    actor: User,
    demand: Demand,
    now: dt.datetime | None = None,
    *,
    tasks: Iterable[Task] | None = None,
) -> tuple[Event | None, str]:
    """The dispatch `actor` may still take back, or why not.

    Only the person who dispatched, within DISPATCH_UNDO_MINUTES, and only while nothing has
    happened since: every task still 待签收 with no handler, no event after the dispatch (a
    department that signed, a comment, an urge all make the dispatch part of the record)."""
    if demand.status != Status.DISPATCHED:
        return None, f"诉求当前状态为“{demand.get_status_display()}”，不能撤销交办"
    last = demand.events.order_by("-id").first()
    if last is None or last.action != "dispatch":
        return None, "交办后已有办理记录，不能撤销交办；如需改派请联系承办部门退单"
    if last.actor_id != actor.pk:
        return None, "只有交办人本人可以撤销这次交办"
    age = (now or _now()) - last.created_at
    if age > dt.timedelta(minutes=DISPATCH_UNDO_MINUTES):
        return (
            None,
            f"交办已超过 {DISPATCH_UNDO_MINUTES} 分钟，不能撤销交办；如需改派请联系承办部门退单",
        )
    live = [
        t
        for t in (demand.tasks.all() if tasks is None else tasks)
        if t.status != TaskStatus.CANCELLED
    ]
    if any(t.status != TaskStatus.PENDING or t.assignee_id for t in live):
        return None, "承办部门已开始办理，不能撤销交办"
    return last, ""


def undoable_dispatches(
    actor: User, park: Park, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The actor's own dispatches of the last minutes that can still be taken back, newest first,
    each with the time the chance ends (for the dispatch centre's 撤销 list)."""
    now = now or _now()
    window = dt.timedelta(minutes=DISPATCH_UNDO_MINUTES)
    recent = (
        Event.objects.filter(
            actor=actor,
            action="dispatch",
            created_at__gte=now - window,
            # The one scoping of demands, as every list: a dispatcher moved to another park or
            # role since sees nothing of it here.
            demand__in=visible_demands(actor, park).filter(status=Status.DISPATCHED),
        )
        .select_related("demand__park", "demand__lead_department")
        .order_by("-created_at", "-id")[:50]
    )
    out = []
    for e in recent:
        event, _ = undoable_dispatch(actor, e.demand, now)
        if event is not None and event.pk == e.pk:
            out.append({"demand": e.demand, "event": e, "until": e.created_at + window})
    return out


def undo_dispatch(
    actor: User, demand: Demand, *, note: str = "", at: dt.datetime | None = None
) -> Demand:
    """Take back a dispatch made by mistake: its tasks are cancelled (kept, as every ledger
    row), the demand is 已受理 again with what it had before, and the departments are told."""
    check("undo_dispatch", actor, demand)
    note = _clean(note, "撤销理由", required=False)
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("undo_dispatch", actor, demand)
        dispatched, why = undoable_dispatch(actor, demand, now)
        if dispatched is None:
            raise InvalidState(why)
        previous = (dispatched.data or {}).get("before") or {}
        tasks = [
            t for t in demand.tasks.select_related("department") if t.status != TaskStatus.CANCELLED
        ]
        for t in tasks:
            t.status = TaskStatus.CANCELLED
            t.save(update_fields=["status"])
        before = demand.status
        demand.status = Status.RECEIVED
        demand.dispatched_at = None
        demand.category_id = previous.get("category_id", demand.category_id)
        demand.tier = previous.get("tier", demand.tier)
        demand.lead_department_id = previous.get("lead_department_id")
        due = previous.get("due_date")
        demand.due_date = dt.date.fromisoformat(due) if due else None
        demand.save(
            update_fields=[
                "status",
                "dispatched_at",
                "category",
                "tier",
                "lead_department",
                "due_date",
                "updated_at",
            ]
        )
        record(
            demand,
            "undo_dispatch",
            actor,
            from_status=before,
            to_status=demand.status,
            note=note,
            at=now,
            data={
                "dispatch_event": dispatched.pk,
                "departments": [t.department.name for t in tasks],
                "department_ids": [t.department_id for t in tasks],
                "tasks": [t.pk for t in tasks],
            },
        )
    return demand


@dataclass
class Assignment:
    """One department's share in `assign_tasks`: 主办 (lead) or 协办 (co), with its limit."""

    department_id: int
    role: TaskRole
    time_limit_days: int


ASSIGNABLE = (Status.RECEIVED, *wf.WORKING, Status.ANSWERED)
MAX_ASSIGN_DAYS = 120


def assign_tasks(
    actor: User,
    demand: Demand,
    *,
    assignments: Iterable[Assignment],
    note: str = "",
    source: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> list[Task]:
    """Give a demand to one 主办 and any 协办, each with its own working-day limit, whatever
    state the demand is in while it is still being worked on: the decision of a coordination
    meeting (接待日, 调度会) may send an already dispatched demand to more departments.

    Recorded as a 交办 event, so the departments are notified, the metrics count the new tasks,
    and the tasks then follow the normal workflow (签收, 答复, 回访, 销号). Returns the new tasks.
    """
    if not actor_relations(actor, demand) & {wf.DISPATCH, wf.LEADER}:
        raise Forbidden("只有派单员或园区领导可以交办任务")
    items = list(assignments)
    leads = [a for a in items if a.role == TaskRole.LEAD]
    if len(leads) != 1:
        raise InvalidInput("须指定一个主办部门", field="department_id")
    park = demand.park
    depts: list[tuple[Department, TaskRole, int]] = []
    for a in [*leads, *(a for a in items if a.role != TaskRole.LEAD)]:
        label = "主办部门" if a.role == TaskRole.LEAD else "协办部门"
        dept = _department(park, a.department_id, label)
        days = _days(a.time_limit_days, f"{dept.name}的办结时限", high=MAX_ASSIGN_DAYS)
        depts.append((dept, a.role, days))
    if len({d.pk for d, _, _ in depts}) != len(depts):
        raise InvalidInput("同一部门不能重复交办", field="department_id")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        if demand.status not in ASSIGNABLE:
            raise InvalidState(
                f"诉求当前状态为“{demand.get_status_display()}”，不能再交办；如需继续办理请先重新打开"
            )
        busy = set(
            demand.tasks.filter(status__in=ACTIVE_TASK_STATUSES).values_list(
                "department__name", flat=True
            )
        )
        clash = [d.name for d, _, _ in depts if d.name in busy]
        if clash:
            raise InvalidInput(f"{'、'.join(clash)}已有该诉求在办任务，无须重复交办")
        before = demand.status
        tasks = [_new_task(demand, d, role, days, now) for d, role, days in depts]
        if before == Status.RECEIVED:
            demand.tier = demand.tier or Tier.DEPARTMENT
            demand.dispatched_at = now
            demand.lead_department = depts[0][0]
        lead = tasks[0]
        record(
            demand,
            "dispatch",
            actor,
            from_status=before,
            at=now,
            note=note,
            data={
                "lead": lead.department.name,
                "co": [t.department.name for t in tasks[1:]],
                "days": lead.time_limit_days,
                "deadline": _iso(lead.deadline),
                "tasks": [
                    {
                        "department": t.department.name,
                        "role": t.role,
                        "days": t.time_limit_days,
                        "deadline": _iso(t.deadline),
                    }
                    for t in tasks
                ],
                "calendar_warning": _warning(*(t.deadline for t in tasks)),
                **(source or {}),
            },
        )
        _sync(demand, actor, now, also=("tier", "dispatched_at"))
    return tasks


# The task steps: each moves one task of the demand from one state to the next. `_task_step`
# holds what they share (find the task, check, lock, check again, change, event, derive the
# demand's state); each action says only its rule: what it needs, what it changes, what it records.

TaskChange = Callable[[Task, dt.datetime], Iterable[str]]


def _task_step(
    action: str,
    actor: User,
    demand: Demand,
    task_id: int | None,
    *,
    from_status: TaskStatus | tuple[TaskStatus, ...],
    to_status: TaskStatus | None,
    note: str,
    at: dt.datetime | None,
    guard: Callable[[Task], None] | None = None,
    change: TaskChange | None = None,
    data: Callable[[Task, dt.datetime], dict[str, Any]] | None = None,
    event: str = "",
    then: Callable[[Demand, Task, dt.datetime], None] | None = None,
    task: Task | None = None,
) -> Demand:
    """check → atomic → lock → recheck → change → event → derived state, for one task.

    `guard` raises before anything is written (it sees the task as read, and runs again under
    the lock); `change` sets the task's fields besides its status and returns their names.
    A step may start from several states and keep the task's state (`to_status` None: 指派);
    `event` names the recorded event when it is not the action (an answer sent for review is
    a `submit_reply`), and `then` records what follows in the same transaction. `task`: the
    task as the caller has just read it (by `_task_of`), not to be read again before the lock."""
    starts = (from_status,) if isinstance(from_status, str) else from_status
    if task is None:
        task = _task_of(demand, task_id, actor, starts)
    check(action, actor, demand, task)
    if guard:
        guard(task)
    now = at or _now()
    with transaction.atomic():
        demand, task = _lock_task(action, actor, demand, task)
        if guard:
            guard(task)
        before = task.status
        fields = list(change(task, now)) if change else []
        task.status = to_status or task.status
        task.save(update_fields=["status", *fields])
        record(
            demand,
            event or action,
            actor,
            task=task,
            note=note,
            at=now,
            from_status=before,
            to_status=task.status,
            data=data(task, now) if data else None,
        )
        if then:
            then(demand, task, now)
        _sync(demand, actor, now)
    return demand


def sign(
    actor: User,
    demand: Demand,
    *,
    task_id: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Demand:
    def signed(task: Task, now: dt.datetime) -> Iterable[str]:
        task.signed_at = now
        task.signed_by = actor
        return ("signed_at", "signed_by")

    return _task_step(
        "sign",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.PENDING,
        to_status=TaskStatus.SIGNED,
        note=note,
        at=at,
        change=signed,
    )


def return_task(
    actor: User,
    demand: Demand,
    *,
    reason: ReturnReason,
    note: str = "",
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """退单: "other" needs its explanation; a task the dispatcher insisted on cannot go back."""

    def allowed(task: Task) -> None:
        if reason == ReturnReason.OTHER:
            _required(note, "退单说明")
        if task.insisted:
            raise InvalidState("派单员已坚持交办，该任务不能再次退单，请签收办理")

    def returned(task: Task, now: dt.datetime) -> Iterable[str]:
        task.return_reason = reason
        task.return_note = note
        return ("return_reason", "return_note")

    return _task_step(
        "return",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.PENDING,
        to_status=TaskStatus.RETURNED,
        note=note,
        at=at,
        guard=allowed,
        change=returned,
        data=lambda task, now: {"reason": reason, "reason_label": ReturnReason(reason).label},
    )


def insist(
    actor: User,
    demand: Demand,
    *,
    task_id: int | None = None,
    note: str,
    at: dt.datetime | None = None,
) -> Demand:
    """The dispatcher overrules a 退单: the department must take it, and cannot return it again."""
    _required(note, "坚持交办理由")

    def insisted(task: Task, now: dt.datetime) -> Iterable[str]:
        task.insisted = True
        # The days spent arguing about the routing are not the department's fault.
        task.assigned_at = now
        task.deadline = wcal.add_working_days(timezone.localtime(now).date(), task.time_limit_days)
        return ("insisted", "assigned_at", "deadline")

    return _task_step(
        "insist",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.RETURNED,
        to_status=TaskStatus.PENDING,
        note=note,
        at=at,
        change=insisted,
        data=lambda task, now: {"deadline": _iso(task.deadline)},
    )


def pause(
    actor: User,
    demand: Demand,
    *,
    note: str,
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """Wait for the requester's material; the working-day clock stops until `resume`."""
    _required(note, "需补充的材料")

    def paused(task: Task, now: dt.datetime) -> Iterable[str]:
        task.paused_at = now
        return ("paused_at",)

    return _task_step(
        "pause",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.SIGNED,
        to_status=TaskStatus.PAUSED,
        note=note,
        at=at,
        change=paused,
    )


def resume(
    actor: User,
    demand: Demand,
    *,
    note: str = "",
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """The material is in: the working days spent waiting move the deadline on."""
    lost = 0

    def allowed(task: Task) -> None:
        if _paused_for_info(demand, task):
            raise InvalidState("该任务因等待诉求人补充材料而暂停，诉求人补充后自动恢复计时")

    def resumed(task: Task, now: dt.datetime) -> Iterable[str]:
        nonlocal lost
        lost = _unpause(task, now)
        return ("paused_working_days", "deadline", "paused_at")

    return _task_step(
        "resume",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.PAUSED,
        to_status=TaskStatus.SIGNED,
        note=note,
        at=at,
        guard=allowed,
        change=resumed,
        data=lambda task, now: {"paused_working_days": lost, "deadline": _iso(task.deadline)},
    )


def reply(
    actor: User,
    demand: Demand,
    *,
    answer: str,
    outcome: Outcome,
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """答复; where the department or the head asks for review the answer waits for the head
    (待审核, a `submit_reply` event) and goes out only when approved."""
    _required(answer, "答复内容")
    task = _task_of(demand, task_id, actor, (TaskStatus.SIGNED,))
    reviewed = needs_review(task)

    def same_rule(locked: Task) -> None:
        if needs_review(locked) != reviewed:
            raise InvalidState("答复审核的要求刚刚有变动，请刷新页面后重新提交")

    def answered(task: Task, now: dt.datetime) -> Iterable[str]:
        task.answer = answer
        task.outcome = outcome
        if reviewed:
            return ("answer", "outcome")
        task.answered_at = now
        return ("answer", "outcome", "answered_at")

    return _task_step(
        "reply",
        actor,
        demand,
        task.pk,
        from_status=TaskStatus.SIGNED,
        to_status=TaskStatus.REVIEW if reviewed else TaskStatus.ANSWERED,
        note=answer,
        at=at,
        guard=same_rule,
        change=answered,
        event="submit_reply" if reviewed else "",
        task=task,
        data=lambda task, now: {
            "outcome": outcome,
            "on_time": _on_time(task, now),
            **({"drafted_by_id": actor.pk} if reviewed else {}),
        },
    )


def needs_review(task: Task) -> bool:
    """Whether the task's answer goes through its department head before it goes out."""
    return task.review_required or task.department.review_replies


# --------------------------------------------------------------------------- department heads


def _department_member(task: Task, handler_id: int) -> User:
    """A person who may work on the task: active staff of its own department."""
    person = User.objects.filter(pk=handler_id, is_active=True).first()
    if (
        person is None
        or person.department_id != task.department_id
        or person.role not in DEPARTMENT_ROLES
    ):
        raise InvalidInput(
            f"所选人员不是{task.department.name}的工作人员，只能指派给本部门的经办人",
            field="handler_id",
        )
    return person


def department_members(department_ids: Iterable[int]) -> dict[int, list[User]]:
    """The people a task of each department may be assigned to, for the 指派 form."""
    out: dict[int, list[User]] = {}
    people = User.objects.filter(
        department_id__in=list(department_ids), role__in=DEPARTMENT_ROLES, is_active=True
    ).order_by("role", "id")
    for u in people:
        out.setdefault(u.department_id or 0, []).append(u)
    return out


def assign(
    actor: User,
    demand: Demand,
    *,
    handler_id: int,
    note: str = "",
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """指派: the head (or the dispatch centre) names who in the department works on the task;
    giving it to someone else later needs a reason. The task keeps its state and deadline."""
    previous: dict[str, Any] = {}
    person: User | None = None

    def allowed(task: Task) -> None:
        nonlocal person
        person = _department_member(task, handler_id)
        if task.assignee_id == person.pk:
            raise InvalidState(f"该任务已指派给{person.display_name}")
        if task.assignee_id is not None and not note.strip():
            raise InvalidInput("改派给另一名经办人时须写明理由", field="note")

    def assigned(task: Task, now: dt.datetime) -> Iterable[str]:
        if task.assignee_id is not None:
            before = User.objects.filter(pk=task.assignee_id).first()
            previous.update(
                previous=before.display_name if before else "", previous_id=task.assignee_id
            )
        task.assignee = person
        return ("assignee",)

    def said(task: Task, now: dt.datetime) -> dict[str, Any]:
        assert person is not None
        return {"assignee": person.display_name, "assignee_id": person.pk, **previous}

    return _task_step(
        "assign",
        actor,
        demand,
        task_id,
        from_status=_statuses(wf.TRANSITIONS["assign"].task_statuses),
        to_status=None,
        note=note,
        at=at,
        guard=allowed,
        change=assigned,
        data=said,
    )


def _statuses(values: Iterable[str]) -> tuple[TaskStatus, ...]:
    return tuple(TaskStatus(v) for v in values)


def require_review(
    actor: User,
    demand: Demand,
    *,
    required: bool = True,
    note: str = "",
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """The head asks that this task's answer come to them first (or no longer does)."""

    def allowed(task: Task) -> None:
        if task.department.review_replies and not required:
            raise InvalidState(
                f"{task.department.name}的答复均须经负责人审核（园区的部门设置），不能单独取消"
            )
        if task.review_required == required:
            raise InvalidState("该任务已" + ("要求" if required else "不要求") + "答复审核")

    def changed(task: Task, now: dt.datetime) -> Iterable[str]:
        task.review_required = required
        return ("review_required",)

    return _task_step(
        "require_review",
        actor,
        demand,
        task_id,
        from_status=_statuses(wf.TRANSITIONS["require_review"].task_statuses),
        to_status=None,
        note=note,
        at=at,
        guard=allowed,
        change=changed,
        data=lambda task, now: {"required": required},
    )


def _drafter_id(task: Task) -> int | None:
    last = task.events.filter(action="submit_reply").order_by("-created_at", "-id").first()
    return last.actor_id if last is not None else None


def approve_reply(
    actor: User,
    demand: Demand,
    *,
    note: str = "",
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """审核通过: the handler's answer goes out. Recorded as the approval and then as the
    department's `reply` (at this moment, so on time or late counts from here), which tells
    the dispatch centre and, once every task has answered, the requester — as an answer
    without review does."""

    def approved(task: Task, now: dt.datetime) -> Iterable[str]:
        task.answered_at = now
        return ("answered_at",)

    def reply_goes_out(demand: Demand, task: Task, now: dt.datetime) -> None:
        record(
            demand,
            "reply",
            actor,
            task=task,
            note=task.answer,
            at=now,
            from_status=TaskStatus.REVIEW,
            to_status=TaskStatus.ANSWERED,
            data={
                "outcome": task.outcome,
                "on_time": _on_time(task, now),
                "reviewed": True,
            },
        )

    return _task_step(
        "approve_reply",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.REVIEW,
        to_status=TaskStatus.ANSWERED,
        note=note,
        at=at,
        change=approved,
        data=lambda task, now: {"drafted_by_id": _drafter_id(task)},
        then=reply_goes_out,
    )


def send_back_reply(
    actor: User,
    demand: Demand,
    *,
    note: str,
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """退回修改: the answer goes back to the handler with the head's note; the draft stays on the
    task for the handler to revise, and the deadline keeps running."""
    _required(note, "修改意见")
    return _task_step(
        "send_back_reply",
        actor,
        demand,
        task_id,
        from_status=TaskStatus.REVIEW,
        to_status=TaskStatus.SIGNED,
        note=note,
        at=at,
        data=lambda task, now: {"drafted_by_id": _drafter_id(task)},
    )


# --------------------------------------------------------------------------- 补充材料

# The tasks whose clock a question to the requester stops: those not yet answered or in review.
INFO_PAUSED = (TaskStatus.PENDING, TaskStatus.SIGNED)


def _unpause(task: Task, now: dt.datetime) -> int:
    """Start a paused task's clock again: the working days it waited move its deadline on."""
    paused_from = timezone.localtime(task.paused_at or now).date()
    lost = max(0, wcal.working_days_between(paused_from, timezone.localtime(now).date()))
    task.paused_working_days += lost
    if task.deadline is not None:  # 时限未知 stays unknown
        task.deadline = wcal.add_working_days(task.deadline, lost)
    task.paused_at = None
    return lost


def _paused_for_info(demand: Demand, task: Task) -> bool:
    """Paused by the question to the requester (not by a department's own 待补充材料)."""
    asked = demand.info_requested_at
    return (
        asked is not None
        and task.status == TaskStatus.PAUSED
        and task.paused_at is not None
        and task.paused_at >= asked
    )


def _asks_as(user: User, demand: Demand, tasks: list[Task] | None = None) -> bool:
    """The dispatch centre asks for any item; a department only for one it is working on."""
    rel = actor_relations(user, demand, tasks=tasks)
    if wf.DISPATCH in rel:
        return True
    if wf.TASK_DEPT not in rel:
        return False
    tasks = list(demand.tasks.all()) if tasks is None else tasks
    return any(t.department_id == user.department_id and t.is_active for t in tasks)


def ask_info(
    actor: User, demand: Demand, *, question: str, at: dt.datetime | None = None
) -> Demand:
    """补充材料: put a question to the requester. Until they answer, the demand's tasks that
    are on the clock are paused (the same pause as a department's 待补充材料), so the days
    spent waiting move every deadline on when the answer comes."""
    check("ask_info", actor, demand)
    _required(question, "需补充的内容")
    if not _asks_as(actor, demand):
        raise Forbidden("您所在部门在该诉求上没有在办任务，不能请诉求人补充材料")
    if demand.awaits_info:
        raise InvalidState("已在等待诉求人补充材料，请等诉求人答复")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("ask_info", actor, demand)
        if demand.awaits_info:
            raise InvalidState("已在等待诉求人补充材料，请等诉求人答复")
        paused = list(
            demand.tasks.select_for_update(of=("self",))
            .select_related("department")
            .filter(status__in=INFO_PAUSED)
        )
        for t in paused:
            t.status = TaskStatus.PAUSED
            t.paused_at = now
            t.save(update_fields=["status", "paused_at"])
        demand.info_question = question
        demand.info_requested_at = now
        demand.info_requested_by = actor
        fields = ("info_question", "info_requested_at", "info_requested_by")
        record(
            demand,
            "ask_info",
            actor,
            note=question,
            at=now,
            from_status=demand.status,
            to_status=demand.status,
            data={
                "paused_task_ids": [t.pk for t in paused],
                "departments": [t.department.name for t in paused],
            },
        )
        if demand.status == Status.RECEIVED:
            demand.save(update_fields=[*fields, "updated_at"])
        else:
            _sync(demand, actor, now, also=fields)
    return demand


def _supply(
    demand: Demand, actor: User | None, answer: str, now: dt.datetime, via: dict[str, Any]
) -> None:
    """The requester's answer, on a locked demand: the paused tasks start again, each where it
    stood (a task not yet signed waits for 签收 again), their deadlines moved on."""
    asked = demand.info_requested_at
    assert asked is not None
    tasks = [
        t
        for t in demand.tasks.select_for_update(of=("self",)).filter(status=TaskStatus.PAUSED)
        if _paused_for_info(demand, t)
    ]
    lost = max(
        0,
        wcal.working_days_between(timezone.localtime(asked).date(), timezone.localtime(now).date()),
    )
    for t in tasks:
        _unpause(t, now)
        t.status = TaskStatus.SIGNED if t.signed_at else TaskStatus.PENDING
        t.save(update_fields=["status", "paused_working_days", "deadline", "paused_at"])
    data = {
        "question": demand.info_question,
        "asked_by_id": demand.info_requested_by_id,
        "paused_working_days": lost,
        "resumed_task_ids": [t.pk for t in tasks],
        "deadlines": [_iso(t.deadline) for t in tasks],
        **via,
    }
    demand.info_requested_at = None
    demand.info_requested_by = None
    fields = ("info_requested_at", "info_requested_by")
    record(
        demand,
        "supply_info",
        actor,
        note=answer,
        at=now,
        from_status=demand.status,
        to_status=demand.status,
        data=data,
    )
    if demand.status == Status.RECEIVED:
        demand.save(update_fields=[*fields, "updated_at"])
    else:
        _sync(demand, actor, now, also=fields)


def supply_info(
    actor: User, demand: Demand, *, answer: str, at: dt.datetime | None = None
) -> Demand:
    """The requester answers the question: the clock runs again, and whoever asked is told."""
    check("supply_info", actor, demand)
    _required(answer, "补充内容")
    if not demand.awaits_info:
        raise InvalidState("园区没有请您补充材料")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("supply_info", actor, demand)
        if not demand.awaits_info:
            raise InvalidState("园区没有请您补充材料")
        _supply(demand, actor, answer, now, {})
    return demand


def supply_info_tracked(demand: Demand, *, answer: str, at: dt.datetime | None = None) -> Demand:
    """补充材料 by a caller without an account who proved the item theirs with its 查询码."""
    _required(answer, "补充内容")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        if (
            not demand.awaits_info
            or demand.status not in wf.TRANSITIONS["supply_info"].from_statuses
        ):
            raise InvalidState("园区没有请您补充材料")
        _supply(demand, None, answer, now, {"via": "tracking_code"})
    return demand


def record_supply(
    actor: User, demand: Demand, *, answer: str, at: dt.datetime | None = None
) -> Demand:
    """记录电话补充: the requester answered the question by phone and a staff member writes down
    what was said. The clock resumes exactly as with an answer on the portal; the event is the
    requester's 补充材料, recorded by the staff member (its actor) and marked as by phone."""
    check("record_supply", actor, demand)
    _required(answer, "诉求人电话中补充的内容")
    if not _asks_as(actor, demand):
        raise Forbidden("您所在部门在该诉求上没有在办任务，不能记录诉求人的补充材料")
    if not demand.awaits_info:
        raise InvalidState("没有在等待诉求人补充材料，无需记录电话补充")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("record_supply", actor, demand)
        if not demand.awaits_info:
            raise InvalidState("没有在等待诉求人补充材料，无需记录电话补充")
        via = {"via": "phone", "recorded_by_id": actor.pk, "recorded_by": actor.display_name}
        _supply(demand, actor, answer, now, via)
    return demand


def _unreachable(demand: Demand, today: dt.date | None = None) -> tuple[bool, str]:
    """Whether the requester has left the question unanswered long enough to close the item."""
    if demand.info_requested_at is None:
        return False, "没有在等待诉求人补充材料"
    asked = timezone.localtime(demand.info_requested_at).date()
    waited = wcal.working_days_between(asked, today or _today())
    need = demand.park.info_wait_working_days
    if waited < need:
        return False, (
            f"请诉求人补充材料满 {need} 个工作日仍未答复方可销号（已等待 {waited} 个工作日）"
        )
    return True, ""


def close_unreachable(
    actor: User,
    demand: Demand,
    *,
    kind: schemas.UnreachableKind,
    note: str,
    at: dt.datetime | None = None,
) -> Demand:
    """无法联系 / 资料不全: the requester never answered the question; after the park's number of
    working days the dispatch centre closes the item with a reason. Open tasks are cancelled
    (their history kept)."""
    check("close_unreachable", actor, demand)
    _required(note, "销号说明")
    now = at or _now()
    ok, why = _unreachable(demand, timezone.localtime(now).date())
    if not ok:
        raise InvalidState(f"暂不能按无法联系销号：{why}")
    with transaction.atomic():
        demand = _lock(demand)
        check("close_unreachable", actor, demand)
        ok, why = _unreachable(demand, timezone.localtime(now).date())
        if not ok:
            raise InvalidState(f"暂不能按无法联系销号：{why}")
        before = demand.status
        asked = demand.info_requested_at
        dropped = _supersede(demand, (*ACTIVE_TASK_STATUSES, TaskStatus.RETURNED))
        demand.status = Status.CLOSED
        demand.closed_at = now
        demand.due_date = None
        demand.info_requested_at = None
        demand.info_requested_by = None
        demand.save(
            update_fields=[
                "status",
                "closed_at",
                "due_date",
                "info_requested_at",
                "info_requested_by",
                "updated_at",
            ]
        )
        record(
            demand,
            "close_unreachable",
            actor,
            from_status=before,
            to_status=Status.CLOSED,
            note=note,
            at=now,
            data={
                "kind": kind.value,
                "label": kind.label,
                "asked_at": asked.isoformat() if asked else None,
                "cancelled": dropped,
            },
        )
    return demand


def redispatch(
    actor: User,
    demand: Demand,
    *,
    task_id: int | None = None,
    department_id: int | None = None,
    time_limit_days: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Demand:
    """Re-route a returned task to another department; a returned 协办 may simply be dropped."""
    task = _task_of(demand, task_id, actor, (TaskStatus.RETURNED,))
    check("redispatch", actor, demand, task)
    new_dept = None
    if department_id is not None:
        new_dept = _department(demand.park, department_id, "改派部门")
        if new_dept.pk == task.department_id:
            raise InvalidInput(
                "改派部门与退单部门相同，如需坚持交办请使用“坚持交办”", field="department_id"
            )
        if demand.tasks.filter(department=new_dept, status__in=ACTIVE_TASK_STATUSES).exists():
            raise InvalidInput(f"{new_dept.name}已在办理该诉求", field="department_id")
    elif task.role == TaskRole.LEAD:
        raise InvalidInput("主办任务改派须指定新的主办部门", field="department_id")
    days = _days(time_limit_days or task.time_limit_days, "办理时限")
    now = at or _now()
    with transaction.atomic():
        demand, task = _lock_task("redispatch", actor, demand, task)
        task.status = TaskStatus.CANCELLED
        task.save(update_fields=["status"])
        new_task = None
        if new_dept is not None:
            new_task = _new_task(demand, new_dept, TaskRole(task.role), days, now)
        record(
            demand,
            "redispatch",
            actor,
            task=task,
            note=note,
            at=now,
            data={
                "from": task.department.name,
                "to": new_dept.name if new_dept else None,
                "deadline": _iso(new_task.deadline) if new_task else None,
            },
        )
        _sync(demand, actor, now)
    return demand


def request_extension(
    actor: User,
    demand: Demand,
    *,
    days: int,
    reason: str,
    task_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    task = _task_of(demand, task_id, actor, (TaskStatus.SIGNED, TaskStatus.PAUSED))
    check("request_extension", actor, demand, task)
    n = _days(days, "延期天数", high=MAX_EXTENSION_DAYS)
    _required(reason, "延期理由")
    if _pending_extension(task):
        raise InvalidState("已有一条延期申请等待审批")
    now = at or _now()
    with transaction.atomic():
        demand, task = _lock_task("request_extension", actor, demand, task)
        if task.deadline is None:
            raise InvalidInput(
                "该任务的办结时限未知（导入的台账未记时限要求），无法按原时限延期", field="days"
            )
        ext = Extension.objects.create(
            task=task,
            requested_by=actor,
            requested_at=now,
            days=n,
            reason=reason,
            old_deadline=task.deadline,
            new_deadline=wcal.add_working_days(task.deadline, n),
        )
        record(
            demand,
            "request_extension",
            actor,
            task=task,
            note=reason,
            at=now,
            data={"extension_id": ext.pk, "days": n, "new_deadline": ext.new_deadline.isoformat()},
        )
    return demand


def decide_extension(
    actor: User,
    demand: Demand,
    *,
    approve: bool,
    note: str = "",
    task_id: int | None = None,
    extension_id: int | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    ext: Extension | None
    if extension_id is not None:
        ext = (
            Extension.objects.select_related("task")
            .filter(pk=extension_id, task__demand=demand)
            .first()
        )
        if ext is None:
            raise InvalidInput("延期申请不存在", field="extension_id")
        task = ext.task
    else:
        task = _task_of(demand, task_id, actor, (TaskStatus.SIGNED, TaskStatus.PAUSED))
        ext = _pending_extension(task)
    check("decide_extension", actor, demand, task)
    if ext is None or ext.status != ExtensionStatus.PENDING:
        raise InvalidState("没有待审批的延期申请")
    if not approve:
        _required(note, "审批意见")
    now = at or _now()
    with transaction.atomic():
        demand, task = _lock_task("decide_extension", actor, demand, task)
        ext.status = ExtensionStatus.GRANTED if approve else ExtensionStatus.REFUSED
        ext.decided_by = actor
        ext.decided_at = now
        ext.decision_note = note
        ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            task.deadline = max(ext.new_deadline, task.deadline or ext.new_deadline)
            task.extension_count += 1
            task.save(update_fields=["deadline", "extension_count"])
        record(
            demand,
            "decide_extension",
            actor,
            task=task,
            note=note,
            at=now,
            data={
                "extension_id": ext.pk,
                "approved": approve,
                "deadline": _iso(task.deadline),
            },
        )
        _sync(demand, actor, now)
    return demand


def _redo_lead(demand: Demand, now: dt.datetime) -> Task | None:
    """Send the lead task back to work with a fresh limit (不满意, 重新打开); None if the demand
    has none (an answer given on the spot)."""
    lead = demand.tasks.filter(role=TaskRole.LEAD).exclude(status=TaskStatus.CANCELLED).first()
    if lead is None:
        demand.status = Status.RECEIVED
        demand.tier = ""
        return None
    lead.status = TaskStatus.SIGNED
    lead.answered_at = None
    lead.assigned_at = now
    lead.deadline = wcal.add_working_days(timezone.localtime(now).date(), lead.time_limit_days)
    lead.save(update_fields=["status", "answered_at", "assigned_at", "deadline"])
    demand.status = Status.IN_PROGRESS
    demand.due_date = lead.deadline
    return lead


def confirm(
    actor: User,
    demand: Demand,
    *,
    satisfaction: Satisfaction,
    comment: str = "",
    method: CallbackMethod | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """回访: the requester rates the answer. 不满意 sends the lead task back for 重办."""
    check("confirm", actor, demand)
    if satisfaction == Satisfaction.DISSATISFIED:
        _required(comment, "评价意见")
    rel = actor_relations(actor, demand)
    if method is None:
        method = CallbackMethod.SELF if wf.REQUESTER in rel else CallbackMethod.PHONE
    if method == CallbackMethod.SELF and wf.REQUESTER not in rel:
        raise InvalidInput("代为记录回访时须注明回访方式（phone 或 visit）", field="method")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("confirm", actor, demand)
        _rate(demand, actor, satisfaction, comment, {"method": method}, now)
    return demand


def confirm_tracked(
    demand: Demand,
    *,
    satisfaction: Satisfaction,
    comment: str = "",
    at: dt.datetime | None = None,
) -> Demand:
    """回访 by a caller without an account, who proved the item theirs with its 查询码
    (`demands.tracking`): the same rating as `confirm`, with no user behind it."""
    if satisfaction == Satisfaction.DISSATISFIED:
        _required(comment, "评价意见")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        if demand.status != Status.ANSWERED:
            raise InvalidState("这件诉求现在不在待评价状态")
        data = {"method": CallbackMethod.SELF, "via": "tracking_code"}
        _rate(demand, None, satisfaction, comment, data, now)
    return demand


def _rate(
    demand: Demand,
    actor: User | None,
    satisfaction: Satisfaction,
    comment: str,
    data: dict[str, Any],
    now: dt.datetime,
) -> None:
    """The rating itself, on a locked demand: 不满意 sends the lead task back for 重办."""
    before = demand.status
    demand.satisfaction = satisfaction
    demand.confirmed_at = now
    data = {"satisfaction": satisfaction, **data}
    if satisfaction == Satisfaction.DISSATISFIED:
        demand.redo_count += 1
        lead = _redo_lead(demand, now)
        if lead is not None:
            data["redo_department"] = lead.department.name
    else:
        demand.status = Status.CONFIRMED
    demand.save()
    record(
        demand,
        "confirm",
        actor,
        from_status=before,
        to_status=demand.status,
        note=comment,
        data=data,
        at=now,
    )


def record_callback(
    actor: User, demand: Demand, *, note: str, at: dt.datetime | None = None
) -> Demand:
    """A call-back that reached nobody: after enough of these days the item may be closed."""
    check("record_callback", actor, demand)
    _required(note, "回访情况")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("record_callback", actor, demand)
        record(
            demand,
            "record_callback",
            actor,
            note=note,
            at=now,
            from_status=demand.status,
            to_status=demand.status,
        )
    return demand


def _closable(
    demand: Demand, today: dt.date | None = None, tasks: list[Task] | None = None
) -> tuple[bool, str]:
    if demand.status == Status.CONFIRMED:
        return True, ""
    if demand.status != Status.ANSWERED or demand.answered_at is None:
        return False, "诉求尚未答复"
    if tasks is None:
        tasks = list(demand.tasks.all())
    if any(t.status in ACTIVE_TASK_STATUSES for t in tasks):
        return False, "仍有部门任务未答复"
    answered = timezone.localtime(demand.answered_at).date()
    waited = wcal.working_days_between(answered, today or _today())
    need = demand.park.auto_close_working_days
    if waited < need:
        return False, f"诉求人尚未回访确认；答复满 {need} 个工作日且记录回访未果后方可销号"
    tried = demand.events.filter(
        action="record_callback", created_at__gte=demand.answered_at
    ).exists()
    if not tried:
        return False, "诉求人未评价，销号前须先记录一次回访（回访未果）"
    return True, ""


def close(actor: User, demand: Demand, *, note: str = "", at: dt.datetime | None = None) -> Demand:
    check("close", actor, demand)
    ok, why = _closable(demand, timezone.localtime(at).date() if at else None)
    if not ok:
        raise InvalidState(f"暂不能销号：{why}")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("close", actor, demand)
        before = demand.status
        demand.status = Status.CLOSED
        demand.closed_at = now
        demand.due_date = None
        demand.save(update_fields=["status", "closed_at", "due_date", "updated_at"])
        record(
            demand,
            "close",
            actor,
            from_status=before,
            to_status=Status.CLOSED,
            note=note,
            at=now,
            data={"without_rating": before == Status.ANSWERED},
        )
    return demand


def _reopenable(demand: Demand, today: dt.date | None = None) -> bool:
    if demand.status != Status.CLOSED or demand.closed_at is None:
        return False
    closed = timezone.localtime(demand.closed_at).date()
    return ((today or _today()) - closed).days <= REOPEN_WINDOW_DAYS


def reopen(actor: User, demand: Demand, *, reason: str, at: dt.datetime | None = None) -> Demand:
    check("reopen", actor, demand)
    now = at or _now()
    if not _reopenable(demand, timezone.localtime(now).date()):
        raise InvalidState(f"销号已超过 {REOPEN_WINDOW_DAYS} 天，不能重新打开，请作为新诉求提交")
    _required(reason, "重新打开理由")
    with transaction.atomic():
        demand = _lock(demand)
        check("reopen", actor, demand)
        before = demand.status
        demand.reopen_count += 1
        demand.closed_at = None
        demand.satisfaction = ""
        _redo_lead(demand, now)
        demand.save()
        record(
            demand,
            "reopen",
            actor,
            from_status=before,
            to_status=demand.status,
            note=reason,
            at=now,
        )
    return demand


def urge(actor: User, demand: Demand, *, note: str = "", at: dt.datetime | None = None) -> Demand:
    """催办 → 督办 → 挂牌督办: each call raises the level of the tasks still being worked on."""
    check("urge", actor, demand)
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("urge", actor, demand)
        tasks = list(demand.tasks.select_for_update().filter(status__in=ACTIVE_TASK_STATUSES))
        if not tasks:
            raise InvalidState("没有正在办理的任务，无需催办")
        level = min(demand.urge_level + 1, max(wf.URGE_LEVELS))
        demand.urge_level = level
        demand.save(update_fields=["urge_level", "updated_at"])
        for t in tasks:
            t.urge_level = level
            t.save(update_fields=["urge_level"])
        record(
            demand,
            "urge",
            actor,
            note=note,
            at=now,
            data={
                "level": level,
                "label": wf.URGE_LEVELS[level],
                "departments": [t.department.name for t in tasks],
                "overdue": [
                    t.department.name
                    for t in tasks
                    if t.deadline is not None and t.deadline < timezone.localtime(now).date()
                ],
            },
        )
    return demand


def merge(
    actor: User,
    demand: Demand,
    *,
    into_id: int | None = None,
    into_number: str | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Demand:
    """Merge a duplicate into the demand that will carry on; the duplicate keeps its history."""
    check("merge", actor, demand)
    qs = Demand.objects.filter(park=demand.park)
    target = None
    if into_id is not None:
        target = qs.filter(pk=into_id).first()
    elif into_number:
        target = qs.filter(number=into_number).first()
    if target is None:
        raise InvalidInput("合并目标诉求不存在", field="into_id")
    if target.pk == demand.pk:
        raise InvalidInput("不能与自身合并", field="into_id")
    if target.status in (Status.MERGED, Status.CLOSED):
        raise InvalidState(
            f"目标诉求 {target.number} 已{target.get_status_display()}，不能作为合并目标"
        )
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("merge", actor, demand)
        before = demand.status
        demand.tasks.filter(status__in=ACTIVE_TASK_STATUSES).update(status=TaskStatus.CANCELLED)
        demand.status = Status.MERGED
        demand.merged_into = target
        demand.due_date = None
        demand.save(update_fields=["status", "merged_into", "due_date", "updated_at"])
        record(
            demand,
            "merge",
            actor,
            from_status=before,
            to_status=Status.MERGED,
            note=note,
            at=now,
            data={"into": target.number, "into_id": target.pk},
        )
        record(
            target,
            "merged_in",
            actor,
            note=note,
            at=now,
            data={"from": demand.number, "from_id": demand.pk},
        )
    return demand


ESCALATION_TIERS = (Tier.RECEPTION_DAY, Tier.PROJECT_MEETING, Tier.EXPERT)


def escalate(
    actor: User, demand: Demand, *, tier: Tier, note: str, at: dt.datetime | None = None
) -> Demand:
    """Send what a department could not solve up the ladder: reception day, project meeting,
    expert consultation (which marks it a legacy problem until cleared)."""
    check("escalate", actor, demand)
    if tier not in ESCALATION_TIERS:
        names = "、".join(f"{t.value}（{t.label}）" for t in ESCALATION_TIERS)
        raise InvalidInput(f"提级层级无效，可选：{names}", field="tier")
    if demand.tier == tier:
        raise InvalidState(f"该诉求已在“{Tier(tier).label}”层级协调")
    _required(note, "提级理由")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        check("escalate", actor, demand)
        before = demand.tier
        demand.tier = tier
        if tier == Tier.EXPERT:
            demand.is_legacy = True
        demand.save(update_fields=["tier", "is_legacy", "updated_at"])
        record(
            demand,
            "escalate",
            actor,
            note=note,
            at=now,
            data={"from_tier": before, "tier": tier, "label": Tier(tier).label},
        )
    return demand


DECIDER_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
DECIDABLE_STATUSES = (Status.RECEIVED, *wf.WORKING, Status.ANSWERED)


def _check_decider(actor: User, demand: Demand) -> None:
    """Decisions of a higher rung (a consultation's conclusion, a meeting's decision) are taken
    by leaders and the dispatch centre of the park, on items still being solved."""
    if not actor.is_authenticated or not (
        actor.is_superuser or (actor.role in DECIDER_ROLES and actor.in_park(demand.park_id))
    ):
        raise Forbidden("只有园区领导或派单中心可以对诉求作出协调决定")
    if demand.status not in DECIDABLE_STATUSES:
        raise InvalidState(f"诉求当前状态为“{demand.get_status_display()}”，不能再作出协调决定")


def _supersede(demand: Demand, statuses: Iterable[str]) -> list[str]:
    """Cancel the tasks a decision replaces; their answers stay on the rows and in the events."""
    old = list(demand.tasks.select_for_update().filter(status__in=list(statuses)))
    for t in old:
        t.status = TaskStatus.CANCELLED
        t.save(update_fields=["status"])
    return [t.department.name for t in old]


def decide_answer(
    actor: User,
    demand: Demand,
    *,
    answer: str,
    outcome: Outcome = Outcome.SOLVED,
    tier: Tier = Tier.EXPERT,
    source: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """A higher rung answers the item itself: the tasks still open are superseded and the
    demand goes to 回访 with this answer, like an answer given on the spot."""
    _check_decider(actor, demand)
    _required(answer, "答复内容")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        _check_decider(actor, demand)
        before = demand.status
        dropped = _supersede(demand, (*ACTIVE_TASK_STATUSES, TaskStatus.RETURNED))
        demand.status = Status.ANSWERED
        demand.tier = tier
        demand.answer = answer
        demand.outcome = outcome
        demand.answered_at = now
        demand.due_date = None
        demand.save(
            update_fields=[
                "status",
                "tier",
                "answer",
                "outcome",
                "answered_at",
                "due_date",
                "updated_at",
            ]
        )
        record(
            demand,
            "decide_answer",
            actor,
            from_status=before,
            to_status=demand.status,
            note=answer,
            at=now,
            data={"outcome": outcome, "tier": tier, "superseded": dropped, **(source or {})},
        )
    return demand


def decide_tasks(
    actor: User,
    demand: Demand,
    *,
    lead_department_id: int,
    co_department_ids: Iterable[int] = (),
    time_limit_days: int,
    co_time_limit_days: int | None = None,
    note: str = "",
    tier: Tier = Tier.EXPERT,
    source: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Demand:
    """A higher rung assigns the item anew: a 主办 and 协办 with working-day deadlines, made the
    way `dispatch` makes them. Earlier tasks are superseded (cancelled, history kept)."""
    _check_decider(actor, demand)
    park = demand.park
    lead, cos = _lead_and_cos(park, lead_department_id, co_department_ids)
    days = _days(time_limit_days, "办理时限")
    co_days = _days(co_time_limit_days or days, "协办时限")
    now = at or _now()
    with transaction.atomic():
        demand = _lock(demand)
        _check_decider(actor, demand)
        before = demand.status
        dropped = _supersede(
            demand, (*ACTIVE_TASK_STATUSES, TaskStatus.RETURNED, TaskStatus.ANSWERED)
        )
        tasks = [_new_task(demand, lead, TaskRole.LEAD, days, now)]
        tasks += [_new_task(demand, c, TaskRole.CO, co_days, now) for c in cos]
        demand.tier = tier
        demand.lead_department = lead
        demand.dispatched_at = demand.dispatched_at or now
        demand.status = Status.DISPATCHED
        demand.answered_at = None
        demand.due_date = _earliest(tasks)
        demand.save(
            update_fields=[
                "tier",
                "lead_department",
                "dispatched_at",
                "status",
                "answered_at",
                "due_date",
                "updated_at",
            ]
        )
        record(
            demand,
            "decide_tasks",
            actor,
            from_status=before,
            to_status=demand.status,
            at=now,
            note=note,
            data={
                "lead": lead.name,
                "co": [c.name for c in cos],
                "days": days,
                "deadline": _iso(tasks[0].deadline),
                "calendar_warning": _warning(tasks[0].deadline),
                "tier": tier,
                "superseded": dropped,
                **(source or {}),
            },
        )
    return demand


def comment(actor: User, demand: Demand, *, note: str, at: dt.datetime | None = None) -> Demand:
    check("comment", actor, demand)
    _required(note, "备注")
    with transaction.atomic():
        record(demand, "comment", actor, note=note, at=at or _now())
    return demand


def perform(
    actor: User, demand: Demand, body: schemas.ActionBody, *, at: dt.datetime | None = None
) -> Demand:
    """Run the workflow action whose typed body this is (API, pages, bulk actions)."""
    b = body
    match b:
        case schemas.ResolveOnSpotIn():
            return resolve_on_spot(
                actor,
                demand,
                answer=b.answer,
                outcome=b.outcome,
                category_id=b.category_id,
                reference=b.reference,
                at=at,
            )
        case schemas.DispatchIn():
            return dispatch(
                actor,
                demand,
                lead_department_id=b.lead_department_id,
                co_department_ids=b.co_department_ids,
                time_limit_days=b.time_limit_days,
                co_time_limit_days=b.co_time_limit_days,
                category_id=b.category_id,
                note=b.note,
                at=at,
            )
        case schemas.UndoDispatchIn():
            return undo_dispatch(actor, demand, note=b.note, at=at)
        case schemas.SignIn():
            return sign(actor, demand, task_id=b.task_id, note=b.note, at=at)
        case schemas.ReturnIn():
            return return_task(
                actor, demand, reason=b.reason, note=b.note, task_id=b.task_id, at=at
            )
        case schemas.RedispatchIn():
            return redispatch(
                actor,
                demand,
                task_id=b.task_id,
                department_id=b.department_id,
                time_limit_days=b.time_limit_days,
                note=b.note,
                at=at,
            )
        case schemas.InsistIn():
            return insist(actor, demand, task_id=b.task_id, note=b.note, at=at)
        case schemas.RequestExtensionIn():
            return request_extension(
                actor, demand, days=b.days, reason=b.reason, task_id=b.task_id, at=at
            )
        case schemas.DecideExtensionIn():
            return decide_extension(
                actor,
                demand,
                approve=b.approve,
                note=b.note,
                task_id=b.task_id,
                extension_id=b.extension_id,
                at=at,
            )
        case schemas.PauseIn():
            return pause(actor, demand, note=b.note, task_id=b.task_id, at=at)
        case schemas.ResumeIn():
            return resume(actor, demand, note=b.note, task_id=b.task_id, at=at)
        case schemas.ReplyIn():
            return reply(
                actor, demand, answer=b.answer, outcome=b.outcome, task_id=b.task_id, at=at
            )
        case schemas.ConfirmIn():
            return confirm(
                actor,
                demand,
                satisfaction=b.satisfaction,
                comment=b.comment,
                method=b.method,
                at=at,
            )
        case schemas.RecordCallbackIn():
            return record_callback(actor, demand, note=b.note, at=at)
        case schemas.CloseIn():
            return close(actor, demand, note=b.note, at=at)
        case schemas.ReopenIn():
            return reopen(actor, demand, reason=b.reason, at=at)
        case schemas.UrgeIn():
            return urge(actor, demand, note=b.note, at=at)
        case schemas.MergeIn():
            return merge(
                actor, demand, into_id=b.into_id, into_number=b.into_number, note=b.note, at=at
            )
        case schemas.EscalateIn():
            return escalate(actor, demand, tier=Tier(b.tier.value), note=b.note, at=at)
        case schemas.CommentIn():
            return comment(actor, demand, note=b.note, at=at)
        case schemas.AssignIn():
            return assign(
                actor, demand, handler_id=b.handler_id, note=b.note, task_id=b.task_id, at=at
            )
        case schemas.RequireReviewIn():
            return require_review(
                actor, demand, required=b.required, note=b.note, task_id=b.task_id, at=at
            )
        case schemas.ApproveReplyIn():
            return approve_reply(actor, demand, note=b.note, task_id=b.task_id, at=at)
        case schemas.SendBackReplyIn():
            return send_back_reply(actor, demand, note=b.note, task_id=b.task_id, at=at)
        case schemas.AskInfoIn():
            return ask_info(actor, demand, question=b.question, at=at)
        case schemas.SupplyInfoIn():
            return supply_info(actor, demand, answer=b.answer, at=at)
        case schemas.RecordSupplyIn():
            return record_supply(actor, demand, answer=b.answer, at=at)
        case schemas.CloseUnreachableIn():
            return close_unreachable(actor, demand, kind=b.kind, note=b.note, at=at)
    raise NotFound(f"未知的操作（{type(body).__name__}）")


def demand_deadline_state(demand: Demand, today: dt.date | None = None) -> str:
    if not demand.is_open or demand.status in (Status.ANSWERED, Status.CONFIRMED):
        return wcal.DeadlineState.NORMAL
    return wcal.deadline_state(
        demand.due_date, today or _today(), demand.park.due_soon_working_days
    )


def task_deadline_state(task: Task, park: Park, today: dt.date | None = None) -> str:
    if task.status not in RUNNING_TASK_STATUSES:
        return wcal.DeadlineState.NORMAL
    return wcal.deadline_state(task.deadline, today or _today(), park.due_soon_working_days)
