"""What a requester may see of a demand: the same on the page, in the API (by token and by the
browser session), in an action's answer and in the notifications they get."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from demands import services
from demands.models import Demand
from notifications.models import Notification

pytestmark = pytest.mark.django_db

# Everything below is internal: none of it may reach an enterprise or a resident.
SECRETS = (
    "李经办",  # staff names
    "赵派单",
    "13911112222",  # a staff phone
    "内部交办意见",  # dispatch note
    "内部争议说明",  # return note
    "not_our_duty",  # return reason, raw
    "不属于本部门职责",  # return reason, label
    "退单",
    "坚持交办意见",  # insist note
    "催办说明",  # urge note
    "签收备注",  # sign note
    "内部备注",  # a staff comment
    "return_reason",
    "insisted",
)


@pytest.fixture
def worked(world) -> Demand:
    return _worked(world)


def _worked(world) -> Demand:
    disp, hand_b, hand = (world.users[k] for k in ("dispatcher", "handler_b", "handler"))
    for u, name in ((disp, "赵派单"), (hand, "李经办"), (hand_b, "钱经办")):
        u.full_name, u.phone = name, "13911112222"
        u.save()
    d = services.create_demand(
        disp,
        world.park,
        services.Intake(
            title="申请技改贴息贷款",
            description="企业计划购置数控机床，需要贷款。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
            requester_name="王经理",
            requester_phone="13907321234",
        ),
    )
    d = services.dispatch(
        disp,
        d,
        lead_department_id=world.dept_b.pk,
        co_department_ids=[world.dept_c.pk],
        note="内部交办意见",
    )
    lead = d.tasks.get(department=world.dept_b)
    co = d.tasks.get(department=world.dept_c)
    services.return_task(hand_b, d, task_id=lead.pk, reason="not_our_duty", note="内部争议说明")
    d = services.redispatch(disp, d, task_id=lead.pk, department_id=world.dept_a.pk)
    services.return_task(
        world.users["handler_c"], d, task_id=co.pk, reason="not_our_duty", note="内部争议说明"
    )
    services.insist(disp, d, task_id=co.pk, note="坚持交办意见")
    services.sign(hand, d, note="签收备注")
    services.urge(disp, d, note="催办说明")
    services.comment(disp, d, note="内部备注")
    services.pause(hand, d, note="请补充近三年财务报表")
    return d


def _assert_clean(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"internal fields reached the requester: {leaked}"


def test_api_detail_by_token_hides_everything_internal(world, worked):
    r = world.client("enterprise").get(f"/demands/{worked.pk}")
    assert r.status_code == 200
    body = r.json()
    _assert_clean(r.content.decode("unicode_escape"))
    _assert_clean(json.dumps(body, ensure_ascii=False))
    assert body["view"] == "requester"
    assert body["number"] == worked.number and body["status"] == "in_progress"
    assert "requester_phone" not in body and "urge_level" not in body
    notes = [e["note"] for e in body["timeline"]]
    assert "请补充近三年财务报表" in notes  # what is addressed to the requester stays
    assert {e["who"] for e in body["timeline"]} <= {"经济发展局", "园区服务中心"}
    assert {t["department"]["name"] for t in body["tasks"]} == {
        "经济发展局",
        "人力资源和社会保障局",
    }


def test_api_detail_by_browser_session_is_redacted_too(world, worked):
    c = Client()
    c.force_login(world.users["enterprise"])
    r = c.get(f"/api/v1/demands/{worked.pk}")
    assert r.status_code == 200
    _assert_clean(json.dumps(r.json(), ensure_ascii=False))


def test_action_answer_is_redacted_for_the_requester(world, worked):
    r = world.client("enterprise").act(worked.pk, "comment", note="已上传报表")
    assert r.status_code == 200, r.content
    body = r.json()
    _assert_clean(json.dumps(body, ensure_ascii=False))
    assert body["view"] == "requester"
    assert any(e["note"] == "已上传报表" for e in body["timeline"])


def test_staff_still_get_everything(world, worked):
    body = world.client("dispatcher").get(f"/demands/{worked.pk}").json()
    assert body["view"] == "staff"
    text = json.dumps(body, ensure_ascii=False)
    for s in ("内部争议说明", "坚持交办意见", "催办说明", "李经办", "13907321234"):
        assert s in text


def test_the_page_shows_the_requester_the_same(world, worked):
    c = Client()
    c.force_login(world.users["enterprise"])
    r = c.get(f"/demands/{worked.pk}/")
    assert r.status_code == 200
    page = r.content.decode()
    _assert_clean(page)
    assert "请补充近三年财务报表" in page and "经济发展局" in page


def test_openapi_has_a_requester_schema_without_internal_fields(world):
    spec = Client().get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    pub = schemas["RequesterDemandDetail"]["properties"]
    for internal in ("requester_phone", "urge_level", "is_legacy", "calendar_warning"):
        assert internal not in pub
    task = schemas["RequesterTaskOut"]["properties"]
    event = schemas["RequesterEventOut"]["properties"]
    assert not {"return_reason", "insisted", "urge_level", "extension_count"} & set(task)
    assert not {"actor", "actor_role", "data"} & set(event)


def test_notifications_to_the_requester_carry_nothing_internal(
    world, django_capture_on_commit_callbacks
):
    hand, hand_c = world.users["handler"], world.users["handler_c"]
    with django_capture_on_commit_callbacks(execute=True):
        d = _worked(world)
        services.resume(hand, d, note="内部备注：材料已收到")
        services.reply(hand, d, answer="已对接建设银行。", outcome="solved")
        services.sign(hand_c, d, note="签收备注")
        services.reply(hand_c, d, answer="无用工需求。", outcome="explained")
    mine = list(
        Notification.objects.filter(user=world.users["enterprise"]).values_list("text", flat=True)
    )
    assert any("补充材料" in t for t in mine) and any("已答复" in t for t in mine)
    for t in mine:
        _assert_clean(t)


def test_the_api_list_tells_the_requester_the_public_status(world, worked):
    row = world.client("enterprise").get("/demands").json()["results"][0]
    assert row["status"] == "in_progress" and row["urge_level"] == 0
    staff = world.client("dispatcher").get("/demands").json()["results"][0]
    assert staff["urge_level"] == 1


def test_routing_details_are_staff_only(world, worked):
    ent = world.client("enterprise")
    assert ent.get(f"/demands/{worked.pk}/similar").status_code == 403
    assert ent.get(f"/demands/{worked.pk}/suggestion").status_code == 403
    c = Client()
    c.force_login(world.users["enterprise"])
    assert c.get(f"/routing/demand/{worked.pk}/similar/").status_code == 403
    assert world.client("dispatcher").get(f"/demands/{worked.pk}/similar").status_code == 200
