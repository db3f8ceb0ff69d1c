"""Ledger export memory: a whole ledger of --rows demands written as .xlsx by the one export
(`demands.workbook.write_ledger`: rows read with .iterator(chunk_size=…), spooled, written in
openpyxl's write-only mode), in a process of its own whose peak resident memory is measured.

    .venv/bin/python bench/export_memory.py                  # 1,000,000 rows
    .venv/bin/python bench/export_memory.py --rows 20000
    .venv/bin/python bench/export_memory.py --limit 200000   # seeded once, exported in part

The ledger is seeded once into a SQLite file (/tmp/qinshang_bench_export.sqlite3; --reseed to
redo it): bench/ledger.py's seeding for the first --base demands (with their tasks), then copied
by INSERT … SELECT until there are --rows. The export then runs in a child process under
/usr/bin/time -v (its "Maximum resident set size") and reports its own ru_maxrss as well.

Ends with one line of key=value figures.
"""

from __future__ import annotations

import argparse
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

DB = "/tmp/qinshang_bench_export.sqlite3"
OUT = "/tmp/qinshang_bench_export.xlsx"


def setup() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()


def seed(rows: int, base: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(DB + suffix).unlink(missing_ok=True)
    setup()
    import importlib.util

    from django.core.management import call_command
    from django.db import connection, transaction

    # bench/ledger.py's seeding (bench/ is no package: its routing.py would shadow the app).
    spec = importlib.util.spec_from_file_location("bench_ledger", ROOT / "bench" / "ledger.py")
    assert spec and spec.loader
    ledger = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ledger)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    ledger.seed(base, random.Random(7))
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id), count(*) FROM demands_demand")
        lo, hi, n = cur.fetchone()
        assert hi - lo + 1 == n, "the seeded ids are not contiguous"
        cols = [
            c.name for c in connection.introspection.get_table_description(cur, "demands_demand")
        ]
        tcols = [
            c.name for c in connection.introspection.get_table_description(cur, "demands_task")
        ]
        copy = [c for c in cols if c not in ("id", "number")]
        tcopy = [c for c in tcols if c not in ("id", "demand_id")]
        k = 1
        while n * (k + 1) <= rows:
            with transaction.atomic():
                offset = k * n
                cur.execute(
                    f"INSERT INTO demands_demand (id, number, {', '.join(copy)}) "
                    f"SELECT id + {offset}, printf('B%08d', id + {offset}), {', '.join(copy)} "
                    f"FROM demands_demand WHERE id BETWEEN {lo} AND {hi}"
                )
                cur.execute(
                    f"INSERT INTO demands_task (demand_id, {', '.join(tcopy)}) "
                    f"SELECT demand_id + {offset}, {', '.join(tcopy)} "
                    f"FROM demands_task WHERE demand_id BETWEEN {lo} AND {hi}"
                )
            k += 1
        cur.execute("ANALYZE")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.execute("SELECT count(*) FROM demands_demand")
        print(
            f"seeded {cur.fetchone()[0]:,} demands in {time.monotonic() - started:.0f} s",
            flush=True,
        )


def rss_anon_mb() -> float:
    """The process's anonymous resident memory (its heap): VmRSS also counts the pages of the
    SQLite file that its memory map (PRAGMA mmap_size, qinshang.settings) has touched, which
    are the OS's file cache and grow with the size of the database, not with the export."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def export(chunk: int, limit: int | None) -> None:
    """The child: export the ledger (its first `limit` demands, or all) to OUT, print its own
    figures."""
    setup()
    from demands.models import Demand
    from demands.privacy import always
    from demands.workbook import write_ledger

    qs = Demand.objects.order_by("id")
    if limit:
        qs = qs.filter(id__lte=limit)  # the seeded ids run from 1
    started = time.monotonic()
    cpu = time.process_time()

    anon = [0.0]

    def progress(done: int) -> None:
        anon[0] = max(anon[0], rss_anon_mb())
        if done % 50_000 == 0:  # so that a run cut short still shows how memory grows
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  read {done:,} rows in {time.monotonic() - started:.0f} s, "
                f"ru_maxrss {rss:.0f} MB, anonymous {anon[0]:.0f} MB",
                flush=True,
            )

    n = write_ledger(qs, OUT, always, progress=progress, chunk_size=chunk)
    seconds = time.monotonic() - started
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    anon[0] = max(anon[0], rss_anon_mb())
    size_mb = os.path.getsize(OUT) / 1048576
    print(
        f"child rows={n} seconds={seconds:.0f} cpu_s={time.process_time() - cpu:.0f} "
        f"ru_maxrss_mb={maxrss_mb:.0f} anon_mb={anon[0]:.0f} file_mb={size_mb:.0f}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--base", type=int, default=10_000)
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--reseed", action="store_true")
    ap.add_argument(
        "--limit", type=int, default=0, help="export only the first N demands of the seeded ledger"
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.seed_child:
        seed(args.rows, args.base)
        return
    if args.child:
        export(args.chunk, args.limit)
        return
    if args.reseed or not Path(DB).exists():
        seed_in_child(args.rows, args.base)
    proc = subprocess.Popen(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            __file__,
            "--child",
            "--chunk",
            str(args.chunk),
            "--limit",
            str(args.limit),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    last = ""
    for line in proc.stdout:  # the child's progress as it goes
        sys.stdout.write(line)
        sys.stdout.flush()
        last = line if line.startswith("child ") else last
    err = proc.stderr.read()
    if proc.wait():
        sys.stderr.write(err)
        raise SystemExit(proc.returncode)
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    assert found, err
    peak_kb = int(found.group(1))
    child = dict(kv.split("=") for kv in last.split()[1:])
    print(
        f"rows={child['rows']} seconds={child['seconds']} cpu_s={child['cpu_s']} "
        f"peak_rss_mb={peak_kb / 1024:.0f} anon_mb={child['anon_mb']} file_mb={child['file_mb']} "
        f"chunk={args.chunk}"
    )


def seed_in_child(rows: int, base: int) -> None:
    # Seeding in its own process, so the export's figures carry nothing of it.
    subprocess.run(
        [sys.executable, __file__, "--seed-child", "--rows", str(rows), "--base", str(base)],
        check=True,
    )


if __name__ == "__main__":
    main()
