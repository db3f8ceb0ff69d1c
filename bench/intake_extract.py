"""Intake assistant (routing.extract) on a hand-labelled set: per-field precision and recall.

The set is bench/data/intake_labelled.jsonl (30 notes; how it was built: bench/data/README.md),
read against a six-enterprise registry defined below, with "today" = Wednesday 2026-03-04.
List fields (phones, amounts, dates) are scored per item; single fields (enterprise, contact,
address) count a prediction when the extractor returns something, right when it equals the
label (address: the label is contained in the prediction or the other way round).

Run:  .venv/bin/python bench/intake_extract.py
Ends with one line  key=value  (micro precision and recall over all fields, and per field).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.extract import Registered, extract

TODAY = dt.date(2026, 3, 4)
REGISTRY = [
    Registered(1, "湘潭华盛精工机械有限公司", "91430300MA4T9X2K7Q"),
    Registered(2, "湖南博创新材料科技股份有限公司", "914303007XK5L3B21M"),
    Registered(3, "湘潭华盛物流有限公司", ""),
    Registered(4, "湘潭瑞达电子科技有限公司", "91430300MA4PQ1R82D"),
    Registered(5, "湘潭市岳塘区鑫宏餐饮店", ""),
    Registered(6, "湘潭恒欣实业有限公司", "91430300MA4L1234X5"),
    # A name that must not be found in notes about others.
    Registered(7, "湖南华盛建设工程有限公司", ""),
]
FIELDS = ("enterprise", "contact_name", "mobiles", "landlines", "address", "amounts", "dates")


def _add_working_days(day: dt.date, n: int) -> dt.date:
    # Mon–Fri, no holidays in March 2026 (as workcal has it); kept Django-free here.
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def predicted(text: str) -> dict[str, object]:
    e = extract(text, TODAY, REGISTRY, add_working_days=_add_working_days)
    return {
        "enterprise": e.enterprise.id if e.enterprise else None,
        "contact_name": e.contact_name or None,
        "mobiles": e.mobiles,
        "landlines": e.landlines,
        "address": e.address or None,
        "amounts": [(str(a.value.normalize()), a.unit) for a in e.amounts],
        "dates": [(d.date.isoformat(), d.deadline) for d in e.dates],
    }


def truth(row: dict) -> dict[str, object]:
    return {
        "enterprise": row["enterprise"],
        "contact_name": row["contact_name"] or None,
        "mobiles": row["mobiles"],
        "landlines": row["landlines"],
        "address": row["address"] or None,
        "amounts": [(str(Decimal(v).normalize()), u) for v, u in row["amounts"]],
        "dates": [(d, bool(limit)) for d, limit in row["dates"]],
    }


def main() -> int:
    path = Path(__file__).parent / "data" / "intake_labelled.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    tp = dict.fromkeys(FIELDS, 0)
    n_pred = dict.fromkeys(FIELDS, 0)
    n_true = dict.fromkeys(FIELDS, 0)
    errors: list[str] = []
    for i, row in enumerate(rows, 1):
        p, t = predicted(row["text"]), truth(row)
        for f in FIELDS:
            pv, tv = p[f], t[f]
            if isinstance(tv, list):
                assert isinstance(pv, list)
                ps, ts = (
                    set(map(tuple, pv) if pv and isinstance(pv[0], tuple) else pv),
                    set(map(tuple, tv) if tv and isinstance(tv[0], tuple) else tv),
                )
                hit = len(ps & ts)
                tp[f] += hit
                n_pred[f] += len(ps)
                n_true[f] += len(ts)
                ok = ps == ts
            else:
                if pv is not None:
                    n_pred[f] += 1
                if tv is not None:
                    n_true[f] += 1
                if f == "address" and pv is not None and tv is not None:
                    good = str(tv) in str(pv) or str(pv) in str(tv)
                else:
                    good = pv is not None and pv == tv
                tp[f] += int(good)
                ok = pv == tv or (f == "address" and good)
            if not ok:
                errors.append(f"#{i} {f}: got {pv!r}, want {tv!r}")
    print(f"intake extraction on {len(rows)} labelled notes (today = {TODAY})")
    print(f"{'field':14s} precision  recall  predicted  labelled")
    out = []
    for f in FIELDS:
        prec = tp[f] / n_pred[f] if n_pred[f] else 1.0
        rec = tp[f] / n_true[f] if n_true[f] else 1.0
        print(f"{f:14s} {prec:9.3f} {rec:7.3f} {n_pred[f]:10d} {n_true[f]:9d}")
        out.append(f"{f}_p={prec:.3f} {f}_r={rec:.3f}")
    all_tp, all_p, all_t = sum(tp.values()), sum(n_pred.values()), sum(n_true.values())
    if errors:
        print("\nmisses:")
        for e in errors:
            print("  " + e)
    print(
        f"precision={all_tp / all_p:.3f} recall={all_tp / all_t:.3f} n={len(rows)} " + " ".join(out)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
