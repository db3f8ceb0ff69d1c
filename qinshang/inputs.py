"""Parsing of free-form service arguments shared by every domain's services (the API's typed
schemas cover its own edge; pages and commands pass what a form or a file gave)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qinshang.errors import InvalidInput

TEXT_MAX = 5_000


def text(value: Any, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    """A stripped text of at most `limit` characters. A list or an object where text belongs is
    a caller's mistake: stringified, it would be stored as "['a', 'b']"."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
        raise InvalidInput(f"{label}应为文本", field=label)
    out = ("" if value is None else str(value)).strip()
    if required and not out:
        raise InvalidInput(f"{label}不能为空", field=label)
    if len(out) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字（当前 {len(out)} 字）", field=label)
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def optional_date(value: Any, label: str, *, field: str | None = None) -> dt.date | None:
    """A day from a form, a file or the API: a date (a datetime's day) or ISO text "2026-12-09";
    None when left empty."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{label}“{value}”不是有效日期，应为 YYYY-MM-DD", field=field or label)


def date(value: Any, label: str, *, field: str | None = None) -> dt.date:
    """`optional_date`, required."""
    day = optional_date(value, label, field=field)
    if day is None:
        raise InvalidInput(f"请填写{label}", field=field or label)
    return day


def integer(
    value: Any,
    label: str,
    low: int | None = None,
    high: int | None = None,
    *,
    field: str | None = None,
) -> int:
    """A whole number (text "12" or 12; not 12.5, not True), within [low, high] when given."""
    if isinstance(value, bool):
        raise InvalidInput(f"{label}必须是整数", field=field or label)
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{label}必须是整数", field=field or label)
    if (low is not None and n < low) or (high is not None and n > high):
        bounds = f"{low} 到 {high}" if low is not None and high is not None else None
        message = (
            f"{label}应在 {bounds} 之间"
            if bounds
            else (f"{label}不能小于 {low}" if low is not None else f"{label}不能大于 {high}")
        )
        raise InvalidInput(message, field=field or label)
    return n


def optional_integer(
    value: Any, label: str, low: int | None = None, high: int | None = None, *, default: int
) -> int:
    """`integer`, with `default` when the field was left empty."""
    return default if _blank(value) else integer(value, label, low, high)


FLAG_WORDS = frozenset({"1", "true", "on", "yes", "是"})


def flag(value: Any) -> bool:
    """A checkbox or a yes/no column: ticked, "1", "true", "是" …; anything else is no."""
    return str(value).strip().lower() in FLAG_WORDS
