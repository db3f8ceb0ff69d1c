"""The slowest statements of one request or dashboard panel on a loaded city database, with
their plans: each target runs once to warm up, then once with its queries captured (wall time
and CPU time of the whole call), and the slowest statements are run again under
`EXPLAIN (ANALYZE, BUFFERS)` — the server's own time, beside the bench's wall time on a shared
machine.

    .venv/bin/python bench/city_explain.py --db qinshang_city_1m panel:kpis panel:legacy
    .venv/bin/python bench/city_explain.py --db qinshang_city_1m 'page:/demands/?q=融资'

Targets: `panel:<name>` (reports.dashboard.PANELS, busiest park, this year; `panel:<name>:all`
for all time), `page:<url>` (as the busiest park's dispatcher).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="qinshang_city_1m")
    ap.add_argument("--top", type=int, default=3, help="statements explained per target")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per target")
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from demands import workbench
    from orgs.models import Park, User
    from reports import dashboard, periods
    from reports.metrics import Scope

    setup_test_environment()
    park = Park.objects.filter(code__startswith="city").order_by("code").first()
    assert park is not None, "no city loaded (bench/city.py)"
    disp = User.objects.get(username=f"{park.code.replace('city0', 'city')}_disp")
    client = Client()
    client.force_login(disp)
    year = periods.parse(str(workbench.today().year))

    for target in args.targets:
        kind, _, rest = target.partition(":")
        if kind == "panel":
            name, _, span = rest.partition(":")
            period = None if span == "all" else year
            scope = Scope.for_period(park, period)
            fn = dashboard.PANELS[name]

            def call(fn=fn, scope=scope, period=period) -> None:
                fn(scope, period)

        elif kind == "page":

            def call(url=rest) -> None:
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code)

        else:
            raise SystemExit(f"unknown target {target}")
        call()
        walls, cpus = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                call()
                walls.append((time.perf_counter() - t) * 1000)
                cpus.append((time.process_time() - c) * 1000)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        print(
            f"\n== {target}: wall {min(walls):.0f}–{max(walls):.0f} ms, python cpu "
            f"{min(cpus):.0f}–{max(cpus):.0f} ms, {len(queries)} queries, "
            f"sql {sum(float(q['time']) for q in queries) * 1000:.0f} ms (last run); load {load}"
        )
        for q in queries[: args.top]:
            print(f"\n-- {float(q['time']) * 1000:.0f} ms: {q['sql'][:3000]}")
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                for (line,) in cur.fetchall():
                    print("   " + line)


if __name__ == "__main__":
    main()
