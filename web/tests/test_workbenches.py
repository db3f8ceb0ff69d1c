"""Role homes: who lands where, what each workbench lists, and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from demands import services
from demands.models import Demand, Status
from demands.tests.helpers import unchanged
from orgs.models import Park

pytestmark = pytest.mark.django_db


def login(world, who: str, *, other: bool = False) -> Client:
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def make(
    world,
    title: str = "申请技改贴息贷款",
    *,
    dispatch_to=None,
    at=None,
    enterprise=None,
    category=None,
) -> Demand:
    disp = world.users["dispatcher"]
    d = services.create_demand(
        disp,
        world.park,
        services.Intake(
            title=title,
            description="企业计划购置数控机床，需要贷款，希望了解贴息政策。",
            channel="visit",
            enterprise_id=(enterprise or world.enterprise).pk,
            category_id=(category or world.cat_finance).pk,
            created_at=at,
        ),
    )
    if dispatch_to is not None:
        d = services.dispatch(disp, d, lead_department_id=dispatch_to.pk, at=at)
    return d


HOMES = {
    "dispatcher": "/dispatch/",
    "handler": "/department/",
    "head": "/department/",
    "liaison": "/liaison/",
    "leader": "/leader/",
    "enterprise": "/portal/",
    "resident": "/portal/",
    "expert": "/expert/",
    "admin": "/manage/",
}


@pytest.mark.parametrize("who,home", HOMES.items())
def test_each_role_lands_on_its_own_home(world, who, home):
    c = login(world, who)
    r = c.get("/")
    assert r.status_code == 302 and r["Location"] == home
    r = c.get(home)
    assert r.status_code == 200
    assert "亲商" in r.content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    for path in (
        "/",
        "/dispatch/",
        "/department/",
        "/demands/",
        "/demands/1/",
        "/portal/",
        "/notifications/",
    ):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), path


def test_login_page_logs_in_and_redirects_home(world, client):
    r = client.post("/login/", {"username": "disp", "password": "pw-disp"})
    assert r.status_code == 302
    assert client.get("/").headers["Location"] == "/dispatch/"
    r = Client().post("/login/", {"username": "disp", "password": "wrong"})
    assert "用户名或密码不正确" in r.content.decode()


PAGE_ROLES = {
    "/dispatch/": {"dispatcher", "admin"},
    "/department/": {"handler", "head", "handler_b", "handler_c"},
    "/liaison/": {"liaison", "liaison2"},
    "/portal/": {"enterprise", "enterprise2", "resident"},
    "/leader/": {"leader", "admin"},
    "/expert/": {"expert"},
    "/manage/": {"admin"},
}


@pytest.mark.parametrize("path,allowed", PAGE_ROLES.items())
def test_each_workbench_refuses_the_other_roles(world, path, allowed):
    for who in world.users:
        r = login(world, who).get(path)
        if who in allowed:
            assert r.status_code == 200, (who, path)
        else:
            assert r.status_code == 403, (who, path)
            assert "仅供" in r.content.decode()


def test_handler_gets_403_on_the_dispatch_centre_and_bulk_actions(world):
    d = make(world)
    c = login(world, "handler")
    assert c.get("/dispatch/").status_code == 403
    with unchanged():
        r = c.post("/demands/bulk/", {"op": "dispatch_defaults", "ids": [d.pk]})
    assert r.status_code == 403


def test_dispatch_centre_lists_new_items_with_category_defaults(world):
    d = make(world)
    body = login(world, "dispatcher").get("/dispatch/").content.decode()
    assert d.number in body
    assert "默认：经济发展局 · 5个工作日" in body


def test_bulk_dispatch_uses_each_category_default_and_reports_per_item(world):
    ok1 = make(world, "贷款一")
    ok2 = make(world, "用地一", category=world.cat_land)
    no_cat = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="未分类诉求",
            description="说不清归谁管的事。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
        ),
    )
    c = login(world, "dispatcher")
    r = c.post(
        "/demands/bulk/",
        {"op": "dispatch_defaults", "ids": [ok1.pk, ok2.pk, no_cat.pk], "next": "/dispatch/"},
        follow=True,
    )
    body = r.content.decode()
    assert "已按默认交办 2 件" in body
    assert f"{no_cat.number} 未能按默认交办：尚未分类" in body
    ok1.refresh_from_db()
    ok2.refresh_from_db()
    no_cat.refresh_from_db()
    assert ok1.lead_department == world.dept_a and ok1.status == Status.DISPATCHED
    assert ok2.lead_department == world.dept_b
    assert no_cat.status == Status.RECEIVED


def test_urge_all_overdue_urges_only_late_items(world):
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = make(world, "逾期事项", dispatch_to=world.dept_a, at=long_ago)
    fresh = make(world, "新近事项", dispatch_to=world.dept_a)
    c = login(world, "dispatcher")
    body = c.get("/dispatch/?tab=late").content.decode()
    assert late.number in body and "已逾期" in body
    r = c.post(
        "/demands/bulk/", {"op": "urge", "scope": "all_overdue", "note": "限期办结"}, follow=True
    )
    assert "已催办 1 件" in r.content.decode()
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.urge_level == 1 and fresh.urge_level == 0


def test_close_all_confirmed(world):
    d = make(world, dispatch_to=world.dept_a)
    d = services.sign(world.users["handler"], d)
    d = services.reply(world.users["handler"], d, answer="已办结", outcome="solved")
    services.confirm(world.users["enterprise"], d, satisfaction="satisfied")
    c = login(world, "dispatcher")
    assert d.number in c.get("/dispatch/?tab=confirmed").content.decode()
    r = c.post("/demands/bulk/", {"op": "close", "scope": "all_confirmed"}, follow=True)
    assert "已销号 1 件" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.CLOSED


def test_bulk_refuses_items_outside_the_users_scope(world):
    d = make(world, dispatch_to=world.dept_b)
    c = login(world, "handler")  # 经济发展局: not its task
    with unchanged():
        r = c.post("/demands/bulk/", {"op": "sign", "ids": [d.pk]}, follow=True)
    assert "诉求不存在或您无权办理" in r.content.decode()


def test_department_inbox_tabs_and_head_figures(world):
    long_ago = timezone.now() - dt.timedelta(days=30)
    pending = make(world, "待签收事项", dispatch_to=world.dept_a)
    late = make(world, "逾期事项", dispatch_to=world.dept_a, at=long_ago)
    other = make(world, "别的部门", dispatch_to=world.dept_b)
    c = login(world, "handler")
    body = c.get("/department/").content.decode()
    assert pending.number in body and late.number in body and other.number not in body
    body = c.get("/department/?tab=overdue").content.decode()
    assert late.number in body and pending.number not in body
    assert "本部门办理情况" not in body  # figures are the head's
    pending = services.sign(world.users["handler"], pending)
    services.reply(world.users["handler"], pending, answer="已办", outcome="solved")
    body = login(world, "head").get("/department/").content.decode()
    assert "本部门办理情况" in body and "100.0%" in body and "按时办结率（按任务）" in body


def test_bulk_sign_from_the_inbox(world):
    a = make(world, "一", dispatch_to=world.dept_a)
    b = make(world, "二", dispatch_to=world.dept_a)
    r = login(world, "handler").post(
        "/demands/bulk/", {"op": "sign", "ids": [a.pk, b.pk]}, follow=True
    )
    assert "已签收 2 件" in r.content.decode()
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS


def test_liaison_sees_own_enterprises_with_open_demands(world):
    make(world)
    body = login(world, "liaison").get("/liaison/").content.decode()
    assert world.enterprise.name in body
    assert "在办诉求 <b>1</b>" in body
    assert world.enterprise2.name not in body
    body = login(world, "liaison2").get("/liaison/").content.decode()
    assert world.enterprise.name not in body


def test_portal_lists_only_the_enterprises_own_demands(world):
    mine = make(world, "我的诉求")
    theirs = make(world, "别人的诉求", enterprise=world.enterprise2)
    body = login(world, "enterprise").get("/portal/").content.decode()
    assert mine.number in body and theirs.number not in body


def test_outsider_park_sees_nothing(world):
    d = make(world, dispatch_to=world.dept_a)
    for who in ("dispatcher", "admin", "handler"):
        body = login(world, who, other=True).get("/demands/?q=QS-").content.decode()
        assert d.number not in body and '共 <b id="ledger-count">0</b> 件' in body
    for who in ("dispatcher", "admin", "handler", "enterprise"):
        r = login(world, who, other=True).get(f"/demands/{d.pk}/")
        assert r.status_code == 404 and d.title not in r.content.decode()
    body = login(world, "dispatcher", other=True).get("/dispatch/").content.decode()
    assert d.number not in body


def test_park_switcher_only_switches_to_parks_of_the_user(world):
    disp = world.users["dispatcher"]
    disp.extra_parks.add(world.other_park)
    third = Park.objects.create(name="第三园区", short_name="第三", code="third")
    c = login(world, "dispatcher")
    body = c.get("/dispatch/").content.decode()
    assert 'name="park"' in body and "另一" in body
    c.post("/park/switch/", {"park": world.other_park.pk})
    assert "另一" in c.get("/dispatch/").content.decode().split("<title>")[1].split("</title>")[0]
    c.post("/park/switch/", {"park": third.pk})  # not theirs: ignored
    assert "另一" in c.get("/dispatch/").content.decode().split("<title>")[1].split("</title>")[0]
    single = login(world, "handler").get("/department/").content.decode()
    assert 'name="park"' not in single
