"""Cost of the access log on the demand page (demands.privacy.log_open: one INSERT per opening).

Builds the test personas in a fresh test database, then opens one demand page N times as a leader
with the log on and N times with it off, interleaved, and prints one line

    requests=… page_ms_with_log=… page_ms_without_log=… insert_ms=…

(medians). Bounded: N=200 by default.

Run:  .venv/bin/python bench/access_log.py [-n 200]
      DATABASE_URL=postgres://…/qinshang_NAME .venv/bin/python bench/access_log.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from conftest import build_world
        from demands import privacy, services

        world = build_world()
        d = services.create_demand(
            world.users["resident"],
            world.park,
            services.Intake(
                title="小区门口路灯不亮",
                description="晚上出行不便，请尽快维修。",
                channel="portal",
                requester_name="张三丰",
                requester_phone="13907325678",
                category_id=world.cat_finance.pk,
            ),
        )
        c = Client()
        c.force_login(world.users["leader"])
        url = f"/demands/{d.pk}/"
        real = privacy.log_open
        on, off = [], []
        for _ in range(10):
            c.get(url)
        for i in range(args.n * 2):
            with_log = i % 2 == 0
            privacy.log_open = real if with_log else (lambda *a, **k: None)
            t = time.perf_counter()
            assert c.get(url).status_code == 200
            (on if with_log else off).append((time.perf_counter() - t) * 1000)
        privacy.log_open = real
        ins = []
        for _ in range(args.n):
            t = time.perf_counter()
            privacy.log_open(world.users["leader"], d)
            ins.append((time.perf_counter() - t) * 1000)
        print(
            f"requests={args.n} page_ms_with_log={statistics.median(on):.2f} "
            f"page_ms_without_log={statistics.median(off):.2f} "
            f"insert_ms={statistics.median(ins):.3f} db={connection.vendor}"
        )
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
