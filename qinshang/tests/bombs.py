"""Decompression bombs for the upload tests: real .xlsx files that Python's zipfile and openpyxl
open, whose worksheet is millions of identical rows and so compresses to almost nothing.

The sheet is deflated with a full flush after every block: after a full flush the compressor
starts afresh, so every block of identical rows compresses to identical bytes and the stream is
built by repeating them. That makes a 3-million-row bomb in a fraction of a second instead of
deflating 280 MB in every test run.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
HEAD = ("企业名称", "企业类型", "姓名", "手机", "诉求内容")
BLOCK_ROWS = 10_000


def _row(values: tuple[str, ...]) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f"<row>{cells}</row>".encode()


def _template() -> dict[str, bytes]:
    """The parts of a one-sheet workbook openpyxl writes, the sheet to be replaced."""
    wb = Workbook()
    wb.active.title = "台账"
    buf = io.BytesIO()
    wb.save(buf)
    import zipfile

    with zipfile.ZipFile(buf) as z:
        return {n: z.read(n) for n in z.namelist()}


def _deflate_repeated(head: bytes, block: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + block * times + tail; returns (stream, crc32, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    once = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return first + once * times + last, crc, len(head) + len(block) * times + len(tail)


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated data, crc, uncompressed size) entries."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in parts:
        raw = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0
            )
        )
        out.write(raw)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    end = out.tell()
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), end - start, start, 0)
    )
    return out.getvalue()


@cache
def xlsx_bomb(rows: int = 3_000_000) -> bytes:
    """A workbook whose one sheet has a header row and `rows` rows of the same two cells, with
    an honest dimension; 3 million rows inflate to about 280 MB from about 1 MB."""
    blocks, rest = divmod(rows, BLOCK_ROWS)
    assert rest == 0, "rows must be a multiple of BLOCK_ROWS"
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + f'<dimension ref="A1:E{rows + 1}"/>'.encode()
        + b"<sheetData>"
        + _row(HEAD)
    )
    block = _row(("恒远机械", "规上企业")) * BLOCK_ROWS
    sheet = _deflate_repeated(head, block, blocks, b"</sheetData></worksheet>")
    parts = []
    for name, data in _template().items():
        if name == SHEET:
            parts.append((name, *sheet))
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            parts.append((name, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
    return _zip(parts)
