"""Each role may fire exactly the actions the workflow table gives it; the others get 403."""

import pytest

from demands.tests.helpers import new_demand, unchanged

pytestmark = pytest.mark.django_db

ALL = [
    "dispatcher",
    "handler",
    "head",
    "handler_b",
    "handler_c",
    "liaison",
    "liaison2",
    "leader",
    "enterprise",
    "enterprise2",
    "resident",
    "expert",
    "admin",
]


def _received(world):
    return new_demand(world.client("dispatcher"), world.enterprise.pk)["id"]


def _dispatched(world):
    did = _received(world)
    world.client("dispatcher").act(did, "dispatch", lead_department_id=world.dept_a.pk)
    return did


def _signed(world):
    did = _dispatched(world)
    world.client("handler").act(did, "sign")
    return did


def _answered(world):
    did = _signed(world)
    world.client("handler").act(did, "reply", answer="已办理", outcome="solved")
    return did


CASES = [
    # (state builder, action, payload, roles that may)
    (_received, "dispatch", {"lead_department_id": "A"}, {"dispatcher", "admin"}),
    (
        _received,
        "resolve_on_spot",
        {"answer": "已现场答复", "outcome": "solved"},
        {"dispatcher", "admin", "liaison"},
    ),
    (_dispatched, "sign", {}, {"handler", "head"}),
    (
        _dispatched,
        "return",
        {"reason": "not_our_duty", "note": "不是本部门职能"},
        {"handler", "head"},
    ),
    (_dispatched, "urge", {"note": "请抓紧"}, {"dispatcher", "admin", "leader"}),
    (_signed, "reply", {"answer": "已办结", "outcome": "solved"}, {"handler", "head"}),
    (_signed, "pause", {"note": "请补充材料"}, {"handler", "head"}),
    (_signed, "request_extension", {"days": 3, "reason": "等待审批"}, {"handler", "head"}),
    (
        _answered,
        "confirm",
        {"satisfaction": "satisfied", "method": "phone"},
        {"liaison", "dispatcher", "admin", "enterprise"},
    ),
    (_answered, "record_callback", {"note": "无人接听"}, {"liaison", "dispatcher", "admin"}),
    (
        _received,
        "escalate",
        {"tier": "expert", "note": "历史遗留"},
        {"dispatcher", "admin", "leader"},
    ),
    (_received, "merge", {"into_id": None}, {"dispatcher", "admin"}),
]


@pytest.mark.parametrize("build,action,payload,allowed", CASES, ids=[c[1] for c in CASES])
def test_roles_for_each_action(world, build, action, payload, allowed):
    for who in ALL:
        did = build(world)
        body = dict(payload)
        if body.get("lead_department_id") == "A":
            body["lead_department_id"] = world.dept_a.pk
        if "into_id" in body:
            body["into_id"] = _received(world)
        c = world.client(who)
        if who in allowed:
            r = c.act(did, action, **body)
            assert r.status_code == 200, (who, action, r.content)
        else:
            with unchanged():
                r = c.act(did, action, **body)
            assert r.status_code == 403, (who, action, r.status_code, r.content)


def test_enterprise_confirms_only_its_own(world):
    did = _answered(world)
    with unchanged():
        assert (
            world.client("enterprise2").act(did, "confirm", satisfaction="satisfied").status_code
            == 403
        )
    assert (
        world.client("enterprise").act(did, "confirm", satisfaction="satisfied").status_code == 200
    )


def test_only_dispatch_staff_close(world):
    did = _answered(world)
    world.client("enterprise").act(did, "confirm", satisfaction="satisfied")
    for who in ALL:
        if who in ("dispatcher", "admin"):
            continue
        with unchanged():
            assert world.client(who).act(did, "close").status_code == 403, who
    assert world.client("admin").act(did, "close").status_code == 200


def test_who_may_record_a_demand(world):
    for who in ("handler", "head", "expert"):
        with unchanged():
            r = world.client(who).post(
                "/demands",
                {
                    "title": "t",
                    "description": "d",
                    "channel": "api",
                    "enterprise_id": world.enterprise.pk,
                },
            )
        assert r.status_code == 403, who


def test_enterprise_user_cannot_file_for_another_enterprise(world):
    with unchanged():
        r = world.client("enterprise").post(
            "/demands",
            {
                "title": "t",
                "description": "申请贴息贷款支持",
                "channel": "portal",
                "enterprise_id": world.enterprise2.pk,
            },
        )
    assert r.status_code == 403


def test_resident_files_without_an_enterprise_and_sees_only_that(world):
    c = world.client("resident")
    r = c.post(
        "/demands",
        {
            "title": "小区门口路灯不亮",
            "description": "九华大道某小区门口路灯坏了一周",
            "channel": "hotline",
            "community": "金鹏社区",
        },
    )
    assert r.status_code == 201, r.content
    body = c.get(f"/demands/{r.json()['id']}").json()
    assert body["channel"] == "portal" and body["requester_kind"] == "resident"
    new_demand(world.client("dispatcher"), world.enterprise.pk)
    assert c.get("/demands").json()["count"] == 1


def test_liaison_sees_the_demands_of_its_enterprises(world):
    did = _received(world)
    assert world.client("liaison").get(f"/demands/{did}").status_code == 200
    assert world.client("liaison2").get(f"/demands/{did}").status_code == 403


def test_escalation_alone_does_not_open_a_demand_to_experts(world):
    # Experts read the demands of consultations they sit on (experts/tests/test_demand_scoping).
    did = _received(world)
    assert world.client("expert").get(f"/demands/{did}").status_code == 403
    world.client("dispatcher").act(did, "escalate", tier="expert", note="历史遗留问题")
    assert world.client("expert").get(f"/demands/{did}").status_code == 403


def test_unauthenticated_and_bad_tokens_get_401(world):
    from django.test import Client

    assert Client().get("/api/v1/demands").status_code == 401
    r = Client().get("/api/v1/demands", HTTP_AUTHORIZATION="Bearer nope")
    assert r.status_code == 401
    assert "令牌" in r.json()["detail"]
