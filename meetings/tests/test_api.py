"""/api/v1/meetings: typed schemas, and who may see and do what (each role, another park)."""

import datetime as dt

import pytest

from demands.models import Task
from meetings import services
from meetings.models import Decision, Meeting
from meetings.tests.helpers import demand, escalated, held, meeting, tasks_decision

LEAD = "lead"


@pytest.fixture
def setup(world):
    d1 = escalated(world, "扩建用地")  # world.enterprise
    d2 = escalated(world, "融资贷款", enterprise=world.enterprise2)
    m = held(world, meeting(world, department_ids=[world.dept_b.pk]))
    i1, i2 = list(m.items.all())
    tasks_decision(world, m, i1, [(world.dept_a, LEAD, 5)])
    return world, m, d1, d2, i1, i2


def test_openapi_has_the_typed_schemas(world):
    from qinshang.api import api

    spec = api.get_openapi_schema()
    paths = spec["paths"]
    for p in (
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/meetings/{meeting_id}/agenda",
        "/api/v1/meetings/{meeting_id}/decisions",
    ):
        assert p in paths
    schemas = spec["components"]["schemas"]
    assert set(schemas["MeetingKind"]["enum"]) == {"reception", "project", "expert", "topic"}
    assert set(schemas["DecisionKind"]["enum"]) == {"tasks", "on_spot", "expert", "explained"}
    assert "tasks" in schemas["MeetingDecisionIn"]["properties"]


@pytest.mark.parametrize("who", ["dispatcher", "admin", "leader"])
def test_park_staff_see_every_meeting_with_task_states(setup, who):
    world, m, d1, d2, i1, i2 = setup
    r = world.client(who).get(f"/meetings/{m.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [a["demand_number"] for a in body["agenda"]] == [d1.number, d2.number]
    [dec] = body["decisions"]
    assert dec["kind"] == "tasks" and dec["tasks"][0]["department"]["name"] == "经济发展局"
    assert dec["tasks"][0]["state"] == "open" and dec["tasks"][0]["status"] == "pending"
    assert {a["unit"] for a in body["attendance"]} >= {"经济发展局"}
    assert world.client(who).get("/meetings").json()["count"] == 1


def test_departments_see_meetings_that_gave_them_tasks_or_invited_them(setup):
    world, m, *_ = setup
    assert world.client("handler").get(f"/meetings/{m.pk}").status_code == 200  # has a task
    assert world.client("handler_b").get(f"/meetings/{m.pk}").status_code == 200  # invited
    r = world.client("handler_c").get(f"/meetings/{m.pk}")  # neither
    assert r.status_code == 403 and "无权" in r.json()["detail"]
    assert world.client("handler_c").get("/meetings").json()["count"] == 0


def test_liaisons_see_meetings_that_hear_their_enterprises(setup):
    world, m, *_ = setup
    assert world.client("liaison").get(f"/meetings/{m.pk}").status_code == 200  # serves 恒远
    assert world.client("liaison2").get(f"/meetings/{m.pk}").status_code == 403
    assert world.client("expert").get(f"/meetings/{m.pk}").status_code == 403


def test_enterprise_sees_only_its_own_items(setup):
    world, m, d1, d2, i1, i2 = setup
    body = world.client("enterprise").get(f"/meetings/{m.pk}").json()
    assert [a["demand_number"] for a in body["agenda"]] == [d1.number]
    assert len(body["decisions"]) == 1 and body["attendance"] == [] and body["previous"] == []
    body2 = world.client("enterprise2").get(f"/meetings/{m.pk}").json()
    assert [a["demand_number"] for a in body2["agenda"]] == [d2.number]
    assert body2["decisions"] == []
    # A meeting that does not hear its demands is not shown to it at all.
    other = meeting(world, date=services._today() + dt.timedelta(days=9))
    assert world.client("enterprise").get(f"/meetings/{other.pk}").status_code == 403
    assert world.client("resident").get(f"/meetings/{m.pk}").status_code == 403


def test_nothing_crosses_parks(setup):
    world, m, *_ = setup
    for who in ("dispatcher", "admin", "handler", "enterprise"):
        c = world.client(who, other=True)
        assert c.get(f"/meetings/{m.pk}").status_code == 404
        assert c.get("/meetings").json()["count"] == 0
        assert c.post(f"/meetings/{m.pk}/agenda", {"demand_number": "x"}).status_code == 404
        body = {"item_id": 1, "kind": "on_spot", "text": "x"}
        assert c.post(f"/meetings/{m.pk}/decisions", body).status_code == 404
        assert c.post(f"/meetings/{m.pk}/issue").status_code == 404


def test_dispatchers_prepare(world):
    d = demand(world)
    day = services._today() + dt.timedelta(days=7)
    payload = {
        "kind": "reception",
        "date": day.isoformat(),
        "place": "管委会一楼",
        "chair_id": world.users["leader"].pk,
        "department_ids": [world.dept_a.pk],
    }
    for who in ("leader", "handler", "enterprise"):
        assert world.client(who).post("/meetings", payload).status_code == 403
    r = world.client("dispatcher").post("/meetings", payload)
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert r.json()["title"].endswith("第1期亲商优商企业接待日")
    assert (
        world.client("leader")
        .post(f"/meetings/{mid}/agenda", {"demand_number": d.number})
        .status_code
        == 403
    )
    r = world.client("dispatcher").post(f"/meetings/{mid}/agenda", {"demand_number": d.number})
    assert r.status_code == 201 and r.json()["source"] == "manual"
    bad = world.client("dispatcher").post("/meetings", {**payload, "date": "2020-01-01"})
    assert bad.status_code == 422 and "已经过去" in bad.json()["detail"]
    bad = world.client("dispatcher").post("/meetings", {**payload, "kind": "banquet"})
    assert bad.status_code == 422
    assert Meeting.objects.count() == 1


def test_leaders_chair_decisions(setup):
    world, m, d1, d2, i1, i2 = setup
    body = {
        "item_id": i2.pk,
        "kind": "tasks",
        "text": "限期办理",
        "tasks": [{"department_id": world.dept_c.pk, "role": "lead", "time_limit_days": 5}],
    }
    assert world.client("handler").post(f"/meetings/{m.pk}/decisions", body).status_code == 403
    assert world.client("enterprise").post(f"/meetings/{m.pk}/decisions", body).status_code == 403
    for days, status in ((0, 422), (10_000, 422)):
        bad = {**body, "tasks": [{**body["tasks"][0], "time_limit_days": days}]}
        r = world.client("leader").post(f"/meetings/{m.pk}/decisions", bad)
        assert r.status_code == status and "1 到 120" in r.json()["detail"]
    r = world.client("leader").post(f"/meetings/{m.pk}/decisions", {**body, "tasks": []})
    assert r.status_code == 422 and "责任单位" in r.json()["detail"]
    assert Decision.objects.count() == 1
    r = world.client("leader").post(f"/meetings/{m.pk}/decisions", body)
    assert r.status_code == 201, r.content
    assert (
        r.json()["tasks"][0]["deadline"] and Task.objects.filter(department=world.dept_c).exists()
    )


def test_decision_on_a_meeting_not_held_is_409(world):
    escalated(world)
    m = meeting(world)
    body = {"item_id": m.items.get().pk, "kind": "on_spot", "text": "现场答复"}
    r = world.client("leader").post(f"/meetings/{m.pk}/decisions", body)
    assert r.status_code == 409 and "尚未召开" in r.json()["detail"]


def test_hold_attendance_and_issue_endpoints(world):
    escalated(world)
    m = meeting(world)
    assert world.client("handler").post(f"/meetings/{m.pk}/hold").status_code == 403
    assert world.client("dispatcher", other=True).post(f"/meetings/{m.pk}/hold").status_code == 404
    r = world.client("leader").post(f"/meetings/{m.pk}/hold")
    assert r.status_code == 200 and r.json()["status"] == "held"
    body = {"department_ids": [world.dept_a.pk], "others": "湘潭恒远 王经理"}
    assert world.client("enterprise").post(f"/meetings/{m.pk}/attendance", body).status_code == 403
    r = world.client("dispatcher").post(f"/meetings/{m.pk}/attendance", body)
    assert [a["unit"] for a in r.json()["attendance"]] == ["经济发展局", "湘潭恒远"]
    r = world.client("dispatcher").post(f"/meetings/{m.pk}/issue")
    assert r.status_code == 409 and "议定事项" in r.json()["detail"]
    item = m.items.get()
    world.client("leader").post(
        f"/meetings/{m.pk}/decisions", {"item_id": item.pk, "kind": "on_spot", "text": "现场答复"}
    )
    assert world.client("handler").post(f"/meetings/{m.pk}/issue").status_code == 403
    r = world.client("dispatcher").post(f"/meetings/{m.pk}/issue")
    assert r.status_code == 200 and r.json()["status"] == "issued"


def test_assign_tasks_service_refuses_others_and_closed_demands(world):
    from demands import services as ds
    from demands.models import Status as DStatus
    from qinshang.errors import Forbidden, InvalidState

    d = demand(world)
    spec = [ds.Assignment(world.dept_a.pk, "lead", 5)]
    with pytest.raises(Forbidden):
        ds.assign_tasks(world.users["handler"], d, assignments=spec)
    type(d).objects.filter(pk=d.pk).update(status=DStatus.CLOSED)
    d.refresh_from_db()
    with pytest.raises(InvalidState, match="已销号"):
        ds.assign_tasks(world.users["dispatcher"], d, assignments=spec)
    assert not Task.objects.exists()
