"""Evaluation of the routing engine: stratified k-fold cross-validation or train/test on
labelled CSV files (``id,title,body,label``) or on in-memory (texts, labels). No Django.

    python -m routing.evaluation --csv ../shared/data/gov_messages.csv
    python -m routing.evaluation --train A.csv --test B.csv

The report ends with one line of key=value figures, ``macro_f1=… accuracy=…`` first.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from routing.engine import RouterParams, TextRouter

CURVE_THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)


# --------------------------------------------------------------------------- data


def read_labelled_csv(path: str | Path) -> tuple[list[str], list[str], list[str]]:
    """(ids, texts, labels) from a CSV with columns id,title,body,label; text = title + body."""
    ids, texts, labels = [], [], []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"title", "body", "label"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        for i, row in enumerate(reader):
            label = (row.get("label") or "").strip()
            if not label:
                continue
            ids.append(row.get("id") or str(i))
            texts.append(f"{row.get('title') or ''}\n{row.get('body') or ''}")
            labels.append(label)
    return ids, texts, labels


def read_descriptions(path: str | Path) -> dict[str, list[str]]:
    """Label descriptions from a CSV: either ``label,description`` rows or a taxonomy
    ``level1,level2,level3`` whose lower levels describe level1."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        for row in reader:
            if "level1" in cols:
                label = row["level1"].strip()
                text = " ".join(
                    v.strip() for k, v in row.items() if k != "level1" and v and v != "其他"
                )
            else:
                label, text = row[cols[0]].strip(), row[cols[1]].strip()
            if label and text:
                out.setdefault(label, []).append(text)
    return out


# --------------------------------------------------------------------------- results


@dataclass
class CurvePoint:
    threshold: float
    share: float
    accuracy: float | None


@dataclass
class EvalResult:
    """Predictions on held-out messages and the figures derived from them."""

    y_true: list[str]
    y_pred: list[str]
    confidence: np.ndarray
    routed_by_model: np.ndarray  # top probability ≥ the threshold each model chose when fitted
    train_seconds: list[float]
    predict_ms: float
    protocol: str
    labels: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.labels:
            self.labels = sorted(set(self.y_true) | set(self.y_pred))
        self.correct = np.array(
            [a == b for a, b in zip(self.y_true, self.y_pred, strict=True)], dtype=bool
        )

    @property
    def n(self) -> int:
        return len(self.y_true)

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean()) if self.n else 0.0

    def per_class(self) -> dict[str, dict[str, float]]:
        out = {}
        yt, yp = np.array(self.y_true, dtype=object), np.array(self.y_pred, dtype=object)
        for c in self.labels:
            tp = int(np.sum((yp == c) & (yt == c)))
            fp = int(np.sum((yp == c) & (yt != c)))
            fn = int(np.sum((yp != c) & (yt == c)))
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[c] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
        return out

    @property
    def macro_f1(self) -> float:
        # Over the labels that occur in the truth, as scikit-learn's f1_score(average="macro")
        # does when given those labels; a label only ever predicted would otherwise add a 0.
        truth = set(self.y_true)
        scores = [v["f1"] for c, v in self.per_class().items() if c in truth]
        return float(np.mean(scores)) if scores else 0.0

    def confusion(self) -> list[list[int]]:
        pos = {c: i for i, c in enumerate(self.labels)}
        m = [[0] * len(self.labels) for _ in self.labels]
        for a, b in zip(self.y_true, self.y_pred, strict=True):
            m[pos[a]][pos[b]] += 1
        return m

    def curve(self, thresholds: Sequence[float] = CURVE_THRESHOLDS) -> list[CurvePoint]:
        out = []
        for t in thresholds:
            sel = self.confidence >= t
            acc = float(self.correct[sel].mean()) if sel.any() else None
            out.append(CurvePoint(float(t), float(sel.mean()), acc))
        return out

    def auto_share_at(self, target: float = 0.98) -> tuple[float, float | None, float | None]:
        """Largest share routable with accuracy ≥ target when the most confident messages are
        routed first: (share, accuracy of that share, threshold). The threshold is read off
        these very predictions, so this is the best a threshold could do, not a forecast; see
        model_threshold() for the threshold each model chose on its own training data."""
        if not self.n:
            return 0.0, None, None
        order = np.argsort(-self.confidence, kind="stable")
        conf = self.confidence[order]
        acc = np.cumsum(self.correct[order]) / np.arange(1, self.n + 1)
        best = None
        for i in range(self.n):
            if i + 1 < self.n and conf[i + 1] == conf[i]:
                continue  # a threshold routes all ties together
            if acc[i] >= target:
                best = i
        if best is None:
            return 0.0, None, None
        return (best + 1) / self.n, float(acc[best]), float(conf[best])

    def model_threshold(self) -> tuple[float, float | None]:
        """Share routed and its accuracy when each model uses the threshold it chose at fit."""
        sel = self.routed_by_model
        return float(sel.mean()), (float(self.correct[sel].mean()) if sel.any() else None)

    def summary(self, target: float = 0.98) -> dict[str, Any]:
        share, acc, thr = self.auto_share_at(target)
        mshare, macc = self.model_threshold()
        pct = round(target * 100)
        return {
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            f"auto_share_at_{pct}": round(share, 4),
            f"auto_accuracy_at_{pct}": None if acc is None else round(acc, 4),
            f"auto_threshold_at_{pct}": None if thr is None else round(thr, 4),
            "auto_share_model_thr": round(mshare, 4),
            "auto_accuracy_model_thr": None if macc is None else round(macc, 4),
            "train_seconds": round(float(np.mean(self.train_seconds)), 2),
            "predict_ms": round(self.predict_ms, 3),
            "n": self.n,
        }


# --------------------------------------------------------------------------- running


def measure_predict_ms(router: TextRouter, texts: Sequence[str], n: int = 200) -> float:
    """Mean wall time of routing one message at a time (the intake case), after warm-up."""
    sample = list(texts[:n]) or [""]
    for t in sample[:5]:
        router.predict([t], k=3)
    t0 = time.perf_counter()
    for t in sample:
        router.predict([t], k=3)
    return (time.perf_counter() - t0) * 1000.0 / len(sample)


def _fit_and_predict(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    params: RouterParams | None,
    descriptions: Mapping[str, Sequence[str]] | None,
) -> tuple[list[str], np.ndarray, np.ndarray, float, TextRouter]:
    t0 = time.perf_counter()
    router = TextRouter(params).fit(train_texts, train_labels, label_descriptions=descriptions)
    seconds = time.perf_counter() - t0
    decisions = router.decide_many(test_texts, k=1)
    pred = [d.label for d in decisions]
    conf = np.array([d.probability for d in decisions])
    routed = np.array([not d.unsure for d in decisions], dtype=bool)
    return pred, conf, routed, seconds, router


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    params: RouterParams | None = None,
    label_descriptions: Mapping[str, Sequence[str]] | None = None,
    n_jobs: int = 1,
    timing_sample: int = 200,
) -> EvalResult:
    """Stratified k-fold: every message is predicted once by a model that never saw it."""
    from sklearn.model_selection import StratifiedKFold

    texts = list(texts)
    labels = [str(v) for v in labels]
    counts = np.unique(labels, return_counts=True)[1]
    k = min(folds, int(counts.max()))
    if k < 2:
        raise ValueError("cross-validation needs at least two messages of some label")
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # classes smaller than k
        splits = list(skf.split(np.zeros(len(labels)), labels))

    def run(tr: np.ndarray, te: np.ndarray) -> tuple[Any, ...]:
        return _fit_and_predict(
            [texts[i] for i in tr],
            [labels[i] for i in tr],
            [texts[i] for i in te],
            params,
            label_descriptions,
        )

    if n_jobs != 1:
        from joblib import Parallel, delayed

        outs = Parallel(n_jobs=n_jobs)(delayed(run)(tr, te) for tr, te in splits)
    else:
        outs = [run(tr, te) for tr, te in splits]
    pred: list[str] = [""] * len(labels)
    conf = np.zeros(len(labels))
    routed = np.zeros(len(labels), dtype=bool)
    seconds = []
    for (_, te), (p, c, r, s, _) in zip(splits, outs, strict=True):
        for j, i in enumerate(te):
            pred[i] = p[j]
        conf[te] = c
        routed[te] = r
        seconds.append(s)
    # Latency is timed here, in this process and after the folds, so parallel folds do not
    # inflate it; the last fold's model and test messages stand in for any.
    last_router = outs[-1][4]
    ms = measure_predict_ms(last_router, [texts[i] for i in splits[-1][1]], timing_sample)
    return EvalResult(
        labels, pred, conf, routed, seconds, ms, protocol=f"stratified {k}-fold CV, seed {seed}"
    )


def train_test(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    params: RouterParams | None = None,
    label_descriptions: Mapping[str, Sequence[str]] | None = None,
    timing_sample: int = 200,
) -> EvalResult:
    pred, conf, routed, seconds, router = _fit_and_predict(
        list(train_texts),
        [str(v) for v in train_labels],
        list(test_texts),
        params,
        label_descriptions,
    )
    ms = measure_predict_ms(router, list(test_texts), timing_sample)
    return EvalResult(
        [str(v) for v in test_labels],
        pred,
        conf,
        routed,
        [seconds],
        ms,
        protocol=f"train on {len(train_texts)}, test on {len(test_texts)}",
    )


# --------------------------------------------------------------------------- report


def _width(s: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def final_line(summary: Mapping[str, Any]) -> str:
    return " ".join(
        f"{k}={'nan' if v is None else (f'{v:.4f}' if isinstance(v, float) else v)}"
        for k, v in summary.items()
    )


def format_report(result: EvalResult, title: str = "", target: float = 0.98) -> str:
    lines = []
    if title:
        lines.append(title)
    lines.append(f"protocol: {result.protocol}; {result.n} messages, {len(result.labels)} labels")
    lines.append(f"accuracy  {result.accuracy:.4f}")
    lines.append(f"macro-F1  {result.macro_f1:.4f}")
    lines.append(
        f"training  {np.mean(result.train_seconds):.2f} s per model "
        f"(max {np.max(result.train_seconds):.2f} s)"
    )
    lines.append(f"predict   {result.predict_ms:.2f} ms per message (one at a time)")
    lines.append("")
    lw = max(_width(c) for c in result.labels) + 2
    lines.append(_pad("label", lw) + "precision  recall      f1  support")
    for c, v in result.per_class().items():
        lines.append(
            _pad(c, lw)
            + f"{v['precision']:9.4f} {v['recall']:7.4f} {v['f1']:7.4f} {int(v['support']):8d}"
        )
    lines.append("")
    lines.append("confusion matrix (rows: true, columns: predicted, same order as above)")
    for c, row in zip(result.labels, result.confusion(), strict=True):
        lines.append(_pad(c, lw) + " ".join(f"{v:5d}" for v in row))
    lines.append("")
    lines.append("selective routing (route automatically when top probability ≥ threshold)")
    lines.append("threshold  share  accuracy")
    for p in result.curve():
        shown = "   -" if p.accuracy is None else f"{p.accuracy:.4f}"
        lines.append(f"{p.threshold:9.2f} {p.share:6.3f}  {shown}")
    share, acc, thr = result.auto_share_at(target)
    if acc is not None and thr is not None:
        lines.append(
            f"best threshold for ≥{target:.0%} accuracy: {thr:.3f} → {share:.1%} routed "
            f"automatically, {acc:.2%} of them correct"
        )
    else:
        lines.append(f"no threshold reaches {target:.0%} accuracy")
    mshare, macc = result.model_threshold()
    lines.append(
        f"thresholds the models chose on their training data: {mshare:.1%} routed, "
        + ("-" if macc is None else f"{macc:.2%} correct")
    )
    lines.append(final_line(result.summary(target)))
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", help="cross-validate on this CSV (id,title,body,label)")
    parser.add_argument("--train", help="train on this CSV …")
    parser.add_argument("--test", help="… and score on this one")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="folds trained in parallel")
    parser.add_argument(
        "--descriptions",
        help="CSV of label descriptions (label,description or a level1,level2,level3 taxonomy)",
    )
    parser.add_argument("--C", type=float, default=None, help="SVM regularisation")
    parser.add_argument("--word-weight", type=float, default=None, help="jieba word features")
    parser.add_argument("--target", type=float, default=0.98, help="accuracy for auto-routing")


def run_from_options(opts: argparse.Namespace) -> str:
    overrides: dict[str, Any] = {}
    if opts.C is not None:
        overrides["C"] = opts.C
    if opts.word_weight is not None:
        overrides["word_weight"] = opts.word_weight
    overrides["target_accuracy"] = opts.target
    params = RouterParams(**overrides)
    descriptions = read_descriptions(opts.descriptions) if opts.descriptions else None
    if opts.csv:
        _, texts, labels = read_labelled_csv(opts.csv)
        result = cross_validate(
            texts,
            labels,
            folds=opts.folds,
            seed=opts.seed,
            params=params,
            label_descriptions=descriptions,
            n_jobs=opts.jobs,
        )
        title = f"routing evaluation: {opts.csv}"
    elif opts.train and opts.test:
        _, tr_texts, tr_labels = read_labelled_csv(opts.train)
        _, te_texts, te_labels = read_labelled_csv(opts.test)
        result = train_test(
            tr_texts, tr_labels, te_texts, te_labels, params=params, label_descriptions=descriptions
        )
        title = f"routing evaluation: train {opts.train}, test {opts.test}"
    else:
        raise ValueError("give --csv FILE, or --train FILE --test FILE")
    return format_report(result, title, target=opts.target)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m routing.evaluation", description=__doc__)
    add_arguments(parser)
    opts = parser.parse_args(argv)
    try:
        print(run_from_options(opts))
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
