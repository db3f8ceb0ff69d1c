"""Eligibility rules as data: a list of {field, op, value}, all of which must hold, read over
`entities.profile.entity_facts`. `check_rules` refuses a rule naming an unknown field or
operator, a value of the wrong kind, and rules that can never be true (alone or together);
`evaluate` gives each rule's outcome in words, so a list of qualifying enterprises says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from entities import sizing
from entities.models import CertificationKind, EntityKind, Tier
from entities.profile import EntityFacts
from qinshang import industries
from qinshang.errors import InvalidInput

CHOICE_OPS = {"in": "属于", "not_in": "不属于"}
NUMBER_OPS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "between": "介于"}
HAS_OPS = {"has": "持有", "not_has": "未持有"}
TEXT_OPS = {"contains": "包含", "not_contains": "不包含"}
OP_LABELS = {**CHOICE_OPS, **NUMBER_OPS, **HAS_OPS, **TEXT_OPS}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # "choice" | "number" | "has" | "text"
    unit: str = ""
    choices: Callable[[], dict[str, str]] | None = None
    integer: bool = False


def _divisions() -> dict[str, str]:
    return {c: f"{c} {n}" for c, n in industries.DIVISION_NAMES.items()}


def _sections() -> dict[str, str]:
    return {s.code: f"{s.code} {s.name}" for s in industries.SECTIONS}


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("industry", "行业大类", "choice", choices=_divisions),
        Field("section", "行业门类", "choice", choices=_sections),
        Field("size_class", "企业规模", "choice", choices=lambda: dict(sizing.LABELS)),
        Field("kind", "主体类型", "choice", choices=lambda: dict(EntityKind.choices)),
        Field("tier", "服务层级", "choice", choices=lambda: {str(k): v for k, v in Tier.choices}),
        Field("employees", "从业人员", "number", "人", integer=True),
        Field("annual_revenue_wan", "营业收入", "number", "万元"),
        Field("total_assets_wan", "资产总额", "number", "万元"),
        Field(
            "certification",
            "资质认定",
            "has",
            choices=lambda: dict(CertificationKind.choices),
        ),
        Field("place", "地址", "text"),
        Field("purchase_total_wan", "年度采购总额", "number", "万元"),
        Field("local_sei_purchase_wan", "年度采购本地战略性新兴产业企业产品金额", "number", "万元"),
    )
}
OPS_OF = {"choice": CHOICE_OPS, "number": NUMBER_OPS, "has": HAS_OPS, "text": TEXT_OPS}
MAX_RULES = 20


@dataclass(frozen=True)
class Rule:
    field: str
    op: str
    value: Any  # list[str] for choice/has; Decimal or (lo, hi) for number; str for text

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, Decimal):
            v = str(v)
        elif isinstance(v, tuple):
            v = [str(x) for x in v]
        return {"field": self.field, "op": self.op, "value": v}


def _number(raw: Any, f: Field, n: int) -> Decimal:
    if isinstance(raw, bool) or raw is None or isinstance(raw, list | dict):
        raise InvalidInput(f"第 {n} 条条件：{f.label}的数值应为数字", field="rules")
    try:
        d = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput(f"第 {n} 条条件：{f.label}的数值“{raw}”不是数字", field="rules")
    if not d.is_finite():
        raise InvalidInput(f"第 {n} 条条件：{f.label}的数值应为数字", field="rules")
    if d < 0:
        raise InvalidInput(f"第 {n} 条条件：{f.label}不能为负数", field="rules")
    return d


def _parse_one(raw: Any, n: int) -> Rule:
    if not isinstance(raw, dict):
        raise InvalidInput(f"第 {n} 条条件应写成 {{field, op, value}}", field="rules")
    name = raw.get("field")
    f = FIELDS.get(name) if isinstance(name, str) else None
    if f is None:
        known = "、".join(f"{k}（{v.label}）" for k, v in FIELDS.items())
        raise InvalidInput(f"第 {n} 条条件的字段“{name}”不存在，可用字段：{known}", field="rules")
    op = raw.get("op")
    ops = OPS_OF[f.kind]
    if op not in ops:
        allowed = "、".join(f"{k}（{v}）" for k, v in ops.items())
        raise InvalidInput(
            f"第 {n} 条条件：{f.label}不能用运算“{op}”，可用：{allowed}", field="rules"
        )
    value = raw.get("value")
    if f.kind in ("choice", "has"):
        items = value if isinstance(value, list) else [value]
        values = [str(v).strip() for v in items if v is not None and str(v).strip()]
        if not values:
            raise InvalidInput(f"第 {n} 条条件：{f.label}须列出至少一个取值", field="rules")
        assert f.choices is not None
        choices = f.choices()
        by_label = {label: code for code, label in choices.items()}
        out = []
        for v in values:
            code = v if v in choices else by_label.get(v)
            if code is None:
                raise InvalidInput(f"第 {n} 条条件：{f.label}没有取值“{v}”", field="rules")
            out.append(code)
        order = list(choices)
        return Rule(f.name, op, sorted(set(out), key=order.index))
    if f.kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"第 {n} 条条件：{f.label}须填写要匹配的文字", field="rules")
        if len(value) > 50:
            raise InvalidInput(f"第 {n} 条条件：{f.label}的文字不能超过 50 字", field="rules")
        return Rule(f.name, op, value.strip())
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise InvalidInput(f"第 {n} 条条件：“介于”须给出 [下限, 上限]", field="rules")
        lo, hi = _number(value[0], f, n), _number(value[1], f, n)
        if lo > hi:
            raise InvalidInput(
                f"第 {n} 条条件永远不能满足：{f.label}的下限 {lo} 大于上限 {hi}", field="rules"
            )
        return Rule(f.name, op, (lo, hi))
    d = _number(value, f, n)
    if op == "lt" and d == 0:
        raise InvalidInput(f"第 {n} 条条件永远不能满足：{f.label}不会小于 0", field="rules")
    return Rule(f.name, op, d)


def _interval(r: Rule) -> tuple[Decimal, bool, Decimal | None, bool]:
    """(low, low inclusive, high or None, high inclusive) a number rule allows."""
    zero = Decimal("0")
    if r.op == "gte":
        return r.value, True, None, False
    if r.op == "gt":
        return r.value, False, None, False
    if r.op == "lte":
        return zero, True, r.value, True
    if r.op == "lt":
        return zero, True, r.value, False
    lo, hi = r.value
    return lo, True, hi, True


def _never(rules: list[Rule]) -> str | None:
    """Why the rules together can never hold, or None."""
    by_field: dict[str, list[Rule]] = {}
    for r in rules:
        by_field.setdefault(r.field, []).append(r)
    for name, rs in by_field.items():
        f = FIELDS[name]
        if f.kind == "number":
            lo, lo_in, hi, hi_in = Decimal("0"), True, None, False
            for r in rs:
                a, a_in, b, b_in = _interval(r)
                if a > lo or (a == lo and not a_in):
                    lo, lo_in = a, a_in
                if b is not None and (hi is None or b < hi or (b == hi and not b_in)):
                    hi, hi_in = b, b_in
            if hi is not None and (lo > hi or (lo == hi and not (lo_in and hi_in))):
                return f"{f.label}的条件互相矛盾（{'、'.join(describe(r) for r in rs)}）"
        elif f.kind in ("choice",):
            allowed: set[str] | None = None
            banned: set[str] = set()
            for r in rs:
                if r.op == "in":
                    allowed = set(r.value) if allowed is None else allowed & set(r.value)
                else:
                    banned |= set(r.value)
            if allowed is not None and not (allowed - banned):
                return f"{f.label}的条件互相矛盾（{'、'.join(describe(r) for r in rs)}）"
            if f.choices is not None and banned >= set(f.choices()):
                return f"{f.label}的所有取值都被排除了"
        elif f.kind == "has":
            need = {v for r in rs if r.op == "has" for v in r.value}
            # "has [a, b]" means one of them; "not_has [a]" means none of them.
            banned = {v for r in rs if r.op == "not_has" for v in r.value}
            for r in rs:
                if r.op == "has" and set(r.value) <= banned:
                    return f"{f.label}的条件互相矛盾（既要求持有又要求未持有 {'、'.join(_choice_labels(f, r.value))}）"
            del need
        elif f.kind == "text":
            want = {r.value for r in rs if r.op == "contains"}
            avoid = {r.value for r in rs if r.op == "not_contains"}
            for w in want:
                if any(a in w for a in avoid):
                    return f"{f.label}的条件互相矛盾（既要求包含“{w}”又要求不包含其中的文字）"
    return None


def check_rules(raw: Any) -> list[Rule]:
    """Parse and check a policy's rules; InvalidInput with a Chinese message if any is wrong."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InvalidInput("申享条件应是条件列表", field="rules")
    if len(raw) > MAX_RULES:
        raise InvalidInput(f"申享条件最多 {MAX_RULES} 条", field="rules")
    rules = [_parse_one(r, n) for n, r in enumerate(raw, start=1)]
    why = _never(rules)
    if why:
        raise InvalidInput(f"申享条件永远不能同时满足：{why}", field="rules")
    return rules


def load(stored: list[dict[str, Any]]) -> list[Rule]:
    return check_rules(stored)


# -- evaluation -----------------------------------------------------------------------------


def _choice_labels(f: Field, values: list[str]) -> list[str]:
    choices = f.choices() if f.choices else {}
    return [choices.get(v, v) for v in values]


def _fmt(d: Any, f: Field) -> str:
    if d is None:
        return "未知"
    if isinstance(d, Decimal):
        d = d.normalize()
        text = f"{d:f}"
    else:
        text = str(d)
    return f"{text} {f.unit}".strip()


def describe(r: Rule) -> str:
    f = FIELDS[r.field]
    if f.kind in ("choice", "has"):
        return f"{f.label}{OP_LABELS[r.op]}{'或'.join(_choice_labels(f, r.value))}"
    if f.kind == "text":
        return f"{f.label}{OP_LABELS[r.op]}“{r.value}”"
    if r.op == "between":
        return f"{f.label}介于 {_fmt(r.value[0], f)} 与 {_fmt(r.value[1], f)} 之间"
    return f"{f.label} {OP_LABELS[r.op]} {_fmt(r.value, f)}"


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    passed: bool
    actual: str  # what the profile says, in words
    text: str  # the rule in words

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.rule.as_dict(),
            "label": FIELDS[self.rule.field].label,
            "rule": self.text,
            "actual": self.actual,
            "passed": self.passed,
        }


def actual_value(facts: EntityFacts, name: str, year: int | None) -> Any:
    if name == "industry":
        return facts.industry or None
    if name == "section":
        return facts.section or None
    if name == "size_class":
        return facts.size_class
    if name == "kind":
        return facts.kind
    if name == "tier":
        return str(facts.tier)
    if name in ("employees", "annual_revenue_wan", "total_assets_wan"):
        v = facts.figure(name, year)
        return Decimal(v) if v is not None else None
    if name == "certification":
        return list(facts.certifications)
    if name == "place":
        return facts.place or None
    if name in ("purchase_total_wan", "local_sei_purchase_wan"):
        y = year if year is not None else dt.date.today().year - 1
        totals = facts.purchases.get(y, {})
        return totals.get("total" if name == "purchase_total_wan" else "local_sei", Decimal("0"))
    raise KeyError(name)


def evaluate_rule(r: Rule, facts: EntityFacts, year: int | None) -> Outcome:
    f = FIELDS[r.field]
    v = actual_value(facts, r.field, year)
    text = describe(r)
    if f.kind == "has":
        held = set(v)
        hit = held & set(r.value)
        passed = bool(hit) if r.op == "has" else not hit
        actual = "、".join(_choice_labels(f, sorted(held))) or "无有效认定"
        return Outcome(r, passed, actual, text)
    if v is None:
        return Outcome(r, False, "档案中缺少该项数据", text)
    if f.kind == "choice":
        inside = v in r.value
        actual = (f.choices() if f.choices else {}).get(v, v)
        return Outcome(r, inside if r.op == "in" else not inside, actual, text)
    if f.kind == "text":
        inside = r.value in v
        return Outcome(r, inside if r.op == "contains" else not inside, v, text)
    ok = {
        "gte": lambda: v >= r.value,
        "gt": lambda: v > r.value,
        "lte": lambda: v <= r.value,
        "lt": lambda: v < r.value,
        "between": lambda: r.value[0] <= v <= r.value[1],
    }[r.op]()
    label = _fmt(v, f)
    if year is not None and r.field not in ("purchase_total_wan", "local_sei_purchase_wan"):
        label += f"（{year} 年度）" if facts.figures.get(year) else ""
    return Outcome(r, ok, label, text)


def evaluate(rules: list[Rule], facts: EntityFacts, year: int | None) -> list[Outcome]:
    return [evaluate_rule(r, facts, year) for r in rules]
