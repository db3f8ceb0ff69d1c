"""Bring a park's (or a hotline's) existing ledger sheet into Qinshang.

    report = import_ledger(data, park=park, user=user, mapping={"承办科室": "lead_department"},
                           create_missing=True, dry_run=True)

Columns are recognised by their usual names and synonyms (demands/columns.py); the user maps the
rest. Columns nobody maps are kept on each item (Demand.extra). Departments, categories and
enterprises the sheet names but the park lacks are created only with `create_missing`; otherwise
the rows naming them are refused. Every problem is reported with its sheet row and column; a row
with an error is not imported, a row with only warnings is. A dry run does everything inside a
transaction that is then rolled back: the report is the one the real import would give.

Why the rows and events are written here rather than by calling the workflow actions one by one:
the actions check *today's* rules and permissions (only the department's own staff may sign or
answer its task; an unrated item closes only after a recorded call-back and N working days; time
limits of 1–120 days), while a history sheet records what other people did under other rules.
Replaying it through the actions would either refuse most history or need fake department users.
So the importer writes the same rows and the same timeline events the actions write (same action
names, statuses and event data that the metrics read, plus "imported": true), for all rows in one
transaction, in bulk — a 10,000-row hotline sheet goes in within a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from demands.columns import BY_KEY, EXTRA, FIELDS, IGNORE, MAP_TARGETS, recognise
from demands.models import (
    Category,
    Channel,
    Demand,
    Event,
    NumberSequence,
    RequesterKind,
    Status,
    Task,
    TaskRole,
    TaskStatus,
    Tier,
)
from demands.signals import ledger_imported
from entities.models import EntityKind, MarketEntity
from exchange import parse
from orgs.models import Department, Park, Role, User
from qinshang import sheets
from qinshang.errors import Forbidden, InvalidInput
from qinshang.validators import check_credit_code, normalize_credit_code
from workcal import calendar as wcal

IMPORT_ROLES = (Role.DISPATCHER, Role.ADMIN)
ANSWERED = (Status.ANSWERED, Status.CONFIRMED, Status.CLOSED)
DEFAULT_TIME_LIMIT = 10
CHUNK = 500


@dataclass
class Problem:
    row: int  # row number in the sheet (as Excel shows it)
    column: str
    message: str
    level: str = "error"  # error: the row is not imported; warning: imported as noted


@dataclass
class ImportReport:
    dry_run: bool
    headers: list[str]
    mapping: dict[str, str]  # header -> field key, "extra" or "ignore"
    rows: int = 0
    imported: int = 0
    skipped: int = 0  # already in the ledger
    refused: int = 0  # rows with errors
    problems: list[Problem] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # kind -> names the park lacks
    created: dict[str, list[str]] = field(default_factory=dict)  # kind -> names created
    demand_ids: list[int] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.refused == 0

    @property
    def kept_as_extra(self) -> list[str]:
        return [h for h, k in self.mapping.items() if k == EXTRA]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "headers": self.headers,
            "mapping": self.mapping,
            "rows": self.rows,
            "imported": self.imported,
            "skipped": self.skipped,
            "refused": self.refused,
            "missing": self.missing,
            "created": self.created,
            "statuses": self.statuses,
            "kept_as_extra": self.kept_as_extra,
            "problems": [p.__dict__ for p in self.problems],
        }

    def summary(self) -> str:
        verb = "将导入" if self.dry_run else "已导入"
        return (
            f"共 {self.rows} 行：{verb} {self.imported} 行，已在台账中跳过 {self.skipped} 行，"
            f"有错误未导入 {self.refused} 行；警告 "
            f"{sum(p.level == 'warning' for p in self.problems)} 条。"
        )


MISSING_LABELS = {"department": "部门", "category": "类别", "enterprise": "企业"}


# --------------------------------------------------------------------------- mapping


def detect_mapping(
    headers: Iterable[str], overrides: dict[str, str] | None = None
) -> dict[str, str]:
    """Which field each column feeds: recognised names first, then the user's choices. A field
    fed by two columns keeps the first; the other is kept as an extra field."""
    overrides = dict(overrides or {})
    headers = list(headers)
    for h, target in overrides.items():
        if h not in headers:
            raise InvalidInput(f"表中没有名为“{h}”的列（有：{'、'.join(headers)}）", field="map")
        if target not in MAP_TARGETS:
            raise InvalidInput(
                f"列“{h}”的对应字段“{target}”无效，可选：{'、'.join(MAP_TARGETS)}", field="map"
            )
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for h in headers:
        key = overrides.get(h) or recognise(h) or EXTRA
        if key not in (EXTRA, IGNORE):
            if key in used:
                if h in overrides:
                    raise InvalidInput(
                        f"有两列都对应到“{MAP_TARGETS[key]}”，请只保留一列", field="map"
                    )
                key = EXTRA
            used.add(key)
        mapping[h] = key
    return mapping


def parse_map_option(values: Iterable[str]) -> dict[str, str]:
    """`--map "承办科室=lead_department"` (field keys or their Chinese headers)."""
    by_label = {label: key for key, label in MAP_TARGETS.items()}
    out: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise InvalidInput(f"--map 的写法应为“列名=字段”，而不是“{item}”", field="map")
        header, target = (x.strip() for x in item.split("=", 1))
        out[header] = by_label.get(target, recognise(target) or target)
    return out


# --------------------------------------------------------------------------- rows


@dataclass
class Row:
    n: int
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.n, column, message))

    def warn(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.n, column, message, "warning"))

    @property
    def failed(self) -> bool:
        return any(p.level == "error" for p in self.problems)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _read_row(n: int, cells: list[Any], headers: list[str], mapping: dict[str, str]) -> Row:
    row = Row(n)
    for header, value in zip(headers, cells, strict=False):
        key = mapping.get(header, EXTRA)
        if key == IGNORE or parse.blank(value):
            continue
        if key == EXTRA:
            row.extra[header] = _json_value(value)
            continue
        f = BY_KEY[key]
        try:
            if f.kind == "datetime":
                row.values[key] = parse.when(value)
            elif f.kind == "date":
                row.values[key] = parse.day(value)
            elif f.kind == "int":
                row.values[key] = parse.integer(value)
            elif f.kind == "bool":
                row.values[key] = parse.yes_no(value)
            elif f.kind == "choice":
                row.values[key] = parse.choice(key, value)
            else:
                row.values[key] = parse.text(value)
        except parse.CellError as exc:
            # The cell is kept as written so nothing is lost; the field stays empty.
            row.warn(header, f"{exc}，已原样保留在其他字段中")
            row.extra[header] = _json_value(value)
        if key == "category_l3" and key in row.values:
            row.extra[header] = row.values.pop(key)
    return row


# --------------------------------------------------------------------------- references


class Refs:
    """Departments, categories, enterprises and staff of the park, looked up by name, and the
    ones the sheet names but the park lacks (created when the user agreed)."""

    def __init__(self, park: Park, create_missing: bool, report: ImportReport):
        self.park = park
        self.create = create_missing
        self.report = report
        self.depts = {d.name: d for d in Department.objects.filter(park=park)}
        self.depts.update({d.code: d for d in self.depts.values() if d.code not in self.depts})
        cats = list(Category.objects.filter(park=park))
        self.cat_l1 = {c.name: c for c in cats if c.parent_id is None}
        self.cat_l2 = {(c.parent_id, c.name): c for c in cats if c.parent_id}
        self.cat_any: dict[str, Category] = {}
        for c in sorted(cats, key=lambda c: c.parent_id is None):
            self.cat_any.setdefault(c.name, c)
        self.ent_by_code: dict[str, MarketEntity] = {}
        self.ent_by_name: dict[str, MarketEntity] = {}
        for e in MarketEntity.objects.filter(park=park):
            if e.credit_code:
                self.ent_by_code[e.credit_code] = e
            self.ent_by_name.setdefault(e.name, e)
        staff = User.objects.filter(Q(park=park) | Q(extra_parks=park)).distinct()
        self.staff: dict[str, User] = {}
        for u in staff.exclude(role__in=(Role.ENTERPRISE, Role.RESIDENT)):
            for key in (u.username, u.full_name):
                if key:
                    self.staff.setdefault(key, u)
        self._serial = 0

    def _missing(self, kind: str, name: str) -> None:
        names = self.report.missing.setdefault(kind, [])
        if name not in names:
            names.append(name)

    def _created(self, kind: str, name: str) -> None:
        self.report.created.setdefault(kind, []).append(name)

    def _code(self, prefix: str, name: str) -> str:
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        return f"{prefix}-{digest}"

    def department(self, name: str, row: Row, column: str) -> Department | None:
        dept = self.depts.get(name)
        if dept is not None:
            return dept
        self._missing("department", name)
        if not self.create:
            row.error(column, f"本园区没有部门“{name}”；请在映射中核对，或同意新建缺少的部门")
            return None
        dept = Department.objects.create(
            park=self.park, name=name, code=self._code("imp", name), sort=900
        )
        self.depts[name] = dept
        self._created("department", name)
        return dept

    def category(self, l1: str, l2: str, row: Row, column: str) -> Category | None:
        if not l1 and not l2:
            return None
        parent = None
        if l1:
            parent = self.cat_l1.get(l1)
            if parent is None and not l2 and l1 in self.cat_any:
                return self.cat_any[l1]  # a level-2 name written in the level-1 column
            if parent is None:
                self._missing("category", l1)
                if not self.create:
                    row.error(column, f"本园区没有诉求类别“{l1}”；请核对，或同意新建缺少的类别")
                    return None
                parent = Category.objects.create(
                    park=self.park, name=l1, code=self._code("imp", l1), sort=900
                )
                self.cat_l1[l1] = parent
                self.cat_any.setdefault(l1, parent)
                self._created("category", l1)
            if not l2:
                return parent
        cat = self.cat_l2.get((parent.pk, l2)) if parent else self.cat_any.get(l2)
        if cat is not None:
            return cat
        label = f"{l1}/{l2}" if l1 else l2
        self._missing("category", label)
        if not self.create:
            row.error(column, f"本园区没有诉求类别“{label}”；请核对，或同意新建缺少的类别")
            return None
        cat = Category.objects.create(
            park=self.park,
            parent=parent,
            name=l2,
            code=self._code("imp", label),
            sort=900,
            default_department=None,
            time_limit_days=DEFAULT_TIME_LIMIT,
        )
        self.cat_any.setdefault(l2, cat)
        if parent:
            self.cat_l2[(parent.pk, l2)] = cat
        else:
            self.cat_l1.setdefault(l2, cat)
        self._created("category", label)
        return cat

    def enterprise(self, name: str, code: str, row: Row) -> MarketEntity | None:
        if code:
            norm = normalize_credit_code(code)
            if norm in self.ent_by_code:
                return self.ent_by_code[norm]
            if check_credit_code(norm):
                row.warn(
                    BY_KEY["credit_code"].header,
                    f"统一社会信用代码“{code}”校验不通过，按企业名称匹配",
                )
                code = ""
            else:
                code = norm
        if not name:
            return None
        ent = self.ent_by_name.get(name)
        if ent is not None:
            return ent
        self._missing("enterprise", name)
        if not self.create:
            row.error(
                BY_KEY["enterprise"].header,
                f"主体库中没有企业“{name}”；请先导入主体，或同意新建缺少的企业",
            )
            return None
        ent = MarketEntity.objects.create(
            park=self.park, name=name, credit_code=code, kind=EntityKind.BELOW_SCALE
        )
        row.warn(BY_KEY["enterprise"].header, f"已新建主体“{name}”，类型暂按规下企业，请核对")
        self.ent_by_name[name] = ent
        if code:
            self.ent_by_code[code] = ent
        self._created("enterprise", name)
        return ent


# --------------------------------------------------------------------------- building


@dataclass
class Plan:
    """One row turned into the rows and events the workflow would have written."""

    row: Row
    demand: Demand
    tasks: list[Task]
    events: list[tuple[str, dict[str, Any]]]  # (task key or "", Event kwargs)
    merged_into: str = ""


def _first(*values: dt.datetime | None) -> dt.datetime | None:
    return next((v for v in values if v is not None), None)


def _status(v: dict[str, Any], has_lead: bool) -> str:
    if v.get("status"):
        return str(v["status"])
    if v.get("merged_into"):
        return Status.MERGED
    if v.get("closed_flag") or v.get("closed_at"):
        return Status.CLOSED
    if v.get("satisfaction"):
        return Status.CONFIRMED
    if v.get("answer") or v.get("answered_at") or v.get("outcome"):
        return Status.ANSWERED
    if has_lead:
        signed = v.get("signed_at") or v.get("responded")
        return Status.IN_PROGRESS if signed else Status.DISPATCHED
    return Status.RECEIVED


def _plan(row: Row, refs: Refs, park: Park, user: User | None) -> Plan | None:
    v = row.values
    description = v.get("description") or v.get("title") or ""
    if not description:
        row.error(BY_KEY["description"].header, "诉求内容为空")
    title = v.get("title") or description.replace("\n", " ")[:40]
    created = _first(
        v.get("created_at"),
        v.get("dispatched_at"),
        v.get("signed_at"),
        v.get("answered_at"),
        v.get("closed_at"),
    )
    if created is None:
        row.error(BY_KEY["created_at"].header, "没有受理时间（也没有交办、答复等任何时间）")
    elif v.get("created_at") is None:
        row.warn(BY_KEY["created_at"].header, "未填受理时间，按表中最早的时间计")
    ent = refs.enterprise(v.get("enterprise", ""), v.get("credit_code", ""), row)
    cat = refs.category(
        v.get("category_l1", ""), v.get("category", ""), row, BY_KEY["category"].header
    )
    lead = None
    if v.get("lead_department"):
        leads = parse.names(v["lead_department"])
        lead = refs.department(leads[0], row, BY_KEY["lead_department"].header)
        if len(leads) > 1:
            v["co_departments"] = "、".join(leads[1:] + parse.names(v.get("co_departments")))
            row.warn(
                BY_KEY["lead_department"].header,
                f"责任单位有多个，以“{leads[0]}”为主办，其余作为协办",
            )
    cos: list[Department] = []
    for name in parse.names(v.get("co_departments")):
        d = refs.department(name, row, BY_KEY["co_departments"].header)
        if d is not None and d != lead and d not in cos:
            cos.append(d)
    liaison = None
    if v.get("liaison"):
        liaison = refs.staff.get(v["liaison"])
        if liaison is None:
            row.extra["专属服务员"] = v["liaison"]
            row.warn(
                BY_KEY["liaison"].header,
                f"找不到服务员“{v['liaison']}”的账号，姓名已保留在其他字段中",
            )
    if row.failed or created is None:
        return None

    status = _status(v, lead is not None)
    answered = status in ANSWERED
    has_tasks = lead is not None and status not in (Status.RECEIVED,)
    tier = v.get("tier") or ""
    if not tier and answered and not has_tasks:
        tier = Tier.ON_SPOT
    if not tier and has_tasks:
        tier = Tier.DEPARTMENT
    kind = v.get("requester_kind") or (
        RequesterKind.ENTERPRISE
        if ent
        else RequesterKind.COMMUNITY
        if v.get("community")
        else RequesterKind.RESIDENT
    )
    if kind == RequesterKind.ENTERPRISE and ent is None:
        row.warn(BY_KEY["enterprise"].header, "企业诉求未填企业名称，按群众诉求登记")
        kind = RequesterKind.RESIDENT
    channel = v.get("channel") or Channel.IMPORT

    # The sheet's own times are kept as written; a time the status needs but the sheet lacks is
    # taken from the nearest later step, with a warning.
    t_dispatch = v.get("dispatched_at") or (created if has_tasks else None)
    t_sign = _first(v.get("signed_at"), t_dispatch)
    t_answer = v.get("answered_at")
    if answered and t_answer is None:
        t_answer = _first(v.get("confirmed_at"), v.get("closed_at"), t_dispatch, created)
        row.warn(BY_KEY["answered_at"].header, "已答复但未填答复时间，按其后最早的时间计")
    rated = status in (Status.CONFIRMED, Status.CLOSED) and v.get("satisfaction")
    t_confirm = v.get("confirmed_at") or (_first(v.get("closed_at"), t_answer) if rated else None)
    t_close = v.get("closed_at")
    if status == Status.CLOSED and t_close is None:
        t_close = _first(t_confirm, t_answer, created)
    for label, t in (("交办时间", t_dispatch), ("答复时间", t_answer), ("销号时间", t_close)):
        if t is not None and t < created:
            row.warn(label, f"{label}早于受理时间，请核对")

    deadline_known = v.get("due_date") is not None
    deadline = None
    days = DEFAULT_TIME_LIMIT
    if has_tasks:
        start = timezone.localtime(t_dispatch).date()
        if deadline_known:
            deadline = v["due_date"]
            days = max(0, wcal.working_days_between(start, deadline))
        else:
            days = cat.time_limit_days if cat else DEFAULT_TIME_LIMIT
            deadline = wcal.add_working_days(start, days)

    responded = v.get("responded")
    task_of: dict[str, TaskStatus] = {
        Status.DISPATCHED: TaskStatus.PENDING,
        Status.IN_PROGRESS: TaskStatus.PENDING if responded is False else TaskStatus.SIGNED,
        Status.RETURNED: TaskStatus.RETURNED,
        Status.MERGED: TaskStatus.CANCELLED,
    }
    task_status = task_of.get(status, TaskStatus.ANSWERED)
    if status == Status.IN_PROGRESS and task_status == TaskStatus.PENDING:
        status = Status.DISPATCHED
    outcome = v.get("outcome") or ""
    tasks: list[Task] = []
    if has_tasks:
        assert t_dispatch is not None and deadline is not None  # both set above for tasks
        for role, dept in [(TaskRole.LEAD, lead)] + [(TaskRole.CO, c) for c in cos]:
            signed = task_status in (TaskStatus.SIGNED, TaskStatus.ANSWERED)
            tasks.append(
                Task(
                    department=dept,
                    role=role,
                    status=task_status,
                    time_limit_days=min(days, 32767),
                    assigned_at=t_dispatch,
                    deadline=deadline,
                    signed_at=t_sign if signed else None,
                    answered_at=t_answer if task_status == TaskStatus.ANSWERED else None,
                    answer=(v.get("answer") or "") if role == TaskRole.LEAD and answered else "",
                    outcome=outcome if task_status == TaskStatus.ANSWERED else "",
                )
            )
    active = [t.deadline for t in tasks if t.status in (TaskStatus.PENDING, TaskStatus.SIGNED)]
    extra = dict(row.extra)
    demand = Demand(
        park=park,
        title=title[:200],
        description=description,
        channel=channel,
        category=cat,
        requester_kind=kind,
        enterprise=ent,
        requester_name=v.get("requester_name", "")[:50],
        requester_phone=v.get("requester_phone", "")[:20],
        community=v.get("community", "")[:100],
        liaison=liaison or (ent.liaison if ent and not v.get("liaison") else None),
        created_by=user,
        status=status,
        tier=tier,
        lead_department=lead if has_tasks else None,
        due_date=min(active) if active else None,
        answer=v.get("answer", ""),
        outcome=outcome,
        satisfaction=v.get("satisfaction") or "",
        urge_level=int(v.get("urge_level") or 0),
        redo_count=v.get("redo_count") or 0,
        reopen_count=v.get("reopen_count") or 0,
        is_legacy=bool(v.get("is_legacy")) or tier == Tier.EXPERT,
        source_ref=(v.get("source_ref") or v.get("number") or "")[:100],
        extra=extra,
        created_at=created,
        dispatched_at=t_dispatch,
        answered_at=t_answer,
        confirmed_at=t_confirm,
        closed_at=t_close,
    )
    events = _events(demand, tasks, status, t_sign, v, deadline_known, row.n)
    return Plan(row, demand, tasks, events, merged_into=v.get("merged_into", ""))


def _events(
    d: Demand,
    tasks: list[Task],
    status: str,
    t_sign: dt.datetime | None,
    v: dict[str, Any],
    deadline_known: bool,
    n: int,
) -> list[tuple[str, dict[str, Any]]]:
    """The timeline the workflow actions would have recorded for this history."""
    imp = {"imported": True}
    ev: list[tuple[str, dict[str, Any]]] = []

    def add(action: str, at: dt.datetime | None, task: str = "", **kw: Any) -> None:
        data = {**imp, **kw.pop("data", {})}
        ev.append((task, {"action": action, "created_at": at, "data": data, **kw}))

    add(
        "create",
        d.created_at,
        to_status=Status.RECEIVED,
        note=f"台账导入（第 {n} 行）",
        data={"channel": d.channel, "category": d.category.code if d.category else None, "row": n},
    )
    if tasks:
        lead, cos = tasks[0], tasks[1:]
        add(
            "dispatch",
            d.dispatched_at,
            from_status=Status.RECEIVED,
            to_status=Status.DISPATCHED,
            data={
                "lead": lead.department.name,
                "co": [t.department.name for t in cos],
                "days": lead.time_limit_days,
                "deadline": lead.deadline.isoformat(),
                "deadline_known": deadline_known,
            },
        )
    if d.tier in (Tier.RECEPTION_DAY, Tier.PROJECT_MEETING, Tier.EXPERT):
        add(
            "escalate",
            d.dispatched_at or d.created_at,
            data={
                "from_tier": Tier.DEPARTMENT if tasks else "",
                "tier": d.tier,
                "label": Tier(d.tier).label,
            },
        )
    signed = [i for i, t in enumerate(tasks) if t.signed_at is not None]
    for i in signed:
        add(
            "sign",
            t_sign,
            task=str(i),
            from_status=TaskStatus.PENDING,
            to_status=TaskStatus.SIGNED,
            data={"time_known": v.get("signed_at") is not None},
        )
    if signed:
        add("status", t_sign, from_status=Status.DISPATCHED, to_status=Status.IN_PROGRESS)
    if status == Status.RETURNED and tasks:
        add(
            "return",
            t_sign,
            task="0",
            from_status=TaskStatus.PENDING,
            to_status=TaskStatus.RETURNED,
            data={"reason": "other", "reason_label": "其他"},
        )
        add("status", t_sign, from_status=Status.DISPATCHED, to_status=Status.RETURNED)
    if d.answered_at is not None and not tasks:
        add(
            "resolve_on_spot",
            d.answered_at,
            from_status=Status.RECEIVED,
            to_status=Status.ANSWERED,
            data={"outcome": d.outcome},
        )
    elif d.answered_at is not None:
        day = timezone.localtime(d.answered_at).date()
        for i, t in enumerate(tasks):
            add(
                "reply",
                d.answered_at,
                task=str(i),
                from_status=TaskStatus.SIGNED,
                to_status=TaskStatus.ANSWERED,
                note=t.answer,
                data={
                    "outcome": t.outcome,
                    "on_time": day <= t.deadline,
                    "deadline_known": deadline_known,
                },
            )
        add("status", d.answered_at, from_status=Status.IN_PROGRESS, to_status=Status.ANSWERED)
    if d.confirmed_at is not None and d.satisfaction:
        after = Status.CONFIRMED if status in (Status.CONFIRMED, Status.CLOSED) else status
        add(
            "confirm",
            d.confirmed_at,
            from_status=Status.ANSWERED,
            to_status=after,
            data={"satisfaction": d.satisfaction, "method": "import"},
        )
    if d.closed_at is not None:
        add(
            "close",
            d.closed_at,
            from_status=Status.CONFIRMED if d.satisfaction else Status.ANSWERED,
            to_status=Status.CLOSED,
            data={"without_rating": not d.satisfaction},
        )
    return ev


def _allocate_numbers(plans: list[Plan]) -> None:
    """QS-yyyy-nnnnnn for each new item: one locked bump of each year's counter."""
    by_year: dict[int, list[Plan]] = defaultdict(list)
    for p in plans:
        by_year[timezone.localtime(p.demand.created_at).year].append(p)
    for year, group in sorted(by_year.items()):
        seq, _ = NumberSequence.objects.select_for_update().get_or_create(year=year)
        NumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + len(group))
        seq.refresh_from_db(fields=["last"])
        first = seq.last - len(group) + 1
        for i, p in enumerate(group):
            p.demand.number = f"QS-{year}-{first + i:06d}"


def _write(plans: list[Plan], user: User | None) -> None:
    _allocate_numbers(plans)
    for i in range(0, len(plans), CHUNK):
        chunk = plans[i : i + CHUNK]
        Demand.objects.bulk_create([p.demand for p in chunk])
        tasks = []
        for p in chunk:
            for t in p.tasks:
                t.demand = p.demand
                tasks.append(t)
        Task.objects.bulk_create(tasks)
        events = []
        for p in chunk:
            for task_key, kw in p.events:
                events.append(
                    Event(
                        demand=p.demand,
                        task=p.tasks[int(task_key)] if task_key else None,
                        actor=user,
                        actor_role=getattr(user, "role", "") or "",
                        **kw,
                    )
                )
        Event.objects.bulk_create(events)


def _link_merges(plans: list[Plan], park: Park, user: User | None) -> None:
    by_ref = {p.row.values.get("number"): p.demand for p in plans if p.row.values.get("number")}
    for p in plans:
        ref = p.merged_into
        if not ref:
            continue
        target = (
            by_ref.get(ref)
            or Demand.objects.filter(Q(number=ref) | Q(source_ref=ref), park=park).first()
        )
        if target is None or target.pk == p.demand.pk:
            p.row.warn(
                BY_KEY["merged_into"].header, f"找不到合并目标“{ref}”，已原样保留在其他字段中"
            )
            p.demand.extra[BY_KEY["merged_into"].header] = ref
            Demand.objects.filter(pk=p.demand.pk).update(extra=p.demand.extra)
            continue
        Demand.objects.filter(pk=p.demand.pk).update(merged_into=target)
        at = p.demand.closed_at or p.demand.created_at
        Event.objects.bulk_create(
            [
                Event(
                    demand=p.demand,
                    actor=user,
                    action="merge",
                    to_status=Status.MERGED,
                    created_at=at,
                    data={"into": target.number, "into_id": target.pk, "imported": True},
                ),
                Event(
                    demand=target,
                    actor=user,
                    action="merged_in",
                    created_at=at,
                    data={"from": p.demand.number, "from_id": p.demand.pk, "imported": True},
                ),
            ]
        )


# --------------------------------------------------------------------------- entry point


def _already_imported(park: Park, rows: list[Row]) -> set[str]:
    """The sheet's numbers and source references that the park's ledger already holds."""
    refs = {str(r.values[k]) for r in rows for k in ("number", "source_ref") if r.values.get(k)}
    found: set[str] = set()
    refs_list = sorted(refs)
    for i in range(0, len(refs_list), 500):
        part = refs_list[i : i + 500]
        qs = Demand.objects.filter(Q(number__in=part) | Q(source_ref__in=part), park=park)
        for number, source in qs.values_list("number", "source_ref"):
            found.update({number, source} & refs)
    return found


def can_import(user: User | None, park: Park) -> bool:
    if user is None:
        return True  # the command line, run by whoever operates the server
    if user.is_superuser:
        return True
    return user.role in IMPORT_ROLES and user.in_park(park.pk)


def import_ledger(
    data: bytes,
    *,
    park: Park,
    user: User | None = None,
    mapping: dict[str, str] | None = None,
    create_missing: bool = False,
    dry_run: bool = False,
    sheet: str | None = None,
) -> ImportReport:
    if not can_import(user, park):
        raise Forbidden("只有本园区的派单员或系统管理员可以导入台账")
    # InvalidInput for a bomb or not a workbook
    headers, raw_rows = sheets.read_sheet(data, sheet, unreadable=parse.UNREADABLE)
    if not headers:
        raise InvalidInput("表中没有数据", field="file")
    cols = detect_mapping(headers, mapping)
    report = ImportReport(dry_run=dry_run, headers=headers, mapping=cols, rows=len(raw_rows))
    fed = set(cols.values())
    if "description" not in fed and "title" not in fed:
        raise InvalidInput("没有找到“诉求内容”列，请在映射中指定哪一列是诉求内容", field="map")

    rows = [_read_row(n, cells, headers, cols) for n, cells in raw_rows]
    existing = _already_imported(park, rows)
    with transaction.atomic():
        refs = Refs(park, create_missing, report)
        plans: list[Plan] = []
        seen: set[str] = set()
        for row in rows:
            n = row.n
            ref = row.values.get("source_ref") or row.values.get("number") or ""
            number = row.values.get("number") or ""
            if ref and (ref in existing or number in existing or ref in seen):
                report.skipped += 1
                report.problems.append(
                    Problem(n, BY_KEY["number"].header, f"“{ref}”已在台账中，跳过", "warning")
                )
                continue
            plan = _plan(row, refs, park, user)
            report.problems += row.problems
            if plan is None:
                report.refused += 1
                continue
            if ref:
                seen.add(ref)
            plans.append(plan)
        _write(plans, user)
        _link_merges(plans, park, user)
        for p in plans:
            report.statuses[p.demand.status] = report.statuses.get(p.demand.status, 0) + 1
        report.imported = len(plans)
        report.demand_ids = [p.demand.pk for p in plans]
        ledger_imported.send(sender=Demand, demand_ids=report.demand_ids)
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        report.demand_ids = []
    report.problems.sort(key=lambda p: (p.row, p.level != "error"))
    return report


def mapping_help() -> str:
    lines = ['可对应的字段（--map "列名=字段"，字段可写英文键或中文名）：']
    for f in FIELDS:
        if f.key == "seq":
            continue
        lines.append(f"  {f.key:<16}{f.header}（也识别：{'、'.join(f.synonyms[:6])}）")
    lines.append(f"  {EXTRA:<16}保留为其他字段")
    lines.append(f"  {IGNORE:<16}忽略此列")
    return "\n".join(lines)


def dumps(report: ImportReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str)
