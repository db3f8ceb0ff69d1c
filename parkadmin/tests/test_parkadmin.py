"""园区管理: the park administrator maintains departments, staff, categories, settings and the
holiday schedule in the product; every refusal changes nothing and every change is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demands.models import Category, Task, TaskRole, TaskStatus
from notifications.models import Notification
from ops.tests.helpers import make_demand
from orgs.models import Department, Park, Role, User
from parkadmin import services
from parkadmin.models import AdminChange, ChangeAction, ChangeKind
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from workcal import calendar as wcal
from workcal.models import YearSchedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():  # type: ignore[no-untyped-def]
    # Entered schedules are cached for a minute; a rolled-back test must not leave one behind.
    wcal.clear_cache()
    yield
    wcal.clear_cache()


def _login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _dept(**kw: str) -> services.DepartmentInput:
    data = {"name": "商务局", "code": "commerce", "is_active": "1", "sort": "50", **kw}
    return services.DepartmentInput.parse(data)


def test_admin_creates_and_renames_a_department_each_change_logged(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    d = services.save_department(admin, world.park, _dept())
    assert d.park == world.park and d.is_active
    services.save_department(admin, world.park, _dept(name="商务和口岸局"), d)
    log = list(AdminChange.objects.filter(kind=ChangeKind.DEPARTMENT).order_by("at", "id"))
    assert [c.action for c in log] == [ChangeAction.CREATED, ChangeAction.UPDATED]
    assert log[1].changed_fields() == [("名称", "商务局", "商务和口岸局")]
    assert log[1].actor == admin


def test_refused_department_changes_change_nothing(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    with pytest.raises(InvalidInput, match="已有名为“经济发展局”"):
        services.save_department(admin, world.park, _dept(name="经济发展局"))
    with pytest.raises(InvalidInput, match="代码"):
        services.DepartmentInput.parse({"name": "商务局", "code": "商 务"})
    with pytest.raises(Forbidden):
        services.save_department(world.users["dispatcher"], world.park, _dept())
    # 经济发展局 has an open task: it cannot be switched off until the task is re-routed.
    demand = make_demand(world)
    Task.objects.create(
        demand=demand,
        department=world.dept_a,
        role=TaskRole.LEAD,
        status=TaskStatus.PENDING,
        time_limit_days=5,
        assigned_at=timezone.now(),
        deadline=dt.date(2026, 12, 8),
    )
    assert Task.objects.filter(department=world.dept_a).exists()
    off = _dept(name="经济发展局", code="econ", is_active="")
    with pytest.raises(InvalidState, match="未办结的任务"):
        services.save_department(admin, world.park, off, world.dept_a)
    world.dept_a.refresh_from_db()
    assert world.dept_a.is_active
    assert not AdminChange.objects.exists()
    assert Department.objects.filter(park=world.park, name="商务局").count() == 0


def _staff(**kw: str) -> services.StaffInput:
    data = {
        "username": "zhangsan",
        "full_name": "张三",
        "phone": "13907325678",
        "role": Role.HANDLER,
        "department_id": "",
        "rank": "3",
        "is_active": "1",
        **kw,
    }
    return services.StaffInput.parse(data)


def test_new_staff_account_gets_a_temporary_password_that_logs_in(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    u, password = services.save_staff(admin, world.park, _staff(department_id=str(world.dept_b.pk)))
    assert len(password) == 12 and u.check_password(password)
    assert u.park == world.park and u.department == world.dept_b
    c = Client()
    r = c.post(reverse("login"), {"username": "zhangsan", "password": password})
    assert r.status_code == 302 and "_auth_user_id" in c.session
    change = AdminChange.objects.get(kind=ChangeKind.STAFF)
    assert change.after["部门"] == "自然资源和规划分局"
    assert password not in str(change.after)
    new = services.reset_password(admin, world.park, u)
    u.refresh_from_db()
    assert new != password and u.check_password(new) and not u.check_password(password)


def test_refused_staff_changes(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    with pytest.raises(InvalidInput, match="必须选择所在部门"):
        services.save_staff(admin, world.park, _staff())
    with pytest.raises(InvalidInput, match="已被使用"):
        services.save_staff(admin, world.park, _staff(username="HAND_A", role=Role.LEADER))
    with pytest.raises(InvalidInput, match="工作人员角色"):
        _staff(role=Role.ENTERPRISE)
    with pytest.raises(InvalidInput, match="不属于本园区"):
        other = Department.objects.create(park=world.other_park, name="外园区部门", code="x")
        services.save_staff(admin, world.park, _staff(department_id=str(other.pk)))
    with pytest.raises(InvalidState, match="自己"):
        services.save_staff(admin, world.park, _staff(username="admin", role=Role.LEADER), admin)
    # The enterprise's liaison cannot be switched off before the handover.
    liaison = world.users["liaison"]
    off = _staff(
        username="liaison", role=Role.LIAISON, department_id=str(world.dept_c.pk), is_active=""
    )
    with pytest.raises(InvalidState, match="工作交接"):
        services.save_staff(admin, world.park, off, liaison)
    liaison.refresh_from_db()
    assert liaison.is_active
    assert not User.objects.filter(username="zhangsan").exists()
    assert not AdminChange.objects.exists()


def _cat(**kw: str) -> services.CategoryInput:
    data = {
        "name": "出口退税",
        "code": "tax-refund",
        "time_limit_days": "5",
        "is_active": "1",
        **kw,
    }
    return services.CategoryInput.parse(data, kw.get("co", "").split())


def test_category_with_its_default_department_and_limit(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    c = services.save_category(
        admin,
        world.park,
        _cat(
            parent_id=str(world.cat_parent.pk),
            default_department_id=str(world.dept_a.pk),
            co=str(world.dept_b.pk),
        ),
    )
    assert c.parent == world.cat_parent and c.default_department == world.dept_a
    assert list(c.default_co_departments.all()) == [world.dept_b]
    services.save_category(
        admin,
        world.park,
        _cat(
            parent_id=str(world.cat_parent.pk),
            default_department_id=str(world.dept_a.pk),
            time_limit_days="8",
        ),
        c,
    )
    c.refresh_from_db()
    assert c.time_limit_days == 8 and not c.default_co_departments.exists()
    change = AdminChange.objects.filter(kind=ChangeKind.CATEGORY).latest("id")
    assert ("办理时限（工作日）", "5", "8") in change.changed_fields()


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"time_limit_days": "0"}, "1 到 365"),
        ({"time_limit_days": "10000"}, "1 到 365"),
        ({"time_limit_days": "五"}, "整数"),
        ({"name": ""}, "类别名称不能为空"),
    ],
)
def test_bad_category_input_is_refused(world, kw, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=message):
        _cat(**kw)


def test_category_rules_of_the_tree(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    before = Category.objects.count()
    with pytest.raises(InvalidInput, match="只有两级"):
        services.save_category(admin, world.park, _cat(parent_id=str(world.cat_finance.pk)))
    with pytest.raises(InvalidInput, match="不能同时是协办"):
        services.save_category(
            admin,
            world.park,
            _cat(default_department_id=str(world.dept_a.pk), co=str(world.dept_a.pk)),
        )
    assert Category.objects.count() == before


def test_park_settings_bounds_and_log(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    data = {
        "response_window_working_days": "2",
        "due_soon_working_days": "3",
        "auto_close_working_days": "7",
        "info_wait_working_days": "10",
        "auto_dispatch_threshold": "0.9",
    }
    services.save_settings(admin, world.park, data, "按管委会要求调整")
    park = Park.objects.get(pk=world.park.pk)
    assert (park.response_window_working_days, park.auto_dispatch_threshold) == (2, 0.9)
    assert AdminChange.objects.get(kind=ChangeKind.SETTINGS).reason == "按管委会要求调整"
    for bad in ({"auto_dispatch_threshold": "0.2"}, {"auto_close_working_days": "0"}):
        with pytest.raises(InvalidInput):
            services.save_settings(admin, world.park, {**data, **bad})
    assert Park.objects.get(pk=world.park.pk).auto_close_working_days == 7


def test_entering_next_years_schedule_moves_deadlines(world):  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    start = dt.date(2026, 12, 31)
    assert wcal.rules_for(2027).source == "fallback"
    assert wcal.add_working_days(start, 1) == dt.date(2027, 1, 1)  # a Friday, without a schedule
    assert services.missing_next_year(dt.date(2026, 12, 1)) == 2027
    assert services.missing_next_year(dt.date(2026, 10, 31)) is None
    services.save_year_schedule(
        admin, world.park, 2027, "2027-01-01~2027-01-03\n2027-02-06~2027-02-12", "2027-02-14", ""
    )
    assert wcal.add_working_days(start, 1) == dt.date(2027, 1, 4)
    assert wcal.is_workday(dt.date(2027, 2, 14))  # a Sunday worked as 调休
    assert services.missing_next_year(dt.date(2026, 12, 1)) is None
    assert AdminChange.objects.get(kind=ChangeKind.CALENDAR).action == ChangeAction.CREATED


@pytest.mark.parametrize(
    "holidays,workdays,message",
    [
        ("2028-01-01", "", "不属于 2027 年"),
        ("2027-13-01", "", "无法识别"),
        ("2027-01-01", "2027-01-01", "既是放假日又是调休上班日"),
        ("2027-01-01", "2027-01-04", "是工作日"),
        ("", "", "放假日期不能为空"),
    ],
)
def test_bad_schedule_is_refused_and_changes_nothing(world, holidays, workdays, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=message):
        services.save_year_schedule(world.users["admin"], world.park, 2027, holidays, workdays, "")
    assert not YearSchedule.objects.exists()
    assert not AdminChange.objects.exists()


def test_reminder_reaches_admins_once_in_november_and_december(world):  # type: ignore[no-untyped-def]
    assert services.remind_missing_schedule(dt.date(2026, 10, 20)) == 0
    assert services.remind_missing_schedule(dt.date(2026, 11, 20)) >= 1
    services.remind_missing_schedule(dt.date(2026, 11, 21))  # the next day: nothing new
    note = Notification.objects.get(user=world.users["admin"])
    assert "2027 年节假日" in note.text and note.link == "/manage/calendar/2027/"
    assert not Notification.objects.filter(user=world.users["dispatcher"]).exists()


def test_pages_for_the_admin_and_refusals(world):  # type: ignore[no-untyped-def]
    admin = _login(world.users["admin"])
    home = admin.get("/manage/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Django 管理后台" not in html and "部门" in html
    for url in (
        "/manage/departments/",
        f"/manage/departments/{world.dept_a.pk}/",
        "/manage/staff/?q=hand",
        "/manage/categories/",
        f"/manage/categories/{world.cat_finance.pk}/",
        "/manage/settings/",
        "/manage/calendar/2027/",
        "/manage/changes/",
    ):
        assert admin.get(url).status_code == 200, url
    r = admin.post(
        "/manage/departments/new/", {"name": "经济发展局", "code": "e2", "is_active": "1"}
    )
    assert r.status_code == 422 and "已有名为" in r.content.decode()
    r = admin.post("/manage/calendar/2027/", {"holidays": "2027-01-01~2027-01-03"})
    assert r.status_code == 302
    assert "calendar-missing" not in admin.get("/manage/").content.decode()
    assert _login(world.users["dispatcher"]).get("/manage/staff/").status_code == 403
    outsider = User.objects.create_user(
        username="other_admin", password="x", role=Role.ADMIN, park=world.other_park
    )
    assert _login(outsider).get(f"/manage/departments/{world.dept_a.pk}/").status_code == 404
