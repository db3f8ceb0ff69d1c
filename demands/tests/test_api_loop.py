"""The closed loop through the REST API, the way integrators drive it."""

import datetime as dt

import pytest
from django.utils import timezone

from demands.models import Demand, Event, Status, TaskStatus
from demands.tests.helpers import new_demand, unchanged

pytestmark = pytest.mark.django_db


def test_the_whole_loop_from_intake_to_close(world):
    disp = world.client("dispatcher")
    hand = world.client("handler")
    ent = world.client("enterprise")

    created = new_demand(disp, world.enterprise.pk)
    assert created["number"].startswith(f"QS-{timezone.localdate().year}-")
    assert created["status"] == "received"
    did = created["id"]

    r = disp.act(
        did, "dispatch", lead_department_id=world.dept_a.pk, co_department_ids=[world.dept_b.pk]
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "dispatched"
    assert [t["department"]["name"] for t in body["tasks"]] == ["经济发展局", "自然资源和规划分局"]
    assert body["tasks"][0]["time_limit_days"] == 5

    r = hand.act(did, "sign")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = hand.act(did, "reply", answer="已对接建设银行，贴息申报材料已指导填报。", outcome="solved")
    assert r.status_code == 200
    assert r.json()["status"] == "in_progress"  # the 协办 has not answered yet

    hb = world.client("handler_b")
    assert hb.act(did, "sign").status_code == 200
    r = hb.act(did, "reply", answer="项目用地无新增需求，已说明。", outcome="explained")
    assert r.json()["status"] == "answered"

    r = ent.act(did, "confirm", satisfaction="satisfied", comment="办得快")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"

    r = disp.act(did, "close", note="闭环")
    assert r.status_code == 200 and r.json()["status"] == "closed"

    detail = disp.get(f"/demands/{did}").json()
    actions = [e["action"] for e in detail["timeline"]]
    for a in ("create", "dispatch", "sign", "reply", "confirm", "close"):
        assert a in actions
    assert all(e["created_at"] for e in detail["timeline"])
    assert detail["satisfaction"] == "satisfied"


def test_on_the_spot_path(world):
    liaison = world.client("liaison")
    created = new_demand(liaison, world.enterprise.pk, channel="liaison")
    r = liaison.act(
        created["id"],
        "resolve_on_spot",
        answer="现场讲解了贴息政策的申报条件。",
        outcome="explained",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "answered" and r.json()["tier"] == "on_spot"
    r = world.client("enterprise").act(created["id"], "confirm", satisfaction="basic")
    assert r.json()["status"] == "confirmed"
    r = world.client("dispatcher").act(created["id"], "close")
    assert r.json()["status"] == "closed"


def test_illegal_action_gives_409_and_changes_nothing(world):
    disp = world.client("dispatcher")
    created = new_demand(disp, world.enterprise.pk)
    with unchanged():
        r = disp.act(created["id"], "close")
    assert r.status_code == 409
    assert "不能执行“销号”" in r.json()["detail"]
    with unchanged():
        r = world.client("handler").act(created["id"], "sign")
    assert r.status_code in (403, 409)


def test_handler_of_another_department_gets_403(world):
    disp = world.client("dispatcher")
    created = new_demand(disp, world.enterprise.pk)
    disp.act(created["id"], "dispatch", lead_department_id=world.dept_a.pk)
    other = world.client("handler_c")
    with unchanged():
        r = other.act(created["id"], "sign")
    assert r.status_code == 403
    assert other.get(f"/demands/{created['id']}").status_code == 403


def test_enterprise_user_lists_only_its_own_demands(world):
    disp = world.client("dispatcher")
    mine = new_demand(disp, world.enterprise.pk)
    theirs = new_demand(disp, world.enterprise2.pk)
    r = world.client("enterprise").get("/demands")
    ids = [d["id"] for d in r.json()["results"]]
    assert ids == [mine["id"]]
    assert world.client("enterprise").get(f"/demands/{theirs['id']}").status_code == 403
    assert world.client("enterprise2").get("/demands").json()["count"] == 1


def test_nothing_of_one_park_is_visible_from_another(world):
    disp = world.client("dispatcher")
    mine = new_demand(disp, world.enterprise.pk)
    for who in ("dispatcher", "handler", "enterprise", "admin"):
        c = world.client(who, other=True)
        assert c.get("/demands").json()["count"] == 0
        assert c.get(f"/demands/{mine['id']}").status_code == 404
        assert c.get(f"/enterprises/{world.enterprise.pk}").status_code == 404
        names = {d["name"] for d in c.get("/departments").json()}
        assert "自然资源和规划分局" not in names
        assert all(cat["code"] != "finance-loan" for cat in c.get("/categories").json())
        with unchanged():
            r = c.act(mine["id"], "close")
        assert r.status_code == 404
    # Asking for the other park explicitly is refused, not silently ignored.
    r = world.client("dispatcher", other=True).c.get(
        "/api/v1/demands",
        HTTP_X_PARK=str(world.park.pk),
        **world.client("dispatcher", other=True).h,
    )
    assert r.status_code == 403


def test_return_then_redispatch(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_c.pk)
    r = world.client("handler_c").act(
        d["id"], "return", reason="not_our_duty", note="贷款贴息属经济发展局职能"
    )
    assert r.json()["status"] == "returned"
    r = disp.act(d["id"], "redispatch", department_id=world.dept_a.pk)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "dispatched"
    assert body["lead_department"]["name"] == "经济发展局"
    assert [t["status"] for t in body["tasks"]] == ["returned", "pending"] or {
        t["status"] for t in body["tasks"]
    } == {"cancelled", "pending"}


def test_insist_prevents_a_second_return(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    hand = world.client("handler")
    hand.act(d["id"], "return", reason="not_our_duty", note="不归我们")
    r = disp.act(d["id"], "insist", note="贴息政策由经济发展局牵头")
    assert r.json()["status"] == "dispatched"
    with unchanged():
        r = hand.act(d["id"], "return", reason="not_our_duty", note="还是不归我们")
    assert r.status_code == 409
    assert hand.act(d["id"], "sign").status_code == 200


def test_dissatisfied_rating_sends_it_back_for_redo(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    hand = world.client("handler")
    hand.act(d["id"], "sign")
    hand.act(d["id"], "reply", answer="已答复", outcome="partly")
    r = world.client("enterprise").act(
        d["id"], "confirm", satisfaction="dissatisfied", comment="银行还没对接"
    )
    body = r.json()
    assert body["status"] == "in_progress" and body["redo_count"] == 1
    assert body["tasks"][0]["status"] == "signed"


def test_extension_request_and_decision(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    hand = world.client("handler")
    hand.act(d["id"], "sign")
    before = Demand.objects.get(pk=d["id"]).tasks.get().deadline
    r = hand.act(d["id"], "request_extension", days=5, reason="需等待银行审批")
    assert r.status_code == 200
    with unchanged():
        assert hand.act(d["id"], "request_extension", days=3, reason="再延").status_code == 409
    r = disp.act(d["id"], "decide_extension", approve=True, note="同意")
    assert r.status_code == 200, r.content
    after = Demand.objects.get(pk=d["id"]).tasks.get().deadline
    assert after > before
    assert r.json()["tasks"][0]["extension_count"] == 1


def test_pause_stops_the_clock(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    hand = world.client("handler")
    hand.act(d["id"], "sign")
    assert (
        hand.act(d["id"], "pause", note="请补充近三年财务报表").json()["tasks"][0]["status"]
        == TaskStatus.PAUSED
    )
    with unchanged():
        assert hand.act(d["id"], "reply", answer="x", outcome="solved").status_code == 409
    r = world.client("enterprise").act(d["id"], "resume", note="已上传报表")
    assert r.status_code == 200, r.content
    assert r.json()["tasks"][0]["status"] == "signed"


def test_urge_escalates_levels(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    levels = [disp.act(d["id"], "urge", note="请加快").json()["urge_level"] for _ in range(4)]
    assert levels == [1, 2, 3, 3]
    labels = [e.data["label"] for e in Event.objects.filter(action="urge").order_by("id")]
    assert labels == ["催办", "督办", "挂牌督办", "挂牌督办"]


def test_merge_duplicates(world):
    disp = world.client("dispatcher")
    a = new_demand(disp, world.enterprise.pk)
    b = new_demand(disp, world.enterprise.pk)
    r = disp.act(b["id"], "merge", into_id=a["id"], note="同一事项")
    assert r.json()["status"] == "merged" and r.json()["merged_into"] == a["number"]
    timeline = disp.get(f"/demands/{a['id']}").json()["timeline"]
    assert any(e["action"] == "merged_in" for e in timeline)
    with unchanged():
        assert disp.act(a["id"], "merge", into_id=b["id"]).status_code == 409


def test_reopen_within_30_days_only(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "resolve_on_spot", answer="已解决", outcome="solved")
    world.client("enterprise").act(d["id"], "confirm", satisfaction="satisfied")
    disp.act(d["id"], "close")
    r = world.client("enterprise").act(d["id"], "reopen", reason="问题再次出现")
    assert r.status_code == 200 and r.json()["status"] == "received"
    assert r.json()["reopen_count"] == 1
    disp.act(d["id"], "resolve_on_spot", answer="再次解决", outcome="solved")
    world.client("enterprise").act(d["id"], "confirm", satisfaction="satisfied")
    disp.act(d["id"], "close")
    Demand.objects.filter(pk=d["id"]).update(closed_at=timezone.now() - dt.timedelta(days=31))
    with unchanged():
        r = world.client("enterprise").act(d["id"], "reopen", reason="又出现了")
    assert r.status_code == 409
    assert "30" in r.json()["detail"]


def test_close_without_rating_needs_time_and_a_callback(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "resolve_on_spot", answer="已解决", outcome="solved")
    with unchanged():
        r = disp.act(d["id"], "close")
    assert r.status_code == 409 and "回访" in r.json()["detail"]
    Demand.objects.filter(pk=d["id"]).update(answered_at=timezone.now() - dt.timedelta(days=20))
    with unchanged():
        assert disp.act(d["id"], "close").status_code == 409  # no call-back recorded yet
    assert (
        world.client("liaison").act(d["id"], "record_callback", note="电话三次无人接听").status_code
        == 200
    )
    r = disp.act(d["id"], "close")
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_every_action_of_the_contract_is_reachable(world):
    from demands.schemas import Action

    for name in (
        "resolve_on_spot",
        "dispatch",
        "sign",
        "return",
        "redispatch",
        "request_extension",
        "decide_extension",
        "reply",
        "confirm",
        "close",
        "reopen",
        "urge",
        "merge",
    ):
        assert name in Action.__members__.values()
    r = world.client("dispatcher").act(999999, "sign")
    assert r.status_code == 404
    d = new_demand(world.client("dispatcher"), world.enterprise.pk)
    with unchanged():
        r = world.client("dispatcher").act(d["id"], "fly")
    assert r.status_code == 404
    assert Demand.objects.get(pk=d["id"]).status == Status.RECEIVED


def test_a_paused_task_is_not_late(world):
    import datetime as dt

    from demands.models import Task

    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    hand = world.client("handler")
    hand.act(d["id"], "sign")
    Task.objects.filter(demand_id=d["id"]).update(
        deadline=timezone.localdate() - dt.timedelta(days=3)
    )
    Demand.objects.filter(pk=d["id"]).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    assert disp.get("/demands?overdue=true").json()["count"] == 1
    body = hand.act(d["id"], "pause", note="请补充营业执照副本").json()
    assert body["tasks"][0]["deadline_state"] == "normal"
    assert body["due_date"] is None
    assert disp.get("/demands?overdue=true").json()["count"] == 0
