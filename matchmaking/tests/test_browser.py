"""供需对接 in a real Chromium: the dispatch centre plans a 供需对接会 for today and invites the
enterprises of its chain; an invited enterprise registers on the portal on a phone; the centre
books a one-to-one slot (a second booking of the same enterprise at that time is refused and
changes nothing), records a signed order, and the event's figures and the year's figures on the
leader's dashboard show it.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import World, build_world
from matchmaking import services
from matchmaking.models import Invitation, MatchEvent, Order, OrderStatus, Registration, Slot
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_an_event_from_planning_to_a_signed_order_on_the_dashboard(browser, live_server):
    w: World = build_world()
    base = live_server.url
    today = timezone.localdate()

    disp = Person(browser, base, "disp", timeout_ms=90_000)
    disp.go("/matchmaking/events/new/")
    disp.page.select_option("#ef-kind", "supply")
    disp.page.fill("#ef-date", today.isoformat())
    disp.page.fill("#ef-theme", "装备制造产业链供需对接会")
    disp.page.fill("#ef-place", "园区企业服务中心三楼")
    disp.page.select_option("#ef-industry", "34")
    disp.shot("mm-event-new")
    with disp.page.expect_navigation():
        disp.page.click("form.card button.primary")
    ev = MatchEvent.objects.get()
    assert disp.page.url.endswith(f"/matchmaking/events/{ev.pk}/")
    click_and_wait_success(disp.page, "#invite-all")
    assert Invitation.objects.filter(event=ev, enterprise=w.enterprise).exists()
    disp.shot("mm-event-invited")

    # The invited enterprise registers on the portal, on a phone.
    ent = Person(browser, base, "ent", viewport=PHONE, timeout_ms=90_000)
    ent.go("/matchmaking/events/")
    ent.page.click(f"a[href='/matchmaking/events/{ev.pk}/']")
    expect(ent.page.locator("#my-registration")).to_contain_text("园区邀请贵企业参加本次活动")
    ent.page.select_option("#r-side", "buyer")
    ent.page.fill("#r-name", "王经理")
    ent.page.fill("#r-phone", "13907321234")
    ent.page.fill("#r-note", "采购精密轴承座和铸件，年用量约 5 万件")
    ent.shot("mm-event-portal")
    click_and_wait_success(ent.page, "#register")
    expect(ent.page.locator("#my-registration")).to_contain_text("已报名（采购方）")
    ent.shot("mm-event-registered")
    # the other party registers through its liaison's desk (the same service)
    services.register(
        w.users["dispatcher"], ev, services.RegistrationInput(w.enterprise2.pk, "supplier")
    )

    disp.go(f"/matchmaking/events/{ev.pk}/")
    expect(disp.page.locator("#registrations")).to_contain_text(w.enterprise.name)
    disp.page.fill("#s-time", "09:20")
    disp.page.fill("#s-table", "A1")
    disp.page.select_option("#s-a", str(w.enterprise.pk))
    disp.page.select_option("#s-b", str(w.enterprise2.pk))
    disp.page.fill("#s-topic", "精密轴承座年度配套")
    click_and_wait_success(disp.page, "#book-slot")
    expect(disp.page.locator("#slots")).to_contain_text("A1")
    # the same enterprise at the same time at another table: refused in Chinese, nothing written
    disp.page.fill("#s-time", "09:20")
    disp.page.fill("#s-table", "B2")
    disp.page.select_option("#s-a", str(w.enterprise.pk))
    disp.page.select_option("#s-b", "")
    disp.page.fill("#s-cp", "长沙客商")
    with disp.page.expect_navigation():
        disp.page.click("#book-slot")
    expect(disp.page.locator("#event-error")).to_contain_text("已有洽谈安排，不能重复预约")
    assert Slot.objects.filter(event=ev).count() == 1

    disp.go(f"/matchmaking/events/{ev.pk}/")
    disp.page.select_option("#o-ent", str(w.enterprise.pk))
    disp.page.select_option("#o-side", "buyer")
    disp.page.select_option("#o-cp", str(w.enterprise2.pk))
    disp.page.fill("#o-subject", "精密轴承座年度采购合同")
    disp.page.fill("#o-amount", "3600")
    disp.page.select_option("#o-status", "signed")
    disp.page.fill("#o-date", today.isoformat())
    disp.shot("mm-event-order-form")
    click_and_wait_success(disp.page, "#record-order")
    expect(disp.page.locator("#orders")).to_contain_text("精密轴承座年度采购合同")
    expect(disp.page.locator("#fig-signed")).to_contain_text("1 家 / 1 件")
    expect(disp.page.locator("#fig-amount")).to_contain_text("0.36 亿元")
    expect(disp.page.locator("#fig-registrations")).to_have_text("2")
    disp.shot("mm-event-signed")
    order = Order.objects.get()
    assert order.status == OrderStatus.SIGNED and order.signed_on == today
    assert Registration.objects.filter(event=ev).count() == 2

    lead = Person(browser, base, "leader", timeout_ms=90_000)
    lead.go("/reports/")
    row = lead.page.locator("#matchmaking tr[data-kind='supply']")
    expect(row).to_contain_text("1 场，订单 0.36 亿元")
    lead.shot("mm-dashboard")
    lead.page.click("#matchmaking tr[data-kind='supply'] a")
    expect(lead.page.locator("main")).to_contain_text("装备制造产业链供需对接会")
    lead.shot("mm-events-of-the-year")
    for p in (disp, ent, lead):
        p.close()
