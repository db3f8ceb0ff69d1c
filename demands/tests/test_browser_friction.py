"""The friction points in Chromium, on a phone and a desktop: the enterprise sees 待补充 on its
portal and answers through the link, which opens the form; the dispatcher records an answer given
by phone (记录电话补充); the department's 退单 button opens the demand with 退单 unfolded."""

from __future__ import annotations

import pytest

from conftest import build_world
from demands import services
from demands.models import Demand
from demands.tests.test_browser_heads import _dispatched
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_to_supply_badge_phone_answer_and_folded_forms(browser, live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    first = _dispatched(world, "申请技改贴息贷款")
    second = _dispatched(world, "申请人才公寓")
    for d in (first, second):
        services.ask_info(world.users["dispatcher"], d, question="请补充近三年的纳税证明")

    ent = Person(browser, live_server.url, "ent", viewport=PHONE)
    ent.go("/portal/")
    expect(ent.page.locator("#to-supply-count")).to_have_text("2")
    expect(ent.page.locator("nav")).to_contain_text("待补充 2")
    ent.shot("friction-1-portal-to-supply")
    ent.page.locator(f'#to-supply a[href*="/demands/{first.pk}/?act=supply_info"]').click()
    form = ent.page.locator("details.act[data-action=supply_info]")
    expect(form).to_have_attribute("open", "")
    form.locator("textarea[name=answer]").fill("已上传近三年纳税证明")
    ent.shot("friction-2-supply-form-open")
    click_and_wait_success(ent.page, "details.act[data-action=supply_info] button[type=submit]")
    ent.go("/portal/")
    expect(ent.page.locator("#to-supply-count")).to_have_text("1")

    disp = Person(browser, live_server.url, "disp")
    disp.go(f"/demands/{second.pk}/")
    form = disp.page.locator("details.act[data-action=record_supply]")
    form.locator("summary").click()
    form.locator("textarea[name=answer]").fill("企业电话告知：纳税证明下周一送到")
    disp.shot("friction-3-record-phone-answer")
    click_and_wait_success(disp.page, "details.act[data-action=record_supply] button[type=submit]")
    expect(disp.page.locator("#timeline")).to_contain_text("诉求人电话补充，由disp记录")
    assert not Demand.objects.get(pk=second.pk).awaits_info
    disp.shot("friction-4-phone-answer-in-timeline")
    ent.go("/portal/")
    expect(ent.page.locator("#to-supply")).to_have_count(0)

    third = _dispatched(world, "申请用地指标")
    hand = Person(browser, live_server.url, "hand_a", viewport=PHONE)
    hand.go("/department/?tab=pending")
    hand.page.locator(f'a.danger[href*="/demands/{third.pk}/?act=return"]').click()
    expect(hand.page.locator("details.act[data-action=return]")).to_have_attribute("open", "")
    hand.shot("friction-5-return-open")
    for p in (ent, disp, hand):
        p.close()


def test_one_click_dispatch_asks_first_and_can_be_undone(browser, live_server):  # type: ignore[no-untyped-def]
    """待交办's one-click 交办 asks before it acts (a dismissed question does nothing), and a
    dispatch made by mistake is taken back from 刚刚交办 on a phone; the department is told."""
    world = build_world()
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请技改贴息贷款",
            description="企业计划购置数控机床，需要贷款并了解贴息政策。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    for viewport, tag in ((None, "on-desktop"), (PHONE, "on-phone")):
        disp = Person(browser, live_server.url, "disp", viewport=viewport, accept_dialogs=False)
        asked: list[str] = []

        def answer(dialog, asked=asked):  # type: ignore[no-untyped-def]
            asked.append(dialog.message)
            dialog.dismiss() if len(asked) == 1 else dialog.accept()

        disp.page.on("dialog", answer)
        disp.go("/dispatch/?tab=received")
        one = disp.page.locator(f'#queue button[name=only][value="{d.pk}"]')
        one.click()  # dismissed: nothing happens
        expect(disp.page.locator("#undo-dispatch")).to_have_count(0)
        assert Demand.objects.get(pk=d.pk).status == "received"
        click_and_wait_success(disp.page, f'#queue button[name=only][value="{d.pk}"]')
        assert "交办给经济发展局" in asked[0]
        expect(disp.page.locator(".alert.success")).to_contain_text("可在“刚刚交办”中撤销")
        expect(disp.page.locator("#undo-dispatch")).to_contain_text(d.number)
        disp.shot(f"friction-6-undo-offered-{tag}")
        click_and_wait_success(disp.page, "#undo-dispatch button[type=submit]")
        expect(disp.page.locator("#undo-dispatch")).to_have_count(0)
        expect(disp.page.locator(f'#queue button[name=only][value="{d.pk}"]')).to_be_visible()
        assert Demand.objects.get(pk=d.pk).status == "received"
        disp.shot(f"friction-7-undone-back-in-queue-{tag}")
        disp.close()
    hand = Person(browser, live_server.url, "hand_a", viewport=PHONE)
    hand.go("/notifications/")
    expect(hand.page.locator("main")).to_contain_text("交办已撤销")
    hand.shot("friction-8-department-told-of-undo")
    hand.close()


def test_co_departments_are_ticked_on_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    """协办 as checkboxes: on a 375 px phone the dispatcher ticks two co-departments in the
    dispatch form and both get their task."""
    world = build_world()
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="新建厂房用地及招工",
            description="企业新建厂房需要用地审批，同时需要招聘技术工人。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    disp = Person(browser, live_server.url, "disp", viewport=PHONE)
    disp.go(f"/demands/{d.pk}/")
    form = disp.page.locator("details.act[data-action=dispatch]")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.locator("select[name=lead_department_id]").select_option(str(world.dept_a.pk))
    for dept in (world.dept_b, world.dept_c):
        box = form.locator(f'input[name=co_department_ids][value="{dept.pk}"]')
        box.scroll_into_view_if_needed()
        box.check()
        expect(box).to_be_checked()
    disp.shot("friction-9-co-departments-on-phone")
    click_and_wait_success(disp.page, "details.act[data-action=dispatch] button[type=submit]")
    tasks = {(t.department_id, t.role) for t in Demand.objects.get(pk=d.pk).tasks.all()}
    assert tasks == {(world.dept_a.pk, "lead"), (world.dept_b.pk, "co"), (world.dept_c.pk, "co")}
    disp.close()


def test_the_ledger_is_worked_with_the_keyboard_and_ticked_rows_exported_on_a_phone(  # type: ignore[no-untyped-def]
    browser, live_server, tmp_path
):
    """问题台账 without a mouse: j moves, x ticks, and the ticked rows are urged together; on a
    phone a tapped row is exported alone (导出所选)."""
    import openpyxl

    world = build_world()
    made = [_dispatched(world, title) for title in ("申请技改贴息贷款", "厂区道路积水", "用电增容")]
    disp = Person(browser, live_server.url, "disp")
    page = disp.page
    disp.go("/demands/?sort=number")
    expect(page.locator("#keys-help")).to_contain_text("x 选中")
    rows = page.locator("#ledger-results tbody tr")
    expect(rows).to_have_count(3)
    for key in ("j", "x", "j", "j", "x"):
        page.keyboard.press(key)
    expect(rows.nth(0).locator("input.pick")).to_be_checked()
    expect(rows.nth(1).locator("input.pick")).not_to_be_checked()
    expect(rows.nth(2).locator("input.pick")).to_be_checked()
    disp.shot("ledger-1-rows-ticked-by-keyboard")
    page.fill("#ledger-bulk input[name=note]", "请本周内答复")
    click_and_wait_success(page, "#ledger-bulk button[value=urge]")
    expect(page.locator(".alert.success")).to_contain_text("已催办 2 件")
    assert page.url.endswith("/demands/?sort=number")
    levels = dict(Demand.objects.values_list("number", "urge_level"))
    assert [levels[d.number] for d in made] == [1, 0, 1]
    disp.shot("ledger-2-ticked-rows-urged")
    disp.close()

    phone = Person(browser, live_server.url, "disp", viewport=PHONE)
    phone.go("/demands/?sort=number")
    phone.page.locator("#ledger-results tbody tr").nth(1).locator("input.pick").check()
    phone.fits_phone("ledger-3-row-tapped-on-a-phone")
    phone.shot("ledger-3-row-tapped-on-a-phone")
    with phone.page.expect_download() as got:
        phone.page.click("#ledger-bulk button:has-text('导出所选')")
    path = tmp_path / "selected.xlsx"
    got.value.save_as(path)
    sheet = openpyxl.load_workbook(path)["问题台账"]
    rows_out = list(sheet.iter_rows(values_only=True))
    col = rows_out[0].index("编号")
    assert [r[col] for r in rows_out[1:]] == [made[1].number]
    phone.close()
