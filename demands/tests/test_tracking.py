"""查询进度: a hotline caller follows a demand by number and 查询码, without an account, sees no
staff names, rates the answer; codes are kept hashed and guessing is locked out."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from demands import schemas, services, tracking
from demands.models import Demand, Event, Satisfaction, Status, TrackingAttempt
from qinshang.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


def _hotline(world) -> tuple[Demand, str]:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users["dispatcher"])
    r = c.post(
        "/demands/new/",
        {
            "title": "小区门口路灯不亮",
            "description": "晚上出行不便，请尽快安排维修，谢谢。",
            "channel": "hotline",
            "requester_kind": "resident",
            "requester_name": "张先生",
            "requester_phone": "13907325678",
        },
        follow=True,
    )
    text = r.content.decode()
    m = re.search(r"查询码 (\d{6})", text)
    assert m, text[:2000]
    return Demand.objects.get(title="小区门口路灯不亮"), m.group(1)


def _answered(world, d: Demand) -> Demand:  # type: ignore[no-untyped-def]
    services.perform(
        world.users["dispatcher"],
        d,
        schemas.DispatchIn(lead_department_id=world.dept_a.pk, category_id=world.cat_land.pk),
    )
    services.perform(world.users["handler"], Demand.objects.get(pk=d.pk), schemas.SignIn())
    services.perform(
        world.users["handler"],
        Demand.objects.get(pk=d.pk),
        schemas.ReplyIn(answer="已安排供电所于本周五前更换灯具。", outcome="solved"),
    )
    return Demand.objects.get(pk=d.pk)


def _follow(d: Demand, code: str) -> Client:
    c = Client()
    r = c.post("/track/", {"number": d.number, "code": code})
    assert r.status_code == 302 and r["Location"] == f"/track/{d.number}/"
    return c


def test_hotline_intake_gives_a_code_kept_only_as_a_hash(world):  # type: ignore[no-untyped-def]
    d, code = _hotline(world)
    assert d.track_code_hash and code not in d.track_code_hash
    assert not Event.objects.filter(demand=d, note__contains=code).exists()
    assert Event.objects.filter(demand=d, action="track_code").count() == 1


def test_the_caller_sees_progress_without_staff_names_and_rates_it(world):  # type: ignore[no-untyped-def]
    d, code = _hotline(world)
    d = _answered(world, d)
    c = _follow(d, code)
    html = c.get(f"/track/{d.number}/").content.decode()
    assert "已安排供电所" in html and "经济发展局" in html and 'id="track-rate"' in html
    for u in ("dispatcher", "handler"):
        person = world.users[u]
        assert person.display_name not in html and person.username not in html
    r = c.post(f"/track/{d.number}/rate/", {"satisfaction": Satisfaction.SATISFIED})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.CONFIRMED and d.satisfaction == Satisfaction.SATISFIED
    e = Event.objects.get(demand=d, action="confirm")
    assert e.actor is None and e.data["via"] == "tracking_code"


def test_dissatisfied_needs_a_comment_and_then_goes_back_for_redo(world):  # type: ignore[no-untyped-def]
    d, code = _hotline(world)
    d = _answered(world, d)
    c = _follow(d, code)
    r = c.post(f"/track/{d.number}/rate/", {"satisfaction": Satisfaction.DISSATISFIED})
    assert r.status_code == 422 and "评价意见" in r.content.decode()
    assert Demand.objects.get(pk=d.pk).status == Status.ANSWERED
    c.post(
        f"/track/{d.number}/rate/",
        {"satisfaction": Satisfaction.DISSATISFIED, "comment": "灯还是不亮"},
    )
    d.refresh_from_db()
    assert d.redo_count == 1 and d.status != Status.CONFIRMED


def test_without_the_code_nothing_is_shown_or_taken(world):  # type: ignore[no-untyped-def]
    d, _code = _hotline(world)
    d = _answered(world, d)
    c = Client()
    assert c.get(f"/track/{d.number}/")["Location"].startswith("/track/?number=")
    c.post(f"/track/{d.number}/rate/", {"satisfaction": Satisfaction.SATISFIED})
    assert Demand.objects.get(pk=d.pk).status == Status.ANSWERED
    r = c.post("/track/", {"number": d.number, "code": "000000" if _code != "000000" else "1"})
    assert r.status_code == 422 and "不正确" in r.content.decode()


def test_five_wrong_codes_lock_the_number_even_for_the_right_code(world):  # type: ignore[no-untyped-def]
    d, code = _hotline(world)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(tracking.MAX_FAILS_PER_NUMBER):
        with pytest.raises(InvalidInput):
            tracking.find(d.number, wrong, "10.0.0.1")
    with pytest.raises(Forbidden, match="30 分钟"):
        tracking.find(d.number, code, "10.0.0.2")
    assert TrackingAttempt.objects.filter(ok=True).count() == 0


def test_an_address_guessing_many_numbers_is_locked(world):  # type: ignore[no-untyped-def]
    d, code = _hotline(world)
    for i in range(tracking.MAX_FAILS_PER_ADDRESS):
        with pytest.raises(InvalidInput):
            tracking.find(f"QS-2026-{i:06d}9", "123456", "10.9.9.9")
    with pytest.raises(Forbidden):
        tracking.find(d.number, code, "10.9.9.9")
    assert tracking.find(d.number, code, "10.0.0.3").pk == d.pk


def test_a_new_code_replaces_the_old_and_only_intake_staff_issue_codes(world):  # type: ignore[no-untyped-def]
    d, old = _hotline(world)
    new = tracking.issue_code(world.users["dispatcher"], d)
    with pytest.raises(InvalidInput):
        tracking.find(d.number, old, "10.0.0.4") if old != new else tracking.find(
            d.number, "x", "10.0.0.4"
        )
    assert tracking.find(d.number, new, "10.0.0.4").pk == d.pk
    for who in ("handler", "enterprise", "resident"):
        with pytest.raises(Forbidden):
            tracking.issue_code(world.users[who], d)


def test_the_demand_page_offers_the_code_button_to_intake_staff_only(world):  # type: ignore[no-untyped-def]
    d, _ = _hotline(world)
    c = Client()
    c.force_login(world.users["dispatcher"])
    assert "重新生成查询码" in c.get(f"/demands/{d.pk}/").content.decode()
    r = c.post(f"/demands/{d.pk}/track-code/", follow=True)
    assert re.search(r"查询码 \d{6}", r.content.decode())
    c.force_login(world.users["resident"])
    assert "查询码" not in c.get(f"/demands/{d.pk}/").content.decode()


def test_old_attempts_are_purged_by_the_daily_job(world):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from demands.tasks import purge_tracking_attempts

    old = timezone.now() - dt.timedelta(days=2)
    TrackingAttempt.objects.create(number="QS-2026-000001", address="1.1.1.1", at=old)
    TrackingAttempt.objects.create(number="QS-2026-000001", address="1.1.1.1", at=timezone.now())
    assert purge_tracking_attempts.call() == 1
    assert TrackingAttempt.objects.count() == 1
