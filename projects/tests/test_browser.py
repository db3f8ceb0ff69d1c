"""重点项目 and 专家会诊 in a real Chromium: a leader registers a project and plans a milestone,
the liaison on a phone records progress and a site inspection, the 清零 board draws its burn-down,
and an expert on a phone writes an opinion which the chair turns into new tasks.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import pytest

from conftest import World, build_world
from demands.models import Status
from experts.models import Consultation, Expert
from experts.tests.helpers import dispatched
from projects.models import KeyProject, Milestone, SiteInspection
from qinshang.browsertests import (
    PHONE,
    SHOTS,
    Person,
    click_and_wait_success,
    require_chromium,
)

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_projects_and_consultation_in_chromium(browser, live_server):
    w: World = build_world()
    base = live_server.url

    leader = Person(browser, base, "leader", accept_dialogs=False)
    leader.go("/projects/new/")
    leader.page.fill("#p-name", "湖南省医疗器械产业园产业集中区二期")
    leader.page.select_option("#p-investor", str(w.enterprise.pk))
    leader.page.fill("#p-inv", "130000")
    leader.page.select_option("#p-industry", "35")
    leader.page.select_option("#p-level", "province")
    leader.page.select_option("#p-leader", str(w.users["leader"].pk))
    leader.page.select_option("#p-liaison", str(w.users["liaison"].pk))
    leader.page.fill("#p-signed", "2026-03-02")
    leader.shot("project-new")
    click_and_wait_success(leader.page, "form.card button.primary")
    project = KeyProject.objects.get()
    leader.page.fill("#ma-name", "主体结构封顶")
    leader.page.fill("#ma-planned", "2026-02-20")  # before the signing: refused
    leader.page.click("#milestone-add button.primary")
    leader.page.wait_for_selector("#project-error")
    assert "不能早于项目签约日期" in leader.page.inner_text("#project-error")
    assert not Milestone.objects.exists()
    leader.page.fill("#ma-name", "主体结构封顶")
    leader.page.fill("#ma-planned", "2026-06-30")
    click_and_wait_success(leader.page, "#milestone-add button.primary")

    lia = Person(browser, base, "liaison", viewport=PHONE, accept_dialogs=False)
    lia.go(f"/projects/{project.pk}/")
    lia.page.click("#milestones summary")
    lia.page.fill("#milestones input[name=actual_on]", "2026-07-03")
    click_and_wait_success(lia.page, "#milestones button.primary")
    lia.page.fill("#ia-days", "5")
    lia.page.fill("#ia-f", "塔吊基础沉降观测记录缺失")
    click_and_wait_success(lia.page, "#inspection-add button.primary")
    assert SiteInspection.objects.get().rectification_deadline is not None
    assert str(Milestone.objects.get().actual_on) == "2026-07-03"
    lia.shot("project-detail")
    lia.go("/projects/")
    lia.shot("project-list")

    # A legacy item goes to a panel; the expert writes on a phone; the chair decides.
    panel = Expert.objects.create(
        user=w.users["expert"], park=w.park, field="土地规划", organisation="湘潭大学"
    )
    d = dispatched(w, "2025-06-02", title="8# 厂房产权证分宗")
    leader.go("/experts/board/")
    leader.page.wait_for_selector("#chart-burndown canvas")
    leader.shot("legacy-board")
    leader.page.click(f"a[href$='?demand={d.pk}']")
    leader.page.check(f"input[name=expert_ids][value='{panel.pk}']")
    click_and_wait_success(leader.page, "form.card button.primary")
    c = Consultation.objects.get()

    exp = Person(browser, base, "expert", viewport=PHONE, accept_dialogs=False)
    exp.go(f"/experts/consultations/{c.pk}/")
    exp.page.fill("#o-text", "建议由规划分局牵头测绘，分宗登记后再办产权证")
    click_and_wait_success(exp.page, "#opinion-form button.primary")
    exp.shot("consultation-expert")

    leader.go(f"/experts/consultations/{c.pk}/")
    leader.page.fill("#k-text", "由自然资源和规划分局牵头，15 个工作日内完成分宗")
    leader.page.check("input[name=kind][value=tasks]")
    leader.page.select_option("#k-lead", str(w.dept_b.pk))
    leader.page.fill("#k-days", "15")
    click_and_wait_success(leader.page, "#conclude-form button.primary")
    d.refresh_from_db()
    assert d.status == Status.DISPATCHED and d.lead_department == w.dept_b
    leader.shot("consultation-concluded")
    assert (SHOTS / "legacy-board-375.png").exists()
