"""Search at size: the ledger's search box at 100,000 demands, knowledge search at 50,000 entries.

Into a fresh database (SQLite file, or the PostgreSQL database given by --pg-db, dropped and
re-created), migrates, seeds a park with --demands demands through bench/ledger.py's seed (its
tasks, events, states), gives 60 % of them a requester and a mobile number (one UPDATE per row,
so the index triggers run as on an edit), writes --entries knowledge entry documents through
knowledge.search.put (texts from the demo data, as bench/knowledge_search.py), ANALYZEs, and
then times, one client at a time, in-process:

- the ledger search as the list runs it (`queries.apply` over `access.visible_demands` of the
  dispatcher, the capped count, the first page of ids and rows — what the API list and the page
  do) for each kind of word: a full number, a number prefix, part of a number, the requester's
  phone, its last 4 digits, a contact's phone, part of an enterprise name, a credit code, a
  requester's name, common and rare words, an absent word, two words with a space;
- the API list `GET /api/v1/demands?q=…` for the same words (token, schema, masking on top);
- knowledge search (`knowledge.search.search`: index query, BM25, matched words) for demand-like
  texts; on PostgreSQL also a pg_trgm variant over the same raw texts (`%` similarity on a GIN
  gin_trgm_ops index, ordered by `<->`), with its overlap with the app's top 10.

Each kind's p50/p95 in ms is printed; the run ends with one line of key=value figures.

    .venv/bin/python bench/search.py                      # both databases
    .venv/bin/python bench/search.py --db sqlite --demands 20000 --entries 5000
    .venv/bin/python bench/search.py --db postgres --pg-db qinshang_search
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Another file for a second run beside this one (e.g. a helper benchmarking too).
SQLITE_PATH = os.environ.get("BENCH_SEARCH_SQLITE", "/tmp/qinshang_bench_search.sqlite3")


def bench_module(name: str) -> Any:
    """Another bench script as a module (bench/ is not on the path: its routing.py and
    metrics.py would hide the apps of those names)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def prepare_database(kind: str, pg_db: str) -> str:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(SQLITE_PATH + suffix).unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {pg_db}")
    return f"postgres://postgres@127.0.0.1:5432/{pg_db}"


def add_requesters(park: Any, rng: random.Random) -> None:
    from django.db import connection, transaction

    from demands.models import Demand
    from demo import textgen as tg

    ids = list(Demand.objects.filter(park=park).values_list("pk", flat=True))
    rows = [(tg.person_name(rng), tg.mobile_number(rng), pk) for pk in ids if rng.random() < 0.6]
    with transaction.atomic(), connection.cursor() as c:
        for i in range(0, len(rows), 5000):
            c.executemany(
                "UPDATE demands_demand SET requester_name = %s, requester_phone = %s WHERE id = %s",
                rows[i : i + 5000],
            )


def add_entries(park: Any, n: int, rng: random.Random) -> list[tuple[int, str]]:
    from knowledge import search
    from knowledge.models import Kind, SearchDoc
    from orgs.models import Department

    pool = bench_module("knowledge_search").sentences()
    kinds = list(Kind.values)
    depts = list(Department.objects.filter(park=park).values_list("pk", flat=True))
    raw: list[tuple[int, str]] = []
    batch: list[SearchDoc] = []
    for i in range(n):
        title = rng.choice(pool)[:60]
        body = title + "。" + "。".join(rng.sample(pool, rng.randint(2, 6)))
        raw.append((i + 1, body))
        batch.append(
            SearchDoc(
                park_id=park.pk,
                doc_kind="entry",
                ref_id=i + 1,
                department_id=rng.choice(depts),
                entry_kind=rng.choice(kinds),
                portal=rng.random() < 0.5,
                live=True,
                title=title,
                tokens=" ".join(search.tokenize(body)),
            )
        )
        if len(batch) == 5000:
            search.put(batch)
            batch = []
    search.put(batch)
    return raw


def old_term_condition(term: str) -> Any:
    """The ledger search word before the index (git ba60f17^), for the before/after figures."""
    from django.db.models import Q

    from entities.models import Contact

    up = term.upper()
    if up.startswith("QS-"):
        return Q(number__startswith=up)
    if len(up) == 18 and up.isalnum():
        return Q(enterprise__credit_code=up) | Q(title__icontains=term)
    cond = (
        Q(title__icontains=term)
        | Q(description__icontains=term)
        | Q(enterprise__name__icontains=term)
        | Q(requester_name__icontains=term)
    )
    if any(ch.isdigit() for ch in term):
        digits = term.replace("-", "")
        cond |= Q(number__icontains=term) | Q(enterprise__credit_code__icontains=up)
        if digits.isdigit() and len(digits) >= 4:
            callers = Contact.objects.filter(phone__contains=digits).values("entity_id")
            cond |= Q(requester_phone__contains=digits) | Q(enterprise_id__in=callers)
    return cond


# CPU time of this process per call, beside the wall time: on a machine other work loads, it
# is the part of a look-up's cost that is its own (on SQLite the query runs in-process too).
CPU_MS: list[float] = []


def timer(fn: Any, inputs: list[Any]) -> list[float]:
    out = []
    CPU_MS.clear()
    for x in inputs:
        t, c = time.perf_counter(), time.process_time()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
        CPU_MS.append((time.process_time() - c) * 1000)
    return out


def run(
    kind: str, n: int, n_entries: int, requests: int, pg_db: str, before: int, reuse: bool
) -> None:
    if reuse:  # time again on the database an earlier run loaded
        url = f"postgres://postgres@127.0.0.1:5432/{pg_db}"
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}" if kind == "sqlite" else url
    else:
        os.environ["DATABASE_URL"] = prepare_database(kind, pg_db)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("OTP_REQUIRED_ROLES", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "qinshang.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    from demands import access, queries
    from demands.models import Demand
    from entities.models import Contact, MarketEntity
    from orgs.models import ApiToken, Park, User

    t0 = time.monotonic()
    park = Park.objects.filter(code="bench").first() if reuse else None
    if park is None:
        call_command("migrate", verbosity=0)
        rng = random.Random(13)
        print(f"== {kind}: seeding {n:,} demands …", flush=True)
        w = bench_module("ledger").seed(n, rng)
        park = w["park"]
        add_requesters(park, rng)
        print(f"   demands and requesters in {time.monotonic() - t0:.0f} s", flush=True)
        t1 = time.monotonic()
        raw = add_entries(park, n_entries, rng)
        entries_s = time.monotonic() - t1
        print(f"   {n_entries:,} knowledge entries in {entries_s:.0f} s", flush=True)
        with connection.cursor() as c:
            c.execute("ANALYZE" if kind == "sqlite" else "VACUUM ANALYZE")
    else:
        print(f"== {kind}: reusing the loaded database", flush=True)
        raw = []  # the pg_trgm table of the earlier run stays
    disp = User.objects.get(username="bench_disp")
    load_s = time.monotonic() - t0
    connections.close_all()

    sample = list(
        Demand.objects.filter(park=park)
        .exclude(requester_phone="")
        .order_by()
        .values_list("number", "requester_phone", "requester_name")[:: max(1, n // 300)]
    )
    ents = list(MarketEntity.objects.filter(park=park).values_list("name", "credit_code"))
    contacts = list(
        Contact.objects.filter(entity__park=park).exclude(phone="").values_list("phone", flat=True)
    )
    r = random.Random(5)
    words = ["用地", "融资", "招工", "电力增容", "消防验收", "排水", "不存在的词语"]
    kinds: dict[str, list[str]] = {
        "number_full": [s[0] for s in sample],
        "number_prefix": [s[0][:10] for s in sample],
        "number_part": [s[0].split("-")[-1].lstrip("0")[-5:] for s in sample],
        "phone_full": [s[1] for s in sample],
        "phone_last4": [s[1][-4:] for s in sample],
        "contact_phone": [r.choice(contacts) for _ in sample],
        "enterprise_part": [(lambda x: x[1:5])(r.choice(ents)[0]) for _ in sample],
        "credit_code": [r.choice([e for e in ents if e[1]])[1] for _ in sample],
        "requester_name": [s[2] for s in sample],
        "words": [words[i % len(words)] for i in range(len(sample))],
        "two_words": [f"{r.choice(words[:5])} {r.choice(words[:5])}" for _ in sample],
    }

    def ledger_search(q: str) -> None:
        qs = queries.apply(access.visible_demands(disp, park), queries.LedgerFilter(q=q))
        queries.capped_count(qs)
        queries.page_rows(qs, 0, 20)

    token = ApiToken.issue(disp)
    api = Client()

    def api_search(q: str) -> None:
        res = api.get("/api/v1/demands", {"q": q}, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert res.status_code == 200, res.content

    figures: dict[str, Any] = {"db": kind, "demands": n, "entries": n_entries}
    ledger_search(kinds["words"][0])  # warm: imports, statement caches
    api_search(kinds["words"][0])
    worst = worst_api = 0.0
    print(f"   {'kind':<16} {'p50':>8} {'p95':>8}   API p50    p95   matches (first)")
    for label, qs_ in kinds.items():
        inputs = (qs_ * (requests // max(1, len(qs_)) + 1))[:requests]
        t = timer(ledger_search, inputs)
        # As many API requests as ledger ones: with ten, the p95 was the slowest single request.
        ta = timer(api_search, inputs)
        ta_cpu = list(CPU_MS)
        first = queries.capped_count(
            queries.apply(access.visible_demands(disp, park), queries.LedgerFilter(q=inputs[0]))
        )[0]
        new_condition = queries.term_condition
        tb: list[float] = []
        if before:
            queries.term_condition = old_term_condition  # type: ignore[assignment]
            try:
                old = queries.capped_count(
                    queries.apply(
                        access.visible_demands(disp, park), queries.LedgerFilter(q=inputs[0])
                    )
                )[0]
                assert old == first, (label, inputs[0], old, first)
                tb = timer(ledger_search, inputs[:before])
            finally:
                queries.term_condition = new_condition  # type: ignore[assignment]
            figures[f"{label}_before_p95_ms"] = round(pct(tb, 95), 1)
        figures[f"{label}_p95_ms"] = round(pct(t, 95), 1)
        worst = max(worst, pct(t, 95))
        worst_api = max(worst_api, pct(ta, 95))
        figures[f"{label}_api_p95_ms"] = round(pct(ta, 95), 1)
        figures[f"{label}_api_cpu_p95_ms"] = round(pct(ta_cpu, 95), 1)
        print(
            f"   {label:<16} {pct(t, 50):8.1f} {pct(t, 95):8.1f}   {pct(ta, 50):7.1f} "
            f"{pct(ta, 95):6.1f} (CPU {pct(ta_cpu, 95):5.1f}, max {max(ta):6.1f})   {first}"
            + (f"   before: {pct(tb, 50):.1f} / {pct(tb, 95):.1f}" if tb else ""),
            flush=True,
        )

    # The intake form's look-ups, as the page asks them (htmx GETs of a logged-in dispatcher):
    # the enterprise picker by part of a name, a credit code or a contact's name, and the caller
    # card (enterprise, liaison, open demands) from a contact's or a requester's phone.
    from django.urls import reverse

    page = Client()
    page.force_login(disp)
    names = list(
        Contact.objects.filter(entity__park=park).exclude(name="").values_list("name", flat=True)
    )

    def picker(q: str) -> None:
        res = page.get(reverse("routing:entity_lookup"), {"q": q})
        assert res.status_code == 200, res.content[:300]

    def caller_card(phone: str) -> None:
        res = page.get(reverse("routing:caller"), {"phone": phone})
        assert res.status_code == 200, res.content[:300]

    looks: dict[str, tuple[Any, list[str]]] = {
        "picker_name_part": (picker, [r.choice(ents)[0][2:6] for _ in range(requests)]),
        "picker_credit_code": (picker, [r.choice([e for e in ents if e[1]])[1] for _ in sample]),
        "picker_contact_name": (
            picker,
            [r.choice(names) for _ in range(requests)] if names else [],
        ),
        "caller_contact_phone": (caller_card, [r.choice(contacts) for _ in range(requests)]),
        "caller_requester_phone": (caller_card, [s[1] for s in sample]),
    }
    picker(kinds["enterprise_part"][0])  # warm: templates
    worst_lookup = 0.0
    for label, (fn, inputs) in looks.items():
        if not inputs:
            continue
        inputs = (inputs * (requests // max(1, len(inputs)) + 1))[:requests]
        t = timer(fn, inputs)
        figures[f"{label}_p95_ms"] = round(pct(t, 95), 1)
        figures[f"{label}_cpu_p95_ms"] = round(pct(CPU_MS, 95), 1)
        worst_lookup = max(worst_lookup, pct(t, 95))
        print(
            f"   {label:<22} p50 {pct(t, 50):7.1f} p95 {pct(t, 95):7.1f}   "
            f"CPU p50 {pct(CPU_MS, 50):6.1f} p95 {pct(CPU_MS, 95):6.1f}",
            flush=True,
        )
    figures["max_lookup_p95_ms"] = round(worst_lookup, 1)

    # Knowledge search.
    from knowledge import search as ks

    pool = bench_module("knowledge_search").sentences()
    kq = ["。".join(r.sample(pool, r.randint(1, 3))) for _ in range(max(20, requests // 2))]
    ks.search(park.pk, kq[0])
    kt = timer(lambda q: ks.search(park.pk, q, None, limit=10), kq)
    figures["kb_p50_ms"] = round(pct(kt, 50), 1)
    figures["kb_p95_ms"] = round(pct(kt, 95), 1)
    print(f"   knowledge (FTS5 / tsvector + BM25): p50 {pct(kt, 50):.1f} p95 {pct(kt, 95):.1f}")
    if kind == "postgres" and n_entries:  # no entries: no pg_trgm table to compare with
        trgm, overlap = pg_trgm_variant(park.pk, raw, kq)
        figures["kb_trgm_p50_ms"] = round(pct(trgm, 50), 1)
        figures["kb_trgm_p95_ms"] = round(pct(trgm, 95), 1)
        figures["kb_trgm_overlap10"] = round(overlap, 2)
        print(
            f"   knowledge (pg_trgm %, <->): p50 {pct(trgm, 50):.1f} p95 {pct(trgm, 95):.1f} "
            f"overlap@10 with the app's {overlap:.2f}"
        )
    figures.update(
        max_search_p95_ms=round(worst, 1),
        max_api_search_p95_ms=round(worst_api, 1),
        load_s=round(load_s),
        loadavg=open("/proc/loadavg").read().split()[0],
    )
    print(" ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def pg_trgm_variant(
    park_id: int, raw: list[tuple[int, str]], kq: list[str]
) -> tuple[list[float], float]:
    """The raw entry texts in a table with a pg_trgm GIN index, searched by similarity."""
    from django.db import connection

    from knowledge import search as ks

    with connection.cursor() as c:
        if raw:
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            c.execute("DROP TABLE IF EXISTS bench_kb_trgm")
            c.execute("CREATE TABLE bench_kb_trgm (ref_id int PRIMARY KEY, body text NOT NULL)")
            c.executemany("INSERT INTO bench_kb_trgm VALUES (%s, %s)", raw)
            c.execute("CREATE INDEX ON bench_kb_trgm USING gin (body gin_trgm_ops)")
            c.execute("ANALYZE bench_kb_trgm")
        times: list[float] = []
        overlaps: list[float] = []
        for q in kq:
            t = time.perf_counter()
            c.execute(
                "SELECT ref_id FROM bench_kb_trgm WHERE body %% %s ORDER BY body <-> %s LIMIT 10",
                [q, q],
            )
            got = {row[0] for row in c.fetchall()}
            times.append((time.perf_counter() - t) * 1000)
            app = {h.ref_id for h in ks.search(park_id, q, ks.Filters(doc_kinds=("entry",)), 10)}
            overlaps.append(len(got & app) / max(1, len(app)))
    return times, statistics.mean(overlaps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--demands", type=int, default=100_000)
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--pg-db", default="qinshang_search")
    ap.add_argument(
        "--before", type=int, default=10, help="runs of the unindexed search per kind (0: none)"
    )
    ap.add_argument("--reuse", action="store_true", help="time again without loading")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        run(args.db, args.demands, args.entries, args.requests, args.pg_db, args.before, args.reuse)
        return
    for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        cmd = [sys.executable, __file__, "--inner", "--db", kind, "--pg-db", args.pg_db]
        cmd += ["--demands", str(args.demands), "--entries", str(args.entries)]
        cmd += ["--before", str(args.before)] + (["--reuse"] if args.reuse else [])
        subprocess.run([*cmd, "--requests", str(args.requests)], check=True)


if __name__ == "__main__":
    main()
