"""Tests for liaisons.solver (pure Python, no database).

Optimality is checked against solvers that share nothing with the min-cost-flow network:
exhaustive enumeration (tiny instances) and scipy's Hungarian algorithm on an expanded cost
matrix where every staff member becomes one column per capacity slot, the k-th slot costing the
k-th marginal load cost (medium instances).  Because marginal costs are non-decreasing, the
cheapest way to use L slots of a person is slots 1..L, so the matrix optimum is the true one.
"""

from __future__ import annotations

import importlib.util
import itertools
import random
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from liaisons import solver
from liaisons.solver import (
    Entity,
    InfeasibleError,
    Rules,
    Staff,
    assign_backups,
    backup_capacity,
    backup_objective,
    backup_pair_cost,
    check_capacity,
    greedy,
    industry_section,
    is_allowed,
    marginal_load_cost,
    objective,
    pair_cost,
    solve,
    staff_capacity,
)

INDUSTRIES = ["C", "38", "39", "F", "52", "E", "I", ""]
STAFF_INDUSTRIES = ["C", "39", "F", "E", "I"]
DEPARTMENTS = [None, "招商局", "企业服务中心"]
# database=None: failures print their example instead of writing .hypothesis/examples.
HSETTINGS = settings(
    deadline=None, database=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)


# ---------------------------------------------------------------------------- strategies


@st.composite
def instances(
    draw: st.DrawFn, max_entities: int, max_staff: int, max_cap: int = 3
) -> tuple[list[Entity], list[Staff], Rules]:
    n_staff = draw(st.integers(1, max_staff))
    staff = [
        Staff(
            id=100 + i,
            rank=draw(st.integers(1, 3)),
            capacity=draw(st.integers(0, max_cap)),
            industries=frozenset(draw(st.sets(st.sampled_from(STAFF_INDUSTRIES), max_size=2))),
            department=draw(st.sampled_from(DEPARTMENTS)),
            active=draw(st.sampled_from([True, True, True, False])),
            backup_capacity=draw(st.integers(0, max_cap)),
        )
        for i in range(n_staff)
    ]
    ids = [s.id for s in staff] + [999]  # 999: a liaison who left the staff list entirely
    n_entities = draw(st.integers(0, max_entities))
    entities = [
        Entity(
            id=i + 1,
            kind=draw(st.sampled_from(["规上企业", "规下企业", "个体工商户/门店", "在建项目"])),
            tier=draw(st.integers(1, 3)),
            industry=draw(st.sampled_from(INDUSTRIES)),
            current_liaison=draw(st.one_of(st.none(), st.sampled_from(ids))),
            current_backup=draw(st.one_of(st.none(), st.sampled_from(ids))),
        )
        for i in range(n_entities)
    ]
    rules = Rules(
        industry_weight=draw(st.integers(0, 20)),
        load_weight=draw(st.integers(0, 3)),
        change_weight=draw(st.sampled_from([0, 7, 1000])),
        seniority_weight=draw(st.integers(0, 3)),
        department_weight=draw(st.integers(0, 9)),
    )
    return entities, staff, rules


def quiet_solve(entities: list[Entity], staff: list[Staff], rules: Rules) -> solver.Assignment:
    # Random weights often break the stability margin on purpose; that warning is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve(entities, staff, rules)


# ---------------------------------------------------------------------------- references


def brute_force(entities: list[Entity], staff: list[Staff], rules: Rules) -> int | None:
    """Minimum objective over every full, rule-abiding assignment (None if none exists)."""
    options = [[s for s in staff if is_allowed(e, s, rules)] for e in entities]
    by_id = {s.id: s for s in staff}
    best: int | None = None
    for combo in itertools.product(*options):
        loads = Counter(s.id for s in combo)
        if any(n > staff_capacity(by_id[sid], rules) for sid, n in loads.items()):
            continue
        value = objective(
            entities, staff, rules, {e.id: s.id for e, s in zip(entities, combo, strict=True)}
        )
        best = value if best is None else min(best, value)
    return best


def expanded_lsa(
    entities: Sequence[Entity],
    slots: list[tuple[Staff, int]],
    cost: Callable[[Entity, Staff], int],
    allowed: Callable[[Entity, Staff], bool],
    uncovered_penalty: int,
) -> tuple[int, int]:
    """Hungarian algorithm on rows = entities, columns = capacity slots + one "uncovered" dummy
    per entity.  Returns (optimal penalised cost, number of entities left uncovered)."""
    n = len(entities)
    big = 10**12
    matrix = np.full((n, len(slots) + n), big, dtype=np.int64)
    for i, e in enumerate(entities):
        for j, (s, k) in enumerate(slots):
            if allowed(e, s):
                matrix[i, j] = cost(e, s) + k
        matrix[i, len(slots) :] = uncovered_penalty
    rows, cols = linear_sum_assignment(matrix)
    total = int(matrix[rows, cols].sum())
    assert total < big
    return total, int((cols >= len(slots)).sum())


def primary_slots(staff: list[Staff], rules: Rules, extra: int = 0) -> list[tuple[Staff, int]]:
    return [
        (s, marginal_load_cost(s, k, rules))
        for s in staff
        if s.active
        for k in range(1, staff_capacity(s, rules) + extra + 1)
    ]


def assert_valid(entities: list[Entity], staff: list[Staff], rules: Rules, result) -> None:
    by_id = {s.id: s for s in staff}
    assert result.coverage == 1.0 and not result.uncovered
    assert set(result.mapping) == {e.id for e in entities}
    for e in entities:
        assert is_allowed(e, by_id[result.mapping[e.id]], rules)
        assert result.reasons[e.id]
    loads = Counter(result.mapping.values())
    for sid, n in loads.items():
        assert n <= staff_capacity(by_id[sid], rules)
        assert result.load[sid] == n
    assert result.objective == objective(entities, staff, rules, result.mapping)


# ---------------------------------------------------------------------------- basics


def test_industry_section() -> None:
    assert industry_section("C") == "C"
    assert industry_section("39") == "C"
    assert industry_section("3911") == "C"
    assert industry_section("c39") == "C"
    assert industry_section("52") == "F"
    assert industry_section("62") == "H"
    assert industry_section("47") == "E"
    assert industry_section("65") == "I"
    assert industry_section("") == ""


def test_objective_by_hand() -> None:
    rules = Rules()  # industry 10, load 1, change 1000, seniority 2
    staff = [Staff(1, rank=1, industries={"C"}), Staff(2, rank=3, industries={"F"})]
    entities = [
        Entity(1, "规上企业", 2, "39", current_liaison=2),  # leader for tier 2: gap 1; moved
        Entity(2, "门店", 3, "52"),  # matched, rank 3: gap 0
        Entity(3, "门店", 3, "62"),  # mismatched
    ]
    mapping = {1: 1, 2: 2, 3: 2}
    # pair: (0 + 2 + 1000) + 0 + 10 ; load: 1² + 2²
    assert objective(entities, staff, rules, mapping) == 1002 + 10 + 1 + 4
    assert objective(entities, staff, rules, {1: 1, 2: 2}) == 1002 + 1 + 1 + 1_000_000
    with pytest.raises(ValueError):
        objective(entities, staff, rules, {1: 2, 2: 2, 3: 2})  # tier 2 to rank 3


def test_reasons_in_chinese() -> None:
    staff = [
        Staff(1, rank=1, industries={"C"}),
        Staff(2, rank=2, industries={"C"}),
        Staff(3, rank=3, industries={"F"}),
    ]
    entities = [
        Entity(1, "规上企业", 1, "39"),
        Entity(2, "规上企业", 2, "38", current_liaison=2),
        Entity(3, "个体工商户/门店", 3, "52"),
    ]
    result = solve(entities, staff)
    assert result.mapping == {1: 1, 2: 2, 3: 3}
    assert "行业匹配：制造业" in result.reasons[1]
    assert "园区领导" in result.reasons[1]
    assert "保持原服务关系" in result.reasons[2]
    assert "规上企业" in result.reasons[2] and "科级以上干部" in result.reasons[2]
    assert "负荷均衡" in result.reasons[3]
    assert result.changes.kept == [2] and result.changes.new == [1, 3]


# ---------------------------------------------------------------------------- properties


@HSETTINGS
@given(instances(max_entities=30, max_staff=12))
def test_hard_rules_coverage_and_infeasibility(inst) -> None:
    entities, staff, rules = inst
    # Zero costs and a unit penalty: the optimum leaves the fewest entities uncovered.
    slots = [(s, 0) for s, _ in primary_slots(staff, rules)]
    _, uncovered = expanded_lsa(
        entities, slots, lambda e, s: 0, lambda e, s: is_allowed(e, s, rules), 1
    )
    try:
        result = quiet_solve(entities, staff, rules)
    except InfeasibleError as exc:
        # The reported deficiency is exactly how many entities no assignment can cover.
        assert uncovered > 0
        assert exc.uncoverable == uncovered
        assert exc.shortages and all(s.missing > 0 for s in exc.shortages)
        return
    assert uncovered == 0
    assert_valid(entities, staff, rules, result)


@settings(
    deadline=None, database=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
@given(instances(max_entities=6, max_staff=4))
def test_optimal_vs_exhaustive(inst) -> None:
    entities, staff, rules = inst
    best = brute_force(entities, staff, rules)
    if best is None:
        with pytest.raises(InfeasibleError):
            quiet_solve(entities, staff, rules)
        return
    assert quiet_solve(entities, staff, rules).objective == best


@HSETTINGS
@given(instances(max_entities=40, max_staff=15, max_cap=5))
def test_optimal_vs_hungarian(inst) -> None:
    entities, staff, rules = inst
    try:
        result = quiet_solve(entities, staff, rules)
    except InfeasibleError:
        return
    expected, uncovered = expanded_lsa(
        entities,
        primary_slots(staff, rules),
        lambda e, s: pair_cost(e, s, rules),
        lambda e, s: is_allowed(e, s, rules),
        rules.uncovered_penalty,
    )
    assert uncovered == 0
    assert result.objective == expected


@HSETTINGS
@given(instances(max_entities=30, max_staff=10))
def test_overflow_fallback_is_optimal(inst) -> None:
    entities, staff, base = inst
    rules = Rules(
        industry_weight=base.industry_weight,
        load_weight=base.load_weight,
        change_weight=base.change_weight,
        overflow_penalty=500,
        max_overflow_per_staff=2,
    )
    try:
        result = quiet_solve(entities, staff, rules)
    except InfeasibleError:
        return
    assert result.coverage == 1.0
    by_id = {s.id: s for s in staff}
    for sid, n in Counter(result.mapping.values()).items():
        assert n <= staff_capacity(by_id[sid], rules) + 2
    # The solver opens overflow slots only when capacity is really short; so must the check.
    shortages, _ = check_capacity(entities, staff, rules)
    expected, uncovered = expanded_lsa(
        entities,
        primary_slots(staff, rules, extra=2 if shortages else 0),
        lambda e, s: pair_cost(e, s, rules),
        lambda e, s: is_allowed(e, s, rules),
        rules.uncovered_penalty,
    )
    assert uncovered == 0 and result.objective == expected
    if result.overflow:
        assert result.shortages
        assert any("超出容量" in r for r in result.reasons.values())


def _check_backups(entities, staff, rules) -> None:
    try:
        primary = quiet_solve(entities, staff, rules).mapping
    except InfeasibleError:
        return
    result = assign_backups(entities, staff, rules, primary)
    by_id = {s.id: s for s in staff}
    for eid, bid in result.mapping.items():
        assert bid != primary[eid]
        assert by_id[bid].active
    for bid, n in Counter(result.mapping.values()).items():
        assert n <= backup_capacity(by_id[bid], rules)
    assert result.objective == backup_objective(entities, staff, rules, primary, result.mapping)
    ents = [e for e in entities if e.id in primary]
    slots = [
        (s, rules.load_weight * (2 * k - 1))
        for s in staff
        if s.active
        for k in range(1, backup_capacity(s, rules) + 1)
    ]
    expected, uncovered = expanded_lsa(
        ents,
        slots,
        lambda e, s: backup_pair_cost(e, by_id[primary[e.id]], s, rules),
        lambda e, s: s.id != primary[e.id] and s.rank in rules.backup_allowed_ranks[e.tier],
        rules.uncovered_penalty,
    )
    assert len(result.uncovered) == uncovered  # maximum backup coverage
    assert result.objective == expected  # and minimum cost among those


@HSETTINGS
@given(instances(max_entities=30, max_staff=10))
def test_backups_optimal(inst) -> None:
    _check_backups(*inst)


@HSETTINGS
@given(instances(max_entities=30, max_staff=10))
def test_backups_optimal_lazy_splits(inst) -> None:
    # Disable eager pool splitting so the lazy "pool minus primary" re-solve path is exercised.
    old = solver._EAGER_SPLIT
    solver._EAGER_SPLIT = 0
    try:
        _check_backups(*inst)
    finally:
        solver._EAGER_SPLIT = old


@HSETTINGS
@given(instances(max_entities=30, max_staff=12))
def test_greedy_never_beats_optimum(inst) -> None:
    entities, staff, rules = inst
    base = greedy(entities, staff, rules)
    for sid, n in Counter(base.mapping.values()).items():
        assert n <= staff_capacity(next(s for s in staff if s.id == sid), rules)
    try:
        result = quiet_solve(entities, staff, rules)
    except InfeasibleError:
        assert base.coverage < 1.0
        return
    assert base.objective >= result.objective


# ---------------------------------------------------------------------------- stability


def _park(seed: int, n_entities: int = 300, n_staff: int = 120) -> tuple[list, list]:
    """Capacities far above demand for every tier group (even after 10 % of staff leave), so
    capacity never forces a move in the stability tests."""
    rng = random.Random(seed)
    staff = []
    for i in range(n_staff):
        rank = 1 if i < 12 else 2 if i < 40 else 3
        staff.append(
            Staff(
                1000 + i,
                rank=rank,
                capacity=6,
                industries=frozenset(rng.sample(STAFF_INDUSTRIES, rng.randint(0, 2))),
                department=rng.choice(DEPARTMENTS),
            )
        )
    entities = [
        Entity(i + 1, "规上企业", rng.choices([1, 2, 3], [1, 4, 10])[0], rng.choice(INDUSTRIES))
        for i in range(n_entities)
    ]
    return entities, staff


def _with_current(entities: list[Entity], mapping: dict[int, int]) -> list[Entity]:
    return [
        Entity(e.id, e.kind, e.tier, e.industry, current_liaison=mapping[e.id]) for e in entities
    ]


@pytest.mark.parametrize("seed", range(5))
def test_stability_when_staff_leave(seed: int) -> None:
    entities, staff = _park(seed)
    rules = Rules()
    first = solve(entities, staff, rules)
    current = _with_current(entities, first.mapping)
    rng = random.Random(seed)
    leaving = set(rng.sample([s.id for s in staff], len(staff) // 10))
    staff2 = [
        Staff(s.id, s.rank, s.capacity, s.industries, s.department, active=s.id not in leaving)
        for s in staff
    ]
    second = solve(current, staff2, rules)
    assert_valid(current, staff2, rules, second)
    orphans = {e.id for e in current if e.current_liaison in leaving}
    assert orphans  # the test is meaningful
    for e in current:
        if e.id in orphans:
            assert second.mapping[e.id] not in leaving
            assert "原服务员已离岗" in second.reasons[e.id]
        else:
            assert second.mapping[e.id] == e.current_liaison, e
    assert set(second.changes.moved) == orphans == set(second.changes.orphaned)


def test_stability_when_rule_changes_and_entities_added() -> None:
    entities, staff = _park(7)
    rules = Rules()
    first = solve(entities, staff, rules)
    current = _with_current(entities, first.mapping)
    by_id = {s.id: s for s in staff}
    # One tier-3 entity served by a rank-3 officer is upgraded to tier 2 (规下 -> 规上).
    upgraded = next(e for e in current if e.tier == 3 and by_id[e.current_liaison].rank == 3)
    current = [
        Entity(e.id, e.kind, 2, e.industry, e.current_liaison) if e is upgraded else e
        for e in current
    ]
    upgraded = next(e for e in current if e.id == upgraded.id)
    newcomers = [Entity(5000 + i, "个体工商户/门店", 3, "52") for i in range(20)]
    second = solve(current + newcomers, staff, rules)
    assert_valid(current + newcomers, staff, rules, second)
    for e in current:
        if e is not upgraded:
            assert second.mapping[e.id] == e.current_liaison
    assert by_id[second.mapping[upgraded.id]].rank <= 2
    assert second.changes.orphaned == [upgraded.id]
    assert "不符合分层级规则" in second.reasons[upgraded.id]
    assert set(second.changes.new) == {e.id for e in newcomers}


# ---------------------------------------------------------------------------- infeasible


def test_infeasible_reports_tier_shortage() -> None:
    staff = [Staff(i, rank=1) for i in range(2)] + [Staff(10 + i, rank=3) for i in range(10)]
    entities = [Entity(i, "规上企业", 1, "C") for i in range(12)]
    entities += [Entity(100 + i, "门店", 3, "52") for i in range(5)]
    with pytest.raises(InfeasibleError) as info:
        solve(entities, staff)
    exc = info.value
    assert exc.uncoverable == 2
    assert [(s.tiers, s.ranks, s.demand, s.capacity, s.missing) for s in exc.shortages] == [
        ((1,), (1,), 12, 10, 2)
    ]
    assert "缺口2" in str(exc)

    # The documented fallback: overflow at a price, flagged.
    result = solve(entities, staff, Rules(overflow_penalty=10_000))
    assert result.coverage == 1.0
    assert sum(result.overflow.values()) == 2
    assert result.shortages[0].missing == 2
    # Both leaders carry 6 (capacity 5 + 1): all 12 of their entities are flagged for review.
    assert sum("超出容量" in r for r in result.reasons.values()) == 12


def test_infeasible_joint_tiers() -> None:
    # Tier 1 alone fits on the leader, but tiers 1 + 2 together exceed ranks 1-2.
    staff = [Staff(1, rank=1, capacity=5), Staff(2, rank=2, capacity=5), Staff(3, rank=3)]
    entities = [Entity(i, "规上企业", 1, "C") for i in range(4)]
    entities += [Entity(10 + i, "规上企业", 2, "C") for i in range(8)]
    with pytest.raises(InfeasibleError) as info:
        solve(entities, staff)
    (shortage,) = info.value.shortages
    assert shortage.tiers == (1, 2) and shortage.ranks == (1, 2) and shortage.missing == 2


# ---------------------------------------------------------------------------- scale


def _bench() -> ModuleType:
    # bench/ is a script folder, not a package: load bench/assign.py under a unique name.
    name = "qinshang_bench_assign"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "bench" / "assign.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being created
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_demo_park_scale() -> None:
    inst = _bench().demo_park()
    result = solve(inst.entities, inst.staff, inst.rules)
    assert_valid(inst.entities, inst.staff, inst.rules, result)
    assert result.runtime < 2.0
    base = greedy(inst.entities, inst.staff, inst.rules)
    assert base.objective >= result.objective
    backups = assign_backups(inst.entities, inst.staff, inst.rules, result.mapping)
    assert not backups.uncovered
    assert all(backups.mapping[e] != result.mapping[e] for e in result.mapping)


def test_city_scale() -> None:
    inst = _bench().city()
    result = solve(inst.entities, inst.staff, inst.rules)
    assert result.coverage == 1.0
    assert result.runtime < 30.0
