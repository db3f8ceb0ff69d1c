"""Working hours: limits counted in working HOURS (a 三方连线 consult answered within 2 hours,
签收 within N working hours), across the noon break, evenings, weekends, holidays and 调休
Saturdays. Which days work is `workcal.calendar`'s answer; which hours of such a day work is a
list of periods, by default 9:00–12:00 and 13:30–17:30, overridable per park code in
settings.WORKCAL_HOURS ({"default": "9:00-12:00,13:30-17:30", "<park code>": "8:30-12:00,..."}).

Times are aware datetimes; they are read in the project's time zone (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from workcal.calendar import is_workday

DEFAULT_PERIODS = "9:00-12:00,13:30-17:30"
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingHours:
    periods: tuple[tuple[dt.time, dt.time], ...]

    @property
    def hours_per_day(self) -> float:
        return sum(_minutes(a, b) for a, b in self.periods) / 60


def _minutes(a: dt.time, b: dt.time) -> int:
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def parse_periods(text: str) -> WorkingHours:
    """ "9:00-12:00,13:30-17:30" → periods; ValueError in Chinese when malformed or overlapping."""
    out: list[tuple[dt.time, dt.time]] = []
    for part in text.replace("，", ",").split(","):
        part = part.strip().replace("–", "-").replace("~", "-")
        if not part:
            continue
        try:
            a, b = (dt.time.fromisoformat(x.strip().zfill(5)) for x in part.split("-"))
        except ValueError:
            raise ValueError(f"工作时段“{part}”格式应为 9:00-12:00") from None
        if b <= a:
            raise ValueError(f"工作时段“{part}”的结束应晚于开始")
        if out and a < out[-1][1]:
            raise ValueError(f"工作时段“{part}”与前一时段重叠或顺序颠倒")
        out.append((a, b))
    if not out:
        raise ValueError("至少需要一个工作时段")
    return WorkingHours(tuple(out))


def hours_for(park_code: str = "") -> WorkingHours:
    table: dict[str, str] = getattr(settings, "WORKCAL_HOURS", {}) or {}
    return parse_periods(table.get(park_code) or table.get("default") or DEFAULT_PERIODS)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _at(day: dt.date, t: dt.time, like: dt.datetime) -> dt.datetime:
    naive = dt.datetime.combine(day, t)
    if timezone.is_aware(like):
        return timezone.make_aware(naive, timezone.get_current_timezone())
    return naive


def add_working_hours(
    start: dt.datetime, hours: float, wh: WorkingHours | None = None
) -> dt.datetime:
    """The moment at which `hours` working hours after `start` have passed.

    Asked at 11:00 with a limit of 2 hours: due 14:30 (the noon break does not count). Asked on
    Friday 17:00 with 2 hours: due Monday 10:30, unless Monday is a holiday; a 调休 Saturday works.
    """
    if hours < 0:
        raise ValueError("工作小时数不能为负数")
    wh = wh or hours_for()
    left = dt.timedelta(hours=hours)
    cur = _local(start)
    day = cur.date()
    for _ in range(3660):  # ten years of days: a limit is never that long
        if is_workday(day):
            for a, b in wh.periods:
                pa, pb = _at(day, a, cur), _at(day, b, cur)
                begin = max(pa, cur)
                if begin >= pb:
                    continue
                room = pb - begin
                if left <= room:
                    if left == dt.timedelta(0):
                        return begin
                    return begin + left
                left -= room
        day += _ONE_DAY
        cur = _at(day, dt.time(0), cur)
    raise ValueError("工作小时数过大")


def working_hours_between(
    start: dt.datetime, end: dt.datetime, wh: WorkingHours | None = None
) -> float:
    """Working hours in [start, end]; negative when end is before start."""
    if end < start:
        return -working_hours_between(end, start, wh)
    wh = wh or hours_for()
    s, e = _local(start), _local(end)
    total = dt.timedelta(0)
    day = s.date()
    while day <= e.date():
        if is_workday(day):
            for a, b in wh.periods:
                pa, pb = max(_at(day, a, s), s), min(_at(day, b, s), e)
                if pb > pa:
                    total += pb - pa
        day += _ONE_DAY
    return total.total_seconds() / 3600


def signed_within(
    dispatched_at: dt.datetime,
    signed_at: dt.datetime | None,
    hours: float,
    *,
    now: dt.datetime | None = None,
    wh: WorkingHours | None = None,
) -> bool | None:
    """签收 within N working hours: True when signed in time, False when signed late or (unsigned)
    already past the limit at `now`, None while unsigned and still within it."""
    due = add_working_hours(dispatched_at, hours, wh)
    if signed_at is not None:
        return signed_at <= due
    if (now or timezone.now()) > due:
        return False
    return None
