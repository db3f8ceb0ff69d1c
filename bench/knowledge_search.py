"""Knowledge search at size: 50,000 entries and 100,000 answered demands in the index.

Builds the test personas in a fresh test database, writes N_ENTRIES entry documents and
N_DEMANDS demand documents through knowledge.search.put (the same tokeniser and index writes
as the app: FTS5 on SQLite, the tsvector column + GIN on PostgreSQL, the Term table), texts
composed from the demo park's sentences (demo/data/*.toml), then times Q queries (demand-like
texts from the same sentences) with the filters a phone search uses: all, by department, by
kind, and the portal's public-only. Prints one line

    entries=… demands=… queries=… p50_ms=… p95_ms=… dept_p50_ms=… portal_p50_ms=… build_s=…

Run:  .venv/bin/python bench/knowledge_search.py [--entries 50000 --demands 100000 -q 200]
      DATABASE_URL=postgres://…/qinshang_NAME .venv/bin/python bench/knowledge_search.py
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")


def sentences() -> list[str]:
    out: list[str] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            for s in re.split(r"[。！？\n]", re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", v)):
                if len(re.findall(r"[\u4e00-\u9fff]", s)) >= 6:
                    out.append(s.strip())
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for f in sorted((ROOT / "demo" / "data").glob("*.toml")):
        with f.open("rb") as fh:
            walk(tomllib.load(fh))
    return sorted(set(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--demands", type=int, default=100_000)
    ap.add_argument("-q", type=int, default=200)
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from conftest import build_world
        from knowledge import search
        from knowledge.models import Kind, SearchDoc

        world = build_world()
        park = world.park
        depts = [world.dept_a.pk, world.dept_b.pk, world.dept_c.pk]
        rng = random.Random(15)
        pool = sentences()
        kinds = list(Kind.values)

        def text(lo: int, hi: int) -> str:
            return "。".join(rng.sample(pool, rng.randint(lo, hi)))

        t0 = time.perf_counter()
        batch: list[SearchDoc] = []
        total = args.entries + args.demands
        for i in range(total):
            is_entry = i < args.entries
            title = rng.choice(pool)[:60]
            batch.append(
                SearchDoc(
                    park_id=park.pk,
                    doc_kind="entry" if is_entry else "demand",
                    ref_id=i + 1,
                    department_id=rng.choice(depts),
                    entry_kind=rng.choice(kinds) if is_entry else "",
                    portal=is_entry and rng.random() < 0.5,
                    live=True,
                    title=title,
                    tokens=" ".join(search.tokenize(title + " " + text(2, 6))),
                )
            )
            if len(batch) == 5000:
                search.put(batch)
                batch = []
        search.put(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE knowledge_searchdoc")
        build_s = time.perf_counter() - t0

        queries = [text(1, 3) for _ in range(args.q)]
        search.search(park.pk, queries[0])  # warm: jieba's dictionary, statement caches

        def timed(filters: search.Filters | None) -> list[float]:
            out = []
            for q in queries:
                t = time.perf_counter()
                search.search(park.pk, q, filters, limit=10)
                out.append((time.perf_counter() - t) * 1000)
            return out

        plain = timed(None)
        by_dept = timed(search.Filters(department_id=depts[0]))
        by_kind = timed(search.Filters(doc_kinds=("entry",), entry_kind=Kind.FAQ))
        portal = timed(
            search.Filters(doc_kinds=("entry",), portal_only=True, entry_kinds=("faq", "policy"))
        )
        p95 = statistics.quantiles(plain, n=20)[18]
        print(
            f"entries={args.entries} demands={args.demands} queries={args.q} "
            f"db={connection.vendor} p50_ms={statistics.median(plain):.1f} p95_ms={p95:.1f} "
            f"dept_p50_ms={statistics.median(by_dept):.1f} "
            f"kind_p50_ms={statistics.median(by_kind):.1f} "
            f"portal_p50_ms={statistics.median(portal):.1f} build_s={build_s:.0f}"
        )
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
