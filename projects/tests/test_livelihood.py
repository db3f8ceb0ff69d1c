"""重点民生项目清单: the list and project pages (filters, overdue in working days, progress, 催办,
回访 and 销号 through the ledger), the typed API, scoping, and refused input that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from demands import services as ds
from demands.models import Event, Outcome, Status
from projects import livelihood
from projects.models import LivelihoodProgress, LivelihoodProject
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db


def login(world, who: str, *, other: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def add(world, name: str, dept, *, days_ago: int = 0, due_in: int = 60):  # type: ignore[no-untyped-def]
    now = timezone.now() - dt.timedelta(days=days_ago)
    return livelihood.add_project(
        world.users["dispatcher"],
        world.park,
        livelihood.LivelihoodInput(
            name=name,
            department_id=dept.pk,
            due=timezone.localtime(now).date() + dt.timedelta(days=due_in),
            description="群众反映的事",
            community="桂花村",
            contact="李大爷",
            phone="13900002222",
            category_id=world.cat_finance.pk,
        ),
        at=now,
    )


def state(p: LivelihoodProject) -> tuple:
    p.refresh_from_db()
    d = p.demand
    d.refresh_from_db()
    return (
        p.progress,
        p.progress_note,
        LivelihoodProgress.objects.filter(project=p).count(),
        d.status,
        d.urge_level,
        Event.objects.filter(demand=d).count(),
    )


def test_list_filters_search_and_overdue_in_working_days(world):
    water = add(world, "桂花村机井饮水工程", world.dept_a)
    late = add(world, "民乐社区雨污分流", world.dept_b, days_ago=40, due_in=20)
    c = login(world, "dispatcher")
    r = c.get("/projects/livelihood/")
    body = r.content.decode()
    assert r.status_code == 200 and water.name in body and late.name in body
    today = timezone.localdate()
    n = wcal.working_days_between(late.due, today)
    assert f"逾期 {n} 个工作日" in body
    r = c.get("/projects/livelihood/", {"state": "late"})
    assert late.name in r.content.decode() and water.name not in r.content.decode()
    r = c.get("/projects/livelihood/", {"department": world.dept_a.pk})
    assert water.name in r.content.decode() and late.name not in r.content.decode()
    r = c.get("/projects/livelihood/", {"q": "饮水"})
    assert water.name in r.content.decode() and late.name not in r.content.decode()
    r = c.get("/projects/livelihood/", {"q": "没有这个"})
    assert "没有符合条件的民生项目" in r.content.decode()
    r = c.get("/projects/livelihood/", {"state": "bogus", "department": "x"})
    assert r.status_code == 200 and "参数无效" in r.content.decode()


def test_a_unit_sees_its_own_projects_and_the_other_park_nothing(world):
    mine = add(world, "桂花村机井饮水工程", world.dept_a)
    theirs = add(world, "民乐社区雨污分流", world.dept_b)
    c = login(world, "handler")  # 经济发展局
    body = c.get("/projects/livelihood/").content.decode()
    assert mine.name in body and theirs.name not in body
    assert c.get(f"/projects/livelihood/{theirs.pk}/").status_code == 403
    assert c.get(f"/projects/livelihood/{mine.pk}/").status_code == 200
    o = login(world, "dispatcher", other=True)
    assert o.get(f"/projects/livelihood/{mine.pk}/").status_code == 404
    assert mine.name not in o.get("/projects/livelihood/").content.decode()
    assert login(world, "resident").get("/projects/livelihood/").status_code == 403


def test_progress_on_the_page_and_refused_progress_changes_nothing(world):
    p = add(world, "桂花村机井饮水工程", world.dept_a)
    c = login(world, "handler")
    for bad in ("abc", "150", "-1", ""):
        before = state(p)
        r = c.post(f"/projects/livelihood/{p.pk}/progress/", {"progress": bad}, follow=True)
        assert "进度应为 0–100 的整数" in r.content.decode()
        assert state(p) == before
    r = c.post(
        f"/projects/livelihood/{p.pk}/progress/",
        {"progress": "40", "note": "机井已打成"},
        follow=True,
    )
    assert "已报告进度 40%" in r.content.decode()
    p.refresh_from_db()
    assert (p.progress, p.progress_note) == (40, "机井已打成")
    assert "机井已打成" in c.get(f"/projects/livelihood/{p.pk}/").content.decode()
    # The liaison follows the list but does not report for the unit.
    before = state(p)
    r = login(world, "liaison").post(f"/projects/livelihood/{p.pk}/progress/", {"progress": "90"})
    assert r.status_code == 403 and state(p) == before


def test_urge_callback_and_close_through_the_ledger(world):
    p = add(world, "桂花村机井饮水工程", world.dept_a)
    before = state(p)
    r = login(world, "handler").post(f"/projects/livelihood/{p.pk}/urge/", {"note": "快"})
    assert r.status_code == 403 and state(p) == before
    c = login(world, "dispatcher")
    r = c.post(f"/projects/livelihood/{p.pk}/urge/", {"note": "群众在等"}, follow=True)
    assert "已催办责任单位" in r.content.decode()
    p.demand.refresh_from_db()
    assert p.demand.urge_level == 1
    assert Event.objects.filter(demand=p.demand, action="urge").count() == 1
    # Closing before the answer: the ledger's refusal, nothing changed.
    before = state(p)
    r = c.post(f"/projects/livelihood/{p.pk}/close/", follow=True)
    assert state(p) == before and "不能" in r.content.decode()
    task = p.demand.tasks.get()
    h = world.users["handler"]
    ds.sign(h, p.demand, task_id=task.pk)
    ds.reply(h, p.demand, task_id=task.pk, answer="机井已通水", outcome=Outcome.SOLVED)
    assert "已完成待群众评价" in c.get(f"/projects/livelihood/{p.pk}/").content.decode()
    before = state(p)
    r = c.post(f"/projects/livelihood/{p.pk}/confirm/", {"satisfaction": "dissatisfied"})
    assert state(p) == before  # 不满意 needs the residents' words
    r = c.post(
        f"/projects/livelihood/{p.pk}/confirm/",
        {"satisfaction": "satisfied", "method": "phone"},
        follow=True,
    )
    assert "已记录群众评价" in r.content.decode()
    r = c.post(f"/projects/livelihood/{p.pk}/close/", {"note": "项目完成"}, follow=True)
    assert "已销号" in r.content.decode()
    p.demand.refresh_from_db()
    assert p.demand.status == Status.CLOSED
    body = c.get("/projects/livelihood/", {"state": "closed"}).content.decode()
    assert p.name in body


def test_api_list_detail_progress_and_bad_input(world):
    p = add(world, "桂花村机井饮水工程", world.dept_a)
    late = add(world, "民乐社区雨污分流", world.dept_b, days_ago=40, due_in=20)
    api = world.client("dispatcher")
    r = api.get("/livelihood-projects")
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["count"] == 2 and d["states"]["late"] == 1
    row = next(x for x in d["results"] if x["id"] == late.pk)
    n = wcal.working_days_between(late.due, timezone.localdate())
    assert row["state"] == "late" and row["overdue_working_days"] == n
    assert row["overdue_text"] == f"逾期 {n} 个工作日"
    assert api.get("/livelihood-projects", state="late").json()["count"] == 1
    assert api.get("/livelihood-projects", department_id=world.dept_a.pk).json()["count"] == 1
    assert api.get("/livelihood-projects", q="雨污").json()["count"] == 1
    assert api.get("/livelihood-projects", state="bogus").status_code == 422
    r = api.get(f"/livelihood-projects/{p.pk}")
    assert r.status_code == 200 and r.json()["reports"] == []
    hand = world.client("handler")
    for bad in ({"progress": 101}, {"progress": -1}, {"progress": "x"}, {}):
        before = state(p)
        assert hand.post(f"/livelihood-projects/{p.pk}/progress", bad).status_code == 422
        assert state(p) == before
    before = state(late)
    assert hand.post(f"/livelihood-projects/{late.pk}/progress", {"progress": 5}).status_code == 403
    assert state(late) == before
    r = hand.post(f"/livelihood-projects/{p.pk}/progress", {"progress": 60, "note": "管道铺设中"})
    assert r.status_code == 200, r.content
    assert r.json()["progress"] == 60 and r.json()["reports"][0]["note"] == "管道铺设中"
    other = world.client("dispatcher", other=True)
    assert other.get(f"/livelihood-projects/{p.pk}").status_code == 404
    assert other.get("/livelihood-projects").json()["count"] == 0
