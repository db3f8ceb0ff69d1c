"""A whole city on one PostgreSQL: 10 parks, 10,000,000 demands over five years, then every hot path.

Loads, set-based (INSERT … SELECT over generate_series, one statement per park and table, the
secondary indexes dropped during the load and rebuilt after it, foreign-key triggers off), into the
database `qinshang_city_10m` (or --db) on 127.0.0.1:5432:

  - 10 parks built like the demo park (its departments, its catalogue, ~1,200 entities with
    contacts, dispatchers, leaders, handlers, liaisons — demo.seeding.ParkBuilder);
  - N demands spread over the parks unevenly (the busiest holds a quarter), five years of
    intake, states, tiers, ratings and returns in the demo ledger's shares, the texts of the demo
    generator (demo.textgen.demand_text), requester phones;
  - their tasks (主办, 20 % with a 协办), their timeline events (create, dispatch, sign, reply,
    confirm, close), the fact rows the figures read (reports.DemandFact / TaskFact) and the monthly
    rollups (reports.rollup.rebuild).

Then, in the same run, one client at a time, it times (p50/p95 of --requests runs, the most queries
of any run) for the busiest park and for the city (every park in turn: the product has no
city-wide view, so the city's figure is the slowest park's and the sum over parks):
the dispatch centre's queues, the ledger list with the common filters and sorts, search by number /
phone / words, a demand's detail, intake (demands.services.create_demand), every dashboard panel
(reports.dashboard.PANELS), a department's figures, a drill-down.

    .venv/bin/python bench/city.py --demands 1000000 --db qinshang_city_1m
    .venv/bin/python bench/city.py                       # 10,000,000 (load ~30 min here)
    .venv/bin/python bench/city.py --keep                # time again without reloading

Ends with one line:
demands=… load_seconds=… max_list_p95_ms=… max_search_p95_ms=… max_detail_p95_ms=… max_panel_ms=…
intake_per_s=…
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARKS = 10
# The busiest park a quarter of the city, then a long tail (sums to 1).
SHARES = [0.25, 0.15, 0.12, 0.10, 0.09, 0.08, 0.07, 0.06, 0.05, 0.03]
TABLES = (
    "demands_demand",
    "demands_task",
    "demands_event",
    "reports_demandfact",
    "reports_taskfact",
)


def log(msg: str) -> None:
    print(msg, flush=True)


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def prepare_database(db: str, keep: bool) -> bool:
    """Create the database; True when --keep found it loaded."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and keep:
            with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={db}") as b:
                try:
                    row = b.execute(
                        "SELECT count(*) FROM orgs_park WHERE code LIKE 'city%%'"
                    ).fetchone()
                    if row and row[0] == PARKS:
                        return True
                except psycopg.Error:
                    pass
        c.execute(f"DROP DATABASE IF EXISTS {db}")
        c.execute(f"CREATE DATABASE {db}")
    return False


# --------------------------------------------------------------------------- the small tables


def build_parks(rng: random.Random) -> list[int]:
    """Ten parks shaped like the demo park; returns their ids, busiest first."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from demo import textgen as tg
    from demo.seeding import ParkBuilder
    from entities.models import EntityKind
    from orgs.models import Park, Role, User

    b = ParkBuilder(rng, make_password("bench"))
    kinds = set(EntityKind.values)
    ids = []
    for p in range(PARKS):
        with transaction.atomic():
            park = Park.objects.create(
                name=f"城市基准第{p + 1}园区", short_name=f"基准{p + 1}", code=f"city{p + 1:02d}"
            )
            depts = b.departments(park, list(tg.DEPARTMENTS))
            b.catalogue(park, depts)
            centre = next(d for d in depts.values() if d.is_dispatch_centre)
            others = [d for d in depts.values() if not d.is_dispatch_centre]
            users = [
                b.user(park, Role.DISPATCHER, username=f"city{p + 1}_disp", department=centre),
                b.user(park, Role.DISPATCHER, department=centre),
                b.user(park, Role.LEADER, username=f"city{p + 1}_leader", rank=1),
            ]
            for d in others:
                users += [b.user(park, Role.HANDLER, department=d) for _ in range(2)]
                users += [b.user(park, Role.DEPARTMENT_HEAD, department=d)]
            users += [b.user(park, Role.LIAISON, department=rng.choice(others)) for _ in range(60)]
            User.objects.bulk_create(users, batch_size=500)
            made = [e for e in tg.make_entities(rng) if e.kind in kinds]
            ents = b.entities(park, made)
            liaisons = list(
                User.objects.filter(park=park, role=Role.LIAISON).values_list("pk", flat=True)
            )
            for e in ents:
                e.liaison_id = rng.choice(liaisons) if rng.random() < 0.9 else None
            type(ents[0]).objects.bulk_update(ents, ["liaison_id"], batch_size=1000)
        ids.append(park.pk)
    return ids


def texts(rng: random.Random, cur: Any) -> None:
    """A pool of the demo generator's demand texts per leaf category code."""
    from demo import textgen as tg

    cur.execute(
        "CREATE UNLOGGED TABLE city_text (code varchar(40), k int, title varchar(200), body text)"
    )
    rows = []
    for c in tg.CATALOGUE:
        for s in c.children:
            for k in range(20):
                title, body = tg.demand_text(rng, s.code)
                rows.append((s.code, k, title[:200], body))
    with cur.copy("COPY city_text (code, k, title, body) FROM STDIN") as cp:
        for r in rows:
            cp.write_row(r)
    # The search index's pairs of each pooled text, once (DEMANDS adds the number's and phone's).
    cur.execute(
        "ALTER TABLE city_text ADD COLUMN grams text[];"
        "UPDATE city_text SET grams = demands_bigrams(upper(title || E'\\n' || body || E'\\n\\n'))"
    )


# --------------------------------------------------------------------------- the big tables

STAGE = """
CREATE UNLOGGED TABLE city_d AS
WITH g AS (
  SELECT i AS id,
         %(first)s::timestamptz + random() * (%(last)s::timestamptz - %(first)s::timestamptz)
           AS created_at,
         random() AS r_status, random() AS r_spot, random() AS r_tier, random() AS r_sat,
         random() AS r_out, random() AS r_co, random() AS r_ret, random() AS r_ch,
         random() AS r_rated, random() AS r_phone,
         1 + floor(random() * %(ncat)s)::int AS cat_k,
         1 + floor(random() * %(nent)s)::int AS ent_k,
         floor(random() * 20)::int AS text_k,
         1 + floor(random() * %(ndept)s)::int AS co_k,
         (random() * 20)::int AS ans_days, (random() * 90)::int AS spot_minutes,
         (1 + random() * 5)::int AS close_days
  FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) i
), s AS (
  SELECT g.*,
    CASE WHEN %(last)s::timestamptz - created_at > interval '60 days' THEN
      CASE WHEN r_status < 0.95 THEN 'closed' WHEN r_status < 0.96 THEN 'answered'
           WHEN r_status < 0.98 THEN 'in_progress' WHEN r_status < 0.99 THEN 'merged'
           ELSE 'confirmed' END
    ELSE
      CASE WHEN r_status < 0.05 THEN 'received' WHEN r_status < 0.09 THEN 'dispatched'
           WHEN r_status < 0.19 THEN 'in_progress' WHEN r_status < 0.21 THEN 'returned'
           WHEN r_status < 0.26 THEN 'answered' WHEN r_status < 0.29 THEN 'confirmed'
           WHEN r_status < 0.99 THEN 'closed' ELSE 'merged' END
    END AS status
  FROM g
), t AS (
  SELECT s.*,
    status IN ('answered', 'confirmed', 'closed') AS answered,
    status IN ('answered', 'confirmed', 'closed') AND r_spot < 0.7 AS on_spot
  FROM s
), u AS (
  SELECT t.*,
    status NOT IN ('received', 'merged') AND NOT on_spot AS dispatched,
    status IN ('dispatched', 'in_progress', 'returned') AS working,
    status IN ('confirmed', 'closed') AND r_rated < 0.9 AS rated
  FROM t
)
SELECT u.id, %(park)s::bigint AS park_id, u.created_at, u.status, u.answered, u.on_spot,
  u.dispatched, u.working, u.rated, u.r_ret < 0.03 AS lead_returned,
  u.dispatched AND u.r_co < 0.2 AS has_co,
  c.id AS category_id, c.parent_id AS l1_id, c.code AS cat_code, c.days,
  CASE WHEN u.dispatched THEN coalesce(c.dept_id, dd.id) END AS lead_id,
  co.id AS co_dept_id,
  e.id AS enterprise_id, e.liaison_id, e.phone AS contact_phone, u.text_k,
  (ARRAY['visit','hotline','portal','reception','liaison','api'])[1 + floor(u.r_ch * 6)::int]
    AS channel,
  CASE WHEN u.on_spot THEN 'on_spot' WHEN NOT u.dispatched THEN ''
       WHEN u.r_tier < 0.03 THEN 'expert' WHEN u.r_tier < 0.08 THEN 'project_meeting'
       WHEN u.r_tier < 0.15 THEN 'reception_day' ELSE 'department' END AS tier,
  -- A working-day deadline without the holiday calendar: N working days ≈ N·7/5 calendar days.
  CASE WHEN u.dispatched THEN (u.created_at AT TIME ZONE 'Asia/Shanghai')::date
       + ceil(c.days * 7 / 5.0)::int END AS deadline,
  CASE WHEN u.on_spot THEN u.created_at + u.spot_minutes * interval '1 minute' + interval '5 min'
       WHEN u.answered THEN u.created_at + (1 + u.ans_days) * interval '1 day' END AS answered_at,
  u.close_days,
  CASE WHEN NOT u.rated THEN '' WHEN u.r_sat < 0.85 THEN 'satisfied'
       WHEN u.r_sat < 0.97 THEN 'basic' ELSE 'dissatisfied' END AS sat,
  CASE WHEN NOT u.answered THEN '' WHEN u.r_out < 0.8 THEN 'solved'
       WHEN u.r_out < 0.88 THEN 'partly' WHEN u.r_out < 0.98 THEN 'explained'
       ELSE 'not_feasible' END AS outcome,
  CASE WHEN u.r_phone < 0.3 THEN '1' || lpad((floor(u.r_phone * 1e12)::bigint %% 10000000000)::text,
       10, '0') ELSE '' END AS phone,
  extract(year FROM u.created_at AT TIME ZONE 'Asia/Shanghai')::int * 100
    + extract(month FROM u.created_at AT TIME ZONE 'Asia/Shanghai')::int AS month
FROM u
JOIN city_cat c ON c.park_id = %(park)s AND c.k = u.cat_k
JOIN city_ent e ON e.park_id = %(park)s AND e.k = u.ent_k
JOIN city_dept dd ON dd.park_id = %(park)s AND dd.k = 1 + (u.id %% %(ndept)s)
JOIN city_dept co ON co.park_id = %(park)s AND co.k = u.co_k
"""

DEMANDS = """
INSERT INTO demands_demand (id, park_id, number, title, description, channel, category_id,
  requester_kind, requester_name, requester_phone, community, enterprise_id, liaison_id,
  created_by_id, status, tier, lead_department_id, due_date, answer, outcome, satisfaction,
  urge_level, redo_count, reopen_count, is_legacy, source_ref, extra, created_at, dispatched_at,
  answered_at, confirmed_at, closed_at, updated_at, merged_into_id, track_code_hash,
  info_question, search_grams)
SELECT d.id, d.park_id, d.number,
  x.title, x.body, d.channel, d.category_id, 'enterprise', '', d.phone, '', d.enterprise_id,
  d.liaison_id, %(disp)s, d.status, d.tier, d.lead_id,
  CASE WHEN d.working THEN d.deadline END,
  CASE WHEN d.answered THEN '已答复。' ELSE '' END, d.outcome, d.sat,
  0, 0, 0, d.tier = 'expert', '', '{}'::jsonb, d.created_at,
  CASE WHEN d.dispatched THEN d.created_at + interval '1 hour' END,
  d.answered_at,
  CASE WHEN d.rated THEN d.answered_at + d.close_days * interval '1 day' END,
  CASE WHEN d.status = 'closed' THEN d.answered_at + d.close_days * interval '1 day' END,
  coalesce(d.answered_at, d.created_at), NULL, '', '',
  -- demands_grams(title, description, name, number, phone) in two parts: the pairs of the
  -- pooled text (title, description and the two line breaks after, computed once per text)
  -- and those of a line break, the number, a line break and the phone (per row).
  ARRAY(SELECT DISTINCT g FROM unnest(x.grams
    || demands_bigrams(upper(E'\n' || d.number || E'\n' || d.phone))) AS g ORDER BY g)
FROM (SELECT *, 'QS-' || (month / 100) || '-' || lpad(id::text, 8, '0') AS number FROM city_d) d
JOIN city_text x ON x.code = d.cat_code AND x.k = d.text_k
"""

# Task ids: the lead's is 2·id, the co-department's 2·id + 1 (gaps are harmless).
TASKS = """
INSERT INTO demands_task (id, demand_id, department_id, role, status, time_limit_days,
  assigned_at, deadline, signed_at, signed_by_id, answered_at, answer, outcome, return_reason,
  return_note, insisted, paused_at, paused_working_days, extension_count, urge_level, created_at,
  review_required)
SELECT d.id * 2 + r.co, d.id, CASE WHEN r.co = 0 THEN d.lead_id ELSE d.co_dept_id END,
  CASE WHEN r.co = 0 THEN 'lead' ELSE 'co' END,
  CASE WHEN d.answered THEN 'answered' WHEN d.status = 'dispatched' THEN 'pending'
       WHEN d.status = 'returned' THEN 'returned' ELSE 'signed' END,
  d.days, d.created_at + interval '1 hour', d.deadline,
  CASE WHEN d.status <> 'dispatched' THEN d.created_at + interval '3 hours' END, NULL,
  CASE WHEN d.answered THEN d.answered_at END,
  CASE WHEN d.answered THEN '已办理。' ELSE '' END, CASE WHEN d.answered THEN d.outcome ELSE '' END,
  CASE WHEN d.status = 'returned' THEN 'not_our_duty' ELSE '' END, '', false, NULL, 0, 0, 0,
  d.created_at + interval '1 hour', false
FROM city_d d JOIN (VALUES (0), (1)) r(co) ON r.co = 0 OR d.has_co
WHERE d.dispatched
"""

# Events: create, dispatch, sign, reply, confirm, close — each only where the demand got there.
EVENTS = """
INSERT INTO demands_event (actor_role, action, from_status, to_status, note, data, created_at,
  actor_id, demand_id, task_id)
SELECT 'dispatcher', 'create', '', 'received', '', '{}'::jsonb, d.created_at, %(disp)s, d.id, NULL
FROM city_d d
UNION ALL
SELECT 'dispatcher', 'dispatch', 'received', 'dispatched', '', '{}'::jsonb,
  d.created_at + interval '1 hour', %(disp)s, d.id, d.id * 2
FROM city_d d WHERE d.dispatched
UNION ALL
SELECT 'handler', 'sign', 'dispatched', 'in_progress', '', '{}'::jsonb,
  d.created_at + interval '3 hours', NULL, d.id, d.id * 2
FROM city_d d WHERE d.dispatched AND d.status <> 'dispatched'
UNION ALL
SELECT CASE WHEN d.on_spot THEN 'dispatcher' ELSE 'handler' END, 'reply',
  CASE WHEN d.on_spot THEN 'received' ELSE 'in_progress' END, 'answered', '已答复。', '{}'::jsonb,
  d.answered_at, NULL, d.id, CASE WHEN d.on_spot THEN NULL ELSE d.id * 2 END
FROM city_d d WHERE d.answered
UNION ALL
SELECT 'dispatcher', 'confirm', 'answered', 'confirmed', '', '{}'::jsonb,
  d.answered_at + d.close_days * interval '1 day' - interval '1 hour', %(disp)s, d.id, NULL
FROM city_d d WHERE d.rated
UNION ALL
SELECT 'dispatcher', 'close', 'confirmed', 'closed', '', '{}'::jsonb,
  d.answered_at + d.close_days * interval '1 day', %(disp)s, d.id, NULL
FROM city_d d WHERE d.status = 'closed'
"""

DEMAND_FACTS = """
INSERT INTO reports_demandfact (demand_id, park_id, created_at, month, category_id,
  category_l1_id, channel, liaison_id, lead_department_id, status, tier, outcome, is_merged,
  is_legacy, answered, first_answered_at, closed_at, ever_closed, reopened, due_date, rated,
  rated_satisfied, rated_basic, rated_dissatisfied, tasks, returns)
SELECT d.id, d.park_id, d.created_at, d.month, d.category_id, d.l1_id, d.channel, d.liaison_id,
  d.lead_id, d.status, d.tier, d.outcome, d.status = 'merged', d.tier = 'expert', d.answered,
  d.answered_at,
  CASE WHEN d.status = 'closed' THEN d.answered_at + d.close_days * interval '1 day' END,
  d.status = 'closed', false, CASE WHEN d.working THEN d.deadline END,
  d.rated::int, (d.sat = 'satisfied')::int, (d.sat = 'basic')::int,
  (d.sat = 'dissatisfied')::int,
  CASE WHEN d.dispatched THEN 1 + d.has_co::int ELSE 0 END,
  (d.dispatched AND d.lead_returned)::int
FROM city_d d
"""

TASK_FACTS = """
INSERT INTO reports_taskfact (task_id, demand_id, park_id, department_id, role, month,
  demand_created_at, category_id, category_l1_id, channel, liaison_id, demand_merged,
  assigned_date, response_days, response_known, returns, cancelled, active, paused, deadline,
  first_answered_at, answered_on_time, deadline_known, answer_days, answer_known, assigned_known,
  sheet_responded)
SELECT d.id * 2 + r.co, d.id, d.park_id, CASE WHEN r.co = 0 THEN d.lead_id ELSE d.co_dept_id END,
  CASE WHEN r.co = 0 THEN 'lead' ELSE 'co' END, d.month, d.created_at, d.category_id, d.l1_id,
  d.channel, d.liaison_id, false, (d.created_at AT TIME ZONE 'Asia/Shanghai')::date,
  CASE WHEN d.status <> 'dispatched' THEN (d.id %% 4)::int END, true,
  (r.co = 0 AND d.lead_returned)::int, false, d.working AND d.status <> 'returned', false,
  d.deadline,
  CASE WHEN d.answered THEN d.answered_at END,
  CASE WHEN d.answered THEN (d.answered_at AT TIME ZONE 'Asia/Shanghai')::date <= d.deadline END,
  true,
  CASE WHEN d.answered THEN greatest(0, (d.answered_at::date - d.created_at::date) * 5 / 7) END,
  true, true, NULL
FROM city_d d JOIN (VALUES (0), (1)) r(co) ON r.co = 0 OR d.has_co
WHERE d.dispatched
"""


# The monthly rollups as reports.rollup.rebuild computes them (demand_counters / task_counters),
# in one GROUP BY each instead of a Python pass over every fact (192 s at 100,000 demands here).
# Only the counters the loaded facts can have are summed; check_rollups compares a park's rows
# with rollup.rebuild's.
DEMAND_ROLLUP = """
INSERT INTO reports_demandrollup (park_id, month, lead_department_id, category_l1_id, channel,
  received, answered, closed, open, legacy_open, tier_on_spot, tier_department,
  tier_reception_day, tier_project_meeting, tier_expert, out_solved, out_partly, out_explained,
  out_not_feasible, rated, r_satisfied, r_basic, r_dissatisfied, reopened, ever_closed)
SELECT park_id, month, coalesce(lead_department_id, 0), coalesce(category_l1_id, 0), channel,
  count(*), count(*) FILTER (WHERE answered), count(*) FILTER (WHERE status = 'closed'),
  count(*) FILTER (WHERE status NOT IN ('closed', 'merged')),
  count(*) FILTER (WHERE is_legacy AND status NOT IN ('closed', 'merged')),
  count(*) FILTER (WHERE answered AND tier = 'on_spot'),
  count(*) FILTER (WHERE answered AND tier = 'department'),
  count(*) FILTER (WHERE answered AND tier = 'reception_day'),
  count(*) FILTER (WHERE answered AND tier = 'project_meeting'),
  count(*) FILTER (WHERE answered AND tier = 'expert'),
  count(*) FILTER (WHERE answered AND outcome = 'solved'),
  count(*) FILTER (WHERE answered AND outcome = 'partly'),
  count(*) FILTER (WHERE answered AND outcome = 'explained'),
  count(*) FILTER (WHERE answered AND outcome = 'not_feasible'),
  sum(rated), sum(rated_satisfied), sum(rated_basic), sum(rated_dissatisfied),
  count(*) FILTER (WHERE reopened), count(*) FILTER (WHERE ever_closed)
FROM reports_demandfact WHERE NOT is_merged
GROUP BY 1, 2, 3, 4, 5
"""

TASK_ROLLUP = """
INSERT INTO reports_taskrollup (park_id, month, department_id, category_l1_id, channel,
  tasks, returns, reacted, resp_0, resp_1, resp_2, resp_3, resp_4, resp_5, ontime_ok,
  ontime_answered, days_sum, days_n, resp_sheet_ok, resp_sheet_n, resp_unknown, ontime_unknown,
  days_unknown)
SELECT park_id, month, department_id, coalesce(category_l1_id, 0), channel,
  count(*), sum(returns),
  count(*) FILTER (WHERE response_known AND response_days IS NOT NULL),
  count(*) FILTER (WHERE response_known AND response_days = 0),
  count(*) FILTER (WHERE response_known AND response_days = 1),
  count(*) FILTER (WHERE response_known AND response_days = 2),
  count(*) FILTER (WHERE response_known AND response_days = 3),
  count(*) FILTER (WHERE response_known AND response_days = 4),
  count(*) FILTER (WHERE response_known AND response_days = 5),
  count(*) FILTER (WHERE deadline_known AND answered_on_time),
  count(*) FILTER (WHERE deadline_known AND answered_on_time IS NOT NULL),
  coalesce(sum(answer_days), 0), count(answer_days), 0, 0,
  count(*) FILTER (WHERE NOT response_known),
  count(*) FILTER (WHERE NOT answer_known OR (NOT deadline_known AND NOT cancelled)),
  count(*) FILTER (WHERE answer_days IS NULL AND (NOT answer_known
                                                  OR first_answered_at IS NOT NULL))
FROM reports_taskfact WHERE NOT demand_merged AND sheet_responded IS NULL
GROUP BY 1, 2, 3, 4, 5
"""


GRAMS_TRIGGER = """
CREATE FUNCTION city_search_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_grams := demands_grams(NEW.title, NEW.description, NEW.requester_name, NEW.number,
                                    NEW.requester_phone);
  RETURN NEW;
END $$;
CREATE TRIGGER city_search_grams BEFORE INSERT OR UPDATE ON demands_demand
FOR EACH ROW EXECUTE FUNCTION city_search_grams();
"""


def check_grams(cur: Any) -> None:
    """The loaded pairs of 2,000 demands equal what the generated column would hold."""
    cur.execute(
        """
        SELECT count(*) FILTER (WHERE search_grams IS DISTINCT FROM
          ARRAY(SELECT DISTINCT g FROM unnest(demands_grams(title, description, requester_name,
                number, requester_phone)) AS g ORDER BY g)), count(*)
        FROM (SELECT * FROM demands_demand TABLESAMPLE SYSTEM (1) LIMIT 2000) d
        """
    )
    bad, n = cur.fetchone()
    assert n and not bad, f"search_grams differ from demands_grams for {bad} of {n} demands"
    log(f"  搜索索引核对：抽查 {n} 件，装入的字对与 demands_grams 逐件一致")


def check_rollups(park_id: int) -> None:
    """The SQL rollups of one park equal reports.rollup.rebuild's (raises if not)."""
    from reports import rollup
    from reports.models import DemandRollup, TaskRollup

    def rows(model: Any) -> dict[tuple[Any, ...], dict[str, int]]:
        keys = rollup.KEY_COLUMNS[model]
        out = {}
        for r in model.objects.filter(park_id=park_id).values():
            out[tuple(r[k] for k in keys)] = {c: r[c] for c in rollup.COUNTERS[model] if r[c]}
        return out

    before = (rows(DemandRollup), rows(TaskRollup))
    rollup.rebuild(park_id)
    after = (rows(DemandRollup), rows(TaskRollup))
    assert before == after, "SQL rollups differ from reports.rollup.rebuild"
    log(f"  汇总表核对：园区 {park_id} 的 SQL 汇总与 reports.rollup.rebuild 逐行一致")


def secondary_indexes(cur: Any) -> list[tuple[str, str]]:
    """(name, definition) of the big tables' indexes that back no constraint."""
    cur.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND NOT EXISTS (
          SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(TABLES)],
    )
    return list(cur.fetchall())


def load(n: int, park_ids: list[int], rng: random.Random) -> float:
    from django.db import connection
    from django.utils import timezone

    from orgs.models import Role, User

    started = time.monotonic()
    raw = connection.connection
    raw.autocommit = True
    cur = raw.cursor()
    cur.execute("SELECT setseed(0.42)")
    cur.execute("SET session_replication_role = replica")  # no foreign-key triggers during load
    cur.execute("SET maintenance_work_mem = '512MB'")
    cur.execute("SET work_mem = '256MB'")
    # The search index's generated column computes every row's pairs in SQL (~1.9 ms a demand
    # here: an hour for 1,000,000 on one core). During the load it is a plain column filled
    # from the pooled texts' pairs; afterwards a trigger keeps it as the generation did (PG 15
    # cannot give a column its expression back without recomputing every row).
    cur.execute("ALTER TABLE demands_demand ALTER COLUMN search_grams DROP EXPRESSION")
    texts(rng, cur)
    cur.execute(
        """
        CREATE UNLOGGED TABLE city_cat AS
        SELECT c.park_id, row_number() OVER (PARTITION BY c.park_id ORDER BY c.id)::int AS k,
               c.id, c.parent_id, c.code, c.default_department_id AS dept_id,
               c.time_limit_days AS days
        FROM demands_category c WHERE c.parent_id IS NOT NULL AND c.park_id = ANY(%s)
        """,
        [park_ids],
    )
    cur.execute(
        """
        CREATE UNLOGGED TABLE city_ent AS
        SELECT e.park_id, row_number() OVER (PARTITION BY e.park_id ORDER BY e.id)::int AS k,
               e.id, e.liaison_id, coalesce(
                 (SELECT phone FROM entities_contact c WHERE c.entity_id = e.id LIMIT 1), '')
                 AS phone
        FROM entities_marketentity e WHERE e.park_id = ANY(%s)
        """,
        [park_ids],
    )
    cur.execute(
        """
        CREATE UNLOGGED TABLE city_dept AS
        SELECT d.park_id, row_number() OVER (PARTITION BY d.park_id ORDER BY d.id)::int AS k, d.id
        FROM orgs_department d WHERE NOT d.is_dispatch_centre AND d.park_id = ANY(%s)
        """,
        [park_ids],
    )
    for t in ("city_cat", "city_ent", "city_dept"):
        cur.execute(f"CREATE INDEX ON {t} (park_id, k)")
    dropped = secondary_indexes(cur)
    for name, _ in dropped:
        cur.execute(f'DROP INDEX "{name}"')
    log(f"  装入期间去掉 {len(dropped)} 个二级索引（装完重建）")
    now = timezone.now()
    first = now - dt.timedelta(days=5 * 365)
    last = now - dt.timedelta(hours=1)
    lo = 1
    for p, park_id in enumerate(park_ids):
        k = round(n * SHARES[p]) if p < PARKS - 1 else n - lo + 1
        hi = lo + k - 1
        disp = User.objects.filter(park_id=park_id, role=Role.DISPATCHER).order_by("pk")[0].pk
        cur.execute("SELECT count(*) FROM city_cat WHERE park_id = %s", [park_id])
        ncat = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM city_ent WHERE park_id = %s", [park_id])
        nent = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM city_dept WHERE park_id = %s", [park_id])
        ndept = cur.fetchone()[0]
        params = dict(
            first=first, last=last, lo=lo, hi=hi, park=park_id, disp=disp,
            ncat=ncat, nent=nent, ndept=ndept,
        )  # fmt: skip
        t = time.monotonic()
        cur.execute("DROP TABLE IF EXISTS city_d")
        cur.execute(STAGE, params)
        for sql in (DEMANDS, TASKS, EVENTS, DEMAND_FACTS, TASK_FACTS):
            cur.execute(sql, params)
        log(
            f"  园区 {p + 1}：诉求 {k:,} 件（{lo:,}–{hi:,}），{time.monotonic() - t:.0f} 秒，"
            f"负载 {load_avg()}"
        )
        lo = hi + 1
    cur.execute("DROP TABLE IF EXISTS city_d, city_cat, city_ent, city_dept, city_text")
    t = time.monotonic()
    for _name, definition in dropped:
        cur.execute(definition)
    log(f"  重建 {len(dropped)} 个索引：{time.monotonic() - t:.0f} 秒")
    for table in ("demands_demand", "demands_task", "demands_event"):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    cur.execute("SET session_replication_role = DEFAULT")
    cur.execute(GRAMS_TRIGGER)
    check_grams(cur)
    t = time.monotonic()
    cur.execute(DEMAND_ROLLUP)
    cur.execute(TASK_ROLLUP)
    log(f"  按月汇总表（GROUP BY，与 reports.rollup 的计数相同）：{time.monotonic() - t:.0f} 秒")
    check_rollups(park_ids[-1])  # the smallest park
    t = time.monotonic()
    cur.execute("VACUUM ANALYZE")
    cur.execute("CHECKPOINT")
    log(f"  VACUUM ANALYZE：{time.monotonic() - t:.0f} 秒")
    return time.monotonic() - started


# --------------------------------------------------------------------------- timing


class Timer:
    """p50/p95 and the most queries of a few runs of one operation, collected by group."""

    def __init__(self, requests: int):
        self.requests = requests
        self.rows: list[tuple[str, str, float, float, int]] = []

    def run(self, group: str, label: str, fn: Callable[[int], Any], n: int | None = None) -> float:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        fn(0)  # warm-up
        times, queries = [], 0
        for i in range(n or self.requests):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                fn(i)
                times.append((time.perf_counter() - t) * 1000)
            queries = max(queries, len(ctx.captured_queries))
        p50, p95 = pct(times, 50), pct(times, 95)
        self.rows.append((group, label, p50, p95, queries))
        log(f"  {group:<8} {label:<44} p50 {p50:7.1f}  p95 {p95:7.1f} ms  {queries:>3} 次查询")
        return p95

    def worst(self, group: str) -> float:
        return max((r[3] for r in self.rows if r[0] == group), default=0.0)


def measure(args: argparse.Namespace, park_ids: list[int], load_s: float) -> None:
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from demands import services as s
    from demands import workbench
    from demands.models import Demand
    from entities.models import Contact, MarketEntity
    from orgs.models import Department, Park, Role, User
    from reports import dashboard, metrics, periods
    from reports.metrics import Scope

    setup_test_environment()
    connections.close_all()
    timer = Timer(args.requests)
    parks = [Park.objects.get(pk=pk) for pk in park_ids]
    busiest = parks[0]
    n = Demand.objects.count()
    log(f"\n共 {n:,} 件诉求；最忙园区 {busiest.name}；负载 {load_avg()}")
    today = workbench.today()

    disp = User.objects.get(username=f"{busiest.code.replace('city0', 'city')}_disp")
    leader = User.objects.get(username=f"{busiest.code.replace('city0', 'city')}_leader")
    head = (
        User.objects.filter(park=busiest, role=Role.DEPARTMENT_HEAD)
        .exclude(department__is_dispatch_centre=True)
        .order_by("pk")
        .first()
    )
    assert head is not None
    page = Client()
    page.force_login(disp)
    boss = Client()
    boss.force_login(leader)
    dept = Client()
    dept.force_login(head)

    def get(client: Client, url: str) -> None:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)

    log("\n派单中心队列（/dispatch/?tab=…）：")
    for tab, _ in workbench.DISPATCH_TABS:
        timer.run("list", f"队列 {tab}", lambda i, tab=tab: get(page, f"/dispatch/?tab={tab}"))
    timer.run("list", "部门收件箱 /department/", lambda i: get(dept, "/department/"))

    log("\n台账列表（/demands/?…）：")
    from demands.models import Category

    cats = list(
        Category.objects.filter(park=busiest, parent__isnull=True).values_list("code", flat=True)
    )
    depts = list(
        Department.objects.filter(park=busiest, is_dispatch_centre=False).values_list(
            "pk", flat=True
        )
    )
    lists = {
        "默认（最新在前）": lambda i: "",
        "状态=办理中+类别": lambda i: f"status=in_progress&category={cats[i % len(cats)]}",
        "部门+逾期": lambda i: f"department={depts[i % len(depts)]}&overdue=true",
        "未办结+渠道+按时限": lambda i: "status=open&channel=visit&sort=due",
        "已销号 第 N 页": lambda i: f"status=closed&page={1 + i % 50}",
        "日期范围+按编号": lambda i: "date_from=2025-01-01&date_to=2025-03-31&sort=number",
        "解决层级+最早在前": lambda i: "tier=expert&sort=-created",
        "督办级别排序": lambda i: "status=open&sort=urge",
    }
    for label, qs in lists.items():
        timer.run("list", label, lambda i, qs=qs: get(page, f"/demands/?{qs(i)}"))

    log("\n搜索：")
    some = list(
        Demand.objects.filter(park=busiest)
        .order_by()
        .values_list("number", flat=True)[:: max(1, n // 2000)][:200]
    )
    phones = list(
        Contact.objects.filter(entity__park=busiest)
        .exclude(phone="")
        .values_list("phone", flat=True)[:200]
    )
    demand_phones = list(
        Demand.objects.filter(park=busiest)
        .exclude(requester_phone="")
        .order_by()
        .values_list("requester_phone", flat=True)[:200]
    )
    ents = list(MarketEntity.objects.filter(park=busiest).values_list("name", flat=True)[:200])
    words = ["用地", "电力增容", "招工", "融资", "消防验收", "不存在的词语"]
    searches = {
        "编号（完整）": lambda i: some[i % len(some)],
        "编号（前缀）": lambda i: some[i % len(some)][:12],
        "联系人电话": lambda i: phones[i % len(phones)],
        "诉求人电话": lambda i: demand_phones[i % len(demand_phones)],
        "企业名称": lambda i: ents[i % len(ents)][:6],
        "词语": lambda i: words[i % len(words)],
    }
    for label, q in searches.items():
        timer.run("search", label, lambda i, q=q: get(page, f"/demands/?q={q(i)}"))

    log("\n诉求详情：")
    ids = list(
        Demand.objects.filter(park=busiest)
        .order_by()
        .values_list("pk", flat=True)[:: max(1, n // 4000)][:500]
    )
    timer.run(
        "detail", "详情页 /demands/<id>/", lambda i: get(page, f"/demands/{ids[i % len(ids)]}/")
    )
    api_token = __import__("orgs.models", fromlist=["ApiToken"]).ApiToken.issue(disp)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token}")
    timer.run(
        "detail",
        "API /api/v1/demands/<id>",
        lambda i: get(api, f"/api/v1/demands/{ids[i % len(ids)]}"),
    )

    log("\n登记（demands.services.create_demand，一件一个事务）：")
    ent_ids = list(MarketEntity.objects.filter(park=busiest).values_list("pk", flat=True)[:500])
    cat_codes = list(
        Category.objects.filter(park=busiest, parent__isnull=False).values_list("code", flat=True)
    )
    rates = []
    for w in range(5):
        t = time.perf_counter()
        for i in range(args.intake):
            s.create_demand(
                disp,
                busiest,
                s.Intake(
                    title=f"用电增容申请 {w}-{i}",
                    description="新建厂房需要增容 800 千伏安，请协调供电部门。",
                    channel=s.Channel.HOTLINE,
                    enterprise_id=ent_ids[i % len(ent_ids)],
                    category_code=cat_codes[i % len(cat_codes)],
                ),
            )
        rates.append(args.intake / (time.perf_counter() - t))
    intake = statistics.median(rates)
    log(
        f"  登记 {statistics.median(rates):.1f} 件/秒（5 个窗口各 {args.intake} 件：{min(rates):.0f}–{max(rates):.0f}）"
    )

    log("\n看板各面板（reports.dashboard.PANELS），每个园区，本年与全部时间：")
    year = periods.parse(str(today.year))
    panel_ms: dict[str, float] = {}
    city: dict[str, float] = {}
    for idx, park in enumerate(parks):
        for plabel, period in (("本年", year), ("全部", None)):
            scope = Scope.for_period(park, period)
            for name, fn in dashboard.PANELS.items():
                runs = []
                reps = args.panel_repeat if idx == 0 else 1
                fn(scope, period)
                for _ in range(reps):
                    t = time.perf_counter()
                    fn(scope, period)
                    runs.append((time.perf_counter() - t) * 1000)
                ms = max(runs)
                key = f"{plabel}:{name}"
                if idx == 0:
                    panel_ms[key] = ms
                city[key] = city.get(key, 0.0) + ms
    for key, ms in panel_ms.items():
        log(f"  最忙园区 {key:<28} {ms:7.1f} ms   全市（10 园区合计）{city[key]:8.1f} ms")
    top_dept = depts[0]
    dscope = Scope.for_period(busiest, year, department_id=top_dept)
    for name, fn in dashboard.PANELS.items():
        t = time.perf_counter()
        fn(dscope, year)
        panel_ms[f"部门:{name}"] = (time.perf_counter() - t) * 1000
    log(
        f"  一个部门的各面板：最慢 {max(v for k, v in panel_ms.items() if k.startswith('部门')):.0f} ms"
    )
    timer.run("panel", "看板整页 /reports/（本年）", lambda i: get(boss, "/reports/"), n=5)
    timer.run(
        "panel", "看板整页 /reports/?period=all", lambda i: get(boss, "/reports/?period=all"), n=5
    )
    timer.run(
        "panel",
        "部门看板 /reports/?department=…",
        lambda i: get(boss, f"/reports/?department={top_dept}"),
        n=5,
    )
    timer.run(
        "panel",
        "下钻 /reports/drill/?metric=late",
        lambda i: get(boss, f"/reports/drill/?period={today.year}&metric=late"),
        n=5,
    )
    n_received = metrics.received(Scope(busiest))
    max_panel = max(list(panel_ms.values()) + [timer.worst("panel")])
    log(f"\n最忙园区收件 {n_received:,}；负载 {load_avg()}")
    print(
        f"demands={n} load_seconds={load_s:.0f} max_list_p95_ms={timer.worst('list'):.0f} "
        f"max_search_p95_ms={timer.worst('search'):.0f} "
        f"max_detail_p95_ms={timer.worst('detail'):.0f} max_panel_ms={max_panel:.0f} "
        f"intake_per_s={intake:.1f}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demands", type=int, default=10_000_000)
    ap.add_argument("--db", default="qinshang_city_10m")
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--intake", type=int, default=100, help="demands per intake window")
    ap.add_argument("--panel-repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="reuse a loaded database")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument(
        "--load-only", action="store_true", help="load, measure nothing (bench/load.py)"
    )
    args = ap.parse_args()
    loaded = prepare_database(args.db, args.keep)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # Pages are measured, not the HTTPS redirect or the second-factor step of production.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from orgs.models import Park

    log(f"负载 {load_avg()}")
    load_s = 0.0
    if not loaded:
        t = time.monotonic()
        call_command("migrate", verbosity=0)
        rng = random.Random(args.seed)
        park_ids = build_parks(rng)
        log(
            f"迁移与 10 个园区的基础数据：{time.monotonic() - t:.0f} 秒；装入 {args.demands:,} 件 ……"
        )
        load_s = load(args.demands, park_ids, rng)
        log(f"装入共 {load_s:.0f} 秒")
    else:
        # A kept database gets the product's newer migrations (indexes added since the load).
        t = time.monotonic()
        call_command("migrate", verbosity=0)
        log(f"沿用已装入的数据库；迁移 {time.monotonic() - t:.0f} 秒")
    park_ids = list(
        Park.objects.filter(code__startswith="city").order_by("code").values_list("pk", flat=True)
    )
    if args.load_only:
        print(f"demands_loaded={args.demands} load_seconds={load_s:.0f}")
        return
    measure(args, park_ids, load_s)


if __name__ == "__main__":
    main()
