"""Uploaded bombs and the ledger export: what the sheet toolkit costs and what it saves.

Builds the 3-million-row bomb of the tests (about 1 MB, over 300 MB inflated), and times in CPU:
- the refusal by `qinshang.sheets.open_workbook` (what every import does before parsing);
- what parsing cost before the check: openpyxl in read-only mode over a tenth of the bomb
  (300,000 rows; the whole bomb is ten times as long and would take a minute or more);
- the worst file under the default limits: a 47 MB sheet without a dimension;
- writing a 5,000-row ledger (41 columns) through the toolkit's safe cells.
No database is needed.

    .venv/bin/python bench/sheets.py

Ends with one line of key=value figures.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu(fn):
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")
    import django

    django.setup()
    from openpyxl import load_workbook

    from demands.columns import FIELDS
    from demands.workbook import _write
    from qinshang import sheets
    from qinshang.errors import InvalidInput
    from qinshang.tests.bombs import SHEET, xlsx_bomb

    def refusal(data: bytes) -> str:
        try:
            with sheets.open_workbook(data) as book:
                for ws in book.worksheets:
                    for _ in book.rows(ws):
                        pass
        except InvalidInput as exc:
            return exc.message
        return "accepted"

    bomb = xlsx_bomb()
    inflated = zipfile.ZipFile(io.BytesIO(bomb)).getinfo(SHEET).file_size
    refuse_s, message = cpu(lambda: refusal(bomb))
    print(
        f"bomb: {len(bomb) / 1e6:.2f} MB → {inflated / 1e6:.0f} MB; refused in "
        f"{refuse_s * 1000:.1f} ms CPU: {message}"
    )

    tenth = xlsx_bomb(300_000)

    def parse_all() -> int:
        wb = load_workbook(io.BytesIO(tenth), read_only=True, data_only=True)
        n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        return n

    parse_s, n = cpu(parse_all)
    print(f"before the check: openpyxl read {n} rows of a tenth of the bomb in {parse_s:.1f} s CPU")

    src = zipfile.ZipFile(io.BytesIO(xlsx_bomb(450_000)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == SHEET:
                body = re.sub(rb"<dimension[^>]*/>", b"", body)
            z.writestr(info.filename, body)
    from django.conf import settings

    settings.SHEET_MAX_RATIO = 10**6  # let it past the ratio, to time the row count
    worst_s, message = cpu(lambda: refusal(out.getvalue()))
    print(f"47 MB sheet without a dimension: {worst_s * 1000:.0f} ms CPU: {message}")

    now = dt.datetime(2026, 3, 2, 10, 0)

    def values(i: int) -> dict[str, object]:
        v: dict[str, object] = {}
        for f in FIELDS:
            if f.kind == "datetime":
                v[f.key] = now
            elif f.kind == "date":
                v[f.key] = now.date()
            else:
                v[f.key] = f"厂区道路破损，货车通行困难（第{i}条）"
        return v

    rows = [(values(i), {}) for i in range(5000)]
    export_s, data = cpu(lambda: _write(list(FIELDS), {f.key: f.header for f in FIELDS}, [], rows))
    print(f"ledger export, 5,000 rows × {len(FIELDS)} columns: {export_s:.2f} s CPU")
    print(
        f"bomb_refused_ms={refuse_s * 1000:.1f} tenth_parse_s={parse_s:.1f} "
        f"no_dimension_47mb_ms={worst_s * 1000:.0f} export_5000_s={export_s:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
