"""The engine against hand-computed lists; bad rules refused with Chinese messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from policies import rules, services
from policies.models import Policy, PolicyEvent
from policies.tests.conftest import year
from qinshang.errors import InvalidInput

pytestmark = pytest.mark.django_db

RULES = [
    {"field": "section", "op": "in", "value": ["C"]},
    {"field": "size_class", "op": "in", "value": ["small", "micro"]},
    {"field": "employees", "op": "gte", "value": 20},
    {"field": "certification", "op": "has", "value": ["high_tech", "tech_sme"]},
]


def make(world, track="auto", rules_=None, **kw):
    today = timezone.localdate()
    data = services.PolicyInput(
        title=kw.pop("title", "科技型小微企业研发奖励"),
        track=track,
        starts_on=(today - dt.timedelta(days=30)).isoformat(),
        rules=RULES if rules_ is None else rules_,
        benefit_amount_wan=kw.pop("amount", "5"),
        status="published",
        **kw,
    )
    return services.create_policy(world.users["dispatcher"], world.park, data)


def test_eligible_list_is_the_hand_computed_one(world, fixture_park):
    policy = make(world)
    got = services.eligible(world.users["dispatcher"], world.park, policy)
    # 甲: small, C39, 80 people, 高新. 庚: small, C36, exactly 20 people, 科技型 valid.
    # 乙 medium; 丙 批发 (F); 丁 10 people; 戊 no certification; 己 certification expired;
    # the scene's two enterprises have no figures and no size class.
    assert sorted(a.entity.name for a in got) == ["湘潭庚汽配有限公司", "湘潭甲精密有限公司"]
    by_name = {
        a.entity.name: a for a in services.assess_all(world.users["dispatcher"], world.park, policy)
    }
    failed = {n: [o.rule.field for o in a.failed] for n, a in by_name.items()}
    assert failed["湘潭乙电子有限公司"] == ["size_class"]
    assert failed["湘潭丙商贸有限公司"] == ["section"]
    assert failed["湘潭丁五金有限公司"] == ["employees"]
    assert failed["湘潭戊医疗有限公司"] == ["certification"]
    assert failed["湘潭己机械有限公司"] == ["certification"]
    assert set(failed[world.enterprise.name]) == {"size_class", "employees", "certification"}
    reasons = by_name["湘潭庚汽配有限公司"].reasons()
    assert "✓ 从业人员 ≥ 20 人：20 人" in reasons
    assert any(
        r.startswith("✗ 企业规模属于小型或微型：中型")
        for r in by_name["湘潭乙电子有限公司"].reasons()
    )
    assert "档案中缺少该项数据" in by_name[world.enterprise.name].reasons()[2]


def test_not_in_and_text_and_tier_rules(world, fixture_park):
    policy = make(
        world,
        rules_=[
            {"field": "industry", "op": "not_in", "value": ["39"]},
            {"field": "tier", "op": "in", "value": ["3"]},
            {"field": "employees", "op": "between", "value": [20, 30]},
        ],
    )
    got = {a.entity.name for a in services.eligible(world.users["dispatcher"], world.park, policy)}
    assert got == {
        "湘潭丙商贸有限公司",
        "湘潭戊医疗有限公司",
        "湘潭己机械有限公司",
        "湘潭庚汽配有限公司",
    }


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ([{"field": "revenue", "op": "gte", "value": 1}], "字段“revenue”不存在"),
        ([{"field": "employees", "op": "in", "value": [1]}], "不能用运算“in”"),
        ([{"field": "employees", "op": "gte", "value": -5}], "不能为负数"),
        ([{"field": "employees", "op": "lt", "value": 0}], "永远不能满足"),
        ([{"field": "employees", "op": "between", "value": [50, 10]}], "下限 50 大于上限 10"),
        (
            [
                {"field": "employees", "op": "gte", "value": 100},
                {"field": "employees", "op": "lt", "value": 50},
            ],
            "从业人员的条件互相矛盾",
        ),
        (
            [
                {"field": "employees", "op": "gte", "value": 50},
                {"field": "employees", "op": "lt", "value": 50},
            ],
            "互相矛盾",
        ),
        (
            [
                {"field": "size_class", "op": "in", "value": ["small"]},
                {"field": "size_class", "op": "in", "value": ["large"]},
            ],
            "企业规模的条件互相矛盾",
        ),
        (
            [
                {"field": "certification", "op": "has", "value": ["high_tech"]},
                {"field": "certification", "op": "not_has", "value": ["high_tech"]},
            ],
            "既要求持有又要求未持有",
        ),
        ([{"field": "size_class", "op": "in", "value": ["huge"]}], "没有取值“huge”"),
        ([{"field": "size_class", "op": "in", "value": []}], "至少一个取值"),
        ("employees>=1", "条件列表"),
    ],
)
def test_a_bad_rule_is_refused_in_chinese_and_nothing_changes(world, bad, words):
    before = (Policy.objects.count(), PolicyEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        make(world, rules_=bad)
    assert words in exc.value.message, exc.value.message
    assert (Policy.objects.count(), PolicyEvent.objects.count()) == before


def test_a_bad_rule_in_an_edit_leaves_the_policy_as_it_was(world):
    policy = make(world)
    data = services.PolicyInput(
        title="改",
        track="auto",
        starts_on=policy.starts_on,
        rules=[{"field": "x", "op": "in", "value": 1}],
        benefit_amount_wan="5",
    )
    with pytest.raises(InvalidInput):
        services.update_policy(world.users["dispatcher"], policy, data)
    policy.refresh_from_db()
    assert policy.title == "科技型小微企业研发奖励" and len(policy.rules) == 4


def test_labels_are_accepted_for_values(world):
    parsed = rules.check_rules([{"field": "size_class", "op": "in", "value": ["小型", "微型"]}])
    assert parsed[0].value == ["small", "micro"]


def test_negative_or_missing_benefit_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        make(world, amount="-3")
    assert "不能为负数" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        make(world, benefit_kind="computed", amount=None, benefit_formula="nope")
    assert "计算公式“nope”不存在" in exc.value.message
    assert Policy.objects.count() == 0


def test_year_is_last_year_unless_set(world):
    policy = make(world)
    assert services.policy_year(policy) == year()
