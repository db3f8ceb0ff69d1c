"""Routing on a long tail: the government message set (../shared/data/gov_messages.csv, read in
place, never copied) with its labels thinned to a long tail, cross-validated with and without
what the engine learnt for rare and unseen units (label names, pooled calibration, description
similarity, word features).

The 7 labels keep, largest first, 100 %, 40 %, 16 %, 6 %, 3 %, then 12 and 6 messages (a seeded
random sample), so under 5-fold CV the two rarest classes train on about 10 and 5 messages:
the shape of a city hotline routed to units where many units get a handful of cases a year.

Run:  .venv/bin/python bench/routing_longtail.py [--csv PATH] [--variants names+prior,...]
          [--seeds 0,1,2] [--full [--no-tail]]
Each seed thins the set anew and shuffles the folds anew; with several seeds the means per
variant are printed at the end. Ends with one line  key=value  (macro-F1 and accuracy of the
first variant on the first seed's tail; names+prior is the engine's default).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.engine import RouterParams
from routing.evaluation import cross_validate, read_labelled_csv

SHARES = (1.0, 0.4, 0.16, 0.06, 0.03)
TAIL = (12, 6)

VARIANTS: dict[str, dict[str, object]] = {
    # What the engine did before label texts: no names, no prior correction.
    "before": {"label_names": False, "prior_alpha": 0.0},
    "names": {"prior_alpha": 0.0},
    "names+prior": {},
    "names+prior1": {"prior_alpha": 1.0},
    "names+prior+pooled8": {"pooled_calibration_below": 8},
    "names+prior+sim1": {"similarity_weight": 1.0},
    "names+prior+words": {"word_weight": 0.5},
    "names+prior+C2": {"C": 2.0},
    "names+prior+C0.5": {"C": 0.5},
    "cw0.5": {"class_weight_power": 0.5},
    "cw0": {"class_weight_power": 0.0},
    "centroid0.5": {"centroid_weight": 0.5},
    "centroid1": {"centroid_weight": 1.0},
    "centroid2": {"centroid_weight": 2.0},
    "nb0.5": {"nb_weight": 0.5},
    "nb1": {"nb_weight": 1.0},
    "bias": {"class_bias": True},
    "prior0.25": {"prior_alpha": 0.25},
    "prior0.5": {"prior_alpha": 0.5},
    # Third round (issue 15 item 7): other linear models, word views, a soft vote, crops.
    "svm+words1": {"word_weight": 1.0},
    "svm+vote": {"word_weight": 1.0, "view_vote": True},
    "lr10": {"classifier": "lr", "C": 10.0},
    "lr30": {"classifier": "lr", "C": 30.0},
    "lr10+words": {"classifier": "lr", "C": 10.0, "word_weight": 1.0},
    "lr10+vote": {"classifier": "lr", "C": 10.0, "word_weight": 1.0, "view_vote": True},
    "sgd": {"classifier": "sgd"},
    "sgd+words": {"classifier": "sgd", "word_weight": 1.0},
    "aug30": {"augment_below": 30},
    "aug60": {"augment_below": 60},
    "aug60w1": {"augment_below": 60, "augment_weight": 1.0},
}


def long_tail(texts: list[str], labels: list[str], seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    order = [c for c, _ in Counter(labels).most_common()]
    keep: list[int] = []
    for rank, c in enumerate(order):
        idx = [i for i, y in enumerate(labels) if y == c]
        rng.shuffle(idx)
        if rank < len(SHARES):
            n = max(1, round(len(idx) * SHARES[rank]))
        else:
            n = TAIL[min(rank - len(SHARES), len(TAIL) - 1)]
        keep += idx[:n]
    keep.sort()
    return [texts[i] for i in keep], [labels[i] for i in keep]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default="../shared/data/gov_messages.csv")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--full", action="store_true", help="also the whole set, not only the tail")
    ap.add_argument("--no-tail", action="store_true", help="with --full: the whole set only")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument(
        "--seeds",
        default="0",
        help="comma-separated seeds; each one thins the tail and shuffles the folds anew",
    )
    opts = ap.parse_args()
    _, texts, labels = read_labelled_csv(opts.csv)
    seeds = [int(s) for s in opts.seeds.split(",")]
    sets = (
        []
        if opts.no_tail and opts.full
        else [(f"tail seed {s}", s, *long_tail(texts, labels, seed=s)) for s in seeds]
    )
    if opts.full:
        sets += [(f"full seed {s}", s, texts, labels) for s in seeds]
    last: dict[str, object] = {}
    tail_f1: dict[str, list[float]] = {}
    for name, seed, tx, ys in sets:
        print(f"{name}: {len(tx)} messages, counts {sorted(Counter(ys).values(), reverse=True)}")
        for v in opts.variants.split(","):
            t0, c0 = time.perf_counter(), time.process_time()
            r = cross_validate(
                tx,
                ys,
                seed=seed,
                params=RouterParams(**VARIANTS[v]),  # type: ignore[arg-type]
                n_jobs=opts.jobs,
            )
            s = r.summary()
            rare = sorted(r.per_class().items(), key=lambda kv: kv[1]["support"])[:2]
            rare_f1 = ",".join(f"{v['f1']:.2f}" for _, v in rare)
            print(
                f"  {v:22s} macro_f1={s['macro_f1']:.4f} accuracy={s['accuracy']:.4f} "
                f"rare_f1={rare_f1} "
                f"auto_share_at_98={s['auto_share_at_98']:.3f} "
                f"({time.perf_counter() - t0:.0f} s wall, {time.process_time() - c0:.0f} s cpu)",
                flush=True,
            )
            key = f"{name.split()[0]} {v}"
            tail_f1.setdefault(key, []).append(s["macro_f1"])
            tail_f1.setdefault(key + " acc", []).append(s["accuracy"])
            # The key=value line reports the first variant on the first tail.
            if name.startswith("tail") and not last:
                last = s
    if len(seeds) > 1:
        print("means over seeds:")
        for key, vals in tail_f1.items():
            print(
                f"  {key:40s} {sum(vals) / len(vals):.4f}  ({', '.join(f'{x:.4f}' for x in vals)})"
            )
    print(
        f"tail_macro_f1={last.get('macro_f1', float('nan'))} "
        f"tail_accuracy={last.get('accuracy', float('nan'))}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
