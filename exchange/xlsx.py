"""Ledger sheets as the importer knows them: `SheetOrigins` gives the ledger's one export
(`demands.workbook.write_ledger`) an imported item's own words and column names; `read_sheet`
reads any organisation's ledger for the importer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from demands import workbook
from demands.columns import BY_KEY, MAP_TARGETS
from demands.models import Demand, Status
from demands.workbook import MAPPING_SHEET, NO, YES, export_ledger
from exchange import parse
from exchange.models import SheetOrigin
from qinshang import sheets
from qinshang.errors import InvalidInput

UNREADABLE = parse.UNREADABLE
__all__ = ["SheetOrigins", "export_ledger", "read_sheet", "read_sheet_with_mapping"]


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


class SheetOrigins(workbook.SheetOrigins):
    """Registered with `demands.workbook.ORIGINS` (exchange.apps): an imported item keeps in the
    ledger's export the sheet's column names, its own number (编号; ours is 系统编号), its words
    for each judgement, and its earlier registrations as rows of their own, so exporting and
    importing again gives the same items and figures. The rows themselves are the ledger's."""

    related = ("sheet_origin",)

    def __init__(self) -> None:
        self._names: dict[str, Counter[str]] = defaultdict(Counter)
        self._layouts: Counter[tuple[str, ...]] = Counter()

    def lines(self, d: Demand, values: workbook.Values, masked: bool) -> list[workbook.Line]:
        origin = _origin(d)
        if origin is None:
            return [(values, d.extra or {})]
        for key, header in (origin.headers or {}).items():
            self._names[key][header] += 1
        self._layouts[tuple(origin.columns or ())] += 1
        out: list[workbook.Line] = []
        for cells in origin.versions or []:
            earlier, extra = _version_values(cells, origin)
            if masked:  # an earlier registration's contact details are masked alike
                for key in ("requester_name", "requester_phone"):
                    if earlier.get(key):
                        earlier[key] = getattr(d, key)
            out.append((earlier, extra))
        out.append((_with_origin(d, values, origin), d.extra or {}))
        return out

    def names(self) -> Mapping[str, Counter[str]]:
        return self._names

    def layout(self) -> list[str]:
        return list(self._layouts.most_common(1)[0][0]) if self._layouts else []


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

    The header row, unnamed and repeated columns as `qinshang.sheets.read_sheet`; a hidden sheet
    字段对应 (our own export's) says which column is which field.
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
    headers, rows = sheets.table_of(raw)
    return headers, rows, embedded if headers else {}


_blank = sheets.is_blank
