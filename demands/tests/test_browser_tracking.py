"""查询进度 in Chromium on a phone: a hotline caller with no account enters the number and the code
read to them, sees the answer without staff names, and rates it."""

from __future__ import annotations

import pytest

from conftest import build_world
from demands import schemas, services, tracking
from demands.models import Demand, Status
from qinshang.browsertests import PHONE, SHOTS, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name}: {width}px wide at 375px"
    page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_a_caller_follows_and_rates_a_demand_on_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    disp, handler = world.users["dispatcher"], world.users["handler"]
    d = services.create_demand(
        disp,
        world.park,
        services.Intake(
            title="小区门口路灯不亮",
            description="晚上出行不便，请尽快安排维修。",
            channel="hotline",
            requester_name="张先生",
            requester_phone="13907325678",
        ),
    )
    code = tracking.issue_code(disp, d)
    services.perform(
        disp,
        d,
        schemas.DispatchIn(lead_department_id=world.dept_a.pk, category_id=world.cat_land.pk),
    )
    services.perform(handler, Demand.objects.get(pk=d.pk), schemas.SignIn())
    services.perform(
        handler,
        Demand.objects.get(pk=d.pk),
        schemas.ReplyIn(answer="已安排供电所于本周五前更换灯具。", outcome="solved"),
    )

    ctx = browser.new_context(viewport=PHONE, locale="zh-CN")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    page.goto(live_server.url + "/track/", timeout=90_000)
    page.fill("#t-number", d.number)
    page.fill("#t-code", code)
    page.click("main form button.primary")
    expect(page.locator("#track-answer")).to_contain_text("更换灯具")
    text = page.inner_text("main")
    assert handler.display_name not in text and disp.display_name not in text
    _shot(page, "track-answered")
    page.locator("#track-rate input[value=satisfied]").check()
    page.click("#track-rate button.primary")
    expect(page.locator(".alert.success")).to_contain_text("感谢")
    expect(page.locator("#track-status")).to_contain_text("待销号")
    _shot(page, "track-rated")
    assert Demand.objects.get(pk=d.pk).status == Status.CONFIRMED
    ctx.close()
