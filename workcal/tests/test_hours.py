"""Limits in working hours: the noon break, evenings, a weekend, a holiday and a 调休 Saturday."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from workcal import hours
from workcal.calendar import clear_cache


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@pytest.fixture(autouse=True)
def _fresh_calendar():
    clear_cache()
    yield
    clear_cache()


pytestmark = pytest.mark.django_db


def test_two_hours_asked_at_eleven_are_due_after_the_noon_break():
    # 11:00 → 12:00 is one hour, 13:30 → 14:30 the second.
    assert hours.add_working_hours(at("2025-09-16 11:00"), 2) == at("2025-09-16 14:30")


def test_asked_during_the_noon_break_the_clock_starts_at_half_past_one():
    assert hours.add_working_hours(at("2025-09-16 12:20"), 1) == at("2025-09-16 14:30")


def test_asked_in_the_evening_the_clock_starts_next_morning():
    assert hours.add_working_hours(at("2025-09-16 20:00"), 0.5) == at("2025-09-17 09:30")


def test_friday_afternoon_runs_over_the_weekend_to_monday():
    # Friday 2025-09-19 16:30: one hour left that day, one more on Monday 22nd.
    assert hours.add_working_hours(at("2025-09-19 16:30"), 2) == at("2025-09-22 10:00")


def test_the_national_day_holiday_is_skipped():
    # Tuesday 30 Sept 17:00 with 4 hours: 0.5 h that evening, 1 Oct – 8 Oct are holidays,
    # Thursday 9 Oct gives 3 h in the morning and 0.5 h after lunch.
    assert hours.add_working_hours(at("2025-09-30 17:00"), 4) == at("2025-10-09 14:00")


def test_a_tiaoxiu_saturday_is_a_working_day():
    # Friday 10 Oct 17:00 + 2 h: 0.5 h Friday, Saturday 11 Oct is a make-up working day.
    assert hours.add_working_hours(at("2025-10-10 17:00"), 2) == at("2025-10-11 10:30")
    # and an ordinary Saturday is not: Friday 26 Sept → Sunday 28 Sept (a make-up day).
    assert hours.add_working_hours(at("2025-09-26 17:00"), 2) == at("2025-09-28 10:30")


def test_hours_between_count_only_working_periods():
    assert hours.working_hours_between(at("2025-09-16 11:00"), at("2025-09-16 14:30")) == 2
    assert hours.working_hours_between(at("2025-09-19 16:30"), at("2025-09-22 10:00")) == 2
    assert hours.working_hours_between(at("2025-09-22 10:00"), at("2025-09-19 16:30")) == -2
    # a whole working day is 7 hours
    assert hours.working_hours_between(at("2025-09-16 00:00"), at("2025-09-17 00:00")) == 7


def test_signed_within_n_working_hours():
    sent = at("2025-09-19 16:30")
    assert hours.signed_within(sent, at("2025-09-22 09:59"), 2) is True
    assert hours.signed_within(sent, at("2025-09-22 10:01"), 2) is False
    assert hours.signed_within(sent, None, 2, now=at("2025-09-20 12:00")) is None
    assert hours.signed_within(sent, None, 2, now=at("2025-09-22 11:00")) is False


@override_settings(WORKCAL_HOURS={"default": "8:30-12:00,14:00-18:00", "other": "9:00-17:00"})
def test_periods_come_from_settings_per_park_or_default():
    assert hours.hours_for().periods[1] == (dt.time(14), dt.time(18))
    assert hours.hours_for("other").hours_per_day == 8
    assert hours.add_working_hours(at("2025-09-16 11:30"), 1, hours.hours_for()) == at(
        "2025-09-16 14:30"
    )


@pytest.mark.parametrize("bad", ["9-12", "12:00-9:00", "9:00-12:00,11:00-13:00", ""])
def test_bad_periods_are_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="工作时段"):
        hours.parse_periods(bad)
