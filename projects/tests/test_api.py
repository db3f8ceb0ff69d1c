import datetime as dt

import pytest

from demands.services import Intake, create_demand, dispatch
from projects import services
from projects.models import KeyProject, Stage
from projects.tests.helpers import make_project, unchanged

pytestmark = pytest.mark.django_db


def body(world, **kw):  # type: ignore[no-untyped-def]
    b = {
        "name": "吉利汽车部件扩能项目",
        "investor_id": world.enterprise.pk,
        "investment_wan": "120000.50",
        "industry": "36",
        "level": "province",
        "leader_id": world.users["leader"].pk,
        "liaison_id": world.users["liaison"].pk,
        "signed_on": "2026-02-03",
    }
    b.update(kw)
    return b


@pytest.mark.parametrize("who", ["dispatcher", "leader", "admin"])
def test_managers_register_projects(world, who):
    r = world.client(who).post("/projects", body(world))
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["stage"] == "signed" and d["investment_wan"] == "120000.50"
    assert d["industry_label"].startswith("C36")
    assert d["events"][0]["action"] == "create"


@pytest.mark.parametrize("who", ["handler", "head", "liaison", "enterprise", "expert", "resident"])
def test_others_may_not_register(world, who):
    with unchanged():
        r = world.client(who).post("/projects", body(world))
    assert r.status_code == 403
    assert "只有园区领导和派单中心" in r.json()["detail"]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("investment_wan", "-100", "总投资必须大于 0 万元"),
        ("investment_wan", "abc", "总投资必须是数字"),
        ("investment_wan", "1.234", "最多保留两位小数"),
        ("level", "national", "重点项目级别“national”无效"),
        ("industry", "00", "不是 GB/T 4754-2017 的两位大类代码"),
        ("investor_id", 999999, "投资主体"),
    ],
)
def test_bad_input_is_422_in_chinese(world, field, value, message):
    with unchanged():
        r = world.client("dispatcher").post("/projects", body(world, **{field: value}))
    assert r.status_code == 422, r.content
    assert message in r.json()["detail"]


def _seed(world):  # type: ignore[no-untyped-def]
    mine = make_project(world, name="恒远精密二期", investor_id=world.enterprise.pk)
    other = make_project(world, name="瑞康医疗器械产业园", liaison_id=world.users["liaison2"].pk)
    services.add_milestone(world.users["leader"], mine, name="开工", planned_on="2026-03-20")
    return mine, other


def _names(r):  # type: ignore[no-untyped-def]
    assert r.status_code == 200, r.content
    return sorted(p["name"] for p in r.json()["results"])


def test_scopes_by_role(world):
    mine, other = _seed(world)
    both = sorted([mine.name, other.name])
    assert _names(world.client("dispatcher").get("/projects")) == both
    assert _names(world.client("leader").get("/projects")) == both
    assert _names(world.client("liaison").get("/projects")) == [mine.name]
    assert _names(world.client("liaison2").get("/projects")) == [other.name]
    assert _names(world.client("enterprise").get("/projects")) == [mine.name]
    assert _names(world.client("enterprise2").get("/projects")) == [other.name]
    assert _names(world.client("expert").get("/projects")) == []
    assert _names(world.client("handler").get("/projects")) == []
    # A department sees the projects whose investor's demands gave it a task.
    d = create_demand(
        world.users["enterprise"],
        world.park,
        Intake(title="项目贷款贴息", description="二期项目贷款 1 亿元申请贴息", channel="portal"),
    )
    dispatch(
        world.users["dispatcher"],
        d,
        lead_department_id=world.dept_a.pk,
        category_id=world.cat_finance.pk,
    )
    assert _names(world.client("handler").get("/projects")) == [mine.name]
    assert _names(world.client("head").get("/projects")) == [mine.name]
    assert _names(world.client("handler_b").get("/projects")) == []


def test_detail_allowed_refused_and_other_park(world):
    mine, other = _seed(world)
    r = world.client("liaison").get(f"/projects/{mine.pk}")
    assert r.status_code == 200
    assert r.json()["milestones"][0]["name"] == "开工"
    assert world.client("liaison").get(f"/projects/{other.pk}").status_code == 403
    assert world.client("enterprise").get(f"/projects/{other.pk}").status_code == 403
    assert world.client("expert").get(f"/projects/{mine.pk}").status_code == 403
    # Another park: not even the existence leaks.
    for who in ("dispatcher", "admin", "enterprise"):
        c = world.client(who, other=True)
        assert c.get(f"/projects/{mine.pk}").status_code == 404
        assert c.get("/projects").json()["count"] == 0
    assert world.client("dispatcher").get("/projects/999999").status_code == 404


def test_filters_slipping_and_figures(world):
    mine, other = _seed(world)
    services.change_stage(world.users["leader"], other, stage=Stage.OPERATING, on="2026-06-30")
    c = world.client("dispatcher")
    r = c.get("/projects", slipping="true")  # 开工 planned 2026-03-20, not done
    assert _names(r) == [mine.name]
    assert r.json()["results"][0]["slipping"] is True
    assert _names(c.get("/projects", stage="operating")) == [other.name]
    assert _names(c.get("/projects", q="恒远")) == [mine.name]
    f = c.get("/projects").json()["figures"]
    assert f["total"] == 2 and f["big_projects"] == 2
    assert f["finished_this_year"] == (1 if dt.date.today().year == 2026 else 0)
    assert c.get("/projects", stage="bogus").status_code == 422
    assert c.get("/projects", page_size=500).status_code == 422
    assert KeyProject.objects.count() == 2
