"""Benchmark of the liaison assignment engine (liaisons/solver.py).

Generates a realistic demo-park instance (~1,200 entities, ~500 staff) and a city-scale one
(20,000 entities, 5,000 staff) with fixed seeds, solves each optimally and with the greedy
baseline, and prints for each instance exactly one line

    entities=… staff=… coverage=… seconds=… objective=… greedy_objective=…

followed by an indented detail line.  ``seconds`` is the wall time of ``solve`` (primary
assignment only, including validation and the capacity check).

Run:  .venv/bin/python bench/assign.py [--backup] [--only demo|city]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Allow `python bench/assign.py` from the repo root without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from liaisons.solver import Entity, Rules, Staff, assign_backups, greedy, solve

# Industry mix by entity kind: (大类 code or 门类 letter, weight).  Manufacturing dominates a
# Chinese industrial park; shops are retail/catering/services; projects are construction.
_ABOVE_SCALE = [
    ("26", 8),
    ("27", 4),
    ("30", 4),
    ("33", 6),
    ("34", 8),
    ("35", 8),
    ("36", 6),
    ("38", 8),
    ("39", 10),
    ("C", 4),
    ("F", 4),
    ("G", 3),
    ("I", 4),
    ("M", 3),
    ("D", 1),
]
_BELOW_SCALE = [
    ("29", 5),
    ("33", 5),
    ("34", 5),
    ("38", 4),
    ("39", 4),
    ("C", 4),
    ("51", 6),
    ("I", 4),
    ("M", 4),
    ("L", 4),
    ("G", 3),
    ("E", 2),
]
_SHOPS = [("52", 10), ("62", 8), ("61", 2), ("80", 3), ("81", 3), ("51", 3), ("O", 1)]
_PROJECTS = [("47", 6), ("48", 3), ("49", 2), ("50", 1), ("E", 2)]

_DEPARTMENTS = {  # department -> industries its people usually know
    "招商一局": ["C", "I"],
    "招商二局": ["C", "M"],
    "经济发展局": ["C", "D", "G"],
    "企业服务中心": ["C", "F", "L"],
    "科技创新局": ["I", "M", "C"],
    "建设管理局": ["E", "K"],
    "商务局": ["F", "H", "O"],
    "市场监管分局": ["F", "H", "O", "C"],
    "财政金融局": ["J", "L"],
    "应急管理局": ["C", "D", "E"],
    "东区街道": ["F", "H", "O", "E"],
    "西区街道": ["F", "H", "O"],
}


@dataclass
class Instance:
    name: str
    entities: list[Entity]
    staff: list[Staff]
    rules: Rules


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in table], weights=[w for _, w in table])[0]


def make_instance(
    name: str,
    *,
    counts: dict[str, int],
    key_enterprises: int,
    key_projects: int,
    major_projects: int,
    leaders: int,
    seniors: int,
    staff_total: int,
    rules: Rules,
    seed: int,
    existing_share: float = 0.7,
    departed_share: float = 0.05,
) -> Instance:
    """Entities by kind (``counts``: 规上/规下/门店/在建), tiers: the top ``key_enterprises``
    规上 and ``major_projects`` projects are tier 1, other 规上 and ``key_projects`` projects
    tier 2, everything else tier 3.  ``existing_share`` of entities already have a liaison
    (drawn from last year's rule-abiding assignment); then ``departed_share`` of staff leave."""
    rng = random.Random(seed)
    depts = list(_DEPARTMENTS)
    staff: list[Staff] = []
    for i in range(staff_total):
        rank = 1 if i < leaders else 2 if i < leaders + seniors else 3
        dept = "管委会" if rank == 1 else rng.choice(depts)
        known = _DEPARTMENTS.get(dept, ["C", "I", "E", "F"])
        n_ind = {1: 2, 2: rng.choice([1, 2, 3]), 3: rng.choice([0, 1, 1, 2])}[rank]
        industries = set(rng.sample(known, min(n_ind, len(known))))
        if rank == 3 and rng.random() < 0.2:
            industries.add(rng.choice(["39", "38", "52", "62"]))  # specialised 大类 knowledge
        staff.append(
            Staff(id=10_000 + i, rank=rank, industries=frozenset(industries), department=dept)
        )

    raw: list[tuple[str, int, str]] = []
    for i in range(counts["规上企业"]):
        tier = 1 if i < key_enterprises else 2
        raw.append(("规上企业", tier, _pick(rng, _ABOVE_SCALE)))
    raw += [("规下企业", 3, _pick(rng, _BELOW_SCALE)) for _ in range(counts["规下企业"])]
    raw += [("个体工商户/门店", 3, _pick(rng, _SHOPS)) for _ in range(counts["门店"])]
    for i in range(counts["在建项目"]):
        tier = 1 if i < major_projects else 2 if i < major_projects + key_projects else 3
        raw.append(("在建项目", tier, _pick(rng, _PROJECTS)))
    rng.shuffle(raw)

    # Last year's assignment: random but rule-abiding, with capacity respected.
    remaining = {s.id: rules.capacity_by_rank[s.rank] for s in staff}
    by_rank: dict[int, list[int]] = {}
    for s in staff:
        by_rank.setdefault(s.rank, []).append(s.id)
    entities: list[Entity] = []
    for i, (kind, tier, industry) in enumerate(raw):
        current = None
        if rng.random() < existing_share:
            options = [sid for r in sorted(rules.allowed_ranks[tier]) for sid in by_rank[r]]
            for _ in range(20):
                sid = rng.choice(options)
                if remaining[sid] > 0:
                    remaining[sid] -= 1
                    current = sid
                    break
        entities.append(
            Entity(id=i + 1, kind=kind, tier=tier, industry=industry, current_liaison=current)
        )

    # Some staff left (调岗/退休): their entities are orphaned.  Leaders are kept so that the
    # tier-1 capacity stays as designed.
    for i in rng.sample(range(leaders, staff_total), int(departed_share * staff_total)):
        s = staff[i]
        staff[i] = Staff(
            id=s.id, rank=s.rank, industries=s.industries, department=s.department, active=False
        )
    return Instance(name, entities, staff, rules)


def demo_park() -> Instance:
    return make_instance(
        "demo",
        counts={"规上企业": 230, "规下企业": 270, "门店": 500, "在建项目": 200},
        key_enterprises=36,
        major_projects=6,
        key_projects=60,
        leaders=10,
        seniors=60,
        staff_total=500,
        rules=Rules(),
        seed=20240601,
    )


def city() -> Instance:
    # City-wide the 1:1 service is stretched thinner: higher default capacities.
    rules = Rules(capacity_by_rank={1: 8, 2: 8, 3: 4})
    return make_instance(
        "city",
        counts={"规上企业": 3800, "规下企业": 4500, "门店": 8400, "在建项目": 3300},
        key_enterprises=600,
        major_projects=100,
        key_projects=1000,
        leaders=100,
        seniors=600,
        staff_total=5000,
        rules=rules,
        seed=20240602,
    )


def run(inst: Instance, *, backup: bool) -> None:
    result = solve(inst.entities, inst.staff, inst.rules)
    base = greedy(inst.entities, inst.staff, inst.rules)
    # The one machine-readable line per instance; detail lines below avoid its "key=" tokens.
    print(
        f"entities={len(inst.entities)} staff={len(inst.staff)} "
        f"coverage={result.coverage:.3f} seconds={result.runtime:.3f} "
        f"objective={result.objective} greedy_objective={base.objective}"
    )
    ch = result.changes
    loads = list(result.load.values())
    active = sum(s.active for s in inst.staff)
    print(
        f"  [{inst.name}] {active} active staff; pairs kept {len(ch.kept)}, "
        f"moved {len(ch.moved)} (of which orphaned {len(ch.orphaned)}), new {len(ch.new)}; "
        f"load max {max(loads)}, mean {sum(loads) / len(loads):.2f}"
    )
    print(
        f"  [{inst.name}] greedy: covered {base.coverage:.1%} in {base.runtime:.3f} s, "
        f"moved {len(base.changes.moved)}; optimum is "
        f"{1 - result.objective / base.objective:.1%} cheaper"
    )
    for label, res in (("optimal", result), ("greedy ", base)):
        terms = ", ".join(f"{k} {v}" for k, v in res.cost_breakdown.items())
        print(f"  [{inst.name}] {label} cost terms: {terms}")
    if backup:
        t0 = time.perf_counter()
        b = assign_backups(inst.entities, inst.staff, inst.rules, result.mapping)
        covered = 1 - len(b.uncovered) / len(inst.entities)
        print(
            f"  [{inst.name}] backup (B角): covered {covered:.1%} in "
            f"{time.perf_counter() - t0:.3f} s, cost {b.objective}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backup", action="store_true", help="also time the B角 pass")
    parser.add_argument("--only", choices=["demo", "city"])
    args = parser.parse_args()
    factories = {"demo": demo_park, "city": city}
    for name, factory in factories.items():
        if args.only in (None, name):
            run(factory(), backup=args.backup)


if __name__ == "__main__":
    main()
