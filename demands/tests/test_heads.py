"""Department heads: 指派经办人 (and reassigning with a reason), review before a reply goes out
(待审核 → 审核通过 / 退回修改), and 补充材料 — a question to the requester that stops the clock
of the demand's tasks until the answer comes (or lets the dispatch centre close the item after
the park's number of working days). Allowed and refused roles, another park, bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demands import services
from demands.models import Demand, Event, Status, Task, TaskStatus
from demands.tests.helpers import new_demand, unchanged
from notifications.models import Kind, Notification
from orgs.models import Role, User
from parkadmin.models import AdminChange, ChangeKind
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db


def _dispatched(world, *, signed: bool = True) -> int:  # type: ignore[no-untyped-def]
    disp = world.client("dispatcher")
    did = new_demand(disp, world.enterprise.pk)["id"]
    assert disp.act(did, "dispatch", lead_department_id=world.dept_a.pk).status_code == 200
    if signed:
        assert world.client("handler").act(did, "sign").status_code == 200
    return did


def _second_handler(world) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        username="hand_a2",
        password="pw-hand_a2",
        role=Role.HANDLER,
        park=world.park,
        department=world.dept_a,
        full_name="赵经办",
    )


def _notes(user: User, kind: str) -> list[str]:
    return list(Notification.objects.filter(user=user, kind=kind).values_list("text", flat=True))


def _task(did: int) -> Task:
    return Task.objects.get(demand_id=did)


# --------------------------------------------------------------------------- 指派经办人


def test_the_head_assigns_a_handler_who_is_told_and_finds_it_under_assigned_to_me(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    did = _dispatched(world, signed=False)
    hand = world.users["handler"]
    with django_capture_on_commit_callbacks(execute=True):
        r = world.client("head").act(did, "assign", handler_id=hand.pk)
    assert r.status_code == 200, r.content
    t = _task(did)
    assert t.assignee == hand and t.status == TaskStatus.PENDING  # state and deadline kept
    e = Event.objects.get(demand_id=did, action="assign")
    assert e.actor == world.users["head"] and e.data["assignee_id"] == hand.pk
    assert any("指派给您办理" in n for n in _notes(hand, Kind.ASSIGNED))
    page = Client()
    page.force_login(hand)
    html = page.get(reverse("department") + "?tab=mine").content.decode()
    assert "指派给我" in html and Demand.objects.get(pk=did).number in html
    # the head's inbox opens on the tab, and the demand page shows who works on it
    detail = page.get(reverse("demands:detail", args=[did])).content.decode()
    assert f"经办人 {hand.display_name}" in detail


def test_reassigning_needs_a_reason_and_keeps_who_had_it(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    hand, other = world.users["handler"], _second_handler(world)
    head = world.client("head")
    assert head.act(did, "assign", handler_id=hand.pk).status_code == 200
    with unchanged():
        r = head.act(did, "assign", handler_id=other.pk)
    assert r.status_code == 422 and "改派给另一名经办人时须写明理由" in r.json()["detail"]
    with unchanged():
        r = head.act(did, "assign", handler_id=hand.pk, note="x")
    assert r.status_code == 409 and "已指派给" in r.json()["detail"]
    r = head.act(did, "assign", handler_id=other.pk, note="原经办人外出培训")
    assert r.status_code == 200
    e = Event.objects.filter(demand_id=did, action="assign").latest("id")
    assert e.data["previous_id"] == hand.pk and e.note == "原经办人外出培训"
    assert _task(did).assignee == other


def test_a_person_of_another_department_cannot_be_chosen(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    for wrong in ("handler_b", "liaison", "enterprise"):
        with unchanged():
            r = world.client("head").act(did, "assign", handler_id=world.users[wrong].pk)
        assert r.status_code == 422, wrong
        assert "不是经济发展局的工作人员" in r.json()["detail"]
    with unchanged():
        r = world.client("head").act(did, "assign", handler_id="abc")
    assert r.status_code == 422


@pytest.mark.parametrize(
    "who,code", [("handler", 403), ("handler_b", 403), ("enterprise", 403), ("leader", 403)]
)
def test_only_the_head_or_the_dispatch_centre_assigns(world, who, code):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    hand = world.users["handler"]
    with unchanged():
        r = world.client(who).act(did, "assign", handler_id=hand.pk)
    assert r.status_code == code, r.content
    assert world.client("dispatcher").act(did, "assign", handler_id=hand.pk).status_code == 200


def test_another_parks_staff_get_404(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    for action, body in (
        ("assign", {"handler_id": world.users["handler"].pk}),
        ("approve_reply", {}),
        ("ask_info", {"question": "请提供营业执照"}),
        ("supply_info", {"answer": "已上传"}),
    ):
        for who in ("dispatcher", "handler", "enterprise"):
            with unchanged():
                r = world.client(who, other=True).act(did, action, **body)
            assert r.status_code == 404, (action, who, r.status_code)


# --------------------------------------------------------------------------- review


def test_a_reviewed_department_answer_waits_for_the_head_then_reaches_the_requester(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    world.dept_a.review_replies = True
    world.dept_a.save()
    did = _dispatched(world)
    hand, head = world.client("handler"), world.client("head")
    with django_capture_on_commit_callbacks(execute=True):
        r = hand.act(did, "reply", answer="已协调两家银行对接贴息贷款。", outcome="solved")
    assert r.status_code == 200
    t, d = _task(did), Demand.objects.get(pk=did)
    assert t.status == TaskStatus.REVIEW and t.answered_at is None
    assert d.status == Status.IN_PROGRESS and d.answer == "" and d.due_date == t.deadline
    assert any("待您审核" in n for n in _notes(world.users["head"], Kind.REPLIED))
    assert not _notes(world.users["enterprise"], Kind.ANSWERED)
    assert not _notes(world.users["dispatcher"], Kind.REPLIED)
    # the requester sees neither the draft nor the review
    mine = world.client("enterprise").get(f"/demands/{did}").json()
    assert mine["tasks"][0]["answer"] == "" and mine["tasks"][0]["status"] == "signed"
    assert "已协调两家银行" not in str(mine["timeline"])
    with django_capture_on_commit_callbacks(execute=True):
        r = head.act(did, "approve_reply", note="同意")
    assert r.status_code == 200, r.content
    t, d = _task(did), Demand.objects.get(pk=did)
    assert t.status == TaskStatus.ANSWERED and d.status == Status.ANSWERED
    assert "已协调两家银行" in d.answer
    actions = list(Event.objects.filter(demand_id=did).values_list("action", flat=True))
    assert actions[-4:] == ["submit_reply", "approve_reply", "reply", "status"]
    assert _notes(world.users["enterprise"], Kind.ANSWERED)
    assert _notes(world.users["dispatcher"], Kind.REPLIED)
    mine = world.client("enterprise").get(f"/demands/{did}").json()
    assert "已协调两家银行" in mine["answer"]


def test_the_head_sends_back_with_a_note_and_the_handler_revises(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    head, hand = world.client("head"), world.client("handler")
    assert head.act(did, "require_review").status_code == 200
    hand.act(did, "reply", answer="初稿", outcome="solved")
    with unchanged():
        r = head.act(did, "send_back_reply", note="  ")
    assert r.status_code == 422 and "修改意见" in r.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        r = head.act(did, "send_back_reply", note="请写明贴息比例")
    assert r.status_code == 200
    t = _task(did)
    assert t.status == TaskStatus.SIGNED and t.answer == "初稿"  # the draft stays to revise
    assert any("请写明贴息比例" in n for n in _notes(world.users["handler"], Kind.REPLIED))
    # the reply form brings the draft back
    page = Client()
    page.force_login(world.users["handler"])
    html = page.get(reverse("demands:detail", args=[did])).content.decode()
    assert re.search(r'<textarea name="answer" required>初稿</textarea>', html)
    assert hand.act(did, "reply", answer="贴息比例为 50%", outcome="solved").status_code == 200
    assert _task(did).status == TaskStatus.REVIEW
    assert head.act(did, "approve_reply").status_code == 200
    assert Demand.objects.get(pk=did).status == Status.ANSWERED


def test_only_the_head_reviews(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    with unchanged():
        r = world.client("handler").act(did, "require_review")
    assert r.status_code == 403
    world.client("head").act(did, "require_review")
    world.client("handler").act(did, "reply", answer="初稿", outcome="solved")
    for who in ("handler", "dispatcher", "enterprise", "handler_b"):
        for action, body in (("approve_reply", {}), ("send_back_reply", {"note": "改"})):
            with unchanged():
                r = world.client(who).act(did, action, **body)
            assert r.status_code == 403, (who, action, r.status_code)


def test_a_department_rule_cannot_be_cancelled_per_task(world):  # type: ignore[no-untyped-def]
    world.dept_a.review_replies = True
    world.dept_a.save()
    did = _dispatched(world)
    with unchanged():
        r = world.client("head").act(did, "require_review", required=False)
    assert r.status_code == 409 and "均须经负责人审核" in r.json()["detail"]
    with unchanged():
        r = world.client("head").act(did, "require_review", required="maybe")
    assert r.status_code == 422


def test_the_deadline_keeps_running_during_review(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    head, hand = world.users["head"], world.users["handler"]
    services.require_review(head, Demand.objects.get(pk=did))
    services.reply(hand, Demand.objects.get(pk=did), answer="初稿", outcome="solved")
    t = _task(did)
    late = timezone.make_aware(dt.datetime.combine(t.deadline + dt.timedelta(days=3), dt.time(10)))
    services.approve_reply(head, Demand.objects.get(pk=did), at=late)
    e = Event.objects.get(demand_id=did, action="reply")
    assert e.data["on_time"] is False and e.data["reviewed"] is True and e.created_at == late
    assert _task(did).deadline == t.deadline and _task(did).paused_working_days == 0


# --------------------------------------------------------------------------- 补充材料


def test_asking_the_requester_pauses_the_clock_and_the_answer_resumes_it(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    before = _task(did).deadline
    disp = world.users["dispatcher"]
    asked = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.ask_info(
            disp, Demand.objects.get(pk=did), question="请补充近三年的纳税证明", at=asked
        )
    d, t = Demand.objects.get(pk=did), _task(did)
    assert d.awaits_info and t.status == TaskStatus.PAUSED and d.due_date is None
    assert any(
        "请补充近三年的纳税证明" in n for n in _notes(world.users["enterprise"], Kind.MATERIAL)
    )
    mine = world.client("enterprise").get(f"/demands/{did}").json()
    assert mine["awaiting_info"] and mine["info_question"] == "请补充近三年的纳税证明"
    assert "supply_info" in [a["action"] for a in mine["actions"]]
    # the department's own 恢复办理 cannot end the requester's pause
    with unchanged():
        r = world.client("handler").act(did, "resume")
    assert r.status_code == 409 and "等待诉求人补充材料" in r.json()["detail"]
    later = asked + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        services.supply_info(
            world.users["enterprise"], Demand.objects.get(pk=did), answer="已上传", at=later
        )
    lost = wcal.working_days_between(timezone.localdate(asked), timezone.localdate(later))
    assert lost >= 4
    d, t = Demand.objects.get(pk=did), _task(did)
    assert not d.awaits_info and t.status == TaskStatus.SIGNED
    assert t.deadline == wcal.add_working_days(before, lost) and t.paused_working_days == lost
    assert d.due_date == t.deadline
    e = Event.objects.get(demand_id=did, action="supply_info")
    assert e.data["paused_working_days"] == lost and e.note == "已上传"
    assert any("已补充材料" in n for n in _notes(disp, Kind.MATERIAL))


def test_an_unsigned_task_waits_for_signing_again_after_the_answer(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world, signed=False)
    assert world.client("dispatcher").act(did, "ask_info", question="请补充地址").status_code == 200
    assert _task(did).status == TaskStatus.PAUSED
    assert world.client("enterprise").act(did, "supply_info", answer="雨湖区").status_code == 200
    assert _task(did).status == TaskStatus.PENDING
    assert Demand.objects.get(pk=did).status == Status.DISPATCHED


def test_the_dispatcher_may_ask_before_dispatching(world):  # type: ignore[no-untyped-def]
    disp = world.client("dispatcher")
    did = new_demand(disp, world.enterprise.pk)["id"]
    assert disp.act(did, "ask_info", question="请说明贷款金额").status_code == 200
    d = Demand.objects.get(pk=did)
    assert d.status == Status.RECEIVED and d.awaits_info
    assert world.client("enterprise").act(did, "supply_info", answer="800 万元").status_code == 200
    d = Demand.objects.get(pk=did)
    assert d.status == Status.RECEIVED and not d.awaits_info


def test_who_may_ask_and_who_may_answer(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    for who in ("handler_b", "enterprise", "liaison", "leader", "resident"):
        with unchanged():
            r = world.client(who).act(did, "ask_info", question="请补充")
        assert r.status_code in (403, 404), (who, r.status_code)
    assert world.client("handler").act(did, "ask_info", question="请补充").status_code == 200
    for who in ("dispatcher", "handler", "resident", "enterprise2"):
        with unchanged():
            r = world.client(who).act(did, "supply_info", answer="好")
        assert r.status_code in (403, 404), (who, r.status_code)


def test_bad_questions_and_answers_change_nothing(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    disp, ent = world.client("dispatcher"), world.client("enterprise")
    with unchanged():
        r = disp.act(did, "ask_info", question="   ")
    assert r.status_code == 422 and "需补充的内容" in str(r.json())
    with unchanged():
        r = ent.act(did, "supply_info", answer="还没问就答")
    assert r.status_code == 409 and "没有请您补充材料" in r.json()["detail"]
    disp.act(did, "ask_info", question="请补充")
    with unchanged():
        r = disp.act(did, "ask_info", question="再问一次")
    assert r.status_code == 409
    with unchanged():
        r = ent.act(did, "supply_info", answer="")
    assert r.status_code == 422
    with unchanged():
        r = ent.act(did, "supply_info", answer="x" * 20_001)
    assert r.status_code == 422


def test_a_caller_answers_on_the_tracking_page(world):  # type: ignore[no-untyped-def]
    from demands.tests.test_tracking import _follow, _hotline

    d, code = _hotline(world)
    services.ask_info(world.users["dispatcher"], d, question="请告知路灯所在的楼栋号")
    c = _follow(d, code)
    html = c.get(f"/track/{d.number}/").content.decode()
    assert "请告知路灯所在的楼栋号" in html and 'id="track-supply"' in html
    r = c.post(f"/track/{d.number}/supply/", {"answer": "  "})
    assert r.status_code == 422 and "补充内容" in r.content.decode()
    assert Demand.objects.get(pk=d.pk).awaits_info
    r = c.post(f"/track/{d.number}/supply/", {"answer": "3 栋门口"})
    assert r.status_code == 302
    e = Event.objects.get(demand=d, action="supply_info")
    assert e.actor is None and e.data["via"] == "tracking_code"
    assert not Demand.objects.get(pk=d.pk).awaits_info
    # without the code nothing is taken
    r = Client().post(f"/track/{d.number}/supply/", {"answer": "冒充"})
    assert r.status_code == 302 and Event.objects.filter(action="supply_info").count() == 1


def test_closing_for_no_answer_waits_for_the_parks_working_days(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    disp = world.users["dispatcher"]
    asked = timezone.now() - dt.timedelta(days=30)
    services.ask_info(disp, Demand.objects.get(pk=did), question="请补充", at=asked)
    world.park.info_wait_working_days = 60
    world.park.save()
    body = {"kind": "unreachable", "note": "三次电话均无人接听"}
    with unchanged():
        r = world.client("dispatcher").act(did, "close_unreachable", **body)
    assert r.status_code == 409 and "满 60 个工作日" in r.json()["detail"]
    world.park.info_wait_working_days = 10
    world.park.save()
    for who in ("handler", "head", "enterprise", "leader"):
        with unchanged():
            r = world.client(who).act(did, "close_unreachable", **body)
        assert r.status_code == 403, who
    with unchanged():
        r = world.client("dispatcher").act(did, "close_unreachable", kind="gone", note="x")
    assert r.status_code == 422
    r = world.client("dispatcher").act(did, "close_unreachable", **body)
    assert r.status_code == 200, r.content
    d, t = Demand.objects.get(pk=did), _task(did)
    assert d.status == Status.CLOSED and t.status == TaskStatus.CANCELLED and not d.awaits_info
    e = Event.objects.get(demand_id=did, action="close_unreachable")
    assert e.data["label"] == "无法联系" and e.note == "三次电话均无人接听"
    mine = world.client("enterprise").get(f"/demands/{did}").json()
    assert "无法联系" in str(mine["timeline"]) and "三次电话" not in str(mine["timeline"])


# --------------------------------------------------------------------------- park administrator


def test_the_park_admin_sets_review_for_a_department_and_the_wait(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users["admin"])
    dept = world.dept_a
    url = reverse("parkadmin:department_edit", args=[dept.pk])
    form = {"name": dept.name, "code": dept.code, "sort": "10", "is_active": "1"}
    r = c.post(url, {**form, "review_replies": "1"})
    assert r.status_code == 302
    dept.refresh_from_db()
    assert dept.review_replies
    change = AdminChange.objects.filter(kind=ChangeKind.DEPARTMENT).latest("id")
    assert ("答复须经负责人审核", "否", "是") in change.changed_fields()
    assert "答复须经部门负责人审核后发出" in c.get(url).content.decode()
    settings = {
        "response_window_working_days": "1",
        "due_soon_working_days": "2",
        "auto_close_working_days": "5",
        "info_wait_working_days": "0",
    }
    r = c.post(reverse("parkadmin:settings"), settings)
    assert r.status_code == 422 or "补充材料" in r.content.decode()
    world.park.refresh_from_db()
    assert world.park.info_wait_working_days == 10
    r = c.post(reverse("parkadmin:settings"), {**settings, "info_wait_working_days": "15"})
    world.park.refresh_from_db()
    assert world.park.info_wait_working_days == 15


def test_a_task_waiting_for_review_is_reminded_to_the_head_and_the_handler(world):  # type: ignore[no-untyped-def]
    from notifications import services as notes

    did = _dispatched(world)
    head, hand = world.users["head"], world.users["handler"]
    services.require_review(head, Demand.objects.get(pk=did))
    services.reply(hand, Demand.objects.get(pk=did), answer="初稿", outcome="solved")
    t = _task(did)
    assert t.status == TaskStatus.REVIEW
    Notification.objects.all().delete()
    # on the deadline: due soon; two working days after it: overdue
    soon = t.deadline
    assert notes.scan_deadlines(soon) == 2
    (said,) = _notes(head, Kind.DUE_SOON)
    assert said.startswith("待您审核的答复即将到期") and Demand.objects.get(pk=did).number in said
    (said,) = _notes(hand, Kind.DUE_SOON)
    assert "答复待负责人审核" in said
    late = wcal.add_working_days(t.deadline, 2)
    assert notes.scan_deadlines(late) == 2
    assert notes.scan_deadlines(late) == 0  # once per task, person and day
    assert "待您审核的答复已逾期 2 个工作日" in _notes(head, Kind.OVERDUE)[0]
    assert _notes(hand, Kind.OVERDUE) and not _notes(world.users["handler_b"], Kind.OVERDUE)


# --------------------------------------------------------------------------- 记录电话补充


def test_staff_record_an_answer_given_by_phone_and_the_clock_resumes(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    did = _dispatched(world)
    before = _task(did).deadline
    asked = timezone.now() - dt.timedelta(days=7)
    services.ask_info(
        world.users["handler"], Demand.objects.get(pk=did), question="请告知贷款金额", at=asked
    )
    disp = world.users["dispatcher"]
    page = Client()
    page.force_login(disp)
    url = reverse("demands:detail", args=[did])
    html = page.get(url).content.decode()
    assert 'data-action="record_supply"' in html and "记录电话补充" in html
    # the requester's own page offers 补充材料, not the staff's form
    ent = Client()
    ent.force_login(world.users["enterprise"])
    assert 'data-action="record_supply"' not in ent.get(url).content.decode()
    act = reverse("demands:act", args=[did, "record_supply"])
    with unchanged():
        r = page.post(act, {"answer": "  "})
    assert r.status_code == 422 and "电话中补充的内容" in r.content.decode()
    pdf = SimpleUploadedFile("借款合同.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        r = page.post(act, {"answer": "电话告知：贷款 800 万元，期限三年", "files": [pdf]})
    assert r.status_code == 302, r.content.decode()[:2000]
    d, t = Demand.objects.get(pk=did), _task(did)
    lost = wcal.working_days_between(timezone.localdate(asked), timezone.localdate())
    assert not d.awaits_info and t.status == TaskStatus.SIGNED and lost >= 4
    assert t.deadline == wcal.add_working_days(before, lost) and d.due_date == t.deadline
    e = Event.objects.get(demand_id=did, action="supply_info")
    assert e.actor == disp and e.note == "电话告知：贷款 800 万元，期限三年"
    assert e.data["via"] == "phone" and e.data["recorded_by_id"] == disp.pk
    assert e.data["paused_working_days"] == lost
    assert [a.original_name for a in e.attachments.all()] == ["借款合同.pdf"]
    # whoever asked hears of it, told it came by phone
    assert any("电话补充" in n for n in _notes(world.users["handler"], Kind.MATERIAL))
    staff_html = page.get(url).content.decode()
    assert f"诉求人电话补充，由{disp.display_name}记录" in staff_html
    # the requester sees the answer, not who wrote it down
    mine = ent.get(url).content.decode()
    assert "贷款 800 万元" in mine and "诉求人电话补充；" in mine and "由disp记录" not in mine
    api = world.client("enterprise").get(f"/demands/{did}").json()
    (row,) = [r for r in api["timeline"] if r["action"] == "supply_info"]
    assert row["detail"].startswith("诉求人电话补充；") and row["who"] == "园区服务中心"
    # nothing to record once answered
    with unchanged():
        r = world.client("dispatcher").act(did, "record_supply", answer="再记一次")
    assert r.status_code == 409 and "没有在等待" in r.json()["detail"]


def test_who_may_record_a_phone_answer(world):  # type: ignore[no-untyped-def]
    did = _dispatched(world)
    services.ask_info(world.users["dispatcher"], Demand.objects.get(pk=did), question="请补充")
    for who in ("handler_b", "enterprise", "liaison", "leader", "resident"):
        with unchanged():
            r = world.client(who).act(did, "record_supply", answer="电话说了")
        assert r.status_code in (403, 404), (who, r.status_code)
    with unchanged():
        r = world.client("dispatcher", other=True).act(did, "record_supply", answer="电话说了")
    assert r.status_code == 404
    r = world.client("head").act(did, "record_supply", answer="电话说了地址")
    assert r.status_code == 200, r.content
    e = Event.objects.get(demand_id=did, action="supply_info")
    assert e.actor == world.users["head"] and e.data["via"] == "phone"
