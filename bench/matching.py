"""Matching quality and speed (matchmaking.services.rank over matchmaking.engine.Index).

Labelled pairs: bench/data/matching_families.toml (no test uses it). Procedure, seeded (--seed):
every family's product names become suppliers' products — each name × 3 suppliers, with a spec,
a capacity and a description drawn from neutral phrases, half of them in a chain link of their
family; the rest of the catalogue up to --products (default 20,000) is distractors: other
families' names with a random prefix ("精密", "高强度" …) that belong to a *different* family,
so they are counted as misses. Every need phrasing of a family is a query; relevant = all
products of that family. recall@5 = mean over needs of |relevant ∩ top 5| / min(|relevant|, 5);
hit@1 = share of needs whose best match is relevant.

Speed: the index is built once (as the service caches it per park), then each need is ranked
against all products; the median and 95th percentile of one ranking are printed.

Run:  .venv/bin/python bench/matching.py [--products 20000] [--seed 7]
Prints one line: products=… needs=… recall_at_5=… hit_at_1=… build_ms=… query_ms_median=…
query_ms_p95=…
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import tomllib
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinshang.settings")

DATA = Path(__file__).resolve().parent / "data" / "matching_families.toml"
PREFIX = ["精密", "高强度", "优质", "定制", "新型", "节能", "标准", "重型", "轻量化", "出口级"]
WORDS = [
    "质量稳定",
    "交期准时",
    "可来图定制",
    "通过 ISO9001 认证",
    "本地仓储",
    "配送到厂",
    "支持小批量",
]


def build(n_products: int, seed: int) -> tuple[list[dict], list[tuple[str, str, str, set[int]]]]:
    rng = random.Random(seed)
    fams = tomllib.loads(DATA.read_text(encoding="utf-8"))["family"]
    rows: list[dict] = []

    def add(name: str, fam: dict, family: int) -> None:
        pid = len(rows) + 1
        rows.append(
            {
                "id": pid,
                "name": name,
                "spec": f"{rng.choice('ABCDHKMQ')}{rng.randint(10, 999)}",
                "description": "，".join(rng.sample(WORDS, 2)),
                "industry": fam["industry"],
                "chain_link": fam["link"] if rng.random() < 0.5 else "",
                "park_id": 1 if rng.random() < 0.7 else 2,
                "enterprise_id": pid,
                "enterprise__name": f"供应商{pid}",
                "park__short_name": "同城园区",
                "family": family,
            }
        )

    for f, fam in enumerate(fams):
        for name in fam["products"]:
            for _ in range(3):
                add(name, fam, f)
    while len(rows) < n_products:
        f = rng.randrange(len(fams))
        fam = fams[f]
        # A distractor: another family's words, so it never counts as relevant for this family.
        other = rng.randrange(len(fams))
        add(rng.choice(PREFIX) + rng.choice(fams[other]["products"]), fams[other], other)
    relevant: dict[int, set[int]] = {}
    for r in rows:
        relevant.setdefault(r["family"], set()).add(r["id"])
    needs = [
        (text, fam["industry"], fam["link"], relevant[f])
        for f, fam in enumerate(fams)
        for text in fam["needs"]
    ]
    return rows, needs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    import django

    django.setup()
    from matchmaking import services
    from matchmaking.engine import Index

    rows, needs = build(args.products, args.seed)
    t0 = time.perf_counter()
    index = Index.build(
        [r["id"] for r in rows],
        [services.product_text(r["name"], r["description"], r["spec"]) for r in rows],
    )
    build_ms = (time.perf_counter() - t0) * 1000
    park = SimpleNamespace(pk=1)
    recalls, hits, times = [], [], []
    for _ in range(3):  # three rounds for stable timings; quality is the same each round
        for text, industry, link, rel in needs:
            t = time.perf_counter()
            ranked = services.rank(
                park, text, industry=industry, chain_link=link, limit=5, index=index, rows=rows
            )  # type: ignore[arg-type]
            times.append((time.perf_counter() - t) * 1000)
            top = [m["id"] for m in ranked]
            recalls.append(len(rel & set(top)) / min(len(rel), 5))
            hits.append(1.0 if top and top[0] in rel else 0.0)
    times.sort()
    print(
        f"products={len(rows)} needs={len(needs)} "
        f"recall_at_5={statistics.mean(recalls):.3f} hit_at_1={statistics.mean(hits):.3f} "
        f"build_ms={build_ms:.0f} query_ms_median={statistics.median(times):.1f} "
        f"query_ms_p95={times[int(len(times) * 0.95)]:.1f}"
    )


if __name__ == "__main__":
    main()
