"""A month of a park driven through the public API (bench/simulate_year.py, short): every
invariant holds after every day and the dashboard's figures equal those recomputed from the
simulation's own record."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "simulate_year.py"


def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("simulate_year", BENCH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["simulate_year"] = mod  # its dataclasses resolve their annotations there
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.django_db
def test_a_month_of_the_park_keeps_every_invariant_and_every_figure():
    lines: list[str] = []
    r = _module().simulate(days=31, demands=90, entities=80, staff=50, seed=7, log=lines.append)
    assert r["demands"] >= 90, (r, lines[:20])  # every requested intake went through
    assert r["events"] > 4 * r["demands"]
    assert r["invariant_violations"] == 0, lines
    assert r["metric_mismatches"] == 0, lines


@pytest.mark.django_db
def test_a_deliberately_broken_dashboard_figure_is_caught(monkeypatch):
    """The end-of-run recomputation is independent of reports.metrics: a dashboard that counts
    one 销号 too many (or rates 满意 one too high) is reported as a mismatch, by name."""
    import dataclasses

    from reports import metrics

    real = metrics.summary

    def broken(*args, **kw):  # type: ignore[no-untyped-def]
        f = real(*args, **kw)
        sat = dataclasses.replace(f.satisfaction, num=f.satisfaction.num + 1)
        return dataclasses.replace(f, closed=f.closed + 1, satisfaction=sat)

    monkeypatch.setattr(metrics, "summary", broken)
    lines: list[str] = []
    r = _module().simulate(days=12, demands=20, entities=20, staff=50, seed=3, log=lines.append)
    assert r["invariant_violations"] == 0, lines
    wrong = [x for x in lines if "不一致" in x]
    assert any(x.lstrip().startswith("不一致：closed") for x in wrong), lines
    assert any("satisfaction" in x for x in wrong), lines
    assert r["metric_mismatches"] == len(wrong) == 4  # two figures, rollups and facts
