"""Bad input at the meetings rung — a decision without a department, a deadline of 0 or 10,000
working days, a meeting dated in the past — through the service, the page and the API: each
gets a clear Chinese message and changes nothing (the meeting's rows, the ledger's demands, tasks
and events, the meeting's events and the notifications are compared before and after)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.test import Client

from demands.models import Demand, Event, Task
from meetings import services
from meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionKind,
    DecisionTask,
    Meeting,
    MeetingEvent,
    MeetingKind,
)
from meetings.tests.helpers import escalated, held, meeting
from notifications.models import Notification
from qinshang.errors import InvalidInput

pytestmark = pytest.mark.django_db

LEAD, CO = "lead", "co"


def snapshot() -> tuple:
    return (
        list(Meeting.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        Attendance.objects.count(),
        list(Decision.objects.order_by("pk").values()),
        DecisionTask.objects.count(),
        list(Demand.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        Event.objects.count(),
        MeetingEvent.objects.count(),
        Notification.objects.count(),
    )


@contextmanager
def unchanged():
    before = snapshot()
    yield
    assert snapshot() == before, "refused input changed the database"


@pytest.fixture
def held_item(world):  # type: ignore[no-untyped-def]
    escalated(world, "二期厂房用地指标")
    m = held(world, meeting(world))
    return m, m.items.get()


def _page(world, who="leader"):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users[who])
    return c


# --------------------------------------------------------------------------- no department

NO_DEPT = "交办事项须指定责任单位（主办部门）"


def test_a_decision_without_a_department_service(world, held_item):
    m, item = held_item
    for tasks in ([], [services.TaskSpec(None, LEAD, 5)], [services.TaskSpec("", LEAD, 5)]):
        with unchanged(), pytest.raises(InvalidInput) as exc:
            services.decide(
                world.users["leader"],
                m,
                item_id=item.pk,
                kind=DecisionKind.TASKS,
                text="限期协调解决",
                tasks=tasks,
            )
        assert exc.value.message == NO_DEPT
    # Only 协办 given: still no 主办.
    with unchanged(), pytest.raises(InvalidInput, match="须指定一个主办部门"):
        services.decide(
            world.users["leader"],
            m,
            item_id=item.pk,
            kind=DecisionKind.TASKS,
            text="限期协调解决",
            tasks=[services.TaskSpec(world.dept_a.pk, CO, 5)],
        )


def test_a_decision_without_a_department_page(world, held_item):
    m, item = held_item
    c = _page(world)
    form = {
        "item_id": item.pk,
        "kind": "tasks",
        "text": "限期协调解决",
        "next": f"/meetings/{m.pk}/live/",
    }
    with unchanged():
        r = c.post(
            f"/meetings/{m.pk}/do/decide/", {**form, "lead_department": "", "lead_days": "5"}
        )
    assert r.status_code == 302 and r.url.endswith(f"/meetings/{m.pk}/live/#item-{item.pk}")
    page = c.get(r.url).content.decode()
    assert f"议定未完成：{NO_DEPT}" in page


def test_a_decision_without_a_department_api(world, held_item):
    m, item = held_item
    api = world.client("leader")
    body = {"item_id": item.pk, "kind": "tasks", "text": "限期协调解决"}
    for tasks in ([], [{"department_id": None, "role": "lead", "time_limit_days": 5}]):
        with unchanged():
            r = api.post(f"/meetings/{m.pk}/decisions", {**body, "tasks": tasks})
        assert r.status_code == 422 and r.json()["detail"] == NO_DEPT


# --------------------------------------------------------------------------- 0 / 10,000 days


@pytest.mark.parametrize("days", [0, 10_000])
@pytest.mark.parametrize("role", [LEAD, CO])
def test_a_deadline_out_of_bounds_service(world, held_item, days, role):
    m, item = held_item
    tasks = [services.TaskSpec(world.dept_b.pk, LEAD, days if role == LEAD else 10)]
    if role == CO:
        tasks.append(services.TaskSpec(world.dept_a.pk, CO, days))
    name = world.dept_b.name if role == LEAD else world.dept_a.name
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.decide(
            world.users["leader"],
            m,
            item_id=item.pk,
            kind=DecisionKind.TASKS,
            text="限期办理",
            tasks=tasks,
        )
    assert exc.value.message == f"{name}的办结时限应在 1 到 120 个工作日之间（填写的是 {days}）"


@pytest.mark.parametrize("days", ["0", "10000"])
def test_a_deadline_out_of_bounds_page(world, held_item, days):
    m, item = held_item
    c = _page(world)
    form = {
        "item_id": item.pk,
        "kind": "tasks",
        "text": "限期办理",
        "lead_department": world.dept_b.pk,
        "lead_days": "10",
        "co_department_0": world.dept_a.pk,
        "co_days_0": "5",
    }
    for bad in ({"lead_days": days}, {"co_days_0": days}):
        with unchanged():
            r = c.post(f"/meetings/{m.pk}/do/decide/", {**form, **bad}, follow=True)
        page = r.content.decode()
        assert "议定未完成：" in page and f"应在 1 到 120 个工作日之间（填写的是 {days}）" in page
    # The same form with sound deadlines goes through: the refusals were about the days.
    r = c.post(f"/meetings/{m.pk}/do/decide/", form, follow=True)
    assert "已向 2 个部门交办任务" in r.content.decode()


@pytest.mark.parametrize("days", [0, 10_000])
def test_a_deadline_out_of_bounds_api(world, held_item, days):
    m, item = held_item
    api = world.client("leader")
    lead = {"department_id": world.dept_b.pk, "role": "lead", "time_limit_days": 10}
    co = {"department_id": world.dept_a.pk, "role": "co", "time_limit_days": 5}
    body = {"item_id": item.pk, "kind": "tasks", "text": "限期办理"}
    for tasks in ([{**lead, "time_limit_days": days}, co], [lead, {**co, "time_limit_days": days}]):
        with unchanged():
            r = api.post(f"/meetings/{m.pk}/decisions", {**body, "tasks": tasks})
        assert r.status_code == 422
        assert f"应在 1 到 120 个工作日之间（填写的是 {days}）" in r.json()["detail"]
    r = api.post(f"/meetings/{m.pk}/decisions", {**body, "tasks": [lead, co]})
    assert r.status_code == 201 and Task.objects.filter(department=world.dept_a).count() == 1


# --------------------------------------------------------------------------- in the past


def _past_message(day: dt.date) -> str:
    return f"会议日期 {day:%Y-%m-%d} 已经过去，请选择今天或以后的日期"


def test_a_meeting_dated_in_the_past_service(world):
    yesterday = services._today() - dt.timedelta(days=1)
    data = services.MeetingInput(
        kind=MeetingKind.RECEPTION,
        date=yesterday,
        place="管委会三楼会议室",
        chair_id=world.users["leader"].pk,
    )
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.create_meeting(world.users["dispatcher"], world.park, data)
    assert exc.value.message == _past_message(yesterday)
    # Moving a meeting into the past is refused the same way, and the date stays.
    m = meeting(world, date=services._today() + dt.timedelta(days=7))
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.move_meeting(world.users["dispatcher"], m, date=yesterday, reason="领导出差")
    assert exc.value.message == _past_message(yesterday)
    # `at=` says what "today" is: the same date is fine for a meeting created the day before.
    before = services._now() - dt.timedelta(days=1)
    ok = services.create_meeting(world.users["dispatcher"], world.park, data, at=before)
    assert ok.date == yesterday


def test_a_meeting_dated_in_the_past_page(world):
    c = _page(world, "dispatcher")
    data = {
        "kind": "reception",
        "date": "2020-01-09",
        "place": "管委会三楼会议室",
        "chair_id": world.users["leader"].pk,
    }
    with unchanged():
        r = c.post("/meetings/new/", data)
    assert r.status_code == 422
    assert _past_message(dt.date(2020, 1, 9)) in r.content.decode()
    m = meeting(world, date=services._today() + dt.timedelta(days=7))
    with unchanged():
        r = c.post(
            f"/meetings/{m.pk}/do/move/",
            {"date": "2020-01-09", "reason": "领导出差"},
            follow=True,
        )
    assert "调整日期未完成：" + _past_message(dt.date(2020, 1, 9)) in r.content.decode()


def test_a_meeting_dated_in_the_past_api(world):
    api = world.client("dispatcher")
    body = {
        "kind": "reception",
        "date": "2020-01-09",
        "place": "管委会三楼会议室",
        "chair_id": world.users["leader"].pk,
    }
    with unchanged():
        r = api.post("/meetings", body)
    assert r.status_code == 422 and r.json()["detail"] == _past_message(dt.date(2020, 1, 9))
    r = api.post("/meetings", {**body, "date": services._today().isoformat()})
    assert r.status_code == 201
