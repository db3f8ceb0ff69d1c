"""Evaluation functions and entry points, and the accuracy claim on the reference data."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from routing import evaluation
from routing.tests._data import gov_messages, synthetic

FINAL_LINE = re.compile(r"^macro_f1=[01]\.\d{4} accuracy=[01]\.\d{4}( [a-z_0-9]+=\S+)*$")


def _write_csv(path, texts, labels):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "body", "label"])
        for i, (t, y) in enumerate(zip(texts, labels, strict=True)):
            w.writerow([f"s{i}", t[:6], t, y])


def test_result_figures_by_hand():
    r = evaluation.EvalResult(
        ["a", "a", "b", "b"],
        ["a", "b", "b", "b"],
        np.array([0.9, 0.4, 0.8, 0.7]),
        np.array([True, False, True, False]),
        [1.0],
        1.0,
        protocol="hand",
    )
    assert r.accuracy == 0.75
    assert r.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert r.confusion() == [[1, 1], [0, 2]]
    share, acc, thr = r.auto_share_at(0.98)
    assert (share, acc, thr) == (0.75, 1.0, 0.7)
    assert r.model_threshold() == (0.5, 1.0)
    assert FINAL_LINE.match(evaluation.format_report(r).splitlines()[-1])


def test_cross_validate_in_memory_and_report():
    texts, labels = synthetic(20)
    result = evaluation.cross_validate(texts, labels, folds=3)
    assert result.n == len(texts)
    assert result.macro_f1 > 0.9
    report = evaluation.format_report(result, "synthetic")
    lines = report.splitlines()
    assert FINAL_LINE.match(lines[-1]), lines[-1]
    assert "confusion matrix" in report and "selective routing" in report
    assert all(k in lines[-1] for k in ("auto_share_at_98", "train_seconds", "predict_ms"))


def test_cli_cross_validation_and_train_test(tmp_path, capsys):
    texts, labels = synthetic(15)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _write_csv(a, texts, labels)
    t2, l2 = synthetic(5, seed=5)
    _write_csv(b, t2, l2)
    assert evaluation.main(["--csv", str(a), "--folds", "3"]) == 0
    assert FINAL_LINE.match(capsys.readouterr().out.strip().splitlines()[-1])
    assert evaluation.main(["--train", str(a), "--test", str(b)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert FINAL_LINE.match(out[-1]) and "test on 20" in "\n".join(out)
    assert evaluation.main([]) == 2


def test_read_descriptions_taxonomy(tmp_path):
    p = tmp_path / "tax.csv"
    p.write_text("level1,level2,level3\n税务,发票,其他\n税务,退税,出口退税\n", encoding="utf-8")
    assert evaluation.read_descriptions(p) == {"税务": ["发票", "退税 出口退税"]}


@pytest.mark.slow  # 35–65 s on the 2-core machine, depending on load
def test_five_fold_cv_on_reference_data():
    """Stratified 5-fold CV on gov_messages.csv (2,190 messages, 7 labels).

    The issue's bar is macro-F1 ≥ 0.92 and ≥ 60 % routed at ≥ 98 % accuracy; the engine
    measures about 0.896 and 54 % (see bench/routing.py for what was tried). This test guards
    the measured level against regressions; it does not claim the bar."""
    _, texts, labels = gov_messages()
    result = evaluation.cross_validate(texts, labels, folds=5, seed=0, n_jobs=2)
    assert result.n == 2190
    assert result.macro_f1 >= 0.885, result.summary()
    assert result.accuracy >= 0.885, result.summary()
    share, acc, _ = result.auto_share_at(0.98)
    assert share >= 0.45 and acc is not None and acc >= 0.98, result.summary()
    assert max(result.train_seconds) < 60
