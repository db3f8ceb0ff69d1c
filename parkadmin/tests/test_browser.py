"""园区管理 in a real Chromium: the park's administrator enters a holiday schedule in the product,
adds a handler to a department, and a task dispatched afterwards gets its deadline from the
entered schedule. Screenshots at 1366 px and 375 px go to build/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import World, build_world
from demands.models import Task
from ops.tests.helpers import make_demand
from orgs.models import User
from parkadmin.models import AdminChange
from qinshang.browsertests import DESKTOP, PHONE, SHOTS, click_and_wait_success, require_chromium
from workcal import calendar as wcal

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _login(browser, base: str, username: str, viewport: dict):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login/" not in page.url, (
        f"{username} could not log in: {page.inner_text('main')[:300]}"
    )
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    size = page.viewport_size
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name}: page is {width}px wide at 375px ({page.url})"
    page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
    page.set_viewport_size(size or DESKTOP)


def _window_holidays(today: dt.date) -> tuple[int, list[dt.date]]:
    """A year and the weekdays of it in the next fortnight: declared holidays there must move
    a deadline counted from today, whatever day the suite runs on."""
    year = (today + dt.timedelta(days=14)).year
    days = [today + dt.timedelta(days=i) for i in range(1, 15)]
    return year, [d for d in days if d.year == year and d.weekday() < 5][:3]


def test_admin_enters_a_schedule_and_a_deadline_follows(browser, live_server):  # type: ignore[no-untyped-def]
    w: World = build_world()
    base = live_server.url
    wcal.clear_cache()
    today = wcal.today()
    year, holidays = _window_holidays(today)
    limit = w.cat_finance.time_limit_days
    before = wcal.add_working_days(today, limit)

    admin = _login(browser, base, "admin", DESKTOP)
    admin.goto(base + "/manage/")
    admin.wait_for_selector("#calendar-years")
    _shot(admin, "parkadmin-home")
    admin.goto(base + f"/manage/calendar/{year}/")
    admin.fill("#i-hol", "\n".join(d.isoformat() for d in holidays))
    admin.fill("#i-src", "国办发明电（测试）")
    _shot(admin, "parkadmin-calendar")
    click_and_wait_success(admin, "form.card button.primary")
    assert "已保存" in admin.inner_text(".alert.success")

    # A new handler for 经济发展局, on a phone.
    phone = _login(browser, base, "admin", PHONE)
    phone.goto(base + "/manage/staff/new/")
    phone.fill("#i-full", "李四")
    phone.fill("#i-user", "lisi")
    phone.fill("#i-phone", "13907329876")
    phone.select_option("#i-role", "handler")
    phone.select_option("#i-dept", str(w.dept_a.pk))
    click_and_wait_success(phone, "form.card button.primary")
    notice = phone.inner_text(".alert.success")
    assert "初始密码" in notice
    _shot(phone, "parkadmin-staff-new")
    assert User.objects.get(username="lisi").department == w.dept_a
    assert AdminChange.objects.count() == 2

    # A task dispatched now counts the entered holidays.
    wcal.clear_cache()
    demand = make_demand(w)
    disp = w.users["dispatcher"]
    from demands import services as demand_services

    demand_services.dispatch(disp, demand, lead_department_id=w.dept_a.pk)
    task = Task.objects.get(demand=demand)
    after = wcal.add_working_days(timezone.localtime(task.assigned_at).date(), limit)
    assert task.deadline == after
    assert after > before, (before, after, holidays)

    dispatcher = _login(browser, base, "disp", DESKTOP)
    dispatcher.goto(base + f"/demands/{demand.pk}/")
    dispatcher.wait_for_selector("main h1")
    assert after.strftime("%m-%d") in dispatcher.inner_text("main")
    _shot(dispatcher, "parkadmin-deadline")
    wcal.clear_cache()


def test_admin_enters_the_2027_schedule_and_a_deadline_crossing_new_year_moves(
    browser, live_server
):  # type: ignore[no-untyped-def]
    """The schedule the State Council publishes for 2027 (data the calendar package lacks) typed
    in by the park's administrator on a phone: a task dispatched on 28 December 2026 with five
    working days is due after the entered New Year holidays, and its page says so with the year."""
    w: World = build_world()
    base = live_server.url
    wcal.clear_cache()
    start = dt.date(2026, 12, 28)  # a Monday
    limit = w.cat_finance.time_limit_days
    before = wcal.add_working_days(start, limit)
    holidays = [dt.date(2027, 1, 1), dt.date(2027, 1, 4), dt.date(2027, 1, 5)]
    assert any(d in holidays for d in [before - dt.timedelta(days=i) for i in range(8)])

    admin = _login(browser, base, "admin", PHONE)
    admin.goto(base + "/manage/calendar/2027/")
    admin.fill("#i-hol", "\n".join(d.isoformat() for d in holidays))
    admin.fill("#i-src", "国务院办公厅关于2027年部分节假日安排的通知（测试）")
    _shot(admin, "parkadmin-2027-calendar")
    click_and_wait_success(admin, "form.card button.primary")
    assert "已保存" in admin.inner_text(".alert.success")

    wcal.clear_cache()
    after = wcal.add_working_days(start, limit)
    assert after.year == 2027 and after > before, (before, after)
    demand = make_demand(w)
    from demands import services as demand_services

    at = timezone.make_aware(dt.datetime(2026, 12, 28, 9, 0))
    demand_services.dispatch(w.users["dispatcher"], demand, lead_department_id=w.dept_a.pk, at=at)
    task = Task.objects.get(demand=demand)
    assert task.deadline == after
    dispatcher = _login(browser, base, "disp", DESKTOP)
    dispatcher.goto(base + f"/demands/{demand.pk}/")
    dispatcher.wait_for_selector("main h1")
    assert after.strftime("%Y-%m-%d") in dispatcher.inner_text("main")
    _shot(dispatcher, "parkadmin-2027-deadline")
    wcal.clear_cache()
