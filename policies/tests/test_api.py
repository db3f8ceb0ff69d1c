"""The API: eligibility with reasons, the 免申即享 list, an overlapping grant refused, applications,
purchases; the xlsx imports of policies and purchases with their row-by-row reports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from entities.models import Purchase
from policies import access
from policies import sheets as policy_sheets
from policies.models import Grant, Policy
from policies.tests.conftest import year
from policies.tests.test_engine import RULES
from profiles import sheets as profile_sheets

pytestmark = pytest.mark.django_db


def _policy(api, track="auto", rules=RULES):  # type: ignore[no-untyped-def]
    start = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    r = api.post(
        "/policies",
        {
            "title": "科技型小微企业研发奖励",
            "track": track,
            "starts_on": start,
            "rules": rules,
            "benefit_amount_wan": "5",
            "status": "published",
            "guide": "免申即享，无需申请",
        },
    )
    return r


def test_eligible_with_reasons_and_grants(world, fixture_park):
    api = world.client("dispatcher")
    r = _policy(api)
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    rows = api.get(f"/policies/{pid}/eligible").json()
    assert sorted(x["name"] for x in rows) == ["湘潭庚汽配有限公司", "湘潭甲精密有限公司"]
    assert all(all(o["passed"] for o in x["rules"]) for x in rows)
    every = api.get(f"/policies/{pid}/eligible", all="true").json()
    assert len(every) == 9
    bad = next(x for x in every if x["name"] == "湘潭乙电子有限公司")
    assert [o["field"] for o in bad["rules"] if not o["passed"]] == ["size_class"]
    # Not for an enterprise; another park's user does not find it.
    assert world.client("enterprise").get(f"/policies/{pid}/eligible").status_code == 403
    assert world.client("dispatcher", other=True).get(f"/policies/{pid}").status_code == 404

    made = api.post(f"/policies/{pid}/grants/propose")
    assert made.status_code == 201 and len(made.json()) == 2
    g = made.json()[0]
    ok = api.post(f"/grants/{g['id']}/confirm", {"note": "财政局已核"})
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    before = Grant.objects.count()
    dup = api.post(
        "/grants",
        {
            "policy_id": pid,
            "entity_id": g["entity_id"],
            "period_start": g["period_start"],
            "period_end": g["period_end"],
            "amount_wan": "5",
        },
    )
    assert dup.status_code == 422 and "享受期不能重叠" in dup.json()["detail"]
    assert Grant.objects.count() == before
    mine = world.client("enterprise").get("/grants").json()
    assert mine == []  # the scene's enterprise has no grant; none of the others' show


def test_bad_rule_over_the_api_is_a_422_in_chinese(world):
    api = world.client("dispatcher")
    r = _policy(api, rules=[{"field": "profit", "op": "gte", "value": "1"}])
    assert r.status_code == 422 and "字段“profit”不存在" in r.json()["detail"]
    r = _policy(api, rules=[{"field": "employees", "op": "gte", "value": "-1"}])
    assert r.status_code == 422 and "不能为负数" in r.json()["detail"]
    assert not Policy.objects.exists()


def test_fast_application_over_the_api(world, fixture_park):
    api = world.client("dispatcher")
    pid = _policy(api, "fast").json()["id"]
    e = fixture_park["甲精密"]
    r = world.client("liaison").post("/applications", {"policy_id": pid, "entity_id": e.pk})
    assert r.status_code == 201 and r.json()["payout_deadline"]
    app = r.json()["id"]
    assert api.post(f"/applications/{app}/approve", {}).json()["status"] == "approved"
    assert api.post(f"/applications/{app}/pay", {}).json()["status"] == "paid"


def test_purchases_over_the_api(world, fixture_park):
    api = world.client("dispatcher")
    e = world.enterprise
    r = api.post(
        f"/enterprises/{e.pk}/purchases",
        {
            "amount_wan": "31",
            "purchased_on": dt.date(year(), 4, 1).isoformat(),
            "supplier_id": fixture_park["甲精密"].pk,
        },
    )
    assert r.status_code == 201 and r.json()["local_sei"] is True
    bad = api.post(
        f"/enterprises/{e.pk}/purchases",
        {
            "amount_wan": "-1",
            "purchased_on": "2025-01-01",
            "supplier_id": fixture_park["甲精密"].pk,
        },
    )
    assert bad.status_code == 422 and "不能为负数" in bad.json()["detail"]
    assert len(api.get(f"/enterprises/{e.pk}/purchases").json()) == 1
    assert world.client("enterprise2").post(
        f"/enterprises/{e.pk}/purchases", {"amount_wan": "1"}
    ).status_code in (403, 404)


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_policy_import_reports_row_by_row(world):
    data = _xlsx(
        [
            ["政策名称", "兑现方式", "执行期起", "申享条件", "定额（万元）", "状态"],
            [
                "稳岗奖励",
                "免申即享",
                "2026-01-01",
                '[{"field":"employees","op":"gte","value":20}]',
                "2",
                "已发布",
            ],
            [
                "坏字段",
                "快申快享",
                "2026-01-01",
                '[{"field":"profit","op":"gte","value":1}]',
                "2",
                "",
            ],
            [
                "永不成立",
                "申报",
                "2026-01-01",
                '[{"field":"employees","op":"between","value":[9,3]}]',
                "2",
                "",
            ],
            ["负金额", "申报", "2026-01-01", "", "-2", ""],
        ]
    )
    r = policy_sheets.import_policies(world.users["dispatcher"], world.park, data)
    assert not r.committed and Policy.objects.count() == 0
    assert [(e.row, e.column) for e in r.errors] == [
        (3, "申享条件"),
        (4, "申享条件"),
        (5, "定额（万元）"),
    ]
    assert "不存在" in r.errors[0].message and "永远不能满足" in r.errors[1].message
    r = policy_sheets.import_policies(world.users["dispatcher"], world.park, data, valid_only=True)
    assert r.committed and r.created == 1
    assert Policy.objects.get().track == "auto"


def test_purchase_import_reports_row_by_row(world, fixture_park):
    sup = fixture_park["甲精密"]
    data = _xlsx(
        [
            ["采购方名称", "供应商名称", "采购金额（万元）", "采购日期", "凭证"],
            [world.enterprise.name, sup.name, "20", dt.date(year(), 3, 1).isoformat(), "HT-1"],
            [world.enterprise.name, sup.name, "-3", dt.date(year(), 3, 1).isoformat(), "HT-2"],
            ["不存在的公司", sup.name, "5", dt.date(year(), 3, 1).isoformat(), "HT-3"],
        ]
    )
    r = profile_sheets.import_profile_sheet(world.users["dispatcher"], world.park, data)
    assert r.kind == "purchases" and not r.committed
    assert [(e.row, e.column) for e in r.errors] == [(3, "采购金额（万元）"), (4, "企业名称")]
    assert not Purchase.objects.exists()
    r = profile_sheets.import_profile_sheet(
        world.users["dispatcher"], world.park, data, valid_only=True
    )
    assert r.created == 1 and Purchase.objects.get().local_sei


def test_the_finance_bureau_head_confirms_the_free_grant_list_and_other_heads_do_not(
    world, fixture_park
):
    from conftest import ApiClient, _user
    from orgs.models import ApiToken, Department, Role

    czj = Department.objects.create(park=world.park, name="财政局", code="czj")
    head = _user(world.park, "head_czj", Role.DEPARTMENT_HEAD, department=czj)
    finance = ApiClient(ApiToken.issue(head))
    pid = _policy(world.client("dispatcher")).json()["id"]
    # drawing up the list stays with the dispatch centre and leaders
    assert finance.post(f"/policies/{pid}/grants/propose").status_code == 403
    first, second = world.client("dispatcher").post(f"/policies/{pid}/grants/propose").json()
    # the head of 经济发展局 may not confirm, on the API or the page
    assert world.client("head").post(f"/grants/{first['id']}/confirm").status_code == 403
    page = Client()
    page.force_login(world.users["head"])
    assert page.post(f"/policies/grants/{first['id']}/confirm/").status_code == 403
    assert Grant.objects.get(pk=first["id"]).status == "proposed"
    ok = finance.post(f"/grants/{first['id']}/confirm", {"note": "财政局已核"})
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    page.force_login(head)
    assert "不予确认" in page.get(f"/policies/{pid}/").content.decode()
    r = page.post(f"/policies/grants/{second['id']}/reject/", {"note": "不在本园区纳税"})
    assert r.status_code == 302 and Grant.objects.get(pk=second["id"]).status == "rejected"
    # a 财政局 head of a switched-off department is an ordinary head
    czj.is_active = False
    czj.save()
    head.refresh_from_db()
    assert not access.can_confirm(head)
