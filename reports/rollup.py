"""Monthly rollups of the facts, maintained with deltas.

Each fact row contributes a vector of counters (`demand_counters`, `task_counters`) to one rollup
row, keyed by its month of receipt and dimensions. When facts are recomputed, the difference
between the new and the old contributions is added to the rollup rows with one upsert per key
(`INSERT … ON CONFLICT … DO UPDATE SET c = c + excluded.c`, on SQLite and PostgreSQL alike), so
keeping the rollups current costs in proportion to what changed, not to the size of the ledger.

The counters are the time-independent parts of the metrics. What depends on today's date (overdue
items, unsigned tasks past their response window) is counted from the facts at query time, through
partial indexes that hold only open items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Model

from demands.models import OPEN_STATUSES, Status
from reports.models import (
    DEMAND_COUNTERS,
    RESPONSE_DAYS_KEPT,
    TASK_COUNTERS,
    DemandFact,
    DemandRollup,
    TaskFact,
    TaskRollup,
)

Key = tuple[int, int, int, int, str]
Vector = dict[str, int]


def demand_key(f: Any) -> Key:
    return (f.park_id, f.month, f.lead_department_id or 0, f.category_l1_id or 0, f.channel)


def task_key(t: Any) -> Key:
    return (t.park_id, t.month, t.department_id or 0, t.category_l1_id or 0, t.channel)


def demand_counters(f: Any) -> Vector:
    """What one demand adds to its rollup row (nothing when it was merged into another)."""
    if f.is_merged:
        return {}
    answered = bool(f.answered)
    v = {
        "received": 1,
        "answered": int(answered),
        "closed": int(f.status == Status.CLOSED),
        "open": int(f.status in OPEN_STATUSES),
        "legacy_open": int(bool(f.is_legacy) and f.status in OPEN_STATUSES),
        "rated": f.rated,
        "r_satisfied": f.rated_satisfied,
        "r_basic": f.rated_basic,
        "r_dissatisfied": f.rated_dissatisfied,
        "reopened": int(bool(f.reopened)),
        "ever_closed": int(bool(f.ever_closed)),
    }
    if answered and f.tier:
        v[f"tier_{f.tier}"] = 1
    if answered and f.outcome:
        v[f"out_{f.outcome}"] = 1
    return {k: n for k, n in v.items() if n}


def task_counters(t: Any) -> Vector:
    if t.demand_merged:
        return {}
    v = {"tasks": 1, "returns": t.returns}
    if t.sheet_responded is not None:  # the sheet's own judgement outranks any time
        v["resp_sheet_n"] = 1
        v["resp_sheet_ok"] = int(bool(t.sheet_responded))
    elif t.response_known and t.response_days is not None:
        v["reacted"] = 1
        if t.response_days <= RESPONSE_DAYS_KEPT:
            v[f"resp_{t.response_days}"] = 1
    elif not t.response_known:
        v["resp_unknown"] = 1
    if t.deadline_known and t.answered_on_time is not None:
        v["ontime_answered"] = 1
        v["ontime_ok"] = int(bool(t.answered_on_time))
    if not t.answer_known or (not t.deadline_known and not t.cancelled):
        v["ontime_unknown"] = 1
    if t.answer_days is not None:
        v["days_sum"] = t.answer_days
        v["days_n"] = 1
    elif not t.answer_known or t.first_answered_at is not None:
        v["days_unknown"] = 1
    return {k: n for k, n in v.items() if n}


def _accumulate(into: dict[Key, Vector], key: Key, vector: Vector, sign: int) -> None:
    if not vector:
        return
    row = into[key]
    for name, n in vector.items():
        row[name] = row.get(name, 0) + sign * n


def deltas(
    old_d: Iterable[Any], new_d: Iterable[Any], old_t: Iterable[Any], new_t: Iterable[Any]
) -> tuple[dict[Key, Vector], dict[Key, Vector]]:
    d: dict[Key, Vector] = defaultdict(dict)
    t: dict[Key, Vector] = defaultdict(dict)
    for f in old_d:
        _accumulate(d, demand_key(f), demand_counters(f), -1)
    for f in new_d:
        _accumulate(d, demand_key(f), demand_counters(f), +1)
    for x in old_t:
        _accumulate(t, task_key(x), task_counters(x), -1)
    for x in new_t:
        _accumulate(t, task_key(x), task_counters(x), +1)
    return d, t


DEMAND_READ = (
    "park_id",
    "month",
    "lead_department_id",
    "category_l1_id",
    "channel",
    "is_merged",
    "answered",
    "status",
    "is_legacy",
    "rated",
    "rated_satisfied",
    "rated_basic",
    "rated_dissatisfied",
    "reopened",
    "ever_closed",
    "tier",
    "outcome",
)
TASK_READ = (
    "park_id",
    "month",
    "department_id",
    "category_l1_id",
    "channel",
    "demand_merged",
    "returns",
    "response_known",
    "response_days",
    "deadline_known",
    "answered_on_time",
    "answer_days",
    "sheet_responded",
    "answer_known",
    "cancelled",
    "first_answered_at",
)


def old_demand_facts(qs: Any) -> Iterable[Any]:
    """The facts' rollup inputs as light named tuples (no model instances)."""
    return qs.values_list(*DEMAND_READ, named=True).iterator(chunk_size=20_000)


def old_task_facts(qs: Any) -> Iterable[Any]:
    return qs.values_list(*TASK_READ, named=True).iterator(chunk_size=20_000)


KEY_COLUMNS = {
    DemandRollup: ("park_id", "month", "lead_department_id", "category_l1_id", "channel"),
    TaskRollup: ("park_id", "month", "department_id", "category_l1_id", "channel"),
}
COUNTERS = {DemandRollup: DEMAND_COUNTERS, TaskRollup: TASK_COUNTERS}


def apply(model: type[Model], changes: dict[Key, Vector], chunk: int = 500) -> None:
    """Add the deltas to the rollup rows, creating rows that do not exist yet."""
    rows = [(k, v) for k, v in changes.items() if any(v.values())]
    if not rows:
        return
    table = model._meta.db_table
    keys = KEY_COLUMNS[model]
    counters = COUNTERS[model]
    cols = [*keys, *counters]
    q = connection.ops.quote_name
    update = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + excluded.{q(c)}" for c in counters)
    with connection.cursor() as cur:
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            values = ", ".join(["(" + ", ".join(["%s"] * len(cols)) + ")"] * len(part))
            params: list[Any] = []
            for key, vector in part:
                params += [*key, *(vector.get(c, 0) for c in counters)]
            cur.execute(
                f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) VALUES {values} "
                f"ON CONFLICT ({', '.join(q(c) for c in keys)}) DO UPDATE SET {update}",
                params,
            )


def rebuild(park_id: int) -> tuple[int, int]:
    """Recompute a park's rollups from its facts. Returns the numbers of rollup rows."""
    DemandRollup.objects.filter(park_id=park_id).delete()
    TaskRollup.objects.filter(park_id=park_id).delete()
    d: dict[Key, Vector] = defaultdict(dict)
    t: dict[Key, Vector] = defaultdict(dict)
    for f in old_demand_facts(DemandFact.objects.filter(park_id=park_id)):
        _accumulate(d, demand_key(f), demand_counters(f), +1)
    for x in old_task_facts(TaskFact.objects.filter(park_id=park_id)):
        _accumulate(t, task_key(x), task_counters(x), +1)
    apply(DemandRollup, d)
    apply(TaskRollup, t)
    return len(d), len(t)
