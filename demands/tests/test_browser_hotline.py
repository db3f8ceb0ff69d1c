"""The hotline in Chromium: the dispatcher types the caller's number and sees the caller's
enterprise, its liaison and its open demands, takes the enterprise into the form and registers
the call; then works 待交办 with the keyboard alone and keeps a ledger filter as 我的视图."""

from __future__ import annotations

import pytest

from conftest import build_world
from demands import services
from demands.models import Demand, SavedView
from qinshang.browsertests import PHONE, Person, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_hotline_finds_the_caller_by_phone_then_keyboard_and_saved_view(browser, live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    ent = world.enterprise
    earlier = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请技改贴息",
            description="企业购置设备，希望了解贴息政策。",
            channel="portal",
            enterprise_id=ent.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    disp = Person(browser, live_server.url, "disp")
    page = disp.page
    disp.go("/demands/new/")
    page.select_option("#n-channel", "hotline")
    page.fill("#n-phone", "13907321234")
    card = page.locator("#caller-card")
    expect(card).to_contain_text(ent.name)
    expect(card).to_contain_text(world.users["liaison"].display_name)
    expect(card).to_contain_text(earlier.number)
    disp.shot("hotline-caller")
    card.locator("[data-pick-enterprise]").click()
    expect(page.locator("#n-ent")).to_have_value(ent.name)
    page.fill("#n-title", "厂区北侧道路积水")
    page.fill("#n-desc", "厂区北侧道路积水严重，影响货车进出，希望尽快处理。")
    page.fill("#n-name", "王经理")
    page.click("#intake-form button.primary")
    expect(page.locator(".alert.success")).to_contain_text("查询码")
    new = Demand.objects.get(title="厂区北侧道路积水")
    assert new.enterprise_id == ent.pk and new.channel == "hotline"

    # 待交办 without a mouse: j/k move, x ticks, Enter opens.
    disp.go("/dispatch/?tab=received&sort=newest")
    expect(page.locator("#keys-help")).to_be_visible()
    rows = page.locator("#queue > li")
    expect(rows).to_have_count(2)
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("item kb-on")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("item kb-on")
    page.keyboard.press("x")
    expect(rows.nth(1).locator("input.pick")).to_be_checked()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class("item kb-on")
    expect(rows.nth(1).locator("input.pick")).to_be_checked()
    first = rows.nth(0).locator(".title a").get_attribute("href")
    disp.shot("dispatch-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(first or "-")

    # The ledger: / goes to the search box; the filter is kept as a named view.
    disp.go("/demands/")
    page.keyboard.press("/")
    expect(page.locator("#f-q")).to_be_focused()
    page.keyboard.type("积水")
    expect(page.locator("#ledger-count")).to_have_text("1")
    page.keyboard.press("Escape")
    page.locator("#save-view summary").click()
    page.fill("#sv-name", "积水件")
    with page.expect_navigation():
        page.click("#save-view button.primary")
    expect(page.locator("#saved-views")).to_contain_text("积水件")
    expect(page.locator("#ledger-count")).to_have_text("1")
    assert SavedView.objects.get(user=world.users["dispatcher"]).query == "q=%E7%A7%AF%E6%B0%B4"
    page.keyboard.press("j")
    expect(page.locator("#ledger-results tbody tr").first).to_have_class("kb-on")
    disp.shot("ledger-saved-view")
    # Enter opens the row the keys are on, as in the queues.
    row_link = page.locator("#ledger-results tbody tr.kb-on a[href]").first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert row_link and page.url.endswith(row_link)
    expect(page.locator("main h1")).to_contain_text("积水")
    disp.close()

    phone = Person(browser, live_server.url, "disp", viewport=PHONE)
    phone.go("/demands/new/")
    phone.page.fill("#n-phone", "13907321234")
    expect(phone.page.locator("#caller-card")).to_contain_text(ent.name)
    phone.fits_phone("hotline-caller-phone")
    phone.close()
