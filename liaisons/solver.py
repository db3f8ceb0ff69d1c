"""一对一专属服务员 assignment engine (pure Python, no Django).

The park gives every market entity (规上企业, 规下企业, 个体工商户/门店, 在建项目) one dedicated
liaison ("一对一专属服务员"), arranged by tier and industry ("分层级、行业排布"), with park
leaders taking the most important enterprises ("主要领导带头").  This module turns that into
an *optimisation* problem and solves it exactly as a min-cost flow (OR-Tools
``SimpleMinCostFlow``).  The Django layer converts rows to :class:`Entity` / :class:`Staff`
and calls :func:`solve`.

Model
-----
* Hard rules (never violated by :func:`solve`): an entity of tier ``t`` may only be given to an
  *active* staff member whose rank is in ``rules.allowed_ranks[t]``; nobody gets more entities
  than their capacity.  If that makes full coverage impossible, :func:`solve` raises
  :class:`InfeasibleError` naming the tiers that lack capacity and by how much; with
  ``rules.overflow_penalty`` set it instead lets people exceed capacity at a high price and
  flags it (``Assignment.overflow``).
* Soft preferences (the objective, see :func:`objective`): industry match, not using more senior
  staff than the tier needs, stability (keeping the current liaison), and a convex load cost so
  work is spread evenly.

Why the flow network is aggregated
----------------------------------
A direct bipartite network (entity -> every allowed staff member) has ~10^8 arcs at city scale
(20,000 entities x 5,000 staff).  But the pair cost only depends on *classes*: the entity's
(tier, 门类, has-a-current-liaison) and the staff member's (rank, 门类 matched or not); the only
per-pair term is "is this the current liaison", which gets a dedicated arc.  So the network is

    entity-class --(pair cost)--> pool(rank, 门类) / pool(rank, any) --(0)--> staff
    staff --(k-th unit costs the k-th marginal load cost)--> sink
    entity with a current liaison --(pair cost, no change)--> that staff   ("keep" arc)
    entity with a current liaison --(0)--> its class                      ("move" path)

The minimum over all paths from an entity to a staff member equals the true pair cost (a match
pool is never more expensive than the "any" pool), so the min-cost flow optimum is the true
optimum, and *any* split of a pool's flow among its staff has the same cost.  That keeps the arc
count at O(entities + classes x pools + staff x industries + total capacity).
"""

from __future__ import annotations

import heapq
import itertools
import time
import warnings
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from qinshang import industries

# --------------------------------------------------------------------------------------------
# Industry codes (GB/T 4754-2017)
# --------------------------------------------------------------------------------------------

#: 门类 letter -> name (the one table is qinshang.industries).
SECTION_NAMES: dict[str, str] = industries.SECTION_NAMES


def industry_section(code: str) -> str:
    """Return the GB/T 4754 门类 letter for a 门类 letter ("C"), a 大类 code ("39"), a longer
    中类/小类 code ("3911") or a letter-prefixed code ("C39").  Unknown codes are returned
    unchanged (upper-cased) so they still match themselves literally."""
    c = code.strip().upper()
    if not c:
        return ""
    if c[0].isalpha():
        return c[0]
    if c[:2].isdigit() and industries.is_division(c[:2]):
        return industries.section_of(c[:2])
    return c


def industry_name(code: str) -> str:
    """Human-readable 门类 name for reasons ("制造业"); falls back to the code itself."""
    sec = industry_section(code)
    return SECTION_NAMES.get(sec, code or "未登记行业")


# --------------------------------------------------------------------------------------------
# Input / output data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    """A market entity needing a liaison.

    ``tier``: 1 = key enterprise (park leaders), 2 = 规上/重点项目, 3 = others (configurable via
    ``Rules.allowed_ranks``).  ``industry``: 门类 letter or 大类 code.  ``current_liaison`` /
    ``current_backup``: staff ids of today's pair (``None`` for a new entity)."""

    id: int
    kind: str
    tier: int
    industry: str
    current_liaison: int | None = None
    current_backup: int | None = None


@dataclass(frozen=True, slots=True)
class Staff:
    """A potential liaison.  ``rank``: 1 = park leader, 2 = 部门负责人/科级以上, 3 = staff.
    ``capacity`` / ``backup_capacity``: ``None`` means the per-rank default from :class:`Rules`.
    ``industries``: 门类 letters or 大类 codes this person knows (matched at 门类 level)."""

    id: int
    rank: int
    capacity: int | None = None
    industries: frozenset[str] = frozenset()
    department: str | None = None
    active: bool = True
    backup_capacity: int | None = None

    def __post_init__(self) -> None:
        # Accept any iterable (e.g. a set from the ORM layer) but keep the dataclass hashable.
        if not isinstance(self.industries, frozenset):
            object.__setattr__(self, "industries", frozenset(self.industries))


def _default_allowed() -> dict[int, frozenset[int]]:
    return {1: frozenset({1}), 2: frozenset({1, 2}), 3: frozenset({1, 2, 3})}


def _default_backup_allowed() -> dict[int, frozenset[int]]:
    # A B角 may be one level more junior than the primary rule: a leader's key enterprise is
    # typically backed up by a 部门负责人, not by another park leader.
    return {1: frozenset({1, 2}), 2: frozenset({1, 2, 3}), 3: frozenset({1, 2, 3})}


def _default_capacity() -> dict[int, int]:
    return {1: 5, 2: 6, 3: 3}


def _default_tier_rule_labels() -> dict[int, str]:
    return {
        1: "重点企业由园区领导带头联系",
        2: "规上企业/重点项目由科级以上干部联系",
        3: "一般市场主体由服务专员就近联系",
    }


def _default_rank_labels() -> dict[int, str]:
    return {1: "园区领导", 2: "科级以上干部", 3: "服务专员"}


@dataclass(frozen=True)
class Rules:
    """Hard rules and objective weights.  All weights are non-negative integers so the flow
    costs are exact (no floating-point ties).

    Stability: a kept pair should beat every other consideration unless a hard rule forces a
    move.  That holds whenever ``change_weight > industry_weight + seniority_weight * (max rank
    gap) + load_weight * (2 * max capacity - 2)`` (the most a single move can save); the defaults
    satisfy it by a wide margin and :func:`solve` warns when an instance does not.
    """

    #: tier -> ranks allowed to be the primary liaison (HARD rule).
    allowed_ranks: Mapping[int, frozenset[int]] = field(default_factory=_default_allowed)
    #: rank -> default capacity (Staff.capacity overrides per person; HARD rule).
    capacity_by_rank: Mapping[int, int] = field(default_factory=_default_capacity)
    industry_weight: int = 10
    load_weight: int = 1
    change_weight: int = 1000
    #: cost per rank level a liaison is more senior than the tier requires (keeps leaders free
    #: for key enterprises: "分层级").
    seniority_weight: int = 2
    #: None: an infeasible instance raises InfeasibleError.  Otherwise: fallback that allows up
    #: to ``max_overflow_per_staff`` extra entities per person, each costing this much extra.
    #: Only switched on when capacity is short.  Choose it > change_weight if an over-full
    #: person should rather hand entities over than keep them all.
    overflow_penalty: int | None = None
    max_overflow_per_staff: int = 2
    #: charged by :func:`objective` per uncovered entity (only the greedy baseline leaves any).
    uncovered_penalty: int = 1_000_000
    #: compute a backup liaison (B角) in a second pass.
    backup: bool = False
    backup_allowed_ranks: Mapping[int, frozenset[int]] = field(
        default_factory=_default_backup_allowed
    )
    #: rank -> default backup capacity; None = same as ``capacity_by_rank``.
    backup_capacity_by_rank: Mapping[int, int] | None = None
    #: backup cost when the backup is not in the primary's department.
    department_weight: int = 5
    tier_rule_labels: Mapping[int, str] = field(default_factory=_default_tier_rule_labels)
    rank_labels: Mapping[int, str] = field(default_factory=_default_rank_labels)

    def __post_init__(self) -> None:
        for name in (
            "industry_weight",
            "load_weight",
            "change_weight",
            "seniority_weight",
            "max_overflow_per_staff",
            "uncovered_penalty",
            "department_weight",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"Rules.{name} must be a non-negative int, got {value!r}")
        if self.overflow_penalty is not None and self.overflow_penalty < 0:
            raise ValueError("Rules.overflow_penalty must be None or >= 0")
        # Callers (e.g. settings or the admin) may pass lists/sets; the engine needs frozensets
        # for set algebra, and copying also protects against later mutation of their dicts.
        for name in ("allowed_ranks", "backup_allowed_ranks"):
            table = {int(t): frozenset(rs) for t, rs in getattr(self, name).items()}
            object.__setattr__(self, name, table)


@dataclass(frozen=True, slots=True)
class Shortage:
    """A set of tiers whose entities cannot all be covered: together they need ``demand``
    liaison slots, but the ranks allowed for them only offer ``capacity``."""

    tiers: tuple[int, ...]
    ranks: tuple[int, ...]
    demand: int
    capacity: int
    missing: int
    message: str

    def __str__(self) -> str:
        return self.message


class InfeasibleError(ValueError):
    """Not every entity can get a liaison under the hard rules.  ``shortages`` lists the
    minimal sets of tiers lacking capacity; ``uncoverable`` is how many entities at least would
    stay uncovered (Hall deficiency)."""

    def __init__(self, shortages: list[Shortage], uncoverable: int) -> None:
        self.shortages = shortages
        self.uncoverable = uncoverable
        lines = "；".join(s.message for s in shortages)
        super().__init__(f"服务员容量不足，至少{uncoverable}家市场主体无法安排：{lines}")


@dataclass(slots=True)
class Changes:
    """Entity ids by what happened to their primary liaison relative to ``current_liaison``.
    ``orphaned`` ⊆ ``moved``: the old liaison is inactive/unknown or no longer allowed."""

    kept: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)


@dataclass(slots=True)
class BackupAssignment:
    """Second-pass B角 result (best effort: entities without any eligible backup are listed in
    ``uncovered`` instead of failing the primary assignment)."""

    mapping: dict[int, int]
    reasons: dict[int, str]
    objective: int
    uncovered: list[int]
    load: dict[int, int]


@dataclass(slots=True)
class Assignment:
    """Result of :func:`solve` / :func:`greedy`.  ``objective`` is :func:`objective` of
    ``mapping`` (lower is better); ``cost_breakdown`` splits it by term."""

    mapping: dict[int, int]
    reasons: dict[int, str]
    coverage: float
    uncovered: list[int]
    load: dict[int, int]
    objective: int
    cost_breakdown: dict[str, int]
    changes: Changes
    overflow: dict[int, int]
    shortages: list[Shortage]
    runtime: float
    backup: BackupAssignment | None = None


# --------------------------------------------------------------------------------------------
# Cost model (shared by solve, greedy, tests and any external solver)
# --------------------------------------------------------------------------------------------


def staff_capacity(member: Staff, rules: Rules) -> int:
    """Primary capacity: the person's override, else the rank default."""
    if member.capacity is not None:
        return member.capacity
    try:
        return rules.capacity_by_rank[member.rank]
    except KeyError:
        raise ValueError(f"no capacity for rank {member.rank} (staff {member.id})") from None


def backup_capacity(member: Staff, rules: Rules) -> int:
    """Backup (B角) capacity: override, else ``backup_capacity_by_rank``, else primary default."""
    if member.backup_capacity is not None:
        return member.backup_capacity
    table = rules.backup_capacity_by_rank
    if table is None:
        return rules.capacity_by_rank.get(member.rank, 0)
    return table.get(member.rank, 0)


def industry_matches(entity: Entity, member: Staff) -> bool:
    """Match at 门类 level: a staff member knowing "C" or "39" covers every manufacturer."""
    sec = industry_section(entity.industry)
    return bool(sec) and any(industry_section(code) == sec for code in member.industries)


def is_allowed(entity: Entity, member: Staff, rules: Rules) -> bool:
    """Hard rule for primaries: active, and rank allowed for the entity's tier."""
    return member.active and member.rank in rules.allowed_ranks.get(entity.tier, ())


def _seniority_gap(ranks: frozenset[int], rank: int) -> int:
    # How many levels more senior than the most junior rank the rule admits.
    return max(0, max(ranks) - rank) if ranks else 0


def pair_cost(entity: Entity, member: Staff, rules: Rules) -> int:
    """Cost of giving ``entity`` to ``member`` (excluding load):
    ``industry_weight·[门类 mismatch] + seniority_weight·(max allowed rank − rank)
    + change_weight·[entity has a current liaison and it is someone else]``."""
    cost = 0 if industry_matches(entity, member) else rules.industry_weight
    cost += rules.seniority_weight * _seniority_gap(
        rules.allowed_ranks.get(entity.tier, frozenset()), member.rank
    )
    if entity.current_liaison is not None and entity.current_liaison != member.id:
        cost += rules.change_weight
    return cost


def marginal_load_cost(member: Staff, k: int, rules: Rules) -> int:
    """Cost of the k-th entity (1-based) given to ``member``: ``load_weight·(2k−1)``, so a load
    L costs ``load_weight·L²`` in total (convex ⇒ balanced), plus ``overflow_penalty`` for every
    unit beyond capacity."""
    cost = rules.load_weight * (2 * k - 1)
    if k > staff_capacity(member, rules):
        cost += rules.overflow_penalty if rules.overflow_penalty is not None else 0
    return cost


def load_cost(member: Staff, load: int, rules: Rules) -> int:
    """Σ_{k=1..load} marginal_load_cost(member, k)."""
    return sum(marginal_load_cost(member, k, rules) for k in range(1, load + 1))


def objective_breakdown(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules,
    mapping: Mapping[int, int],
) -> dict[str, int]:
    """Terms of :func:`objective`: ``industry``, ``seniority``, ``change``, ``load``,
    ``overflow``, ``uncovered`` and ``total``.  Raises ``ValueError`` if ``mapping`` breaks a
    hard rule (unknown/inactive staff, rank not allowed, capacity exceeded beyond what the
    overflow fallback allows), so a buggy competing solver cannot look cheap."""
    by_id = {s.id: s for s in staff}
    terms = dict.fromkeys(("industry", "seniority", "change", "load", "overflow", "uncovered"), 0)
    loads: dict[int, int] = defaultdict(int)
    for e in entities:
        sid = mapping.get(e.id)
        if sid is None:
            terms["uncovered"] += rules.uncovered_penalty
            continue
        member = by_id.get(sid)
        if member is None or not is_allowed(e, member, rules):
            raise ValueError(f"entity {e.id} -> staff {sid} violates a hard rule")
        loads[sid] += 1
        if not industry_matches(e, member):
            terms["industry"] += rules.industry_weight
        terms["seniority"] += rules.seniority_weight * _seniority_gap(
            rules.allowed_ranks[e.tier], member.rank
        )
        if e.current_liaison is not None and e.current_liaison != sid:
            terms["change"] += rules.change_weight
    for sid, n in loads.items():
        member = by_id[sid]
        cap = staff_capacity(member, rules)
        limit = cap if rules.overflow_penalty is None else cap + rules.max_overflow_per_staff
        if n > limit:
            raise ValueError(f"staff {sid} has {n} entities, capacity {cap} (limit {limit})")
        terms["load"] += rules.load_weight * n * n
        terms["overflow"] += max(0, n - cap) * (rules.overflow_penalty or 0)
    terms["total"] = sum(terms.values())
    return terms


def objective(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules,
    mapping: Mapping[int, int],
) -> int:
    """Total cost of a primary assignment ``mapping`` (entity id -> staff id); lower is better.

    ``objective = Σ_e pair_cost(e, mapping[e])                       (see pair_cost)
                + Σ_s load_weight · load_s²                          (convex load balance)
                + Σ_s overflow_penalty · max(0, load_s − capacity_s) (fallback only)
                + uncovered_penalty · #entities without a liaison``

    It is the min-cost-flow objective of :func:`solve` exactly, so any independent solver
    (greedy, LP, brute force) can be compared on the same scale.  Note that moving an entity
    whose current liaison left also costs ``change_weight``: a constant for every solver.
    """
    return objective_breakdown(entities, staff, rules, mapping)["total"]


def backup_pair_cost(entity: Entity, primary: Staff, member: Staff, rules: Rules) -> int:
    """B角 cost: industry mismatch + seniority gap (w.r.t. ``backup_allowed_ranks``) +
    ``department_weight`` if not in the primary's department + change vs ``current_backup``."""
    cost = 0 if industry_matches(entity, member) else rules.industry_weight
    cost += rules.seniority_weight * _seniority_gap(
        rules.backup_allowed_ranks.get(entity.tier, frozenset()), member.rank
    )
    if primary.department is None or member.department != primary.department:
        cost += rules.department_weight
    if entity.current_backup is not None and entity.current_backup != member.id:
        cost += rules.change_weight
    return cost


# --------------------------------------------------------------------------------------------
# Capacity (Hall) check
# --------------------------------------------------------------------------------------------


def check_capacity(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules,
    *,
    extra_per_staff: int = 0,
) -> tuple[list[Shortage], int]:
    """Exact feasibility test.  Because the allowed staff of an entity depend only on its tier,
    Hall's theorem reduces to tier subsets: the tiers T can all be covered iff
    ``Σ_{t∈T} demand_t ≤ Σ_{r ∈ ∪ allowed(t)} capacity_r`` for every T.  Returns the
    inclusion-minimal violated subsets and the Hall deficiency (the number of entities that
    must stay uncovered).  Enumerates 2^#tiers subsets: fine for the handful of tiers a park
    uses; above 16 tiers only singletons and the full set are checked."""
    demand: dict[int, int] = defaultdict(int)
    for e in entities:
        if e.tier not in rules.allowed_ranks:
            raise ValueError(f"tier {e.tier} of entity {e.id} has no rule in allowed_ranks")
        demand[e.tier] += 1
    cap_by_rank: dict[int, int] = defaultdict(int)
    for s in staff:
        if s.active:
            cap_by_rank[s.rank] += staff_capacity(s, rules) + extra_per_staff
    tiers = sorted(demand)
    if len(tiers) <= 16:
        subsets: Iterable[tuple[int, ...]] = itertools.chain.from_iterable(
            itertools.combinations(tiers, k) for k in range(1, len(tiers) + 1)
        )
    else:
        subsets = [(t,) for t in tiers] + [tuple(tiers)]
    violated: list[Shortage] = []
    deficiency = 0
    for subset in subsets:  # by increasing size, so minimality is a subset test
        ranks = tuple(sorted(set().union(*(rules.allowed_ranks[t] for t in subset))))
        need = sum(demand[t] for t in subset)
        have = sum(cap_by_rank.get(r, 0) for r in ranks)
        if need <= have:
            continue
        deficiency = max(deficiency, need - have)
        if any(set(v.tiers) <= set(subset) for v in violated):
            continue
        tier_txt = "、".join(str(t) for t in subset)
        rank_txt = "、".join(f"{r}（{rules.rank_labels.get(r, '职级')}）" for r in ranks)
        violated.append(
            Shortage(
                tiers=subset,
                ranks=ranks,
                demand=need,
                capacity=have,
                missing=need - have,
                message=(
                    f"第{tier_txt}层级共{need}家，只能由职级{rank_txt}联系，"
                    f"可用容量{have}，缺口{need - have}"
                ),
            )
        )
    return violated, deficiency


# --------------------------------------------------------------------------------------------
# Generic aggregated min-cost-flow engine
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Class:
    """Entities (by position) that share every arc cost.  ``exclude``: a staff position none of
    them may get (the primary, when assigning backups), -1 for none."""

    members: list[int]
    arcs: list[tuple[Hashable, int]]
    exclude: int = -1


@dataclass(slots=True)
class _Keep:
    """Entity ``entity`` (member of class ``cls``) may keep staff ``staff`` at ``cost``."""

    entity: int
    cls: int
    staff: int
    cost: int


# Pools this small are split eagerly for every excluded member (cheap, saves re-solves).
_EAGER_SPLIT = 8


def _flow_assign(
    unit_costs: Sequence[Sequence[int]],
    pools: Mapping[Hashable, Sequence[int]],
    classes: Sequence[_Class],
    keeps: Sequence[_Keep],
    *,
    partial: bool,
) -> dict[int, int]:
    """Optimal entity-position -> staff-position assignment on the aggregated network.

    Exclusions (backup ≠ primary) break the "any split of a pool is equally good" property only
    when a pool cannot serve a class without using its excluded member.  We handle that lazily:
    after each solve, pools are decomposed with an exclusion-aware matching; a pool P where
    class-exclusion x cannot be honoured gets a node "P minus x" and those classes are re-routed
    there, then we re-solve.  The final flow decomposes without conflict and is optimal for the
    relaxation, hence for the real problem.  Without exclusions this is a single solve."""
    pool_sets = {k: frozenset(v) for k, v in pools.items()}
    splits: set[tuple[Hashable, int]] = set()
    for c in classes:
        if c.exclude < 0:
            continue
        for key, _ in c.arcs:
            if len(pools[key]) <= _EAGER_SPLIT and c.exclude in pool_sets[key]:
                splits.add((key, c.exclude))
    while True:
        mapping, conflicts = _flow_round(unit_costs, pools, classes, keeps, splits, partial)
        if not conflicts:
            return mapping
        splits |= conflicts


def _flow_round(
    unit_costs: Sequence[Sequence[int]],
    pools: Mapping[Hashable, Sequence[int]],
    classes: Sequence[_Class],
    keeps: Sequence[_Keep],
    splits: set[tuple[Hashable, int]],
    partial: bool,
) -> tuple[dict[int, int], set[tuple[Hashable, int]]]:
    n_staff = len(unit_costs)
    sink = n_staff
    next_node = n_staff + 1
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []

    def arc(t: int, h: int, cap: int, cost: int) -> int:
        tails.append(t)
        heads.append(h)
        caps.append(cap)
        costs.append(cost)
        return len(tails) - 1

    # staff -> sink: one arc per unit with increasing marginal cost (convex load); runs of equal
    # marginal cost (load_weight == 0) are merged into one arc.
    for s, units in enumerate(unit_costs):
        for cost, run in itertools.groupby(units):
            arc(s, sink, sum(1 for _ in run), cost)

    # pool / split nodes -> staff.  target key: pool key, or ("\0split", key, x).
    target_node: dict[Hashable, int] = {}
    pool_arcs: list[tuple[Hashable, int, int]] = []  # (target key, staff, arc id)
    targets: list[tuple[Hashable, Sequence[int]]] = list(pools.items())
    targets += [(("\0split", key, x), [s for s in pools[key] if s != x]) for key, x in splits]
    for key, members in targets:
        node = target_node[key] = next_node
        next_node += 1
        for s in members:
            if unit_costs[s]:
                pool_arcs.append((key, s, arc(node, s, len(unit_costs[s]), 0)))

    supplies: dict[int, int] = {}
    keep_of_entity = {k.entity for k in keeps}
    class_node: list[int] = []
    class_arcs: list[tuple[int, Hashable, int]] = []  # (class, target key, arc id)
    for i, c in enumerate(classes):
        node = next_node
        next_node += 1
        class_node.append(node)
        supplies[node] = sum(1 for m in c.members if m not in keep_of_entity)
        for key, cost in c.arcs:
            tkey = ("\0split", key, c.exclude) if (key, c.exclude) in splits else key
            class_arcs.append((i, tkey, arc(node, target_node[tkey], len(c.members), cost)))
    keep_arcs: list[tuple[_Keep, int, int]] = []
    for k in keeps:
        node = next_node
        next_node += 1
        supplies[node] = 1
        keep_arcs.append((k, arc(node, k.staff, 1, k.cost), arc(node, class_node[k.cls], 1, 0)))
    total = sum(supplies.values())
    supplies[sink] = -total

    smcf = min_cost_flow.SimpleMinCostFlow()
    if tails:
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails, dtype=np.int32),
            np.asarray(heads, dtype=np.int32),
            np.asarray(caps, dtype=np.int64),
            np.asarray(costs, dtype=np.int64),
        )
    nodes = np.fromiter(supplies.keys(), dtype=np.int32, count=len(supplies))
    smcf.set_nodes_supplies(nodes, np.fromiter(supplies.values(), np.int64, len(supplies)))
    status = smcf.solve_max_flow_with_min_cost() if partial else smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status} (capacity check should prevent it)")
    flows = smcf.flows(np.arange(len(tails))) if tails else np.zeros(0, dtype=np.int64)

    # ---- decompose the flow back into entity -> staff pairs
    mapping: dict[int, int] = {}
    queue: list[list[int]] = [[] for _ in classes]
    for k, keep_arc, move_arc in keep_arcs:
        if flows[keep_arc]:
            mapping[k.entity] = k.staff
        elif flows[move_arc]:
            queue[k.cls].append(k.entity)
    for i, c in enumerate(classes):
        queue[i].extend(m for m in c.members if m not in keep_of_entity)
        queue[i].reverse()  # pop() from the end; order is irrelevant for cost

    units_in: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for key, s, a in pool_arcs:
        if flows[a]:
            units_in[key].append((s, int(flows[a])))
    demand_in: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for i, key, a in class_arcs:
        if flows[a]:
            demand_in[key].append((i, int(flows[a])))

    conflicts: set[tuple[Hashable, int]] = set()
    for key, demands in demand_in.items():
        pairs, bad = _match_pool(demands, units_in[key], classes)
        conflicts.update((key, x) for x in bad)
        for i, s, amount in pairs:
            for _ in range(amount):
                mapping[queue[i].pop()] = s
    return mapping, conflicts


def _match_pool(
    demands: list[tuple[int, int]],
    units: list[tuple[int, int]],
    classes: Sequence[_Class],
) -> tuple[list[tuple[int, int, int]], set[int]]:
    """Split a pool's flow: class demands -> staff units, honouring each class's excluded
    staff.  Groups sharing an exclusion x are served tightest-first from the units of the staff
    most excluded by others (those units are useless to their own group).  Returns
    (class, staff, amount) triples and the exclusions that could not be honoured."""
    group: dict[int, list[tuple[int, int]]] = defaultdict(list)
    need: dict[int, int] = defaultdict(int)
    for i, amount in demands:
        x = classes[i].exclude
        group[x].append((i, amount))
        need[x] += amount
    have = dict(units)
    order = sorted(have, key=lambda s: (-need.get(s, 0), -have[s], s))
    remaining = dict(have)
    pairs: list[tuple[int, int, int]] = []
    bad: set[int] = set()
    group_order = sorted(group, key=lambda x: (x < 0, -(need[x] + have.get(x, 0)), x))
    start = 0
    for x in group_order:
        for i, amount in group[x]:
            pos = start
            while amount and pos < len(order):
                s = order[pos]
                left = remaining[s]
                if left == 0 or s == x:
                    pos += 1
                    continue
                take = min(left, amount)
                remaining[s] = left - take
                amount -= take
                pairs.append((i, s, take))
            if amount:
                bad.add(x)
            while start < len(order) and remaining[order[start]] == 0:
                start += 1
    return pairs, bad


# --------------------------------------------------------------------------------------------
# Primary assignment
# --------------------------------------------------------------------------------------------

_ANY = "*"


def _primary_pools(staff: Sequence[Staff]) -> dict[Hashable, list[int]]:
    """(rank, 门类) pools of active staff knowing the 门类, plus (rank, any) pools."""
    pools: dict[Hashable, list[int]] = defaultdict(list)
    for pos, s in enumerate(staff):
        if not s.active:
            continue
        for sec in sorted({industry_section(code) for code in s.industries}):
            pools[(s.rank, sec)].append(pos)
        pools[(s.rank, _ANY)].append(pos)
    return dict(pools)


def _validate(entities: Sequence[Entity], staff: Sequence[Staff], rules: Rules) -> None:
    if len({e.id for e in entities}) != len(entities):
        raise ValueError("duplicate entity ids")
    if len({s.id for s in staff}) != len(staff):
        raise ValueError("duplicate staff ids")
    for e in entities:
        if e.tier not in rules.allowed_ranks:
            raise ValueError(f"tier {e.tier} of entity {e.id} has no rule in allowed_ranks")
    for s in staff:
        if staff_capacity(s, rules) < 0:
            raise ValueError(f"negative capacity for staff {s.id}")


def _warn_if_unstable(staff: Sequence[Staff], rules: Rules) -> None:
    # The largest saving a single move can bring; change_weight must exceed it for kept pairs
    # to be lexicographically preferred (see Rules docstring).
    if not staff:
        return
    max_cap = max(staff_capacity(s, rules) for s in staff)
    ranks = [r for rs in rules.allowed_ranks.values() for r in rs] or [0]
    gain = (
        rules.industry_weight
        + rules.seniority_weight * (max(ranks) - min(ranks))
        + rules.load_weight * max(0, 2 * max_cap - 2)
    )
    if rules.change_weight <= gain:
        warnings.warn(
            f"change_weight={rules.change_weight} <= {gain}: solve() may move existing pairs "
            "to gain industry match or load balance",
            stacklevel=3,
        )


def solve(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules | None = None,
) -> Assignment:
    """Optimal assignment (minimum :func:`objective`) covering every entity.

    Raises :class:`InfeasibleError` when the hard rules leave some tier without enough
    capacity, unless ``rules.overflow_penalty`` is set: then up to
    ``rules.max_overflow_per_staff`` extra entities per person are allowed at that price,
    reported in ``Assignment.overflow`` / ``shortages`` and flagged in the reasons.
    If ``rules.backup`` is true, a B角 is assigned in a second pass (``Assignment.backup``)."""
    started = time.perf_counter()
    rules = rules or Rules()
    _validate(entities, staff, rules)
    _warn_if_unstable(staff, rules)

    shortages, deficiency = check_capacity(entities, staff, rules)
    extra = 0
    if shortages:
        if rules.overflow_penalty is None:
            raise InfeasibleError(shortages, deficiency)
        extra = rules.max_overflow_per_staff
        still, still_def = check_capacity(entities, staff, rules, extra_per_staff=extra)
        if still:
            raise InfeasibleError(still, still_def)

    staff_pos = {s.id: i for i, s in enumerate(staff)}
    # Marginal cost of each unit a person can take (overflow units only in fallback mode).
    unit_costs = [
        [marginal_load_cost(s, k, rules) for k in range(1, staff_capacity(s, rules) + extra + 1)]
        if s.active
        else []
        for s in staff
    ]
    pools = _primary_pools(staff)
    ranks_present = {s.rank for s in staff if s.active}

    class_index: dict[tuple[int, str, bool], int] = {}
    classes: list[_Class] = []
    keeps: list[_Keep] = []
    for pos, e in enumerate(entities):
        sec = industry_section(e.industry)
        has_current = e.current_liaison is not None
        key = (e.tier, sec, has_current)
        ci = class_index.get(key)
        if ci is None:
            ci = class_index[key] = len(classes)
            allowed = rules.allowed_ranks[e.tier]
            change = rules.change_weight if has_current else 0
            arcs: list[tuple[Hashable, int]] = []
            for r in sorted(allowed & ranks_present):
                base = rules.seniority_weight * _seniority_gap(allowed, r) + change
                if sec and (r, sec) in pools:
                    arcs.append(((r, sec), base))
                arcs.append(((r, _ANY), base + rules.industry_weight))
            classes.append(_Class(members=[], arcs=arcs))
        classes[ci].members.append(pos)
        cur = staff_pos.get(e.current_liaison) if e.current_liaison is not None else None
        if cur is not None and is_allowed(e, staff[cur], rules) and unit_costs[cur]:
            keeps.append(_Keep(pos, ci, cur, pair_cost(e, staff[cur], rules)))

    pos_map = _flow_assign(unit_costs, pools, classes, keeps, partial=False)
    mapping = {entities[p].id: staff[s].id for p, s in pos_map.items()}
    result = _build_assignment(entities, staff, rules, mapping, started)
    result.shortages = shortages
    if rules.backup:
        result.backup = assign_backups(entities, staff, rules, mapping)
    result.runtime = time.perf_counter() - started
    return result


def _build_assignment(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules,
    mapping: dict[int, int],
    started: float,
) -> Assignment:
    by_id = {s.id: s for s in staff}
    load: dict[int, int] = {s.id: 0 for s in staff if s.active}
    for owner in mapping.values():
        load[owner] += 1
    overflow = {
        sid: n - staff_capacity(by_id[sid], rules)
        for sid, n in load.items()
        if n > staff_capacity(by_id[sid], rules)
    }
    changes = Changes()
    reasons: dict[int, str] = {}
    uncovered: list[int] = []
    for e in entities:
        sid = mapping.get(e.id)
        if sid is None:
            uncovered.append(e.id)
            continue
        member = by_id[sid]
        parts: list[str] = []
        old = by_id.get(e.current_liaison) if e.current_liaison is not None else None
        if e.current_liaison is None:
            changes.new.append(e.id)
            parts.append("新纳入服务")
        elif e.current_liaison == sid:
            changes.kept.append(e.id)
            parts.append("保持原服务关系")
        else:
            changes.moved.append(e.id)
            if old is None or not old.active:
                changes.orphaned.append(e.id)
                parts.append("原服务员已离岗，重新安排")
            elif not is_allowed(e, old, rules):
                changes.orphaned.append(e.id)
                parts.append("原服务关系不符合分层级规则，重新安排")
            elif load[old.id] >= staff_capacity(old, rules):
                # Only capacity can force this (change_weight dominates): the old liaison's
                # places went to entities of a higher tier or to entities kept by them.
                parts.append("原服务员名额已满（优先保障高层级主体），调整服务员")
            else:
                parts.append("综合优化调整服务员")
        rule_label = rules.tier_rule_labels.get(e.tier, f"第{e.tier}层级按规则联系")
        parts.append(f"{rule_label}（{e.kind}，{rules.rank_labels.get(member.rank, '服务员')}）")
        name = industry_name(e.industry)
        parts.append(f"行业匹配：{name}" if industry_matches(e, member) else f"行业未对口：{name}")
        cap = staff_capacity(member, rules)
        parts.append(f"负荷均衡：该服务员联系{load[sid]}/{cap}家")
        if sid in overflow:
            parts.append("超出容量（兜底安排，需人工复核）")
        reasons[e.id] = "；".join(parts)
    breakdown = objective_breakdown(entities, staff, rules, mapping)
    return Assignment(
        mapping=mapping,
        reasons=reasons,
        coverage=(len(entities) - len(uncovered)) / len(entities) if entities else 1.0,
        uncovered=uncovered,
        load=load,
        objective=breakdown["total"],
        cost_breakdown=breakdown,
        changes=changes,
        overflow=overflow,
        shortages=[],
        runtime=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------------
# Backup (B角) assignment
# --------------------------------------------------------------------------------------------


def backup_objective(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules,
    primary: Mapping[int, int],
    backup: Mapping[int, int],
) -> int:
    """Σ_e backup_pair_cost + Σ_s load_weight·backup_load_s² + uncovered_penalty per entity
    (with a primary) lacking a backup.  Raises ValueError on a rule violation."""
    by_id = {s.id: s for s in staff}
    total = 0
    loads: dict[int, int] = defaultdict(int)
    for e in entities:
        if e.id not in primary:
            continue
        bid = backup.get(e.id)
        if bid is None:
            total += rules.uncovered_penalty
            continue
        member = by_id[bid]
        if (
            not member.active
            or bid == primary[e.id]
            or member.rank not in rules.backup_allowed_ranks.get(e.tier, ())
        ):
            raise ValueError(f"backup {bid} of entity {e.id} violates a rule")
        loads[bid] += 1
        total += backup_pair_cost(e, by_id[primary[e.id]], member, rules)
    for bid, n in loads.items():
        if n > backup_capacity(by_id[bid], rules):
            raise ValueError(f"staff {bid} has {n} backups, capacity exceeded")
        total += rules.load_weight * n * n
    return total


def assign_backups(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules,
    primary: Mapping[int, int],
) -> BackupAssignment:
    """Optimal B角 for every entity that has a primary: backup ≠ primary, rank in
    ``rules.backup_allowed_ranks[tier]``, at most ``backup_capacity`` backups per person;
    preferring the primary's department and the entity's industry (:func:`backup_pair_cost`),
    then stability and balanced backup load.  Best effort: if capacity runs out, the remaining
    entities are listed in ``uncovered`` (max-flow with min cost)."""
    by_id = {s.id: s for s in staff}
    staff_pos = {s.id: i for i, s in enumerate(staff)}
    unit_costs = [
        [rules.load_weight * (2 * k - 1) for k in range(1, backup_capacity(s, rules) + 1)]
        if s.active
        else []
        for s in staff
    ]
    # Pools by (rank, department, 门类), (rank, department), (rank, 门类), (rank, any).
    pools: dict[Hashable, list[int]] = defaultdict(list)
    for pos, s in enumerate(staff):
        if not s.active or not unit_costs[pos]:
            continue
        secs = sorted({industry_section(code) for code in s.industries})
        if s.department is not None:
            for sec in secs:
                pools[("DS", s.rank, s.department, sec)].append(pos)
            pools[("D", s.rank, s.department)].append(pos)
        for sec in secs:
            pools[("S", s.rank, sec)].append(pos)
        pools[("A", s.rank)].append(pos)
    ranks_present = {s.rank for pos, s in enumerate(staff) if s.active and unit_costs[pos]}

    w_ind, w_dep = rules.industry_weight, rules.department_weight
    class_index: dict[tuple[int, int, str, bool], int] = {}
    classes: list[_Class] = []
    keeps: list[_Keep] = []
    for pos, e in enumerate(entities):
        if e.id not in primary:
            continue
        ppos = staff_pos[primary[e.id]]
        dept = staff[ppos].department
        sec = industry_section(e.industry)
        has_current = e.current_backup is not None
        key = (ppos, e.tier, sec, has_current)
        ci = class_index.get(key)
        if ci is None:
            ci = class_index[key] = len(classes)
            allowed = rules.backup_allowed_ranks.get(e.tier, frozenset())
            change = rules.change_weight if has_current else 0
            arcs: list[tuple[Hashable, int]] = []
            for r in sorted(allowed & ranks_present):
                base = rules.seniority_weight * _seniority_gap(allowed, r) + change
                options: list[tuple[Hashable, int]] = [
                    (("DS", r, dept, sec), base),
                    (("D", r, dept), base + w_ind),
                    (("S", r, sec), base + w_dep),
                    (("A", r), base + w_ind + w_dep),
                ]
                if dept is None:
                    options = options[2:]
                arcs += [(k, c) for k, c in options if k in pools]
            classes.append(_Class(members=[], arcs=arcs, exclude=ppos))
        classes[ci].members.append(pos)
        cur = staff_pos.get(e.current_backup) if e.current_backup is not None else None
        if (
            cur is not None
            and cur != ppos
            and unit_costs[cur]
            and staff[cur].rank in rules.backup_allowed_ranks.get(e.tier, ())
        ):
            keeps.append(_Keep(pos, ci, cur, backup_pair_cost(e, staff[ppos], staff[cur], rules)))

    pos_map = _flow_assign(unit_costs, pools, classes, keeps, partial=True)
    mapping = {entities[p].id: staff[s].id for p, s in pos_map.items()}
    load: dict[int, int] = {s.id: 0 for s in staff if s.active}
    for owner in mapping.values():
        load[owner] += 1
    reasons: dict[int, str] = {}
    uncovered: list[int] = []
    for e in entities:
        if e.id not in primary:
            continue
        bid = mapping.get(e.id)
        if bid is None:
            uncovered.append(e.id)
            continue
        member, prim = by_id[bid], by_id[primary[e.id]]
        parts = ["保持原B角" if e.current_backup == bid else "B角（协助主服务员）"]
        if prim.department is not None and member.department == prim.department:
            parts.append(f"与主服务员同部门：{member.department}")
        else:
            parts.append("跨部门补位")
        name = industry_name(e.industry)
        parts.append(f"行业匹配：{name}" if industry_matches(e, member) else f"行业未对口：{name}")
        parts.append(f"负荷均衡：B角联系{load[bid]}/{backup_capacity(member, rules)}家")
        reasons[e.id] = "；".join(parts)
    return BackupAssignment(
        mapping=mapping,
        reasons=reasons,
        objective=backup_objective(entities, staff, rules, primary, mapping),
        uncovered=uncovered,
        load=load,
    )


# --------------------------------------------------------------------------------------------
# Greedy baseline (benchmark comparison only)
# --------------------------------------------------------------------------------------------


def greedy(
    entities: Sequence[Entity],
    staff: Sequence[Staff],
    rules: Rules | None = None,
) -> Assignment:
    """Baseline: most constrained tiers first, keep the current liaison if allowed and not
    full, otherwise take the allowed staff member with the cheapest *incremental* cost
    (pair cost + next marginal load cost).  Never exceeds capacity; may leave entities
    uncovered (charged ``uncovered_penalty`` by :func:`objective`).  Uses per-pool heaps of
    (load, staff) so it runs in O(n log m) at city scale."""
    started = time.perf_counter()
    rules = rules or Rules()
    _validate(entities, staff, rules)
    pools = _primary_pools(staff)
    staff_pos = {s.id: i for i, s in enumerate(staff)}
    caps = [staff_capacity(s, rules) if s.active else 0 for s in staff]
    loads = [0] * len(staff)
    member_of: dict[int, list[Hashable]] = defaultdict(list)
    heaps: dict[Hashable, list[tuple[int, int]]] = {}
    for key, members in pools.items():
        heaps[key] = [(0, s) for s in members if caps[s] > 0]
        heapq.heapify(heaps[key])
        for s in members:
            member_of[s].append(key)

    def top(key: Hashable) -> int | None:
        heap = heaps.get(key)
        while heap:
            load, s = heap[0]
            if load == loads[s] and loads[s] < caps[s]:
                return s
            heapq.heappop(heap)  # stale entry (load changed) or full
        return None

    mapping: dict[int, int] = {}
    order = sorted(
        range(len(entities)),
        key=lambda p: (entities[p].tier, entities[p].current_liaison is None, p),
    )
    for p in order:
        e = entities[p]
        choice: int | None = None
        cur = staff_pos.get(e.current_liaison) if e.current_liaison is not None else None
        if cur is not None and is_allowed(e, staff[cur], rules) and loads[cur] < caps[cur]:
            choice = cur
        else:
            best: tuple[int, int] | None = None
            sec = industry_section(e.industry)
            for r in rules.allowed_ranks[e.tier]:
                for key in ((r, sec), (r, _ANY)):
                    cand = top(key)
                    if cand is None:
                        continue
                    inc = pair_cost(e, staff[cand], rules) + rules.load_weight * (
                        2 * loads[cand] + 1
                    )
                    if best is None or (inc, staff[cand].id) < (best[0], staff[best[1]].id):
                        best = (inc, cand)
            choice = best[1] if best else None
        if choice is None:
            continue
        mapping[e.id] = staff[choice].id
        loads[choice] += 1
        for key in member_of[choice]:
            heapq.heappush(heaps[key], (loads[choice], choice))
    return _build_assignment(entities, staff, rules, mapping, started)


__all__ = [
    "SECTION_NAMES",
    "Assignment",
    "BackupAssignment",
    "Changes",
    "Entity",
    "InfeasibleError",
    "Rules",
    "Shortage",
    "Staff",
    "assign_backups",
    "backup_capacity",
    "backup_objective",
    "backup_pair_cost",
    "check_capacity",
    "greedy",
    "industry_matches",
    "industry_name",
    "industry_section",
    "is_allowed",
    "load_cost",
    "marginal_load_cost",
    "objective",
    "objective_breakdown",
    "pair_cost",
    "solve",
    "staff_capacity",
]
