"""The 重点项目 pages through the test client: who may open what, the forms (which change nothing
when refused), filters, paging and the xlsx export."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from projects import services
from projects.models import KeyProject, Milestone, SiteInspection, Stage
from projects.tests.helpers import make_project, unchanged

pytestmark = pytest.mark.django_db


def login(world, who: str, *, other: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def form(world, **kw):  # type: ignore[no-untyped-def]
    data = {
        "name": "联东U谷三期",
        "investor_id": world.enterprise.pk,
        "investment_wan": "33000",
        "industry": "35",
        "level": "park",
        "leader_id": world.users["leader"].pk,
        "liaison_id": world.users["liaison"].pk,
        "signed_on": "2026-01-12",
    }
    data.update(kw)
    return data


@pytest.mark.parametrize(
    "who", ["dispatcher", "leader", "admin", "liaison", "handler", "enterprise"]
)
def test_list_opens_for_the_roles_concerned(world, who):
    make_project(world, investor_id=world.enterprise.pk)
    r = login(world, who).get("/projects/")
    assert r.status_code == 200
    assert "重点项目" in r.content.decode()


@pytest.mark.parametrize("who", ["expert", "resident"])
def test_list_refused_for_others(world, who):
    assert login(world, who).get("/projects/").status_code == 403


def test_create_through_the_form(world):
    c = login(world, "leader")
    assert c.get("/projects/new/").status_code == 200
    r = c.post("/projects/new/", form(world))
    p = KeyProject.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/projects/{p.pk}/"
    assert login(world, "liaison").get("/projects/new/").status_code == 403


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("investment_wan", "-1", "总投资必须大于 0 万元"),
        ("investment_wan", "一百万", "总投资必须是数字"),
        ("signed_on", "2026-13-01", "不是有效日期"),
    ],
)
def test_form_bad_input(world, field, value, message):
    with unchanged():
        r = login(world, "dispatcher").post("/projects/new/", form(world, **{field: value}))
    assert r.status_code == 422
    html = r.content.decode()
    assert message in html
    assert 'value="联东U谷三期"' in html  # what was typed is kept


def test_detail_forms_and_refusals(world):
    p = make_project(world)
    leader = login(world, "leader")
    assert leader.get(f"/projects/{p.pk}/").status_code == 200
    with unchanged():
        r = leader.post(
            f"/projects/{p.pk}/milestones/", {"name": "主体封顶", "planned_on": "2026-02-01"}
        )
    assert r.status_code == 422
    assert "不能早于项目签约日期（2026-03-02）" in r.content.decode()
    r = leader.post(
        f"/projects/{p.pk}/milestones/", {"name": "主体封顶", "planned_on": "2026-05-01"}
    )
    assert r.status_code == 302
    m = Milestone.objects.get()
    liaison = login(world, "liaison")
    r = liaison.post(f"/projects/{p.pk}/milestones/{m.pk}/", {"actual_on": "2026-05-06"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert str(m.actual_on) == "2026-05-06"
    for days in ("0", "10000"):
        with unchanged():
            r = liaison.post(
                f"/projects/{p.pk}/inspections/",
                {
                    "inspected_on": "2026-05-06",
                    "findings": "脚手架连墙件缺失",
                    "rectification_days": days,
                },
            )
        assert r.status_code == 422 and "整改时限应在 1 到 60 个工作日之间" in r.content.decode()
    r = liaison.post(
        f"/projects/{p.pk}/inspections/",
        {"inspected_on": "2026-05-06", "findings": "脚手架连墙件缺失", "rectification_days": "3"},
    )
    assert r.status_code == 302 and SiteInspection.objects.count() == 1
    # The liaison may record progress but not move the stage.
    with unchanged():
        r = liaison.post(f"/projects/{p.pk}/stage/", {"stage": "started", "on": "2026-04-01"})
    assert r.status_code == 403
    r = leader.post(f"/projects/{p.pk}/stage/", {"stage": "started", "on": "2026-04-01"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.STARTED
    html = leader.get(f"/projects/{p.pk}/").content.decode()
    assert "阶段变更" in html and "工地巡查" in html


def test_detail_scoping_and_other_park(world):
    p = make_project(world, investor_id=world.enterprise2.pk)
    assert login(world, "enterprise2").get(f"/projects/{p.pk}/").status_code == 200
    assert login(world, "enterprise").get(f"/projects/{p.pk}/").status_code == 403
    assert login(world, "liaison2").get(f"/projects/{p.pk}/").status_code == 403
    assert login(world, "dispatcher", other=True).get(f"/projects/{p.pk}/").status_code == 404
    r = login(world, "dispatcher", other=True).get("/projects/")
    assert p.name not in r.content.decode()
    with unchanged():
        r = login(world, "enterprise2").post(
            f"/projects/{p.pk}/stage/", {"stage": "started", "on": "2026-04-01"}
        )
    assert r.status_code == 403


def test_filters_search_and_paging(world):
    for i in range(35):
        make_project(world, name=f"标准厂房{i:02d}号", investment_wan="5000")
    make_project(world, name="舍弗勒扩产", investment_wan="200000")
    c = login(world, "dispatcher")
    html = c.get("/projects/").content.decode()
    assert 'id="project-count">36<' in html and "第 1 / 2 页" in html
    html = c.get("/projects/", {"q": "舍弗勒"}).content.decode()
    assert 'id="project-count">1<' in html
    html = c.get("/projects/", {"big": "1"}).content.decode()
    assert 'id="project-count">1<' in html and "舍弗勒扩产" in html
    html = c.get("/projects/", {"page": "2"}).content.decode()
    assert "第 2 / 2 页" in html
    html = c.get("/projects/", {"stage": "operating"}).content.decode()
    assert "没有符合条件的项目" in html


def test_export_is_scoped_and_formula_safe(world):
    make_project(world, name='=HYPERLINK("http://x","点我")', investor_id=world.enterprise.pk)
    make_project(world, name="别人的项目", liaison_id=world.users["liaison2"].pk)
    r = login(world, "liaison").get("/projects/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(
        io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
    ).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    cell = ws.cell(row=2, column=1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert rows[0][2] == 130000
    r = login(world, "dispatcher").get("/projects/export.xlsx", {"q": "别人"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[2]][0] == "别人的项目" and ws.max_row == 2
    assert login(world, "expert").get("/projects/export.xlsx").status_code == 403


def test_slip_shows_on_list(world):
    p = make_project(world)
    services.add_milestone(world.users["leader"], p, name="竣工验收", planned_on="2026-04-01")
    html = login(world, "dispatcher").get("/projects/", {"slipping": "1"}).content.decode()
    assert p.name in html and "滞后 1" in html


def test_slip_notification_leads_to_the_project(world):
    p = make_project(world)
    services.add_milestone(world.users["leader"], p, name="竣工验收", planned_on="2026-04-01")
    import datetime as dt

    from notifications.models import Notification

    assert services.scan_slips(dt.date(2026, 4, 3)) == 1
    n = Notification.objects.get(user=world.users["liaison"])
    c = login(world, "liaison")
    r = c.get(f"/notifications/{n.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/projects/{p.pk}/"
    assert c.get("/notifications/").status_code == 200
