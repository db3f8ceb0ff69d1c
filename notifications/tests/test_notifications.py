"""Who hears of what, the bell, and the daily deadline scan."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from demands import services
from notifications import services as notes
from notifications.models import Kind, Notification
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db


def login(world, who: str) -> Client:
    c = Client()
    c.force_login(world.users[who])
    return c


def received(world, who: str) -> list[str]:
    return list(Notification.objects.filter(user=world.users[who]).values_list("kind", flat=True))


def new(world, *, at=None):
    return services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请技改贴息贷款",
            description="需要贷款 800 万元。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
            created_at=at,
        ),
    )


def test_dispatch_tells_the_departments_staff(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
        services.dispatch(
            world.users["dispatcher"],
            d,
            lead_department_id=world.dept_a.pk,
            co_department_ids=[world.dept_b.pk],
        )
    assert received(world, "handler") == [Kind.ASSIGNED]
    assert received(world, "head") == [Kind.ASSIGNED]
    assert received(world, "handler_b") == [Kind.ASSIGNED]
    assert received(world, "handler_c") == []
    assert received(world, "dispatcher") == []  # not told of their own action
    assert received(world, "enterprise") == []
    text = Notification.objects.filter(user=world.users["handler"]).get().text
    assert d.number in text and "主办" in text


def test_return_and_extension_request_and_reply_tell_dispatchers(
    world, django_capture_on_commit_callbacks
):
    disp, hand, hand_b = world.users["dispatcher"], world.users["handler"], world.users["handler_b"]
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
        d = services.dispatch(
            disp, d, lead_department_id=world.dept_a.pk, co_department_ids=[world.dept_b.pk]
        )
        d = services.return_task(hand_b, d, reason="not_our_duty", note="非本部门职责")
        d = services.sign(hand, d)
        d = services.request_extension(hand, d, days=3, reason="等待银行审批")
        ext = d.tasks.get(department=world.dept_a).extensions.get()
        d = services.decide_extension(disp, d, approve=True, extension_id=ext.pk)
        d = services.reply(hand, d, answer="已办结", outcome="solved")
    assert received(world, "dispatcher") == [Kind.REPLIED, Kind.EXTENSION_REQUESTED, Kind.RETURNED]
    assert Kind.EXTENSION_DECIDED in received(world, "handler")
    assert Kind.EXTENSION_DECIDED not in received(world, "handler_b")


def test_answered_tells_the_requester_and_liaison(world, django_capture_on_commit_callbacks):
    disp, hand = world.users["dispatcher"], world.users["handler"]
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
        d = services.dispatch(disp, d, lead_department_id=world.dept_a.pk)
        d = services.sign(hand, d)
        d = services.pause(hand, d, note="请补充近三年财务报表")
        d = services.resume(world.users["enterprise"], d, note="已补充")
        services.reply(hand, d, answer="已对接银行", outcome="solved")
    assert received(world, "enterprise") == [Kind.ANSWERED, Kind.MATERIAL]
    assert received(world, "liaison") == [Kind.ANSWERED]
    assert received(world, "enterprise2") == []


def test_insist_urge_and_redispatch_tell_the_departments(world, django_capture_on_commit_callbacks):
    disp = world.users["dispatcher"]
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
        d = services.dispatch(disp, d, lead_department_id=world.dept_b.pk)
        d = services.return_task(world.users["handler_b"], d, reason="not_our_duty")
        d = services.redispatch(disp, d, department_id=world.dept_a.pk)
        d = services.return_task(world.users["handler"], d, reason="incomplete")
        d = services.insist(disp, d, note="属贵局职责")
        services.urge(world.users["leader"], d, note="请加快")
    assert received(world, "handler") == [Kind.URGED, Kind.ASSIGNED, Kind.ASSIGNED]
    assert received(world, "handler_b") == [Kind.ASSIGNED]


def test_a_failing_notification_does_not_break_the_action(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(event):
        raise RuntimeError("down")

    monkeypatch.setattr(notes, "notify_for_event", boom)
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
    assert d.pk and Notification.objects.count() == 0


def test_scan_sends_due_soon_and_overdue_once_per_task_per_day(world):
    disp = world.users["dispatcher"]
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = new(world, at=long_ago)
    services.dispatch(disp, late, lead_department_id=world.dept_a.pk, at=long_ago)
    soon = new(world)
    services.dispatch(disp, soon, lead_department_id=world.dept_b.pk, time_limit_days=1)
    far = new(world)
    services.dispatch(disp, far, lead_department_id=world.dept_c.pk, time_limit_days=30)
    Notification.objects.all().delete()

    today = timezone.localdate()
    assert notes.scan_deadlines(today) == 3  # handler + head of 经发局, handler_b
    assert notes.scan_deadlines(today) == 0  # idempotent within the day
    assert sorted(received(world, "handler")) == [Kind.OVERDUE]
    assert received(world, "head") == [Kind.OVERDUE]
    assert received(world, "handler_b") == [Kind.DUE_SOON]
    assert received(world, "handler_c") == []
    tomorrow = wcal.add_working_days(today, 1)
    assert notes.scan_deadlines(tomorrow) >= 3  # a new day, a new reminder


def test_scan_command_and_task_run_the_same_function(world):
    disp = world.users["dispatcher"]
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = new(world, at=long_ago)
    services.dispatch(disp, late, lead_department_id=world.dept_a.pk, at=long_ago)
    out = StringIO()
    call_command("scan_deadlines", stdout=out)
    assert "已发送 2 条" in out.getvalue()
    from notifications.tasks import scan_deadlines

    result = scan_deadlines.enqueue()
    assert result.return_value == 0  # already sent today


def test_bell_counts_unread_and_opening_marks_read(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
        services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)
    c = login(world, "handler")
    body = c.get("/department/").content.decode()
    assert '<span class="count">1</span>' in body
    bell = c.get("/notifications/bell/").content.decode()
    assert '<span class="count">1</span>' in bell and "<html" not in bell
    n = Notification.objects.get(user=world.users["handler"])
    assert d.number in c.get("/notifications/").content.decode()
    r = c.get(f"/notifications/{n.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/demands/{d.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert '<span class="count">' not in c.get("/notifications/bell/").content.decode()


def test_one_cannot_open_another_users_notification(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = new(world)
        services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)
    n = Notification.objects.filter(user=world.users["handler"]).get()
    assert login(world, "handler_b").get(f"/notifications/{n.pk}/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_read_all(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            d = new(world)
            services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)
    c = login(world, "handler")
    r = c.post("/notifications/read-all/", follow=True)
    assert "已将 3 条消息标为已读" in r.content.decode()
    assert not Notification.objects.filter(user=world.users["handler"], read_at=None).exists()


def test_notify_link_counts_only_the_rows_it_wrote(world):  # type: ignore[no-untyped-def]
    people = [world.users["dispatcher"], world.users["handler"]]
    first = notes.notify_link(
        people, world.park, Kind.SYSTEM, "提醒", "/manage/", dedupe_key="calendar-2027"
    )
    again = notes.notify_link(
        [*people, world.users["leader"]],
        world.park,
        Kind.SYSTEM,
        "提醒",
        "/manage/",
        dedupe_key="calendar-2027",
    )
    assert (first, again) == (2, 1)
    assert Notification.objects.filter(dedupe_key="calendar-2027").count() == 3
