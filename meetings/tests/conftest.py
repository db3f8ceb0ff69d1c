import pytest

from workcal import calendar as wcal


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # A YearSchedule rolled back with a test's transaction sends no signal: drop the cache.
    wcal.clear_cache()
    yield
    wcal.clear_cache()
