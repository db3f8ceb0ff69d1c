"""The 3 % local-procurement subsidy: ¥30万 threshold (included), 首次 only, explained."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from entities import profile, purchases
from entities.models import EntityKind, MarketEntity, Purchase
from policies import services
from policies.formulas import local_procurement_3pct
from policies.tests.conftest import year
from qinshang.errors import InvalidInput
from qinshang.validators import make_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(world):
    disp = world.users["dispatcher"]
    s = MarketEntity.objects.create(
        park=world.park,
        name="湘潭新材科技有限公司",
        credit_code=make_credit_code(random.Random(3)),
        kind=EntityKind.ABOVE_SCALE,
        industry="30",
    )
    profile.add_certification(
        disp, s, profile.CertificationInput("high_tech", "2020-01-01", None, number="GR2020")
    )
    return s


def buy(world, supplier, amount, y=None, **kw):
    buyer = kw.pop("buyer", world.enterprise)
    return purchases.record_purchase(
        world.users["dispatcher"],
        buyer,
        purchases.PurchaseInput(
            amount_wan=amount,
            purchased_on=dt.date(y or year(), 6, 1).isoformat(),
            supplier_id=supplier.pk if supplier else None,
            **kw,
        ),
    )


def facts(world):
    e = MarketEntity.objects.prefetch_related("figures", "certifications", "purchases").get(
        pk=world.enterprise.pk
    )
    return profile.entity_facts(e)


def subsidy_policy(world):
    today = timezone.localdate()
    return services.create_policy(
        world.users["dispatcher"],
        world.park,
        services.PolicyInput(
            title="本地采购补助",
            track="fast",
            starts_on=(today - dt.timedelta(days=10)).isoformat(),
            benefit_kind="computed",
            benefit_formula="local_procurement_3pct",
            status="published",
        ),
    )


def test_exactly_30_wan_qualifies_for_3_percent(world, supplier):
    p = buy(world, supplier, "18")
    assert p.local_sei and "高新技术企业" in p.local_sei_basis
    buy(world, supplier, "12.00")
    c = local_procurement_3pct(facts(world), year())
    assert c.qualifies and c.amount_wan == Decimal("0.90")
    assert "30 万元 × 3% = 0.9 万元" in c.lines[-1]


def test_below_30_wan_does_not_and_says_how_much_is_missing(world, supplier):
    buy(world, supplier, "29.99")
    c = local_procurement_3pct(facts(world), year())
    assert not c.qualifies and c.amount_wan is None
    assert "还差 0.01 万元" in c.lines[-1]
    a = services.assess(subsidy_policy(world), world.enterprise)
    assert not a.qualifies and any("还差 0.01 万元" in r for r in a.reasons())


def test_above_30_wan_counts_only_local_strategic_emerging_suppliers(world, supplier):
    buy(world, supplier, "45")
    # A firm outside the park with no stated basis is no local 战略性新兴产业 firm.
    outsider = buy(
        world,
        None,
        "100",
        supplier_name="长沙某贸易公司",
        supplier_credit_code=make_credit_code(random.Random(9)),
    )
    assert not outsider.local_sei
    c = local_procurement_3pct(facts(world), year())
    assert c.qualifies and c.amount_wan == Decimal("1.35")
    assert "全部登记采购 145 万元" in c.lines[0]
    app = services.apply(world.users["enterprise"], subsidy_policy(world), world.enterprise)
    assert app.amount_wan == Decimal("1.35") and app.payout_deadline is not None


def test_a_second_year_reaching_30_wan_gets_nothing(world, supplier):
    buy(world, supplier, "31", y=year() - 1)
    buy(world, supplier, "80", y=year())
    c = local_procurement_3pct(facts(world), year())
    assert not c.qualifies
    assert f"已于 {year() - 1} 年度首次达到 30 万元" in c.lines[-1]
    # The first year itself did qualify.
    assert local_procurement_3pct(facts(world), year() - 1).amount_wan == Decimal("0.93")


def test_voided_purchases_do_not_count(world, supplier):
    p = buy(world, supplier, "30")
    purchases.void_purchase(world.users["dispatcher"], p, "合同解除")
    assert not local_procurement_3pct(facts(world), year()).qualifies


def test_bad_purchases_are_refused_and_nothing_is_written(world, supplier):
    for amount, words in (("-5", "不能为负数"), ("0", "必须大于 0"), ("abc", "必须是数字")):
        with pytest.raises(InvalidInput) as exc:
            buy(world, supplier, amount)
        assert words in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        buy(world, None, "5", supplier_name="外地公司")
    assert "统一社会信用代码" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        buy(
            world,
            None,
            "5",
            supplier_name="外地公司",
            supplier_credit_code="91430300MA4L000000",
            local_sei=True,
        )
    with pytest.raises(InvalidInput) as exc:
        buy(world, supplier, "5", buyer=supplier)
    assert "同一家企业" in exc.value.message
    assert Purchase.objects.count() == 0


def test_a_replayed_order_records_one_purchase(world, supplier):
    a = purchases.record_purchase(
        None,
        world.enterprise,
        purchases.PurchaseInput(
            "12",
            dt.date(year(), 3, 1),
            supplier_id=supplier.pk,
            source="order",
            source_ref="market.order:7",
        ),
    )
    b = purchases.record_purchase(
        None,
        world.enterprise,
        purchases.PurchaseInput(
            "12",
            dt.date(year(), 3, 1),
            supplier_id=supplier.pk,
            source="order",
            source_ref="market.order:7",
        ),
    )
    assert a.pk == b.pk and Purchase.objects.count() == 1
