"""Every action of the meeting pages (/meetings/<id>/do/<action>/) and the API's decision
endpoint, as each role of the park and as the other park's users: the dispatch centre prepares
(agenda, date), the chair and the dispatch centre record (hold, attendance, notes, decisions,
minutes, issue); everyone else is refused with nothing changed, and the other park finds
nothing (404). The permission matrix only posts `refresh`; the other actions are here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from meetings import services
from meetings.models import MeetingEvent
from meetings.tests.helpers import demand, escalated, held, meeting, tasks_decision
from meetings.tests.test_bad_input import unchanged

pytestmark = pytest.mark.django_db

PREPARE = {"dispatcher", "admin"}
RECORD = PREPARE | {"leader"}
STAFF = [
    "dispatcher",
    "admin",
    "leader",
    "handler",
    "head",
    "handler_b",
    "liaison",
    "enterprise",
    "resident",
    "expert",
    "bank",
]
OUTSIDERS = ["dispatcher", "handler", "enterprise", "admin"]

# action → (who may, the meeting's state it needs, the form)
ACTIONS = {
    "refresh": (PREPARE, "preparing", lambda w, m, i: {}),
    "add_item": (PREPARE, "preparing", lambda w, m, i: {"demand_number": demand(w, "新增").number}),
    "move": (
        PREPARE,
        "preparing",
        lambda w, m, i: {
            "date": services.first_working_day(m.date + dt.timedelta(days=3)).isoformat(),
            "reason": "领导日程调整",
        },
    ),
    "hold": (RECORD, "due", lambda w, m, i: {}),
    "attendance": (RECORD, "held", lambda w, m, i: {"department_ids": [w.dept_a.pk]}),
    "notes": (RECORD, "held", lambda w, m, i: {"item_id": i.pk, "notes": "企业汇报了进展"}),
    "decide": (
        RECORD,
        "held",
        lambda w, m, i: {
            "item_id": i.pk,
            "kind": "tasks",
            "text": "限期办理",
            "lead_department": w.dept_a.pk,
            "lead_days": "5",
        },
    ),
    "minutes": (RECORD, "held", lambda w, m, i: {"text": "会议听取了往期交办事项落实情况"}),
    "issue": (RECORD, "decided", lambda w, m, i: {}),
}
CASES = [(a, who) for a, (allowed, _, _) in ACTIONS.items() for who in sorted(allowed)]


def _meeting(world, state):  # type: ignore[no-untyped-def]
    escalated(world, "二期厂房用地指标")
    if state == "preparing":
        m = meeting(world, date=services._today() + dt.timedelta(days=10))
    else:
        m = meeting(world)
        if state in ("held", "decided"):
            m = held(world, m)
        if state == "decided":
            tasks_decision(world, m, m.items.first(), [(world.dept_a, "lead", 5)])
    return m, m.items.first()


@pytest.mark.parametrize("action, allowed_role", CASES)
def test_meeting_page_action_by_role_and_park(world, action, allowed_role):
    allowed, state, form = ACTIONS[action]
    m, item = _meeting(world, state)
    data = form(world, m, item)
    url = f"/meetings/{m.pk}/do/{action}/"
    c = Client()
    for who in STAFF:
        if who in allowed:
            continue
        c.force_login(world.users[who])
        with unchanged():
            r = c.post(url, data)
        assert r.status_code in (403, 404), (who, r.status_code)
    for who in OUTSIDERS:
        c.force_login(world.other_users[who])
        with unchanged():
            r = c.post(url, data)
        assert r.status_code == 404, (who, r.status_code)
    c.logout()
    with unchanged():
        r = c.post(url, data)
    assert r.status_code == 302 and "/login/" in r.url
    # The allowed role does it: a success message and a recorded event.
    c.force_login(world.users[allowed_role])
    before = MeetingEvent.objects.filter(meeting=m).count()
    r = c.post(url, data, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "未完成" not in page, page[:2000]
    if action != "refresh":  # refreshing an agenda that is complete records nothing
        assert MeetingEvent.objects.filter(meeting=m).count() > before


@pytest.mark.parametrize("who", ["handler", "head", "liaison", "enterprise", "expert", "resident"])
def test_decision_api_refused_roles_change_nothing(world, who):
    m, item = _meeting(world, "held")
    body = {
        "item_id": item.pk,
        "kind": "tasks",
        "text": "限期办理",
        "tasks": [{"department_id": world.dept_a.pk, "role": "lead", "time_limit_days": 5}],
    }
    with unchanged():
        r = world.client(who).post(f"/meetings/{m.pk}/decisions", body)
    assert r.status_code in (403, 404)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_decision_api_another_park(world, who):
    m, item = _meeting(world, "held")
    body = {"item_id": item.pk, "kind": "on_spot", "text": "现场答复"}
    with unchanged():
        r = world.client(who, other=True).post(f"/meetings/{m.pk}/decisions", body)
    assert r.status_code == 404


@pytest.mark.parametrize("who", sorted(RECORD))
def test_decision_api_allowed_roles(world, who):
    m, item = _meeting(world, "held")
    body = {"item_id": item.pk, "kind": "on_spot", "text": "现场答复"}
    r = world.client(who).post(f"/meetings/{m.pk}/decisions", body)
    assert r.status_code == 201, r.content
