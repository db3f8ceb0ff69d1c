"""Page timings of the demo park: every main page of every role, in-process, one client at a time.

Seeds the demo park into a scratch SQLite file (or reuses it), logs in as each demo account and
requests each page ~20 times with Django's test client, reporting p50/p95 server time and the query
count. The budget is 150 ms per page.

    .venv/bin/python bench/pages.py                       # /tmp/qinshang_bench_pages.sqlite3
    .venv/bin/python bench/pages.py --db /tmp/x.sqlite3 --runs 30

Ends with one line of key=value figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MS = 150.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default="/tmp/qinshang_bench_pages.sqlite3")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()

    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # Pages are measured, not the HTTPS redirect or the second-factor step of production.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from demands.access import visible_demands
    from demands.models import Demand, Status
    from orgs.models import Park, User

    call_command("migrate", verbosity=0)
    if not Park.objects.filter(code="xtjk").exists():
        print("生成演示园区（首次约 2–3 分钟）……", flush=True)
        t0 = time.monotonic()
        call_command("seed_demo", verbosity=0)
        print(f"  完成，用时 {time.monotonic() - t0:.0f} 秒", flush=True)
    park = Park.objects.get(code="xtjk")
    users = {
        u.username: u
        for u in User.objects.filter(
            park=park,
            username__in=[
                "dispatcher",
                "handler",
                "head",
                "liaison",
                "leader",
                "enterprise",
                "resident",
                "expert",
                "admin",
            ],
        )
    }
    print(f"园区：{park.name}；诉求 {Demand.objects.filter(park=park).count()} 条", flush=True)

    busy = Demand.objects.filter(park=park).annotate(n=Count("events")).order_by("-n").first()
    ent_demand = visible_demands(users["enterprise"], park).order_by("-created_at").first()
    open_demand = Demand.objects.filter(park=park, status=Status.IN_PROGRESS).first()
    pages: list[tuple[str, str, str]] = [
        ("dispatcher", "派单中心·待交办", "/dispatch/"),
        ("dispatcher", "派单中心·退单", "/dispatch/?tab=returned"),
        ("dispatcher", "派单中心·延期", "/dispatch/?tab=extensions"),
        ("dispatcher", "派单中心·逾期", "/dispatch/?tab=late"),
        ("dispatcher", "派单中心·待回访", "/dispatch/?tab=callback"),
        ("dispatcher", "派单中心·待销号", "/dispatch/?tab=confirmed"),
        ("dispatcher", "台账", "/demands/"),
        ("dispatcher", "台账·搜索", "/demands/?q=贷款"),
        ("dispatcher", "台账·筛选排序", "/demands/?status=open&sort=due&size=100"),
        ("dispatcher", "台账·末页", "/demands/?page=last"),
        ("dispatcher", "诉求页·最长过程", f"/demands/{busy.pk}/" if busy else "/demands/"),
        (
            "dispatcher",
            "诉求页·办理中",
            f"/demands/{open_demand.pk}/" if open_demand else "/demands/",
        ),
        ("dispatcher", "登记诉求", "/demands/new/"),
        ("dispatcher", "消息", "/notifications/"),
        ("handler", "部门·待签收", "/department/"),
        ("handler", "部门·办理中", "/department/?tab=working"),
        ("handler", "部门·已逾期", "/department/?tab=overdue"),
        ("handler", "部门·已答复", "/department/?tab=answered"),
        ("handler", "台账（部门）", "/demands/"),
        ("head", "部门·负责人", "/department/"),
        ("liaison", "我的企业", "/liaison/"),
        ("liaison", "登记诉求（服务员）", "/demands/new/"),
        ("leader", "领导总览", "/leader/"),
        ("enterprise", "企业门户", "/portal/"),
        (
            "enterprise",
            "诉求页（企业）",
            f"/demands/{ent_demand.pk}/" if ent_demand else "/portal/",
        ),
        ("enterprise", "提交诉求", "/demands/new/"),
        ("resident", "群众门户", "/portal/"),
        ("expert", "遗留问题", "/expert/"),
        ("admin", "系统管理", "/manage/"),
    ]
    clients: dict[str, Client] = {}
    for who, u in users.items():
        c = Client()
        c.force_login(u)
        clients[who] = c

    print(f"\n{'页面':<22}{'p50 ms':>9}{'p95 ms':>9}{'查询':>6}  路径")
    results = []
    for who, label, path in pages:
        c = clients[who]
        for _ in range(2):  # warm up: calendar cache, template loading
            r = c.get(path)
            assert r.status_code == 200, (path, r.status_code)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            c.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            c.get(path)
        p50, p95 = pct(times, 50), pct(times, 95)
        results.append((label, p50, p95, len(ctx.captured_queries)))
        flag = "  ← 超出 150 ms" if p95 > BUDGET_MS else ""
        print(
            f"{label:<22}{p50:>9.1f}{p95:>9.1f}{len(ctx.captured_queries):>6}  {path}{flag}",
            flush=True,
        )

    t0 = time.perf_counter()
    r = clients["dispatcher"].get("/demands/export.xlsx")
    export_ms = (time.perf_counter() - t0) * 1000
    print(
        f"\n台账导出（全部 {Demand.objects.filter(park=park).count()} 条）：{export_ms:.0f} ms，"
        f"{len(r.content) // 1024} KB"
    )

    worst = max(results, key=lambda x: x[2])
    over = [r[0] for r in results if r[2] > BUDGET_MS]
    figures = {
        "pages": len(results),
        "runs": args.runs,
        "max_p95_ms": f"{worst[2]:.1f}",
        "worst_page": worst[0],
        "median_p50_ms": f"{pct([r[1] for r in results], 50):.1f}",
        "max_queries": max(r[3] for r in results),
        "over_budget": len(over),
        "export_ms": f"{export_ms:.0f}",
    }
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
