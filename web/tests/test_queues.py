"""The dispatcher's and the departments' queues: every item reachable through pages, newest first
where new work arrives, the chosen order kept across pages, counts equal to their tabs, and a
notice to the dispatch centre for every demand it did not take in itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from demands import services
from notifications.models import Kind, Notification
from web.tests.test_workbenches import login, make

pytestmark = pytest.mark.django_db


def _numbers(html: str) -> list[str]:
    return re.findall(r"QS-\d{4}-\d{6}", html)


def _spread(world, n: int, **kw) -> list:  # type: ignore[no-untyped-def]
    start = timezone.now() - dt.timedelta(days=n)
    return [make(world, f"诉求{i}", at=start + dt.timedelta(days=i), **kw) for i in range(n)]


def test_received_queue_pages_newest_first_and_counts_match(world):  # type: ignore[no-untyped-def]
    demands = _spread(world, 57)
    c = login(world, "dispatcher")
    first = c.get("/dispatch/?tab=received").content.decode()
    shown = list(dict.fromkeys(_numbers(first)))
    assert shown[0] == demands[-1].number  # the newest on top
    assert len(shown) == 50 and "第 1/2 页，共 57 件" in first
    second = c.get("/dispatch/?tab=received&page=2").content.decode()
    rest = list(dict.fromkeys(_numbers(second)))
    assert set(shown) | set(rest) == {d.number for d in demands}
    assert not set(shown) & set(rest)
    oldest = c.get("/dispatch/?tab=received&sort=oldest").content.decode()
    assert list(dict.fromkeys(_numbers(oldest)))[0] == demands[0].number
    assert "sort=oldest" in oldest  # the pager keeps the order
    tile = re.search(r"<b>(\d+)</b><span>待交办</span>", first)
    assert tile and tile.group(1) == "57"


def test_department_inbox_pages_and_sorts(world):  # type: ignore[no-untyped-def]
    demands = _spread(world, 53, dispatch_to=world.dept_a)
    c = login(world, "handler")
    body = c.get("/department/?tab=pending").content.decode()
    assert "共 53 件" in body and "第 1/2 页" in body
    newest = c.get("/department/?tab=pending&sort=newest").content.decode()
    assert list(dict.fromkeys(_numbers(newest)))[0] == demands[-1].number
    page2 = c.get("/department/?tab=pending&page=2").content.decode()
    assert len(set(_numbers(page2))) == 3


def test_a_portal_demand_is_announced_to_the_dispatch_centre(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    ent = world.users["enterprise"]
    with django_capture_on_commit_callbacks(execute=True):
        d = services.create_demand(
            ent,
            world.park,
            services.Intake(
                title="申请人才公寓",
                description="新引进的研发人员需要人才公寓，请协调。",
                channel="portal",
                enterprise_id=world.enterprise.pk,
                category_id=world.cat_finance.pk,
            ),
        )
    note = Notification.objects.get(user=world.users["dispatcher"], kind=Kind.RECEIVED)
    assert note.demand_id == d.pk and "新诉求待交办" in note.text
    assert not Notification.objects.filter(user=ent, kind=Kind.RECEIVED).exists()
    assert not Notification.objects.filter(user=world.users["handler"], kind=Kind.RECEIVED).exists()
    # The dispatch centre's own intake is not announced back to it.
    with django_capture_on_commit_callbacks(execute=True):
        make(world, "热线来电")
    assert Notification.objects.filter(kind=Kind.RECEIVED).count() == 1


def test_dispatch_counts_equal_the_queues_and_read_only_their_states(world):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from demands import workbench

    disp, hand = world.users["dispatcher"], world.users["handler"]
    long_ago = timezone.now() - dt.timedelta(days=60)
    make(world, "待交办一")
    make(world, "待交办二")
    make(world, "逾期未办", dispatch_to=world.dept_a, at=long_ago)
    make(world, "办理中", dispatch_to=world.dept_a)
    back = make(world, "退回", dispatch_to=world.dept_a)
    services.return_task(hand, back, reason="not_our_duty", note="不属本局职责")
    for i, last in enumerate(("answered", "confirmed", "closed", "closed")):
        d = make(world, f"已办{i}", dispatch_to=world.dept_a)
        d = services.sign(hand, d)
        d = services.reply(hand, d, answer="已协调解决。", outcome="solved")
        if last != "answered":
            d = services.confirm(disp, d, satisfaction="satisfied", method="phone")
        if last == "closed":
            services.close(disp, d)
    today = timezone.localdate()
    park = world.park
    with CaptureQueriesContext(connection) as ctx:
        counts = workbench.dispatch_counts(disp, park, today)
    assert counts == {
        "received": 2,
        "returned": 1,
        "extensions": 0,
        "late": 1,
        "overdue": 1,
        "callback": 1,
        "confirmed": 1,
    }
    for tab, _ in workbench.DISPATCH_TABS:
        assert workbench.dispatch_queue(disp, park, tab, today)[0].count() == counts[tab], tab
    # Every count names the states it counts: none reads the whole ledger of the park.
    for q in ctx.captured_queries:
        where = q["sql"].split(" FROM ", 1)[1]
        assert '"status" IN' in where or '"status" =' in where, q["sql"]
