"""The sheet toolkit: safe cells on the way out, bombs refused on the way in."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.reader.excel import ExcelReader

from qinshang import sheets
from qinshang.errors import InvalidInput
from qinshang.tests.bombs import SHEET, xlsx_bomb
from qinshang.tests.sheetcheck import PAYLOADS, assert_text_cells

# --------------------------------------------------------------------------- writing


def written(rows: list[list[object]], **kw: object) -> bytes:
    wb, ws = sheets.new_workbook("表")
    sheets.write_table(ws, [("标题", 20), ("数", 8), ("日期", 12)], rows, **kw)  # type: ignore[arg-type]
    return sheets.to_bytes(wb)


def test_user_text_that_looks_like_a_formula_is_written_as_text() -> None:
    data = written([[p, None, None] for p in PAYLOADS])
    assert_text_cells(data)
    ws = load_workbook(io.BytesIO(data)).active
    assert [ws.cell(row=r, column=1).value for r in range(2, 2 + len(PAYLOADS))] == list(PAYLOADS)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


@pytest.mark.parametrize(
    "text", ["\r=1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "=1", "-", "@"], ids=repr
)
def test_every_formula_start_is_quote_prefixed(text: str) -> None:
    wb, ws = sheets.new_workbook("表")
    c = sheets.cell(ws, text)
    assert c.data_type == "s" and c.quotePrefix and c.value == text


def test_numbers_dates_and_plain_text_stay_what_they_are() -> None:
    day, moment = dt.date(2026, 3, 2), dt.datetime(2026, 3, 2, 10, 30)
    data = written(
        [
            ["贷款贴息", -5, day],
            ["#N/A", -2.5, moment],
            ["a\x00b\x07c", 0, None],
            ["", 12, None],
        ]
    )
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in rows[0][:2]] == [("贷款贴息", "s"), (-5, "n")]
    assert not rows[0][0].quotePrefix  # only text that could run is marked
    assert rows[0][2].value.date() == day
    assert (rows[1][0].value, rows[1][0].data_type) == ("#N/A", "s")  # not an error cell
    assert (rows[1][1].value, rows[1][1].data_type) == (-2.5, "n")  # a negative number stays one
    assert rows[2][0].value == "abc"  # control characters a sheet cannot hold are dropped
    assert rows[3][0].value is None


def test_write_table_styles_the_header_and_formats_columns() -> None:
    wb, ws = sheets.new_workbook("台账")
    n = sheets.write_table(
        ws,
        [sheets.Header("交办时间", 18, sheets.DATETIME), ("备注", 30)],
        [[dt.datetime(2026, 3, 2, 9), "x"], [None, "y"]],
        style=sheets.LIGHT,
        freeze="C2",
    )
    ws = load_workbook(io.BytesIO(sheets.to_bytes(wb))).active
    assert n == 2 and ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:B3"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.column_dimensions["A"].width == 18 and ws.column_dimensions["B"].width == 30
    assert ws["A2"].number_format == sheets.DATETIME
    _, empty = sheets.new_workbook("空")
    sheets.write_table(empty, [("标题", 10)], [])
    assert not empty.auto_filter.ref  # nothing to filter


def test_header_texts_are_safe_cells_too() -> None:
    wb, ws = sheets.new_workbook("表")
    sheets.write_table(ws, [("=1+1", 10), ("@x", 10)], [])
    assert_text_cells(sheets.to_bytes(wb), ("=1+1", "@x"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","查看附件")', '\'=HYPERLINK("http://x","查看附件")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("  =1", "'  =1"),
        ("-12.5", "-12.5"),
        ("+86", "'+86"),
        ("-7", "-7"),
        (-3, -3),
        ("贷款", "贷款"),
    ],
)
def test_csv_cells_get_an_apostrophe_but_numbers_do_not(value: object, expected: object) -> None:
    assert sheets.csv_cell(value) == expected


# --------------------------------------------------------------------------- reading cells


def test_headers_compare_without_spaces_stars_colons_or_full_width_forms() -> None:
    n = sheets.normalise_header
    assert n(" 企业 名称* ") == n("企业名称") == n("企业名称：") == "企业名称"
    assert n("办结时限（工作日）") == n("办结时限(工作日)") == "办结时限(工作日)"
    assert n("ＱＱ号") == n("qq号") and n("个体工商户、门店") == n("个体工商户/门店")
    assert n(None) == ""


def test_cell_text_reads_what_excel_did_to_numbers_and_dates() -> None:
    t = sheets.cell_text
    assert t(13907321234.0) == "13907321234"
    assert t(dt.datetime(2026, 3, 2)) == "2026-03-02"
    assert t(dt.datetime(2026, 3, 2, 9, 5)) == "2026-03-02 09:05:00"
    assert t("  贷款 ") == "贷款" and t(None) == t("  ") == ""
    assert t(2.5) == "2.5"


# --------------------------------------------------------------------------- safe opening


def workbook(rows: int, cols: int = 2) -> bytes:
    wb = Workbook()
    for r in range(rows):
        wb.active.append([f"r{r}c{c}" for c in range(cols)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    """`data` with part `name` replaced by change(its bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            body = src.read(i)
            z.writestr(i.filename, change(body) if i.filename == name else body)
    return out.getvalue()


def refused(data: bytes, **kw: object) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(InvalidInput) as exc:
        with sheets.open_workbook(data, **kw) as book:  # type: ignore[arg-type]
            for ws in book.worksheets:
                for _ in book.rows(ws):
                    pass
    return exc.value.message, time.perf_counter() - start


def test_a_bomb_is_refused_at_once() -> None:
    bomb = xlsx_bomb()
    info = zipfile.ZipFile(io.BytesIO(bomb)).getinfo(SHEET)
    assert len(bomb) < 1_500_000 and info.file_size > 300_000_000  # 1 MB that inflates to 300+
    message, took = refused(bomb)
    assert "解压后有 312 MB，超过 50 MB 的上限" in message
    assert took < 0.5


def test_each_limit_has_its_own_reason(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SHEET_MAX_UNCOMPRESSED_BYTES = 10**12
    assert "压缩比异常" in refused(xlsx_bomb())[0]
    settings.SHEET_MAX_RATIO = 10**6
    message, took = refused(xlsx_bomb())
    assert "表格有 3000001 行，超过一次最多 100000 行的上限" in message and took < 0.5
    settings.SHEET_MAX_ROWS = 10**7
    assert "超过 5000000 个单元格的上限" in refused(xlsx_bomb())[0]

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(1001):
            z.writestr(f"x/{i}.txt", "")
    assert "1001 个部件" in refused(out.getvalue())[0]

    wide = Workbook()
    wide.active["XFD1"] = "最后一列"
    buf = io.BytesIO()
    wide.save(buf)
    assert "表格有 16384 列，超过 1000 列的上限" in refused(buf.getvalue())[0]


def test_a_sheet_without_a_dimension_has_its_rows_counted_before_parsing(  # type: ignore[no-untyped-def]
    settings, monkeypatch
) -> None:
    undimensioned = rewrite(workbook(30), SHEET, lambda b: re.sub(rb"<dimension[^>]*/>", b"", b))
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(undimensioned)).read(SHEET)
    jump = rewrite(undimensioned, SHEET, lambda b: b.replace(b'<row r="30"', b'<row r="900000"'))
    monkeypatch.setattr(ExcelReader, "read", lambda *a: pytest.fail("parsed"))
    settings.SHEET_MAX_ROWS = 20
    assert "表格有 30 行，超过一次最多 20 行的上限" in refused(undimensioned)[0]
    settings.SHEET_MAX_ROWS = 100
    assert "表格有 900000 行" in refused(jump)[0]  # openpyxl would yield the rows it skips
    assert "超过一次最多 5 行" in refused(workbook(30), max_rows=5)[0]
    assert refused(workbook(30), max_rows=5, too_many_rows="一次最多导入 5 行")[0] == (
        "一次最多导入 5 行"
    )


def test_a_dimension_hidden_past_the_first_bytes_is_bounded_while_streaming() -> None:
    """openpyxl pads every row, and every row a sheet skips, to the dimension it finds wherever
    it is: A1:XFD1048576 behind 9 KB of sheet properties and a jump from row 1 to row 90 000
    would make it yield 1.5 billion empty cells. The stream is cut at the cell limit instead."""
    hidden = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetPr codeName="{"x" * 9000}"/><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row>'
        '<row r="90000"><c r="A90000" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    data = rewrite(workbook(1), SHEET, lambda b: hidden)
    message, took = refused(data)
    assert "超过 5000000 个单元格的上限" in message and took < 2


def test_a_lying_size_in_the_zip_cannot_inflate_more_than_it_declares() -> None:
    """An attacker can write any size into the zip's directory: zipfile stops inflating at the
    declared size (and reports a bad CRC), so the checks on declared sizes hold."""
    data = bytearray(xlsx_bomb())
    name = SHEET.encode()
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        while data[at + (30 if sig == b"PK\x03\x04" else 46) :].find(name) != 0:
            at = data.find(sig, at + 4)
        struct.pack_into("<I", data, at + size_at, 4000)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET).file_size == 4000
    message, took = refused(bytes(data))
    assert message == sheets.UNREADABLE and took < 0.5


def test_not_a_workbook_is_unreadable_with_the_callers_words() -> None:
    assert refused(b"old excel")[0] == sheets.UNREADABLE
    assert refused(b"PK\x03\x04 broken", unreadable="请上传台账")[0] == "请上传台账"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<document/>")
    assert refused(out.getvalue())[0] == sheets.UNREADABLE
    encrypted = bytearray(
        workbook(2)
    )  # the "encrypted" flag on every entry: zipfile will not open it
    for sig, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.find(sig)
        while at >= 0:
            encrypted[at + flags_at] |= 1
            at = encrypted.find(sig, at + 4)
    assert refused(bytes(encrypted))[0] == sheets.UNREADABLE


def test_a_good_workbook_opens_read_only_with_rows_numbered() -> None:
    with sheets.open_workbook(workbook(3)) as book:
        assert book.wb.read_only
        rows = list(book.rows(book.worksheets[0]))
    assert rows == [(1, ["r0c0", "r0c1"]), (2, ["r1c0", "r1c1"]), (3, ["r2c0", "r2c1"])]


# --------------------------------------------------------------------------- streamed workbooks


def test_the_write_only_writer_keeps_the_safe_cell_rules() -> None:
    book = sheets.StreamingBook()
    n = book.table(
        "台账",
        [sheets.Header("标题", 20), sheets.Header("受理时间", 18, sheets.DATETIME), ("=头", 8)],
        [[p, dt.datetime(2026, 3, 2, 10, 0), -12.5] for p in PAYLOADS] + [["a\x01b", None, "#N/A"]],
        style=sheets.LIGHT,
        freeze="C2",
    )
    book.table("字段对应", [("列", 10)], [["x"]], freeze=None, hidden=True)
    data = book.to_bytes()
    assert n == len(PAYLOADS) + 1
    assert_text_cells(data, (*PAYLOADS, "=头"))
    wb = load_workbook(io.BytesIO(data))
    ws = wb["台账"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:C{n + 1}"
    assert ws.column_dimensions["A"].width == 20 and ws["A1"].font.b
    assert ws["B2"].number_format == sheets.DATETIME and ws["C2"].value == -12.5
    last = ws[n + 1]
    assert (last[0].value, last[2].value, last[2].data_type) == ("ab", "#N/A", "s")
    assert wb["字段对应"].sheet_state == "hidden"


# --------------------------------------------------------------------------- the import loop

COLS = (sheets.Column("name", "姓名", ("名字",), True), sheets.Column("age", "年龄"))


def _sheet(rows: list[list[object]]) -> bytes:
    wb, ws = sheets.new_workbook("名单")
    ws.append(["人员名单"])
    ws.append(["名字", "年龄", "备注"])
    for r in rows:
        ws.append(r)
    return sheets.to_bytes(wb)


def _run(data: bytes, **kw: bool) -> tuple[sheets.RowReport, list[str]]:
    written: list[str] = []
    index, ignored, body = sheets.read_rows(data, COLS)
    report = sheets.RowReport("people", ignored_headers=ignored, **kw)

    def check(row: sheets.Row) -> tuple[str, int] | None:
        if not row.val("name"):
            row.bad("姓名", "不能为空")
        if not row.val("age").isdigit():
            row.bad("年龄", f"“{row.val('age')}”不是整数")
            return None
        return row.val("name"), int(row.val("age"))

    def write(n: int, value: tuple[str, int]) -> None:
        if value[1] > 150:
            raise InvalidInput("年龄不合理", field="age")
        written.append(value[0])
        report.created += 1

    sheets.import_rows(body, index, report, check=check, write=write, columns_of={"age": "年龄"})
    return report, written


@pytest.mark.django_db
def test_one_import_loop_all_or_nothing_valid_only_and_dry_run() -> None:
    data = _sheet([["张三", 30], ["", 20], ["李四", "三十"], ["王五", 200], ["赵六", 40]])
    report, _ = _run(data)
    assert report.ignored_headers == ["备注"] and report.total == 5
    assert [str(e) for e in report.errors] == [
        "第 4 行【姓名】不能为空",
        "第 5 行【年龄】“三十”不是整数",
        "第 6 行【年龄】年龄不合理",
    ]
    assert (report.created, report.valid, report.committed) == (0, 2, False)  # all or nothing
    report, written = _run(data, valid_only=True)
    assert (report.created, report.committed, written) == (2, True, ["张三", "赵六"])
    report, _ = _run(_sheet([["张三", 30]]), dry_run=True)
    assert (report.valid, report.created, report.committed) == (1, 0, False)
    sheet = load_workbook(io.BytesIO(sheets.report_workbook(_run(data)[0]))).active
    assert [c.value for c in sheet[2]] == [4, "姓名", "不能为空"] and sheet.max_row == 4
    with pytest.raises(InvalidInput, match="缺少必需的列：部门"):
        sheets.read_rows(_sheet([]), (*COLS, sheets.Column("dept", "部门", required=True)))
