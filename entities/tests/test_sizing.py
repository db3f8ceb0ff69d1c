"""Size class at every boundary of the table: just below, at and just above each threshold.

The thresholds below are typed from the text of 工信部联企业〔2011〕300号 and the 2017 statistics
method, independently of `entities/data/size_standard_2017.json`, so a wrong number in the data
fails here.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from entities import sizing

# industry (大类, 中类) → measures and the lower bounds of 大型 / 中型 / 小型
TABLE = {
    "农、林、牧、渔业": (("01", ""), {"Y": (20000, 500, 50)}),
    "工业": (("36", ""), {"X": (1000, 300, 20), "Y": (40000, 2000, 300)}),
    "建筑业": (("48", ""), {"Y": (80000, 6000, 300), "Z": (80000, 5000, 300)}),
    "批发业": (("51", ""), {"X": (200, 20, 5), "Y": (40000, 5000, 1000)}),
    "零售业": (("52", ""), {"X": (300, 50, 10), "Y": (20000, 500, 100)}),
    "交通运输业": (("54", ""), {"X": (1000, 300, 20), "Y": (30000, 3000, 200)}),
    "仓储业": (("59", "592"), {"X": (200, 100, 20), "Y": (30000, 1000, 100)}),
    "邮政业": (("60", ""), {"X": (1000, 300, 20), "Y": (30000, 2000, 100)}),
    "住宿业": (("61", ""), {"X": (300, 100, 10), "Y": (10000, 2000, 100)}),
    "餐饮业": (("62", ""), {"X": (300, 100, 10), "Y": (10000, 2000, 100)}),
    "信息传输业": (("64", ""), {"X": (2000, 100, 10), "Y": (100000, 1000, 100)}),
    "软件和信息技术服务业": (("65", ""), {"X": (300, 100, 10), "Y": (10000, 1000, 50)}),
    "房地产开发经营": (("70", "701"), {"Y": (200000, 1000, 100), "Z": (10000, 5000, 2000)}),
    "物业管理": (("70", "702"), {"X": (1000, 300, 100), "Y": (5000, 1000, 500)}),
    "租赁和商务服务业": (("72", ""), {"X": (300, 100, 10), "Z": (120000, 8000, 100)}),
    "其他未列明行业": (("74", ""), {"X": (300, 100, 10)}),
}
FIELD = {"X": "employees", "Y": "annual_revenue_wan", "Z": "total_assets_wan"}
ORDER = ("large", "medium", "small", "micro")
STANDARD = sizing.load_standard()


def figures(values: dict[str, Decimal]) -> sizing.Figures:
    kw: dict = {}
    for m, v in values.items():
        kw[FIELD[m]] = int(v) if m == "X" else v
    return sizing.Figures(**kw)


def cases():
    for row, ((division, detail), bounds) in TABLE.items():
        for level, cls in enumerate(("large", "medium", "small")):
            for m in bounds:
                at = {k: Decimal(b[level]) for k, b in bounds.items()}
                eps = Decimal(1) if m == "X" else Decimal("0.01")
                for delta, expected in ((-eps, ORDER[level + 1]), (0, cls), (eps, cls)):
                    values = dict(at)
                    values[m] = at[m] + delta
                    yield pytest.param(
                        division, detail, values, expected, row, id=f"{row}-{cls}-{m}{delta:+}"
                    )


@pytest.mark.parametrize("division,detail,values,expected,row", list(cases()))
def test_boundary(division, detail, values, expected, row):
    result = sizing.classify(STANDARD, division, figures(values), detail)
    assert result.size_class == expected, result
    assert result.row.startswith(row[:2])
    assert sizing.LABELS[expected] in result.rule
    assert result.version == "2017"


def test_at_least_eight_industries_are_covered():
    assert len(TABLE) >= 8


def test_micro_needs_only_one_measure_below():
    r = sizing.classify(STANDARD, "36", sizing.Figures(5000, Decimal(100)))
    assert r.size_class == "micro"
    assert "营业收入 < 300 万元" in r.rule and "从业人员" not in r.rule


@pytest.mark.parametrize(
    "division,fig,missing",
    [
        ("36", sizing.Figures(employees=500), ("annual_revenue_wan",)),
        ("36", sizing.Figures(), ("employees", "annual_revenue_wan")),
        (
            "48",
            sizing.Figures(employees=10, annual_revenue_wan=Decimal(9000)),
            ("total_assets_wan",),
        ),
        ("01", sizing.Figures(employees=10), ("annual_revenue_wan",)),
    ],
)
def test_missing_figures_give_no_class(division, fig, missing):
    r = sizing.classify(STANDARD, division, fig)
    assert r.size_class is None and r.missing == missing
    assert "缺少" in r.reason and r.label == "未划型"


@pytest.mark.parametrize(
    "division,detail,words",
    [
        ("70", "", "须选择中类"),
        ("59", "", "须选择中类"),
        ("66", "", "金融业"),
        ("70", "704", "自有房地产"),
        ("", "", "未登记行业"),
        ("36", "391", "不符"),
    ],
)
def test_industries_the_table_cannot_place(division, detail, words):
    r = sizing.classify(STANDARD, division, sizing.Figures(100, Decimal(100), Decimal(100)), detail)
    assert r.size_class is None and words in r.reason


def test_detail_decides_between_rows_of_one_division():
    f = sizing.Figures(150, Decimal(1500), Decimal(3000))
    assert sizing.classify(STANDARD, "59", f, "591").row.startswith("交通运输")
    assert sizing.classify(STANDARD, "59", f, "5920").row == "仓储业"
    assert sizing.classify(STANDARD, "70", f, "701").size_class == "small"  # Z < 5000
    assert sizing.classify(STANDARD, "70", f, "702").size_class == "small"  # X < 300


def test_a_revision_is_data():
    revised = {**STANDARD, "version": "2030", "rows": [dict(r) for r in STANDARD["rows"]]}
    for r in revised["rows"]:
        if r["key"] == "industry":
            r["small"] = {"X": 10, "Y": 100}
    f = sizing.Figures(15, Decimal(200))
    assert sizing.classify(STANDARD, "36", f).size_class == "micro"
    new = sizing.classify(revised, "36", f)
    assert new.size_class == "small" and new.version == "2030"
