"""Date filters for every template (registered as a builtin in settings.TEMPLATES):
`{{ d|day }}`, `{{ t|moment }}`, `{{ d|day_cn }}` show the year only when it is not the current
one; `{{ deadline|overdue }}` is "逾期 N 个工作日" on the working calendar ("" when not late)."""

from __future__ import annotations

import datetime as dt

from django import template

from workcal import dates

register = template.Library()


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    return dates.show_date(value)


@register.filter
def moment(value: dt.datetime | dt.date | None) -> str:
    return dates.show_moment(value)


@register.filter
def day_cn(value: dt.date | dt.datetime | None) -> str:
    return dates.show_date_cn(value)


@register.filter
def overdue(deadline: dt.date | None) -> str:
    return dates.overdue_text(deadline)
