"""显示 in a real Chromium: a leader sees 139****5678, presses 显示 and gets the number in place
(htmx), logged; the access log page lists it for 督查; at 375 px nothing sticks out."""

from __future__ import annotations

import pytest

from conftest import build_world
from demands import services
from demands.models import AccessLog
from qinshang.browsertests import PHONE, Person, require_chromium

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_leader_reveals_a_phone_and_supervision_sees_it(browser, live_server):
    world = build_world()
    d = services.create_demand(
        world.users["resident"],
        world.park,
        services.Intake(
            title="小区门口路灯不亮",
            description="晚上出行不便，请尽快维修。",
            channel="portal",
            requester_name="张三丰",
            requester_phone="13907325678",
        ),
    )
    leader = Person(browser, live_server.url, "leader")
    page = leader.page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/demands/{d.pk}/")
    phone = page.locator(".contact[data-field=phone]")
    assert "139****5678" in phone.inner_text()
    assert "13907325678" not in page.inner_text("main")
    phone.get_by_role("button", name="显示").click()
    page.locator(".revealed[data-field=phone]").wait_for()
    assert page.locator(".revealed[data-field=phone]").inner_text() == "13907325678"
    assert "/reveal/" not in page.url  # swapped in place, no navigation
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not errors, errors
    leader.close()
    assert AccessLog.objects.filter(kind="reveal", field="phone", demand=d).count() == 1

    disp = Person(browser, live_server.url, "disp")
    page = disp.page
    page.goto(f"{live_server.url}/demands/access-log/?kind=reveal")
    table = page.locator("#access-log")
    assert d.number in table.inner_text() and "联系电话" in table.inner_text()
    page.set_viewport_size(PHONE)
    disp.fits_phone("access-log")
    disp.close()
