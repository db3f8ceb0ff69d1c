"""The assignment engine wired to the database: a demo-sized park is fully covered within the
rules in under two seconds, the result is optimal, applying writes history, and re-planning after
people leave changes only what must change."""

from __future__ import annotations

import itertools
import time
from collections import Counter

import pytest

from entities.models import MarketEntity
from liaisons import services
from liaisons.models import Change, LiaisonAssignment, Plan, PlanStatus
from liaisons.tests.factories import build_demo_park
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidState


def _configure(demo) -> None:  # type: ignore[no-untyped-def]
    rules = services.rules_for(demo.park)
    rules.department_industries = {str(k): v for k, v in demo.dept_industries.items() if v}
    rules.save()


def assert_rules_hold(park: Park) -> None:
    """Every hard rule, checked on the rows (not on the solver's own report)."""
    rules = services.rules_for(park)
    allowed = {int(t): set(r) for t, r in rules.allowed_ranks.items()}
    b_allowed = {int(t): set(r) for t, r in rules.backup_allowed_ranks.items()}
    caps = {int(r): c for r, c in rules.capacity_by_rank.items()}
    b_caps = {int(r): c for r, c in rules.backup_capacity_by_rank.items()}
    eligible = set(services.eligible_staff(park, rules).values_list("pk", flat=True))
    people = {u.pk: u for u in User.objects.filter(park=park)}
    ents = list(MarketEntity.objects.filter(park=park, is_active=True))
    assert ents and all(e.liaison_id for e in ents), "an entity has no liaison"
    load = Counter(e.liaison_id for e in ents)
    b_load = Counter(e.backup_liaison_id for e in ents if e.backup_liaison_id)
    for e in ents:
        lia = people[e.liaison_id]
        assert lia.pk in eligible and lia.is_active
        assert lia.rank in allowed[e.tier], (e.tier, lia.rank)
        if e.backup_liaison_id:
            b = people[e.backup_liaison_id]
            assert b.pk != lia.pk and b.pk in eligible
            assert b.rank in b_allowed[e.tier]
    for pk, n in load.items():
        assert n <= caps[people[pk].rank]
    for pk, n in b_load.items():
        assert n <= b_caps[people[pk].rank]


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_park_is_fully_covered_within_the_rules_in_under_two_seconds() -> None:
    demo = build_demo_park()
    _configure(demo)
    assert len(demo.entities) == 1200 and len(demo.staff) == 500

    started = time.perf_counter()
    plan = services.plan_assignment(demo.park, demo.dispatcher)
    planned = time.perf_counter()
    result = services.apply_plan(plan, demo.dispatcher)
    elapsed = time.perf_counter() - started

    timing = f"plan {planned - started:.2f}s + apply {elapsed - planned + started:.2f}s"
    print(f"demo park (1,200 entities, 500 staff): {timing}")
    assert elapsed < 2.0, timing
    plan.refresh_from_db()
    assert plan.coverage == 1.0 and plan.status == PlanStatus.APPLIED
    assert plan.backup_coverage == 1.0
    assert plan.objective <= plan.greedy_objective
    assert result.changed == 1200 and plan.new == 1200
    assert_rules_hold(demo.park)
    assert LiaisonAssignment.objects.filter(park=demo.park, end__isnull=True).count() == 1200
    # Leaders take the key enterprises ("主要领导带头").
    assert not MarketEntity.objects.filter(park=demo.park, tier=1).exclude(liaison__rank=1).exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_removing_ten_percent_of_staff_moves_only_their_entities() -> None:
    demo = build_demo_park(seed=11)
    _configure(demo)
    services.assign_all(demo.park)
    before = {
        e.pk: (e.liaison_id, e.backup_liaison_id)
        for e in MarketEntity.objects.filter(park=demo.park)
    }
    leaving = demo.staff[3::10]  # 50 people, every rank represented
    assert len(leaving) == 50
    gone = {p.pk for p in leaving}

    records = services.handover_many(
        leaving, demo.dispatcher, "机构调整，调离园区", deactivate=True
    )

    assert len(records) == 50
    after = {
        e.pk: (e.liaison_id, e.backup_liaison_id)
        for e in MarketEntity.objects.filter(park=demo.park)
    }
    for pk, (lia, bak) in before.items():
        new_lia, new_bak = after[pk]
        if lia not in gone:
            assert new_lia == lia, "a pair whose liaison stayed was moved"
        else:
            assert new_lia not in gone
        if bak not in gone and new_lia != bak:
            assert new_bak == bak, "a B角 who stayed was replaced"
    assert not User.objects.filter(pk__in=gone, is_active=True).exists()
    assert_rules_hold(demo.park)
    moved = [pk for pk in before if before[pk][0] in gone]
    rows = LiaisonAssignment.objects.filter(entity_id__in=moved, end__isnull=True)
    assert rows.count() == len(moved)
    assert all("机构调整，调离园区" in r.reason and r.handover_id for r in rows)

    # A fresh re-balance afterwards proposes no change at all: nothing else needs to move.
    plan = services.plan_assignment(demo.park, demo.dispatcher)
    assert plan.coverage == 1.0
    assert plan.kept == 1200 and plan.moved == plan.new == plan.orphaned == 0
    assert plan.backup_changed == 0


# ----------------------------------------------------------------- optimality on a small park


def _small_park() -> tuple[Park, User, list[MarketEntity], list[User]]:
    park = Park.objects.create(name="小园区", short_name="小", code="small")
    d1 = Department.objects.create(park=park, name="经济发展局", code="econ")
    d2 = Department.objects.create(park=park, name="商务局", code="trade")
    disp = User.objects.create(
        username="s-disp", role=Role.DISPATCHER, park=park, rank=3, department=d1
    )
    staff = [
        User.objects.create(username="s-lead", role=Role.LEADER, park=park, rank=1),
        User.objects.create(
            username="s-head", role=Role.DEPARTMENT_HEAD, park=park, rank=2, department=d1
        ),
        User.objects.create(username="s-l1", role=Role.LIAISON, park=park, rank=3, department=d1),
        User.objects.create(username="s-l2", role=Role.LIAISON, park=park, rank=3, department=d2),
    ]
    rules = services.rules_for(park)
    rules.eligible_roles = ["leader", "department_head", "liaison"]
    rules.capacity_by_rank = {"1": 2, "2": 3, "3": 2}
    rules.department_industries = {str(d1.pk): "C", str(d2.pk): "F,H"}
    rules.backup = False
    rules.save()
    specs = [
        ("above_scale", 1, "39"),
        ("above_scale", 2, "34"),
        ("project", 2, "47"),
        ("below_scale", 3, "51"),
        ("shop", 3, "62"),
        ("below_scale", 3, "33"),
    ]
    ents = [
        MarketEntity.objects.create(park=park, name=f"企业{i}", kind=k, tier=t, industry=ind)
        for i, (k, t, ind) in enumerate(specs)
    ]
    # One existing pair, to make stability part of the objective.
    ents[3].liaison = staff[2]
    ents[3].save()
    return park, disp, ents, staff


def _brute_force(ents: list[MarketEntity], staff: list[User], park: Park) -> int:
    """The documented objective, written out again and minimised by enumeration."""
    rules = services.rules_for(park)
    allowed = {int(t): set(r) for t, r in rules.allowed_ranks.items()}
    caps = {int(r): c for r, c in rules.capacity_by_rank.items()}
    knows = {
        u.pk: set(
            services.parse_industries(rules.department_industries.get(str(u.department_id), ""))
        )
        for u in staff
    }
    section = {"39": "C", "34": "C", "33": "C", "47": "E", "51": "F", "62": "H"}
    best = None
    options = [[u for u in staff if u.rank in allowed[e.tier]] for e in ents]
    for combo in itertools.product(*options):
        load = Counter(u.pk for u in combo)
        if any(n > caps[u.rank] for u in combo for n in [load[u.pk]]):
            continue
        cost = sum(rules.load_weight * n * n for n in load.values())
        for e, u in zip(ents, combo, strict=True):
            if section[e.industry] not in knows[u.pk]:
                cost += rules.industry_weight
            cost += rules.seniority_weight * (max(allowed[e.tier]) - u.rank)
            if e.liaison_id is not None and e.liaison_id != u.pk:
                cost += rules.change_weight
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


@pytest.mark.django_db
def test_plan_is_optimal_against_exhaustive_search() -> None:
    park, disp, ents, staff = _small_park()
    plan = services.plan_assignment(park, disp)
    assert plan.coverage == 1.0
    assert plan.objective == _brute_force(ents, staff, park)
    assert plan.items.get(entity=ents[3]).change == Change.KEPT


@pytest.mark.django_db
def test_each_pair_has_a_chinese_reason() -> None:
    park, disp, ents, _ = _small_park()
    plan = services.plan_assignment(park, disp)
    reasons = dict(plan.items.values_list("entity_id", "reason"))
    assert "保持原服务关系" in reasons[ents[3].pk]
    assert "重点企业由园区领导带头联系" in reasons[ents[0].pk]
    assert all("负荷均衡" in r for r in reasons.values())


@pytest.mark.django_db
def test_a_stale_plan_is_refused_and_nothing_changes() -> None:
    park, disp, ents, staff = _small_park()
    plan = services.plan_assignment(park, disp)
    MarketEntity.objects.create(park=park, name="新入园企业", kind="shop", tier=3, industry="52")
    with pytest.raises(InvalidState):
        services.apply_plan(plan, disp)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.STALE
    assert MarketEntity.objects.filter(park=park, liaison__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_plan_cannot_be_applied_twice() -> None:
    park, disp, *_ = _small_park()
    plan = services.plan_assignment(park, disp)
    services.apply_plan(plan, disp)
    with pytest.raises(InvalidState):
        services.apply_plan(plan, disp)


@pytest.mark.django_db
def test_shortage_names_the_tier_that_lacks_capacity() -> None:
    park, disp, ents, staff = _small_park()
    for i in range(3):
        MarketEntity.objects.create(
            park=park, name=f"重点{i}", kind="above_scale", tier=1, industry="39"
        )
    with pytest.raises(services.ShortageError) as err:
        services.plan_assignment(park, disp)
    assert "第1层级" in str(err.value) and err.value.shortages


@pytest.mark.django_db
def test_new_entities_join_without_moving_existing_pairs() -> None:
    park, disp, ents, staff = _small_park()
    services.assign_all(park, disp)
    before = dict(MarketEntity.objects.filter(park=park).values_list("pk", "liaison_id"))
    new = MarketEntity.objects.create(
        park=park, name="新入园门店", kind="shop", tier=3, industry="62"
    )
    plan = services.plan_assignment(park, disp)
    assert plan.new == 1 and plan.moved == 0 and plan.kept == len(before)
    services.apply_plan(plan, disp)
    after = dict(MarketEntity.objects.filter(park=park).values_list("pk", "liaison_id"))
    assert all(after[pk] == lid for pk, lid in before.items())
    assert after[new.pk] is not None


@pytest.mark.django_db
def test_only_dispatcher_or_admin_may_plan(world) -> None:  # type: ignore[no-untyped-def]
    for who in ("handler", "enterprise", "leader", "liaison", "head"):
        with pytest.raises(Forbidden):
            services.plan_assignment(world.park, world.users[who])
    with pytest.raises(Forbidden):
        services.plan_assignment(world.park, world.other_users["dispatcher"])
