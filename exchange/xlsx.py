"""Ledger sheets: `export_ledger` writes what a ledger page has filtered as an .xlsx in the layout
parks use; `read_sheet` reads any organisation's ledger for the importer.

`export_ledger` does not scope: it renders the queryset it is given, which callers build from
`demands.access.visible_demands` (and the ledger filters) so an export holds exactly what the user
may see.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from demands.columns import BY_KEY, EXTRA, FIELDS, MAP_TARGETS, Field
from demands.models import Demand, Status, Task, TaskRole, TaskStatus
from demands.workflow import URGE_LEVELS
from exchange import parse
from exchange.models import SheetOrigin
from qinshang import sheets
from qinshang.errors import InvalidInput

SHEET_TITLE = "问题台账"
YES, NO = "是", "否"
UNREADABLE = parse.UNREADABLE


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


def row_values(d: Demand, tasks: list[Task]) -> dict[str, Any]:
    """The ledger's fields for one demand, keyed as in `exchange.columns.FIELDS`."""
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
        "merged_into": (d.merged_into.source_ref or d.merged_into.number)
        if d.merged_into
        else None,
        "source_ref": d.source_ref,
    }


# Columns an export leaves out when no row has a value: they exist for sheets that carry them.
_ONLY_IF_USED = {"category_l3", "responded", "source_ref", "system_number"}
_FORMATS = {"datetime": sheets.DATETIME, "date": sheets.DATE}
MAPPING_SHEET = "字段对应"


def _origin(d: Demand) -> SheetOrigin | None:
    try:
        return d.sheet_origin
    except SheetOrigin.DoesNotExist:
        return None


def _ours(d: Demand, key: str, origin: SheetOrigin) -> Any:
    """The ledger's current value of a field the sheet wrote in its own words."""
    if key == "closed_flag":
        return d.status == Status.CLOSED
    if key == "is_legacy":
        return d.is_legacy
    if key == "urge_level":
        return str(d.urge_level)
    if key == "responded":
        return origin.parsed.get(key)  # the sheet's judgement: the ledger has no field for it
    return getattr(d, key, None)


def _default_reading(key: str, word: str) -> Any:
    try:
        if BY_KEY[key].kind == "bool":
            return parse.yes_no(word)
        return parse.choice(key, word)
    except parse.CellError:
        return object()  # equal to nothing


def _with_origin(d: Demand, values: dict[str, Any], origin: SheetOrigin) -> dict[str, Any]:
    """The current row as the sheet it came from wrote it: its own word wherever that word
    still reads as the ledger's value (so a re-import reads the same), nothing where the sheet
    had nothing and the ledger had to fill a value in."""
    for key in origin.unknown:
        values[key] = None
    for key, word in (origin.raw or {}).items():
        ours = _ours(d, key, origin)
        if _default_reading(key, word) == ours:
            values[key] = word
        elif key == "responded":
            values[key] = None if ours is None else (YES if ours else NO)
    return values


def _version_values(cells: dict[str, Any], origin: SheetOrigin) -> tuple[dict[str, Any], dict]:
    by_header = {h: k for k, h in (origin.headers or {}).items()}
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for header, value in cells.items():
        key = by_header.get(header)
        if key is None:
            extra[header] = value
        elif key != "seq":
            values[key] = value
    return values, extra


def export_ledger(
    queryset: QuerySet[Demand], mask: Callable[[Demand], Demand] | None = None
) -> bytes:
    """Registered with `demands.workbook.EXPORTERS` (exchange.apps), so the ledger's own export
    is this one. The demands of `queryset`, in its order, as an .xlsx ledger (bytes).

    `mask` (demands.privacy.masker) hides the contact details the reader may not see in full.

    One query for the demands and one for their tasks, however many rows. Fields the ledger keeps
    in `Demand.extra` (columns of an imported sheet nobody mapped) follow as extra columns. An
    imported item keeps the sheet's column names, its own number (编号; ours is 系统编号), its
    words for each judgement, and its earlier registrations as rows of their own, so exporting
    and importing again gives the same items and figures. A hidden sheet 字段对应 says which
    column is which field, so that reading it back needs no guessing.
    """
    qs = queryset.select_related(
        "category",
        "category__parent",
        "enterprise",
        "lead_department",
        "liaison",
        "merged_into",
        "sheet_origin",
    ).prefetch_related(
        Prefetch(
            "tasks", queryset=Task.objects.select_related("department").order_by("-role", "id")
        )
    )
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    extra_keys: dict[str, None] = {}
    names: dict[str, Counter[str]] = defaultdict(Counter)
    layouts: Counter[tuple[str, ...]] = Counter()
    for d in qs.iterator(chunk_size=2000):
        start = len(rows)
        origin = _origin(d)
        masked = False
        if mask is not None:
            shown = mask(d)
            masked, d = shown is not d, shown
        values = row_values(d, list(d.tasks.all()))
        if d.source_ref:  # the number it came with stays its number; ours goes beside it
            values["number"], values["system_number"] = d.source_ref, d.number
            values["source_ref"] = None
        if origin is not None:
            for key, header in (origin.headers or {}).items():
                names[key][header] += 1
            layouts[tuple(origin.columns or ())] += 1
            for cells in origin.versions or []:
                earlier, extra = _version_values(cells, origin)
                if masked:  # an earlier registration's contact details are masked alike
                    for key in ("requester_name", "requester_phone"):
                        if earlier.get(key):
                            earlier[key] = getattr(d, key)
                rows.append((earlier, extra))
            values = _with_origin(d, values, origin)
        rows.append((values, d.extra or {}))
        for _, extra in rows[start:]:
            for k in extra:
                if k != "专属服务员":
                    extra_keys.setdefault(str(k), None)
    fields = [f for f in FIELDS if f.key not in _ONLY_IF_USED or any(r[0].get(f.key) for r in rows)]
    titles: dict[str, str] = {}
    taken: set[str] = set()
    # The sheet's own name for a field where the imported rows give one (those fields first, so
    # that our default name of another field never takes it).
    for f in sorted(fields, key=lambda f: not names[f.key]):
        own = names[f.key].most_common(1)
        options = [own[0][0]] if own else []
        options += [f.header, *f.synonyms, f"{f.header}（{f.key}）"]
        title = next(t for t in options if t not in taken and t not in extra_keys)
        titles[f.key] = title
        taken.add(title)
    extras = [k for k in extra_keys if k not in taken]
    layout = list(layouts.most_common(1)[0][0]) if layouts else []
    place = {h: i for i, h in enumerate(layout)}
    order = {f.key: i for i, f in enumerate(FIELDS)}
    fields.sort(key=lambda f: (place.get(titles[f.key], 10_000), order[f.key]))
    if layout:
        extras.sort(key=lambda k: place.get(k, 10_000))
    return _write(fields, titles, extras, rows)


def _extra_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write(
    fields: list[Field],
    titles: dict[str, str],
    extras: list[str],
    rows: Iterable[tuple[dict[str, Any], dict[str, Any]]],
) -> bytes:
    wb, ws = sheets.new_workbook(SHEET_TITLE)
    headers = [sheets.Header(titles[f.key], f.width, _FORMATS.get(f.kind)) for f in fields]
    headers += [sheets.Header(k, 14) for k in extras]

    def lines() -> Iterable[list[Any]]:
        for n, (values, extra) in enumerate(rows, start=1):
            values = {**values, "seq": n}
            yield [values.get(f.key) for f in fields] + [_extra_value(extra.get(k)) for k in extras]

    sheets.write_table(ws, headers, lines(), style=sheets.LIGHT, freeze="C2")
    key_ws = wb.create_sheet(MAPPING_SHEET)
    sheets.write_table(
        key_ws,
        [sheets.Header("表中的列", 20), sheets.Header("字段", 16)],
        [[titles[f.key], f.key] for f in fields] + [[k, EXTRA] for k in extras],
        freeze=None,
    )
    key_ws.sheet_state = "hidden"
    return sheets.to_bytes(wb)


# --------------------------------------------------------------------------- reading


def read_sheet(
    data: bytes, sheet: str | None = None
) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    headers, rows, _ = read_sheet_with_mapping(data, sheet)
    return headers, rows


def read_sheet_with_mapping(
    data: bytes, sheet: str | None = None
) -> tuple[list[str], list[tuple[int, list[Any]]], dict[str, str]]:
    """Headers and data rows (with their row number in the sheet) of a ledger workbook: the named
    sheet, or the first that holds data. Raises InvalidInput for a file that is not a workbook,
    a missing sheet, or one over the limits of `qinshang.sheets` (checked before parsing).

    Many ledgers put a title row ("某某园区企业诉求台账") and a blank row above the headers: the
    header row is the first of the first ten rows that fills most of the columns. Rows that are
    entirely empty (or hold only empty strings) are dropped.
    """
    with sheets.open_workbook(data, unreadable=UNREADABLE) as wb:
        if sheet and sheet not in wb.sheetnames:
            raise InvalidInput(
                f"工作簿中没有名为“{sheet}”的工作表（有：{'、'.join(wb.sheetnames)}）", field="file"
            )
        ws = (
            wb[sheet]
            if sheet
            else next(
                (w for w in wb.worksheets if (w.max_row or 0) > 1 and w.title != MAPPING_SHEET),
                wb.worksheets[0],
            )
        )
        raw = [(n, r) for n, r in wb.rows(ws) if any(not _blank(v) for v in r)]
        embedded: dict[str, str] = {}
        if MAPPING_SHEET in wb.sheetnames and ws.title != MAPPING_SHEET:
            for _, r in list(wb.rows(wb[MAPPING_SHEET]))[1:]:
                if len(r) >= 2 and not _blank(r[0]) and str(r[1]) in MAP_TARGETS:
                    embedded[str(r[0]).strip()] = str(r[1])
    if not raw:
        return [], [], {}
    width = max(len(r) for _, r in raw)
    head_at = 0
    for i, (_, r) in enumerate(raw[:10]):
        if sum(not _blank(v) for v in r) >= max(2, width // 2):
            head_at = i
            break
    headers = ["" if _blank(v) else str(v).strip() for v in raw[head_at][1]]
    headers += [""] * (width - len(headers))
    # Unnamed columns get a name so their content can still be kept.
    headers = [h or f"第{i + 1}列" for i, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):  # two columns called 备注: the second becomes 备注（2）
        seen[h] = seen.get(h, 0) + 1
        if seen[h] > 1:
            headers[i] = f"{h}（{seen[h]}）"
    rows = [(n, r + [None] * (width - len(r))) for n, r in raw[head_at + 1 :]]
    return headers, rows, embedded


_blank = sheets.is_blank
