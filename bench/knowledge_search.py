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

--reuse builds into the database DATABASE_URL names (migrated; not a test database) and, when a
run before left the same number of documents there, times them again without building, so a
before/after pair runs on the same rows. The tokenised texts are kept in /tmp between runs
(tokenising 150,000 texts costs minutes). `--exact` also times, for the first 40 queries, the exact ranking (every row
matching a query term scored by BM25: `search.search_exact`) and reports how many of its top
10 the fast search returns (`overlap10`). Wall and CPU (process_time: this client only, not
the database server) per query; the load average before and after.
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
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--exact", action="store_true")
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    load_before = open("/proc/loadavg").read().split()[0]
    old = None
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from conftest import build_world
        from knowledge import search
        from knowledge.models import Kind, SearchDoc
        from orgs.models import Department, Park

        total = args.entries + args.demands
        park = Park.objects.filter(code="test").first() if args.reuse else None
        if park is None:
            park = build_world().park
        depts = list(
            Department.objects.filter(park=park, is_dispatch_centre=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rng = random.Random(15)
        pool = sentences()
        kinds = list(Kind.values)

        def text(lo: int, hi: int) -> str:
            return "。".join(rng.sample(pool, rng.randint(lo, hi)))

        t0 = time.perf_counter()
        docs = texts(total, args.entries, pool, kinds, len(depts))
        if SearchDoc.objects.filter(park=park).count() != total:
            SearchDoc.objects.filter(park=park).delete()
            batch: list[SearchDoc] = []
            for i, (dept, kind, portal, title, tokens) in enumerate(docs):
                batch.append(
                    SearchDoc(
                        park_id=park.pk,
                        doc_kind="entry" if i < args.entries else "demand",
                        ref_id=i + 1,
                        department_id=depts[dept],
                        entry_kind=kind,
                        portal=portal,
                        live=True,
                        title=title,
                        tokens=tokens,
                    )
                )
                if len(batch) == 5000:
                    search.put(batch)
                    batch = []
            search.put(batch)
            with connection.cursor() as c:
                # VACUUM also merges the GIN's pending list, which every lookup would scan
                c.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        build_s = time.perf_counter() - t0

        rng = random.Random(16)
        queries = [text(1, 3) for _ in range(args.q)]
        search.search(park.pk, queries[0])  # warm: jieba's dictionary, statement caches

        def timed(
            fn: object, filters: search.Filters | None, qs: list[str] | None = None
        ) -> tuple[list[float], float]:
            out = []
            cpu = time.process_time()
            qs = qs or queries
            for q in qs:
                t = time.perf_counter()
                fn(park.pk, q, filters, limit=10)  # type: ignore[operator]
                out.append((time.perf_counter() - t) * 1000)
            return out, (time.process_time() - cpu) * 1000 / len(qs)

        def p95(xs: list[float]) -> float:
            return statistics.quantiles(xs, n=20)[18]

        plain, cpu = timed(search.search, None)
        by_dept, _ = timed(search.search, search.Filters(department_id=depts[0]))
        by_kind, _ = timed(search.search, search.Filters(doc_kinds=("entry",), entry_kind=Kind.FAQ))
        portal, _ = timed(
            search.search,
            search.Filters(doc_kinds=("entry",), portal_only=True, entry_kinds=("faq", "policy")),
        )
        extra = ""
        if args.exact and hasattr(search, "search_exact"):
            # the exact ranking reads every posting: the first 40 queries only
            exact, exact_cpu = timed(search.search_exact, None, queries[:40])
            overlaps = []
            for q in queries[:40]:
                a = {h.doc_id for h in search.search(park.pk, q, None, limit=10)}
                b = {h.doc_id for h in search.search_exact(park.pk, q, None, limit=10)}
                overlaps.append(len(a & b) / max(1, len(b)))
            extra = (
                f" exact_p50_ms={statistics.median(exact):.1f} exact_p95_ms={p95(exact):.1f}"
                f" exact_cpu_ms={exact_cpu:.1f} overlap10={statistics.mean(overlaps):.3f}"
            )
        load_after = open("/proc/loadavg").read().split()[0]
        print(
            f"entries={args.entries} demands={args.demands} queries={args.q} "
            f"db={connection.vendor} p50_ms={statistics.median(plain):.1f} "
            f"p95_ms={p95(plain):.1f} cpu_ms={cpu:.1f} "
            f"dept_p50_ms={statistics.median(by_dept):.1f} dept_p95_ms={p95(by_dept):.1f} "
            f"kind_p50_ms={statistics.median(by_kind):.1f} kind_p95_ms={p95(by_kind):.1f} "
            f"portal_p50_ms={statistics.median(portal):.1f} portal_p95_ms={p95(portal):.1f}"
            f"{extra} build_s={build_s:.0f} load={load_before}-{load_after}"
        )
    finally:
        if old is not None:
            connection.creation.destroy_test_db(old, verbosity=0)


def texts(
    total: int, n_entries: int, pool: list[str], kinds: list[str], n_depts: int
) -> list[tuple[int, str, bool, str, str]]:
    """(department index, entry kind, portal, title, tokens) per document, seeded; kept in /tmp."""
    import pickle

    from knowledge import search

    cache = Path(f"/tmp/qinshang_kb_docs_{total}_{n_entries}.pickle")
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)
    rng = random.Random(15)
    out = []
    for i in range(total):
        is_entry = i < n_entries
        title = rng.choice(pool)[:60]
        body = "。".join(rng.sample(pool, rng.randint(2, 6)))
        out.append(
            (
                rng.randrange(n_depts),
                rng.choice(kinds) if is_entry else "",
                is_entry and rng.random() < 0.5,
                title,
                " ".join(search.tokenize(title + " " + body)),
            )
        )
    with cache.open("wb") as f:
        pickle.dump(out, f)
    return out


if __name__ == "__main__":
    main()
