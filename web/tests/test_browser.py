"""The closed loop walked in a real Chromium, role by role, as people would do it.

One browser for the module; each person gets their own browser context (own cookies). Every main
page is photographed at desktop (1366 px) and phone (375 px) width into build/screenshots/, and at
375 px no page may need horizontal scrolling.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import World, build_world
from demands import services
from demands.attachments import sample_bytes
from demands.models import Demand, Status, Task, TaskStatus
from qinshang.browsertests import DESKTOP, PHONE, SHOTS, click_and_wait_success, require_chromium
from web.tests.test_workbenches import make

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


class Person:
    """One logged-in user in their own browser context."""

    def __init__(self, browser, base: str, username: str):
        self.base = base
        self.ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        self.ctx.set_default_timeout(10_000)
        self.page = self.ctx.new_page()
        self.page.on("dialog", lambda d: d.accept())
        self.page.goto(base + "/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw-" + username)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{username} could not log in"

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        """Desktop and phone screenshots; at 375 px nothing may stick out sideways."""
        page = self.page
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{name}: page is {width}px wide at 375px ({page.url})"
        page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
        page.set_viewport_size(DESKTOP)

    def text(self) -> str:
        return self.page.inner_text("main")

    def close(self) -> None:
        self.ctx.close()


def _file(tmp_path: Path, name: str, kind: str) -> str:
    path = tmp_path / name
    path.write_bytes(sample_bytes(kind))
    return str(path)


def test_the_loop_across_roles(browser, live_server, tmp_path):
    w: World = build_world()
    base = live_server.url

    login = browser.new_page(viewport=DESKTOP)
    login.goto(base + "/login/")
    login.wait_for_selector("#id_username")
    for size, tag in ((DESKTOP, "1366"), (PHONE, "375")):
        login.set_viewport_size(size)
        login.screenshot(path=str(SHOTS / f"login-{tag}.png"), full_page=True)
    assert login.evaluate("document.documentElement.scrollWidth") <= 375
    login.close()

    # Older items already wait in 待交办: the new one must still be the first the dispatcher sees.
    for i in range(3):
        make(w, f"较早受理的诉求{i}", at=timezone.now() - dt.timedelta(days=3 + i))

    # 1. The enterprise submits a demand with a photo through the portal.
    ent = Person(browser, base, "ent")
    assert ent.page.url.endswith("/portal/")
    ent.shot("portal-empty")
    ent.page.click("#submit-demand")
    ent.page.fill("#n-title", "申请技改贴息贷款")
    ent.page.fill(
        "#n-desc", "企业计划购置数控机床 12 台，需要贷款 800 万元，希望了解园区贴息政策并对接银行。"
    )
    ent.page.select_option("#n-cat", str(w.cat_finance.pk))
    ent.page.fill("#n-name", "王经理")
    ent.page.fill("#n-phone", "13907321234")
    ent.page.set_input_files("#n-files", _file(tmp_path, "车间照片.png", "png"))
    ent.shot("submit-demand")
    ent.page.click("form.card button.primary")
    ent.page.wait_for_selector("#demand-status")
    demand = Demand.objects.get(title="申请技改贴息贷款")
    assert demand.status == Status.RECEIVED and demand.attachments.count() == 1
    assert "诉求已提交" in ent.text()

    # 2. The dispatcher sees it in the dispatch centre with the category's defaults and dispatches.
    disp = Person(browser, base, "disp")
    assert disp.page.url.endswith("/dispatch/")
    assert "默认：经济发展局 · 5个工作日" in disp.text()
    assert disp.page.inner_text("#queue li.item .title >> nth=0") == "申请技改贴息贷款"
    assert disp.page.inner_text("#bell .count") == "1"  # 新诉求待交办
    disp.shot("dispatch-centre")
    click_and_wait_success(disp.page, f"button[name=only][value='{demand.pk}']")
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED and demand.lead_department == w.dept_a

    # 3. The department signs it from its inbox, then replies with a PDF.
    hand = Person(browser, base, "hand_a")
    assert hand.page.url.endswith("/department/")
    assert demand.number in hand.text()
    assert hand.page.inner_text("#bell .count") == "1"  # 新交办
    hand.shot("department-inbox")
    click_and_wait_success(hand.page, "#queue form button.primary")  # 签收
    hand.go(f"/demands/{demand.pk}/")
    hand.page.click("details[data-action=reply] > summary")
    hand.page.select_option("details[data-action=reply] select[name=outcome]", "solved")
    hand.page.fill(
        "details[data-action=reply] textarea[name=answer]",
        "已对接建设银行湘潭分行，贴息申报材料已指导填报，预计两周内放款。",
    )
    hand.page.set_input_files(
        "details[data-action=reply] input[type=file]", _file(tmp_path, "贴息政策.pdf", "pdf")
    )
    hand.shot("demand-reply-form")
    click_and_wait_success(hand.page, "details[data-action=reply] button[type=submit]")
    demand.refresh_from_db()
    assert demand.status == Status.ANSWERED
    hand.go("/notifications/")
    hand.shot("notifications")

    # 4. The enterprise reads the answer, its timeline, and rates it.
    ent.go(f"/demands/{demand.pk}/")
    assert "已对接建设银行" in ent.text()
    assert "贴息政策.pdf" in ent.text()
    assert ent.page.inner_text("#bell .count") == "1"  # 已答复
    ent.page.click("details[data-action=confirm] > summary")
    ent.page.check("details[data-action=confirm] input[value=satisfied]")
    ent.page.fill("details[data-action=confirm] textarea[name=comment]", "办得快，谢谢！")
    ent.shot("demand-enterprise")
    click_and_wait_success(ent.page, "details[data-action=confirm] button[type=submit]")
    demand.refresh_from_db()
    assert demand.status == Status.CONFIRMED and demand.satisfaction == "satisfied"
    ent.go("/portal/")
    ent.shot("portal")

    # 5. The dispatcher closes it from the 待销号 queue.
    disp.go("/dispatch/?tab=confirmed")
    disp.shot("dispatch-centre-confirmed")
    click_and_wait_success(disp.page, f"button[name=only][value='{demand.pk}']")
    demand.refresh_from_db()
    assert demand.status == Status.CLOSED
    disp.go(f"/demands/{demand.pk}/")
    timeline = disp.page.inner_text("#timeline")
    for label in ("受理", "交办", "签收", "答复", "回访评价", "销号"):
        assert label in timeline
    disp.shot("demand-closed")
    disp.go("/demands/")
    disp.page.fill("#f-q", "800 万元")  # htmx swaps in the results as one types
    # A locator wait polls without evaluating strings, which the page's CSP forbids.
    sync_api.expect(disp.page.locator("#ledger-count")).to_have_text("1", timeout=15_000)
    disp.page.wait_for_url("**/demands/?*q=*")  # and keeps the filter in the address bar
    disp.shot("ledger")
    with disp.page.expect_download() as dl:
        disp.page.click("text=导出 Excel")
    assert dl.value.suggested_filename.endswith(".xlsx")

    # The other homes, photographed once with this data in place.
    for username, path, name in (
        ("head_a", "/department/?tab=answered", "department-head"),
        ("liaison", "/liaison/", "liaison"),
        ("leader", "/leader/", "leader"),
        ("expert", "/expert/", "expert"),
        ("admin", "/manage/", "admin-home"),
    ):
        p = Person(browser, base, username)
        p.go(path)
        p.shot(name)
        p.close()
    for p in (ent, disp, hand):
        p.close()


def test_a_return_is_rerouted_by_the_dispatcher(browser, live_server):
    w: World = build_world()
    disp_user = w.users["dispatcher"]
    d = services.create_demand(
        disp_user,
        w.park,
        services.Intake(
            title="厂区规划调整咨询",
            description="企业拟扩建二期厂房，咨询规划指标调整流程。",
            channel="hotline",
            enterprise_id=w.enterprise.pk,
            category_id=w.cat_finance.pk,
        ),
    )
    services.perform(disp_user, d, "dispatch", {"lead_department_id": w.dept_b.pk})
    base = live_server.url

    land = Person(browser, base, "hand_b")
    land.go(f"/demands/{d.pk}/")
    land.page.click("details[data-action=return] > summary")
    land.page.select_option("details[data-action=return] select[name=reason]", "not_our_duty")
    land.page.fill("details[data-action=return] textarea[name=note]", "属经济发展局职能")
    click_and_wait_success(land.page, "details[data-action=return] button[type=submit]")
    d.refresh_from_db()
    assert d.status == Status.RETURNED

    disp = Person(browser, base, "disp")
    disp.go("/dispatch/?tab=returned")
    assert "属经济发展局职能" in disp.text()
    disp.shot("dispatch-centre-returned")
    disp.page.select_option("#queue select[name=department_id]", str(w.dept_a.pk))
    click_and_wait_success(disp.page, "#queue button:has-text('改派')")
    d.refresh_from_db()
    assert d.status == Status.DISPATCHED
    assert Task.objects.get(demand=d, department=w.dept_a).status == TaskStatus.PENDING

    econ = Person(browser, base, "hand_a")
    assert d.number in econ.text()  # in the new department's 待签收
    for p in (land, disp, econ):
        p.close()


def test_overdue_items_are_urged_in_bulk(browser, live_server):
    w: World = build_world()
    disp_user = w.users["dispatcher"]
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = []
    for i in range(2):
        d = services.create_demand(
            disp_user,
            w.park,
            services.Intake(
                title=f"道路破损影响货车通行（{i + 1}）",
                description="园区支路路面破损，货车通行困难。",
                channel="visit",
                enterprise_id=w.enterprise.pk,
                category_id=w.cat_finance.pk,
                created_at=long_ago,
            ),
        )
        services.dispatch(disp_user, d, lead_department_id=w.dept_a.pk, at=long_ago)
        late.append(d)
    base = live_server.url

    disp = Person(browser, base, "disp")
    disp.go("/dispatch/?tab=late")
    assert "已逾期" in disp.text()
    disp.shot("dispatch-centre-late")
    disp.page.fill("#bulk-form input[name=note]", "请本周内办结")
    click_and_wait_success(disp.page, "button[name=scope][value=all_overdue]")
    assert "已催办 2 件" in disp.text()
    for d in late:
        d.refresh_from_db()
        assert d.urge_level == 1

    hand = Person(browser, base, "hand_a")
    hand.go("/department/?tab=overdue")
    assert hand.page.locator("#queue .badge.urge").all_inner_texts() == ["催办", "催办"]
    hand.shot("department-overdue")
    hand.go("/notifications/")
    assert "催办" in hand.text()
    for p in (disp, hand):
        p.close()
