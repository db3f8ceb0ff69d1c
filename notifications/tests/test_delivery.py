"""Notices beyond the bell: adapters against a fake gateway on 127.0.0.1 (success, the gateway's
refusal, timeouts retried then failed), preferences, the 电话回访 fallback, and that no key or
token ends up in the log or the delivery records."""

from __future__ import annotations

import json
import logging

import pytest
from django.core import mail
from django.test import Client

from demands import services
from demands.models import CallbackMethod, Demand, Event, Satisfaction, Status
from notifications import calls, delivery
from notifications.models import (
    CallState,
    CallTask,
    Delivery,
    DeliveryState,
    Kind,
    Notification,
)
from notifications.tests.fakes import FakeGateway
from qinshang.errors import InvalidInput

pytestmark = pytest.mark.django_db

KEY = "sk-test-9f8e7d6c5b4a"


@pytest.fixture
def gateway(settings):  # type: ignore[no-untyped-def]
    with FakeGateway() as g:
        settings.NOTIFY_SMS_BACKEND = "http"
        settings.NOTIFY_SMS_URL = g.url + "/sms/send"
        settings.NOTIFY_SMS_KEY = KEY
        settings.NOTIFY_SMS_SIGN = "亲商"
        settings.NOTIFY_HTTP_TIMEOUT = 0.3
        settings.NOTIFY_MAX_ATTEMPTS = 3
        settings.NOTIFY_RETRY_SECONDS = 60
        yield g


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def new(world, **kw):  # type: ignore[no-untyped-def]
    return services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请技改贴息贷款",
            description="需要贷款 800 万元。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
            **kw,
        ),
    )


def dispatch(world, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        d = new(world)
        services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)
    return d


def answer(world, capture):  # type: ignore[no-untyped-def]
    """An item answered on the spot: the rating request (回访) goes to the enterprise."""
    with capture(execute=True):
        d = new(world)
        services.resolve_on_spot(world.users["dispatcher"], d, answer="已当场说明贴息政策。")
    return Demand.objects.get(pk=d.pk)


def sms_for(world, who: str, kind: str = Kind.ASSIGNED) -> None:
    delivery.save_preferences(world.users[who], {kind: ["sms"]})


def test_an_sms_reaches_the_gateway_with_the_phone_and_text(
    world, gateway, django_capture_on_commit_callbacks
):
    handler = world.users["handler"]
    handler.phone = "139 0732 0001"
    handler.save()
    sms_for(world, "handler")
    d = dispatch(world, django_capture_on_commit_callbacks)
    (sent,) = gateway.sms()
    assert sent["phone"] == "13907320001"
    assert sent["text"].startswith("【亲商】新交办（主办）：" + d.number)
    assert sent["sign"] == "亲商"
    req = next(r for r in gateway.received if r["path"] == "/sms/send")
    assert req["headers"]["X-Api-Key"] == KEY
    n = Notification.objects.get(user=handler)
    (row,) = n.deliveries.all()
    assert (row.state, row.attempts, row.gateway_ref) == (DeliveryState.SENT, 1, "SM0001")
    assert row.sent_at is not None and row.delivered_at is None
    # Nobody without SMS switched on got one (the department head has no mobile either).
    assert Delivery.objects.count() == 1


def test_the_gateways_receipt_marks_it_delivered_and_needs_the_key(
    world, gateway, django_capture_on_commit_callbacks
):
    handler = world.users["handler"]
    handler.phone = "13907320001"
    handler.save()
    sms_for(world, "handler")
    dispatch(world, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    c = Client()
    body = json.dumps({"message_id": row.gateway_ref, "status": "delivered"})
    bad = c.post(
        "/notifications/receipts/sms/", body, content_type="application/json", HTTP_X_API_KEY="x"
    )
    assert bad.status_code == 403
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT
    ok = c.post(
        "/notifications/receipts/sms/", body, content_type="application/json", HTTP_X_API_KEY=KEY
    )
    assert ok.status_code == 200
    row.refresh_from_db()
    assert row.state == DeliveryState.DELIVERED and row.delivered_at is not None
    assert [e["result"] for e in row.log] == ["sent", "delivered"]
    page = login(handler).get("/notifications/").content.decode()
    assert "短信 · 已送达" in page


def test_a_refused_message_fails_at_once_with_the_gateways_error_and_the_notice_stays(
    world, gateway, django_capture_on_commit_callbacks
):
    gateway.mode = "refuse"
    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    sms_for(world, "handler")
    dispatch(world, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED and row.attempts == 1
    assert "isv.MOBILE_NUMBER_ILLEGAL" in row.last_error and "手机号码格式错误" in row.last_error
    assert Notification.objects.filter(user=world.users["handler"]).count() == 1
    page = login(world.users["handler"]).get("/notifications/").content.decode()
    assert "短信 · 发送失败" in page


def test_a_timeout_is_retried_with_backoff_then_failed(
    world, gateway, django_capture_on_commit_callbacks
):
    gateway.mode = "timeout"
    gateway.delay = 1.0
    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    sms_for(world, "handler")
    dispatch(world, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED
    assert row.attempts == 3  # NOTIFY_MAX_ATTEMPTS
    assert [e["result"] for e in row.log] == ["retry", "retry", "failed"]
    assert "网关响应超时" in row.last_error and "已尝试 3 次" in row.last_error
    assert len(gateway.sms()) == 3
    assert Notification.objects.filter(user=world.users["handler"]).count() == 1
    assert delivery.backoff(1).total_seconds() == 60 and delivery.backoff(3).total_seconds() == 240


def test_a_busy_gateway_is_tried_again_and_the_second_attempt_goes_through(
    world, gateway, django_capture_on_commit_callbacks
):
    gateway.mode = "busy_then_ok"
    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    sms_for(world, "handler")
    dispatch(world, django_capture_on_commit_callbacks)
    row = Delivery.objects.get()
    assert (row.state, row.attempts) == (DeliveryState.SENT, 2)
    assert "503" in row.log[0]["error"] and row.last_error == ""


def test_no_key_or_token_reaches_the_log_or_the_records(
    world, gateway, settings, caplog, django_capture_on_commit_callbacks
):
    gateway.mode = "refuse"
    gateway.echo = f"key={KEY}"  # a gateway that echoes what it was sent
    world.users["handler"].phone = "13907320001"
    world.users["handler"].email = "hand@example.gov.cn"
    world.users["handler"].save()
    settings.NOTIFY_WECHAT_BACKEND = "mp"
    settings.NOTIFY_WECHAT_BASE_URL = gateway.url
    settings.NOTIFY_WECHAT_APPID = "wx0123"
    settings.NOTIFY_WECHAT_SECRET = "wechat-secret-abcdef"
    settings.NOTIFY_WECHAT_TEMPLATE_ID = "TPL"
    gateway.wechat_mode = "refuse"  # its errmsg carries the access token
    delivery.save_preferences(
        world.users["handler"], {Kind.ASSIGNED: ["sms", "wechat"]}, wechat_openid="oUser123"
    )
    with caplog.at_level(logging.DEBUG):
        dispatch(world, django_capture_on_commit_callbacks)
    rows = list(Delivery.objects.order_by("channel"))
    assert [r.state for r in rows] == [DeliveryState.FAILED, DeliveryState.FAILED]
    stored = json.dumps([[r.last_error, r.log] for r in rows], ensure_ascii=False)
    events = json.dumps(list(Event.objects.values_list("note", "data")), ensure_ascii=False)
    for secret in (KEY, "wechat-secret-abcdef", "TOKEN-1"):
        assert secret not in stored
        assert secret not in caplog.text
        assert secret not in events
    assert "***" in stored


def test_email_goes_through_djangos_mail(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_EMAIL_BACKEND = "smtp"  # the tests' mail backend is locmem
    handler = world.users["handler"]
    handler.email = "hand@example.gov.cn"
    handler.save()
    delivery.save_preferences(handler, {Kind.ASSIGNED: ["email"]})
    d = dispatch(world, django_capture_on_commit_callbacks)
    (m,) = mail.outbox
    assert m.to == ["hand@example.gov.cn"] and m.subject == "【亲商】新交办"
    assert d.number in m.body
    assert Delivery.objects.get().state == DeliveryState.SENT


@pytest.mark.parametrize("kind", ["mp", "miniapp"])
def test_wechat_fetches_a_token_and_sends_the_documented_shape(
    world, gateway, settings, kind, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    settings.NOTIFY_WECHAT_BACKEND = kind
    settings.NOTIFY_WECHAT_KIND = kind
    settings.NOTIFY_WECHAT_BASE_URL = gateway.url
    settings.NOTIFY_WECHAT_APPID = "wx0123"
    settings.NOTIFY_WECHAT_SECRET = "wechat-secret-abcdef"
    settings.NOTIFY_WECHAT_TEMPLATE_ID = "TPL-1"
    gateway.wechat_mode = "stale_token"  # the first token is refused once: fetched again
    delivery.save_preferences(
        world.users["handler"], {Kind.ASSIGNED: ["wechat"]}, wechat_openid="oUser123"
    )
    dispatch(world, django_capture_on_commit_callbacks)
    sends = [r for r in gateway.received if r["path"].startswith("/cgi-bin/message/")]
    path = "/cgi-bin/message/template/send" if kind == "mp" else "/cgi-bin/message/subscribe/send"
    assert [r["path"] for r in sends] == [path, path]
    assert [r["query"]["access_token"] for r in sends] == ["TOKEN-1", "TOKEN-2"]
    body = sends[-1]["json"]
    assert body["touser"] == "oUser123" and body["template_id"] == "TPL-1"
    token_req = next(r for r in gateway.received if r["path"] == "/cgi-bin/token")
    assert token_req["query"]["appid"] == "wx0123"
    row = Delivery.objects.get()
    assert (row.state, row.gateway_ref) == (DeliveryState.SENT, "200228332")
    cache.clear()


def test_the_outbox_writes_a_line_and_calls_it_delivered(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SMS_BACKEND = "outbox"
    settings.NOTIFY_OUTBOX_DIR = tmp_path
    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    sms_for(world, "handler")
    d = dispatch(world, django_capture_on_commit_callbacks)
    (line,) = (tmp_path / "sms.jsonl").read_text().splitlines()
    out = json.loads(line)
    assert out["to"] == "13907320001" and d.number in out["text"]
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


# --- preferences -----------------------------------------------------------------------------


def test_defaults_send_urging_overdue_and_rating_requests_by_sms_to_people_with_a_mobile(
    world, settings
):
    settings.NOTIFY_SMS_BACKEND = "outbox"
    handler = world.users["handler"]
    addr = delivery.addresses(handler, None)
    assert addr.mobile == ""
    assert delivery.chosen_channels(Kind.URGED, None, addr) == []
    handler.phone = "13907320001"
    addr = delivery.addresses(handler, None)
    for kind in (Kind.URGED, Kind.OVERDUE, Kind.ANSWERED):
        assert delivery.chosen_channels(kind, None, addr) == ["sms"]
    assert delivery.chosen_channels(Kind.ASSIGNED, None, addr) == []
    # An enterprise account without a mobile of its own uses its enterprise's primary contact's.
    ent = delivery.addresses(world.users["enterprise"], None)
    assert ent.mobile == "13907321234"
    # A landline is no mobile.
    handler.phone = "0731-58581234"
    assert delivery.addresses(handler, None).mobile == ""


def test_the_preferences_page_saves_choices_and_refuses_sms_without_a_mobile(world, settings):
    settings.NOTIFY_SMS_BACKEND = "outbox"
    settings.NOTIFY_EMAIL_BACKEND = "smtp"
    handler = world.users["handler"]
    c = login(handler)
    page = c.get("/notifications/preferences/").content.decode()
    assert "账号中没有手机号" in page and 'name="c:urged:sms"' in page
    r = c.post("/notifications/preferences/", {"c:urged:sms": "1"})
    assert "还没有账号中的手机号" in r.content.decode()
    handler.phone = "13907320001"
    handler.email = "hand@example.gov.cn"
    handler.save()
    r = c.post(
        "/notifications/preferences/",
        {"c:assigned:sms": "1", "c:assigned:email": "1", "c:urged:email": "1", "c:x:sms": "1"},
    )
    assert r.status_code == 302
    handler.notice_preference.refresh_from_db()
    chosen = handler.notice_preference.channels
    assert chosen["assigned"] == ["email", "sms"]
    assert chosen["urged"] == ["email"]  # SMS for 催办 switched off by not ticking it
    assert chosen["overdue"] == [] and "x" not in chosen
    page = c.get("/notifications/preferences/").content.decode()
    assert 'name="c:assigned:sms" value="1" checked' in page
    assert "139****0001" in page


def test_a_bad_openid_is_refused(world, settings):
    settings.NOTIFY_WECHAT_BACKEND = "outbox"
    with pytest.raises(InvalidInput):
        delivery.save_preferences(world.users["handler"], {}, wechat_openid="o<script>")


# --- the 回访 fallback -------------------------------------------------------------------------


def test_a_rating_request_that_reaches_nobody_becomes_a_call_for_the_liaison(
    world, django_capture_on_commit_callbacks
):
    world.enterprise.contacts.all().delete()  # no mobile anywhere; no channel configured
    d = answer(world, django_capture_on_commit_callbacks)
    assert d.status == Status.ANSWERED
    (call,) = CallTask.objects.all()
    assert call.liaison == world.users["liaison"] and call.state == CallState.OPEN
    assert "没有可用的手机号" in call.reason
    # The in-app request is still there.
    assert Notification.objects.filter(user=world.users["enterprise"], kind=Kind.ANSWERED).exists()
    home = login(world.users["liaison"]).get("/liaison/").content.decode()
    assert 'id="call-tasks"' in home and d.number in home


def test_completing_the_call_records_the_rating_by_phone(world, django_capture_on_commit_callbacks):
    world.enterprise.contacts.all().delete()
    d = answer(world, django_capture_on_commit_callbacks)
    call = CallTask.objects.get()
    c = login(world.users["liaison"])
    r = c.post("/notifications/calls/complete/", {"call_id": call.pk, "outcome": "unreached"})
    assert r.status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.OPEN  # 未联系上 needs what happened
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            "/notifications/calls/complete/",
            {"call_id": call.pk, "outcome": "satisfied", "note": "王经理表示满意"},
        )
    assert r.status_code == 302
    call.refresh_from_db()
    d.refresh_from_db()
    assert call.state == CallState.DONE and call.outcome == "satisfied"
    assert d.status == Status.CONFIRMED and d.satisfaction == Satisfaction.SATISFIED
    assert call.event is not None and call.event.action == "confirm"
    assert call.event.data["method"] == CallbackMethod.PHONE
    assert call.event.actor == world.users["liaison"]
    home = login(world.users["liaison"]).get("/liaison/").content.decode()
    assert 'id="call-tasks"' not in home


def test_a_call_nobody_answered_is_recorded_as_such(world, django_capture_on_commit_callbacks):
    world.enterprise.contacts.all().delete()
    d = answer(world, django_capture_on_commit_callbacks)
    call = CallTask.objects.get()
    done = calls.complete(
        world.users["liaison"], world.park, call.pk, outcome="unreached", note="电话无人接听"
    )
    assert done.event is not None and done.event.action == "record_callback"
    assert Demand.objects.get(pk=d.pk).status == Status.ANSWERED


def test_another_liaison_cannot_complete_the_call(world, django_capture_on_commit_callbacks):
    world.enterprise.contacts.all().delete()
    answer(world, django_capture_on_commit_callbacks)
    call = CallTask.objects.get()
    r = login(world.users["liaison2"]).post(
        "/notifications/calls/complete/", {"call_id": call.pk, "outcome": "satisfied"}
    )
    assert r.status_code == 403
    assert CallTask.objects.get().state == CallState.OPEN


def test_a_rating_request_sent_by_sms_makes_no_call(
    world, gateway, django_capture_on_commit_callbacks
):
    d = answer(world, django_capture_on_commit_callbacks)  # the contact's mobile, by default
    (sent,) = gateway.sms()
    assert sent["phone"] == "13907321234" and d.number in sent["text"]
    assert not CallTask.objects.exists()


def test_an_sms_that_fails_after_retries_makes_the_call(
    world, gateway, django_capture_on_commit_callbacks
):
    gateway.mode = "timeout"
    gateway.delay = 1.0
    answer(world, django_capture_on_commit_callbacks)
    row = Delivery.objects.get(notification__user=world.users["enterprise"])
    assert row.state == DeliveryState.FAILED and row.attempts == 3
    (call,) = CallTask.objects.all()
    assert "短信未能送达" in call.reason and "网关响应超时" in call.reason


def test_the_requester_rating_on_the_portal_cancels_the_call(
    world, django_capture_on_commit_callbacks
):
    world.enterprise.contacts.all().delete()
    d = answer(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(world.users["enterprise"], d, satisfaction=Satisfaction.BASIC)
    call = CallTask.objects.get()
    assert call.state == CallState.CANCELLED and call.outcome == "self"


# --- the park admin's list -----------------------------------------------------------------------


def test_the_admin_sees_deliveries_with_filters_and_others_do_not(
    world, gateway, django_capture_on_commit_callbacks
):
    gateway.mode = "refuse"
    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    sms_for(world, "handler")
    dispatch(world, django_capture_on_commit_callbacks)
    gateway.mode = "ok"
    answer(world, django_capture_on_commit_callbacks)
    admin = login(world.users["admin"])
    page = admin.get("/notifications/deliveries/").content.decode()
    assert page.count('data-state="failed"') == 2  # the tile and the row
    assert "139****0001" in page and "13907320001" not in page
    failed = admin.get("/notifications/deliveries/?state=failed").content.decode()
    assert "isv.MOBILE_NUMBER_ILLEGAL" in failed and "139****1234" not in failed
    sent = admin.get("/notifications/deliveries/?state=sent&kind=answered").content.decode()
    assert "139****1234" in sent and "139****0001" not in sent
    assert login(world.users["dispatcher"]).get("/notifications/deliveries/").status_code == 403
    other = login(world.other_users["admin"]).get("/notifications/deliveries/").content.decode()
    assert "139****" not in other


def test_the_deadline_scan_texts_overdue_tasks_once_by_default(world, gateway):
    import datetime as dt

    from django.utils import timezone

    from notifications import services as notes

    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    long_ago = timezone.now() - dt.timedelta(days=30)
    d = new(world, created_at=long_ago)
    services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk, at=long_ago)
    assert notes.scan_deadlines() >= 1
    (sms,) = gateway.sms()  # the head has no mobile; 已逾期 is an SMS kind by default
    assert sms["phone"] == "13907320001" and sms["text"].startswith("【亲商】已逾期")
    assert notes.scan_deadlines() == 0
    assert len(gateway.sms()) == 1  # the second scan of the day sends nothing again


def test_a_failure_while_queueing_never_loses_the_in_app_notice(
    world, gateway, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*a, **kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(Delivery.objects, "bulk_create", broken)
    world.users["handler"].phone = "13907320001"
    world.users["handler"].save()
    sms_for(world, "handler")
    d = dispatch(world, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=world.users["handler"], demand=d).count() == 1
    assert gateway.sms() == []
