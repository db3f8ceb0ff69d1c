"""What every writer test checks: user text that a spreadsheet would run comes out as text."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

# A demand, entity or answer filed with these must appear in every export exactly as typed,
# as a string cell.
PAYLOADS = (
    '=HYPERLINK("http://x","查看附件")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
)


def cells_of(data: bytes) -> list[Any]:
    """Every non-empty cell of every sheet of an .xlsx, loaded the full (not read-only) way, as a
    spreadsheet program would see them."""
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def assert_text_cells(data: bytes, payloads: tuple[str, ...] = PAYLOADS) -> None:
    """Each payload is in the workbook, and every cell holding one (alone or as its start) is a
    string cell, quote-prefixed, never a formula."""
    cells = cells_of(data)
    found = {p: [c for c in cells if c.value == p] for p in payloads}
    missing = [p for p, cs in found.items() if not cs]
    assert not missing, f"not exported: {missing!r}"
    for c in cells:
        assert c.data_type != "f", f"{c.coordinate} is a formula: {c.value!r}"
    for p, cs in found.items():
        for c in cs:
            assert c.data_type == "s", f"{p!r} at {c.coordinate} has type {c.data_type}"
            assert c.quotePrefix, f"{p!r} at {c.coordinate} is not quote-prefixed"
