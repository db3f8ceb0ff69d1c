"""Notices that reach people, in Chromium: a department handler switches SMS on for 新交办 in
their settings on a phone, the dispatcher's 交办 sends the notice, the fake SMS gateway on
127.0.0.1 receives it with the right phone and text, and the notice shows 已发送, then 已送达
once the gateway's receipt arrives. Then the 电话回访 fallback on the liaison's home page."""

from __future__ import annotations

import json
import urllib.request

import pytest

from conftest import build_world
from demands import services
from demands.models import Demand, Status
from notifications.models import CallState, CallTask, Delivery, DeliveryState
from notifications.tests.fakes import FakeGateway
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

KEY = "sk-browser-0a1b2c3d"


def _intake(world, title: str):  # type: ignore[no-untyped-def]
    return services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title=title,
            description="新厂房 10kV 供电线路接入，请协调供电公司尽快办理。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )


def test_an_sms_reaches_the_fake_gateway_and_shows_as_delivered(browser, live_server, settings):  # type: ignore[no-untyped-def]
    world = build_world()
    handler = world.users["handler"]
    handler.phone = "13907320001"
    handler.save()
    with FakeGateway() as gateway:
        settings.NOTIFY_SMS_BACKEND = "http"
        settings.NOTIFY_SMS_URL = gateway.url + "/sms/send"
        settings.NOTIFY_SMS_KEY = KEY

        # The handler switches SMS on for 新交办, on a phone.
        h = Person(browser, live_server.url, handler.username, viewport=PHONE)
        h.go("/notifications/preferences/")
        box = h.page.locator('input[name="c:assigned:sms"]')
        expect(box).not_to_be_checked()  # not a default for 新交办
        expect(h.page.locator('input[name="c:urged:sms"]')).to_be_checked()  # 催办 is
        box.check()
        h.shot("notify-preferences")
        click_and_wait_success(h.page, "#preferences button[type=submit]")
        expect(h.page.locator(".alert.success")).to_contain_text("消息接收设置已保存")
        expect(h.page.locator('input[name="c:assigned:sms"]')).to_be_checked()

        # The dispatcher's 交办 is the action that sends the notice.
        d = _intake(world, "新厂房供电线路接入")
        services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)

        (sms,) = gateway.sms()
        assert sms["phone"] == "13907320001"
        assert sms["text"] == (
            f"【亲商】新交办（主办）：{d.number}「新厂房供电线路接入」，"
            f"请于 {Demand.objects.get(pk=d.pk).tasks.get().deadline:%m月%d日} 前办结"
        )
        row = Delivery.objects.get()
        assert row.state == DeliveryState.SENT

        h.go("/notifications/")
        item = h.page.locator("#notifications .item").first
        expect(item).to_contain_text(d.number)
        expect(item.locator('[data-channel="sms"]')).to_have_text("短信 · 已发送")
        h.shot("notify-sent")

        # The gateway's delivery report, as it would post it back.
        req = urllib.request.Request(
            live_server.url + "/notifications/receipts/sms/",
            data=json.dumps({"message_id": row.gateway_ref, "status": "delivered"}).encode(),
            headers={"Content-Type": "application/json", "X-Api-Key": KEY},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
        h.page.reload()
        expect(h.page.locator('#notifications [data-channel="sms"]').first).to_have_text(
            "短信 · 已送达"
        )
        h.shot("notify-delivered")
        h.close()

        # The park admin's record of it.
        a = Person(browser, live_server.url, world.users["admin"].username)
        a.go("/notifications/deliveries/?channel=sms")
        rows = a.page.locator("#deliveries .item")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("短信 · 已送达")
        expect(rows.first).to_contain_text("139****0001")
        a.shot("notify-deliveries")
        a.close()


def test_a_rating_request_without_a_mobile_becomes_a_call_on_the_liaisons_home(
    browser, live_server
):  # type: ignore[no-untyped-def]
    world = build_world()
    world.enterprise.contacts.all().delete()  # nobody to text
    d = _intake(world, "厂区道路积水")
    services.resolve_on_spot(world.users["dispatcher"], d, answer="已安排市政排水疏通。")
    call = CallTask.objects.get()

    who = Person(browser, live_server.url, world.users["liaison"].username, viewport=PHONE)
    who.go("/liaison/")
    card = who.page.locator(f"#call-{call.pk}")
    expect(card).to_contain_text(d.number)
    expect(card).to_contain_text("没有可用的手机号")
    who.shot("notify-call-task")
    card.locator("select[name=outcome]").select_option("basic")
    card.locator("textarea[name=note]").fill("王经理电话中表示基本满意")
    click_and_wait_success(who.page, f"#call-{call.pk} button[type=submit]")
    expect(who.page.locator(".alert.success")).to_contain_text("已记录电话回访")
    expect(who.page.locator("#call-tasks")).to_have_count(0)
    who.close()
    call.refresh_from_db()
    assert call.state == CallState.DONE
    assert Demand.objects.get(pk=d.pk).status == Status.CONFIRMED
