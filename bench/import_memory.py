"""Ledger import memory: a city hotline's sheet of --rows rows (every cell a string, dates as
text, re-registrations under one number; exchange/tests/hotline.py's rows) written with
openpyxl's write-only mode, then imported by the one importer (`exchange.importer.import_ledger`:
read-only scan for the columns, rows in committed batches) in a process of its own whose peak
resident memory is measured by /usr/bin/time -v.

    .venv/bin/python bench/import_memory.py                      # 200,000 rows, PostgreSQL
    .venv/bin/python bench/import_memory.py --rows 20000
    .venv/bin/python bench/import_memory.py --crash-after 5      # killed in batch 6, resumed

With --crash-after K the first child is killed (os._exit, no clean-up) while writing batch K+1,
and a second child resumes the job from its cursor; the script then checks that every sheet row
went in exactly once (ImportRow) and that the ledger holds one item per ticket.

The database is a fresh PostgreSQL database (--db, default qinshang_exchange_bench on
127.0.0.1:5432), migrated first. Ends with one line of key=value figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHEET = "/tmp/qinshang_bench_import.xlsx"


def setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()


def write_sheet(rows: int, seed: int) -> int:
    """The sheet, streamed: tickets received over 2026, one in twenty registered again later
    (half of those to another 主办单位), their later registrations further down the sheet."""
    from openpyxl import Workbook

    from exchange.tests import hotline

    rnd = random.Random(seed)
    led = hotline.Ledger(list(hotline.HOTLINE))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单明细")
    ws.append(["某市12345政务服务便民热线工单明细"])
    ws.append([])
    ws.append(led.head)
    start = dt.datetime(2026, 1, 5, 9, 0)
    later: list[list[str]] = []
    written = i = 0
    while written + len(later) < rows:
        reg = start + dt.timedelta(days=rnd.randrange(300), minutes=rnd.randrange(600))
        dept = rnd.choice(hotline.DEPTS)
        number = f"GD2026{i:07d}"
        row = hotline._row(rnd, led, number, reg, dept, i, 0, False, False)
        ws.append([row[h] for h in led.head])
        written += 1
        if rnd.random() < 0.05 and written + len(later) < rows:
            again = reg + dt.timedelta(days=rnd.randrange(3, 20))
            if i % 2:
                dept = rnd.choice([d for d in hotline.DEPTS if d != dept])
            r2 = hotline._row(rnd, led, number, again, dept, i, 1, False, False)
            later.append([r2[h] for h in led.head])
        if len(later) >= 2000:  # a later batch, not the same one
            for r in later:
                ws.append(r)
            written += len(later)
            later = []
        i += 1
    for r in later:
        ws.append(r)
    written += len(later)
    wb.save(SHEET)
    return i  # tickets


def prepare(db: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {db}")
        c.execute(f"CREATE DATABASE {db}")
    setup(db)
    from django.core.management import call_command

    from orgs.models import Park

    call_command("migrate", verbosity=0)
    Park.objects.create(name="基准园区", short_name="基准", code="bench")


def rss_anon_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(db: str, batch: int, crash_after: int, resume_job: int) -> None:
    setup(db)
    from django.core.files.base import ContentFile

    from exchange import importer
    from exchange.models import ImportJob
    from orgs.models import Park

    park = Park.objects.get(code="bench")
    data = Path(SHEET).read_bytes()
    if resume_job:
        job = ImportJob.objects.get(pk=resume_job)
    else:
        job = ImportJob(park=park, user=None, original_name="热线工单明细.xlsx")
        job.file.save("bench-import.xlsx", ContentFile(data))
    print(f"job={job.pk}", flush=True)
    started = time.monotonic()
    peak = [0.0]
    real_write = importer._write
    calls = [0]

    def write(*args, **kw):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if crash_after and calls[0] == crash_after + 1:
            os._exit(9)  # killed mid-batch: no clean-up, no rollback but the database's own
        real_write(*args, **kw)
        peak[0] = max(peak[0], rss_anon_mb())
        done = job.rows_done + batch  # this batch is written, its count not yet added
        if calls[0] % 20 == 0:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  ~{done:,} rows in {time.monotonic() - started:.0f} s, "
                f"ru_maxrss {rss:.0f} MB, anonymous {peak[0]:.0f} MB",
                flush=True,
            )

    importer._write = write  # type: ignore[assignment]
    report = importer.import_ledger(
        data,
        park=park,
        create_missing=True,
        job=job,
        batch_size=batch,
        resume=bool(resume_job),
    )
    seconds = time.monotonic() - started
    print(
        f"child rows={report.rows} imported={report.imported} registered={report.registered} "
        f"items={report.items} refused={report.refused} seconds={seconds:.0f} "
        f"anon_mb={max(peak[0], rss_anon_mb()):.0f}",
        flush=True,
    )


def run_child(args: argparse.Namespace, crash_after: int, resume_job: int) -> tuple[dict, int, int]:
    proc = subprocess.Popen(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            __file__,
            "--child",
            "--db",
            args.db,
            "--batch",
            str(args.batch),
            "--crash",
            str(crash_after),
            "--resume-job",
            str(resume_job),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    last, job = "", 0
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.startswith("job="):
            job = int(line.split("=")[1])
        last = line if line.startswith("child ") else last
    err = proc.stderr.read()
    code = proc.wait()
    if code and not crash_after:
        sys.stderr.write(err)
        raise SystemExit(code)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    peak_kb = int(found.group(1)) if found else 0
    figures = dict(kv.split("=") for kv in last.split()[1:]) if last else {}
    return figures, peak_kb, job


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", default="qinshang_exchange_bench")
    ap.add_argument("--crash-after", type=int, default=0)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--crash", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--resume-job", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.db, args.batch, args.crash, args.resume_job)
        return
    started = time.monotonic()
    setup(args.db)  # hotline's rows need Django's settings only for their imports
    tickets = write_sheet(args.rows, args.seed)
    size_mb = os.path.getsize(SHEET) / 1048576
    print(
        f"sheet: {args.rows:,} rows, {tickets:,} tickets, {size_mb:.1f} MB, "
        f"{time.monotonic() - started:.0f} s",
        flush=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            f"import runpy; m = runpy.run_path({__file__!r}); m['prepare']({args.db!r})",
        ],
        check=True,
    )
    figures, peak_kb, job = run_child(args, args.crash_after, 0)
    crashed_peak = 0
    if args.crash_after:
        crashed_peak = peak_kb
        figures, peak_kb, _ = run_child(args, 0, job)
    from django.db.models import Count

    from demands.models import Demand
    from exchange.models import ImportRow

    rows_once = (
        ImportRow.objects.filter(job_id=job).values("row").annotate(n=Count("id")).filter(n__gt=1)
    ).count() == 0 and ImportRow.objects.filter(job_id=job).count() == args.rows
    items = Demand.objects.filter(park__code="bench").count()
    print(
        f"rows={figures['rows']} tickets={tickets} items={items} "
        f"imported={figures['imported']} registered={figures['registered']} "
        f"refused={figures['refused']} seconds={figures['seconds']} "
        f"peak_rss_mb={peak_kb / 1024:.0f} anon_mb={figures['anon_mb']} "
        f"sheet_mb={size_mb:.1f} batch={args.batch} crash_after={args.crash_after} "
        f"crashed_peak_rss_mb={crashed_peak / 1024:.0f} rows_once={int(rows_once)}"
    )


if __name__ == "__main__":
    main()
