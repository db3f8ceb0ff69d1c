"""Pages under /meetings/: each role allowed and refused, another park, filters and paging,
and form errors that change nothing."""

import datetime as dt

import pytest

from demands.models import Task
from meetings import services
from meetings.models import Decision, Meeting, MeetingKind, MeetingStatus, Schedule
from meetings.tests.helpers import demand, escalated, held, meeting, tasks_decision


@pytest.fixture
def held_meeting(world):
    escalated(world, "扩建用地")
    escalated(world, "融资贷款", enterprise=world.enterprise2)
    m = held(world, meeting(world, department_ids=[world.dept_b.pk]))
    tasks_decision(world, m, m.items.first(), [(world.dept_a, "lead", 5)])
    return m


def _get(client, world, who, url, other=False):
    client.force_login((world.other_users if other else world.users)[who])
    return client.get(url)


def test_list_for_each_role(world, client, held_meeting):
    for who in ("dispatcher", "admin", "leader", "handler", "handler_b", "enterprise"):
        r = _get(client, world, who, "/meetings/")
        assert r.status_code == 200, who
        assert held_meeting.title in r.content.decode(), who
    r = _get(client, world, "handler_c", "/meetings/")
    assert held_meeting.title not in r.content.decode()
    r = _get(client, world, "dispatcher", "/meetings/", other=True)
    assert held_meeting.title not in r.content.decode()
    listed = _get(client, world, "leader", "/meetings/").content.decode()
    assert "议题 2 · 议定 1 · 按时办结 0/1" in listed
    nav = listed
    assert 'href="/meetings/"' in nav.split('aria-label="主导航"')[1]


def test_list_filters_and_pages(world, client):
    for n in range(23):
        Meeting.objects.create(
            park=world.park,
            kind=MeetingKind.PROJECT if n % 2 else MeetingKind.TOPIC,
            year=2026,
            number=n + 1,
            date=dt.date(2026, 1, 5) + dt.timedelta(days=7 * n),
            created_at=services._now(),
        )
    client.force_login(world.users["dispatcher"])
    page = client.get("/meetings/").content.decode()
    assert "第 1/2 页，共 23 次会议" in page
    page2 = client.get("/meetings/?page=2").content.decode()
    assert "第 2/2 页" in page2
    only = client.get("/meetings/?kind=project").content.decode()
    listed = only.split('id="meetings"')[1]
    assert "专题协调会" not in listed and listed.count("重点项目调度会</a>") == 11
    assert (
        client.get("/meetings/?kind=project&status=issued").content.decode().count('class="item"')
        == 0
    )


def test_detail_for_each_role_and_another_park(world, client, held_meeting):
    url = f"/meetings/{held_meeting.pk}/"
    for who in ("dispatcher", "admin", "leader", "handler", "handler_b"):
        r = _get(client, world, who, url)
        assert r.status_code == 200, who
        assert "往期交办事项落实情况" in r.content.decode()
    r = _get(client, world, "enterprise", url)
    body = r.content.decode()
    assert r.status_code == 200 and "扩建用地" in body and "融资贷款" not in body
    assert "往期交办事项落实情况" not in body
    for who in ("handler_c", "resident", "expert"):
        assert _get(client, world, who, url).status_code == 403, who
    for who in ("dispatcher", "handler", "enterprise"):
        assert _get(client, world, who, url, other=True).status_code == 404


def test_live_page_only_for_the_chair_and_dispatch(world, client, held_meeting):
    url = f"/meetings/{held_meeting.pk}/live/"
    for who in ("dispatcher", "leader", "admin"):
        r = _get(client, world, who, url)
        assert r.status_code == 200 and "议定事项" in r.content.decode()
    for who in ("handler", "enterprise"):
        assert _get(client, world, who, url).status_code == 403
    assert _get(client, world, "dispatcher", url, other=True).status_code == 404


def test_prepare_pages_only_for_dispatch(world, client):
    for url in ("/meetings/new/", "/meetings/schedules/"):
        for who in ("dispatcher", "admin"):
            assert _get(client, world, who, url).status_code == 200
        for who in ("leader", "handler", "enterprise"):
            assert _get(client, world, who, url).status_code == 403
    assert _get(client, world, "enterprise", "/meetings/register/").status_code == 200
    assert _get(client, world, "dispatcher", "/meetings/register/").status_code == 403


def test_schedule_page_saves_and_shows_the_next_date(world, client):
    client.force_login(world.users["dispatcher"])
    page = client.get("/meetings/schedules/").content.decode()
    assert "下一次" in page and "企业接待日" in page
    r = client.post(
        "/meetings/schedules/",
        {"kind": "reception", "enabled": "1", "day_of_month": "40", "lead_working_days": "5"},
    )
    assert "每月几日应在 1 到 31 之间" in r.content.decode()
    assert Schedule.objects.get(park=world.park, kind="reception").day_of_month == 9
    r = client.post(
        "/meetings/schedules/",
        {
            "kind": "reception",
            "enabled": "1",
            "day_of_month": "10",
            "lead_working_days": "3",
            "start_time": "14:30",
            "place": "二楼",
        },
    )
    assert r.status_code == 302
    s = Schedule.objects.get(park=world.park, kind="reception")
    assert (s.day_of_month, s.lead_working_days, s.place) == (10, 3, "二楼")


def test_create_meeting_page_and_bad_date(world, client):
    client.force_login(world.users["dispatcher"])
    data = {
        "kind": "topic",
        "date": "2020-01-01",
        "place": "会议室",
        "chair_id": world.users["leader"].pk,
    }
    r = client.post("/meetings/new/", data)
    assert r.status_code == 422 and "已经过去" in r.content.decode()
    assert not Meeting.objects.exists()
    r = client.post(
        "/meetings/new/", {**data, "date": services._today().isoformat(), "theme": "物流"}
    )
    assert r.status_code == 302 and Meeting.objects.get().theme == "物流"


def test_bad_decision_form_says_why_and_changes_nothing(world, client, held_meeting):
    client.force_login(world.users["leader"])
    item = held_meeting.items.last()
    url = f"/meetings/{held_meeting.pk}/do/decide/"
    before = (Task.objects.count(), Decision.objects.count())
    for form, msg in (
        ({"lead_department": "", "lead_days": "5"}, "责任单位"),
        ({"lead_department": world.dept_c.pk, "lead_days": "0"}, "1 到 120"),
        ({"lead_department": world.dept_c.pk, "lead_days": "10000"}, "1 到 120"),
    ):
        r = client.post(
            url,
            {
                "item_id": item.pk,
                "kind": "tasks",
                "text": "交办",
                "next": f"/meetings/{held_meeting.pk}/live/",
                **form,
            },
            follow=True,
        )
        assert msg in r.content.decode()
        assert r.redirect_chain[-1][0].startswith(f"/meetings/{held_meeting.pk}/live/")
    assert (Task.objects.count(), Decision.objects.count()) == before
    r = client.post(
        url,
        {
            "item_id": item.pk,
            "kind": "tasks",
            "text": "交办",
            "lead_department": world.dept_c.pk,
            "lead_days": "5",
            "co_department_0": world.dept_b.pk,
            "co_days_0": "3",
        },
        follow=True,
    )
    assert "已向 2 个部门交办任务" in r.content.decode()


def test_enterprise_registers_from_the_portal(world, client):
    d = demand(world, "供电扩容")
    m = meeting(world, date=services._today() + dt.timedelta(days=8))
    client.force_login(world.users["enterprise"])
    assert "报名参加接待日" in client.get("/portal/").content.decode()
    r = client.post("/meetings/register/", {"demand_id": d.pk, "note": "请求协调"}, follow=True)
    assert f"已列入{m.title}" in r.content.decode()
    assert m.items.filter(demand=d, source="portal").exists()
    r = client.post("/meetings/register/", {"demand_id": d.pk})
    assert "已报名" in r.content.decode()


def test_status_actions_from_the_pages(world, client):
    escalated(world)
    m = meeting(world)
    client.force_login(world.users["handler"])
    assert client.post(f"/meetings/{m.pk}/do/hold/").status_code == 403
    client.force_login(world.users["leader"])
    r = client.post(f"/meetings/{m.pk}/do/hold/")
    assert r.status_code == 302 and r["Location"].endswith("/live/")
    m.refresh_from_db()
    assert m.status == MeetingStatus.HELD
    r = client.post(f"/meetings/{m.pk}/do/issue/", follow=True)
    assert "请先记录参会单位" in r.content.decode()
