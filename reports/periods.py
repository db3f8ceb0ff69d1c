"""Reporting periods as a park names them: 2026 (year), 2026-H1 (half), 2026-Q3 (quarter),
2026-11 (month), or an explicit range 2026-03-01~2026-05-31."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from qinshang.errors import InvalidInput


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.date
    end: dt.date  # inclusive
    label: str  # 2026年上半年

    def months(self) -> list[int]:
        """The yyyymm months the period touches, in order."""
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(y * 100 + m)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)


_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


def parse(code: str) -> Period:
    text = (code or "").strip().upper().replace("～", "~").replace("至", "~")
    if m := re.fullmatch(r"(\d{4})", text):
        y = int(m[1])
        return Period(text, dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年")
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        y, h = int(m[1]), int(m[2])
        start = dt.date(y, 1 if h == 1 else 7, 1)
        end = dt.date(y, 6, 30) if h == 1 else dt.date(y, 12, 31)
        return Period(text, start, end, f"{y}年{'上' if h == 1 else '下'}半年")
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        y, q = int(m[1]), int(m[2])
        start = dt.date(y, 3 * q - 2, 1)
        return Period(text, start, _month_end(y, 3 * q), f"{y}年第{_QUARTERS[q]}季度")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return Period(f"{y}-{mo:02d}", dt.date(y, mo, 1), _month_end(y, mo), f"{y}年{mo}月")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})", text):
        try:
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            valid = start <= end
        except ValueError:
            valid = False
        if valid:
            label = f"{start:%Y年%-m月%-d日}至{end:%Y年%-m月%-d日}"
            return Period(text, start, end, label)
    raise InvalidInput(
        f"统计期“{code}”无法识别，可写 2026（全年）、2026-H1（上半年）、2026-Q3（季度）、"
        "2026-11（月份）或 2026-03-01~2026-05-31",
        field="period",
    )


def current(today: dt.date, kind: str = "year") -> Period:
    if kind == "month":
        return parse(f"{today.year}-{today.month:02d}")
    if kind == "quarter":
        return parse(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    if kind == "half":
        return parse(f"{today.year}-H{1 if today.month <= 6 else 2}")
    return parse(str(today.year))
