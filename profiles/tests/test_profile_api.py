"""GET /api/v1/profiles/{id}: the 一企一档's sections in the API, each scoped as the page scopes
it — market to the park's staff, financing (needs, answers, 放款) to the park-wide roles and the
enterprise's own liaison, policies by policies.access; an enterprise account is refused, as on the page;
a bank user gets 403."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from finance import services as finance
from policies import services as policies
from qinshang.tests.scene import _finance_objects, _matchmaking_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(world):  # type: ignore[no-untyped-def]
    mm = _matchmaking_objects(world)
    fin = _finance_objects(world)
    bank = world.users["bank"]
    finance.answer(
        bank,
        world.park,
        fin["referral_id"],
        finance.Answer(True, approved_amount_wan="300", rate_pct="3.8", term_months=24),
    )
    finance.record_disbursement(
        bank,
        world.park,
        fin["referral_id"],
        finance.NewDisbursement("120", timezone.localdate(), 24, "3.8"),
    )
    voided = finance.record_disbursement(
        bank,
        world.park,
        fin["referral_id"],
        finance.NewDisbursement("30", timezone.localdate(), 24, "3.8"),
    )
    finance.void_disbursement(bank, world.park, voided.pk, "重复登记")
    disp = world.users["dispatcher"]
    start = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    claim = policies.create_policy(
        disp,
        world.park,
        policies.PolicyInput(
            "技改补助", "apply", start, benefit_amount_wan="8", status="published"
        ),
    )
    auto = policies.create_policy(
        disp,
        world.park,
        policies.PolicyInput("稳岗奖励", "auto", start, benefit_amount_wan="2", status="published"),
    )
    policies.propose_grants(disp, world.park, auto)
    policies.scan_unclaimed(world.park)
    return mm | fin | {"claim": claim.pk, "auto": auto.pk}


def _get(world, who: str, entity=None):  # type: ignore[no-untyped-def]
    entity = entity or world.enterprise
    return world.client(who).get(f"/profiles/{entity.pk}")


@pytest.mark.parametrize("who", ["dispatcher", "admin", "leader", "liaison"])
def test_park_wide_roles_and_the_liaison_get_every_section(world, known, who):
    r = _get(world, who)
    assert r.status_code == 200, r.content
    p = r.json()
    assert [x["name"] for x in p["products"]] == ["数控车床主轴"]
    assert [x["title"] for x in p["purchasing_needs"]] == ["铸铁件"]
    (order,) = p["signed_orders"]
    assert order["status"] == "signed" and Decimal(order["amount_wan"]) == 360
    (need,) = p["financing"]
    assert need["purpose"] == "购置数控机床"
    (answer,) = need["answers"]
    assert answer["status"] == "approved" and answer["institution"] == "测试农村商业银行"
    assert [(Decimal(x["amount_wan"]), x["voided"]) for x in answer["disbursements"]] == [
        (Decimal(120), False),
        (Decimal(30), True),
    ]
    loans = p["loans"]
    assert loans["label"] == "已放款（贷款发放）"
    assert (loans["count"], Decimal(loans["amount_wan"])) == (1, Decimal(120))
    assert (loans["approved_count"], Decimal(loans["approved_amount_wan"])) == (1, Decimal(300))
    assert [g["policy"] for g in p["policies"]["granted"]] == ["稳岗奖励"]
    assert p["policies"]["granted"][0]["track"] == "auto"
    assert [u["policy"] for u in p["policies"]["unclaimed"]] == ["技改补助"]
    assert p["size"]["label"] == p["size_class_label"] and "rule" in p["size"]


@pytest.mark.parametrize("who", ["handler", "head"])
def test_departments_get_the_market_but_no_financing(world, known, who):
    p = _get(world, who).json()
    assert [x["name"] for x in p["products"]] == ["数控车床主轴"]
    assert p["financing"] == [] and p["loans"]["count"] == 0 and p["loans"]["rows"] == []
    assert p["loans"]["approved_count"] == 0


def test_another_liaison_gets_no_financing_of_an_enterprise_it_does_not_serve(world, known):
    p = _get(world, "liaison2").json()
    assert p["products"] and p["financing"] == [] and p["loans"]["count"] == 0
    assert p["policies"]["unclaimed"] == []  # the task is the entity's own liaison's


def test_an_enterprise_gets_403_even_for_its_own_dossier(world, known):
    # the dossier is the park's working file (liaison notes, 一企一策): staff only, as the page
    for entity in (world.enterprise, world.enterprise2):
        r = _get(world, "enterprise", entity)
        assert r.status_code == 403
        assert "购置数控机床" not in r.content.decode() and "数控车床主轴" not in r.content.decode()


def test_a_bank_user_gets_403_and_nothing_of_the_dossier(world, known):
    r = _get(world, "bank")
    assert r.status_code == 403
    body = r.content.decode()
    for text in (world.enterprise.name, "数控车床主轴", "购置数控机床", "稳岗奖励"):
        assert text not in body


def test_a_resident_and_another_parks_staff_get_nothing(world, known):
    assert _get(world, "resident").status_code == 403
    r = world.client("dispatcher", other=True).get(f"/profiles/{world.enterprise.pk}")
    assert r.status_code in (403, 404)
