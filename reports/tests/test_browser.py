"""The dashboard in a real Chromium: the vendored ECharts draws, nothing is fetched from the
internet, a figure drills down, and the page fits a phone."""

from __future__ import annotations

import pytest

from conftest import build_world
from qinshang.browsertests import SHOTS, Person, launch, require_chromium
from reports.tests.ledger import build

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_the_dashboard_draws_its_charts_and_drills_down(live_server):
    world = build_world()
    build(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = Person(browser, live_server.url, "leader").page
        errors: list[str] = []
        outside: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(live_server.url + "/reports/?period=2026")
        page.wait_for_selector("#chart-trend canvas")
        page.wait_for_selector("#chart-heat canvas")
        page.wait_for_selector("#chart-categories canvas")
        assert errors == [] and outside == []
        page.screenshot(path=str(SHOTS / "reports-dashboard-1366.png"), full_page=True)

        # The definition sits beside the figure.
        page.click(".kpi:has-text('响应率') details.def summary")
        assert "签收时限" in page.inner_text(".kpi:has-text('响应率') details.def p")

        # Sorting the league by 退单率 puts 人力资源和社会保障局 (100%) first.
        page.click("#league th:has-text('退单率')")
        page.click("#league th:has-text('退单率')")
        first = page.inner_text("#league tbody tr:first-child td:nth-child(2)")
        assert first == "人力资源和社会保障局"

        page.set_viewport_size({"width": 375, "height": 780})
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e =>
            e.getBoundingClientRect().right > 376).slice(0, 8).map(e =>
            e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert width <= 375, f"dashboard is {width}px wide on a phone: {wide}"
        page.screenshot(path=str(SHOTS / "reports-dashboard-375.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})

        page.click(".kpi:has-text('当即解决率') a")
        page.wait_for_selector("#drill-count")
        assert page.inner_text("#drill-count") == "1"
        assert "咨询技改贴息政策" in page.inner_text("main")
        browser.close()
