"""Ledger search as the hotline uses it: the caller gives a phone number, a credit code, part of
a company name or of a demand number, or two words with a space between them."""

import pytest

from demands import access, queries
from demands.models import Demand
from demands.tests.helpers import new_demand

pytestmark = pytest.mark.django_db


def found(world, q: str) -> set[str]:
    qs = access.visible_demands(world.users["dispatcher"], world.park)
    return set(queries.apply(qs, queries.LedgerFilter(q=q)).values_list("number", flat=True))


@pytest.fixture
def two(world):
    c = world.client("dispatcher")
    a = new_demand(
        c,
        world.enterprise.pk,
        title="厂房屋面漏水需要维修",
        description="雨季车间漏水严重，影响设备安全。",
    )
    b = new_demand(
        c,
        world.enterprise2.pk,
        title="申请技改贴息贷款",
        description="计划购置数控机床，需要贷款。",
        requester_phone="13755550000",
    )
    return Demand.objects.get(pk=a["id"]), Demand.objects.get(pk=b["id"])


def test_two_words_with_a_space_must_both_match(world, two):
    a, b = two
    assert found(world, "车间 漏水") == {a.number}
    assert found(world, "车间\u3000漏水") == {a.number}
    assert found(world, "车间 贷款") == set()


def test_part_of_a_demand_number(world, two):
    a, b = two
    tail = a.number.split("-")[-1].lstrip("0")
    assert a.number in found(world, tail)
    assert found(world, a.number) == {a.number}


def test_the_callers_phone_number_on_the_demand_or_the_enterprises_contact(world, two):
    a, b = two
    assert found(world, "13755550000") == {b.number}
    assert found(world, "5555") == {b.number}
    contact = world.enterprise.contacts.first()
    assert a.number in found(world, contact.phone)


def test_a_credit_code_and_part_of_the_company_name(world, two):
    a, b = two
    assert found(world, world.enterprise2.credit_code) == {b.number}
    assert found(world, world.enterprise2.credit_code.lower()) == {b.number}
    part = world.enterprise.name[1:4]
    assert a.number in found(world, part)


def test_the_search_stays_in_the_park(world, two):
    outsider = world.other_users["dispatcher"]
    qs = access.visible_demands(outsider, world.other_park)
    assert not queries.apply(qs, queries.LedgerFilter(q="漏水")).exists()
