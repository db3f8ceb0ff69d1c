"""The ledger workbook: `export_ledger` writes what a ledger page has filtered as an .xlsx in the
layout parks use (the columns of `demands.columns`, which the importer in `exchange` reads back).

`export_ledger` does not scope: it renders the queryset it is given, which callers build from
`demands.access.visible_demands` (and the ledger filters) so an export holds exactly what the user
may see.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from demands.columns import FIELDS, Field
from demands.models import Demand, Status, Task, TaskRole, TaskStatus
from demands.workflow import URGE_LEVELS
from qinshang import sheets

SHEET_TITLE = "问题台账"
YES, NO = "是", "否"


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _lead(tasks: list[Task]) -> Task | None:
    live = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    for pool in (live, tasks):
        for t in pool:
            if t.role == TaskRole.LEAD:
                return t
    return None


def row_values(d: Demand, tasks: list[Task]) -> dict[str, Any]:
    """The ledger's fields for one demand, keyed as in `demands.columns.FIELDS`."""
    lead = _lead(tasks)
    cos = [
        t.department.name
        for t in tasks
        if t.role == TaskRole.CO and t.status != TaskStatus.CANCELLED
    ]
    cat = d.category
    l1: str | None
    l2: str | None
    if cat is not None and cat.parent:
        l1, l2 = cat.parent.name, cat.name
    else:
        l1, l2 = (cat.name if cat else None), None
    liaison = d.liaison.display_name if d.liaison else (d.extra or {}).get("专属服务员")
    return {
        "number": d.number,
        "enterprise": d.enterprise.name if d.enterprise else None,
        "description": d.description,
        "category": l2,
        "lead_department": lead.department.name
        if lead
        else (d.lead_department.name if d.lead_department else None),
        "co_departments": "、".join(cos) or None,
        "dispatched_at": _local(d.dispatched_at),
        "due_date": lead.deadline if lead else d.due_date,
        "answer": d.answer,
        "closed_flag": YES if d.status == Status.CLOSED else NO,
        "satisfaction": d.get_satisfaction_display() if d.satisfaction else None,
        "created_at": _local(d.created_at),
        "channel": d.get_channel_display(),
        "requester_kind": d.get_requester_kind_display(),
        "credit_code": d.enterprise.credit_code if d.enterprise else None,
        "requester_name": d.requester_name,
        "requester_phone": d.requester_phone,
        "community": d.community,
        "title": d.title,
        "category_l1": l1,
        "category_l3": None,
        "liaison": liaison,
        "signed_at": _local(lead.signed_at) if lead else None,
        "responded": None,
        "outcome": d.get_outcome_display() if d.outcome else None,
        "answered_at": _local(d.answered_at),
        "tier": d.get_tier_display() if d.tier else None,
        "status": d.get_status_display(),
        "confirmed_at": _local(d.confirmed_at),
        "closed_at": _local(d.closed_at),
        "urge_level": URGE_LEVELS.get(d.urge_level),
        "redo_count": d.redo_count,
        "reopen_count": d.reopen_count,
        "is_legacy": YES if d.is_legacy else NO,
        "merged_into": d.merged_into.number if d.merged_into else None,
        "source_ref": d.source_ref,
    }


# Columns an export leaves out when no row has a value: they exist for sheets that carry them.
_ONLY_IF_USED = {"category_l3", "responded"}
_FORMATS = {"datetime": sheets.DATETIME, "date": sheets.DATE}


# The import app (a higher room) registers its export, which keeps an imported sheet's own
# column names, numbers and words (exchange.xlsx), so that exported ledgers import back the same.
EXPORTERS: list[Callable[[QuerySet[Demand], Callable[[Demand], Demand] | None], bytes]] = []


def export_ledger(
    queryset: QuerySet[Demand], mask: Callable[[Demand], Demand] | None = None
) -> bytes:
    """The ledger's export: the registered one if the import app is installed, else the plain."""
    if EXPORTERS:
        return EXPORTERS[-1](queryset, mask)
    return plain_export_ledger(queryset, mask)


def plain_export_ledger(
    queryset: QuerySet[Demand], mask: Callable[[Demand], Demand] | None = None
) -> bytes:
    """The demands of `queryset`, in its order, as an .xlsx ledger (bytes).

    `mask` (demands.privacy.masker) hides the contact details the reader may not see in full.

    One query for the demands and one for their tasks, however many rows. Fields the ledger keeps
    in `Demand.extra` (columns of an imported sheet nobody mapped) follow as extra columns.
    """
    qs = queryset.select_related(
        "category", "category__parent", "enterprise", "lead_department", "liaison", "merged_into"
    ).prefetch_related(
        Prefetch(
            "tasks", queryset=Task.objects.select_related("department").order_by("-role", "id")
        )
    )
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    extra_keys: dict[str, None] = {}
    for d in qs.iterator(chunk_size=2000):
        if mask is not None:
            d = mask(d)
        rows.append((row_values(d, list(d.tasks.all())), d.extra or {}))
        for k in d.extra or {}:
            if k != "专属服务员":
                extra_keys.setdefault(str(k), None)
    fields = [f for f in FIELDS if f.key not in _ONLY_IF_USED or any(r[0].get(f.key) for r in rows)]
    headers = {f.header for f in fields}
    extras = [k for k in extra_keys if k not in headers]
    return _write(fields, extras, rows)


def _extra_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write(
    fields: list[Field], extras: list[str], rows: Iterable[tuple[dict[str, Any], dict[str, Any]]]
) -> bytes:
    wb, ws = sheets.new_workbook(SHEET_TITLE)
    headers = [sheets.Header(f.header, f.width, _FORMATS.get(f.kind)) for f in fields]
    headers += [sheets.Header(k, 14) for k in extras]

    def lines() -> Iterable[list[Any]]:
        for n, (values, extra) in enumerate(rows, start=1):
            values = {**values, "seq": n}
            yield [values.get(f.key) for f in fields] + [_extra_value(extra.get(k)) for k in extras]

    sheets.write_table(ws, headers, lines(), style=sheets.LIGHT, freeze="C2")
    return sheets.to_bytes(wb)
