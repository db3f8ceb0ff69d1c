"""A milestone before the project's signing day, through the service, the page and the API: a
clear Chinese message naming both dates, and nothing changed (projects, milestones, inspections,
project events compared before and after). Also the API's milestone endpoint by role and park."""

from __future__ import annotations

import pytest
from django.test import Client

from projects import services
from projects.models import Milestone, ProjectEvent
from projects.tests.helpers import make_project, unchanged
from qinshang.errors import InvalidInput

pytestmark = pytest.mark.django_db

SIGNED = "2026-03-02"  # helpers.project_input's signing day
EARLY = "2026-03-01"


def _msg(label: str, day: str = EARLY) -> str:
    return f"{label}（{day}）不能早于项目签约日期（{SIGNED}）"


def test_service_refuses_a_milestone_before_signing(world):
    p = make_project(world)
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.add_milestone(world.users["leader"], p, name="主体封顶", planned_on=EARLY)
    assert exc.value.message == _msg("节点计划日期")
    m = services.add_milestone(world.users["leader"], p, name="主体封顶", planned_on=SIGNED)
    for field, label in (
        ("planned_on", "节点计划日期"),
        ("forecast_on", "预计完成日期"),
        ("actual_on", "实际完成日期"),
    ):
        with unchanged(), pytest.raises(InvalidInput) as exc:
            services.update_milestone(world.users["leader"], m, note="调整", **{field: EARLY})
        assert exc.value.message == _msg(label)


def test_page_refuses_a_milestone_before_signing(world):
    p = make_project(world)
    c = Client()
    c.force_login(world.users["dispatcher"])
    with unchanged():
        r = c.post(f"/projects/{p.pk}/milestones/", {"name": "主体封顶", "planned_on": EARLY})
    assert r.status_code == 422 and _msg("节点计划日期") in r.content.decode()
    m = services.add_milestone(world.users["leader"], p, name="主体封顶", planned_on="2026-05-01")
    with unchanged():
        r = c.post(f"/projects/{p.pk}/milestones/{m.pk}/", {"actual_on": EARLY})
    assert r.status_code == 422 and _msg("实际完成日期") in r.content.decode()


def test_api_refuses_a_milestone_before_signing(world):
    p = make_project(world)
    api = world.client("dispatcher")
    with unchanged():
        r = api.post(f"/projects/{p.pk}/milestones", {"name": "主体封顶", "planned_on": EARLY})
    assert r.status_code == 422 and r.json()["detail"] == _msg("节点计划日期")
    r = api.post(f"/projects/{p.pk}/milestones", {"name": "主体封顶", "planned_on": "2026-05-01"})
    assert r.status_code == 201, r.content
    assert [m["name"] for m in r.json()["milestones"]] == ["主体封顶"]
    ev = ProjectEvent.objects.get(project=p, action="milestone_add")
    assert ev.actor == world.users["dispatcher"] and ev.data["planned_on"] == "2026-05-01"


@pytest.mark.parametrize("who", ["dispatcher", "leader", "admin"])
def test_api_milestone_managers_add(world, who):
    p = make_project(world)
    r = world.client(who).post(
        f"/projects/{p.pk}/milestones", {"name": "开工", "planned_on": "2026-04-01"}
    )
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("who", ["handler", "head", "liaison", "enterprise", "expert", "resident"])
def test_api_milestone_others_refused(world, who):
    # The investor (world.enterprise2) and the project's liaison see the project, and still may
    # not plan its milestones; the others do not find it or are refused.
    p = make_project(world)
    with unchanged():
        r = world.client(who).post(
            f"/projects/{p.pk}/milestones", {"name": "开工", "planned_on": "2026-04-01"}
        )
    assert r.status_code in (403, 404), r.content
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("who", ["dispatcher", "admin", "handler", "enterprise"])
def test_api_milestone_another_park(world, who):
    p = make_project(world)
    with unchanged():
        r = world.client(who, other=True).post(
            f"/projects/{p.pk}/milestones", {"name": "开工", "planned_on": "2026-04-01"}
        )
    assert r.status_code == 404
