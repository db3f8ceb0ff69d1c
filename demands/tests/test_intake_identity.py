"""Nobody files a demand in an enterprise's name but the enterprise (or park staff): not through the
API, not through the portal form, not through the service. Unknown ids and other enterprises' ids
get the same answer, so the answer tells nothing about which ids exist."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import ApiClient
from demands import services
from demands.models import Demand
from demands.tests.helpers import new_demand, unchanged
from orgs.models import ApiToken, Role, User
from qinshang.errors import Forbidden

pytestmark = pytest.mark.django_db


def _ids(world) -> dict[str, int]:
    other_ent = world.other_users["enterprise"].enterprise_id
    return {
        "this park": world.enterprise.pk,
        "this park too": world.enterprise2.pk,
        "other park": other_ent,
        "unknown": 987654,
    }


def _api_answers(client, ids) -> set[tuple[int, str]]:
    out = set()
    for ent_id in ids:
        body = {
            "title": "申请贷款",
            "description": "需要贷款 800 万元。",
            "channel": "portal",
            "enterprise_id": ent_id,
            "requester_name": "张三",
            "requester_phone": "13800001111",
        }
        with unchanged():
            r = client.post("/demands", body)
        out.add((r.status_code, r.json()["detail"]))
    return out


def test_a_resident_cannot_file_for_any_enterprise_through_the_api(world):
    answers = _api_answers(world.client("resident"), _ids(world).values())
    assert len(answers) == 1  # one answer for every id: nothing to enumerate
    status, body = answers.pop()
    assert status == 403 and "本人名义" in body


def test_an_enterprise_files_only_for_itself_through_the_api(world):
    ent = world.client("enterprise")
    others = [v for k, v in _ids(world).items() if k != "this park"]
    answers = _api_answers(ent, others)
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 403 and "本企业" in body
    created = new_demand(ent, world.enterprise.pk, channel="portal")
    assert Demand.objects.get(pk=created["id"]).enterprise_id == world.enterprise.pk
    # Without an id it is filed for its own enterprise.
    created = new_demand(ent, None, channel="portal")
    assert Demand.objects.get(pk=created["id"]).enterprise_id == world.enterprise.pk


def test_an_enterprise_account_without_an_enterprise_files_for_none(world):
    u = User.objects.create_user(
        username="ent_loose", password="x", role=Role.ENTERPRISE, park=world.park
    )
    answers = _api_answers(ApiClient(ApiToken.issue(u)), _ids(world).values())
    assert len(answers) == 1 and answers.pop()[0] == 403


def test_the_service_refuses_whatever_the_caller(world):
    intake = services.Intake(
        title="申请贷款",
        description="需要贷款。",
        channel="portal",
        enterprise_id=world.enterprise.pk,
        requester_name="张三",
        requester_phone="13800001111",
    )
    with unchanged(), pytest.raises(Forbidden):
        services.create_demand(world.users["resident"], world.park, intake)
    with unchanged(), pytest.raises(Forbidden):
        services.create_demand(world.users["enterprise2"], world.park, intake)
    # Staff record for any enterprise of the park, as before.
    d = services.create_demand(world.users["dispatcher"], world.park, intake)
    assert d.enterprise_id == world.enterprise.pk


def test_the_portal_form_never_files_a_resident_for_an_enterprise(world):
    c = Client()
    c.force_login(world.users["resident"])
    r = c.post(
        "/demands/new/",
        {
            "title": "小区门口路灯不亮",
            "description": "晚上出行不便，请尽快维修。",
            "requester_kind": "enterprise",
            "enterprise_id": world.enterprise.pk,
            "enterprise": world.enterprise.name,
        },
    )
    assert r.status_code == 302
    d = Demand.objects.get(title="小区门口路灯不亮")
    assert d.enterprise_id is None and d.requester_kind == "resident"
    assert d.created_by == world.users["resident"]
    # …and the enterprise's own account does not see it.
    assert Client().get(f"/demands/{d.pk}/").status_code == 302
    e = Client()
    e.force_login(world.users["enterprise"])
    assert e.get(f"/demands/{d.pk}/").status_code == 403


def test_the_portal_form_files_an_enterprise_user_only_for_itself(world):
    c = Client()
    c.force_login(world.users["enterprise"])
    r = c.post(
        "/demands/new/",
        {
            "title": "申请技改贴息",
            "description": "购置数控机床需要贴息政策。",
            "enterprise_id": world.enterprise2.pk,
            "enterprise": world.enterprise2.name,
        },
    )
    assert r.status_code == 302
    assert Demand.objects.get(title="申请技改贴息").enterprise_id == world.enterprise.pk
