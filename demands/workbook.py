"""The ledger workbook: `export_ledger` / `write_ledger` write what a ledger page has filtered as an
.xlsx in the layout parks use (the columns of `demands.columns`, which the importer in `exchange`
reads back).

They do not scope: they render the queryset they are given, which callers build from
`demands.access.visible_demands` (and the ledger filters) so an export holds exactly what the user
may see.

**One row builder.** `row_values` is the ledger's fields for one demand. An app that knows where an
item came from (the importer: `exchange.xlsx.SheetOrigins`) registers a `SheetOrigins` subclass in
`ORIGINS`; it only contributes the sheet's own words, column names, column order and earlier
registrations, never rows of its own.

**Bounded memory.** Demands are read with `.iterator(chunk_size=…)`; each row, once built, goes to
a temporary spool file (which columns appear, and their names, are known only after the last row),
then the workbook is written from it in openpyxl's write-only mode (`qinshang.sheets.StreamingBook`).
A million rows stay well under 500 MB resident (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from demands.columns import EXTRA, FIELDS, Field
from demands.models import Demand, Status, Task, TaskRole, TaskStatus
from demands.workflow import URGE_LEVELS
from qinshang import sheets

SHEET_TITLE = "问题台账"
MAPPING_SHEET = "字段对应"
YES, NO = "是", "否"
CHUNK = 2000

Values = dict[str, Any]
Line = tuple[Values, dict[str, Any]]  # a row's fields and its extra columns (header -> value)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _lead(tasks: list[Task]) -> Task | None:
    live = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    for pool in (live, tasks):
        leads = [t for t in pool if t.role == TaskRole.LEAD]
        if leads:
            return leads[-1]  # the latest: a re-registered item's current 主办
    return None


def row_values(d: Demand, tasks: list[Task]) -> Values:
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
    values: Values = {
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
        "merged_into": (d.merged_into.source_ref or d.merged_into.number)
        if d.merged_into
        else None,
        "source_ref": d.source_ref,
    }
    if d.source_ref:  # the number it came with stays its number; ours goes beside it
        values["number"], values["system_number"] = d.source_ref, d.number
        values["source_ref"] = None
    return values


class SheetOrigins:
    """The hook through which an app that imported items gives their export the sheet's own
    words. One instance per export; the base contributes nothing.

    - `related`: what `select_related` needs for `lines` (one query however many rows);
    - `lines(d, values, masked)`: the rows of `d` (earlier registrations first, then `values`,
      possibly rewritten in the sheet's words), each with its extra columns;
    - `names()`: field key -> how often each header named it (the most common is the column's);
    - `layout()`: the sheet's column order to follow, if any.
    """

    related: tuple[str, ...] = ()

    def lines(self, d: Demand, values: Values, masked: bool) -> list[Line]:
        return [(values, d.extra or {})]

    def names(self) -> Mapping[str, Counter[str]]:
        return {}

    def layout(self) -> list[str]:
        return []


# Registered by the import app (a higher room) from its ready().
ORIGINS: list[type[SheetOrigins]] = []


# Columns an export leaves out when no row has a value: they exist for sheets that carry them.
_ONLY_IF_USED = {"category_l3", "responded", "source_ref", "system_number"}
_FORMATS = {"datetime": sheets.DATETIME, "date": sheets.DATE}
_KEYS = [f.key for f in FIELDS]


def _extra_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class _Spool:
    """Rows parked in a temporary file between reading the ledger and writing the sheet."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile()
        self.count = 0

    def add(self, values: Values, extra: dict[str, Any]) -> None:
        row = [values.get(k) for k in _KEYS]
        self.file.write(pickle.dumps((row, extra or None), protocol=pickle.HIGHEST_PROTOCOL))
        self.count += 1

    def __iter__(self) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        self.file.seek(0)
        for _ in range(self.count):
            row, extra = pickle.load(self.file)
            yield row, extra or {}

    def close(self) -> None:
        self.file.close()


def write_ledger(
    queryset: QuerySet[Demand],
    out: str | IO[bytes],
    mask: Callable[[Demand], Demand] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
) -> int:
    """The demands of `queryset`, in its order, as an .xlsx ledger written to `out` (a path or a
    binary file); returns the number of data rows.

    `mask` (demands.privacy.masker) hides the contact details the reader may not see in full.
    `progress(n)` is called after every `chunk_size` demands read, with the count so far.

    One query for the demands and one per chunk for their tasks. Fields the ledger keeps in
    `Demand.extra` (columns of an imported sheet nobody mapped) follow as extra columns. A hidden
    sheet 字段对应 says which column is which field, so that reading it back needs no guessing.
    """
    origins = ORIGINS[-1]() if ORIGINS else SheetOrigins()
    qs = queryset.select_related(
        "category",
        "category__parent",
        "enterprise",
        "lead_department",
        "liaison",
        "merged_into",
        *origins.related,
    ).prefetch_related(
        Prefetch(
            "tasks", queryset=Task.objects.select_related("department").order_by("-role", "id")
        )
    )
    spool = _Spool()
    try:
        extra_keys: dict[str, None] = {}
        used: set[str] = set()
        read = 0
        for d in qs.iterator(chunk_size=chunk_size):
            if mask is not None:
                d = mask(d)
            masked = bool(getattr(d, "contact_masked", False))
            built = row_values(d, list(d.tasks.all()))
            for values, extra in origins.lines(d, built, masked):
                spool.add(values, extra)
                used.update(k for k in _ONLY_IF_USED if values.get(k))
                for k in extra:
                    if k != "专属服务员":
                        extra_keys.setdefault(str(k), None)
            read += 1
            if progress is not None and read % chunk_size == 0:
                progress(read)
        fields = [f for f in FIELDS if f.key not in _ONLY_IF_USED or f.key in used]
        titles = _titles(fields, origins.names(), extra_keys)
        extras = [k for k in extra_keys if k not in set(titles.values())]
        layout = origins.layout()
        place = {h: i for i, h in enumerate(layout)}
        order = {f.key: i for i, f in enumerate(FIELDS)}
        fields.sort(key=lambda f: (place.get(titles[f.key], 10_000), order[f.key]))
        if layout:
            extras.sort(key=lambda k: place.get(k, 10_000))
        _write(out, fields, titles, extras, spool)
        return spool.count
    finally:
        spool.close()


def export_ledger(
    queryset: QuerySet[Demand], mask: Callable[[Demand], Demand] | None = None
) -> bytes:
    """`write_ledger` into memory, for an export small enough to answer at once."""
    buf = io.BytesIO()
    write_ledger(queryset, buf, mask)
    return buf.getvalue()


def _titles(
    fields: list[Field], names: Mapping[str, Counter[str]], extra_keys: Mapping[str, None]
) -> dict[str, str]:
    """Each field's column name: the imported sheets' own name where they give one (those fields
    first, so that our default name of another field never takes it), else ours."""
    titles: dict[str, str] = {}
    taken: set[str] = set()
    for f in sorted(fields, key=lambda f: not names.get(f.key)):
        own = names[f.key].most_common(1) if names.get(f.key) else []
        options = [own[0][0]] if own else []
        # When an imported sheet's own columns took every name of ours, the column is still
        # named in Chinese for the people reading it (the key stays in the 字段对应 sheet).
        options += [f.header, *f.synonyms, f"{f.header}（本系统）"]
        options += [f"{f.header}（本系统{i}）" for i in range(2, len(fields) + len(extra_keys) + 3)]
        title = next(t for t in options if t not in taken and t not in extra_keys)
        titles[f.key] = title
        taken.add(title)
    return titles


def _write(
    out: str | IO[bytes],
    fields: list[Field],
    titles: dict[str, str],
    extras: list[str],
    spool: _Spool,
) -> None:
    book = sheets.StreamingBook()
    headers = [sheets.Header(titles[f.key], f.width, _FORMATS.get(f.kind)) for f in fields]
    headers += [sheets.Header(k, 14) for k in extras]
    at = [_KEYS.index(f.key) for f in fields]
    seq = _KEYS.index("seq")

    def lines() -> Iterator[list[Any]]:
        for n, (row, extra) in enumerate(spool, start=1):
            row[seq] = n
            yield [row[i] for i in at] + [_extra_value(extra.get(k)) for k in extras]

    book.table(SHEET_TITLE, headers, lines(), style=sheets.LIGHT, freeze="C2")
    book.table(
        MAPPING_SHEET,
        [sheets.Header("表中的列", 20), sheets.Header("字段", 16)],
        [[titles[f.key], f.key] for f in fields] + [[k, EXTRA] for k in extras],
        freeze=None,
        hidden=True,
    )
    book.save(out)
