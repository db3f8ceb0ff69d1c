"""The one sheet toolkit: every workbook Qinshang writes and every uploaded .xlsx it reads.

A low room: it knows openpyxl, Django settings and `qinshang.errors`, nothing of the domain apps.

**Writing.** `write_table` puts a styled header row (fill, font, widths), the rows, freeze panes and
a filter on a sheet; every value goes through `cell`. Numbers, dates and booleans stay what they
are (a negative amount is still a number). Every string is written as a string cell
(`data_type` "s", an inline string), never as a formula or an error code: openpyxl on its own turns
any string starting with "=" into a formula and "#N/A" into an error, so a demand titled
`=HYPERLINK("http://…","查看附件")` became a live link in the dispatcher's export. A string that
starts with "=", "+", "-", "@", a tab or a carriage return (OWASP's list; their full-width
forms, which a Chinese IME types, are covered too since it costs nothing) also gets the *quote
prefix* cell style: the flag Excel sets when someone types `'=1`. Its text stays exactly what the
user wrote (an export imported again gives back the same title), and if someone later opens the
cell for editing and presses Enter, the program keeps it as text instead of re-reading it as a
formula. Prefixing an apostrophe to the value, as OWASP recommends for CSV, would change the data
in a typed format that does not need it; `csv_cell` does it for CSV, which has no types.

**Reading.** `open_workbook` refuses an upload before openpyxl parses anything when the zip is a
bomb: too many entries, too much uncompressed data in total, an entry compressed far better than
any real sheet, or a worksheet whose declared dimension has too many rows, columns or cells. The
sizes come from the zip's central directory, and Python's zipfile never inflates an entry beyond
the size it declares (it stops and reports a bad CRC), so a lying header cannot get past them.
Then openpyxl reads in read-only mode, and `Book.rows` counts rows and cells as they stream, for
sheets without a dimension or with a wrong one. The limits are settings (`SHEET_MAX_*`).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import IO, Any, TypeVar

from django.conf import settings
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from qinshang.errors import InvalidInput, ServiceError
from qinshang.validators import to_halfwidth

# --------------------------------------------------------------------------- safe cells

# What spreadsheet programs read as the start of a formula (OWASP's list), and the full-width
# forms a Chinese IME types.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# openpyxl refuses the control characters XML forbids (all below 32 but tab and line breaks);
# a hotline's free text sometimes carries them.
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}


def clean_text(text: str) -> str:
    """`text` without the control characters a worksheet cannot hold."""
    return text.translate(_ILLEGAL)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def cell(ws: Worksheet, value: Any, number_format: str | None = None) -> Any:
    """`value` ready for `ws.append`: a string as a string cell (quote-prefixed when it could be
    read as a formula), control characters dropped, an empty string as an empty cell; other
    values as they are, with `number_format` when given."""
    if isinstance(value, str):
        value = clean_text(value) or None
    if isinstance(value, str):
        c = Cell(ws, value=value)
        c.data_type = "s"  # not "f" (a leading "=") nor "e" ("#N/A", "#REF!")
        if looks_like_formula(value):
            c.quotePrefix = True
    elif number_format is not None:
        c = Cell(ws, value=value)
    else:
        return value
    if number_format is not None:
        c.number_format = number_format
    return c


# A leading "+" is left out: Excel reads "+1" typed or imported from CSV as the formula =+1.
_CSV_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """`value` for a CSV file: text that a spreadsheet would run as a formula gets a leading
    apostrophe (OWASP); numbers, and text that is just a negative or decimal number such as
    "-12.5", stay as they are because a spreadsheet reads them as a number, never as a formula."""
    if not isinstance(value, str):
        return value
    head = value.lstrip(" ")
    if looks_like_formula(head) and not _CSV_NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


# --------------------------------------------------------------------------- styled workbooks


@dataclass(frozen=True)
class HeaderStyle:
    fill: PatternFill
    font: Font
    alignment: Alignment


# The ledger's light blue header (the layout parks' own ledgers use) and the dark one of the
# liaison and visit sheets.
LIGHT = HeaderStyle(
    PatternFill("solid", fgColor="DDEBF7"),
    Font(bold=True),
    Alignment(horizontal="center", vertical="center", wrap_text=True),
)
DARK = HeaderStyle(
    PatternFill("solid", fgColor="1F4E8C"),
    Font(bold=True, color="FFFFFF"),
    Alignment(vertical="center", wrap_text=True),
)
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class Header:
    title: str
    width: float = 14
    number_format: str | None = None


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    return wb, ws


def write_table(
    ws: Worksheet,
    headers: Sequence[Header | tuple[str, float]],
    rows: Iterable[Sequence[Any]],
    *,
    style: HeaderStyle = DARK,
    freeze: str | None = "B2",
) -> int:
    """A header row in `style` with each column's width, then `rows` through `cell` (with the
    column's number format), frozen at `freeze` and filtered when there are rows. Header texts
    are safe cells too: some come from users (question texts, an imported sheet's columns).
    Returns the number of rows written."""
    heads = [h if isinstance(h, Header) else Header(h[0], h[1]) for h in headers]
    ws.append([cell(ws, h.title) for h in heads])
    for j, h in enumerate(heads, start=1):
        c = ws.cell(row=1, column=j)
        c.fill, c.font, c.alignment = style.fill, style.font, style.alignment
        ws.column_dimensions[get_column_letter(j)].width = h.width
    formats = [h.number_format for h in heads]
    n = 0
    for row in rows:
        ws.append(
            [cell(ws, v, formats[j] if j < len(formats) else None) for j, v in enumerate(row)]
        )
        n += 1
    if freeze:
        ws.freeze_panes = freeze
    if n:
        ws.auto_filter.ref = ws.dimensions
    return n


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- streamed workbooks

# What openpyxl, given a plain string, would not write as a string cell: a formula (a leading
# "=") or an error code.
_NOT_PLAIN = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))


def stream_cell(ws: Any, value: Any, number_format: str | None = None) -> Any:
    """`cell` for a write-only sheet, with the same rules (every string a string cell, one that
    could be read as a formula quote-prefixed, control characters dropped, "" as empty). A plain
    string that openpyxl writes as a string cell anyway is passed as it is, so that a million
    rows do not build a million styled cells."""
    if isinstance(value, str):
        value = clean_text(value) or None
        if value is None:
            return None
        if not looks_like_formula(value) and value not in _NOT_PLAIN:
            return value
        c = Cell(ws, row=1, column=1, value=value)
        c.data_type = "s"
        if looks_like_formula(value):
            c.quotePrefix = True
    elif number_format is not None and value is not None:
        c = Cell(ws, row=1, column=1, value=value)
    else:
        return value
    if number_format is not None:
        c.number_format = number_format
    return c


class StreamingBook:
    """A workbook written in openpyxl's write-only mode: each row goes to a temporary file as it
    is appended, so memory stays flat however many rows (the ledger export of a whole city).
    Sheets are written one after another; each keeps `write_table`'s header style, widths,
    freeze panes and filter, and every value goes through `stream_cell`."""

    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)

    def table(
        self,
        title: str,
        headers: Sequence[Header | tuple[str, float]],
        rows: Iterable[Sequence[Any]],
        *,
        style: HeaderStyle = DARK,
        freeze: str | None = "B2",
        hidden: bool = False,
    ) -> int:
        """A sheet called `title`: the header row, then `rows`. Returns the rows written."""
        ws = self.wb.create_sheet(title)
        heads = [h if isinstance(h, Header) else Header(h[0], h[1]) for h in headers]
        for j, h in enumerate(heads, start=1):
            ws.column_dimensions[get_column_letter(j)].width = h.width
        if freeze:
            ws.freeze_panes = freeze
        if hidden:
            ws.sheet_state = "hidden"
        top = []
        for j, h in enumerate(heads, start=1):
            c = Cell(ws, row=1, column=j, value=clean_text(h.title) or None)
            c.data_type = "s"
            if looks_like_formula(h.title):
                c.quotePrefix = True
            c.fill, c.font, c.alignment = style.fill, style.font, style.alignment
            top.append(c)
        ws.append(top)
        formats = [h.number_format for h in heads]
        width = len(formats)
        n = 0
        for row in rows:
            ws.append(
                [stream_cell(ws, v, formats[j] if j < width else None) for j, v in enumerate(row)]
            )
            n += 1
        if n and heads:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{n + 1}"
        return n

    def save(self, out: str | IO[bytes]) -> None:
        self.wb.save(out)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()


# --------------------------------------------------------------------------- reading cells

_HEADER_NOISE = re.compile(r"[\s*:]+")


def normalise_header(header: object) -> str:
    """A header as compared: full-width folded (NFKC), no spaces, line breaks, stars or colons,
    "、" as "/", lower case; "（单位）" and "(单位)" compare equal."""
    text = "" if header is None else to_halfwidth(str(header))
    return _HEADER_NOISE.sub("", text).replace("、", "/").lower()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: "" for a blank one, a phone number or code Excel turned into a float
    without its ".0", a date and time as "2026-03-02 10:00:00" (the time left off at midnight)."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
    return str(value).strip()


# --------------------------------------------------------------------------- safe opening

UNREADABLE = "无法读取该文件：请上传 Excel 2007 及以上格式（.xlsx）的表格"
# Entries smaller than this are not held to the ratio: tiny parts compress oddly well.
RATIO_FLOOR = 1024 * 1024
_DIMENSION = re.compile(
    rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"'
)
_WORKSHEET = re.compile(rb"<(?:[\w.-]+:)?(?:worksheet|sheetData)\b")
_ROW = re.compile(rb'<(?:[\w.-]+:)?row\b(?:[^>]*?\sr="(\d{1,9})")?')
# Excel, WPS, LibreOffice and openpyxl write the dimension within the first few hundred bytes; a
# sheet that hides it deeper is still bounded by the counts in `Book.rows`.
_PEEK = 8192


@dataclass(frozen=True)
class Limits:
    uncompressed: int  # bytes, all entries together
    ratio: int  # uncompressed : compressed, per entry above RATIO_FLOOR
    entries: int
    rows: int
    columns: int
    cells: int  # rows × columns a sheet declares, or that openpyxl yields while reading


def limits(**overrides: int | None) -> Limits:
    base = Limits(
        uncompressed=getattr(settings, "SHEET_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024),
        ratio=getattr(settings, "SHEET_MAX_RATIO", 100),
        entries=getattr(settings, "SHEET_MAX_ENTRIES", 1000),
        rows=getattr(settings, "SHEET_MAX_ROWS", 100_000),
        columns=getattr(settings, "SHEET_MAX_COLUMNS", 1000),
        cells=getattr(settings, "SHEET_MAX_CELLS", 5_000_000),
    )
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def _mb(n: int) -> str:
    return f"{n / 1048576:.0f} MB" if n >= 1048576 else f"{n / 1024:.0f} KB"


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")


def _shape_message(lim: Limits, rows: int, cols: int, too_many_rows: str | None) -> str | None:
    if rows > lim.rows:
        return too_many_rows or f"表格有 {rows} 行，超过一次最多 {lim.rows} 行的上限，请分批导入"
    if cols > lim.columns:
        return f"表格有 {cols} 列，超过 {lim.columns} 列的上限，请删除多余的列后再上传"
    if rows * cols > lim.cells:
        return (
            f"表格有 {rows} 行 × {cols} 列，超过 {lim.cells} 个单元格的上限，"
            "请删除多余的行列或分批导入"
        )
    return None


def check_archive(
    data: bytes,
    lim: Limits | None = None,
    *,
    unreadable: str = UNREADABLE,
    too_many_rows: str | None = None,
) -> None:
    """Raise InvalidInput unless `data` is a zip within `lim` whose worksheets declare a size
    within `lim`. Reads only the central directory and the first bytes of each XML part."""
    lim = lim or limits()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(unreadable)
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.entries:
            raise _refuse(
                f"该文件内含 {len(infos)} 个部件，超过 {lim.entries} 个的上限，"
                "不是普通的 Excel 表格，已拒绝"
            )
        total = sum(i.file_size for i in infos)
        if total > lim.uncompressed:
            raise _refuse(
                f"该文件解压后有 {_mb(total)}，超过 {_mb(lim.uncompressed)} 的上限，"
                "请删除多余的行列、图片或分批导入"
            )
        for i in infos:
            if i.file_size > RATIO_FLOOR and i.file_size > lim.ratio * max(i.compress_size, 1):
                raise _refuse(
                    f"该文件的压缩比异常（约 {i.file_size // max(i.compress_size, 1)} 倍），"
                    "可能是恶意构造的“压缩炸弹”，已拒绝；请用 Excel 或 WPS 另存后再上传"
                )
        for i in infos:
            if i.is_dir() or posixpath.splitext(i.filename)[1].lower() != ".xml":
                continue
            try:
                with zf.open(i) as fh:
                    head = fh.read(_PEEK)
                    m = _DIMENSION.search(head)
                    if m:
                        _, _, max_col, max_row = range_boundaries(m.group(1).decode().upper())
                        rows, cols = max_row or 0, max_col or 0
                    elif _WORKSHEET.search(head):
                        # No dimension: openpyxl would parse the whole sheet just to size it.
                        rows, cols = _count_rows(head, fh), 0
                    else:
                        continue
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                NotImplementedError,
                RuntimeError,
            ):
                raise _refuse(unreadable)
            message = _shape_message(lim, rows, cols, too_many_rows)
            if message:
                raise _refuse(message)


def _count_rows(head: bytes, fh: IO[bytes]) -> int:
    """The rows a worksheet part holds: its row elements, or the highest row number one names
    (openpyxl yields the rows skipped before it). Inflates the part but parses nothing."""
    count = highest = 0
    carry = head
    while True:
        chunk = fh.read(1 << 20)
        buf = carry + chunk
        # A row tag that starts in the last bytes is counted in the next round, whole.
        end = max(len(buf) - 256, 0) if chunk else len(buf)
        for m in _ROW.finditer(buf):
            if m.start() >= end:
                break
            count += 1
            if m.group(1):
                highest = max(highest, int(m.group(1)))
        if not chunk:
            return max(count, highest)
        carry = buf[end:]


@dataclass
class Book:
    """An uploaded workbook opened by `open_workbook` (read-only openpyxl underneath)."""

    wb: Any
    limits: Limits
    unreadable: str
    too_many_rows: str | None

    @property
    def worksheets(self) -> list[Any]:
        return list(self.wb.worksheets)

    @property
    def sheetnames(self) -> list[str]:
        return list(self.wb.sheetnames)

    def __getitem__(self, name: str) -> Any:
        return self.wb[name]

    def rows(self, ws: Any) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values without trailing blanks) of every row of `ws`, refusing the sheet
        as soon as it streams more rows, columns or cells than the limits allow (a sheet without
        a dimension, a row that jumps to column XFD) or turns out to be damaged."""
        lim = self.limits
        cells = 0
        try:
            for n, raw in enumerate(ws.iter_rows(values_only=True), start=1):
                cells += len(raw)  # padding included: that is what openpyxl spent
                if cells > lim.cells:
                    raise _refuse(
                        f"表格超过 {lim.cells} 个单元格的上限，请删除多余的行列或分批导入"
                    )
                # count() runs in C: a padded empty row is thousands of Nones.
                width = 0 if raw.count(None) + raw.count("") == len(raw) else len(raw)
                while width and (raw[width - 1] is None or raw[width - 1] == ""):
                    width -= 1
                if n > lim.rows or width > lim.columns:
                    raise _refuse(
                        _shape_message(lim, n, width, self.too_many_rows) or self.unreadable
                    )
                values = list(raw[:width])
                yield n, values
        except InvalidInput:
            raise
        except Exception:  # a truncated or corrupt part: zipfile, the XML parser, openpyxl
            raise _refuse(self.unreadable)


@contextmanager
def open_workbook(
    data: bytes,
    *,
    max_rows: int | None = None,
    unreadable: str = UNREADABLE,
    too_many_rows: str | None = None,
    lim: Limits | None = None,
) -> Iterator[Book]:
    """An uploaded .xlsx, checked by `check_archive` and opened read-only with cached values
    (formulas are never evaluated). `max_rows` tightens the SHEET_MAX_ROWS setting; `lim`
    replaces the limits for an import that streams its rows (the ledger's)."""
    if lim is None:
        lim = limits(rows=min(max_rows, limits().rows) if max_rows else None)
    check_archive(data, lim, unreadable=unreadable, too_many_rows=too_many_rows)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise _refuse(unreadable)
    try:
        yield Book(wb, lim, unreadable, too_many_rows)
    finally:
        wb.close()


def read_sheet(
    data: bytes, sheet: str | None = None, *, unreadable: str = UNREADABLE
) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headers and data rows (with their row number in the sheet) of an uploaded workbook whose
    columns the caller recognises afterwards: the named sheet, or the first that holds data.
    Raises InvalidInput for a file that is not a workbook, a missing sheet, or one over the
    limits (checked before parsing).

    Many sheets put a title row ("某某园区企业诉求台账") and a blank row above the headers: the
    header row is the first of the first ten rows that fills most of the columns. Rows that are
    entirely empty (or hold only empty strings) are dropped. Unnamed columns are called 第N列 and
    a repeated header gets its count (备注, 备注（2）), so every column keeps a name.
    """
    with open_workbook(data, unreadable=unreadable) as wb:
        if sheet and sheet not in wb.sheetnames:
            raise InvalidInput(
                f"工作簿中没有名为“{sheet}”的工作表（有：{'、'.join(wb.sheetnames)}）", field="file"
            )
        ws = (
            wb[sheet]
            if sheet
            else next((w for w in wb.worksheets if (w.max_row or 0) > 1), wb.worksheets[0])
        )
        raw = [(n, r) for n, r in wb.rows(ws) if any(not is_blank(v) for v in r)]
    return table_of(raw)


def head_index(raw: list[tuple[int, list[Any]]]) -> int:
    """Which of a sheet's first non-empty rows holds the headers (see `read_sheet`)."""
    width = max((len(r) for _, r in raw), default=0)
    for i, (_, r) in enumerate(raw[:10]):
        if sum(not is_blank(v) for v in r) >= max(2, width // 2):
            return i
    return 0


def table_of(
    raw: list[tuple[int, list[Any]]],
) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headers and data rows of a sheet's non-empty rows (see `read_sheet`)."""
    if not raw:
        return [], []
    width = max(len(r) for _, r in raw)
    head_at = head_index(raw)
    headers = ["" if is_blank(v) else str(v).strip() for v in raw[head_at][1]]
    headers += [""] * (width - len(headers))
    # Unnamed columns get a name so their content can still be kept.
    headers = [h or f"第{i + 1}列" for i, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):  # two columns called 备注: the second becomes 备注（2）
        seen[h] = seen.get(h, 0) + 1
        if seen[h] > 1:
            headers[i] = f"{h}（{seen[h]}）"
    rows = [(n, r + [None] * (width - len(r))) for n, r in raw[head_at + 1 :]]
    return headers, rows


# --------------------------------------------------------------------------- the import loop
#
# Every row-by-row import (市场主体名录, 联企干部名单, 企业档案数据 and 本地采购, 惠企政策 and
# 权责清单) is one loop:
#
#     index, ignored, body = read_rows(data, COLUMNS)                  # read-only parse
#     report = RowReport("entities", ignored_headers=ignored, dry_run=…, valid_only=…)
#     import_rows(body, index, report, check=check, write=write, columns_of=FIELD_COLUMN)
#
# `check(row)` validates one row (row.val(key), row.bad(column, message)) and returns what
# `write` needs, or None; `write(n, value)` writes one row in its own savepoint through the app's
# services (a ServiceError it raises refuses the row with its message); nothing is committed
# while any row is wrong unless `valid_only`; a dry run commits nothing. `report_workbook(report)`
# gives the row-by-row report as a sheet; `report.summary()` the outcome in a sentence (a
# subclass names its rows with `label`).

T = TypeVar("T")
R = TypeVar("R", bound="RowReport")
IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # what our export writes
    synonyms: tuple[str, ...] = ()
    required: bool = False
    width: int = 14

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行【{self.column}】{self.message}"


@dataclass
class RowReport:
    """What an import did or would do, row by row. `kind` names the sheet for the app."""

    kind: str
    total: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    dry_run: bool = False
    valid_only: bool = False
    committed: bool = False

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        """What a row is, in the report's words (an app's report names it)."""
        return "数据"

    def summary(self) -> str:
        """The outcome in one Chinese sentence: what was written, or why nothing was."""
        bad = len(self.bad_rows)
        if self.committed:
            done = (
                f"新增 {self.created} 行，更新 {self.updated} 行"
                if self.updated
                else f"{self.created} 行"
            )
            text = f"共 {self.total} 行，已导入{self.label} {done}"
            return text + (f"；{bad} 行有误未导入" if bad else "")
        if self.dry_run:
            return (
                f"试导入：共 {self.total} 行，{self.valid} 行可导入，{bad} 行有误；未写入任何数据"
            )
        return f"共 {self.total} 行，{bad} 行有误，未导入任何数据（可改正后重新导入，或只导入正确的行）"


def read_rows(
    data: bytes | IO[bytes],
    columns: Sequence[Column],
    *,
    max_rows: int = IMPORT_MAX_ROWS,
    max_bytes: int = IMPORT_MAX_BYTES,
) -> tuple[dict[str, int], list[str], list[tuple[int, list[str]]]]:
    """(column key -> index, ignored headers, [(sheet row number, cells as text)]) of the first
    sheet, read with `open_workbook` (checked, read-only). The header row is the one among the
    first ten that names the most known columns; wholly empty rows are left out."""
    raw = data if isinstance(data, bytes) else data.read()
    if len(raw) > max_bytes:
        raise InvalidInput(f"文件超过 {max_bytes // 1048576} MB", field="file")
    # Ten rows of title and header above the data are allowed on top of max_rows.
    with open_workbook(
        raw, max_rows=max_rows + 10, too_many_rows=f"一次最多导入 {max_rows} 行"
    ) as wb:
        rows = [(n, [cell_text(v) for v in r]) for n, r in wb.rows(wb.worksheets[0])]
    known = {normalise_header(name): c.key for c in columns for name in c.names}
    best: tuple[int, int] = (0, -1)
    for i, (_, cells) in enumerate(rows[:10]):
        hits = len({known[h] for h in map(normalise_header, cells) if h in known})
        if hits > best[0]:
            best = (hits, i)
    if best[1] < 0:
        wanted = "、".join(c.header for c in columns if c.required)
        raise InvalidInput(f"没有找到表头：前 10 行中没有“{wanted}”等列名", field="file")
    head_at = best[1]
    index: dict[str, int] = {}
    ignored = []
    for j, v in enumerate(rows[head_at][1]):
        key = known.get(normalise_header(v))
        if key and key not in index:
            index[key] = j
        elif v:
            ignored.append(v)
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        raise InvalidInput(f"表格缺少必需的列：{'、'.join(missing)}", field="file")
    body = [(n, cells) for n, cells in rows[head_at + 1 :] if any(cells)]
    return index, ignored, body


@dataclass
class Row:
    """One data row as `check` sees it."""

    n: int
    cells: list[str]
    index: dict[str, int]
    errors: list[RowError] = field(default_factory=list)

    def val(self, key: str) -> str:
        j = self.index.get(key)
        return self.cells[j].strip() if j is not None and j < len(self.cells) else ""

    def bad(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.n, column, message))


def import_rows(
    body: Iterable[tuple[int, list[str]]],
    index: dict[str, int],
    report: R,
    *,
    check: Callable[[Row], T | None],
    write: Callable[[int, T], None],
    columns_of: Mapping[str, str] | None = None,
) -> R:
    """Check every row, then write the valid ones, each in a savepoint, all in one transaction
    that is rolled back for a dry run, or when a row is wrong and not `report.valid_only`.

    `check` returning None without an error skips the row silently. A ServiceError that
    `write` raises (InvalidInput, Forbidden, …) refuses that row with its message, in the column
    `columns_of[error.field]` (or "—"). `write` counts what it did in `report.created` /
    `report.updated`; both are 0 again when nothing is committed."""
    todo: list[tuple[int, T]] = []
    for n, cells in body:
        report.total += 1
        row = Row(n, cells, index)
        value = check(row)
        if row.errors:
            report.errors.extend(row.errors)
        elif value is not None:
            todo.append((n, value))
    with transaction.atomic():
        for n, value in todo:
            try:
                with transaction.atomic():
                    write(n, value)
            except ServiceError as exc:
                column = (columns_of or {}).get(getattr(exc, "field", None) or "", "—")
                report.errors.append(RowError(n, column, exc.message))
        report.valid = report.created + report.updated
        report.errors.sort(key=lambda e: (e.row, e.column))
        if report.dry_run or (report.errors and not report.valid_only):
            transaction.set_rollback(True)
            report.created = report.updated = 0
        else:
            report.committed = True
    return report


def report_workbook(report: RowReport, title: str = "导入检查结果") -> bytes:
    """The row-by-row report as a sheet: one line per problem (行号, 列, 问题), for the user to
    correct the sheet with."""
    wb, ws = new_workbook(title)
    write_table(
        ws,
        [Header("行号", 8), Header("列", 18), Header("问题", 60)],
        ([e.row, e.column, e.message] for e in report.errors),
        freeze="A2",
    )
    return to_bytes(wb)
