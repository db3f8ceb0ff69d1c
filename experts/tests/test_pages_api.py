"""Experts pages and API: who may open what, forms that change nothing when refused, the 清零
board, and another park."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from experts import services
from experts.models import Consultation, Expert, LegacyRule
from experts.tests.helpers import dispatched, experts, unchanged

pytestmark = pytest.mark.django_db


def login(world, who: str, *, other: bool = False) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def _consultation(world):  # type: ignore[no-untyped-def]
    panel = experts(world)
    d = dispatched(world, "2025-06-02")
    c = services.open_consultation(
        world.users["dispatcher"],
        d,
        topic="产权分宗",
        chair_id=world.users["leader"].pk,
        expert_ids=[panel[0].pk],
    )
    return c, panel, d


@pytest.mark.parametrize(
    "path,allowed,refused",
    [
        (
            "/experts/",
            ["leader", "dispatcher", "admin"],
            ["expert", "handler", "liaison", "enterprise"],
        ),
        (
            "/experts/board/",
            ["leader", "dispatcher", "admin"],
            ["expert", "head", "liaison", "enterprise"],
        ),
        ("/experts/rule/", ["leader", "dispatcher", "admin"], ["expert", "handler", "enterprise"]),
        (
            "/experts/consultations/",
            ["leader", "dispatcher", "admin", "expert", "handler"],
            ["liaison", "enterprise", "resident"],
        ),
    ],
)
def test_pages_by_role(world, path, allowed, refused):
    for who in allowed:
        assert login(world, who).get(path).status_code == 200, who
    for who in refused:
        assert login(world, who).get(path).status_code == 403, who


def test_board_lists_legacy_items_and_links_consultation(world):
    old = dispatched(world, "2025-06-02", title="老大难：排水管网接驳")
    dispatched(world, "2026-11-20", title="新问题：不应出现")
    r = login(world, "leader").get("/experts/board/")
    html = r.content.decode()
    assert "老大难：排水管网接驳" in html and "新问题：不应出现" not in html
    assert f"?demand={old.pk}" in html
    assert re.search(r'id="legacy-open" href="[^"]*part=open[^"]*">1<', html)
    assert 'id="legacy-list-count">1 项<' in html
    assert 'id="burndown-data"' in html and "<script>" not in html.split("</main>")[0]
    # Another park's board does not show it.
    r = login(world, "dispatcher", other=True).get("/experts/board/")
    assert "老大难" not in r.content.decode()


def test_consultation_pages_flow(world):
    panel = experts(world)
    d = dispatched(world, "2025-06-02")
    disp = login(world, "dispatcher")
    assert disp.get(f"/experts/consultations/new/?demand={d.pk}").status_code == 200
    with unchanged():
        r = disp.post(
            "/experts/consultations/new/",
            {"demand_id": d.pk, "topic": "产权分宗", "chair_id": world.users["leader"].pk},
        )
    assert r.status_code == 422 and "请至少选择一位专家" in r.content.decode()
    r = disp.post(
        "/experts/consultations/new/",
        {
            "demand_id": d.pk,
            "topic": "产权分宗",
            "chair_id": world.users["leader"].pk,
            "expert_ids": [panel[0].pk],
        },
    )
    c = Consultation.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/experts/consultations/{c.pk}/"
    # An expert outside the panel can neither read nor write.
    outsider = panel[1].user
    oc = Client()
    oc.force_login(outsider)
    assert oc.get(f"/experts/consultations/{c.pk}/").status_code == 403
    with unchanged():
        assert oc.post(f"/experts/consultations/{c.pk}/opinion/", {"text": "x"}).status_code == 403
    ec = login(world, "expert")
    assert "我的意见" in ec.get(f"/experts/consultations/{c.pk}/").content.decode()
    with unchanged():
        r = ec.post(f"/experts/consultations/{c.pk}/opinion/", {"text": "  "})
    assert r.status_code == 422 and "专家意见不能为空" in r.content.decode()
    assert (
        ec.post(f"/experts/consultations/{c.pk}/opinion/", {"text": "建议测绘后分宗"}).status_code
        == 302
    )
    lc = login(world, "leader")
    with unchanged():
        r = lc.post(
            f"/experts/consultations/{c.pk}/conclude/",
            {
                "conclusion": "重新交办",
                "kind": "tasks",
                "lead_department_id": world.dept_b.pk,
                "time_limit_days": "0",
            },
        )
    assert r.status_code == 422 and "办理时限应在 1 到 120 个工作日之间" in r.content.decode()
    r = lc.post(
        f"/experts/consultations/{c.pk}/conclude/",
        {"conclusion": "按历史遗留政策答复", "kind": "answer", "outcome": "solved"},
    )
    assert r.status_code == 302
    assert "按历史遗留政策答复" in lc.get(f"/experts/consultations/{c.pk}/").content.decode()
    assert (
        login(world, "dispatcher", other=True).get(f"/experts/consultations/{c.pk}/").status_code
        == 404
    )


def test_rule_form(world):
    c = login(world, "leader")
    with unchanged():
        r = c.post("/experts/rule/", {"open_working_days": "abc", "overdue_urges": "2"})
    assert r.status_code == 422 and "办理工作日数必须是整数" in r.content.decode()
    assert not LegacyRule.objects.exists()
    r = c.post(
        "/experts/rule/", {"open_working_days": "40", "overdue_urges": "1", "count_escalated": "1"}
    )
    assert r.status_code == 302
    rule = LegacyRule.objects.get(park=world.park)
    assert (rule.open_working_days, rule.overdue_urges, rule.count_escalated) == (40, 1, True)
    html = c.get("/experts/rule/").content.decode()
    assert "办理工作日数：60 → 40" in html and "催办次数：2 → 1" in html


def test_pool_form(world):
    c = login(world, "dispatcher")
    r = c.post(
        "/experts/", {"user_id": world.users["expert"].pk, "field": "", "organisation": "湘潭大学"}
    )
    assert r.status_code == 422 and "专业领域不能为空" in r.content.decode()
    assert not Expert.objects.exists()
    r = c.post(
        "/experts/",
        {
            "user_id": world.users["expert"].pk,
            "field": "环评",
            "organisation": "湘潭大学",
            "is_active": "1",
        },
    )
    assert r.status_code == 302 and Expert.objects.get().field == "环评"


def test_api_experts_and_consultations(world):
    c, panel, d = _consultation(world)
    r = world.client("dispatcher").get("/experts")
    assert r.status_code == 200
    rows = {x["name"]: x for x in r.json()}
    assert rows[panel[0].user.display_name]["open_consultations"] == 1
    assert world.client("expert").get("/experts").json()[0]["user_id"] == world.users["expert"].pk
    for who in ("handler", "liaison", "enterprise"):
        r = world.client(who).get("/experts")
        assert r.status_code == 403 and "专家库仅供" in r.json()["detail"]
    assert world.client("dispatcher", other=True).get("/experts").json() == []
    # Consultations: the panel expert sees it and writes an opinion; others are refused.
    assert [x["id"] for x in world.client("expert").get("/consultations").json()] == [c.pk]
    assert world.client("enterprise").get("/consultations").json() == []
    r = world.client("expert").post(f"/consultations/{c.pk}/opinion", {"text": "建议分宗"})
    assert r.status_code == 201 and r.json()["opinions"][0]["text"] == "建议分宗"
    r = world.client("leader").post(f"/consultations/{c.pk}/opinion", {"text": "x"})
    assert r.status_code == 403
    assert world.client("admin", other=True).get(f"/consultations/{c.pk}").status_code == 404
    assert world.client("handler").get(f"/consultations/{c.pk}").status_code == 403


def test_board_figures_drill_to_exactly_the_items_counted(world):
    from experts.tests.test_legacy import END, START, _ledger

    d = _ledger(world)
    c = login(world, "leader")
    period = {"start": START.isoformat(), "end": END.isoformat()}
    html = c.get("/experts/board/", period).content.decode()
    for anchor, n in (("legacy-open", 4), ("legacy-cleared", 1), ("legacy-became", 3)):
        assert re.search(rf'id="{anchor}" href="[^"]*">{n}<', html), anchor
    want = {"open": "ACDH", "start": "AB", "became": "CDH", "cleared": "B"}
    for part, keys in want.items():
        body = c.get("/experts/board/", {**period, "part": part}).content.decode()
        assert f'id="legacy-list-count">{len(keys)} 项<' in body, part
        for k, x in d.items():
            assert (x.number in body) == (k in keys), (part, k)
    # The age band and the department cells list what they count.
    body = c.get("/experts/board/", {**period, "band": 0}).content.decode()
    assert 'id="legacy-list-count">2 项<' in body and d["D"].number in body
    body = c.get("/experts/board/", {**period, "dept": world.dept_a.pk, "band": 2}).content.decode()
    assert 'id="legacy-list-count">1 项<' in body and d["A"].number in body
    body = c.get("/experts/board/", {**period, "dept": "none"}).content.decode()
    assert 'id="legacy-list-count">0 项<' in body
    # Nonsense filters fall back to the plain list instead of failing.
    body = c.get("/experts/board/", {**period, "part": "x", "band": "99", "dept": "abc"})
    assert 'id="legacy-list-count">4 项<' in body.content.decode()
