"""大走访 walked in a real Chromium: the dispatch centre designs and launches a campaign, a liaison
records a visit on a phone (with a follow-up, a photo and a problem), the problem lands in the
ledger, and the dashboard shows it. Also the liaison-assignment pages on a demo-sized park.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import pytest

from conftest import World, build_world
from demands.attachments import sample_bytes
from demands.models import Channel, Demand
from liaisons import services as liaison_services
from qinshang.browsertests import DESKTOP, PHONE, SHOTS, click_and_wait_success, require_chromium
from visits.models import Answer, Campaign, CampaignStatus, Target, TargetStatus, VisitPhoto

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


class Person:
    def __init__(
        self,
        browser,
        base: str,
        username: str,
        password: str | None = None,
        viewport: dict | None = None,
    ):
        self.base = base
        self.ctx = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN")
        self.ctx.set_default_timeout(15_000)
        self.page = self.ctx.new_page()
        self.page.on("dialog", lambda d: d.accept())  # data-confirm buttons
        self.page.goto(base + "/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password or "pw-" + username)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{username} could not log in"

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def fits_phone(self, name: str) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name}: page is {width}px wide at 375px ({self.page.url})"

    def shot(self, name: str) -> None:
        page = self.page
        size = page.viewport_size
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)  # let the layout settle before measuring and shooting
        self.fits_phone(name)
        page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
        page.set_viewport_size(size or DESKTOP)

    def text(self) -> str:
        return self.page.inner_text("main")


def test_campaign_from_creation_to_visits_to_demands(browser, live_server):
    w: World = build_world()
    base = live_server.url

    # 1. The dispatch centre creates the campaign and builds its questionnaire.
    disp = Person(browser, base, "disp")
    disp.go("/visits/new/")
    disp.page.fill("#title", "2026年四季度助企纾困大走访")
    disp.page.select_option("#theme", "relief")
    disp.page.fill("#end_date", "2026-12-31")
    disp.page.fill("#description", "重点了解融资、用工、用地难题，问题当场记录，转入台账限时交办。")
    disp.shot("campaign-new")
    disp.page.click("form.card button.primary")
    disp.page.wait_for_selector("#add-question")
    # The helpers are a deferred script: wait for it before judging what it hides.
    disp.page.wait_for_load_state("load")
    campaign = Campaign.objects.get()

    disp.page.fill("#q-text", "企业目前是否存在融资困难？")
    disp.page.select_option("#q-kind", "yesno")
    disp.page.wait_for_selector("#q-options", state="hidden")  # options only for choice questions
    disp.page.fill("#q-follow", "资金缺口（万元）和用途")
    disp.page.select_option("#q-category", str(w.cat_finance.pk))
    disp.page.click("#add-question button.primary")
    disp.page.wait_for_selector(".q-card")

    disp.page.fill("#q-text", "生产经营状况")
    disp.page.select_option("#q-kind", "single")
    disp.page.fill("#q-options", "正常\n部分停产\n全面停产")
    disp.page.click("#add-question button.primary")
    sync_api.expect(disp.page.locator(".q-card")).to_have_count(2)

    disp.page.fill("#q-text", "近期最需要园区帮助的事项")
    disp.page.select_option("#q-kind", "multi")
    disp.page.fill("#q-options", "用工招聘\n用地厂房\n融资贷款\n市场拓展")
    disp.page.uncheck("#add-question input[name=required]")
    disp.page.click("#add-question button.primary")
    sync_api.expect(disp.page.locator(".q-card")).to_have_count(3)
    assert campaign.questions.count() == 3
    disp.shot("campaign-builder")

    disp.page.click("text=启动走访")
    disp.page.wait_for_selector(".stat")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE and campaign.targets.count() == 2

    # 2. The liaison, on a phone, finds their target and records the visit.
    lia = Person(browser, base, "liaison", viewport=PHONE)
    lia.go("/visits/")
    lia.fits_phone("campaign-list")
    assert "2026年四季度助企纾困大走访" in lia.text()
    lia.shot("campaign-list")
    lia.page.click("text=去走访")
    lia.page.wait_for_selector("text=登记走访")
    assert w.enterprise.name in lia.text() and w.enterprise2.name not in lia.text()
    lia.shot("campaign-targets")
    lia.page.click("text=登记走访")
    lia.page.wait_for_selector("#visit-form")
    lia.page.wait_for_load_state("load")
    q_loan, q_state, q_needs = campaign.questions.order_by("order")

    follow = f"#q{q_loan.pk}_follow"
    lia.page.wait_for_selector(follow, state="hidden", timeout=5000)  # shown only after "是"
    lia.page.fill("#people_met", "王经理（总经理）")
    lia.page.check(f"input[name=q{q_loan.pk}][value=yes]")
    lia.page.wait_for_selector(follow, state="visible", timeout=5000)
    lia.page.fill(follow, "缺口约 800 万元，用于购置 12 台数控机床")
    lia.page.check(f"input[name=q{q_loan.pk}_problem]")
    lia.page.fill(f"#q{q_loan.pk}_note", "希望对接技改贴息贷款")
    lia.page.check(f"input[name=q{q_state.pk}][value=正常]")
    lia.page.check(f"input[name=q{q_needs.pk}][value=融资贷款]")
    lia.page.check(f"input[name=q{q_needs.pk}][value=用工招聘]")
    lia.page.fill("#note", "企业订单饱满，产能利用率约 90%。")
    lia.page.set_input_files(
        "#photos",
        files=[{"name": "车间.png", "mimeType": "image/png", "buffer": sample_bytes("png")}],
    )
    lia.fits_phone("visit-record")
    lia.shot("visit-record")
    click_and_wait_success(lia.page, "#visit-form button.primary")
    assert "1 个问题已转入问题台账" in lia.text()

    answer = Answer.objects.get(question=q_loan)
    demand = answer.demand
    assert demand is not None and demand.channel == Channel.VISIT
    assert demand.enterprise == w.enterprise and demand.category == w.cat_finance
    assert Demand.objects.count() == 1
    assert demand.number in lia.text()
    assert VisitPhoto.objects.filter(visit=answer.visit).count() == 1
    assert Target.objects.get(entity=w.enterprise).status == TargetStatus.VISITED
    lia.page.wait_for_selector(".photos img")
    lia.shot("visit-detail")
    assert lia.page.get_attribute(f"a[href='/demands/{demand.pk}/']", "href")

    # 3. The dispatch centre watches coverage and problems, and exports all answers.
    disp.go(f"/visits/{campaign.pk}/")
    text = disp.text()
    assert "50.0%" in text and demand.number in text
    disp.shot("campaign-dashboard")
    with disp.page.expect_download() as dl:
        disp.page.click("text=导出全部问卷")
    assert dl.value.suggested_filename.endswith(".xlsx")
    disp.go(f"/visits/{campaign.pk}/targets/")
    disp.shot("campaign-all-targets")


def test_assignment_pages_on_a_demo_sized_park(browser, live_server):
    from liaisons.tests.factories import build_demo_park

    demo = build_demo_park()
    rules = liaison_services.rules_for(demo.park)
    rules.department_industries = {str(k): v for k, v in demo.dept_industries.items() if v}
    rules.save()
    demo.dispatcher.set_password("pw-demo")
    demo.dispatcher.save()
    base = live_server.url
    disp = Person(browser, base, demo.dispatcher.username, "pw-demo")
    disp.go("/liaisons/")
    disp.shot("liaisons-overview-empty")
    disp.page.click("text=生成安排方案")
    disp.page.wait_for_selector("text=确认生效")
    assert "100%" in disp.text() and "负荷分布" in disp.text()
    disp.shot("liaisons-plan")
    click_and_wait_success(disp.page, "text=确认生效")
    disp.go("/liaisons/")
    assert "100.0%" in disp.text()
    disp.shot("liaisons-overview")
    disp.go("/liaisons/rules/")
    disp.shot("liaisons-rules")
    person = demo.staff[-1]
    disp.go(f"/liaisons/staff/{person.pk}/")
    disp.page.fill("#ho-note", "调任投资促进局")
    click_and_wait_success(disp.page, "text=办理交接")
    assert "调任投资促进局" in disp.text()
    disp.shot("liaisons-staff-handover")
    ent = person.handovers_given.get().assignments.first().entity
    disp.go(f"/liaisons/entities/{ent.pk}/")
    assert "调任投资促进局" in disp.text()
    disp.shot("liaisons-entity-history")
    disp.go("/liaisons/contacts/")
    disp.shot("liaisons-contacts")
    disp.go("/liaisons/import/")
    disp.shot("liaisons-import")
