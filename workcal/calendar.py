"""Chinese working-day arithmetic: the one module that knows holidays and 调休 make-up days.

Deadlines are counted in working days. A year is known from, in order: a schedule an administrator
entered (YearSchedule), the `chinesecalendar` package, or else Monday to Friday with a warning that
the official schedule is missing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from chinese_calendar import constants as cc

_ONE_DAY = dt.timedelta(days=1)
_CACHE_SECONDS = 60.0


class DeadlineState:
    NORMAL = "normal"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    LABELS = {NORMAL: "正常", DUE_SOON: "即将到期", OVERDUE: "已逾期"}


@dataclass(frozen=True)
class YearRules:
    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str  # "entered", "package" or "fallback"

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


PACKAGE_YEARS = frozenset(d.year for d in cc.holidays)

_lock = threading.Lock()
_cache: dict[int, tuple[float, YearRules]] = {}


def parse_dates(text: str) -> set[dt.date]:
    """Parse one date or `start~end` range per line (also commas); raise ValueError in Chinese."""
    out: set[dt.date] = set()
    for raw in text.replace("，", "\n").replace(",", "\n").splitlines():
        item = raw.strip()
        if not item:
            continue
        parts = [p.strip() for p in item.replace("～", "~").replace("至", "~").split("~")]
        try:
            days = [dt.date.fromisoformat(p) for p in parts]
        except ValueError:
            raise ValueError(f"无法识别的日期“{item}”，请写成 2027-01-01 或 2027-02-10~2027-02-16")
        if len(days) == 1:
            out.add(days[0])
        elif len(days) == 2 and days[0] <= days[1] and (days[1] - days[0]).days <= 31:
            d = days[0]
            while d <= days[1]:
                out.add(d)
                d += _ONE_DAY
        else:
            raise ValueError(f"日期区间“{item}”不正确：起止颠倒或超过31天")
    return out


def _load(year: int) -> YearRules:
    from workcal.models import YearSchedule

    entered = YearSchedule.objects.filter(year=year).first()
    if entered is not None:
        return YearRules(
            year,
            frozenset(parse_dates(entered.holidays)),
            frozenset(parse_dates(entered.workdays)),
            "entered",
        )
    if year in PACKAGE_YEARS:
        return YearRules(
            year,
            frozenset(d for d in cc.holidays if d.year == year),
            frozenset(d for d in cc.workdays if d.year == year),
            "package",
        )
    return YearRules(year, frozenset(), frozenset(), "fallback")


def rules_for(year: int) -> YearRules:
    now = time.monotonic()
    hit = _cache.get(year)
    if hit is not None and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    rules = _load(year)
    with _lock:
        _cache[year] = (now, rules)
    return rules


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def is_workday(day: dt.date) -> bool:
    return rules_for(day.year).is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date on which `days` working days after `start` have passed (start itself not counted).

    A demand dispatched on a Friday with a limit of 1 working day is due the next Monday.
    """
    if days < 0:
        raise ValueError("工作日数不能为负数")
    d = start
    left = days
    while left > 0:
        d += _ONE_DAY
        if is_workday(d):
            left -= 1
    return d


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    d = start
    while d < end:
        d += _ONE_DAY
        if is_workday(d):
            count += 1
    return count


def deadline_state(deadline: dt.date | None, today: dt.date, due_soon_days: int = 2) -> str:
    if deadline is None:
        return DeadlineState.NORMAL
    if today > deadline:
        return DeadlineState.OVERDUE
    if working_days_between(today, deadline) <= due_soon_days:
        return DeadlineState.DUE_SOON
    return DeadlineState.NORMAL


def schedule_warning(*days: dt.date | None) -> str | None:
    """A visible warning when a date falls in a year with no official schedule."""
    years = sorted({d.year for d in days if d is not None})
    missing = [y for y in years if rules_for(y).source == "fallback"]
    if not missing:
        return None
    ys = "、".join(str(y) for y in missing)
    return f"{ys} 年的法定节假日安排尚未录入，期限暂按周一至周五计算，请管理员在“工作日历”中录入。"


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
