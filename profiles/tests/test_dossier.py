"""一企一档 shows what 供需对接 and 银企对接 know of the enterprise, each through its own app's
scoping: products, purchasing needs and signed orders to the park's staff; financing needs, the
banks' answers and the loans granted to the park-wide roles and the enterprise's own liaison
only; a bank user sees nothing of the page."""

from __future__ import annotations

import pytest
from django.test import Client

from finance import services as finance
from qinshang.tests.scene import _finance_objects, _matchmaking_objects

pytestmark = pytest.mark.django_db

MARKET = ("数控车床主轴", "铸铁件", "铸铁件年度采购", "湖南华菱湘潭钢铁有限公司")
FINANCE = ("购置数控机床", "测试农村商业银行", "获批", "300 万元", "年利率 3.80%")


@pytest.fixture
def known(world):  # type: ignore[no-untyped-def]
    mm = _matchmaking_objects(world)
    fin = _finance_objects(world)
    finance.answer(
        world.users["bank"],
        world.park,
        fin["referral_id"],
        finance.Answer(True, approved_amount_wan="300", rate_pct="3.8", term_months=24),
    )
    return mm | fin


def _page(world, who: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users[who])
    r = c.get(f"/profiles/{world.enterprise.pk}/")
    return r.status_code, r.content.decode()


@pytest.mark.parametrize("who", ["dispatcher", "admin", "leader", "liaison"])
def test_park_wide_roles_and_the_liaison_see_the_market_and_the_financing(world, known, who):
    status, body = _page(world, who)
    assert status == 200
    for text in MARKET + FINANCE:
        assert text in body, text
    assert "已签约" in body and "360" in body


@pytest.mark.parametrize("who", ["handler", "head"])
def test_departments_see_the_market_but_no_financing_need(world, known, who):
    status, body = _page(world, who)
    assert status == 200
    for text in MARKET:
        assert text in body, text
    for text in FINANCE:
        assert text not in body, text
    assert "没有可查看的融资需求" in body


def test_another_liaison_sees_no_financing_need_of_an_enterprise_it_does_not_serve(world, known):
    status, body = _page(world, "liaison2")
    assert status == 200 and "数控车床主轴" in body and "购置数控机床" not in body


def test_only_signed_orders_are_listed(world, known):
    from matchmaking import services as mm
    from matchmaking.models import MatchEvent

    event = MatchEvent.objects.get(pk=known["mm_event_id"])
    mm.record_order(
        world.users["dispatcher"],
        event,
        mm.OrderInput(
            enterprise_id=world.enterprise.pk,
            side="buyer",
            subject="轴承钢意向采购",
            amount_wan="50",
            status="intent",
            counterparty_name="湘潭轴承厂",
        ),
    )
    _, body = _page(world, "dispatcher")
    assert "铸铁件年度采购" in body and "轴承钢意向采购" not in body


def test_a_bank_user_sees_nothing_of_the_page(world, known):
    status, body = _page(world, "bank")
    assert status == 403
    for text in (world.enterprise.name, *MARKET, *FINANCE):
        assert text not in body, text
