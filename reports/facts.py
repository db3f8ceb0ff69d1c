"""Derive DemandFact and TaskFact rows from the ledger: its rows and its event timeline.

`refresh(ids)` recomputes the facts of some demands; `process_stale()` recomputes those marked
stale since the last call (every metric calls it first, so figures are never behind the ledger);
`rebuild()` recomputes a whole park. Working-day arithmetic is done here, once per change, with the
Chinese calendar of `workcal`, so that the metrics are plain aggregates.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from demands.models import ACTIVE_TASK_STATUSES, Demand, Event, Status, Task, TaskStatus
from qinshang.replicas import primary_reads
from reports import rollup
from reports.models import DemandFact, DemandRollup, StaleDemand, TaskFact, TaskRollup
from workcal import calendar as wcal

BATCH = 500
LOCK_KEY = 0x5153_4D45  # "QSME": the advisory lock of the facts refresher

DEMAND_FIELDS = [
    "park_id",
    "created_at",
    "month",
    "category_id",
    "category_l1_id",
    "channel",
    "liaison_id",
    "lead_department_id",
    "status",
    "tier",
    "outcome",
    "is_merged",
    "is_legacy",
    "answered",
    "first_answered_at",
    "closed_at",
    "ever_closed",
    "reopened",
    "due_date",
    "rated",
    "rated_satisfied",
    "rated_basic",
    "rated_dissatisfied",
    "tasks",
    "returns",
]
ANSWERED_STATUSES = (Status.ANSWERED, Status.CONFIRMED, Status.CLOSED)


def _date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _month(value: dt.datetime) -> int:
    local = timezone.localtime(value)
    return local.year * 100 + local.month


def _births(
    tasks: list[Task], events: list[Mapping[str, Any]]
) -> dict[int, tuple[dt.datetime, bool]]:
    """When each task was first given to its department, and whether that time is known.

    `Task.assigned_at` is moved on by 坚持交办 and 重办 (the deadline clock restarts), so the first
    assignment is read from the timeline: tasks are created, in id order, by 交办 (the lead and each
    co-department of the event) and by 改派 (one new task when a department is named). An imported
    交办 names its tasks (`task_ids`) and says whether the sheet gave its time (`time_known`).
    """
    named = {
        pk: e
        for e in events
        if e["action"] == "dispatch"
        for pk in (e["data"] or {}).get("task_ids") or ()
    }
    queue = sorted((t for t in tasks if t.pk not in named), key=lambda t: t.pk)
    born: dict[int, tuple[dt.datetime, bool]] = {
        pk: (e["created_at"], (e["data"] or {}).get("time_known", True) is not False)
        for pk, e in named.items()
    }
    i = 0
    for e in events:
        data = e["data"] or {}
        if data.get("task_ids"):
            continue
        if e["action"] == "dispatch":
            n = 1 + len(data.get("co") or [])
        elif e["action"] == "redispatch" and data.get("to"):
            n = 1
        else:
            continue
        for t in queue[i : i + n]:
            born[t.pk] = (e["created_at"], data.get("time_known", True) is not False)
        i += n
    for t in tasks:
        # Not in the timeline (a task written by an older import): its own field.
        born.setdefault(t.pk, (t.assigned_at, True))
    return born


def _task_fact(
    d: Demand,
    t: Task,
    birth: tuple[dt.datetime, bool],
    events: list[Mapping[str, Any]],
    l1: int | None,
) -> TaskFact:
    born, assigned_known = birth
    own = [e for e in events if e["task_id"] == t.pk]
    born_date = _date(born)
    # An imported registration's own judgement (the sheet's 响应 column) of this task.
    # The last one: a newer sheet's news of the same registration is recorded after it.
    record = next((e for e in reversed(own) if e["action"] == "sheet_record"), None)
    judged = (record["data"] or {}).get("responded") if record is not None else None
    reaction = next((e for e in own if e["action"] in ("sign", "return")), None)
    response_days = None
    response_known = assigned_known
    if reaction is not None:
        response_known = (
            assigned_known and (reaction["data"] or {}).get("time_known", True) is not False
        )
        response_days = max(0, wcal.working_days_between(born_date, _date(reaction["created_at"])))
    birth_event = next(
        (e for e in events if t.pk in ((e["data"] or {}).get("task_ids") or ())), None
    )
    if reaction is None and birth_event is not None and (birth_event["data"] or {}).get("imported"):
        response_known = False  # imported without 签收时间: no time to wait for either
    deadline_known = (
        birth_event is None or (birth_event["data"] or {}).get("deadline_known", True) is not False
    ) or any(  # a newer sheet gave the deadline an imported task lacked
        e["action"] == "sheet_update" and (e["data"] or {}).get("deadline_known") for e in own
    )
    reply = next((e for e in own if e["action"] == "reply"), None)
    on_time = None
    answer_days = None
    answer_known = reply is not None or t.status != TaskStatus.ANSWERED
    if reply is not None:
        data = reply["data"] or {}
        deadline_known = deadline_known and data.get("deadline_known", True) is not False
        on_time = data.get("on_time")
        if on_time is None and deadline_known and t.deadline is not None:
            on_time = _date(reply["created_at"]) <= t.deadline
        paused = sum(
            int((e["data"] or {}).get("paused_working_days") or 0)
            for e in own
            if e["action"] == "resume" and e["created_at"] <= reply["created_at"]
        )
        worked = wcal.working_days_between(born_date, _date(reply["created_at"])) - paused
        answer_days = max(0, worked) if assigned_known else None
    return TaskFact(
        task_id=t.pk,
        demand_id=d.pk,
        park_id=d.park_id,
        department_id=t.department_id,
        role=t.role,
        month=_month(d.created_at),
        demand_created_at=d.created_at,
        category_id=d.category_id,
        category_l1_id=l1,
        channel=d.channel,
        liaison_id=d.liaison_id,
        demand_merged=d.status == Status.MERGED,
        assigned_date=born_date,
        response_days=response_days,
        response_known=response_known,
        returns=sum(1 for e in own if e["action"] == "return"),
        cancelled=t.status == TaskStatus.CANCELLED,
        active=t.status in ACTIVE_TASK_STATUSES,
        paused=t.status == TaskStatus.PAUSED,
        deadline=t.deadline,
        first_answered_at=reply["created_at"] if reply else None,
        answered_on_time=bool(on_time) if reply is not None and on_time is not None else None,
        deadline_known=deadline_known,
        answer_days=answer_days,
        sheet_responded=None if judged is None else bool(judged),
        assigned_known=assigned_known,
        answer_known=answer_known,
    )


def _demand_fact(
    d: Demand, tasks: list[TaskFact], events: list[Mapping[str, Any]], l1: int | None
) -> DemandFact:
    first_answer = next(
        (e["created_at"] for e in events if e["to_status"] == Status.ANSWERED), None
    )
    if first_answer is None and d.status in ANSWERED_STATUSES:
        first_answer = d.answered_at
    ratings = [
        str((e["data"] or {}).get("satisfaction", "")) for e in events if e["action"] == "confirm"
    ]
    # An imported registration rated without a 回访 date: the sheet's rating still counts once.
    # A newer sheet's record of the same registration replaces the earlier one.
    records = {_registration(e["data"] or {}): e for e in events if e["action"] == "sheet_record"}
    ratings += [
        str(e["data"]["satisfaction"])
        for e in records.values()
        if (e["data"] or {}).get("satisfaction")
    ]
    answered = d.status in ANSWERED_STATUSES
    return DemandFact(
        demand_id=d.pk,
        park_id=d.park_id,
        created_at=d.created_at,
        month=_month(d.created_at),
        category_id=d.category_id,
        category_l1_id=l1,
        channel=d.channel,
        liaison_id=d.liaison_id,
        lead_department_id=d.lead_department_id,
        status=d.status,
        tier=d.tier,
        outcome=d.outcome if answered else "",
        is_merged=d.status == Status.MERGED or d.merged_into_id is not None,
        is_legacy=d.is_legacy,
        answered=answered,
        first_answered_at=first_answer,
        closed_at=d.closed_at,
        ever_closed=d.status == Status.CLOSED or any(e["action"] == "close" for e in events),
        reopened=d.reopen_count > 0 or any(e["action"] == "reopen" for e in events),
        due_date=d.due_date,
        rated=len(ratings),
        rated_satisfied=ratings.count("satisfied"),
        rated_basic=ratings.count("basic"),
        rated_dissatisfied=ratings.count("dissatisfied"),
        tasks=len(tasks),
        returns=sum(t.returns for t in tasks),
    )


def _registration(data: Mapping[str, Any]) -> Any:
    """Which registration of its ticket a sheet record is of (exchange.importer)."""
    return data.get("registration") or ("row", data.get("version"), data.get("row"))


def refresh(demand_ids: Iterable[int]) -> int:
    """Recompute the facts of these demands. Returns how many demands were refreshed."""
    ids = sorted(set(demand_ids))
    done = 0
    for i in range(0, len(ids), BATCH):
        done += _refresh_batch(ids[i : i + BATCH])
    return done


def _refresh_batch(ids: list[int]) -> int:
    demands = list(
        Demand.objects.filter(pk__in=ids)
        .select_related("category")
        .only(
            "pk",
            "park_id",
            "created_at",
            "category_id",
            "category__parent_id",
            "channel",
            "liaison_id",
            "lead_department_id",
            "status",
            "tier",
            "outcome",
            "merged_into_id",
            "is_legacy",
            "answered_at",
            "closed_at",
            "reopen_count",
            "due_date",
        )
    )
    tasks: dict[int, list[Task]] = defaultdict(list)
    for t in Task.objects.filter(demand_id__in=ids).only(
        "pk", "demand_id", "department_id", "role", "status", "assigned_at", "deadline"
    ):
        tasks[t.demand_id].append(t)
    events: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for e in (
        Event.objects.filter(demand_id__in=ids)
        .order_by("demand_id", "created_at", "id")
        .values("demand_id", "task_id", "action", "to_status", "data", "created_at")
    ):
        events[e["demand_id"]].append(e)
    dfacts: list[DemandFact] = []
    tfacts: list[TaskFact] = []
    for d in demands:
        cat = d.category
        l1 = (cat.parent_id or cat.pk) if cat is not None else None
        evs = events[d.pk]
        born = _births(tasks[d.pk], evs)
        mine = [_task_fact(d, t, born[t.pk], evs, l1) for t in tasks[d.pk]]
        tfacts += mine
        dfacts.append(_demand_fact(d, mine, evs, l1))
    with transaction.atomic():
        _serialise()
        old_d = list(rollup.old_demand_facts(DemandFact.objects.filter(demand_id__in=ids)))
        old_t = list(rollup.old_task_facts(TaskFact.objects.filter(demand_id__in=ids)))
        TaskFact.objects.filter(demand_id__in=ids).delete()
        DemandFact.objects.bulk_create(
            dfacts,
            update_conflicts=True,
            unique_fields=["demand"],
            update_fields=DEMAND_FIELDS,
        )
        TaskFact.objects.bulk_create(tfacts)
        d_delta, t_delta = rollup.deltas(old_d, dfacts, old_t, tfacts)
        rollup.apply(DemandRollup, d_delta)
        rollup.apply(TaskRollup, t_delta)
    return len(dfacts)


def _serialise() -> None:
    """One refresher at a time: the rollup deltas are computed against the facts as read, so two
    refreshers of the same demand must not interleave. SQLite already serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


_checked: contextvars.ContextVar[bool] = contextvars.ContextVar("facts_checked", default=False)


@contextlib.contextmanager
def checked() -> Iterator[None]:
    """Bring the facts up to date once for a block that computes many figures (a page, a
    briefing): the figures inside then all describe the same moment of the ledger."""
    process_stale()
    token = _checked.set(True)
    try:
        yield
    finally:
        _checked.reset(token)


# Bumped whenever stale marks are deleted in this process: a transaction that marked a demand
# once and skips the later marks of the same demand (reports.signals) must mark it again if its
# own row may have gone meanwhile (figures computed inside the same transaction).
marks_generation = 0


def marks_deleted() -> None:
    global marks_generation
    marks_generation += 1


def process_stale(max_rows: int = 50_000) -> int:
    """Recompute the demands marked stale. Cheap when there are none (one indexed query)."""
    if _checked.get():
        return 0
    with primary_reads():  # the marks are read to be deleted: never from a lagging replica
        return _process_stale(max_rows)


def _process_stale(max_rows: int) -> int:
    done = 0
    while done < max_rows:
        rows = list(StaleDemand.objects.order_by("pk").values_list("pk", "demand_id")[:5000])
        if not rows:
            break
        refresh({demand_id for _, demand_id in rows})
        # Delete exactly the rows read: a change recorded meanwhile keeps its own row.
        StaleDemand.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        marks_deleted()
        done += len(rows)
    return done


def rebuild(park_id: int | None = None) -> int:
    """Recompute every demand's facts and the rollups (of one park, or all)."""
    qs = Demand.objects.order_by("pk")
    if park_id is not None:
        qs = qs.filter(park_id=park_id)
    n = refresh(qs.values_list("pk", flat=True).iterator(chunk_size=5000))
    parks = (
        [park_id]
        if park_id is not None
        else list(DemandFact.objects.values_list("park_id", flat=True).distinct())
    )
    for p in parks:
        rollup.rebuild(p)
    return n
