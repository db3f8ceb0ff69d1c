"""Department heads in Chromium, on a desktop and a phone: the head assigns a task to a handler,
the handler finds it under 指派给我 and replies, the head sends the answer back with a note, the
handler revises, the head approves, and the enterprise sees the answer (never the draft). Then
补充材料: the dispatcher asks the enterprise a question, the enterprise answers on its phone and
the clock runs again."""

from __future__ import annotations

import pytest

from conftest import build_world
from demands import schemas, services
from demands.models import Demand, Status, TaskStatus
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

DRAFT = "已联系两家合作银行，可办理技改贴息贷款。"
REVISED = "已联系两家合作银行，可办理技改贴息贷款；园区贴息比例为 50%，请于 3 月底前申报。"


def _dispatched(world, title: str) -> Demand:  # type: ignore[no-untyped-def]
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title=title,
            description="企业计划购置数控机床 12 台，需要贷款 800 万元，希望了解贴息政策。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    services.perform(
        world.users["dispatcher"], d, schemas.DispatchIn(lead_department_id=world.dept_a.pk)
    )
    return Demand.objects.get(pk=d.pk)


def _act(person: Person, action: str) -> sync_api.Locator:
    form = person.page.locator(f"details.act[data-action={action}]")
    form.locator("summary").click()
    return form


def test_head_assigns_reviews_sends_back_and_approves(browser, live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    world.dept_a.review_replies = True
    world.dept_a.save()
    d = _dispatched(world, "申请技改贴息贷款")
    hand = world.users["handler"]

    head = Person(browser, live_server.url, "head_a")
    head.go(f"/demands/{d.pk}/")
    form = _act(head, "assign")
    form.locator("select[name=handler_id]").select_option(str(hand.pk))
    head.shot("heads-1-assign")
    click_and_wait_success(head.page, "details.act[data-action=assign] button[type=submit]")
    expect(head.page.locator(".tasks")).to_contain_text(f"经办人 {hand.display_name}")

    handler = Person(browser, live_server.url, "hand_a", viewport=PHONE)
    handler.go("/department/")  # opens on 指派给我
    expect(handler.page.locator("#tab-mine")).to_have_class("on hot")
    expect(handler.page.locator("#queue")).to_contain_text(d.number)
    handler.shot("heads-2-assigned-to-me")
    handler.go(f"/demands/{d.pk}/")
    _act(handler, "sign")
    click_and_wait_success(handler.page, "details.act[data-action=sign] button[type=submit]")
    form = _act(handler, "reply")
    expect(form).to_contain_text("须经部门负责人审核")
    form.locator("select[name=outcome]").select_option("solved")
    form.locator("textarea[name=answer]").fill(DRAFT)
    click_and_wait_success(handler.page, "details.act[data-action=reply] button[type=submit]")
    expect(handler.page.locator(".tasks")).to_contain_text("待审核")
    handler.shot("heads-3-sent-for-review")

    head.go("/department/")  # a head opens on 待审核
    expect(head.page.locator("#tab-review")).to_have_class("on hot")
    expect(head.page.locator("#queue")).to_contain_text("审核答复")
    head.go(f"/demands/{d.pk}/")
    form = _act(head, "send_back_reply")
    expect(form.locator(".draft")).to_have_text(DRAFT)
    form.locator("textarea[name=note]").fill("请写明贴息比例和申报时间")
    head.shot("heads-4-send-back")
    click_and_wait_success(head.page, "details.act[data-action=send_back_reply] button")
    expect(head.page.locator("#timeline")).to_contain_text("请写明贴息比例和申报时间")

    handler.go(f"/demands/{d.pk}/")
    form = _act(handler, "reply")
    answer = form.locator("textarea[name=answer]")
    expect(answer).to_have_value(DRAFT)  # the draft comes back to revise
    answer.fill(REVISED)
    form.locator("select[name=outcome]").select_option("solved")
    click_and_wait_success(handler.page, "details.act[data-action=reply] button[type=submit]")

    head.go(f"/demands/{d.pk}/")
    form = _act(head, "approve_reply")
    expect(form.locator(".draft")).to_have_text(REVISED)
    head.shot("heads-5-approve")
    click_and_wait_success(head.page, "details.act[data-action=approve_reply] button")
    expect(head.page.locator("#demand-answer")).to_contain_text("贴息比例为 50%")
    d.refresh_from_db()
    assert d.status == Status.ANSWERED and d.tasks.get().status == TaskStatus.ANSWERED

    ent = Person(browser, live_server.url, "ent", viewport=PHONE)
    ent.go(f"/demands/{d.pk}/")
    expect(ent.page.locator("#demand-answer")).to_contain_text("贴息比例为 50%")
    text = ent.text()
    assert "请写明贴息比例" not in text and hand.display_name not in text
    assert world.users["head"].display_name not in text
    ent.shot("heads-6-requester-sees-answer")
    for p in (head, handler, ent):
        p.close()


def test_dispatcher_asks_and_the_enterprise_answers_on_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    d = _dispatched(world, "厂房用电增容")
    services.perform(world.users["handler"], d, schemas.SignIn())

    disp = Person(browser, live_server.url, "disp")
    disp.go(f"/demands/{d.pk}/")
    form = _act(disp, "ask_info")
    form.locator("textarea[name=question]").fill("请补充现有变压器容量和拟增容的用电负荷")
    click_and_wait_success(disp.page, "details.act[data-action=ask_info] button[type=submit]")
    expect(disp.page.locator("#info-question")).to_contain_text("计时暂停")
    disp.shot("heads-7-asked")

    ent = Person(browser, live_server.url, "ent", viewport=PHONE)
    ent.go(f"/demands/{d.pk}/")
    expect(ent.page.locator("#info-question")).to_contain_text("请补充现有变压器容量")
    form = _act(ent, "supply_info")
    form.locator("textarea[name=answer]").fill("现有 800 kVA，拟增至 1250 kVA。")
    ent.shot("heads-8-requester-answers")
    click_and_wait_success(ent.page, "details.act[data-action=supply_info] button[type=submit]")
    expect(ent.page.locator("#info-question")).to_have_count(0)
    expect(ent.page.locator("#timeline")).to_contain_text("1250 kVA")
    d.refresh_from_db()
    assert not d.awaits_info and d.tasks.get().status == TaskStatus.SIGNED
    for p in (disp, ent):
        p.close()
