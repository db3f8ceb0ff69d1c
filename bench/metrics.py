"""Benchmark of the leaders' dashboard: 1,000,000 demands in PostgreSQL, every panel timed.

Creates the database `qinshang_bench` on 127.0.0.1:5432 (dropped and recreated unless --keep finds
it already loaded), migrates it, and loads one park with N demands spread over 36 months (states,
tiers, ratings, returns and overdue items in realistic shares), their department tasks and the
derived fact rows the metrics read (reports.DemandFact / TaskFact), all with COPY, and rebuilds the
monthly rollups (reports.DemandRollup / TaskRollup) from the facts. Then it times,
for several slices (a year, all time, a month, one department, one category, one liaison), each
panel of the dashboard (reports.dashboard.PANELS, i.e. every query the page runs), the whole page
over HTTP (test client), a drill-down page, and the incremental refresh of facts after changes made
through the service layer. Target: each panel < 500 ms.

    .venv/bin/python bench/metrics.py                    # 1,000,000 demands (~6 minutes)
    .venv/bin/python bench/metrics.py --demands 100000   # quicker
    .venv/bin/python bench/metrics.py --keep             # reuse a loaded qinshang_bench
    .venv/bin/python bench/metrics.py --demo sqlite:////tmp/demo.sqlite3
        # only time the dashboard page of the demo park (manage.py seed_demo) in that database

Ends with one line of key=value figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DB = "qinshang_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
PARK_CODE = "bench_metrics"


def prepare_database(keep: bool) -> bool:
    """Create the database; True when --keep found it already loaded."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
        if exists and keep:
            with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={PG_DB}") as b:
                try:
                    row = b.execute(
                        "SELECT count(*) FROM orgs_park WHERE code = %s", [PARK_CODE]
                    ).fetchone()
                    return bool(row and row[0])
                except psycopg.Error:
                    pass
        c.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        c.execute(f"CREATE DATABASE {PG_DB}")
    return False


# --------------------------------------------------------------------------- loading


class Copier:
    """Buffers rows for one table and streams them with COPY ... FROM STDIN (psycopg formats the
    values in C: far faster than building the text in Python)."""

    def __init__(self, cursor: Any, table: str, columns: list[str], defaults: dict[str, Any]):
        self.cursor = cursor
        self.table = table
        self.columns = columns
        self.defaults = defaults
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(tuple(row[c] if c in row else self.defaults[c] for c in self.columns))

    def flush(self) -> None:
        if not self.rows:
            return
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with self.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as cp:
            for row in self.rows:
                cp.write_row(row)
        self.rows = []


def _columns(cursor: Any, table: str) -> tuple[list[str], dict[str, Any]]:
    """The table's columns and a default for each NOT NULL one (Django sets no DB defaults)."""
    rows = cursor.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    ).fetchall()
    defaults: dict[str, Any] = {}
    for name, kind, nullable in rows:
        if nullable == "YES":
            defaults[name] = None
        elif kind in ("integer", "bigint", "smallint", "double precision", "numeric"):
            defaults[name] = 0
        elif kind == "boolean":
            defaults[name] = False
        elif kind in ("jsonb", "json"):
            defaults[name] = "{}"
        else:
            defaults[name] = ""
    return [r[0] for r in rows], defaults


def seed(n: int, rng: random.Random, log: Callable[[str], None]) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from demands.models import Category, Channel, Status, Tier
    from demo import textgen as tg
    from demo.seeding import ParkBuilder
    from entities.models import EntityKind, MarketEntity
    from orgs.models import Park, Role, User
    from workcal import calendar as wcal

    b = ParkBuilder(rng, make_password("bench"))
    with transaction.atomic():
        park = Park.objects.create(name="指标基准园区", short_name="指标基准", code=PARK_CODE)
        depts = b.departments(park, list(tg.DEPARTMENTS))
        b.catalogue(park, depts)
        centre = next(d for d in depts.values() if d.is_dispatch_centre)
        users = [
            b.user(park, Role.DISPATCHER, username="bm_disp", department=centre),
            b.user(park, Role.LEADER, username="bm_leader", rank=1),
        ]
        dept_list = [d for d in depts.values() if not d.is_dispatch_centre]
        users += [b.user(park, Role.LIAISON, department=rng.choice(dept_list)) for _ in range(300)]
        for d in dept_list:
            users += [b.user(park, Role.HANDLER, department=d)]
        User.objects.bulk_create(users)
        liaisons = list(
            User.objects.filter(park=park, role=Role.LIAISON).values_list("pk", flat=True)
        )
        now = timezone.now()
        ents = [
            MarketEntity(
                park=park,
                name=f"基准企业{i:05d}有限公司",
                kind=EntityKind.BELOW_SCALE,
                tier=rng.choice((1, 2, 2, 3, 3, 3)),
                liaison_id=rng.choice(liaisons) if rng.random() < 0.95 else None,
                last_contact_at=now - dt.timedelta(days=rng.randint(0, 150)),
            )
            for i in range(20000)
        ]
        MarketEntity.objects.bulk_create(ents, batch_size=2000)
    ent_rows = list(MarketEntity.objects.filter(park=park).values_list("pk", "liaison_id"))
    leaves = list(
        Category.objects.filter(park=park, parent__isnull=False).values_list(
            "pk", "parent_id", "default_department_id", "time_limit_days", "name"
        )
    )
    dept_ids = [d.pk for d in dept_list]
    disp_id = User.objects.get(username="bm_disp").pk
    channels = [c.value for c in Channel if c != Channel.IMPORT]
    tz = timezone.get_current_timezone()
    first = dt.datetime(2023, 12, 1, tzinfo=tz)
    last = dt.datetime(2026, 11, 20, tzinfo=tz)
    span = (last - first).total_seconds()
    today = timezone.localdate()
    due_cache: dict[tuple[dt.date, int], dt.date] = {}

    def due(day: dt.date, days: int) -> dt.date:
        key = (day, days)
        if key not in due_cache:
            due_cache[key] = wcal.add_working_days(day, days)
        return due_cache[key]

    cur = connection.connection.cursor()
    cols = {
        t: _columns(cur, t)
        for t in ("demands_demand", "demands_task", "reports_demandfact", "reports_taskfact")
    }
    dcopy = Copier(cur, "demands_demand", *cols["demands_demand"])
    tcopy = Copier(cur, "demands_task", *cols["demands_task"])
    dfcopy = Copier(cur, "reports_demandfact", *cols["reports_demandfact"])
    tfcopy = Copier(cur, "reports_taskfact", *cols["reports_taskfact"])
    started = time.monotonic()
    task_id = 0
    open_states = [
        (Status.RECEIVED, 5),
        (Status.DISPATCHED, 4),
        (Status.IN_PROGRESS, 10),
        (Status.RETURNED, 2),
        (Status.ANSWERED, 5),
        (Status.CONFIRMED, 3),
        (Status.CLOSED, 70),
        (Status.MERGED, 1),
    ]
    recent_pool = [s for s, w in open_states for _ in range(w)]
    old_pool = [Status.CLOSED] * 95 + [
        Status.ANSWERED,
        Status.IN_PROGRESS,
        Status.IN_PROGRESS,
        Status.MERGED,
        Status.CONFIRMED,
    ]
    for i in range(1, n + 1):
        created = first + dt.timedelta(seconds=rng.random() * span)
        local = created.astimezone(tz)
        month = local.year * 100 + local.month
        age = (last - created).days
        status = rng.choice(old_pool if age > 60 else recent_pool)
        leaf_id, l1_id, default_dept, limit, cat_name = rng.choice(leaves)
        ent_id, liaison_id = rng.choice(ent_rows)
        answered = status in (Status.ANSWERED, Status.CONFIRMED, Status.CLOSED)
        on_spot = answered and rng.random() < 0.7
        dispatched = status not in (Status.RECEIVED, Status.MERGED) and not on_spot
        r = rng.random()
        tier = (
            Tier.ON_SPOT
            if on_spot
            else ""
            if not dispatched
            else Tier.EXPERT
            if r < 0.03
            else Tier.PROJECT_MEETING
            if r < 0.08
            else Tier.RECEPTION_DAY
            if r < 0.15
            else Tier.DEPARTMENT
        )
        lead = (default_dept or rng.choice(dept_ids)) if dispatched else None
        deadline = due(local.date(), limit) if dispatched else None
        answered_at = (
            created + dt.timedelta(minutes=rng.randint(5, 90))
            if on_spot
            else created + dt.timedelta(days=rng.randint(1, 20))
            if answered
            else None
        )
        closed_at = (
            answered_at + dt.timedelta(days=rng.randint(1, 6)) if status == Status.CLOSED else None
        )
        rated = status in (Status.CONFIRMED, Status.CLOSED) and rng.random() < 0.9
        sat = (
            "" if not rated else rng.choices(("satisfied", "basic", "dissatisfied"), (85, 12, 3))[0]
        )
        outcome = (
            ""
            if not answered
            else rng.choices(("solved", "partly", "explained", "not_feasible"), (80, 8, 10, 2))[0]
        )
        legacy = tier == Tier.EXPERT
        working = status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)
        dcopy.add(
            {
                "id": i,
                "park_id": park.pk,
                "number": f"QS-{local.year}-{i:07d}",
                "title": f"{cat_name}诉求",
                "description": f"企业反映{cat_name}方面的问题（基准数据 {i}）",
                "channel": rng.choice(channels),
                "category_id": leaf_id,
                "requester_kind": "enterprise",
                "enterprise_id": ent_id,
                "liaison_id": liaison_id,
                "created_by_id": disp_id,
                "status": status,
                "tier": tier,
                "lead_department_id": lead,
                "due_date": deadline if working else None,
                "answer": "已答复。" if answered else "",
                "outcome": outcome,
                "satisfaction": sat,
                "is_legacy": legacy,
                "extra": "{}",
                "created_at": created,
                "dispatched_at": created if dispatched else None,
                "answered_at": answered_at,
                "confirmed_at": closed_at if rated else None,
                "closed_at": closed_at,
                "updated_at": closed_at or created,
            }
        )
        n_tasks = 0
        returns = 0
        if dispatched:
            roles = ["lead"] + (["co"] if rng.random() < 0.2 else [])
            for role in roles:
                task_id += 1
                n_tasks += 1
                dept = lead if role == "lead" else rng.choice(dept_ids)
                returned = rng.random() < 0.03
                returns += returned
                t_status = (
                    "answered"
                    if answered
                    else "pending"
                    if status == Status.DISPATCHED
                    else "returned"
                    if status == Status.RETURNED
                    else "signed"
                )
                reacted = t_status != "pending"
                resp = rng.choices((0, 1, 2, 3), (60, 30, 7, 3))[0] if reacted else None
                on_time = (rng.random() < 0.85) if answered else None
                tcopy.add(
                    {
                        "id": task_id,
                        "demand_id": i,
                        "department_id": dept,
                        "role": role,
                        "status": t_status,
                        "time_limit_days": limit,
                        "assigned_at": created,
                        "deadline": deadline,
                        "signed_at": created if reacted else None,
                        "answered_at": answered_at if answered else None,
                        "created_at": created,
                    }
                )
                tfcopy.add(
                    {
                        "task_id": task_id,
                        "demand_id": i,
                        "park_id": park.pk,
                        "department_id": dept,
                        "role": role,
                        "month": month,
                        "demand_created_at": created,
                        "category_id": leaf_id,
                        "category_l1_id": l1_id,
                        "channel": "visit",
                        "liaison_id": liaison_id,
                        "demand_merged": False,
                        "assigned_date": local.date(),
                        "response_days": resp,
                        "response_known": True,
                        "returns": int(returned),
                        "cancelled": False,
                        "active": t_status in ("pending", "signed"),
                        "paused": False,
                        "deadline": deadline,
                        "first_answered_at": answered_at if answered else None,
                        "answered_on_time": on_time,
                        "deadline_known": True,
                        "answer_days": rng.randint(0, 12) if answered else None,
                    }
                )
        dfcopy.add(
            {
                "demand_id": i,
                "park_id": park.pk,
                "created_at": created,
                "month": month,
                "category_id": leaf_id,
                "category_l1_id": l1_id,
                "channel": "visit",
                "liaison_id": liaison_id,
                "lead_department_id": lead,
                "status": status,
                "tier": tier,
                "outcome": outcome,
                "is_merged": status == Status.MERGED,
                "is_legacy": legacy,
                "answered": answered,
                "first_answered_at": answered_at,
                "closed_at": closed_at,
                "ever_closed": status == Status.CLOSED,
                "reopened": status == Status.CLOSED and rng.random() < 0.01,
                "due_date": deadline if working else None,
                "rated": int(rated),
                "rated_satisfied": int(sat == "satisfied"),
                "rated_basic": int(sat == "basic"),
                "rated_dissatisfied": int(sat == "dissatisfied"),
                "tasks": n_tasks,
                "returns": returns,
            }
        )
        if i % 20000 == 0:  # in foreign-key order: demands before their tasks and facts
            for c in (dcopy, tcopy, dfcopy, tfcopy):
                c.flush()
        if i % 100000 == 0:
            log(f"  已装入 {i:,} 件（{time.monotonic() - started:.0f} 秒）")
    for c in (dcopy, tcopy, dfcopy, tfcopy):
        c.flush()
    for table in ("demands_demand", "demands_task"):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    connection.connection.commit()
    from reports import rollup

    t = time.monotonic()
    rows = rollup.rebuild(park.pk)
    log(f"  按月汇总表重建：{rows[0]:,} + {rows[1]:,} 行（{time.monotonic() - t:.0f} 秒）")
    log(
        f"  装入完成：诉求 {n:,} 件，任务 {task_id:,} 项（{time.monotonic() - started:.0f} 秒），"
        f"今天按 {today} 计"
    )


# --------------------------------------------------------------------------- timing


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median, max) wall time in ms of `repeat` runs after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), max(runs)


def refresh_cost(k: int) -> tuple[float, int]:
    """Milliseconds per demand to bring the facts up to date after changes through the
    service layer: k demands go through intake, dispatch, sign, reply, rating and closing."""
    from django.utils import timezone

    from demands import services as s
    from entities.models import MarketEntity
    from orgs.models import Park, Role, User
    from reports import facts
    from reports.models import StaleDemand

    park = Park.objects.get(code=PARK_CODE)
    disp = User.objects.get(username="bm_disp")
    handlers = {u.department_id: u for u in User.objects.filter(park=park, role=Role.HANDLER)}
    dept_id = next(iter(handlers))
    ents = list(MarketEntity.objects.filter(park=park).values_list("pk", flat=True)[:k])
    facts.process_stale()
    at = timezone.now() - dt.timedelta(days=10)
    for ent in ents:
        d = s.create_demand(
            disp,
            park,
            s.Intake(
                title="基准诉求",
                description="基准测试",
                channel="visit",
                enterprise_id=ent,
                created_at=at,
            ),
        )
        d = s.dispatch(
            disp,
            d,
            lead_department_id=dept_id,
            time_limit_days=5,
            category_id=_any_category(park),
            at=at,
        )
        d = s.sign(handlers[dept_id], d, at=at)
        d = s.reply(handlers[dept_id], d, answer="已办理", outcome="solved", at=at)
        d = s.confirm(disp, d, satisfaction="satisfied", method="phone", at=at)
        s.close(disp, d, at=at)
    stale = StaleDemand.objects.count()
    t = time.perf_counter()
    facts.process_stale()
    return (time.perf_counter() - t) * 1000 / max(1, len(ents)), stale


_CAT: dict[int, int] = {}


def _any_category(park: Any) -> int:
    from demands.models import Category

    if park.pk not in _CAT:
        _CAT[park.pk] = Category.objects.filter(park=park, parent__isnull=False).first().pk
    return _CAT[park.pk]


def demo(url: str, repeat: int) -> None:
    """The demo park's dashboard, as a leader opens it, in an existing database."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # Pages are measured, not the HTTPS redirect or the second-factor step of production.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from demands.models import Demand
    from orgs.models import Park, Role, User
    from reports.models import StaleDemand

    setup_test_environment()
    park = Park.objects.get(code="xtjk")
    stale = StaleDemand.objects.count()
    client = Client()
    client.force_login(User.objects.filter(park=park, role=Role.LEADER).first())
    t = time.perf_counter()
    client.get("/reports/")
    first = (time.perf_counter() - t) * 1000
    figures = {}
    for period in ("", "2026-H1", "all"):
        med, mx = timed(
            lambda p=period: client.get("/reports/", {"period": p} if p else {}), repeat
        )
        figures[period or "year"] = (med, mx)
        print(f"/reports/?period={period or '(本年)'}：中位 {med:.0f} ms，最大 {mx:.0f} ms")
    n = Demand.objects.filter(park=park).count()
    print(f"首次打开（处理 {stale} 条待重算记录）：{first:.0f} ms")
    print(
        f"demo_demands={n} first_load_ms={first:.0f} page_ms={figures['year'][0]:.0f} "
        f"page_max_ms={max(m for _, m in figures.values()):.0f}"
    )


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demands", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse qinshang_bench if already loaded")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--demo",
        metavar="DATABASE_URL",
        help="time the demo park's dashboard in this database instead",
    )
    args = ap.parse_args(list(argv) if argv is not None else None)
    if args.demo:
        demo(args.demo, args.repeat)
        return

    loaded = prepare_database(args.keep)
    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # Pages are measured, not the HTTPS redirect or the second-factor step of production.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from orgs.models import Park, User
    from reports import dashboard, metrics, periods
    from reports.metrics import Scope

    rng = random.Random(args.seed)
    log = print
    t0 = time.monotonic()
    if not loaded:
        call_command("migrate", verbosity=0)
        log(f"装入 {args.demands:,} 件诉求到 PostgreSQL 数据库 {PG_DB} ……")
        seed(args.demands, rng, log)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    load_s = time.monotonic() - t0
    park = Park.objects.get(code=PARK_CODE)
    n = metrics.received(Scope(park))
    with connection.cursor() as c:
        c.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('reports_demandfact')), "
            "pg_size_pretty(pg_total_relation_size('reports_taskfact')), "
            "pg_size_pretty(pg_total_relation_size('demands_demand'))"
        )
        sizes = c.fetchone()
    log(f"园区诉求（不含合并件）{n:,} 件；事实表 {sizes[0]} / {sizes[1]}，诉求表 {sizes[2]}")

    from reports.models import DemandFact

    top_dept_id = (
        DemandFact.objects.filter(park_id=park.pk)
        .exclude(lead_department_id=None)
        .values_list("lead_department_id", flat=True)
        .first()
    )
    top_cat = (
        DemandFact.objects.filter(park_id=park.pk).values_list("category_l1_id", flat=True).first()
    )
    liaison = User.objects.filter(park=park, role="liaison").first()
    year = periods.parse("2025")
    slices: list[tuple[str, Scope, periods.Period | None]] = [
        ("2025全年", Scope.for_period(park, year), year),
        ("全部时间", Scope(park), None),
        ("2026-10月", Scope.for_period(park, periods.parse("2026-10")), periods.parse("2026-10")),
        ("2025·一个部门", Scope.for_period(park, year, department_id=top_dept_id), year),
        ("2025·一个类别", Scope.for_period(park, year, category_id=top_cat), year),
        ("2025·一个服务员", Scope.for_period(park, year, liaison_id=liaison.pk), year),
    ]
    results: dict[str, float] = {}
    worst = ("", 0.0)
    log(f"\n每个看板查询的耗时（{args.repeat} 次取中位数 / 最大值，毫秒）：")
    log(f"{'范围':<14}" + "".join(f"{p:>14}" for p in dashboard.PANELS))
    for label, scope, period in slices:
        line = f"{label:<12}"
        for name, fn in dashboard.PANELS.items():
            med, mx = timed(
                lambda fn=fn, scope=scope, period=period: fn(scope, period), args.repeat
            )
            results[f"{label}:{name}"] = med
            if mx > worst[1]:
                worst = (f"{label}:{name}", mx)
            line += f"{med:>9.0f}/{mx:<4.0f}"
        log(line)

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username="bm_leader"))
    page_med, page_max = timed(lambda: client.get("/reports/", {"period": "2025"}), args.repeat)
    page_all, _ = timed(lambda: client.get("/reports/", {"period": "all"}), args.repeat)
    drill_med, _ = timed(
        lambda: client.get("/reports/drill/", {"period": "2025", "metric": "late"}), args.repeat
    )
    log(
        f"\n整页 /reports/?period=2025：中位 {page_med:.0f} ms，最大 {page_max:.0f} ms；"
        f"全部时间 {page_all:.0f} ms"
    )
    log(f"下钻页（2025 未按时办结，第一页 50 条）：{drill_med:.0f} ms")
    per_demand, stale = refresh_cost(200)
    log(f"增量刷新：经服务层办结 200 件（{stale} 条待处理记录）后，每件重算 {per_demand:.1f} ms")
    over = {k: v for k, v in results.items() if v >= 500}
    log(
        f"超过 500 ms 的查询：{', '.join(over) if over else '无'}；最慢一次 {worst[0]} "
        f"{worst[1]:.0f} ms"
    )
    year_total = sum(v for k, v in results.items() if k.startswith("2025全年"))
    all_total = sum(v for k, v in results.items() if k.startswith("全部时间"))
    print(
        f"demands={n} load_seconds={load_s:.0f} "
        f"max_panel_ms={max(results.values()):.0f} worst_run_ms={worst[1]:.0f} "
        f"year_panels_ms={year_total:.0f} all_time_panels_ms={all_total:.0f} "
        f"kpis_year_ms={results['2025全年:kpis']:.0f} league_year_ms={results['2025全年:league']:.0f} "
        f"page_year_ms={page_med:.0f} page_all_ms={page_all:.0f} drill_ms={drill_med:.0f} "
        f"refresh_ms_per_demand={per_demand:.1f} over_500ms={len(over)}"
    )


if __name__ == "__main__":
    main()
