"""A year of a park, driven through the public API, with invariants checked after every day and
the dashboard's figures recomputed at the end from the simulation's own record of what happened.

The park (1,200 market entities, 500 staff, 20 departments of three kinds — prompt, slow, late —,
a second park to check isolation) is set up directly; from then on every change of the ledger is a
request to /api/v1 with a bearer token, in process (Django's test client), with the services'
clock set to the simulated day (2026: 元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆 and their 调休
Saturdays from workcal). Behaviour: hotline and visit intake, on-the-spot answers, dispatch by the
category's default (a share misrouted → 退单 → 改派), slow and late departments, extensions
requested and decided, 催办 of overdue tasks, unsatisfied requesters (重办), requesters who never
answer (回访未果 recorded, then 销号), reopenings, duplicates merged.

After every simulated day (the step), over the demands that day's requests touched — nothing
else changes a demand here —, and every 30 days and on the last over the whole park: no open
item without an owner; no closed item without a rating or a recorded call-back; tasks and demand
consistent; the last state-changing event is the demand's status; deadlines are working-day
sums; the other park sees none of it (every day). At the end every headline
figure of metrics.summary (what the dashboard and its JSON show) is compared with the same figure
recomputed from the simulation's record.

    .venv/bin/python bench/simulate_year.py                       # the year (SQLite file in build/)
    DATABASE_URL=postgres://… .venv/bin/python bench/simulate_year.py --days 365
    .venv/bin/python bench/simulate_year.py --days 30 --demands 160 --entities 120 --staff 80

Ends with one line: demands=… events=… seconds=… invariant_violations=… metric_mismatches=…
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = dt.date(2026, 1, 1)
OPEN = ("received", "dispatched", "in_progress", "returned", "answered", "confirmed")
WORKING = ("dispatched", "in_progress", "returned")
ANSWERED = ("answered", "confirmed", "closed")
ACTIVE_TASK = ("pending", "signed", "paused")
# Every this many simulated days (and on the last) the invariants are checked over the whole
# park, not only over the demands the day's requests touched.
FULL_CHECK_DAYS = 30


@dataclass
class TaskRec:
    dept: int
    born: dt.date
    deadline: dt.date
    status: str = "pending"
    resp: dt.date | None = None
    reply: dt.date | None = None
    on_time: bool | None = None
    returns: int = 0


@dataclass
class DemandRec:
    id: int
    number: str
    created: dt.date
    right_dept: int
    wrong_dept: int | None
    status: str = "received"
    tier: str = ""
    outcome: str = ""
    due: dt.date | None = None
    merged: bool = False
    reopened: bool = False
    ever_closed: bool = False
    ratings: list[str] = field(default_factory=list)
    tasks: dict[int, TaskRec] = field(default_factory=dict)
    answered_on: dt.date | None = None
    silent: bool = False  # the requester never rates
    callback: bool = False
    closed_on: dt.date | None = None
    requester: int | None = None  # enterprise user id who rates, or None (phone call-back)


class Sim:
    def __init__(self, args: argparse.Namespace) -> None:
        from django.test import Client

        self.args = args
        self.rng = random.Random(args.seed)
        self.client = Client()
        self.recs: dict[int, DemandRec] = {}
        self.violations: list[str] = []
        self.calls = 0
        self.today = START
        self.touched_tasks: set[int] = set()
        # The demands the day's requests acted on: the step's invariant check reads these only.
        self.touched: set[int] = set()
        # Per kind of request (GET demand, POST intake, POST action sign …): count, queries,
        # wall and CPU seconds — what `--per-action` prints.
        self.kinds: dict[str, list[float]] = {}

    # ------------------------------------------------------------------ setup (not the ledger)

    def setup(self) -> None:
        from django.contrib.auth.hashers import make_password

        from demands.models import Category
        from entities.models import MarketEntity
        from orgs import tokens
        from orgs.models import Department, Park, Role, User
        from qinshang.validators import make_credit_code

        a = self.args
        tag = f"sim{self.rng.randrange(10**6)}"
        pw = make_password(None)
        self.park = Park.objects.create(name="模拟园区", short_name="模拟园区", code=tag)
        self.other = Park.objects.create(name="邻园", short_name="邻园", code=tag + "b")
        centre = Department.objects.create(
            park=self.park, name="派单中心", code="centre", is_dispatch_centre=True, sort=0
        )
        kinds = ["prompt"] * 10 + ["slow"] * 6 + ["late"] * 4
        self.depts: list[Department] = [
            Department.objects.create(park=self.park, name=f"第{i + 1}局", code=f"d{i}", sort=i + 1)
            for i in range(len(kinds))
        ]
        self.kind = {d.pk: k for d, k in zip(self.depts, kinds, strict=True)}
        cats = []
        for i in range(5):
            top = Category.objects.create(park=self.park, code=f"c{i}", name=f"类别{i}", sort=i)
            for j in range(3):
                d = self.depts[(i * 3 + j) % len(self.depts)]
                cats.append(
                    Category.objects.create(
                        park=self.park,
                        parent=top,
                        code=f"c{i}-{j}",
                        name=f"类别{i}-{j}",
                        default_department=d,
                        time_limit_days=self.rng.choice((5, 10, 15)),
                        sort=j,
                    )
                )
        self.cats = cats
        users = []
        n_staff = max(a.staff, 2 * len(self.depts) + 10)
        for i in range(n_staff):
            d = self.depts[i % len(self.depts)]
            role = Role.DEPARTMENT_HEAD if i < len(self.depts) else Role.HANDLER
            if i >= n_staff - 5:
                role, d = Role.DISPATCHER, centre
            users.append(
                User(username=f"{tag}_u{i}", password=pw, role=role, park=self.park, department=d)
            )
        User.objects.bulk_create(users)
        ents = [
            MarketEntity(
                park=self.park, name=f"模拟企业{i}有限公司", credit_code=make_credit_code(self.rng)
            )
            for i in range(a.entities)
        ]
        MarketEntity.objects.bulk_create(ents)
        self.entities = list(
            MarketEntity.objects.filter(park=self.park).values_list("pk", flat=True)
        )
        ent_users = [
            User(
                username=f"{tag}_e{i}",
                password=pw,
                role=Role.ENTERPRISE,
                park=self.park,
                enterprise_id=e,
            )
            for i, e in enumerate(self.entities[:200])
        ]
        User.objects.bulk_create(ent_users)
        self.handlers = {
            d.pk: User.objects.filter(park=self.park, department=d, role=Role.HANDLER).first()
            for d in self.depts
        }
        self.dispatcher = User.objects.filter(park=self.park, role=Role.DISPATCHER).first()
        self.ent_user = {
            u.enterprise_id: u for u in User.objects.filter(park=self.park, role=Role.ENTERPRISE)
        }
        ocentre = Department.objects.create(
            park=self.other, name="派单中心", code="centre", is_dispatch_centre=True
        )
        self.stranger = User.objects.create(
            username=f"{tag}_x", role=Role.DISPATCHER, park=self.other, department=ocentre
        )
        self.tokens: dict[int, str] = {}
        admin = self.dispatcher
        for u in [self.dispatcher, self.stranger, *self.handlers.values(), *self.ent_user.values()]:
            assert u is not None
            self.tokens[u.pk] = tokens.issue(u, name="模拟", days=366, by=admin or u)

    # ------------------------------------------------------------------ API

    def api(self, user: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        from django.db import connection

        self.calls += 1
        auth = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user.pk]}"}
        queries = [0]

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries[0] += 1
            return execute(sql, params, many, context)

        w0, c0 = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            if method == "GET":
                r = self.client.get("/api/v1" + path, **auth)
            else:
                r = self.client.post(
                    "/api/v1" + path,
                    json.dumps(body or {}),
                    content_type="application/json",
                    **auth,
                )
        kind = f"{method} " + (
            path.split("?")[0].rsplit("/", 1)[-1]
            if "/actions/" in path
            else re.sub(r"/\d+", "/{id}", path)
        )
        k = self.kinds.setdefault(kind, [0, 0, 0.0, 0.0])
        k[0] += 1
        k[1] += queries[0]
        k[2] += time.perf_counter() - w0
        k[3] += time.process_time() - c0
        try:
            data = r.json()
        except ValueError:
            data = None
        return r.status_code, data

    def act(self, user: Any, rec: DemandRec, action: str, body: dict[str, Any]) -> bool:
        # The short answer: status, due date and tasks are all the record takes from it.
        code, data = self.api(
            user, "POST", f"/demands/{rec.id}/actions/{action}?answer=brief", body
        )
        self.touched.add(rec.id)
        if action == "merge":
            self.touched.add(body["into_id"])
        if code != 200:
            self.violations.append(f"{rec.number} {action}: HTTP {code} {str(data)[:160]}")
            return False
        self.absorb(rec, data)
        return True

    def absorb(self, rec: DemandRec, data: dict[str, Any]) -> None:
        """Bring the record up to date with what the API answered."""
        rec.status = data["status"]
        rec.tier = data.get("tier") or ""
        rec.outcome = data.get("outcome") or ""
        rec.due = _day(data.get("due_date"))
        for t in data.get("tasks", []):
            tr = rec.tasks.get(t["id"])
            if tr is None:
                tr = rec.tasks[t["id"]] = TaskRec(
                    t["department"]["id"], self.today, _day(t["deadline"])
                )
            tr.status, tr.deadline = t["status"], _day(t["deadline"])
            self.touched_tasks.add(t["id"])

    # ------------------------------------------------------------------ one day

    def day(self, today: dt.date, new: int) -> None:
        from workcal import calendar as wcal

        self.today = today
        work = wcal.is_workday(today)
        for _ in range(new):
            self.intake()
        if work:
            for rec in list(self.recs.values()):
                self.step(rec)

    def intake(self) -> None:
        rng = self.rng
        cat = rng.choice(self.cats)
        right = cat.default_department_id
        wrong = (
            rng.choice([d.pk for d in self.depts if d.pk != right]) if rng.random() < 0.1 else None
        )
        ent = rng.choice(self.entities)
        code, data = self.api(
            self.dispatcher,
            "POST",
            "/demands",
            {
                "title": f"模拟诉求{len(self.recs) + 1}",
                "description": "企业反映的问题（模拟）",
                "channel": rng.choice(("hotline", "visit", "liaison")),
                "enterprise_id": ent,
                "category": cat.pk,
            },
        )
        if code != 201:
            self.violations.append(f"intake: HTTP {code} {str(data)[:160]}")
            return
        rec = DemandRec(data["id"], data["number"], self.today, right, wrong)
        self.touched.add(rec.id)
        rec.requester = ent if ent in self.ent_user else None
        rec.silent = rng.random() < 0.08
        self.recs[rec.id] = rec
        if rng.random() < 0.02 and len(self.recs) > 5:
            target = rng.choice(
                [r for r in self.recs.values() if r.status in OPEN[:3] and r is not rec] or [None]
            )
            if target is not None and self.act(
                self.dispatcher, rec, "merge", {"into_id": target.id, "note": "重复反映"}
            ):
                rec.merged = True
                return
        if rng.random() < 0.2:
            self.act(
                self.dispatcher,
                rec,
                "resolve_on_spot",
                {
                    "answer": "当场答复（模拟）",
                    "outcome": rng.choice(("solved", "solved", "explained")),
                },
            )
            rec.answered_on = self.today

    def step(self, rec: DemandRec) -> None:
        from workcal import calendar as wcal

        rng, today = self.rng, self.today
        if rec.merged or rec.status == "merged":
            return
        if rec.status == "received":
            dept = rec.wrong_dept or rec.right_dept
            self.act(self.dispatcher, rec, "dispatch", {"lead_department_id": dept})
            return
        if rec.status == "returned":
            t = next((i for i, t in rec.tasks.items() if t.status == "returned"), None)
            if t is not None:
                self.act(
                    self.dispatcher,
                    rec,
                    "redispatch",
                    {"task_id": t, "department_id": rec.right_dept, "note": "改派"},
                )
            return
        if rec.status in ("dispatched", "in_progress"):
            for tid, t in list(rec.tasks.items()):
                if t.status not in ACTIVE_TASK:
                    continue
                kind = self.kind.get(t.dept, "prompt")
                h = self.handlers[t.dept]
                age = wcal.working_days_between(t.born, today)
                if t.status == "pending":
                    wait = {
                        "prompt": 0,
                        "slow": rng.choice((0, 1, 2)),
                        "late": rng.choice((1, 2, 3)),
                    }[kind]
                    if age < wait:
                        continue
                    if rec.wrong_dept == t.dept:
                        if self.act(
                            h,
                            rec,
                            "return",
                            {"task_id": tid, "reason": "not_our_duty", "note": "不属本部门职能"},
                        ):
                            t.resp = t.resp or today
                            t.returns += 1
                            rec.wrong_dept = None
                        return
                    if self.act(h, rec, "sign", {"task_id": tid}):
                        t.resp = t.resp or today
                    continue
                left = wcal.working_days_between(today, t.deadline)
                if kind == "slow" and left == 1 and rng.random() < 0.3 and t.reply is None:
                    self.act(
                        h,
                        rec,
                        "request_extension",
                        {"task_id": tid, "days": 3, "reason": "需现场核实"},
                    )
                    ext = self._pending_extension(rec)
                    if ext is not None:
                        self.act(
                            self.dispatcher,
                            rec,
                            "decide_extension",
                            {
                                "extension_id": ext,
                                "approve": rng.random() < 0.8,
                                "note": "同意延期" if rng.random() < 0.8 else "不同意，请按期办结",
                            },
                        )
                    continue
                due_in = {"prompt": 0.5, "slow": 0.9, "late": 1.3}[kind]
                limit = max(1, wcal.working_days_between(t.born, t.deadline))
                if age >= round(limit * due_in) or (kind != "late" and left <= 0):
                    if self.act(
                        h,
                        rec,
                        "reply",
                        {
                            "task_id": tid,
                            "answer": "已办理（模拟）",
                            "outcome": rng.choice(
                                ("solved", "solved", "solved", "partly", "explained")
                            ),
                        },
                    ):
                        if t.reply is None:
                            t.reply, t.on_time = today, today <= t.deadline
                        rec.answered_on = today
                elif left < 0 and rng.random() < 0.3:
                    self.act(self.dispatcher, rec, "urge", {"note": "请抓紧办理"})
            return
        if rec.status == "answered":
            waited = wcal.working_days_between(rec.answered_on or today, today)
            if rec.silent:
                if waited >= self.park.auto_close_working_days and not rec.callback:
                    if self.act(self.dispatcher, rec, "record_callback", {"note": "电话无人接听"}):
                        rec.callback = True
                elif rec.callback:
                    if self.act(self.dispatcher, rec, "close", {"note": "回访未果，按期销号"}):
                        rec.ever_closed, rec.closed_on = True, today
                return
            if waited < rng.choice((0, 1, 2)):
                return
            sat = rng.choices(("satisfied", "basic", "dissatisfied"), (70, 20, 10))[0]
            user = self.ent_user.get(rec.requester) if rec.requester else None
            body: dict[str, Any] = {
                "satisfaction": sat,
                "comment": "仍未解决" if sat == "dissatisfied" else "",
            }
            if user is None or rng.random() < 0.5:
                user, body["method"] = self.dispatcher, "phone"
            if self.act(user, rec, "confirm", body):
                rec.ratings.append(sat)
            return
        if rec.status == "confirmed":
            if self.act(self.dispatcher, rec, "close", {"note": "销号"}):
                rec.ever_closed, rec.closed_on = True, today
            return
        # Requesters come back within weeks of the 销号 (the ledger refuses after 30 days).
        recent = rec.closed_on is not None and (today - rec.closed_on).days <= 20
        if rec.status == "closed" and recent and not rec.reopened and rng.random() < 0.01:
            if self.act(self.dispatcher, rec, "reopen", {"reason": "企业反映问题复发"}):
                rec.reopened = True
                rec.silent = False

    def _pending_extension(self, rec: DemandRec) -> int | None:
        from demands.models import Extension

        e = (
            Extension.objects.filter(task__demand_id=rec.id, status="pending")
            .order_by("-pk")
            .first()
        )
        return e.pk if e else None

    # ------------------------------------------------------------------ invariants

    def check(self, *, full: bool = False) -> None:
        """The invariants. After each step (a day) over the demands that step touched, as only
        a request can change a demand here; with `full`, over every demand of the park."""
        from django.db.models import Exists, F, OuterRef, Subquery

        from demands.models import Demand, Event, Task
        from workcal import calendar as wcal

        park = self.park
        qs = Demand.objects.filter(park=park)
        if not full:
            qs = qs.filter(pk__in=sorted(self.touched))
        self.touched.clear()
        owned = Task.objects.filter(demand=OuterRef("pk"), status__in=(*ACTIVE_TASK, "returned"))
        bad = qs.filter(status__in=WORKING).exclude(Exists(owned))
        self._flag(bad, "open without an owner (no active or returned task)")
        rated = Event.objects.filter(
            demand=OuterRef("pk"), action__in=("confirm", "record_callback")
        )
        self._flag(
            qs.filter(status="closed").exclude(Exists(rated)), "closed without 回访 or call-back"
        )
        active = Task.objects.filter(demand=OuterRef("pk"), status__in=ACTIVE_TASK)
        self._flag(
            qs.filter(status__in=ANSWERED).filter(Exists(active)), "answered with an active task"
        )
        self._flag(
            qs.filter(status__in=("dispatched", "in_progress")).exclude(Exists(active)),
            "in work without an active task",
        )
        last = (
            Event.objects.filter(demand=OuterRef("pk"))
            .exclude(to_status="")
            .order_by("-created_at", "-pk")
            .values("to_status")[:1]
        )
        self._flag(
            qs.annotate(last=Subquery(last)).exclude(last=None).exclude(last=F("status")),
            "status differs from the last event",
        )
        tasks = (
            Task.objects.filter(demand__park=park)
            if full
            else Task.objects.filter(pk__in=sorted(self.touched_tasks))
        )
        for t in tasks.select_related("demand"):
            if t.extension_count == 0 and t.paused_working_days == 0:
                from django.utils import timezone

                want = wcal.add_working_days(
                    timezone.localtime(t.assigned_at).date(), t.time_limit_days
                )
                if t.deadline != want:
                    self.violations.append(f"{t.demand.number}: deadline {t.deadline} ≠ {want}")
            elif not wcal.is_workday(t.deadline):
                self.violations.append(
                    f"{t.demand.number}: deadline {t.deadline} not a working day"
                )
        self.touched_tasks.clear()
        # Nothing of this park is visible from the other.
        ids = list(self.recs)[-3:]
        for i in ids:
            code, _ = self.api(self.stranger, "GET", f"/demands/{i}")
            if code != 404:
                self.violations.append(f"demand {i} answered {code} to another park")
        code, data = self.api(self.stranger, "GET", "/demands")
        if code == 200 and any(r.get("id") in self.recs for r in (data or {}).get("items", [])):
            self.violations.append("another park's ledger lists this park's demands")

    def _flag(self, qs: Any, what: str) -> None:
        for number in qs.values_list("number", flat=True)[:5]:
            self.violations.append(f"{number}: {what} ({self.today})")

    # ------------------------------------------------------------------ figures

    def recompute(self, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
        """The headline figures from the simulation's own record (not from the facts)."""
        from workcal import calendar as wcal

        window = self.park.response_window_working_days
        recs = [r for r in self.recs.values() if not r.merged and start <= r.created <= end]
        tasks = [t for r in recs for t in r.tasks.values()]
        credit = {"solved": 1.0, "partly": 0.5, "explained": 0.0, "not_feasible": 0.0}
        answered = [r for r in recs if r.status in ANSWERED]
        ratings = [x for r in recs for x in r.ratings]
        replied = [t for t in tasks if t.reply is not None]
        out = {
            "received": len(recs),
            "answered": len(answered),
            "closed": sum(r.status == "closed" for r in recs),
            "open": sum(r.status in OPEN for r in recs),
            "overdue": sum(
                r.status in WORKING and r.due is not None and r.due < today for r in recs
            ),
            "on_spot": (sum(r.tier == "on_spot" for r in answered), len(recs)),
            "response": (
                sum(
                    t.resp is not None and wcal.working_days_between(t.born, t.resp) <= window
                    for t in tasks
                ),
                sum(
                    t.resp is not None
                    or (
                        t.status != "cancelled"
                        and wcal.working_days_between(t.born, today) > window
                    )
                    for t in tasks
                ),
            ),
            "on_time": (
                sum(bool(t.on_time) for t in replied),
                len(replied)
                + sum(
                    t.reply is None and t.status in ("pending", "signed") and t.deadline < today
                    for t in tasks
                ),
            ),
            "solve": (
                round(sum(credit.get(r.outcome, 0.0) for r in answered if r.outcome), 4),
                sum(1 for r in answered if r.outcome),
            ),
            "satisfaction": (sum(x in ("satisfied", "basic") for x in ratings), len(ratings)),
            "reopen": (sum(r.reopened for r in recs), sum(r.ever_closed for r in recs)),
            "returns": (sum(t.returns for t in tasks), len(tasks)),
            "tasks": len(tasks),
            "avg_answer_days": round(
                sum(wcal.working_days_between(t.born, t.reply) for t in replied) / len(replied),
                2,  # type: ignore[arg-type]
            )
            if replied
            else None,
        }
        return out

    def compare(self, start: dt.date, end: dt.date, today: dt.date) -> list[str]:
        from reports import metrics
        from reports.metrics import Scope

        mine = self.recompute(start, end, today)
        out: list[str] = []
        for rollups in (True, False):
            f = metrics.summary(Scope(self.park, start, end, today=today, rollups=rollups))
            theirs: dict[str, Any] = {
                "received": f.received,
                "answered": f.answered,
                "closed": f.closed,
                "open": f.open,
                "overdue": f.overdue,
                "on_spot": (f.on_spot.num, f.on_spot.den),
                "response": (f.response.num, f.response.den),
                "on_time": (f.on_time.num, f.on_time.den),
                "solve": (f.solve.num, f.solve.den),
                "satisfaction": (f.satisfaction.num, f.satisfaction.den),
                "reopen": (f.reopen.num, f.reopen.den),
                "returns": (f.returns.num, f.returns.den),
                "tasks": f.tasks,
                "avg_answer_days": f.avg_answer_days,
            }
            for k, v in mine.items():
                if theirs[k] != v:
                    out.append(
                        f"{k} ({'rollups' if rollups else 'facts'}): dashboard {theirs[k]} ≠ recomputed {v}"
                    )
        return out


def _day(v: Any) -> dt.date | None:
    if not v:
        return None
    return dt.date.fromisoformat(str(v)[:10])


def simulate(
    *,
    days: int = 365,
    demands: int = 2000,
    entities: int = 1200,
    staff: int = 500,
    seed: int = 2026,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run the simulation in the configured database; returns the figures of the final line."""
    from django.utils import timezone

    from bench.clock import clock
    from demands.models import Event

    args = argparse.Namespace(days=days, demands=demands, entities=entities, staff=staff, seed=seed)
    t0, c0 = time.monotonic(), time.process_time()
    sim = Sim(args)
    first = timezone.make_aware(dt.datetime.combine(START, dt.time(9)))
    with clock(first):
        sim.setup()
    per_day = demands / days
    check_wall = check_cpu = 0.0
    carry = 0.0
    for i in range(days):
        today = START + dt.timedelta(days=i)
        carry += per_day
        new = int(carry)
        carry -= new
        with clock(timezone.make_aware(dt.datetime.combine(today, dt.time(10)))):
            seen = len(sim.violations)
            sim.day(today, new)
            w, c = time.perf_counter(), time.process_time()
            full = i % FULL_CHECK_DAYS == FULL_CHECK_DAYS - 1 or i == days - 1
            sim.check(full=full)
            check_wall += time.perf_counter() - w
            check_cpu += time.process_time() - c
        for v in sim.violations[seen:][: max(0, 30 - seen)]:
            log(f"  违反（{today}）：{v}")
        if i % 30 == 29:
            log(
                f"  第 {i + 1} 天：诉求 {len(sim.recs)} 件，请求 {sim.calls} 次，违反 {len(sim.violations)} 条，"
                f"CPU {time.process_time() - c0:.1f} 秒，负载 {_loadavg()}"
            )
    end = START + dt.timedelta(days=days - 1)
    with clock(timezone.make_aware(dt.datetime.combine(end, dt.time(18)))):
        mismatches = sim.compare(START, end, end)
    for m in mismatches:
        log("  不一致：" + m)
    return {
        "demands": len(sim.recs),
        "events": Event.objects.filter(demand__park=sim.park).count(),
        "seconds": round(time.monotonic() - t0, 1),
        "invariant_violations": len(sim.violations),
        "metric_mismatches": len(mismatches),
        "requests": sim.calls,
        "cpu_seconds": round(time.process_time() - c0, 1),
        "kinds": sim.kinds,
        "check_seconds": round(check_wall, 1),
        "check_cpu_seconds": round(check_cpu, 1),
    }


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--demands", type=int, default=2000)
    p.add_argument("--entities", type=int, default=1200)
    p.add_argument("--staff", type=int, default=500)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument(
        "--per-action",
        action="store_true",
        help="print, per kind of request, how many, queries each, wall and CPU ms each",
    )
    a = p.parse_args()
    if not os.environ.get("DATABASE_URL"):
        # A throw-away SQLite file, in memory-backed /dev/shm when there is one (fsync per
        # commit would otherwise dominate the run).
        shm = Path("/dev/shm")
        db = (shm if shm.is_dir() else ROOT / "build") / "qinshang_simulate_year.sqlite3"
        db.parent.mkdir(exist_ok=True)
        db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    # The other park's 404s are expected (they are the isolation check): not worth a log line.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    call_command("migrate", verbosity=0)
    r = simulate(days=a.days, demands=a.demands, entities=a.entities, staff=a.staff, seed=a.seed)
    if a.per_action:
        print(f"{'request':<28}{'n':>7}{'queries':>9}{'wall ms':>9}{'cpu ms':>8}{'cpu s':>8}")
        for kind, (n, q, w, c) in sorted(r["kinds"].items(), key=lambda kv: -kv[1][3]):
            print(f"{kind:<28}{n:>7}{q / n:>9.1f}{1000 * w / n:>9.1f}{1000 * c / n:>8.1f}{c:>8.1f}")
    print(
        f"requests={r['requests']} cpu_seconds={r['cpu_seconds']} check_seconds={r['check_seconds']}"
        f" check_cpu_seconds={r['check_cpu_seconds']} loadavg={_loadavg()}"
    )
    shown = ("demands", "events", "seconds", "invariant_violations", "metric_mismatches")
    print(" ".join(f"{k}={r[k]}" for k in shown))


if __name__ == "__main__":
    main()
