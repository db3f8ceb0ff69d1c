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
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
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
from exchange.mapping import propose, propose_finish, value_maps
from exchange.models import ImportJob, ImportRow, SheetOrigin
from exchange.xlsx import LedgerSheet
from orgs.models import Department, Park, Role, User
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


MAX_PROBLEMS = 2000  # problems kept in the report with their row; beyond, only counted
# Counters of a report, kept on the job after each batch so a resumed import goes on counting.
COUNTERS = (
    "rows",
    "imported",
    "skipped",
    "refused",
    "items",
    "reregistered",
    "updated",
    "registered",
    "errors",
    "warnings",
)


@dataclass
class ImportReport:
    dry_run: bool
    headers: list[str]
    mapping: dict[str, str]  # header -> field key, "extra" or "ignore"
    rows: int = 0
    imported: int = 0
    skipped: int = 0  # already in the ledger
    refused: int = 0  # rows with errors
    problems: list[Problem] = field(default_factory=list)  # the first MAX_PROBLEMS
    missing: dict[str, list[str]] = field(default_factory=dict)  # kind -> names the park lacks
    created: dict[str, list[str]] = field(default_factory=dict)  # kind -> names created
    demand_ids: list[int] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    items: int = 0  # tickets: a ticket registered again under its number is one item
    reregistered: int = 0  # rows kept as earlier registrations of an item
    updated: int = 0  # rows that updated an item already in the ledger (a newer sheet's state)
    registered: int = 0  # rows added as a new registration of an item already in the ledger
    errors: int = 0
    warnings: int = 0
    columns: list[dict[str, Any]] = field(default_factory=list)  # the mapping proposal
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # header -> word -> ours
    finished_by: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # the first rows that changed items

    @property
    def ok(self) -> bool:
        return self.refused == 0

    @property
    def kept_as_extra(self) -> list[str]:
        return [h for h, k in self.mapping.items() if k == EXTRA]

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            if p.level == "error":
                self.errors += 1
            else:
                self.warnings += 1
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append(p)

    def go_on_from(self, saved: dict[str, Any]) -> None:
        """Resume: the counts and problems of the batches an earlier run committed."""
        for key in COUNTERS:
            if key != "rows":
                setattr(self, key, int(saved.get(key) or 0))
        self.statuses = dict(saved.get("statuses") or {})
        self.missing = dict(saved.get("missing") or {})
        self.created = dict(saved.get("created") or {})
        self.changes = list(saved.get("changes") or [])
        self.problems = [Problem(**p) for p in saved.get("problems") or []]

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "headers": self.headers,
            "mapping": self.mapping,
            **{key: getattr(self, key) for key in COUNTERS},
            "missing": self.missing,
            "created": self.created,
            "statuses": self.statuses,
            "columns": self.columns,
            "values": self.values,
            "finished_by": self.finished_by,
            "kept_as_extra": self.kept_as_extra,
            "changes": self.changes,
            "problems": [p.__dict__ for p in self.problems],
        }

    def summary(self) -> str:
        verb = "将导入" if self.dry_run else "已导入"
        again = (
            f"（{self.items} 件，其中 {self.reregistered} 行是同一编号的重新登记）"
            if self.reregistered
            else ""
        )
        newer = (
            f"更新台账中已有事项 {self.updated} 行，为已有事项新增登记 {self.registered} 行，"
            if self.updated or self.registered
            else ""
        )
        return (
            f"共 {self.rows} 行：{verb} {self.imported} 行{again}，{newer}"
            f"已在台账中跳过 {self.skipped} 行，"
            f"有错误未导入 {self.refused} 行；警告 {self.warnings} 条。"
        )


MISSING_LABELS = {"department": "部门", "category": "类别", "enterprise": "企业"}


# --------------------------------------------------------------------------- mapping


def detect_mapping(
    headers: Iterable[str],
    overrides: dict[str, str] | None = None,
    rows: list[tuple[int, list[Any]]] | None = None,
) -> dict[str, str]:
    """Which field each column feeds (header → field key, "extra" or "ignore"): the user's
    choices first, then the best of header and content (exchange.mapping.propose)."""
    return {c.header: c.key for c in propose(list(headers), rows, overrides)}


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


def parse_value_option(values: Iterable[str]) -> dict[str, dict[str, str]]:
    """`--value "解决类型:非权属=explained"`: the word of a column and our value for it."""
    out: dict[str, dict[str, str]] = {}
    for item in values:
        head, sep, rest = item.partition(":")
        word, eq, target = rest.partition("=")
        if not sep or not eq or not head.strip() or not word.strip():
            raise InvalidInput(
                f"--value 的写法应为“列名:取值=对应值”，而不是“{item}”", field="values"
            )
        out.setdefault(head.strip(), {})[word.strip()] = target.strip()
    return out


# --------------------------------------------------------------------------- rows


@dataclass
class Row:
    n: int
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    cells: dict[str, Any] = field(default_factory=dict)  # header -> the cell as written
    raw: dict[str, str] = field(default_factory=dict)  # choice/bool field -> its word
    finished: bool = False

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


def _read_row(
    n: int,
    cells: list[Any],
    headers: list[str],
    mapping: dict[str, str],
    vmaps: dict[str, dict[str, str]] | None = None,
    finish: Iterable[str] = (),
) -> Row:
    vmaps = vmaps or {}
    row = Row(n)
    for header, value in zip(headers, cells, strict=False):
        key = mapping.get(header, EXTRA)
        if key == IGNORE or parse.blank(value):
            continue
        row.cells[header] = _json_value(value)
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
                row.raw[key] = parse.text(value)
                row.values[key] = parse.yes_no(value, vmaps.get(key))
            elif f.kind == "choice":
                row.raw[key] = parse.text(value)
                row.values[key] = parse.choice(key, value, vmaps.get(key))
            else:
                row.values[key] = parse.text(value)
        except parse.CellError as exc:
            # The cell is kept as written so nothing is lost; the field stays empty.
            row.warn(header, f"{exc}，已原样保留在其他字段中")
            row.extra[header] = _json_value(value)
            row.raw.pop(key, None)
        if key == "category_l3" and key in row.values:
            row.extra[header] = row.values.pop(key)
    row.finished = _finished(row, headers, mapping, finish)
    return row


def _finished(row: Row, headers: list[str], mapping: dict[str, str], finish: Iterable[str]) -> bool:
    """The park's rule: the item is finished when one of the confirmed columns is filled (a
    办结 column: when it says yes). A status column that says the item is open overrides it."""
    status = row.values.get("status")
    if status and status not in (Status.CLOSED, Status.MERGED):
        return False
    for header in finish:
        if header not in row.cells:
            continue
        key = mapping.get(header)
        if key == "closed_flag":
            if row.values.get(key):
                return True
        elif key == "status":
            if status == Status.CLOSED:
                return True
        else:
            return True
    return False


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
    """One ticket (one row, or every registration of one number) turned into the rows and
    events the workflow would have written."""

    row: Row  # the current registration
    demand: Demand
    tasks: list[Task]
    events: list[tuple[str, dict[str, Any]]]  # (task key or "", Event kwargs)
    merged_into: str = ""
    origin: SheetOrigin | None = None
    current: list[int] = field(default_factory=list)  # the current registration's tasks
    rows: list[Row] = field(default_factory=list)  # every registration's row, oldest first


def _first(*values: dt.datetime | None) -> dt.datetime | None:
    return next((v for v in values if v is not None), None)


def _status(v: dict[str, Any], has_lead: bool, finished: bool = False) -> str:
    if v.get("status"):
        return str(v["status"])
    if v.get("merged_into"):
        return Status.MERGED
    if finished or v.get("closed_flag") or v.get("closed_at"):
        return Status.CLOSED
    if v.get("satisfaction"):
        return Status.CONFIRMED
    if v.get("answer") or v.get("answered_at") or v.get("outcome"):
        return Status.ANSWERED
    if has_lead:
        signed = v.get("signed_at") or v.get("responded")
        return Status.IN_PROGRESS if signed else Status.DISPATCHED
    return Status.RECEIVED


def _when_row(v: dict[str, Any]) -> dt.datetime | None:
    """The earliest time a row gives: its registration, else the first step it dates."""
    return _first(
        v.get("created_at"),
        v.get("dispatched_at"),
        v.get("signed_at"),
        v.get("answered_at"),
        v.get("closed_at"),
    )


@dataclass
class Version:
    """One registration of a ticket, read and checked."""

    row: Row
    at: dt.datetime
    lead: Department | None
    cos: list[Department]
    cat: Category | None
    ent: MarketEntity | None
    liaison: User | None


def _version(row: Row, refs: Refs) -> Version | None:
    v = row.values
    description = v.get("description") or v.get("title") or ""
    if not description:
        row.error(BY_KEY["description"].header, "诉求内容为空")
    created = _when_row(v)
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
    return Version(row, created, lead, cos, cat, ent, liaison)


def _tasks_of(
    ver: Version, status: str, *, superseded: bool
) -> tuple[list[Task], dict[str, bool], str]:
    """The department tasks of one registration, what of their timing the sheet knows, and the
    task status. Times the sheet does not give stay empty: without 时限要求 the deadline is
    unknown (None, 时限未知 — no overdue scan or 按时办结率 counts it; the category's limit is kept
    as the task's days, for a deadline the park may set later); the one time a task cannot lack
    (when it was given) is the registration's, marked unknown, so no figure counts it."""
    v = ver.row.values
    answered = status in ANSWERED
    if ver.lead is None or status == Status.RECEIVED:
        return [], {}, ""
    known = {
        "dispatch": v.get("dispatched_at") is not None,
        "deadline": v.get("due_date") is not None,
    }
    assigned = v.get("dispatched_at") or ver.at
    start = timezone.localtime(assigned).date()
    deadline: dt.date | None = None
    if known["deadline"]:
        deadline = v["due_date"]
        days = max(0, wcal.working_days_between(start, v["due_date"]))
    else:
        days = ver.cat.time_limit_days if ver.cat else DEFAULT_TIME_LIMIT
    task_status: str
    if superseded:
        task_status = TaskStatus.ANSWERED if answered else TaskStatus.CANCELLED
    else:
        by_status: dict[str, str] = {
            Status.DISPATCHED: TaskStatus.PENDING,
            Status.IN_PROGRESS: TaskStatus.SIGNED,
            Status.RETURNED: TaskStatus.RETURNED,
            Status.MERGED: TaskStatus.CANCELLED,
        }
        task_status = by_status.get(status, TaskStatus.ANSWERED)
    outcome = v.get("outcome") or ""
    tasks = []
    for role, dept in [(TaskRole.LEAD, ver.lead)] + [(TaskRole.CO, c) for c in ver.cos]:
        done = task_status == TaskStatus.ANSWERED
        tasks.append(
            Task(
                department=dept,
                role=role,
                status=task_status,
                time_limit_days=min(days, 32767),
                assigned_at=assigned,
                deadline=deadline,
                signed_at=v.get("signed_at") if task_status != TaskStatus.PENDING else None,
                answered_at=v.get("answered_at") if done else None,
                answer=(v.get("answer") or "") if role == TaskRole.LEAD and done else "",
                outcome=outcome if done else "",
            )
        )
    return tasks, known, task_status


def _version_steps(
    add: Any,
    ver: Version,
    mine: list[Task],
    keys: list[str],
    known: dict[str, bool],
    task_status: str,
    superseded: bool,
    k: int,
) -> None:
    """The steps of one registration the sheet dates: 交办 (always: the task must be born, its
    time marked unknown when the sheet has none), 签收, 答复, and an earlier registration's 回访."""
    vv = ver.row.values
    rated_then = vv.get("satisfaction") and vv.get("confirmed_at") is not None
    lead, cos = mine[0], mine[1:]
    add(
        "dispatch",
        lead.assigned_at,
        task=keys[0],
        from_status=Status.RECEIVED,
        to_status=Status.DISPATCHED,
        data={
            "lead": lead.department.name,
            "co": [t.department.name for t in cos],
            "days": lead.time_limit_days,
            "deadline": lead.deadline.isoformat() if lead.deadline else None,
            "deadline_known": known["deadline"],
            "time_known": known["dispatch"],
            "tasks": keys,
            "version": k + 1,
        },
    )
    t_sign = vv.get("signed_at")
    if t_sign is not None and task_status != TaskStatus.PENDING:
        for key in keys:
            add(
                "sign",
                t_sign,
                task=key,
                from_status=TaskStatus.PENDING,
                to_status=TaskStatus.SIGNED,
                data={"time_known": known["dispatch"]},
            )
    t_answer = vv.get("answered_at")
    if task_status == TaskStatus.ANSWERED and t_answer is not None:
        day = timezone.localtime(t_answer).date()
        for key, t in zip(keys, mine, strict=True):
            add(
                "reply",
                t_answer,
                task=key,
                from_status=TaskStatus.SIGNED,
                to_status=TaskStatus.ANSWERED,
                note=t.answer,
                data={
                    "outcome": t.outcome,
                    "on_time": day <= t.deadline if t.deadline is not None else None,
                    "deadline_known": known["deadline"],
                },
            )
    if superseded and rated_then:
        add(
            "confirm",
            vv["confirmed_at"],
            data={"satisfaction": vv["satisfaction"], "method": "import", "version": k + 1},
        )


def _plan(versions: list[Version], park: Park, user: User | None, headers: dict[str, str]) -> Plan:
    """The item of a ticket: its registrations oldest first; the last is its current state."""
    cur = versions[-1]
    row, v = cur.row, cur.row.values
    created = versions[0].at
    status = _status(v, cur.lead is not None, row.finished)
    answered = status in ANSWERED
    tier = v.get("tier") or ""
    tasks: list[Task] = []
    events: list[tuple[str, dict[str, Any]]] = []
    imp = {"imported": True}

    def add(action: str, at: dt.datetime, task: str = "", **kw: Any) -> None:
        data = {**imp, **kw.pop("data", {})}
        events.append((task, {"action": action, "created_at": at, "data": data, **kw}))

    description = v.get("description") or v.get("title") or ""
    add(
        "create",
        created,
        to_status=Status.RECEIVED,
        note=f"台账导入（第 {versions[0].row.n} 行）",
        data={
            "channel": v.get("channel") or Channel.IMPORT,
            "category": cur.cat.code if cur.cat else None,
            "row": versions[0].row.n,
            "time_known": versions[0].row.values.get("created_at") is not None,
        },
    )
    last_known: dict[str, bool] = {}
    current_tasks: list[int] = []
    for k, ver in enumerate(versions):
        superseded = ver is not cur
        vv = ver.row.values
        st = _status(vv, ver.lead is not None, ver.row.finished) if superseded else status
        mine, known, task_status = _tasks_of(ver, st, superseded=superseded)
        first = len(tasks)
        tasks += mine
        keys = [str(first + i) for i in range(len(mine))]
        if not superseded:
            current_tasks = [first + i for i in range(len(mine))]
        # A dated rating is a 回访 event (an earlier registration's in its steps, the current
        # one's below); an undated one is counted from the sheet record.
        rated_then = (
            bool(vv.get("satisfaction"))
            and vv.get("confirmed_at") is not None
            and (bool(mine) or not superseded)
        )
        judgement = {
            "row": ver.row.n,
            "registration": registration_key(ver.row),
            "version": k + 1,
            "versions": len(versions),
            "lead": ver.lead.name if ver.lead else "",
            "responded": vv.get("responded"),
            "outcome": vv.get("outcome") or "",
            "satisfaction": "" if rated_then else (vv.get("satisfaction") or ""),
            "finished": ver.row.finished,
        }
        note = (
            f"重新登记（第 {ver.row.n} 行，第 {k + 1}/{len(versions)} 次）"
            if k
            else (f"台账记录（第 {ver.row.n} 行）")
        )
        if mine:
            last_known = known
            _version_steps(add, ver, mine, keys, known, task_status, superseded, k)
        if k or judgement["responded"] is not None or judgement["satisfaction"]:
            add("sheet_record", ver.at, task=keys[0] if keys else "", note=note, data=judgement)
    has_tasks = bool(tasks)
    if not tier and answered and not has_tasks:
        tier = Tier.ON_SPOT
    if not tier and has_tasks:
        tier = Tier.DEPARTMENT
    kind = v.get("requester_kind") or (
        RequesterKind.ENTERPRISE
        if cur.ent
        else RequesterKind.COMMUNITY
        if v.get("community")
        else RequesterKind.RESIDENT
    )
    if kind == RequesterKind.ENTERPRISE and cur.ent is None:
        row.warn(BY_KEY["enterprise"].header, "企业诉求未填企业名称，按群众诉求登记")
        kind = RequesterKind.RESIDENT
    # The sheet's times as written, whatever the status (a reopened item keeps its 销号时间).
    t_answer = v.get("answered_at")
    t_confirm = v.get("confirmed_at")
    t_close = v.get("closed_at")
    if answered and t_answer is None:
        row.warn(
            BY_KEY["answered_at"].header,
            "已答复但未填答复时间：答复时间记为未知，不计入按时办结率和平均办理用时",
        )
    for label, t in (
        ("交办时间", v.get("dispatched_at")),
        ("答复时间", t_answer),
        ("销号时间", t_close),
    ):
        if t is not None and t < created:
            row.warn(label, f"{label}早于受理时间，请核对")
    if tier in (Tier.RECEPTION_DAY, Tier.PROJECT_MEETING, Tier.EXPERT):
        add(
            "escalate",
            v.get("dispatched_at") or created,
            data={
                "from_tier": Tier.DEPARTMENT if tasks else "",
                "tier": tier,
                "label": Tier(tier).label,
                "time_known": v.get("dispatched_at") is not None,
            },
        )
    current = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    if t_answer is not None and answered and not has_tasks:
        add(
            "resolve_on_spot",
            t_answer,
            from_status=Status.RECEIVED,
            to_status=Status.ANSWERED,
            data={"outcome": v.get("outcome") or ""},
        )
    elif t_answer is not None and answered and current:
        add("status", t_answer, from_status=Status.IN_PROGRESS, to_status=Status.ANSWERED)
    satisfaction = v.get("satisfaction") or ""
    if t_confirm is not None and satisfaction:
        add(
            "confirm",
            t_confirm,
            from_status=Status.ANSWERED,
            to_status=Status.CONFIRMED if status in (Status.CONFIRMED, Status.CLOSED) else status,
            data={"satisfaction": satisfaction, "method": "import"},
        )
    if t_close is not None:
        add(
            "close",
            t_close,
            from_status=Status.CONFIRMED if satisfaction else Status.ANSWERED,
            to_status=Status.CLOSED,
            data={"without_rating": not satisfaction},
        )
    active = [
        t.deadline
        for t in current
        if t.status in (TaskStatus.PENDING, TaskStatus.SIGNED) and t.deadline is not None
    ]
    outcome = v.get("outcome") or ""
    demand = Demand(
        park=park,
        title=(v.get("title") or description.replace("\n", " ")[:40])[:200],
        description=description,
        channel=v.get("channel") or Channel.IMPORT,
        category=cur.cat,
        requester_kind=kind,
        enterprise=cur.ent,
        requester_name=v.get("requester_name", "")[:50],
        requester_phone=v.get("requester_phone", "")[:20],
        community=v.get("community", "")[:100],
        liaison=cur.liaison or (cur.ent.liaison if cur.ent and not v.get("liaison") else None),
        created_by=user,
        status=status,
        tier=tier,
        lead_department=next(
            (t.department for t in reversed(current) if t.role == TaskRole.LEAD), None
        ),
        due_date=min(active) if active else None,
        answer=v.get("answer", ""),
        outcome=outcome if answered else "",
        satisfaction=satisfaction,
        urge_level=int(v.get("urge_level") or 0),
        redo_count=v.get("redo_count") or 0,
        reopen_count=v.get("reopen_count") or 0,
        is_legacy=bool(v.get("is_legacy")) or tier == Tier.EXPERT,
        source_ref=(v.get("source_ref") or v.get("number") or "")[:100],
        extra=dict(row.extra),
        created_at=created,
        dispatched_at=v.get("dispatched_at") if current else None,
        answered_at=t_answer,
        confirmed_at=t_confirm,
        closed_at=t_close,
    )
    unknown = [k for k in ("created_at",) if versions[0].row.values.get(k) is None]
    if current and not last_known.get("deadline"):
        unknown.append("due_date")
    origin = SheetOrigin(
        row=row.n,
        headers=headers,
        raw=dict(row.raw),
        parsed={k: _plain(row.values.get(k)) for k in row.raw},
        unknown=unknown,
        versions=[ver.row.cells for ver in versions[:-1]],
        keys=[registration_key(ver.row) for ver in versions],
        state=current_state(cur),
    )
    return Plan(
        row,
        demand,
        tasks,
        events,
        merged_into=v.get("merged_into", ""),
        origin=origin,
        current=current_tasks,
        rows=[ver.row for ver in versions],
    )


# What of a registration, read from a newer sheet, says its item moved on.
STATE_KEYS = (
    "status",
    "closed_flag",
    "lead_department",
    "co_departments",
    "dispatched_at",
    "signed_at",
    "due_date",
    "answered_at",
    "confirmed_at",
    "closed_at",
    "answer",
    "outcome",
    "satisfaction",
    "responded",
    "tier",
)


def registration_key(row: Row) -> str:
    """Which registration of its ticket a row is: its registration time as the sheet gives it
    (a re-registration under the same number has its own), else its first dispatch, else its
    content."""
    v = row.values
    t = v.get("created_at") or v.get("dispatched_at")
    if t is not None:
        return str(t.isoformat())
    text = str(v.get("description") or v.get("title") or "")
    return "内容:" + hashlib.sha1(text.encode()).hexdigest()[:16]


def current_state(ver: Version) -> dict[str, Any]:
    """The current registration as SheetOrigin.state keeps it (tasks filled in when written)."""
    v = ver.row.values
    return {
        "at": ver.at.isoformat(),
        "values": {k: _plain(v[k]) for k in STATE_KEYS if v.get(k) not in (None, "")},
        "finished": ver.row.finished,
        "cells": ver.row.cells,
        "tasks": [],
    }


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | str | int) else str(value)


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


def _write(plans: list[Plan], user: User | None, job: ImportJob | None, columns: list[str]) -> None:
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
        origins = []
        for p in chunk:
            for task_key, kw in p.events:
                data = kw.get("data") or {}
                if "tasks" in data:  # which tasks a dispatch created, for the metrics
                    data["task_ids"] = [p.tasks[int(k)].pk for k in data.pop("tasks")]
                events.append(
                    Event(
                        demand=p.demand,
                        task=p.tasks[int(task_key)] if task_key else None,
                        actor=user,
                        actor_role=getattr(user, "role", "") or "",
                        **kw,
                    )
                )
            if p.origin is not None:
                p.origin.demand = p.demand
                p.origin.job = job
                p.origin.state["tasks"] = [p.tasks[i].pk for i in p.current]
                p.origin.columns = columns
                origins.append(p.origin)
        Event.objects.bulk_create(events)
        SheetOrigin.objects.bulk_create(origins)


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


def _ref(row: Row) -> str:
    return str(row.values.get("source_ref") or row.values.get("number") or "")


def _tickets(rows: list[Row]) -> list[list[Row]]:
    """Rows grouped by ticket: the registrations of one number together, in sheet order of
    their first row; a row without a number is a ticket of its own."""
    groups: dict[str, list[Row]] = {}
    out: list[list[Row]] = []
    for row in rows:
        ref = _ref(row)
        if ref and ref in groups:
            groups[ref].append(row)
            continue
        group = [row]
        if ref:
            groups[ref] = group
        out.append(group)
    return out


def can_import(user: User | None, park: Park) -> bool:
    if user is None:
        return True  # the command line, run by whoever operates the server
    if user.is_superuser:
        return True
    return user.role in IMPORT_ROLES and user.in_park(park.pk)


def batch_rows() -> int:
    """Rows per committed batch of a ledger import."""
    return max(1, int(getattr(settings, "LEDGER_IMPORT_BATCH_ROWS", 1000)))


def _existing(park: Park, rows: list[Row]) -> dict[str, Demand]:
    """The park's items the sheet's numbers and source references name, by each of them."""
    keys = ("number", "source_ref", "system_number")
    refs = {str(r.values[k]) for r in rows for k in keys if r.values.get(k)}
    found: dict[str, Demand] = {}
    refs_list = sorted(refs)
    for i in range(0, len(refs_list), 500):
        part = refs_list[i : i + 500]
        qs = (
            Demand.objects.filter(Q(number__in=part) | Q(source_ref__in=part), park=park)
            .select_related("sheet_origin")
            .order_by("pk")
        )
        for d in qs:
            for ref in {d.number, d.source_ref} & refs:
                found.setdefault(ref, d)
    return found


def _origin_of(d: Demand) -> SheetOrigin | None:
    try:
        origin = d.sheet_origin
    except SheetOrigin.DoesNotExist:
        return None
    # An item imported before registrations were keyed cannot be told apart from a newer one.
    return origin if origin.keys and origin.state.get("at") else None


@dataclass
class Outcome:
    row: Row
    action: str
    note: str = ""
    demand: Demand | None = None


class _Renewal:
    """A newer sheet's registration of an item already in the ledger, written as the steps the
    sheet newly dates (签收, 答复, 回访, 办结) plus one `sheet_update` event that says what changed,
    dated when the ledger learned it (the event's from/to states are in its data, so no figure
    reads the import's own time as a step of the item)."""

    def __init__(self, d: Demand, origin: SheetOrigin, user: User | None, job: ImportJob | None):
        self.d = d
        self.origin = origin
        self.user = user
        self.job = job
        self.events: list[Event] = []
        self.now = timezone.now()

    def add(self, action: str, at: dt.datetime, task: Task | None = None, **kw: Any) -> None:
        data = {"imported": True, **kw.pop("data", {})}
        self.events.append(
            Event(
                demand=self.d,
                task=task,
                actor=self.user,
                actor_role=getattr(self.user, "role", "") or "",
                action=action,
                created_at=at,
                data=data,
                **kw,
            )
        )

    def run(self, ver: Version, *, new_registration: bool) -> str:
        d, origin = self.d, self.origin
        v = ver.row.values
        k = len(origin.keys) - (0 if new_registration else 1)  # this registration's index
        status = _status(v, ver.lead is not None, ver.row.finished)
        answered = status in ANSWERED
        old = list(
            Task.objects.filter(pk__in=origin.state.get("tasks") or [], demand=d)
            .select_related("department")
            .order_by("pk")
        )
        lead = next((t for t in old if t.role == TaskRole.LEAD), None)
        same_tasks = (
            not new_registration
            and lead is not None
            and ver.lead is not None
            and lead.department_id == ver.lead.pk
            and {t.department_id for t in old if t.role == TaskRole.CO} == {c.pk for c in ver.cos}
        )
        said: list[str] = []
        if same_tasks:
            current = self._move_on(old, ver, status, said)
        else:
            current = self._supersede(old, ver, status, k, said)
        self._record(ver, current, k, refresh=not new_registration)
        before = d.status
        self._demand_steps(ver, status, answered, bool(current))
        active = [
            t.deadline
            for t in current
            if t.status in (TaskStatus.PENDING, TaskStatus.SIGNED) and t.deadline is not None
        ]
        d.status = status
        d.answer = v.get("answer", "")
        d.outcome = (v.get("outcome") or "") if answered else ""
        d.satisfaction = v.get("satisfaction") or ""
        d.answered_at = v.get("answered_at")
        d.confirmed_at = v.get("confirmed_at")
        d.closed_at = v.get("closed_at")
        live = [t for t in current if t.status != TaskStatus.CANCELLED]
        if live:
            d.lead_department = next((t.department for t in live if t.role == TaskRole.LEAD), None)
            d.dispatched_at = v.get("dispatched_at") or d.dispatched_at
        d.due_date = min(active) if active else None
        if ver.cat is not None:
            d.category = ver.cat
        d.extra = {**(d.extra or {}), **ver.row.extra}
        d.save()
        if before != status:
            said.insert(0, f"状态 {Status(before).label}→{Status(status).label}")
        note = (
            f"第 {k + 1} 次登记（第 {ver.row.n} 行）" if new_registration else "同一登记的新情况"
        ) + ("：" + "；".join(said) if said else "")
        self.add(
            "sheet_update",
            self.now,
            note=note[:500],
            data={
                "row": ver.row.n,
                "version": k + 1,
                "job": self.job.pk if self.job else None,
                "from_status": before,
                "to_status": status,
                "new_registration": new_registration,
            },
        )
        if new_registration:
            origin.versions = [*origin.versions, origin.state.get("cells") or {}]
            origin.keys = [*origin.keys, registration_key(ver.row)]
        origin.state = {**current_state(ver), "tasks": [t.pk for t in current]}
        origin.row = ver.row.n
        origin.raw = {**(origin.raw or {}), **ver.row.raw}
        origin.parsed = {k2: _plain(ver.row.values.get(k2)) for k2 in origin.raw}
        unknown = [u for u in origin.unknown if u != "due_date"]
        if live and not self._deadline_known(ver):
            unknown.append("due_date")
        origin.unknown = unknown
        origin.job = self.job or origin.job
        origin.save()
        Event.objects.bulk_create(self.events)
        return note

    def _deadline_known(self, ver: Version) -> bool:
        return ver.row.values.get("due_date") is not None

    def _move_on(self, old: list[Task], ver: Version, status: str, said: list[str]) -> list[Task]:
        """The registration's own tasks, as the newer sheet finds them."""
        v = ver.row.values
        _, known, task_status = _tasks_of(ver, status, superseded=False)
        t_answer = v.get("answered_at")
        for t in old:
            before = t.status
            if known["deadline"] and v["due_date"] != t.deadline:
                t.deadline = v["due_date"]
                start = timezone.localtime(t.assigned_at).date()
                t.time_limit_days = min(max(0, wcal.working_days_between(start, t.deadline)), 32767)
                self.add(
                    "sheet_update",
                    self.now,
                    task=t,
                    data={"deadline": t.deadline.isoformat(), "deadline_known": True},
                )
                said.append(f"{t.department.name}时限 {t.deadline:%Y-%m-%d}")
            if t.signed_at is None and v.get("signed_at") and task_status != TaskStatus.PENDING:
                t.signed_at = v["signed_at"]
                self.add(
                    "sign",
                    v["signed_at"],
                    task=t,
                    from_status=TaskStatus.PENDING,
                    to_status=TaskStatus.SIGNED,
                    data={"time_known": known["dispatch"]},
                )
            if task_status == TaskStatus.ANSWERED and t.status != TaskStatus.ANSWERED:
                t.answered_at = t_answer
                t.answer = (v.get("answer") or "") if t.role == TaskRole.LEAD else ""
                t.outcome = v.get("outcome") or ""
                if t_answer is not None:
                    day = timezone.localtime(t_answer).date()
                    deadline_known = known["deadline"] or "due_date" not in self.origin.unknown
                    self.add(
                        "reply",
                        t_answer,
                        task=t,
                        from_status=TaskStatus.SIGNED,
                        to_status=TaskStatus.ANSWERED,
                        note=t.answer,
                        data={
                            "outcome": t.outcome,
                            "on_time": day <= t.deadline
                            if deadline_known and t.deadline is not None
                            else None,
                            "deadline_known": deadline_known,
                        },
                    )
            t.status = task_status
            if t.status != before:
                self.add(
                    "sheet_update",
                    self.now,
                    task=t,
                    data={"from_status": before, "to_status": t.status},
                )
                said.append(
                    f"{t.department.name} {TaskStatus(before).label}→{TaskStatus(t.status).label}"
                )
            t.save()
        return old

    def _supersede(
        self, old: list[Task], ver: Version, status: str, k: int, said: list[str]
    ) -> list[Task]:
        """A re-registration (or a re-routing): the earlier tasks still open end, answered ones
        stay answered; the registration's own tasks begin."""
        for t in old:
            if t.status in (TaskStatus.PENDING, TaskStatus.SIGNED, TaskStatus.RETURNED):
                before = t.status
                t.status = TaskStatus.CANCELLED
                t.save(update_fields=["status"])
                self.add(
                    "sheet_update",
                    ver.at,
                    task=t,
                    data={"from_status": before, "to_status": t.status, "superseded": True},
                )
        mine, known, task_status = _tasks_of(ver, status, superseded=False)
        for t in mine:
            t.demand = self.d
        Task.objects.bulk_create(mine)
        if mine:
            said.append(f"主办 {mine[0].department.name}")
            keys = [str(i) for i in range(len(mine))]

            def add(action: str, at: dt.datetime, task: str = "", **kw: Any) -> None:
                data = kw.pop("data", {})
                if "tasks" in data:
                    data["task_ids"] = [mine[int(x)].pk for x in data.pop("tasks")]
                self.add(action, at, task=mine[int(task)] if task else None, data=data, **kw)

            _version_steps(add, ver, mine, keys, known, task_status, False, k)
        return mine

    def _record(self, ver: Version, current: list[Task], k: int, *, refresh: bool) -> None:
        vv = ver.row.values
        rated_then = bool(vv.get("satisfaction")) and vv.get("confirmed_at") is not None
        judgement = {
            "row": ver.row.n,
            "registration": registration_key(ver.row),
            "version": k + 1,
            "versions": len(self.origin.keys) + (0 if refresh else 1),
            "lead": ver.lead.name if ver.lead else "",
            "responded": vv.get("responded"),
            "outcome": vv.get("outcome") or "",
            "satisfaction": "" if rated_then else (vv.get("satisfaction") or ""),
            "finished": ver.row.finished,
            "refresh": refresh,
        }
        note = f"台账记录（第 {ver.row.n} 行，第 {k + 1} 次登记）"
        self.add(
            "sheet_record", ver.at, task=current[0] if current else None, note=note, data=judgement
        )

    def _demand_steps(self, ver: Version, status: str, answered: bool, has_tasks: bool) -> None:
        """The item's own steps the newer registration dates and the ledger did not have."""
        d, v = self.d, ver.row.values
        t_answer, t_confirm, t_close = (
            v.get("answered_at"),
            v.get("confirmed_at"),
            v.get("closed_at"),
        )
        satisfaction = v.get("satisfaction") or ""
        if t_answer is not None and answered and t_answer != d.answered_at:
            self.add(
                "status" if has_tasks else "resolve_on_spot",
                t_answer,
                from_status=Status.IN_PROGRESS if has_tasks else Status.RECEIVED,
                to_status=Status.ANSWERED,
                data={} if has_tasks else {"outcome": v.get("outcome") or ""},
            )
        if (
            t_confirm is not None
            and satisfaction
            and (t_confirm != d.confirmed_at or satisfaction != d.satisfaction)
        ):
            self.add(
                "confirm",
                t_confirm,
                from_status=Status.ANSWERED,
                to_status=Status.CONFIRMED
                if status in (Status.CONFIRMED, Status.CLOSED)
                else status,
                data={"satisfaction": satisfaction, "method": "import"},
            )
        if t_close is not None and t_close != d.closed_at:
            self.add(
                "close",
                t_close,
                from_status=Status.CONFIRMED if satisfaction else Status.ANSWERED,
                to_status=Status.CLOSED,
                data={"without_rating": not satisfaction},
            )


def _earlier(d: Demand, origin: SheetOrigin, ver: Version, user: User | None) -> str:
    """A registration older than the one the ledger holds as current: kept as history (its
    cells and its own judgement), the item's state unchanged."""
    key = registration_key(ver.row)
    earlier = list(origin.keys[:-1])
    at = sum(1 for x in earlier if x < key)
    origin.keys = [*earlier[:at], key, *earlier[at:], origin.keys[-1]]
    origin.versions = [*origin.versions[:at], ver.row.cells, *origin.versions[at:]]
    origin.save(update_fields=["keys", "versions"])
    vv = ver.row.values
    note = f"较早的登记（第 {ver.row.n} 行），记入历史"
    Event.objects.create(
        demand=d,
        actor=user,
        actor_role=getattr(user, "role", "") or "",
        action="sheet_record",
        created_at=ver.at,
        note=note,
        data={
            "imported": True,
            "row": ver.row.n,
            "registration": key,
            "version": at + 1,
            "lead": ver.lead.name if ver.lead else "",
            "responded": vv.get("responded"),
            "outcome": vv.get("outcome") or "",
            "satisfaction": vv.get("satisfaction") or "",
            "finished": ver.row.finished,
        },
    )
    return note


def _same(ver: Version, state: dict[str, Any]) -> bool:
    now = current_state(ver)
    return now["values"] == state.get("values") and now["finished"] == state.get("finished")


def _update_item(
    d: Demand,
    origin: SheetOrigin,
    versions: list[Version],
    user: User | None,
    job: ImportJob | None,
) -> list[Outcome]:
    """A newer sheet's rows of an item already in the ledger, oldest first: a registration it
    holds and the sheet tells nothing new of is skipped; the current one with news moves the
    item on; a new one becomes its current registration (or, older, its history)."""
    out: list[Outcome] = []
    for ver in versions:
        key = registration_key(ver.row)
        keys = list(origin.keys)
        if key in keys[:-1] or (key == keys[-1] and _same(ver, origin.state)):
            out.append(Outcome(ver.row, ImportRow.Action.SKIPPED, "该登记已在台账中", d))
        elif key == keys[-1]:
            note = _Renewal(d, origin, user, job).run(ver, new_registration=False)
            out.append(Outcome(ver.row, ImportRow.Action.UPDATED, note, d))
        elif ver.at >= dt.datetime.fromisoformat(origin.state["at"]):
            note = _Renewal(d, origin, user, job).run(ver, new_registration=True)
            out.append(Outcome(ver.row, ImportRow.Action.REGISTERED, note, d))
        else:
            out.append(
                Outcome(ver.row, ImportRow.Action.REGISTERED, _earlier(d, origin, ver, user), d)
            )
    return out


@dataclass
class _Run:
    park: Park
    user: User | None
    job: ImportJob | None  # None in a dry run: nothing of it is kept
    report: ImportReport
    headers: list[str]
    cols: dict[str, str]
    vmaps: dict[str, dict[str, str]]
    finished_by: list[str]
    fingerprint: str
    refs: Refs
    field_headers: dict[str, str]

    def batch(self, items: list[tuple[int, list[Any]]]) -> None:
        """One batch of rows in its own transaction, with the job's cursor and report."""
        report = self.report
        with transaction.atomic():
            rows = [
                _read_row(n, cells, self.headers, self.cols, self.vmaps, self.finished_by)
                for n, cells in items
            ]
            outcomes: list[Outcome] = []
            done = dict(
                ImportRow.objects.filter(
                    park=self.park, fingerprint=self.fingerprint, row__in=[r.n for r in rows]
                )
                .exclude(action=ImportRow.Action.REFUSED)
                .values_list("row", "job_id")
            )
            fresh = []
            for r in rows:
                if r.n not in done:
                    fresh.append(r)
                elif self.job is None or done[r.n] != self.job.pk:
                    report.skipped += 1
                    report.add_problems(
                        [Problem(r.n, "", "同一文件的这一行已经导入过，跳过", "warning")]
                    )
                    outcomes.append(Outcome(r, ImportRow.Action.SKIPPED, "同一文件已导入过"))
            existing = _existing(self.park, fresh)
            plans: list[Plan] = []
            changed: list[int] = []
            for group in _tickets(fresh):
                self._ticket(group, existing, plans, changed, outcomes)
            _write(plans, self.user, self.job, self.headers)
            _link_merges(plans, self.park, self.user)
            for p in plans:
                report.statuses[p.demand.status] = report.statuses.get(p.demand.status, 0) + 1
                outcomes += [Outcome(r, ImportRow.Action.CREATED, "", p.demand) for r in p.rows]
            report.imported += sum(len(p.rows) for p in plans)
            report.items += len(plans)
            ids = [p.demand.pk for p in plans] + changed
            report.demand_ids += ids
            ledger_imported.send(sender=Demand, demand_ids=ids)
            if self.job is not None:
                ImportRow.objects.bulk_create(
                    [
                        ImportRow(
                            job=self.job,
                            park=self.park,
                            fingerprint=self.fingerprint,
                            row=o.row.n,
                            demand=o.demand,
                            action=o.action,
                            note=o.note[:300],
                        )
                        for o in outcomes
                    ]
                )
                self.job.cursor = items[-1][0]
                self.job.rows_done += len(items)
                self.job.batches += 1
                ImportJob.objects.filter(pk=self.job.pk).update(
                    cursor=self.job.cursor,
                    rows_done=self.job.rows_done,
                    batches=self.job.batches,
                    report=report.as_dict(),
                )

    def _ticket(
        self,
        group: list[Row],
        existing: dict[str, Demand],
        plans: list[Plan],
        changed: list[int],
        outcomes: list[Outcome],
    ) -> None:
        report = self.report
        ref = _ref(group[0])
        own = [str(r.values.get(k) or "") for r in group for k in ("number", "system_number")]
        target = next((existing[x] for x in [ref, *own] if x and x in existing), None)
        origin = _origin_of(target) if target is not None else None
        if target is not None and origin is None:
            report.skipped += len(group)
            report.add_problems(
                Problem(r.n, BY_KEY["number"].header, f"“{ref}”已在台账中，跳过", "warning")
                for r in group
            )
            outcomes += [Outcome(r, ImportRow.Action.SKIPPED, "已在台账中", target) for r in group]
            return
        versions = []
        for row in group:
            ver = _version(row, self.refs)
            report.add_problems(row.problems)
            if ver is None:
                report.refused += 1
                first = next((p.message for p in row.problems if p.level == "error"), "")
                outcomes.append(Outcome(row, ImportRow.Action.REFUSED, first))
            else:
                versions.append(ver)
        if not versions:
            return
        versions.sort(key=lambda x: (x.at, x.row.n))
        if target is not None and origin is not None:
            for o in _update_item(target, origin, versions, self.user, self.job):
                outcomes.append(o)
                if o.action == ImportRow.Action.SKIPPED:
                    report.skipped += 1
                    report.add_problems(
                        [
                            Problem(
                                o.row.n,
                                BY_KEY["number"].header,
                                f"“{ref}”已在台账中，跳过",
                                "warning",
                            )
                        ]
                    )
                    continue
                if o.action == ImportRow.Action.UPDATED:
                    report.updated += 1
                else:
                    report.registered += 1
                if len(report.changes) < MAX_PROBLEMS:
                    report.changes.append(
                        {
                            "row": o.row.n,
                            "number": target.number,
                            "action": o.action,
                            "note": o.note,
                        }
                    )
                changed.append(target.pk)
            return
        if len(versions) > 1:
            report.reregistered += len(versions) - 1
        seen = len(versions[-1].row.problems)
        plan = _plan(versions, self.park, self.user, self.field_headers)
        report.add_problems(versions[-1].row.problems[seen:])  # what planning added
        plans.append(plan)


def import_ledger(
    data: bytes,
    *,
    park: Park,
    user: User | None = None,
    mapping: dict[str, str] | None = None,
    create_missing: bool = False,
    dry_run: bool = False,
    sheet: str | None = None,
    values: dict[str, dict[str, str]] | None = None,
    finished_by: list[str] | None = None,
    job: ImportJob | None = None,
    batch_size: int | None = None,
    resume: bool = False,
) -> ImportReport:
    """`values`: the user's value maps (header → {word: our value}) over the proposal;
    `finished_by`: the headers whose being filled means finished (None: the proposal).

    The sheet is read twice in read-only mode — once for its columns, once for its rows — and
    its rows go in by batches of `batch_size`, each committed with `job`'s cursor; `resume` goes
    on after the job's cursor with the counts it had. A dry run does it all inside one
    transaction that is rolled back."""
    if not can_import(user, park):
        raise Forbidden("只有本园区的派单员或系统管理员可以导入台账")
    book = LedgerSheet(data, sheet).scan()
    headers = book.headers
    if not headers:
        raise InvalidInput("表中没有数据", field="file")
    embedded = book.embedded
    overrides = {**{h: k for h, k in embedded.items() if h in headers}, **(mapping or {})}
    columns = propose(headers, overrides=overrides, profiles=book.profiles)
    cols = {c.header: c.key for c in columns}
    vmaps = value_maps(columns, values)
    if finished_by is None:
        finished_by = propose_finish(columns)
    unknown_finish = [h for h in finished_by if h not in cols]
    if unknown_finish:
        raise InvalidInput(f"表中没有名为“{unknown_finish[0]}”的列", field="finished_by")
    report = ImportReport(dry_run=dry_run, headers=headers, mapping=cols, rows=book.count)
    report.columns = [c.__dict__ for c in columns]
    report.values = {c.header: {r["word"]: r["target"] for r in c.values} for c in columns}
    report.finished_by = list(finished_by)
    fed = set(cols.values())
    if "description" not in fed and "title" not in fed:
        raise InvalidInput("没有找到“诉求内容”列，请在映射中指定哪一列是诉求内容", field="map")
    after = 0
    if job is not None and not dry_run:
        if resume and job.cursor:
            after = job.cursor
            report.go_on_from(job.report or {})
        else:
            job.cursor = job.rows_done = job.batches = 0
        ImportJob.objects.filter(pk=job.pk).update(
            fingerprint=book.fingerprint,
            rows_total=book.count,
            cursor=job.cursor,
            rows_done=job.rows_done,
            batches=job.batches,
        )
    size = batch_size or batch_rows()
    field_headers = {k: h for h, k in cols.items() if k not in (EXTRA, IGNORE)}
    with transaction.atomic() if dry_run else nullcontext():
        run = _Run(
            park=park,
            user=user,
            job=None if dry_run else job,
            report=report,
            headers=headers,
            cols=cols,
            vmaps=vmaps,
            finished_by=list(finished_by),
            fingerprint=book.fingerprint,
            refs=Refs(park, create_missing, report),
            field_headers=field_headers,
        )
        batch: list[tuple[int, list[Any]]] = []
        for item in book.rows(after):
            batch.append(item)
            if len(batch) >= size:
                run.batch(batch)
                batch = []
        if batch:
            run.batch(batch)
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
