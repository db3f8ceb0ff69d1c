"""Events from planning to signed orders; bad input gets a Chinese message and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from matchmaking import services
from matchmaking.models import OrderStatus, SlotSeat
from matchmaking.tests.helpers import entity, event, unchanged
from qinshang.errors import Forbidden, InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


def _order(world, ev, **kw):  # type: ignore[no-untyped-def]
    values = {
        "enterprise_id": world.enterprise.pk,
        "side": "buyer",
        "subject": "铸铁件年度采购",
        "amount_wan": "360.50",
        "counterparty_id": world.enterprise2.pk,
        "signed_on": ev.date,
    }
    values.update(kw)
    return services.record_order(world.users["dispatcher"], ev, services.OrderInput(**values))


def _registered(world, ev):  # type: ignore[no-untyped-def]
    for ent in (world.enterprise, world.enterprise2):
        services.register(world.users["dispatcher"], ev, services.RegistrationInput(ent.pk, "both"))


def test_an_event_from_planning_to_a_fulfilled_order(world):
    ev = event(world, industry="34")
    assert services.invite(world.users["dispatcher"], ev, by_target=True) >= 1
    services.register(
        world.users["enterprise"], ev, services.RegistrationInput(world.enterprise.pk, "buyer")
    )
    services.register(
        world.users["enterprise2"], ev, services.RegistrationInput(world.enterprise2.pk, "supplier")
    )
    services.book_slot(
        world.users["dispatcher"],
        ev,
        services.SlotInput(
            starts_at=dt.datetime.combine(ev.date, dt.time(9, 20)),
            table="A1",
            enterprise_ids=[world.enterprise.pk, world.enterprise2.pk],
        ),
    )
    intent = _order(world, ev, status="intent", signed_on=None)
    assert intent.status == OrderStatus.INTENT
    order = services.sign_order(world.users["dispatcher"], intent, ev.date)
    assert order.status == OrderStatus.SIGNED
    facts = services.purchase_facts(order)
    assert facts and facts["buyer_id"] == world.enterprise.pk
    assert facts["supplier_id"] == world.enterprise2.pk
    services.follow_up(world.users["liaison"], order, ev.date, "首批交付", "100")
    services.follow_up(world.users["liaison"], order, ev.date, "全部交付", "260.50")
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED and order.fulfilled_wan == Decimal("360.50")
    figs = services.event_figures(ev)
    assert figs["registrations"] == 2 and figs["slots"] == 1 and figs["signed"] == 1
    assert figs["amount_wan"] == Decimal("360.50")


def test_year_figures_read_like_the_parks_reports(world):
    for i in range(13):
        ev = event(world, theme=f"第{i + 1}场供需对接会")
        _order(world, ev, amount_wan="7692.31", counterparty_id=None, counterparty_name="外地客商")
    bank = event(world, kind="bank", theme="党建银企对接会", chain="")
    ents = [entity(world.park, f"签约企业{i}") for i in range(48)]
    for e in ents:
        _order(
            world,
            bank,
            enterprise_id=e.pk,
            side="borrower",
            counterparty_id=None,
            counterparty_name="建设银行湘潭分行",
            amount_wan="27431.25",
            subject="授信",
        )
    rows = {
        r["kind"]: services.headline(r) for r in services.year_figures(world.park, bank.date.year)
    }
    assert rows["supply"] == "13 场，订单 10.00 亿元"
    assert rows["bank"] == "1 场，48 家签约 131.67 亿元"


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"amount_wan": "-5"}, "金额不能为负数"),
        ({"amount_wan": "0"}, "金额必须大于 0 万元"),
        ({"amount_wan": "abc"}, "金额必须是数字"),
        ({"amount_wan": "1.234"}, "最多保留两位小数"),
        ({"signed_on": "DAY_BEFORE"}, "签约日期不能早于活动日期"),
        ({"counterparty_id": None, "counterparty_name": ""}, "对方单位不能为空"),
        ({"side": "boss"}, "企业身份“boss”无效"),
    ],
)
def test_bad_orders_are_refused_and_change_nothing(world, kw, message):
    ev = event(world, days_ago=3)
    if kw.get("signed_on") == "DAY_BEFORE":
        kw["signed_on"] = ev.date - dt.timedelta(days=1)
    with unchanged(), pytest.raises(InvalidInput) as exc:
        _order(world, ev, **kw)
    assert message in exc.value.message


def test_a_slot_booked_twice_is_refused_in_chinese(world):
    ev = event(world)
    _registered(world, ev)
    at = dt.datetime.combine(ev.date, dt.time(10, 0))
    services.book_slot(
        world.users["dispatcher"],
        ev,
        services.SlotInput(
            starts_at=at,
            table="A1",
            enterprise_ids=[world.enterprise.pk],
            counterparty_name="湘潭大学",
        ),
    )
    with unchanged(), pytest.raises(InvalidState) as exc:
        services.book_slot(
            world.users["dispatcher"],
            ev,
            services.SlotInput(
                starts_at=at, table="B2", enterprise_ids=[world.enterprise2.pk, world.enterprise.pk]
            ),
        )
    assert "已有洽谈安排，不能重复预约" in exc.value.message
    with unchanged(), pytest.raises(InvalidState) as exc:
        services.book_slot(
            world.users["dispatcher"],
            ev,
            services.SlotInput(
                starts_at=at,
                table="A1",
                enterprise_ids=[world.enterprise2.pk],
                counterparty_name="湖南科技大学",
            ),
        )
    assert "已被占用" in exc.value.message


def test_the_database_itself_refuses_a_double_booking(world):
    ev = event(world)
    _registered(world, ev)
    at = timezone.make_aware(dt.datetime.combine(ev.date, dt.time(11, 0)))
    slot = services.book_slot(
        world.users["dispatcher"],
        ev,
        services.SlotInput(
            starts_at=at,
            table="C1",
            enterprise_ids=[world.enterprise.pk],
            counterparty_name="湘潭大学",
        ),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotSeat.objects.create(slot=slot, event=ev, starts_at=at, enterprise=world.enterprise)


def test_slots_need_registered_parties_on_the_event_day(world):
    ev = event(world)
    with unchanged(), pytest.raises(InvalidInput, match="须先报名"):
        services.book_slot(
            world.users["dispatcher"],
            ev,
            services.SlotInput(
                starts_at=dt.datetime.combine(ev.date, dt.time(9)),
                table="A",
                enterprise_ids=[world.enterprise.pk, world.enterprise2.pk],
            ),
        )
    _registered(world, ev)
    with unchanged(), pytest.raises(InvalidInput, match="活动当天"):
        services.book_slot(
            world.users["dispatcher"],
            ev,
            services.SlotInput(
                starts_at=dt.datetime.combine(ev.date + dt.timedelta(1), dt.time(9)),
                table="A",
                enterprise_ids=[world.enterprise.pk, world.enterprise2.pk],
            ),
        )


def test_registration_is_once_and_only_for_ones_own_enterprise(world):
    ev = event(world)
    services.register(
        world.users["enterprise"], ev, services.RegistrationInput(world.enterprise.pk, "buyer")
    )
    with unchanged(), pytest.raises(InvalidState, match="已报名"):
        services.register(
            world.users["enterprise"], ev, services.RegistrationInput(world.enterprise.pk, "buyer")
        )
    with unchanged(), pytest.raises(Forbidden):
        services.register(
            world.users["enterprise"], ev, services.RegistrationInput(world.enterprise2.pk, "buyer")
        )


def test_follow_up_cannot_exceed_the_contract(world):
    ev = event(world)
    order = _order(world, ev, amount_wan="100")
    with unchanged(), pytest.raises(InvalidInput, match="不能超过合同金额"):
        services.follow_up(world.users["dispatcher"], order, ev.date, "交付", "100.01")
    with unchanged(), pytest.raises(InvalidInput, match="不能为负数"):
        services.follow_up(world.users["dispatcher"], order, ev.date, "退货", "-1")


def test_only_managers_plan_events_and_record_orders(world):
    with unchanged(), pytest.raises(Forbidden):
        services.plan_event(
            world.users["handler"],
            world.park,
            services.EventInput(kind="school", theme="校企对接会", date="2026-05-01"),
        )
    ev = event(world)
    with unchanged(), pytest.raises(Forbidden):
        services.record_order(
            world.users["liaison"],
            ev,
            services.OrderInput(
                enterprise_id=world.enterprise.pk, side="buyer", subject="x", amount_wan="1"
            ),
        )


def test_products_are_published_by_the_enterprise_its_liaison_or_the_centre(world):
    data = services.ProductInput(enterprise_id=world.enterprise.pk, name="精密轴承", industry="34")
    for who in ("enterprise", "liaison", "dispatcher"):
        assert services.publish_product(world.users[who], world.park, data).chain_link
    with unchanged(), pytest.raises(Forbidden):
        services.publish_product(world.users["enterprise2"], world.park, data)
    with unchanged(), pytest.raises(InvalidInput, match="行业"):
        services.publish_product(
            world.users["dispatcher"],
            world.park,
            services.ProductInput(enterprise_id=world.enterprise.pk, name="x", industry="99"),
        )


def test_need_period_must_be_ordered(world):
    with unchanged(), pytest.raises(InvalidInput, match="采购期止不能早于采购期起"):
        services.create_need(
            world.users["enterprise"],
            world.park,
            services.NeedInput(
                enterprise_id=world.enterprise.pk,
                title="钢材",
                volume="100 吨",
                period_start="2026-06-01",
                period_end="2026-05-01",
            ),
        )


def _bank(world, name: str = "湘潭农村商业银行", park=None):  # type: ignore[no-untyped-def]
    from finance import services as finance

    park = park or world.park
    users = world.users if park.pk == world.park.pk else world.other_users
    return finance.create_institution(
        users["dispatcher"], park, finance.NewInstitution(name, "bank")
    )


def test_a_bank_signing_links_the_finance_institution_and_shows_on_the_event_page(world):
    bank = _bank(world)
    ev = event(world, kind="bank", theme="党建银企对接会", chain="")
    order = _order(
        world,
        ev,
        side="borrower",
        subject="技改项目授信",
        amount_wan="1000",
        counterparty_id=None,
        institution_id=bank.pk,
    )
    assert order.institution_id == bank.pk and order.counterparty_name == "湘潭农村商业银行"
    assert services.purchase_facts(order) is None  # a loan is no local purchase
    c = Client()
    c.force_login(world.users["dispatcher"])
    html = c.get(f"/matchmaking/events/{ev.pk}/").content.decode()
    assert f'href="/finance/institutions/{bank.pk}/"' in html and "湘潭农村商业银行" in html
    body = world.client("dispatcher").get(f"/matchmaking/orders/{order.pk}").json()
    assert body["institution_id"] == bank.pk and body["counterparty_name"] == "湘潭农村商业银行"


@pytest.mark.parametrize("which", ["other_park", "both", "missing"])
def test_a_counterparty_institution_must_be_the_parks_and_alone(world, which):
    ev = event(world, kind="bank", theme="银企对接会", chain="")
    if which == "other_park":
        kw = {"counterparty_id": None, "institution_id": _bank(world, park=world.other_park).pk}
    elif which == "both":
        kw = {"institution_id": _bank(world).pk}  # and the enterprise counterparty of _order
    else:
        kw = {"counterparty_id": None, "institution_id": 999_999}
    with unchanged(), pytest.raises(InvalidInput) as exc:
        _order(world, ev, side="borrower", **kw)
    assert "金融机构" in exc.value.message


def test_signing_an_intention_before_its_event_or_a_negative_delivery_changes_nothing(world):
    ev = event(world, days_ago=3)
    intent = _order(world, ev, status="intent", signed_on=None)
    with unchanged(), pytest.raises(InvalidInput, match="签约日期不能早于活动日期"):
        services.sign_order(world.users["dispatcher"], intent, ev.date - dt.timedelta(days=1))
    with unchanged(), pytest.raises(InvalidInput, match="金额不能为负数"):
        services.sign_order(world.users["dispatcher"], intent, ev.date, "-10")
    signed = services.sign_order(world.users["dispatcher"], intent, ev.date)
    with unchanged(), pytest.raises(InvalidInput, match="不能为负数"):
        services.follow_up(world.users["liaison"], signed, ev.date, "退货", "-5")
