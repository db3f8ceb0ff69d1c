"""What the first walk saw in the queues, each held by a test: a deadline from another year is shown
with its year and an overdue one says by how many working days; an approved extension moves the
demand header's 办结时限; every dispatch tab pages 50 at a time, keeps its order across pages and
its tile equals its queue; 逾期催办 sorts by deadline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from demands import services
from demands.models import Demand, Outcome, Satisfaction
from web.tests.test_workbenches import login, make
from workcal import dates

pytestmark = pytest.mark.django_db


def _numbers(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"QS-\d{4}-\d{6}", html)))


def test_a_deadline_of_another_year_shows_its_year_and_how_late(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    at = timezone.make_aware(dt.datetime(today.year - 1, 11, 3, 9, 0))
    d = make(world, "去年的诉求", dispatch_to=world.dept_a, at=at)
    deadline = d.tasks.get().deadline
    assert deadline.year == today.year - 1
    late = dates.overdue_text(deadline, today)
    assert late.startswith("逾期 ") and late.endswith(" 个工作日")
    shown = f"截止 {deadline:%Y-%m-%d}"
    body = login(world, "dispatcher").get("/dispatch/?tab=late").content.decode()
    assert d.number in body and shown in body and late in body
    body = login(world, "handler").get("/department/?tab=overdue").content.decode()
    assert d.number in body and shown in body and late in body
    # This year's deadline is shown without the year.
    fresh = make(world, "今年的诉求", dispatch_to=world.dept_a)
    fresh_deadline = fresh.tasks.get().deadline
    body = login(world, "handler").get("/department/?tab=pending").content.decode()
    assert f"截止 {dates.show_date(fresh_deadline, today)}" in body
    assert (f"截止 {fresh_deadline:%Y-%m-%d}" in body) == (fresh_deadline.year != today.year)


def test_an_approved_extension_moves_the_headers_deadline(world):  # type: ignore[no-untyped-def]
    d = make(world, dispatch_to=world.dept_a)
    d = services.sign(world.users["handler"], d)
    before = Demand.objects.get(pk=d.pk).due_date
    services.request_extension(world.users["handler"], d, days=5, reason="等待银行审批")
    ext = d.tasks.get().extensions.get()
    services.decide_extension(world.users["dispatcher"], d, extension_id=ext.pk, approve=True)
    after = Demand.objects.get(pk=d.pk).due_date
    assert after is not None and before is not None and after > before
    assert after == d.tasks.get().deadline
    body = login(world, "dispatcher").get(f"/demands/{d.pk}/").content.decode()
    header = body.split('class="card a-sum"')[1].split("</section>")[0]
    assert f"办结时限 {after:%Y-%m-%d}" in header and f"{before:%Y-%m-%d}" not in header


def _fill(world, tab: str, n: int) -> list[Demand]:  # type: ignore[no-untyped-def]
    """n demands in the given dispatch tab, created a day apart."""
    start = timezone.now() - dt.timedelta(days=n + 30)
    hand = world.users["handler"]
    out = []
    for i in range(n):
        at = start + dt.timedelta(days=i)
        if tab == "late":
            d = make(world, f"逾期{i}", dispatch_to=world.dept_a, at=at)
        else:
            d = make(world, f"诉求{i}", dispatch_to=world.dept_a)
            d = services.sign(hand, d)
            if tab == "extensions":
                services.request_extension(hand, d, days=3, reason=f"等待材料{i}")
            else:
                d = services.reply(hand, d, answer="已办理", outcome=Outcome.SOLVED)
                if tab == "confirmed":
                    d = services.confirm(
                        world.users["enterprise"], d, satisfaction=Satisfaction.SATISFIED
                    )
        out.append(d)
    return out


@pytest.mark.parametrize("tab", ["extensions", "late", "callback", "confirmed"])
def test_every_dispatch_tab_pages_and_its_tile_equals_its_queue(world, tab):  # type: ignore[no-untyped-def]
    made = _fill(world, tab, 53)
    c = login(world, "dispatcher")
    first = c.get(f"/dispatch/?tab={tab}").content.decode()
    assert "第 1/2 页，共 53 件" in first, tab
    second = c.get(f"/dispatch/?tab={tab}&page=2").content.decode()
    page1, page2 = set(_numbers(first)), set(_numbers(second))
    assert (page1 | page2) >= {d.number for d in made} and not (
        page1 & page2 & {d.number for d in made}
    )
    assert "第 2/2 页" in second
    label = dict(extensions="延期待审批", late="逾期催办", callback="待回访", confirmed="待销号")[
        tab
    ]
    tile = re.search(rf"<b>(\d+)</b><span>{label}", first)
    assert tile and tile.group(1) == "53", (tab, tile and tile.group(1))


def test_late_tab_sorts_by_deadline_and_keeps_it_across_pages(world):  # type: ignore[no-untyped-def]
    made = _fill(world, "late", 52)
    c = login(world, "dispatcher")
    body = c.get("/dispatch/?tab=late&sort=deadline").content.decode()
    assert _numbers(body)[0] == made[0].number  # the earliest deadline first
    newest = c.get("/dispatch/?tab=late&sort=newest").content.decode()
    assert _numbers(newest)[0] == made[-1].number
    assert "sort=newest" in newest and "page=2" in newest
