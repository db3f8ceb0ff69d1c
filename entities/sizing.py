"""Size class (大型 / 中型 / 小型 / 微型) by the 《中小企业划型标准规定》 and the 2017 statistics method.

The thresholds are data (`data/size_standard_2017.json`, loaded into `SizeStandard` rows by a
migration): a revision of the standard is a new row with a new version, not a code change. This
module only reads a standard's rows and applies the rule the standard states: 大型、中型和小型
须同时满足所列指标的下限，否则下划一档；微型只须满足一项. Missing figures give no class (None) and
say which are missing; an industry the table cannot place (房地产业 without its 中类, 金融业, …)
gives no class and says why. No Django here, so tests reach every boundary without a database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from qinshang import industries

STANDARD_FILE = Path(__file__).with_name("data") / "size_standard_2017.json"

CLASSES = ("large", "medium", "small", "micro")
LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
MEASURES = {
    "X": ("employees", "从业人员", "人"),
    "Y": ("annual_revenue_wan", "营业收入", "万元"),
    "Z": ("total_assets_wan", "资产总额", "万元"),
}


def load_standard(path: Path = STANDARD_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Figures:
    employees: int | None = None
    annual_revenue_wan: Decimal | None = None
    total_assets_wan: Decimal | None = None

    def get(self, measure: str) -> Decimal | None:
        value = getattr(self, MEASURES[measure][0])
        return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class SizeResult:
    size_class: str | None
    row: str = ""  # the table's row ("工业")
    rule: str = ""  # the rule that decided, in words
    version: str = ""
    missing: tuple[str, ...] = field(default=())  # field names of missing figures
    reason: str = ""  # why there is no class

    @property
    def label(self) -> str:
        return LABELS.get(self.size_class or "", "未划型")

    def as_dict(self) -> dict[str, Any]:
        return {
            "size_class": self.size_class,
            "label": self.label,
            "row": self.row,
            "rule": self.rule,
            "version": self.version,
            "missing": list(self.missing),
            "reason": self.reason,
        }


def row_for(standard: dict[str, Any], division: str, detail: str = "") -> tuple[dict | None, str]:
    """The table row an industry falls in, or None and the reason."""
    division = (division or "").strip()
    detail = (detail or "").strip()
    if not industries.is_division(division):
        return None, "未登记行业（GB/T 4754 大类），无法划型"
    if detail and not detail.startswith(division):
        return None, f"行业中类 {detail} 与大类 {division} 不符"
    section = industries.section_of(division)
    excluded = standard.get("excluded", {})
    for key in (detail[:3], division, section):
        if key and key in excluded:
            return None, excluded[key]
    if division in standard.get("ambiguous", {}) and len(detail) < 3:
        return None, standard["ambiguous"][division]
    group = detail[:3]
    for row in standard["rows"]:  # the finest key decides: 中类, then 大类, then 门类
        if group and group in row.get("groups", ()):
            return row, ""
    for row in standard["rows"]:
        if division in row.get("divisions", ()):
            return row, ""
    for row in standard["rows"]:
        if section in row.get("sections", ()):
            return row, ""
    return None, "该行业不在划型标准所列行业之内"


def _fmt(value: Decimal | int) -> str:
    d = Decimal(str(value))
    return f"{d.normalize():f}" if d != d.to_integral() else str(int(d))


def _bounds(row: dict, cls: str) -> str:
    parts = []
    for m in row["measures"]:
        _, name, unit = MEASURES[m]
        parts.append(f"{name} ≥ {_fmt(row[cls][m])} {unit}")
    return " 且 ".join(parts)


def classify(
    standard: dict[str, Any], division: str, figures: Figures, detail: str = ""
) -> SizeResult:
    version = str(standard.get("version", ""))
    row, reason = row_for(standard, division, detail)
    if row is None:
        return SizeResult(None, version=version, reason=reason)
    missing = tuple(MEASURES[m][0] for m in row["measures"] if figures.get(m) is None)
    if missing:
        names = "、".join(MEASURES[m][1] for m in row["measures"] if figures.get(m) is None)
        return SizeResult(
            None, row=row["name"], version=version, missing=missing, reason=f"缺少{names}，无法划型"
        )
    values: dict[str, Decimal] = {}
    for m in row["measures"]:
        v = figures.get(m)
        if v is not None:
            values[m] = v
    for cls in ("large", "medium", "small"):
        if all(values[m] >= Decimal(str(row[cls][m])) for m in row["measures"]):
            rule = f"{row['name']}：{_bounds(row, cls)} → {LABELS[cls]}"
            return SizeResult(cls, row=row["name"], rule=rule, version=version)
    below = [
        f"{MEASURES[m][1]} < {_fmt(row['small'][m])} {MEASURES[m][2]}"
        for m in row["measures"]
        if values[m] < Decimal(str(row["small"][m]))
    ]
    rule = f"{row['name']}：{' 或 '.join(below)} → 微型"
    return SizeResult("micro", row=row["name"], rule=rule, version=version)
