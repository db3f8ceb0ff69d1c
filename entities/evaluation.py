"""Scoring the industry suggestion on a labelled file or on a park's classified entities."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from entities import classify
from qinshang import industries


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    scope: str
    industry: str  # 门类 letter or 大类 code


@dataclass
class Score:
    n: int = 0
    section_accuracy: float = 0.0
    section_macro_f1: float = 0.0
    division_accuracy: float | None = None
    errors: list[tuple[Row, str]] = field(default_factory=list)

    def line(self) -> str:
        out = (
            f"section_accuracy={self.section_accuracy:.3f} "
            f"section_macro_f1={self.section_macro_f1:.3f}"
        )
        if self.division_accuracy is not None:
            out += f" division_accuracy={self.division_accuracy:.3f}"
        return out + f" n={self.n}"


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"id", "name", "business_scope", "industry"}
        if not need <= set(reader.fieldnames or ()):
            raise ValueError(f"CSV 须有列 {','.join(sorted(need))}")
        return [
            Row(r["id"], r["name"], r["business_scope"], r["industry"].strip().upper())
            for r in reader
            if r["industry"].strip()
        ]


def gold_section(code: str) -> str:
    return code if code.isalpha() else industries.section_of(code)


def score(
    rows: Iterable[Row],
    neighbours: classify.Neighbours | None = None,
    exclude_text: dict[str, str] | None = None,
) -> Score:
    rows = list(rows)
    gold, pred, div_hits, div_n = [], [], 0, 0
    result = Score(n=len(rows))
    for r in rows:
        s = classify.suggest(r.name, r.scope, neighbours, (exclude_text or {}).get(r.id, ""))
        g = gold_section(r.industry)
        p = s.section if s else "?"
        gold.append(g)
        pred.append(p)
        if r.industry.isdigit():
            div_n += 1
            div_hits += int(s is not None and s.division == r.industry[:2])
        if p != g or (r.industry.isdigit() and (s is None or s.division != r.industry[:2])):
            result.errors.append((r, s.division if s else "?"))
    if rows:
        result.section_accuracy = sum(a == b for a, b in zip(gold, pred, strict=True)) / len(rows)
        result.section_macro_f1 = classify.macro_f1(gold, pred)
        if div_n == len(rows):
            result.division_accuracy = div_hits / div_n
    return result
