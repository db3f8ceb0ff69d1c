"""一对一专属服务员: every write to the liaison arrangement goes through a function here.

- `plan_assignment` turns the park's rows into `liaisons.solver` input, solves, and persists the
  result as a `Plan` (a preview: nothing about who serves whom changes yet).
- `apply_plan` writes a plan in one transaction: MarketEntity.liaison/backup_liaison and one
  `LiaisonAssignment` history row per changed pair.
- `handover` moves one person's entities (re-planned, or to a named person) with a note; a user
  who still serves an entity cannot be deactivated any other way (`deactivate_user`, and the
  pre_save guard installed by `liaisons.apps`).
- `overdue_entities` / `contact_alerts` implement the contact cadence; `record_contact` logs a call
  or visit and moves MarketEntity.last_contact_at.
- `assign_all` plans and applies in one go (the demo seed calls it).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection, transaction
from django.db.models import Count, Field, ForeignObjectRel, Model, Q, QuerySet
from django.utils import timezone

from entities.models import EntityKind, MarketEntity, Tier
from liaisons import solver
from liaisons.models import (
    AssignmentRules,
    Change,
    ContactKind,
    ContactLog,
    Handover,
    LiaisonAssignment,
    Plan,
    PlanItem,
    PlanStatus,
    RulesChange,
    Source,
    StaffOverride,
)
from orgs.models import Department, Park, Role, User
from qinshang import industries, inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

TIERS = (1, 2, 3)
RANKS = (1, 2, 3)
RANK_LABELS = {1: "园区领导", 2: "科级以上干部", 3: "一般干部职工"}
PLANNER_ROLES = (Role.DISPATCHER, Role.ADMIN)
VIEWER_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
ELIGIBLE_ROLE_CHOICES = (
    Role.LIAISON,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.LEADER,
    Role.DISPATCHER,
    Role.ADMIN,
)
MAX_CAPACITY = 200
MAX_WEIGHT = 1_000_000
NOTE_MAX = 500


class ShortageError(InvalidState):
    """The hard rules leave some tiers without enough liaison places."""

    def __init__(self, message: str, shortages: list[solver.Shortage]):
        super().__init__(message)
        self.shortages = shortages


# --------------------------------------------------------------------------- access


def _in_park(user: User, park: Park) -> bool:
    return user.is_superuser or user.in_park(park.pk)


def can_plan(user: User, park: Park) -> bool:
    return (
        user.is_authenticated
        and _in_park(user, park)
        and (user.is_superuser or user.role in PLANNER_ROLES)
    )


def can_view(user: User, park: Park) -> bool:
    return (
        user.is_authenticated
        and _in_park(user, park)
        and (user.is_superuser or user.role in VIEWER_ROLES)
    )


def require_planner(user: User | None, park: Park) -> None:
    if user is None:  # internal callers (seed, management commands) act as the system
        return
    if not user.is_authenticated:
        raise Forbidden("请先登录")
    if not _in_park(user, park):
        raise Forbidden("您无权管理该园区的专属服务员")
    if not (user.is_superuser or user.role in PLANNER_ROLES):
        raise Forbidden("只有派单员或系统管理员可以安排专属服务员")


def require_viewer(user: User, park: Park) -> None:
    if not user.is_authenticated:
        raise Forbidden("请先登录")
    if not _in_park(user, park):
        raise Forbidden("您无权查看该园区的专属服务员安排")
    if not (user.is_superuser or user.role in VIEWER_ROLES):
        raise Forbidden("专属服务员安排仅供派单员、系统管理员和园区领导查看")


def serves(user: User, entity: MarketEntity) -> bool:
    return user.pk is not None and user.pk in (entity.liaison_id, entity.backup_liaison_id)


def get_staff(user: User, park: Park, staff_id: Any) -> User:
    try:
        pk = int(staff_id)
    except (TypeError, ValueError):
        raise NotFound("人员不存在")
    person = User.objects.filter(pk=pk, park=park).select_related("department").first()
    if person is None:
        raise NotFound("人员不存在")
    return person


# --------------------------------------------------------------------------- rules


def rules_for(park: Park) -> AssignmentRules:
    rules, _ = AssignmentRules.objects.get_or_create(park=park)
    return rules


def parse_industries(text: str) -> list[str]:
    """'C, 39，I' -> ['C', '39', 'I']; raises InvalidInput naming the first unknown code."""
    out: list[str] = []
    for raw in str(text or "").replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        code = raw.strip().upper()
        if not code:
            continue
        if code[0].isalpha() and code[1:].isdigit() and len(code) == 3:
            code = code[1:]  # "C39" as statistics forms print it
        if code not in industries.SECTION_NAMES and not industries.is_division(code):
            raise InvalidInput(
                f"行业代码“{raw.strip()}”无效：应为门类字母（如 C）或两位大类代码（如 39）",
                field="industries",
            )
        if code not in out:
            out.append(code)
    return out


def _int_in(value: Any, label: str, low: int, high: int) -> int:
    return inputs.integer(value, label, low, high)


@dataclass
class RulesInput:
    allowed_ranks: Mapping[int, Iterable[int]]
    capacity_by_rank: Mapping[int, Any]
    backup: bool
    backup_allowed_ranks: Mapping[int, Iterable[int]]
    backup_capacity_by_rank: Mapping[int, Any]
    eligible_roles: Iterable[str]
    cadence_days: Mapping[int, Any]
    department_industries: Mapping[int, str] = field(default_factory=dict)
    industry_weight: Any = 10
    seniority_weight: Any = 2
    load_weight: Any = 1
    change_weight: Any = 1000
    department_weight: Any = 5


def update_rules(actor: User, park: Park, data: RulesInput) -> AssignmentRules:
    require_planner(actor, park)
    allowed: dict[str, list[int]] = {}
    backup_allowed: dict[str, list[int]] = {}
    for t in TIERS:
        ranks = sorted({int(r) for r in data.allowed_ranks.get(t, ()) if int(r) in RANKS})
        if not ranks:
            raise InvalidInput(
                f"第{t}层级（{Tier(t).label}）至少要允许一个职级担任专属服务员",
                field="allowed_ranks",
            )
        allowed[str(t)] = ranks
        b_ranks = sorted({int(r) for r in data.backup_allowed_ranks.get(t, ()) if int(r) in RANKS})
        if data.backup and not b_ranks:
            raise InvalidInput(f"第{t}层级至少要允许一个职级担任B角", field="backup_allowed_ranks")
        backup_allowed[str(t)] = b_ranks
    capacity = {
        str(r): _int_in(data.capacity_by_rank.get(r), f"{RANK_LABELS[r]}联系上限", 0, MAX_CAPACITY)
        for r in RANKS
    }
    backup_capacity = {
        str(r): _int_in(
            data.backup_capacity_by_rank.get(r), f"{RANK_LABELS[r]}B角上限", 0, MAX_CAPACITY
        )
        for r in RANKS
    }
    cadence = {
        str(t): _int_in(data.cadence_days.get(t), f"第{t}层级联系周期", 1, 366) for t in TIERS
    }
    roles = [r for r in ELIGIBLE_ROLE_CHOICES if r in set(data.eligible_roles)]
    if not roles:
        raise InvalidInput("至少选择一个参与联企的角色", field="eligible_roles")
    dept_ids = set(Department.objects.filter(park=park).values_list("pk", flat=True))
    dept_ind: dict[str, str] = {}
    for dept_id, text in data.department_industries.items():
        if int(dept_id) not in dept_ids:
            raise InvalidInput("部门不属于本园区", field="department_industries")
        codes = parse_industries(text)
        if codes:
            dept_ind[str(int(dept_id))] = ",".join(codes)
    rules = rules_for(park)
    before = {f: getattr(rules, f) for f in RULE_FIELDS}
    rules.allowed_ranks = allowed
    rules.backup_allowed_ranks = backup_allowed
    rules.capacity_by_rank = capacity
    rules.backup_capacity_by_rank = backup_capacity
    rules.backup = bool(data.backup)
    rules.eligible_roles = [str(r) for r in roles]
    rules.cadence_days = cadence
    rules.department_industries = dept_ind
    rules.industry_weight = _int_in(data.industry_weight, "行业未对口代价", 0, MAX_WEIGHT)
    rules.seniority_weight = _int_in(data.seniority_weight, "高职级代价", 0, MAX_WEIGHT)
    rules.load_weight = _int_in(data.load_weight, "负荷均衡权重", 0, MAX_WEIGHT)
    rules.change_weight = _int_in(data.change_weight, "变更代价", 0, MAX_WEIGHT)
    rules.department_weight = _int_in(data.department_weight, "B角跨部门代价", 0, MAX_WEIGHT)
    rules.updated_by = actor
    after = {f: getattr(rules, f) for f in RULE_FIELDS}
    changed = [f for f in RULE_FIELDS if before[f] != after[f]]
    with transaction.atomic():
        rules.save()
        if changed:
            RulesChange.objects.create(
                park=park,
                actor=actor,
                before={f: before[f] for f in changed},
                after={f: after[f] for f in changed},
            )
    return rules


# The rule fields a change record compares, with the words the editor shows for them.
RULE_FIELDS = {
    "allowed_ranks": "各层级可联系的职级",
    "backup_allowed_ranks": "各层级B角职级",
    "capacity_by_rank": "各职级联系企业上限",
    "backup_capacity_by_rank": "各职级B角上限",
    "backup": "同时安排B角",
    "eligible_roles": "参与联企的角色",
    "cadence_days": "各层级联系周期（天）",
    "department_industries": "部门熟悉的行业",
    "industry_weight": "行业未对口代价",
    "seniority_weight": "高职级代价",
    "load_weight": "负荷均衡权重",
    "change_weight": "变更代价",
    "department_weight": "B角跨部门代价",
}


def rules_changes(park: Park, limit: int = 20) -> list[dict[str, Any]]:
    """The latest rule changes, each as who, when and 字段: 前 → 后 lines."""
    out = []
    for c in RulesChange.objects.filter(park=park).select_related("actor")[:limit]:
        lines = [
            f"{RULE_FIELDS.get(k, k)}：{_shown(c.before.get(k))} → {_shown(c.after.get(k))}"
            for k in c.after
        ]
        out.append({"actor": c.actor.display_name, "at": c.at, "lines": lines})
    return out


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{k}: {_shown(v)}" for k, v in value.items()) or "（空）"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（空）"
    return str(value)


def set_override(
    actor: User | None,
    park: Park,
    person: User,
    *,
    capacity: Any = None,
    backup_capacity: Any = None,
    industries_text: str = "",
    excluded: bool = False,
    note: str = "",
) -> StaffOverride:
    require_planner(actor, park)
    if person.park_id != park.pk:
        raise InvalidInput("该人员不属于本园区", field="user")
    cap = None if capacity in (None, "") else _int_in(capacity, "联系企业上限", 0, MAX_CAPACITY)
    bcap = (
        None
        if backup_capacity in (None, "")
        else _int_in(backup_capacity, "B角上限", 0, MAX_CAPACITY)
    )
    codes = parse_industries(industries_text)
    ov, _ = StaffOverride.objects.update_or_create(
        park=park,
        user=person,
        defaults={
            "capacity": cap,
            "backup_capacity": bcap,
            "industries": ",".join(codes),
            "excluded": bool(excluded),
            "note": (note or "").strip()[:200],
        },
    )
    return ov


def delete_override(actor: User, park: Park, override_id: Any) -> None:
    require_planner(actor, park)
    StaffOverride.objects.filter(park=park, pk=override_id).delete()


def solver_rules(rules: AssignmentRules) -> solver.Rules:
    def ranks(table: Mapping[str, list[int]]) -> dict[int, frozenset[int]]:
        return {int(t): frozenset(int(r) for r in rs) for t, rs in table.items()}

    return solver.Rules(
        allowed_ranks=ranks(rules.allowed_ranks),
        capacity_by_rank={int(r): int(c) for r, c in rules.capacity_by_rank.items()},
        industry_weight=rules.industry_weight,
        load_weight=rules.load_weight,
        change_weight=rules.change_weight,
        seniority_weight=rules.seniority_weight,
        backup=rules.backup,
        backup_allowed_ranks=ranks(rules.backup_allowed_ranks),
        backup_capacity_by_rank={int(r): int(c) for r, c in rules.backup_capacity_by_rank.items()},
        department_weight=rules.department_weight,
        rank_labels=RANK_LABELS,
    )


def eligible_staff(park: Park, rules: AssignmentRules | None = None) -> QuerySet[User]:
    """Active people of the park who may be given entities under the park's rules."""
    rules = rules or rules_for(park)
    excluded = StaffOverride.objects.filter(park=park, excluded=True).values("user_id")
    return User.objects.filter(park=park, is_active=True, role__in=rules.eligible_roles).exclude(
        pk__in=excluded
    )


def _rank(user_rank: int | None) -> int:
    return user_rank if user_rank in RANKS else 3


@dataclass
class Problem:
    entities: list[solver.Entity]
    staff: list[solver.Staff]
    rules: solver.Rules
    current: dict[int, tuple[int | None, int | None]]  # entity id -> (liaison, backup)


def build_problem(park: Park, rules: AssignmentRules, exclude: Iterable[int] = ()) -> Problem:
    """The solver's input for the park's active entities and eligible staff (three queries)."""
    kind_labels = dict(EntityKind.choices)
    rows = (
        MarketEntity.objects.filter(park=park, is_active=True)
        .order_by("pk")
        .values_list("pk", "kind", "tier", "industry", "liaison_id", "backup_liaison_id")
    )
    entities = []
    current: dict[int, tuple[int | None, int | None]] = {}
    for pk, kind, tier, industry, liaison_id, backup_id in rows:
        entities.append(
            solver.Entity(
                id=pk,
                kind=kind_labels.get(kind, kind),
                tier=tier,
                industry=industry or "",
                current_liaison=liaison_id,
                current_backup=backup_id,
            )
        )
        current[pk] = (liaison_id, backup_id)
    overrides = {o.user_id: o for o in StaffOverride.objects.filter(park=park)}
    dept_ind = {int(k): parse_industries(v) for k, v in rules.department_industries.items()}
    dept_names = dict(Department.objects.filter(park=park).values_list("pk", "name"))
    skip = set(exclude)
    staff = []
    for pk, rank, dept_id in (
        eligible_staff(park, rules).order_by("pk").values_list("pk", "rank", "department_id")
    ):
        if pk in skip:
            continue
        ov = overrides.get(pk)
        codes = (
            parse_industries(ov.industries)
            if ov and ov.industries
            else dept_ind.get(dept_id or 0, [])
        )
        staff.append(
            solver.Staff(
                id=pk,
                rank=_rank(rank),
                department=dept_names.get(dept_id) if dept_id else None,
                industries=frozenset(codes),
                capacity=ov.capacity if ov else None,
                backup_capacity=ov.backup_capacity if ov else None,
            )
        )
    return Problem(entities, staff, solver_rules(rules), current)


# --------------------------------------------------------------------------- planning


def _column(field: Field[Any, Any] | ForeignObjectRel) -> str:
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{field} is not a column")
    return field.column


def _insert(model: type[Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """INSERT many rows with one executemany. A plan and its history hold a row per entity;
    bulk_create spends most of its time building model instances (0.3 s per 1,200 rows), which
    the 2-second budget for a demo-sized park cannot afford. Values must be database-ready
    (ids, strings, datetimes through `adapt_datetimefield_value`)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    cols = ", ".join(qn(_column(meta.get_field(f))) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({marks})", rows)


def _solve(problem: Problem) -> tuple[solver.Assignment, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = solver.solve(problem.entities, problem.staff, problem.rules)
        except solver.InfeasibleError as exc:
            raise ShortageError(str(exc), exc.shortages)
    notes = []
    for w in caught:
        if "change_weight" in str(w.message):
            notes.append(
                "“变更已有服务关系代价”偏低：为了行业对口或负荷均衡，方案可能调整现有服务关系。"
            )
    return result, notes


def _plan(
    park: Park, actor: User | None, *, exclude: Iterable[int] = (), purpose: str = "全面安排"
) -> Plan:
    started = time.perf_counter()
    rules = rules_for(park)
    problem = build_problem(park, rules, exclude)
    result, notes = _solve(problem)
    baseline = solver.greedy(problem.entities, problem.staff, problem.rules)
    if baseline.uncovered:
        notes.append(f"对照：贪心法会留下 {len(baseline.uncovered)} 家市场主体无人联系。")

    staff_ids = {s.id for s in problem.staff}
    backups: dict[int, int] = {}
    backup_reasons: dict[int, str] = {}
    if result.backup is not None:
        backups = dict(result.backup.mapping)
        backup_reasons = dict(result.backup.reasons)
    else:
        # B角 switched off: keep today's backup where it is still a valid choice.
        for e in problem.entities:
            b = e.current_backup
            if b is not None and b in staff_ids and b != result.mapping.get(e.id):
                backups[e.id] = b
                backup_reasons[e.id] = "保持原B角"
    kinds = {}
    for eid in result.changes.new:
        kinds[eid] = Change.NEW
    for eid in result.changes.moved:
        kinds[eid] = Change.MOVED
    for eid in result.changes.orphaned:
        kinds[eid] = Change.ORPHANED
    caps = {s.id: solver.staff_capacity(s, problem.rules) for s in problem.staff}
    bcaps = {s.id: solver.backup_capacity(s, problem.rules) for s in problem.staff}
    backup_load = Counter(backups.values())
    load = {
        str(sid): [n, caps[sid], backup_load.get(sid, 0), bcaps[sid]]
        for sid, n in result.load.items()
    }
    with_primary = [e for e in problem.entities if e.id in result.mapping]
    backup_coverage = (
        sum(1 for e in with_primary if e.id in backups) / len(with_primary) if with_primary else 1.0
    )
    with transaction.atomic():
        plan = Plan.objects.create(
            park=park,
            purpose=purpose[:100],
            created_by=actor if actor is not None and actor.pk else None,
            entity_count=len(problem.entities),
            staff_count=len(problem.staff),
            coverage=result.coverage,
            backup_coverage=backup_coverage,
            objective=result.objective,
            greedy_objective=baseline.objective,
            breakdown=result.cost_breakdown,
            kept=len(result.changes.kept),
            moved=len(result.changes.moved) - len(result.changes.orphaned),
            new=len(result.changes.new),
            orphaned=len(result.changes.orphaned),
            backup_changed=sum(
                1 for e in problem.entities if backups.get(e.id) != problem.current[e.id][1]
            ),
            load=load,
            warnings=notes,
            rules_snapshot={
                "allowed_ranks": rules.allowed_ranks,
                "capacity_by_rank": rules.capacity_by_rank,
                "backup": rules.backup,
                "backup_allowed_ranks": rules.backup_allowed_ranks,
                "eligible_roles": rules.eligible_roles,
                "excluded_staff": sorted(set(exclude)),
            },
        )
        _insert(
            PlanItem,
            (
                "plan",
                "entity",
                "liaison",
                "backup",
                "previous_liaison",
                "previous_backup",
                "change",
                "reason",
                "backup_reason",
                "backup_changed",
            ),
            [
                (
                    plan.pk,
                    e.id,
                    result.mapping[e.id],
                    backups.get(e.id),
                    e.current_liaison,
                    e.current_backup,
                    kinds.get(e.id, Change.KEPT),
                    result.reasons[e.id][:300],
                    backup_reasons.get(e.id, "")[:300],
                    backups.get(e.id) != e.current_backup,
                )
                for e in problem.entities
            ],
        )
        plan.solve_ms = int((time.perf_counter() - started) * 1000)
        plan.save(update_fields=["solve_ms"])
    return plan


def plan_assignment(park: Park, actor: User) -> Plan:
    """Solve for the whole park and persist the proposal (a preview; nothing else changes)."""
    require_planner(actor, park)
    return _plan(park, actor)


def get_plan(user: User, park: Park, plan_id: Any) -> Plan:
    require_viewer(user, park)
    try:
        pk = int(plan_id)
    except (TypeError, ValueError):
        raise NotFound("方案不存在")
    plan = Plan.objects.filter(pk=pk, park=park).first()
    if plan is None:
        raise NotFound("方案不存在")
    return plan


def _post_of(
    rank: int | None, dept_id: int | None, title: str, dept_names: Mapping[int, str]
) -> str:
    parts = [RANK_LABELS.get(_rank(rank), ""), dept_names.get(dept_id or 0, ""), title or ""]
    return " · ".join(p for p in parts if p)[:150]


@dataclass
class PairChange:
    entity_id: int
    liaison_id: int
    backup_id: int | None
    reason: str


def _write_changes(
    park: Park,
    changes: list[PairChange],
    actor: User | None,
    *,
    source: str,
    plan: Plan | None = None,
    handover: Handover | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Set the new pairs on the entities and close/open history rows. Caller holds the
    transaction and has checked that the changes are valid."""
    if not changes:
        return 0
    now = now or timezone.now()
    ids = [c.entity_id for c in changes]
    people_ids = {c.liaison_id for c in changes}
    dept_names = dict(Department.objects.filter(park=park).values_list("pk", "name"))
    posts = {
        pk: _post_of(rank, dept_id, title, dept_names)
        for pk, rank, dept_id, title in User.objects.filter(pk__in=people_ids).values_list(
            "pk", "rank", "department_id", "title"
        )
    }
    # One statement executed many times: bulk_update's CASE expressions grow quadratically
    # on SQLite (1,200 rows took 4 s), executemany stays linear.
    table = connection.ops.quote_name(MarketEntity._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {table} SET liaison_id = %s, backup_liaison_id = %s, updated_at = %s "
            "WHERE id = %s",
            [(c.liaison_id, c.backup_id, stamp, c.entity_id) for c in changes],
        )
    LiaisonAssignment.objects.filter(entity_id__in=ids, end__isnull=True).update(end=now)
    actor_id = actor.pk if actor is not None else None
    _insert(
        LiaisonAssignment,
        (
            "park",
            "entity",
            "liaison",
            "backup",
            "role",
            "start",
            "reason",
            "source",
            "plan",
            "handover",
            "changed_by",
        ),
        [
            (
                park.pk,
                c.entity_id,
                c.liaison_id,
                c.backup_id,
                posts[c.liaison_id],
                stamp,
                c.reason[:500],
                source,
                plan.pk if plan else None,
                handover.pk if handover else None,
                actor_id,
            )
            for c in changes
        ],
    )
    return len(changes)


@dataclass
class ApplyResult:
    changed: int
    kept: int


def _apply(
    plan: Plan,
    actor: User | None,
    *,
    source: str = Source.PLAN,
    handover: Handover | None = None,
    reason_prefix: str = "",
) -> ApplyResult:
    park = plan.park
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.DRAFT:
            raise InvalidState(f"该方案{locked.get_status_display()}，不能再次生效；请重新生成方案")
        items = list(
            PlanItem.objects.filter(plan=plan).values_list(
                "entity_id",
                "liaison_id",
                "backup_id",
                "previous_liaison_id",
                "previous_backup_id",
                "reason",
                "backup_reason",
            )
        )
        current = {
            pk: (lid, bid)
            for pk, lid, bid in MarketEntity.objects.select_for_update()
            .filter(park=park, is_active=True)
            .values_list("pk", "liaison_id", "backup_liaison_id")
        }
        stale = len(current) != len(items)
        for eid, _lid, _bid, prev_l, prev_b, _r, _br in items:
            if current.get(eid, (-1, -1)) != (prev_l, prev_b):
                stale = True
                break
        rules = rules_for(park)
        people = {i[1] for i in items} | {i[2] for i in items if i[2]}
        if not stale:
            ok = set(eligible_staff(park, rules).filter(pk__in=people).values_list("pk", flat=True))
            stale = bool(people - ok)
        if stale:
            # Not raised here: the exception would roll the STALE mark back with everything.
            Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.STALE)
            plan.status = PlanStatus.STALE
        else:
            result = _write_plan(plan, actor, items, source, handover, reason_prefix)
    if stale:
        raise InvalidState(
            "方案生成后，市场主体、人员或服务关系已有变化，该方案已过期；请重新生成方案后再确认"
        )
    return result


def _write_plan(
    plan: Plan,
    actor: User | None,
    items: list[tuple[Any, ...]],
    source: str,
    handover: Handover | None,
    reason_prefix: str,
) -> ApplyResult:
    park = plan.park
    changes = []
    for eid, lid, bid, prev_l, prev_b, reason, b_reason in items:
        if (lid, bid) == (prev_l, prev_b):
            continue
        text = reason
        if bid != prev_b and b_reason:
            text = f"{reason}｜B角：{b_reason}"
        changes.append(PairChange(eid, lid, bid, reason_prefix + text))
    now = timezone.now()
    n = _write_changes(park, changes, actor, source=source, plan=plan, handover=handover, now=now)
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.APPLIED,
        applied_at=now,
        applied_by=actor if actor is not None and actor.pk else None,
    )
    Plan.objects.filter(park=park, status=PlanStatus.DRAFT).exclude(pk=plan.pk).update(
        status=PlanStatus.STALE
    )
    plan.refresh_from_db()
    return ApplyResult(changed=n, kept=len(items) - n)


def apply_plan(plan: Plan, actor: User) -> ApplyResult:
    """Make a previewed plan the arrangement, in one transaction; refuse a stale plan."""
    require_planner(actor, plan.park)
    return _apply(plan, actor)


def assign_all(park: Park, actor: User | None = None) -> Plan:
    """Plan and apply in one go (for the demo seed and first-time setup)."""
    require_planner(actor, park)
    plan = _plan(park, actor, purpose="初始安排" if actor is None else "全面安排")
    _apply(plan, actor)
    return plan


# --------------------------------------------------------------------------- handover


def served_by(person: User) -> QuerySet[MarketEntity]:
    """Active entities the person serves as A角 or B角."""
    return MarketEntity.objects.filter(Q(liaison=person) | Q(backup_liaison=person), is_active=True)


def handover(
    person: User, actor: User | None, note: str, to: User | None = None, *, deactivate: bool = False
) -> Handover:
    """`person` stops serving their entities (leaving, or a new post): re-plan only what must
    move, or give their A角 entities to `to`. Every moved pair gets the note in its history.
    With `deactivate`, the account is switched off afterwards in the same transaction."""
    return handover_many([person], actor, note, to=to, deactivate=deactivate)[0]


def handover_many(
    persons: list[User],
    actor: User | None,
    note: str,
    to: User | None = None,
    *,
    deactivate: bool = False,
) -> list[Handover]:
    """Several people leave at once (a reorganisation): one re-plan for all of them."""
    if not persons:
        return []
    park = persons[0].park
    if park is None or any(p.park_id != park.pk for p in persons):
        raise InvalidInput("交接人员须属于同一园区", field="person")
    require_planner(actor, park)
    note = (note or "").strip()
    if not note:
        raise InvalidInput("请填写交接说明（如：调任、退休、长期病假）", field="note")
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"交接说明不能超过 {NOTE_MAX} 字", field="note")
    if to is not None:
        if len(persons) != 1:
            raise InvalidInput("指定接手人时一次只能交接一人", field="to")
        _check_receiver(persons[0], to, park)
    creator = actor if actor is not None and actor.pk else persons[0]
    with transaction.atomic():
        records = [
            Handover.objects.create(
                park=park,
                person=p,
                to=to,
                note=note,
                deactivated=deactivate,
                entity_count=served_by(p).count(),
                created_by=creator,
            )
            for p in persons
        ]
        if to is None:
            names = "、".join(p.display_name for p in persons[:3])
            more = f"等{len(persons)}人" if len(persons) > 3 else ""
            plan = _plan(
                park, actor, exclude=[p.pk for p in persons], purpose=f"{names}{more}工作交接"
            )
            Handover.objects.filter(pk__in=[r.pk for r in records]).update(plan=plan)
            prefix = f"工作交接（{names}{more}）：{note}｜"
            _apply(
                plan,
                actor,
                source=Source.HANDOVER,
                handover=records[0] if len(records) == 1 else None,
                reason_prefix=prefix,
            )
            if len(records) > 1:
                _link_handovers(plan, records)
        else:
            person = persons[0]
            prefix = f"工作交接（{person.display_name}→{to.display_name}）：{note}｜"
            _hand_to(person, to, actor, park, records[0], prefix)
        if deactivate:
            for p in persons:
                p.is_active = False
                p.save(update_fields=["is_active"])
    return records


def _link_handovers(plan: Plan, records: list[Handover]) -> None:
    # With several people leaving, each new history row points at the handover of the person
    # who served the entity before.
    by_person: dict[int | None, int] = {r.person_id: r.pk for r in records}
    prev = dict(PlanItem.objects.filter(plan=plan).values_list("entity_id", "previous_liaison_id"))
    prev_b = dict(PlanItem.objects.filter(plan=plan).values_list("entity_id", "previous_backup_id"))
    rows_of: dict[int, list[int]] = defaultdict(list)
    for pk, eid in LiaisonAssignment.objects.filter(plan=plan).values_list("pk", "entity_id"):
        hid = by_person.get(prev.get(eid)) or by_person.get(prev_b.get(eid))
        if hid:
            rows_of[hid].append(pk)
    for hid, pks in rows_of.items():
        LiaisonAssignment.objects.filter(pk__in=pks).update(handover_id=hid)


def _check_receiver(person: User, to: User, park: Park) -> None:
    rules = rules_for(park)
    if to.pk == person.pk:
        raise InvalidInput("接手人不能是交出人本人", field="to")
    if to.park_id != park.pk or not to.is_active:
        raise InvalidInput("接手人须是本园区在岗人员", field="to")
    if not eligible_staff(park, rules).filter(pk=to.pk).exists():
        raise InvalidInput(
            f"{to.display_name}不在联企人员范围内（角色或个别设置不允许）", field="to"
        )
    ents = list(
        MarketEntity.objects.filter(liaison=person, is_active=True).values_list("tier", flat=True)
    )
    allowed = {int(t): set(rs) for t, rs in rules.allowed_ranks.items()}
    bad = Counter(t for t in ents if _rank(to.rank) not in allowed.get(t, set()))
    if bad:
        detail = "、".join(f"第{t}层级{n}家" for t, n in sorted(bad.items()))
        raise InvalidInput(
            f"{to.display_name}的职级（{RANK_LABELS[_rank(to.rank)]}）不能联系其中"
            f"{detail}（分层级规则）；请改为“重新安排”或选择其他接手人",
            field="to",
        )
    problem = build_problem(park, rules)
    member = next((s for s in problem.staff if s.id == to.pk), None)
    cap = solver.staff_capacity(member, problem.rules) if member else 0
    has = MarketEntity.objects.filter(liaison=to, is_active=True).count()
    if has + len(ents) > cap:
        raise InvalidInput(
            f"{to.display_name}现联系 {has} 家，接手 {len(ents)} 家后超过上限 {cap} 家；"
            "请改为“重新安排”或先调整其上限",
            field="to",
        )


def _hand_to(
    person: User, to: User, actor: User | None, park: Park, record: Handover, prefix: str
) -> None:
    rules = rules_for(park)
    problem = build_problem(park, rules, exclude=[person.pk])
    ents = {e.id: e for e in problem.entities}
    primary = {
        e.id: (to.pk if e.current_liaison == person.pk else e.current_liaison)
        for e in problem.entities
    }
    # A backup must change where it was the person, or where it is now also the A角.
    needs_backup = {
        eid
        for eid, e in ents.items()
        if e.current_backup == person.pk or e.current_backup == primary[eid]
    }
    new_backup: dict[int, int | None] = {}
    backup_reason: dict[int, str] = {}
    if needs_backup:
        known = {s.id for s in problem.staff}
        sub = [ents[eid] for eid in sorted(needs_backup) if primary[eid] in known]
        res = None
        if rules.backup and sub:
            pmap = {e.id: p for e in sub if (p := primary[e.id]) is not None}
            clean = [
                solver.Entity(e.id, e.kind, e.tier, e.industry, e.current_liaison, None)
                for e in sub
            ]
            # Capacity left for backups: what each person does not already use elsewhere.
            used = Counter(
                e.current_backup
                for e in problem.entities
                if e.id not in needs_backup and e.current_backup is not None
            )
            staff = [
                solver.Staff(
                    s.id,
                    s.rank,
                    None,
                    s.industries,
                    s.department,
                    True,
                    max(0, solver.backup_capacity(s, problem.rules) - used[s.id]),
                )
                for s in problem.staff
            ]
            res = solver.assign_backups(clean, staff, problem.rules, pmap)
        for eid in needs_backup:
            new_backup[eid] = res.mapping.get(eid) if res else None
            backup_reason[eid] = (
                res.reasons.get(eid, "暂无可任B角的人员") if res else "原B角不再适用"
            )
    changes = []
    for eid, e in ents.items():
        lid = primary[eid]
        bid = new_backup.get(eid, e.current_backup)
        if (lid, bid) == (e.current_liaison, e.current_backup) or lid is None:
            continue
        reason = (
            f"指定{to.display_name}接手"
            if lid == to.pk and e.current_liaison == person.pk
            else "保持原服务关系"
        )
        if eid in new_backup:
            reason += f"｜B角：{backup_reason[eid]}"
        changes.append(PairChange(eid, lid, bid, prefix + reason))
    _write_changes(park, changes, actor, source=Source.HANDOVER, handover=record)


def deactivate_user(person: User, actor: User | None) -> None:
    """Switch an account off. Refused while the person still serves an entity: that must go
    through `handover(..., deactivate=True)` so that nothing is left without a liaison."""
    if person.park is not None:
        require_planner(actor, person.park)
    n = served_by(person).count()
    if n:
        raise InvalidState(
            f"{person.display_name}仍是 {n} 家市场主体的专属服务员或B角，"
            "须先办理工作交接，才能停用账号"
        )
    person.is_active = False
    person.save(update_fields=["is_active"])


def deactivation_blocker(person: User) -> str | None:
    """Why `person` may not be switched off yet (the admin form asks through orgs.admin)."""
    n = served_by(person).count()
    if not n:
        return None
    return (
        f"该用户仍是 {n} 家市场主体的专属服务员或B角，请先在“专属服务员 → 工作交接”中"
        "办理交接，再停用账号。"
    )


def guard_user_deactivation(sender: type, instance: User, **kwargs: Any) -> None:
    """pre_save guard: whatever path switches a user off (admin, shell, API), it may not leave
    entities without their liaison."""
    if instance.pk is None or instance.is_active:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and "is_active" not in fields:
        return
    n = served_by(instance).count()
    if n:
        raise InvalidState(
            f"{instance.display_name}仍是 {n} 家市场主体的专属服务员或B角，"
            "须先办理工作交接，才能停用账号"
        )


# --------------------------------------------------------------------------- history


def entity_history(entity: MarketEntity) -> QuerySet[LiaisonAssignment]:
    return entity.liaison_history.select_related("liaison", "backup", "changed_by", "handover")


def person_history(person: User) -> QuerySet[LiaisonAssignment]:
    return LiaisonAssignment.objects.involving(person.pk).select_related(
        "entity", "liaison", "backup", "changed_by"
    )


class StaffLoad(TypedDict):
    n_primary: int
    n_backup: int


def staff_loads(park: Park) -> QuerySet[WithAnnotations[User, StaffLoad]]:
    """Staff of the park with how many active entities they serve as A角 and B角."""
    return (
        User.objects.filter(park=park)
        .exclude(role__in=(Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT))
        .annotate(
            n_primary=Count(
                "served_entities", filter=Q(served_entities__is_active=True), distinct=True
            ),
            n_backup=Count(
                "backup_entities", filter=Q(backup_entities__is_active=True), distinct=True
            ),
        )
        .select_related("department")
    )


# --------------------------------------------------------------------------- contact cadence


def cadence_for(park: Park) -> dict[int, int]:
    rules = rules_for(park)
    return {int(t): int(d) for t, d in rules.cadence_days.items()}


def overdue_entities(
    park: Park, *, now: dt.datetime | None = None, cadence: Mapping[int, int] | None = None
) -> QuerySet[MarketEntity]:
    """Active entities nobody contacted within their tier's cadence (never-contacted ones count
    from the day they were registered)."""
    now = now or timezone.now()
    cadence = cadence or cadence_for(park)
    cond = Q(pk__in=[])
    for tier, days in cadence.items():
        limit = now - dt.timedelta(days=days)
        cond |= Q(tier=tier) & (
            Q(last_contact_at__lt=limit) | Q(last_contact_at__isnull=True, created_at__lt=limit)
        )
    return MarketEntity.objects.filter(park=park, is_active=True).filter(cond)


def days_since_contact(entity: MarketEntity, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    since = entity.last_contact_at or entity.created_at
    return max(0, (now - since).days)


@dataclass
class ContactAlerts:
    """Who must hear about which overdue entities: each liaison about theirs, and the dispatch
    centre about all of them (`centre` is None if the park has not marked one)."""

    park: Park
    by_liaison: dict[int, list[MarketEntity]]
    unassigned: list[MarketEntity]
    centre: Department | None
    total: int


def contact_alerts(park: Park, now: dt.datetime | None = None) -> ContactAlerts:
    """For the notification scan: overdue entities grouped by recipient (two queries)."""
    ents = list(overdue_entities(park, now=now).order_by("tier", "last_contact_at", "pk"))
    by: dict[int, list[MarketEntity]] = defaultdict(list)
    unassigned = []
    for e in ents:
        if e.liaison_id:
            by[e.liaison_id].append(e)
        else:
            unassigned.append(e)
    centre = Department.objects.filter(park=park, is_dispatch_centre=True, is_active=True).first()
    return ContactAlerts(park, dict(by), unassigned, centre, len(ents))


@dataclass(frozen=True)
class AlertMessage:
    """One reminder for one person, ready for the bell: the notification scan stores it with
    `dedupe_key` so that a second scan on the same day sends nothing twice."""

    user_id: int
    text: str
    url: str
    dedupe_key: str


def contact_alert_messages(park: Park, now: dt.datetime | None = None) -> list[AlertMessage]:
    """The contact-cadence reminders of a day: each liaison hears about their overdue entities,
    everyone in the dispatch centre about the park's total (three queries)."""
    now = now or timezone.now()
    alerts = contact_alerts(park, now)
    if not alerts.total:
        return []
    day = timezone.localtime(now).date().isoformat()
    out = []
    for uid, ents in alerts.by_liaison.items():
        names = "、".join(e.name for e in ents[:3]) + (
            f"等 {len(ents)} 家" if len(ents) > 3 else ""
        )
        out.append(
            AlertMessage(
                uid,
                f"超期未联系：{names}，请尽快走访或电话联系",
                "/liaisons/contacts/",
                f"contact:{park.pk}:{day}",
            )
        )
    if alerts.centre is not None:
        text = f"全区 {alerts.total} 家市场主体超期未联系"
        if alerts.unassigned:
            text += f"（其中 {len(alerts.unassigned)} 家尚无专属服务员）"
        for uid in (
            User.objects.filter(department=alerts.centre, is_active=True)
            .exclude(pk__in=list(alerts.by_liaison))
            .values_list("pk", flat=True)
        ):
            out.append(AlertMessage(uid, text, "/liaisons/contacts/", f"contact:{park.pk}:{day}"))
    return out


def visible_contact_entities(user: User, park: Park) -> QuerySet[MarketEntity]:
    """Whose contact cadence a user may see: all for viewers, their own for a liaison."""
    if not user.is_authenticated or not _in_park(user, park):
        return MarketEntity.objects.none()
    if user.is_superuser or user.role in VIEWER_ROLES:
        return MarketEntity.objects.filter(park=park)
    return MarketEntity.objects.filter(Q(liaison=user) | Q(backup_liaison=user), park=park)


def record_contact(
    actor: User, entity: MarketEntity, kind: str, *, at: dt.datetime | None = None, note: str = ""
) -> ContactLog:
    """A call, visit or meeting with an entity; moves last_contact_at forward (never back)."""
    park = entity.park
    if not _in_park(actor, park):
        raise Forbidden("您无权为该企业登记联系")
    if not (serves(actor, entity) or actor.is_superuser or actor.role in PLANNER_ROLES):
        raise Forbidden("只有该企业的专属服务员（或派单员）可以登记联系")
    if kind not in ContactKind.values:
        raise InvalidInput(f"联系方式“{kind}”无效", field="kind")
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5):
        raise InvalidInput("联系时间不能晚于现在", field="at")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"情况说明不能超过 {NOTE_MAX} 字", field="note")
    with transaction.atomic():
        log = ContactLog.objects.create(
            park=park, entity=entity, by=actor, kind=kind, at=at, note=note
        )
        MarketEntity.objects.filter(pk=entity.pk).filter(
            Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=at)
        ).update(last_contact_at=at)
    entity.refresh_from_db(fields=["last_contact_at"])
    return log
