import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from workcal import calendar as wcal
from workcal.models import YearSchedule

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    wcal.clear_cache()
    yield
    wcal.clear_cache()


@pytest.mark.django_db
class TestYear2026FromThePackage:
    def test_spring_festival_is_off(self):
        for day in range(15, 24):
            assert not wcal.is_workday(D(2026, 2, day))

    def test_make_up_saturdays_are_workdays(self):
        assert D(2026, 2, 14).weekday() == 5 and wcal.is_workday(D(2026, 2, 14))
        assert D(2026, 2, 28).weekday() == 5 and wcal.is_workday(D(2026, 2, 28))
        assert wcal.is_workday(D(2026, 1, 4))  # Sunday, made up for New Year
        assert wcal.is_workday(D(2026, 9, 20))
        assert wcal.is_workday(D(2026, 10, 10))

    def test_national_day_week(self):
        # Dispatched on 30 September with 1 working day: the week-long holiday is skipped,
        # 8 and 9 October are ordinary days.
        assert wcal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
        assert wcal.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)  # a make-up Saturday

    def test_friday_plus_one_is_monday(self):
        assert wcal.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)

    def test_between_is_the_inverse_of_add(self):
        start = D(2026, 4, 1)
        for n in range(0, 40):
            assert wcal.working_days_between(start, wcal.add_working_days(start, n)) == n

    def test_no_warning_for_a_known_year(self):
        assert wcal.schedule_warning(D(2026, 12, 31)) is None


@pytest.mark.django_db
class TestYear2027:
    def test_without_a_schedule_falls_back_to_weekdays_with_a_warning(self):
        assert not wcal.is_workday(D(2027, 1, 2))  # Saturday
        assert wcal.is_workday(D(2027, 1, 1))  # a holiday, but nobody has entered it yet
        warning = wcal.schedule_warning(D(2027, 1, 5))
        assert warning and "2027" in warning and "周一至周五" in warning
        assert wcal.rules_for(2027).source == "fallback"

    def test_a_december_deadline_reaches_into_2027(self):
        # 2026-12-25 is a Friday; 10 working days later, by Monday-to-Friday rules.
        assert wcal.add_working_days(D(2026, 12, 25), 10) == D(2027, 1, 8)

    def test_an_entered_schedule_is_used(self):
        YearSchedule.objects.create(
            year=2027,
            holidays="2027-01-01\n2027-02-06~2027-02-14",
            workdays="2027-02-20",
            source="国办发明电〔2026〕X号",
        )
        assert not wcal.is_workday(D(2027, 1, 1))
        assert not wcal.is_workday(D(2027, 2, 8))
        assert wcal.is_workday(D(2027, 2, 20))  # Saturday make-up day
        assert wcal.schedule_warning(D(2027, 3, 1)) is None
        assert wcal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert wcal.add_working_days(D(2027, 2, 5), 1) == D(2027, 2, 15)

    def test_an_entered_schedule_overrides_the_package(self):
        YearSchedule.objects.create(year=2026, holidays="2026-11-23", workdays="")
        assert not wcal.is_workday(D(2026, 11, 23))
        # The entered year replaces the package's list for that year as a whole.
        assert not wcal.is_workday(D(2026, 2, 14))

    def test_bad_schedules_are_refused(self):
        s = YearSchedule(year=2027, holidays="2027-13-01", workdays="")
        with pytest.raises(ValidationError) as e:
            s.full_clean()
        assert "无法识别的日期" in str(e.value)
        s = YearSchedule(year=2027, holidays="2028-01-01", workdays="")
        with pytest.raises(ValidationError) as e:
            s.full_clean()
        assert "不属于 2027 年" in str(e.value)
        s = YearSchedule(year=2027, holidays="2027-02-14~2027-02-06", workdays="")
        with pytest.raises(ValidationError):
            s.full_clean()


@pytest.mark.django_db
def test_deadline_states():
    today = D(2026, 11, 16)  # Monday
    assert wcal.deadline_state(D(2026, 11, 13), today) == wcal.DeadlineState.OVERDUE
    assert wcal.deadline_state(D(2026, 11, 17), today) == wcal.DeadlineState.DUE_SOON
    assert wcal.deadline_state(D(2026, 11, 18), today) == wcal.DeadlineState.DUE_SOON
    assert wcal.deadline_state(D(2026, 11, 25), today) == wcal.DeadlineState.NORMAL
    assert wcal.deadline_state(None, today) == wcal.DeadlineState.NORMAL


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        wcal.add_working_days(D(2026, 1, 5), -1)
