"""Requesters' names and phones by role (masked where not needed, 显示 logged) and the access log
for 督查: the page, the lists, the API and the export answer alike."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from demands import privacy, services
from demands.models import AccessLog, Demand

pytestmark = pytest.mark.django_db

PHONE, MASKED_PHONE = "13907325678", "139****5678"
NAME, MASKED_NAME = "张三丰", "张**"


def login(world, who: str) -> Client:
    c = Client()
    c.force_login(world.users[who])
    return c


@pytest.fixture
def demand(world) -> Demand:
    d = services.create_demand(
        world.users["resident"],
        world.park,
        services.Intake(
            title="小区门口路灯不亮",
            description="晚上出行不便，请尽快维修。",
            channel="portal",
            requester_name=NAME,
            requester_phone=PHONE,
            category_id=world.cat_finance.pk,
        ),
    )
    return services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)


def test_masks():
    assert privacy.mask_phone("13812341234") == "138****1234"
    assert privacy.mask_phone("0731-5551234") == "073****1234"
    assert privacy.mask_phone("") == "" and privacy.mask_phone("12345") == "*****"
    assert privacy.mask_name("张三") == "张*" and privacy.mask_name("欧阳娜娜") == "欧***"
    assert privacy.mask_name("王") == "王*" and privacy.mask_name("") == ""


@pytest.mark.parametrize(
    "who,full",
    [("dispatcher", True), ("admin", True), ("handler", True), ("head", True), ("leader", False)],
)
def test_demand_page_by_role(world, demand, who, full):
    page = login(world, who).get(f"/demands/{demand.pk}/").content.decode()
    if full:
        assert PHONE in page and NAME in page and "显示" not in page
    else:
        assert PHONE not in page and NAME not in page
        assert MASKED_PHONE in page and MASKED_NAME in page and "显示" in page


def test_a_department_that_returned_its_task_sees_it_masked(world, demand):
    task = demand.tasks.get()
    services.return_task(world.users["handler"], demand, task_id=task.pk, reason="not_our_duty")
    d = Demand.objects.get(pk=demand.pk)
    assert not privacy.sees_contact(world.users["handler"], d)
    assert privacy.sees_contact(world.users["dispatcher"], d)


def test_the_own_liaison_sees_in_full(world):
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请贷款",
            description="需要贷款。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
            requester_name=NAME,
            requester_phone=PHONE,
        ),
    )
    assert privacy.sees_contact(world.users["liaison"], d)
    assert not privacy.sees_contact(world.users["liaison2"], d)
    assert not privacy.sees_contact(world.users["expert"], d)


def test_lists_api_and_export_mask_alike(world, demand):
    leader, disp = login(world, "leader"), login(world, "dispatcher")
    assert MASKED_NAME in leader.get("/demands/").content.decode()
    assert NAME not in leader.get("/demands/").content.decode()
    assert NAME in disp.get("/demands/").content.decode()

    api = world.client("leader")
    assert api.get(f"/demands/{demand.pk}").json()["requester_phone"] == MASKED_PHONE
    assert api.get(f"/demands/{demand.pk}").json()["requester_name"] == MASKED_NAME
    assert api.get("/demands").json()["results"][0]["requester_name"] == MASKED_NAME
    assert world.client("dispatcher").get(f"/demands/{demand.pk}").json()["requester_phone"] == (
        PHONE
    )

    def cells(client) -> set:
        wb = load_workbook(io.BytesIO(client.get("/demands/export.xlsx").content))
        return {c for row in wb.active.iter_rows(values_only=True) for c in row}

    assert MASKED_PHONE in cells(leader) and PHONE not in cells(leader)
    assert PHONE in cells(disp)
    # Nothing masked was written back.
    assert Demand.objects.get(pk=demand.pk).requester_phone == PHONE


def test_reveal_shows_and_logs(world, demand):
    leader = login(world, "leader")
    r = leader.post(f"/demands/{demand.pk}/reveal/phone/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and PHONE in r.content.decode()
    log = AccessLog.objects.get(kind="reveal")
    assert (log.user, log.demand_id, log.field, log.via) == (
        world.users["leader"],
        demand.pk,
        "phone",
        "web",
    )
    r = leader.post(f"/demands/{demand.pk}/reveal/name/")  # without htmx: the page, revealed
    assert r.status_code == 200 and NAME in r.content.decode()
    assert leader.post(f"/demands/{demand.pk}/reveal/password/").status_code == 422
    assert leader.get(f"/demands/{demand.pk}/reveal/phone/").status_code == 405
    r = world.client("leader").post(f"/demands/{demand.pk}/reveal/phone")
    assert r.status_code == 200 and r.json() == {"field": "phone", "value": PHONE}
    assert AccessLog.objects.filter(kind="reveal").count() == 3
    assert AccessLog.objects.filter(kind="reveal", via="api").count() == 1
    # A requester has nothing to reveal; another enterprise cannot even see the demand.
    assert login(world, "resident").post(f"/demands/{demand.pk}/reveal/phone/").status_code == 403
    assert login(world, "enterprise").post(f"/demands/{demand.pk}/reveal/phone/").status_code == 403
    assert AccessLog.objects.filter(kind="reveal").count() == 3


def test_a_masked_copy_cannot_be_saved(world, demand):
    d = privacy.mask(Demand.objects.get(pk=demand.pk))
    with pytest.raises(RuntimeError):
        d.save()


def test_opening_a_demand_is_logged_with_one_insert(world, demand):
    c = login(world, "leader")
    c.get(f"/demands/{demand.pk}/")  # warm caches
    with CaptureQueriesContext(connection) as q:
        assert c.get(f"/demands/{demand.pk}/").status_code == 200
    inserts = [x["sql"] for x in q.captured_queries if "demands_accesslog" in x["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    world.client("handler").get(f"/demands/{demand.pk}")
    rows = list(AccessLog.objects.filter(kind="open").values_list("user__username", "via"))
    assert rows.count(("leader", "web")) == 2 and ("hand_a", "api") in rows
    # A refused opening is not an access.
    login(world, "enterprise").get(f"/demands/{demand.pk}/")
    assert not AccessLog.objects.filter(user=world.users["enterprise"]).exists()


def test_the_access_log_page_for_supervision(world, demand):
    other = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请贷款",
            description="需要贷款。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
        ),
    )
    login(world, "leader").get(f"/demands/{demand.pk}/")
    login(world, "handler").get(f"/demands/{demand.pk}/")
    login(world, "leader").get(f"/demands/{other.pk}/")
    login(world, "leader").post(f"/demands/{demand.pk}/reveal/phone/")
    old = AccessLog.objects.filter(demand=other).get()
    old.at = timezone.now() - dt.timedelta(days=40)
    old.save()

    disp = login(world, "dispatcher")
    r = disp.get("/demands/access-log/")
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count("<tr>") == 1 + 4 and "显示联系方式：联系电话" in body
    body = disp.get("/demands/access-log/", {"user": "hand_a"}).content.decode()
    assert body.count("<tr>") == 2
    body = disp.get("/demands/access-log/", {"demand": other.number}).content.decode()
    assert body.count("<tr>") == 2
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    body = disp.get("/demands/access-log/", {"date_from": since}).content.decode()
    assert body.count("<tr>") == 4 and other.number not in body
    body = disp.get("/demands/access-log/", {"kind": "reveal"}).content.decode()
    assert body.count("<tr>") == 2
    r = disp.get("/demands/access-log/", {"date_from": "昨天"})
    assert r.status_code == 422 and "格式不正确" in r.content.decode()
    assert "没有符合条件" in disp.get("/demands/access-log/", {"user": "nobody"}).content.decode()
    for who in ("leader", "admin", "handler", "enterprise", "expert"):
        assert login(world, who).get("/demands/access-log/").status_code == 403
    # Paged by 50.
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                park=world.park,
                demand=demand,
                user=world.users["expert"],
                kind="open",
                at=timezone.now(),
            )
            for _ in range(60)
        ]
    )
    first = disp.get("/demands/access-log/").content.decode()
    assert first.count("<tr>") == 51 and "第 1/2 页" in first
    second = disp.get("/demands/access-log/", {"page": 2}).content.decode()
    assert second.count("<tr>") == 1 + 64 - 50


def test_the_access_log_of_one_park_stays_in_it(world, demand):
    login(world, "leader").get(f"/demands/{demand.pk}/")
    c = Client()
    c.force_login(world.other_users["dispatcher"])
    r = c.get("/demands/access-log/")
    assert r.status_code == 200 and demand.number not in r.content.decode()


@pytest.mark.django_db(transaction=True)
def test_log_open_outside_a_transaction_commits_its_row():
    # The request path: autocommit, where PostgreSQL skips waiting for the WAL flush.
    from conftest import build_world

    world = build_world()
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请贷款",
            description="需要贷款。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
        ),
    )
    assert not connection.in_atomic_block
    privacy.log_open(world.users["leader"], d, via="api")
    row = AccessLog.objects.get()
    assert (row.user_id, row.demand_id, row.kind, row.via) == (
        world.users["leader"].pk,
        d.pk,
        "open",
        "api",
    )


def test_reports_mask_even_for_the_dispatch_centre(world, demand):
    disp = login(world, "dispatcher")
    r = disp.get("/reports/drill/", {"metric": "received"})
    assert r.status_code == 200
    body = r.content.decode()
    assert demand.number in body and MASKED_NAME in body and NAME not in body
    r = disp.get("/reports/drill/export.xlsx", {"metric": "received"})
    wb = load_workbook(io.BytesIO(r.content))
    cells = {c for row in wb.active.iter_rows(values_only=True) for c in row}
    assert demand.number in cells and MASKED_PHONE in cells and PHONE not in cells
