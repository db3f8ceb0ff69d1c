"""The requester's 待补充: a demand whose 补充材料 the park waits for is counted in the navigation,
listed first on the portal with the question and a link that opens the answer form; and a
queue's 退单 / 回访 button opens the demand with that form unfolded."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from demands import services
from web.tests.test_workbenches import login, make

pytestmark = pytest.mark.django_db


def _asked(world, question: str = "请补充近三年的纳税证明"):  # type: ignore[no-untyped-def]
    d = make(world, dispatch_to=world.dept_a)
    return services.ask_info(world.users["dispatcher"], d, question=question)


def _open_forms(html: str) -> list[str]:
    return re.findall(r'<details class="act [^"]*" data-action="([a-z_]+)" open>', html)


def test_the_portal_counts_and_lists_what_waits_for_the_requesters_answer(world):  # type: ignore[no-untyped-def]
    asked = _asked(world)
    other = make(world, "另一件诉求", dispatch_to=world.dept_b)
    html = login(world, "enterprise").get("/portal/").content.decode()
    assert 'id="to-supply"' in html and 'id="to-supply-count">1<' in html
    assert "待补充 1" in html  # the navigation's badge, on every page of theirs
    section = html.split('id="to-supply"')[1].split("</section>")[0]
    assert asked.number in section and other.number not in section
    assert "请补充近三年的纳税证明" in section
    assert f"/demands/{asked.pk}/?act=supply_info#actions" in section
    # the item is marked in the full list too
    mine = html.split('id="my-demands"')[1]
    row = next(li for li in mine.split('<li class="item">') if asked.number in li)
    assert "awaits-info" in row
    assert "awaits-info" not in next(li for li in mine.split("<li") if other.number in li)
    # the link opens the answer form
    page = login(world, "enterprise").get(f"/demands/{asked.pk}/?act=supply_info")
    assert _open_forms(page.content.decode()) == ["supply_info"]


def test_nothing_waits_once_answered_and_other_requesters_see_nothing(world):  # type: ignore[no-untyped-def]
    asked = _asked(world)
    assert "待补充" not in login(world, "enterprise2").get("/portal/").content.decode()
    assert "待补充" not in login(world, "resident").get("/portal/").content.decode()
    services.supply_info(world.users["enterprise"], asked, answer="已上传")
    html = login(world, "enterprise").get("/portal/").content.decode()
    assert 'id="to-supply"' not in html and "待补充" not in html


def test_a_resident_sees_the_badge_for_their_own_demand(world):  # type: ignore[no-untyped-def]
    from demands.models import Channel

    res = world.users["resident"]
    d = services.create_demand(
        res,
        world.park,
        services.Intake(
            title="小区路灯不亮",
            description="3 栋门口路灯连续一周不亮，夜间出行不便。",
            channel=Channel.PORTAL,
        ),
    )
    services.ask_info(world.users["dispatcher"], d, question="请告知路灯所在的楼栋号")
    c = Client()
    c.force_login(res)
    html = c.get("/portal/").content.decode()
    assert 'id="to-supply-count">1<' in html and "请告知路灯所在的楼栋号" in html


def test_the_queues_return_and_callback_buttons_open_their_forms(world):  # type: ignore[no-untyped-def]
    d = make(world, dispatch_to=world.dept_a)
    task = d.tasks.get()
    hand = login(world, "handler")
    queue = hand.get("/department/").content.decode()
    link = f"/demands/{d.pk}/?act=return&amp;task={task.pk}#actions"
    assert link in queue
    assert _open_forms(hand.get(link.replace("&amp;", "&")).content.decode()) == ["return"]
    assert _open_forms(hand.get(f"/demands/{d.pk}/").content.decode()) == []
    services.sign(world.users["handler"], d)
    services.reply(world.users["handler"], d, answer="已办理", outcome="solved")
    disp = login(world, "dispatcher")
    queue = disp.get("/dispatch/?tab=callback").content.decode()
    assert f"/demands/{d.pk}/?act=confirm&amp;next=" in queue
    assert _open_forms(disp.get(f"/demands/{d.pk}/?act=confirm").content.decode()) == ["confirm"]
    # an action the user may not take opens nothing
    assert _open_forms(disp.get(f"/demands/{d.pk}/?act=return").content.decode()) == []
