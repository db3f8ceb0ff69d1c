"""The ladder's 企业接待日 walked in a real Chromium: a dispatcher escalates a demand and it is on
the next 接待日's agenda; the chair holds the meeting on a phone with attendance and notes; a
decision creates tasks in two departments' inboxes; they reply; the next meeting's
往期交办事项落实情况 shows the decision done.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import World, build_world
from demands import services as ds
from demands.models import Channel, Tier
from meetings import services
from meetings.models import Decision, Meeting, MeetingStatus
from qinshang.browsertests import DESKTOP, PHONE, SHOTS, click_and_wait_success, require_chromium

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


class Person:
    def __init__(self, browser, base: str, username: str, viewport: dict | None = None):
        self.base = base
        self.ctx = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN")
        self.ctx.set_default_timeout(15_000)
        self.page = self.ctx.new_page()
        self.page.on("dialog", lambda d: d.accept())  # data-confirm buttons
        self.page.goto(base + "/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw-" + username)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{username} could not log in"

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        page = self.page
        size = page.viewport_size
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name}: page is {width}px wide at 375px ({page.url})"
        page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
        page.set_viewport_size(size or DESKTOP)

    def text(self) -> str:
        return self.page.inner_text("main")


def test_escalation_to_reception_day_to_decision_to_done(browser, live_server):
    w: World = build_world()
    base = live_server.url
    today = services._today()
    disp = Person(browser, base, "disp")

    # 1. The dispatch centre sets the 接待日 a few days ahead and lets the job create it.
    target = today + dt.timedelta(days=4)
    disp.go("/meetings/schedules/")
    form = "#schedule-reception form"
    disp.page.fill(f"{form} input[name=day_of_month]", str(min(target.day, 28)))
    disp.page.fill(f"{form} input[name=lead_working_days]", "20")
    disp.page.fill(f"{form} input[name=place]", "管委会三楼会议室")
    click_and_wait_success(disp.page, f"{form} button[type=submit]")
    click_and_wait_success(disp.page, "#run-now")
    assert "已生成" in disp.text()
    disp.shot("meetings-schedules")
    m = Meeting.objects.get(park=w.park, kind="reception")
    assert m.chair == w.users["leader"]

    # 2. A demand the department could not solve is escalated on its page.
    d = ds.create_demand(
        w.users["dispatcher"],
        w.park,
        ds.Intake(
            title="二期厂房用地指标迟迟未落实",
            description="企业二期扩建需新增用地30亩，规划调整进展缓慢。",
            channel=Channel.HOTLINE,
            enterprise_id=w.enterprise.pk,
            category_id=w.cat_land.pk,
        ),
    )
    disp.go(f"/demands/{d.pk}/")
    disp.page.click("details[data-action=escalate] > summary")
    disp.page.select_option("details[data-action=escalate] select[name=tier]", Tier.RECEPTION_DAY)
    disp.page.fill(
        "details[data-action=escalate] textarea[name=note]", "涉及规划调整，需园区领导协调"
    )
    click_and_wait_success(disp.page, "details[data-action=escalate] button[type=submit]")

    # 3. It is on the next 接待日's agenda.
    disp.go("/meetings/")
    disp.page.click(f"text={m.title}")
    disp.page.wait_for_selector("#agenda-items .agenda-item")
    assert d.number in disp.page.inner_text("#agenda-items")
    assert "本次为该类会议首次召开" in disp.page.inner_text("#previous")
    disp.shot("meetings-preparing")

    # The meeting is brought forward to today (with the reason), so that it can be held now.
    if m.date != today:
        disp.page.click("details.act > summary:has-text('调整日期')")
        disp.page.fill("#move-date", today.isoformat())
        disp.page.fill("#move-reason", "领导日程调整，提前召开")
        click_and_wait_success(disp.page, "#move-submit")
        assert m.events.get(action="move").note == "领导日程调整，提前召开"

    # 4. The chair holds the meeting on a phone: attendance, notes, a decision for two departments.
    chair = Person(browser, base, "leader", viewport=PHONE)
    chair.go(f"/meetings/{m.pk}/")
    chair.page.click("#hold")
    chair.page.wait_for_url(f"**/meetings/{m.pk}/live/")
    chair.page.check(f"#attendance input[name=department_ids][value='{w.dept_b.pk}']")
    chair.page.fill("#others", "湘潭恒远精密机械有限公司 王经理")
    click_and_wait_success(chair.page, "#save-attendance")
    item = m.items.get(demand=d)
    sec = f"#item-{item.pk}"
    chair.page.fill(
        f"{sec} textarea[name=notes]", "企业汇报了二期扩建进展，自然资源分局说明了规划调整程序。"
    )
    click_and_wait_success(chair.page, f"{sec} form:has(textarea[name=notes]) button[type=submit]")
    chair.page.select_option(f"{sec} select[name=kind]", "tasks")
    chair.page.fill(
        f"{sec} textarea[name=text]", "由自然资源和规划分局牵头，10个工作日内完成规划调整报批"
    )
    chair.page.select_option(f"{sec} select[name=lead_department]", str(w.dept_b.pk))
    chair.page.fill(f"{sec} input[name=lead_days]", "10")
    chair.page.select_option(f"{sec} select[name=co_department_0]", str(w.dept_a.pk))
    chair.page.fill(f"{sec} input[name=co_days_0]", "5")
    click_and_wait_success(chair.page, f"{sec} details.decide button[type=submit]")
    assert "已向 2 个部门交办任务" in chair.text()
    chair.shot("meetings-live")

    # 5. The tasks are in both departments' inboxes at once.
    for username in ("hand_b", "hand_a"):
        dept = Person(browser, base, username)
        dept.go("/department/")
        dept.page.wait_for_selector(f"text={d.number}")
        if username == "hand_b":
            dept.shot("meetings-department-inbox")
        dept.ctx.close()

    # 6. The chair issues the minutes; the departments reply (through the services).
    click_and_wait_success(chair.page, "#issue")
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.ISSUED
    decision = Decision.objects.get(meeting=m)
    for link in decision.links.select_related("task"):
        who = "handler_b" if link.task.department_id == w.dept_b.pk else "handler"
        d.refresh_from_db()
        ds.sign(w.users[who], d, task_id=link.task_id)
        d.refresh_from_db()
        ds.reply(w.users[who], d, task_id=link.task_id, answer="规划调整已报批", outcome="solved")

    # 7. The next 接待日 opens with 往期交办事项落实情况: the decision is done, on time.
    disp.go("/meetings/new/")
    disp.page.select_option("#kind", "reception")
    disp.page.fill("#date", services.first_working_day(today + dt.timedelta(days=14)).isoformat())
    disp.page.select_option("#chair_id", str(w.users["leader"].pk))
    click_and_wait_success(disp.page, "button.primary[type=submit]")
    prev = disp.page.inner_text("#previous")
    assert "二期厂房用地指标迟迟未落实" in prev and "按时办结" in prev
    assert disp.page.locator("#previous .followup[data-state=on_time]").count() == 1
    disp.shot("meetings-next-previous")

    # The issued meeting's own page shows its figures.
    disp.go(f"/meetings/{m.pk}/")
    assert "纪要已印发" in disp.page.inner_text("#meeting-status")
    disp.shot("meetings-issued")
    chair.ctx.close()
    disp.ctx.close()
