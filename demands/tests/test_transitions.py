"""Every workflow action refused in a state that does not allow it: 409, nothing changed."""

import pytest

from demands.tests.helpers import new_demand, unchanged
from demands.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db


def _state(world, name):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)["id"]
    if name == "received":
        return d
    disp.act(d, "dispatch", lead_department_id=world.dept_a.pk)
    if name == "dispatched":
        return d
    hand = world.client("handler")
    hand.act(d, "sign")
    if name == "signed":
        return d
    hand.act(d, "reply", answer="已办理", outcome="solved")
    if name == "answered":
        return d
    world.client("enterprise").act(d, "confirm", satisfaction="satisfied")
    disp.act(d, "close")
    if name == "closed":
        return d
    if name == "merged":
        target = new_demand(disp, world.enterprise.pk)["id"]
        fresh = new_demand(disp, world.enterprise.pk)["id"]
        disp.act(fresh, "merge", into_id=target)
        return fresh
    raise AssertionError(name)


CASES = [
    ("resolve_on_spot", "dispatched", "dispatcher", {"answer": "a", "outcome": "solved"}),
    ("dispatch", "dispatched", "dispatcher", {"lead_department_id": "A"}),
    ("undo_dispatch", "signed", "dispatcher", {}),
    ("sign", "signed", "handler", {}),
    ("return", "signed", "handler", {"reason": "not_our_duty", "note": "x"}),
    ("redispatch", "dispatched", "dispatcher", {"department_id": "B"}),
    ("insist", "dispatched", "dispatcher", {"note": "坚持"}),
    ("request_extension", "dispatched", "handler", {"days": 3, "reason": "r"}),
    ("decide_extension", "signed", "dispatcher", {"approve": True}),
    ("pause", "dispatched", "handler", {"note": "材料"}),
    ("resume", "signed", "handler", {}),
    ("reply", "dispatched", "handler", {"answer": "a", "outcome": "solved"}),
    ("confirm", "signed", "enterprise", {"satisfaction": "satisfied"}),
    ("record_callback", "signed", "liaison", {"note": "无人接听"}),
    ("close", "signed", "dispatcher", {}),
    ("reopen", "signed", "dispatcher", {"reason": "再次出现"}),
    ("urge", "received", "dispatcher", {}),
    ("merge", "closed", "dispatcher", {"into_id": "NEW"}),
    ("escalate", "closed", "dispatcher", {"tier": "expert", "note": "n"}),
    ("comment", "merged", "dispatcher", {"note": "n"}),
    ("assign", "answered", "head", {"handler_id": "H"}),
    ("require_review", "answered", "head", {}),
    ("approve_reply", "signed", "head", {}),
    ("send_back_reply", "signed", "head", {"note": "请补充依据"}),
    ("ask_info", "answered", "dispatcher", {"question": "请提供营业执照"}),
    ("supply_info", "signed", "enterprise", {"answer": "已上传"}),
    ("record_supply", "signed", "dispatcher", {"answer": "电话告知"}),
    ("record_supply", "closed", "dispatcher", {"answer": "电话告知"}),
    ("close_unreachable", "signed", "dispatcher", {"kind": "unreachable", "note": "n"}),
]


def test_the_cases_cover_every_action():
    assert {c[0] for c in CASES} == set(TRANSITIONS)


@pytest.mark.parametrize("action,state,who,payload", CASES, ids=[c[0] for c in CASES])
def test_refused_in_the_wrong_state(world, action, state, who, payload):
    did = _state(world, state)
    body = dict(payload)
    if body.get("lead_department_id") == "A":
        body["lead_department_id"] = world.dept_a.pk
    if body.get("handler_id") == "H":
        body["handler_id"] = world.users["handler"].pk
    if body.get("department_id") == "B":
        body["department_id"] = world.dept_b.pk
    if body.get("into_id") == "NEW":
        body["into_id"] = new_demand(world.client("dispatcher"), world.enterprise.pk)["id"]
    with unchanged():
        r = world.client(who).act(did, action, **body)
    assert r.status_code == 409, (action, state, r.status_code, r.content)
    assert r.json()["detail"]
