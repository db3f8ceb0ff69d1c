"""The shared day and whole-number parsers that the services of meetings, projects, experts,
visits and liaisons call instead of their own."""

from __future__ import annotations

import datetime as dt

import pytest

from qinshang import inputs
from qinshang.errors import InvalidInput


def test_a_day_from_text_a_date_or_a_datetime() -> None:
    day = dt.date(2026, 12, 9)
    assert inputs.date(" 2026-12-09 ", "会议日期") == day
    assert inputs.date(day, "会议日期") == day
    assert inputs.date(dt.datetime(2026, 12, 9, 15, 30), "会议日期") == day
    assert inputs.optional_date("", "清零目标日期") is None
    assert inputs.optional_date(None, "清零目标日期") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "请填写会议日期"), (None, "请填写会议日期"), ("2026-02-30", "不是有效日期")],
)
def test_a_bad_or_missing_day_is_refused(value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as exc:
        inputs.date(value, "会议日期", field="held_on")
    assert exc.value.field == "held_on"


def test_whole_numbers_within_bounds() -> None:
    assert inputs.integer(" 12 ", "催办次数") == 12
    assert inputs.integer(3, "催办次数", 0, 3) == 3
    for bad in ("12.5", "三", None, True, [1]):
        with pytest.raises(InvalidInput, match="催办次数必须是整数"):
            inputs.integer(bad, "催办次数")
    with pytest.raises(InvalidInput, match="应在 0 到 3 之间"):
        inputs.integer("4", "催办次数", 0, 3)
    with pytest.raises(InvalidInput, match="不能小于 1"):
        inputs.integer("0", "期数", low=1)
