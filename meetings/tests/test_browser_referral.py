"""The 专家会诊 rung walked in a real Chromium: a 接待日 decision refers an item to expert
consultation; the consultation appears 待组建专家组 (linked from the meeting); the chair picks the
panel; an expert, logged in as an expert, writes an opinion on a phone; the chair records the joint
conclusion, which becomes the demand's answer; after 回访 and 销号 the 清零 board counts the item
cleared and lists it.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import pytest

from conftest import World, build_world
from demands import services as ds
from demands.models import Status, Tier
from experts.models import Consultation, ConsultationStatus
from experts.tests.helpers import experts
from meetings.models import Decision, DecisionKind
from meetings.tests.helpers import escalated, held, meeting
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_meeting_refers_to_experts_panel_opinion_conclusion_cleared(browser, live_server):
    w: World = build_world()
    base = live_server.url
    panel = experts(w)  # 专家 (this test's expert login) and 专家1
    d = escalated(w, "8#厂房产权证分宗登记多年未办结")
    m = held(w, meeting(w))
    item = m.items.get(demand=d)

    # 1. At the meeting the chair refers the item to 专家会诊 (on the live page).
    chair = Person(browser, base, "leader")
    chair.go(f"/meetings/{m.pk}/live/")
    sec = f"#item-{item.pk}"
    chair.page.select_option(f"{sec} select[name=kind]", DecisionKind.EXPERT)
    chair.page.fill(f"{sec} textarea[name=text]", "涉及规划与不动产登记，提请专家会诊")
    chair.page.fill(f"{sec} input[name=expert_field]", "土地规划")
    click_and_wait_success(chair.page, f"{sec} details.decide button[type=submit]")
    assert "已记录议定事项" in chair.text()
    assert "待组建专家组" in chair.page.inner_text(f"{sec} .decision")
    chair.shot("referral-live-referred")
    dec = Decision.objects.get(meeting=m, item=item)
    c = dec.consultation
    assert c is not None and c.status == ConsultationStatus.PREPARING

    # 2. The meeting's page links the decision to its consultation, waiting for its panel.
    chair.go(f"/meetings/{m.pk}/")
    badge = chair.page.locator(f"a[data-consultation='{c.pk}']")
    assert badge.inner_text() == "已转专家会诊 · 待组建专家组"
    chair.shot("referral-meeting-referred")
    with chair.page.expect_navigation():
        badge.click()
    assert chair.page.url.endswith(f"/experts/consultations/{c.pk}/")
    assert "待组建专家组" in chair.page.inner_text("h1")
    assert m.title in chair.page.inner_text("#referral")
    chair.shot("referral-consultation-preparing")

    # 3. The chair picks the panel; the demand climbs to 专家协商.
    assert chair.page.locator("#conclude-form").count() == 0  # no conclusion without a panel
    for e in panel:
        chair.page.check(f"#panel-form input[name=expert_ids][value='{e.pk}']")
    click_and_wait_success(chair.page, "#panel-form button[type=submit]")
    assert "会诊中" in chair.page.inner_text("h1")
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == ConsultationStatus.OPEN and c.experts.count() == 2
    assert d.tier == Tier.EXPERT

    # 4. The expert, on a phone, finds the item on their home page and the consultation in
    # their list, and writes an opinion.
    ex = Person(browser, base, "expert", viewport=PHONE)
    ex.go("/expert/")
    assert d.number in ex.page.inner_text("#queue")
    ex.shot("referral-expert-home")
    ex.go("/experts/consultations/")
    assert "会诊中" in ex.page.inner_text("#consultations")
    ex.go("/expert/")
    with ex.page.expect_navigation():
        ex.page.click(f"#queue a[href$='/experts/consultations/{c.pk}/']")
    ex.page.fill("#o-text", "建议按历史遗留问题处置政策分宗办理，先行补办规划核实。")
    click_and_wait_success(ex.page, "#opinion-form button[type=submit]")
    assert "建议按历史遗留问题处置政策分宗办理" in ex.page.inner_text("#opinions")
    # An expert writes opinions; the conclusion is the chair's.
    assert ex.page.locator("#conclude-form").count() == 0
    ex.shot("referral-expert-opinion")
    ex.close()

    # 5. The chair records the joint conclusion: it becomes the demand's answer.
    chair.page.reload()
    chair.page.fill("#k-text", "专家组一致意见：按历史遗留问题处置政策分宗办理，30日内完成登记。")
    chair.page.check("#conclude-form input[name=kind][value=answer]")
    click_and_wait_success(chair.page, "#conclude-form button[type=submit]")
    assert "按历史遗留问题处置政策分宗办理" in chair.page.inner_text("#conclusion")
    chair.shot("referral-concluded")
    d.refresh_from_db()
    assert d.status == Status.ANSWERED
    assert d.events.filter(data__consultation=c.pk).exists()
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.CONCLUDED
    chair.go(f"/meetings/{m.pk}/")
    assert "会诊已形成结论" in chair.page.locator(f"a[data-consultation='{c.pk}']").inner_text()

    # 6. 回访 and 销号 by the dispatch centre; the 清零 board counts the item cleared and lists it.
    disp = w.users["dispatcher"]
    d = ds.confirm(disp, d, satisfaction="satisfied", method="phone")
    d = ds.close(disp, d)
    chair.go("/experts/board/")
    assert chair.page.inner_text("#legacy-cleared") == "1"
    with chair.page.expect_navigation():
        chair.page.click("#legacy-cleared")
    rows = chair.page.inner_text("#legacy-items")
    assert d.number in rows and "已销号" in rows and "已提级专家协商" in rows
    assert chair.page.inner_text("#legacy-list-count") == "1 项"
    chair.shot("referral-board-cleared")
    chair.close()
