"""Parsing of free-form service arguments shared by every domain's services (the API's typed
schemas cover its own edge; pages and commands pass what a form or a file gave)."""

from __future__ import annotations

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
