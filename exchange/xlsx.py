"""Ledger sheets as the importer knows them: `SheetOrigins` gives the ledger's one export
(`demands.workbook.write_ledger`) an imported item's own words and column names; `read_sheet`
reads any organisation's ledger for the importer.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings

from demands import workbook
from demands.columns import BY_KEY, MAP_TARGETS
from demands.models import Demand, Status
from demands.workbook import MAPPING_SHEET, NO, YES, export_ledger
from exchange import parse
from exchange.mapping import Profile, Profiler
from exchange.models import SheetOrigin
from qinshang import sheets
from qinshang.errors import InvalidInput

UNREADABLE = parse.UNREADABLE
__all__ = [
    "LedgerSheet",
    "SheetOrigins",
    "export_ledger",
    "read_sheet",
    "read_sheet_with_mapping",
]


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


def import_limits() -> sheets.Limits:
    """The ledger import streams its rows (read-only parse, batches), so a city's sheet of a few
    hundred thousand rows is within reach; the bomb checks (ratio, entries) stay as they are."""
    return sheets.limits(
        rows=int(getattr(settings, "LEDGER_IMPORT_MAX_ROWS", 300_000)),
        cells=int(getattr(settings, "LEDGER_IMPORT_MAX_CELLS", 20_000_000)),
        uncompressed=int(
            getattr(settings, "LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
        ),
    )


HEAD_ROWS = 10


class LedgerSheet:
    """A ledger workbook read as a stream: `scan()` reads it once for its headers, the number of
    its rows and the profile of each column (bounded: `mapping.Profile`); `rows()` reads it
    again, row by row, each time from the file, so no row is held longer than its batch.

    Headers as `qinshang.sheets.table_of` finds them (the first of the first ten non-empty rows
    that fills most of them; unnamed and repeated columns named), the hidden 字段对应 sheet of
    our own export read for the mapping it states."""

    def __init__(self, data: bytes, sheet: str | None = None) -> None:
        self.data = data
        self.sheet = sheet
        self.fingerprint = hashlib.sha256(data).hexdigest()
        self.headers: list[str] = []
        self.embedded: dict[str, str] = {}
        self.count = 0
        self.profiles: list[Profile] = []
        self._head_row = 0  # the sheet row of the headers

    def _open(self) -> Any:
        return sheets.open_workbook(self.data, unreadable=UNREADABLE, lim=import_limits())

    def _worksheet(self, wb: sheets.Book) -> Any:
        if self.sheet and self.sheet not in wb.sheetnames:
            raise InvalidInput(
                f"工作簿中没有名为“{self.sheet}”的工作表（有：{'、'.join(wb.sheetnames)}）",
                field="file",
            )
        if self.sheet:
            return wb[self.sheet]
        return next(
            (w for w in wb.worksheets if (w.max_row or 0) > 1 and w.title != MAPPING_SHEET),
            wb.worksheets[0],
        )

    @staticmethod
    def _filled(wb: sheets.Book, ws: Any) -> Iterator[tuple[int, list[Any]]]:
        return ((n, r) for n, r in wb.rows(ws) if any(not _blank(v) for v in r))

    def scan(self) -> LedgerSheet:
        with self._open() as wb:
            ws = self._worksheet(wb)
            stream = self._filled(wb, ws)
            first = []
            for item in stream:
                first.append(item)
                if len(first) == HEAD_ROWS:
                    break
            if not first:
                return self
            headers, _ = sheets.table_of(first)
            width = len(headers)
            head_at = sheets.head_index(first)
            self._head_row = first[head_at][0]
            profiler = Profiler(width)
            for _, r in first[head_at + 1 :]:
                profiler.add(r)
                self.count += 1
            for _, r in stream:
                profiler.add(r)
                self.count += 1
            self.profiles = profiler.profiles
            for i in range(width, len(self.profiles)):  # a row wider than the header row
                headers.append(f"第{i + 1}列")
            self.headers = headers
            if MAPPING_SHEET in wb.sheetnames and ws.title != MAPPING_SHEET:
                for _, r in list(wb.rows(wb[MAPPING_SHEET]))[1:]:
                    if len(r) >= 2 and not _blank(r[0]) and str(r[1]) in MAP_TARGETS:
                        self.embedded[str(r[0]).strip()] = str(r[1])
        return self

    def rows(self, after: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """The data rows (sheet row number, cells padded to the headers) after sheet row
        `after`."""
        width = len(self.headers)
        with self._open() as wb:
            for n, r in self._filled(wb, self._worksheet(wb)):
                if n <= max(after, self._head_row):
                    continue
                yield n, (r + [None] * (width - len(r)))[:width]
