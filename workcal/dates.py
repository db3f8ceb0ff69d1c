"""How dates are shown: with the year when it is not the current one, and overdue items as
"逾期 N 个工作日" counted on the park's working calendar. Templates use the filters of
`workcal.templatetags.dates` (a builtin: no `{% load %}`); Python text (notifications, documents)
calls these functions, so a date reads the same everywhere."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workcal import calendar as wcal


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def show_date(value: dt.date | dt.datetime | None, today: dt.date | None = None) -> str:
    """12-01 this year, 2025-12-01 another year; "—" for no date."""
    if value is None:
        return "—"
    v = _local(value)
    day = v.date() if isinstance(v, dt.datetime) else v
    current = (today or timezone.localdate()).year
    return f"{day:%m-%d}" if day.year == current else f"{day:%Y-%m-%d}"


def show_moment(value: dt.datetime | dt.date | None, today: dt.date | None = None) -> str:
    """12-01 14:30 this year, 2025-12-01 14:30 another year."""
    if value is None:
        return "—"
    v = _local(value)
    if not isinstance(v, dt.datetime):
        return show_date(v, today)
    return f"{show_date(v, today)} {v:%H:%M}"


def show_date_cn(value: dt.date | dt.datetime | None, today: dt.date | None = None) -> str:
    """12月1日 this year, 2025年12月1日 another year."""
    if value is None:
        return "—"
    v = _local(value)
    day = v.date() if isinstance(v, dt.datetime) else v
    current = (today or timezone.localdate()).year
    text = f"{day.month}月{day.day}日"
    return text if day.year == current else f"{day.year}年{text}"


def overdue_working_days(deadline: dt.date | None, today: dt.date | None = None) -> int:
    """Working days past the deadline: in (deadline, today]; 0 when not overdue."""
    if deadline is None:
        return 0
    day = today or timezone.localdate()
    if day <= deadline:
        return 0
    return wcal.working_days_between(deadline, day)


def overdue_text(deadline: dt.date | None, today: dt.date | None = None) -> str:
    """逾期 N 个工作日 (已逾期 when the deadline passed on a non-working day); "" when not late."""
    day = today or timezone.localdate()
    if deadline is None or day <= deadline:
        return ""
    n = overdue_working_days(deadline, day)
    return f"逾期 {n} 个工作日" if n else "已逾期"
