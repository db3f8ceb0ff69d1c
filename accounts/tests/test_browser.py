"""The Content-Security-Policy in a real Chromium: the pages run under it without a single
violation (ECharts draws, htmx searches, the park switcher submits), and the second-factor
enrolment works on a phone."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from conftest import build_world
from qinshang.browsertests import PHONE, SHOTS, Person, launch, require_chromium
from reports.tests.ledger import build

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

# Collects what the policy refused; the listener is installed by the browser, not by the page.
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"""


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate("window.__csp")


def test_pages_run_under_the_policy(live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    build(world)
    admin = world.users["admin"]
    admin.extra_parks.add(world.other_park)
    base = live_server.url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = Person(browser, base, "admin", init_script=WATCH).page
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(base + "/reports/?period=2026")
        page.wait_for_selector("#chart-trend canvas")
        page.wait_for_selector("#chart-categories canvas")
        page.hover("#chart-trend canvas")  # the tooltip is styled from script
        assert _violations(page) == [] and errors == []

        page.goto(base + "/demands/")
        with page.expect_response(lambda r: "/demands/" in r.url and "q=" in r.url):
            page.fill("input[name=q]", "贴息")
        assert _violations(page) == [] and errors == []

        # The park switcher submits itself from app.js now (it was an inline onchange).
        page.goto(base + "/manage/")
        with page.expect_navigation():
            page.select_option("select[name=park]", str(world.other_park.pk))
        assert world.other_park.short_name in page.inner_text(".brand")
        assert _violations(page) == [] and errors == []
        browser.close()


def test_second_factor_enrolment_on_a_phone(live_server, settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED_ROLES = ["dispatcher"]
    build_world()
    base = live_server.url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = Person(browser, base, "disp", viewport=PHONE, init_script=WATCH).page
        page.wait_for_selector("#otp-secret")
        assert "/account/otp/setup/" in page.url
        wide = page.evaluate("""[...document.querySelectorAll('.card *')].filter(e =>
            e.getBoundingClientRect().right > 320).slice(0, 8).map(e =>
            e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + e.scrollWidth)""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, wide
        assert page.locator(".qr svg").bounding_box()["width"] >= 150  # type: ignore[index]
        page.screenshot(path=str(SHOTS / "otp-setup-375.png"), full_page=True)
        secret = page.inner_text("#otp-secret").replace(" ", "")
        key = base64.b32decode(secret)
        page.fill("#id_code", f"{totp(key, t0=0, step=30, digits=6):06d}")
        page.click("button.primary")
        page.wait_for_selector("#backup-codes li")
        assert page.locator("#backup-codes li").count() == 10
        page.click("text=我已保存，继续")
        page.wait_for_load_state()
        assert "/dispatch/" in page.url
        assert _violations(page) == []
        browser.close()
