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


# --------------------------------------------------------------------------- every kind of word

from django.db.models import Q  # noqa: E402

from demands import search  # noqa: E402
from entities.models import Contact  # noqa: E402


def unindexed(term: str) -> Q:
    """The ledger search word without the index (a join to the enterprise, LIKE on every
    column), as it was before it, plus landlines as kept: the index must find exactly this."""
    up = term.upper()
    if up.startswith("QS-"):
        return Q(number__startswith=up)
    if len(up) == 18 and up.isalnum():
        return Q(enterprise__credit_code=up) | Q(title__icontains=term)
    cond = (
        Q(title__icontains=term)
        | Q(description__icontains=term)
        | Q(enterprise__name__icontains=term)
        | Q(requester_name__icontains=term)
    )
    if any(ch.isdigit() for ch in term):
        digits = term.replace("-", "")
        cond |= Q(number__icontains=term) | Q(enterprise__credit_code__icontains=up)
        if digits.isdigit() and len(digits) >= 4:
            callers = Contact.objects.filter(
                Q(phone__contains=digits) | Q(phone__contains=term)
            ).values("entity_id")
            cond |= Q(requester_phone__contains=digits) | Q(enterprise_id__in=callers)
            cond |= Q(requester_phone__contains=term)  # a landline as it is kept
    return cond


@pytest.fixture
def many(world, two):
    c = world.client("dispatcher")
    more = [
        new_demand(
            c,
            world.enterprise.pk,
            title="ABC 型号设备报关咨询",
            description="进口 XRay-200 检测仪，报关资料不全。",
            requester_name="欧阳晓明",
            requester_phone="0731-88886666",
        ),
        new_demand(
            c,
            world.enterprise2.pk,
            title="招工难",
            description="急需焊工 20 名，电工 5 名。水电费用另议。",
            requester_name="李四",
            requester_phone="18900001234",
        ),
    ]
    return [*two, *(Demand.objects.get(pk=m["id"]) for m in more)]


def test_each_kind_of_word_finds_its_demand_and_no_other(world, many):
    a, b, c, d = many
    assert found(world, "欧阳晓") == {c.number}  # requester's name, part
    assert found(world, "xray") == {c.number}  # Latin letters, any case
    assert found(world, "abc") == {c.number}
    assert found(world, "焊工") == {d.number}  # a word of the description
    assert found(world, "招工") == {d.number}  # of the title
    assert found(world, "88886666") == {c.number}  # a landline without its area code
    assert found(world, "0731-8888") == {c.number}  # as kept, with its dash
    assert found(world, "0731-88886666") == {c.number}
    assert found(world, "0000123") == {d.number}  # inside a mobile
    assert found(world, "水") == {a.number, d.number}  # one character: no pair, still found
    assert found(world, "贷款 机床") == {b.number}  # two words, in any order
    assert found(world, "机床 贷款") == {b.number}
    code = world.enterprise2.credit_code
    assert found(world, code[3:11]) >= {b.number}  # part of a credit code
    assert found(world, world.enterprise2.name[-4:]) >= {b.number, d.number}


def test_the_index_finds_exactly_what_the_unindexed_search_finds(world, many):
    texts = [
        t
        for x in many
        for t in (x.title, x.description, x.requester_name, x.requester_phone, x.number)
    ]
    texts += [world.enterprise.name, world.enterprise2.name, world.enterprise2.credit_code]
    terms = {"不存在", "x", "QS-", "-", "20", "2名", "名，电", "RAY-2", "设备报关咨询进口"}
    for t in texts:
        for n in (1, 2, 3, 5):
            terms.update(t[i : i + n].strip() for i in range(0, max(1, len(t) - n + 1), 3))
    # Whole phones and their last digits: on PostgreSQL a word of digits asks for its runs of 4.
    phones = [x.requester_phone for x in many if x.requester_phone]
    terms.update(p for ph in phones for p in (ph, ph[-4:], ph[-5:], ph[2:9]))
    qs = access.visible_demands(world.users["dispatcher"], world.park)
    for term in sorted(t for t in terms if t and " " not in t):
        want = set(qs.filter(unindexed(term)).values_list("number", flat=True))
        assert found(world, term) == want, term


def test_the_index_narrows_to_the_demands_holding_the_words_pairs(world, many):
    a, b, c, d = many
    hits = set(Demand.objects.filter(search.candidates("漏水")).values_list("pk", flat=True))
    assert a.pk in hits and b.pk not in hits and d.pk not in hits
    assert not search.usable("水") and search.usable("漏水")


def test_the_index_follows_edits_and_bulk_writes(world, many):
    a, b, c, d = many
    Demand.objects.filter(pk=a.pk).update(title="屋面防水层老化", description="请协助")
    assert found(world, "防水层") == {a.number}
    assert a.number not in found(world, "车间")
    copy = Demand.objects.get(pk=b.pk)
    copy.pk, copy.number, copy.title = None, "QS-T-9999001", "批量导入的仓储物流诉求"
    Demand.objects.bulk_create([copy])
    assert found(world, "仓储物流") == {"QS-T-9999001"}


def test_no_word_finds_another_parks_demand_or_one_out_of_scope(world, many):
    a, b, c, d = many
    other = world.other_users["dispatcher"]
    o_qs = access.visible_demands(other, world.other_park)
    for word in ("焊工", "欧阳晓明", "18900001234", "xray", world.enterprise.name[1:4]):
        assert not queries.apply(o_qs, queries.LedgerFilter(q=word)).exists(), word
    # an enterprise sees its own demands only, whatever it searches
    own = access.visible_demands(world.users["enterprise"], world.park)
    assert not queries.apply(own, queries.LedgerFilter(q="焊工")).exists()
    assert not queries.apply(own, queries.LedgerFilter(q="18900001234")).exists()
    got = set(queries.apply(own, queries.LedgerFilter(q="报关")).values_list("pk", flat=True))
    assert got == {c.pk}


def test_a_number_prefix_in_any_case(world, many):
    a, b, c, d = many
    assert found(world, a.number.lower()) == {a.number}
    assert found(world, a.number[:-1]) >= {a.number}
    assert found(world, "QS-1999-") == set()


def test_entity_lookups_are_unordered_and_a_filter_check_reads_nothing(world, two):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from demands import saved

    with CaptureQueriesContext(connection) as ctx:
        queries.term_condition("13907321234")
        queries.term_condition("恒远")
    assert ctx.captured_queries
    assert not [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"]]
    with CaptureQueriesContext(connection) as ctx:
        assert saved.clean_query("q=恒远&status=open") == "q=%E6%81%92%E8%BF%9C&status=open"
    assert not ctx.captured_queries
