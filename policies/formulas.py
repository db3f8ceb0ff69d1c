"""Computed benefits: each formula reads an entity's facts for the policy's year and says whether
it gives anything, how much, and why, in sentences an enterprise can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from entities.profile import EntityFacts


@dataclass(frozen=True)
class Computation:
    qualifies: bool
    amount_wan: Decimal | None
    lines: list[str] = field(default_factory=list)


def _w(d: Decimal) -> str:
    return f"{d.quantize(Decimal('0.01')).normalize():f} 万元"


LOCAL_THRESHOLD_WAN = Decimal("30")
LOCAL_RATE = Decimal("0.03")


def local_procurement_3pct(facts: EntityFacts, year: int) -> Computation:
    """韶山: “年度采购本地…企业…金额首次达到30万元以上的，由市财政按采购金额的3%给予补助”.

    30万元以上 includes 30万元 itself (以上 counts the number). 首次: only the first year the
    yearly total from local 战略性新兴产业 firms reaches the threshold; a later year gets nothing.
    """
    zero = Decimal("0")
    total = facts.purchases.get(year, {}).get("local_sei", zero)
    all_total = facts.purchases.get(year, {}).get("total", zero)
    lines = [
        f"{year} 年度向本地战略性新兴产业企业采购 {_w(total)}"
        + (f"（全部登记采购 {_w(all_total)}）" if all_total != total else "")
    ]
    earlier = sorted(
        y
        for y, t in facts.purchases.items()
        if y < year and t.get("local_sei", zero) >= LOCAL_THRESHOLD_WAN
    )
    if total < LOCAL_THRESHOLD_WAN:
        lines.append(
            f"未达到 30 万元的门槛（还差 {_w(LOCAL_THRESHOLD_WAN - total)}），本年度不能享受补助"
        )
        return Computation(False, None, lines)
    if earlier:
        lines.append(
            f"已于 {earlier[0]} 年度首次达到 30 万元，本政策只补助首次达到的年度，本年度不再补助"
        )
        return Computation(False, None, lines)
    amount = (total * LOCAL_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    lines.append(f"首次达到 30 万元以上，按采购金额的 3% 补助：{_w(total)} × 3% = {_w(amount)}")
    return Computation(True, amount, lines)


@dataclass(frozen=True)
class Formula:
    key: str
    label: str
    compute: Callable[[EntityFacts, int], Computation]


FORMULAS: dict[str, Formula] = {
    f.key: f
    for f in (
        Formula(
            "local_procurement_3pct",
            "年度采购本地战略性新兴产业企业产品首次达到30万元以上，按采购金额3%补助",
            local_procurement_3pct,
        ),
    )
}
