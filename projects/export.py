"""The key-project list as an xlsx workbook, for the scope and filters the list page shows.

User-typed text is written as inline strings (data_type "s") so that nothing typed into a project
can become a spreadsheet formula in the reader's Excel.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from projects.models import KeyProject
from qinshang import industries

HEAD_FILL = PatternFill("solid", fgColor="1F4E8C")
HEAD_FONT = Font(bold=True, color="FFFFFF")
_ILLEGAL = {c: None for c in range(32) if c not in (9, 10, 13)}

HEADERS = [
    ("项目名称", 36),
    ("投资主体", 30),
    ("总投资（万元）", 14),
    ("行业", 28),
    ("级别", 10),
    ("阶段", 8),
    ("签约日期", 12),
    ("开工日期", 12),
    ("竣工日期", 12),
    ("投产日期", 12),
    ("联系领导", 10),
    ("专属服务员", 10),
    ("滞后节点", 40),
]


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        # Assigned after the value: openpyxl would otherwise guess "f" for a leading "=".
        cell.value = value.translate(_ILLEGAL)
        cell.data_type = "s"
    else:
        cell.value = value


def export_projects(projects: Iterable[KeyProject], slips: dict[int, list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "重点项目"
    for j, (h, width) in enumerate(HEADERS, start=1):
        cell = ws.cell(row=1, column=j, value=h)
        cell.fill, cell.font = HEAD_FILL, HEAD_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    r = 1
    for p in projects:
        r += 1
        values = [
            p.name,
            p.investor.name,
            float(p.investment_wan),
            industries.label(p.industry) if industries.is_division(p.industry) else p.industry,
            p.get_level_display(),
            p.get_stage_display(),
            p.signed_on,
            p.started_on,
            p.completed_on,
            p.operating_on,
            p.leader.display_name,
            p.liaison.display_name,
            "；".join(slips.get(p.pk, [])),
        ]
        for j, v in enumerate(values, start=1):
            _put(ws, r, j, v)
            if j in (7, 8, 9, 10) and v is not None:
                ws.cell(row=r, column=j).number_format = "yyyy-mm-dd"
            if j == 3:
                ws.cell(row=r, column=j).number_format = "#,##0.00"
    ws.freeze_panes = "B2"
    if r > 1:
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
