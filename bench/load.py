"""Many people at once through a real server: gunicorn and task workers on PostgreSQL, driven by
simulated users on 127.0.0.1 for a bounded time.

Prepares the database itself (bench/city.py --load-only, 10 parks; default 100,000 demands, kept
for the next run), starts --instances gunicorn instances of --web-workers workers each and
--task-workers db_workers (ops.cluster), and runs --users simulated users, each a thread looping
over its role's requests with a think time of 0–2 s:

  dispatcher  the dispatch centre's queues, the ledger filtered, a demand's page
  department  the department inbox, a demand through the API
  enterprise  submits a demand (POST /api/v1/demands with its own token), follows its list
  leader      the dashboard (/reports/), a drill-down
  export      one user exporting a month of the ledger (xlsx) again and again

Page users carry a session made in the shared database (valid on every instance: no login form,
so no 2FA and no django-axes in the way); API users carry bearer tokens (orgs.ApiToken). The
ledger import is not driven here (exchange/ is being rewritten for streaming, issue 16 item 4).
Reports throughput, p50/p95/p99 and errors per kind, and PostgreSQL's connection count (sampled).

    .venv/bin/python bench/load.py --users 200 --seconds 120
    .venv/bin/python bench/load.py --users 50 --seconds 60 --demands 100000

Ends with one line: users=… seconds=… requests=… errors=… p50_ms=… p95_ms=… p99_ms=…
throughput_per_s=…
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIX = {"dispatcher": 0.3, "department": 0.3, "enterprise": 0.25, "leader": 0.15}


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--demands", type=int, default=100_000)
    ap.add_argument("--db", default="")
    ap.add_argument("--instances", type=int, default=2)
    ap.add_argument("--web-workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--task-workers", type=int, default=2)
    args = ap.parse_args()
    seconds = min(args.seconds, 600)  # bounded: at most 10 minutes
    db = args.db or f"qinshang_city_{args.demands // 1000}k"
    url = f"postgres://postgres@127.0.0.1:5432/{db}"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "city.py"), "--demands", str(args.demands)]
        + ["--db", db, "--keep", "--load-only"],
        check=True,
    )
    os.environ.update(DATABASE_URL=url, SECRET_KEY="cluster-test-secret-key-0123456789")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")
    import django

    django.setup()
    import httpx
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from demands.models import Demand
    from entities.models import MarketEntity
    from ops import cluster as cl
    from orgs.models import ApiToken, Park, Role, User

    park = Park.objects.filter(code__startswith="city").order_by("code")[0]

    def session_for(user: User) -> str:
        s = SessionStore()
        s["_auth_user_id"] = str(user.pk)
        s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        s["_auth_user_hash"] = user.get_session_auth_hash()
        s.create()
        return s.session_key or ""

    disp = list(User.objects.filter(park=park, role=Role.DISPATCHER))
    heads = list(User.objects.filter(park=park, role=Role.DEPARTMENT_HEAD)[:20])
    leaders = list(User.objects.filter(park=park, role=Role.LEADER))
    ents = list(MarketEntity.objects.filter(park=park).order_by("pk")[:200])
    ent_users = []
    for e in ents[:50]:
        u, _ = User.objects.get_or_create(
            username=f"load_ent_{e.pk}",
            defaults={"role": Role.ENTERPRISE, "park": park, "enterprise": e, "full_name": "企业"},
        )
        ent_users.append(u)
    ids = list(
        Demand.objects.filter(park=park).order_by("-created_at").values_list("pk", flat=True)[:2000]
    )
    # A head sees its own department's demands only: a random demand of the park was a 403
    # (the product refusing rightly), counted as the head's error.
    dept_ids = {
        h.pk: list(
            Demand.objects.filter(park=park, tasks__department_id=h.department_id)
            .order_by("-created_at")
            .values_list("pk", flat=True)
            .distinct()[:500]
        )
        for h in heads
    }
    tokens = {u.pk: ApiToken.issue(u) for u in disp + heads + ent_users}
    sessions = {u.pk: session_for(u) for u in disp + heads + leaders}
    cookie = settings.SESSION_COOKIE_NAME

    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    err_samples: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def record(kind: str, ms: float, ok: bool, what: str) -> None:
        with lock:
            lat[kind].append(ms)
            if not ok:
                errors[kind] += 1
                if len(err_samples) < 10:
                    err_samples.append(what)

    def user_loop(role: str, i: int, base: str) -> None:
        r = random.Random(i)
        client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
        if role == "dispatcher":
            u = disp[i % len(disp)]
        elif role == "department":
            u = heads[i % len(heads)]
        elif role == "enterprise":
            u = ent_users[i % len(ent_users)]
        else:
            u = leaders[i % len(leaders)]
        if u.pk in sessions:
            client.cookies.set(cookie, sessions[u.pk])
        api = {"Authorization": f"Bearer {tokens[u.pk]}"} if u.pk in tokens else {}
        time.sleep(r.random() * 2)
        n = 0
        while not stop.is_set():
            n += 1
            if role == "dispatcher":
                tab = r.choice(["received", "late", "callback", "confirmed"])
                reqs = [
                    ("queue", "GET", f"/dispatch/?tab={tab}", None, {}),
                    ("ledger", "GET", "/demands/?status=open&sort=due", None, {}),
                    ("detail", "GET", f"/demands/{r.choice(ids)}/", None, {}),
                ]
            elif role == "department":
                own = dept_ids.get(u.pk) or ids
                reqs = [
                    ("inbox", "GET", "/department/", None, {}),
                    ("api_detail", "GET", f"/api/v1/demands/{r.choice(own)}", None, api),
                ]
            elif role == "enterprise":
                body = {
                    "title": f"压测诉求 {i}-{n}",
                    "description": "厂区道路破损，请协调维修。",
                    "channel": "portal",
                    "enterprise_id": u.enterprise_id,
                }
                reqs = [
                    ("submit", "POST", "/api/v1/demands", body, api),
                    ("follow", "GET", "/api/v1/demands?sort=created", None, api),
                ]
            else:
                reqs = [
                    ("dashboard", "GET", "/reports/", None, {}),
                    ("drill", "GET", "/reports/drill/?metric=received&period=2026-11", None, {}),
                ]
            for kind, method, path, body, headers in reqs:
                if stop.is_set():
                    break
                t = time.perf_counter()
                try:
                    resp = client.request(method, path, json=body, headers=headers)
                    ok = resp.status_code < 400
                    what = f"{kind} {resp.status_code} {path}"
                except httpx.HTTPError as e:
                    ok, what = False, f"{kind} {type(e).__name__} {path}"
                record(kind, (time.perf_counter() - t) * 1000, ok, what)
                time.sleep(r.random() * 2)
        client.close()

    def exporter(base: str) -> None:
        client = httpx.Client(base_url=base, timeout=300)
        client.cookies.set(cookie, sessions[disp[0].pk])
        while not stop.is_set():
            t = time.perf_counter()
            try:
                resp = client.get("/demands/export.xlsx?date_from=2026-11-01&date_to=2026-11-30")
                ok, what = resp.status_code == 200, f"export {resp.status_code}"
            except httpx.HTTPError as e:
                ok, what = False, f"export {type(e).__name__}"
            record("export", (time.perf_counter() - t) * 1000, ok, what)
        client.close()

    conn_samples: list[int] = []

    def sample_connections() -> None:
        while not stop.is_set():
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [db])
                conn_samples.append(cur.fetchone()[0])
            stop.wait(2)

    print(f"负载 {load_avg()}；{args.users} 个用户，{seconds} 秒", flush=True)
    with cl.cluster(
        url,
        instances=args.instances,
        web_workers=args.web_workers,
        task_workers=args.task_workers,
        threads=args.threads,
        log_dir=ROOT / "build" / "load",
    ) as c:
        roles = [role for role, share in MIX.items() for _ in range(round(args.users * share))][
            : args.users - 1
        ]
        threads = [
            threading.Thread(target=user_loop, args=(role, i, c.web[i % len(c.web)]), daemon=True)
            for i, role in enumerate(roles)
        ]
        threads.append(threading.Thread(target=exporter, args=(c.web[0],), daemon=True))
        threads.append(threading.Thread(target=sample_connections, daemon=True))
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(timeout=90)
        elapsed = time.monotonic() - started
    everything = [x for v in lat.values() for x in v]
    total_errors = sum(errors.values())
    print(f"\n{'请求':<12}{'次数':>8}{'错误':>6}{'p50':>9}{'p95':>9}{'p99':>9} ms")
    for kind, v in sorted(lat.items()):
        print(
            f"{kind:<12}{len(v):>8}{errors[kind]:>6}{pct(v, 50):>9.0f}{pct(v, 95):>9.0f}"
            f"{pct(v, 99):>9.0f}"
        )
    if err_samples:
        print("错误样例：" + "；".join(err_samples))
    print(
        f"数据库连接数：最多 {max(conn_samples, default=0)}，平均 "
        f"{sum(conn_samples) / max(1, len(conn_samples)):.0f}；负载 {load_avg()}"
    )
    print(
        f"users={args.users} seconds={elapsed:.0f} requests={len(everything)} "
        f"errors={total_errors} p50_ms={pct(everything, 50):.0f} p95_ms={pct(everything, 95):.0f} "
        f"p99_ms={pct(everything, 99):.0f} throughput_per_s={len(everything) / elapsed:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
