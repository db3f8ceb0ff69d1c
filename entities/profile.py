"""What the park knows of an entity beyond its registration: yearly figures, certifications, the
size class they give (with the rule that decided, or an override with a reason), the industry
suggested from its business scope, and `entity_facts` — the one view a policy engine reads.

Every change runs in a transaction and writes an `EntityEvent` (who, when, what, why). Who may
change: the dispatch centre and administrators for every entity, the entity's liaisons (A/B角)
for their own.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from entities import classify, sizing
from entities.models import (
    Certification,
    CertificationKind,
    EntityEvent,
    MarketEntity,
    SizeStandard,
    YearlyFigure,
)
from orgs.models import Park, Role, User
from qinshang import industries
from qinshang.errors import Forbidden, InvalidInput

EDIT_ROLES = (Role.DISPATCHER, Role.ADMIN)
MIN_YEAR = 1990
MAX_WAN = Decimal("1e11")  # 万元: a trillion yuan; anything above is a typing error


def can_edit(user: User, entity: MarketEntity) -> bool:
    if user.is_superuser or (user.role in EDIT_ROLES and user.in_park(entity.park_id)):
        return True
    return user.pk is not None and user.pk in (entity.liaison_id, entity.backup_liaison_id)


def require_edit(user: User, entity: MarketEntity) -> None:
    if not can_edit(user, entity):
        raise Forbidden("只有派单员、管理员和该企业的专属服务员可以维护企业档案")


EVENT_LABELS = {
    "created": "登记",
    "updated": "修改登记信息",
    "figures_recorded": "录入年度经营数据",
    "figures_corrected": "更正年度经营数据",
    "certification_added": "登记资质认定",
    "certification_revoked": "撤销资质认定",
    "size_override": "人工认定企业规模",
    "size_override_lifted": "取消人工认定规模",
    "purchase_recorded": "登记本地采购",
    "purchase_voided": "作废本地采购",
    "plan_created": "制定一企一策",
    "plan_goal_added": "一企一策：添加目标",
    "plan_measure_added": "一企一策：添加措施",
    "plan_measure_updated": "一企一策：更新措施",
    "plan_reviewed": "一企一策：评估",
    "plan_closed": "一企一策：评估并结束",
}


def record(
    entity: MarketEntity, actor: User | None, action: str, note: str = "", **data: Any
) -> EntityEvent:
    return EntityEvent.objects.create(
        entity=entity, actor=actor, action=action, note=note[:500], data=_jsonable(data)
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# -- numbers ----------------------------------------------------------------------------------

# The input field a figure's message names (labels are for people, fields for programs).
_FIELD_OF = {
    "采购金额": "amount_wan",
    "定额": "benefit_amount_wan",
    "金额": "amount_wan",
    "核定金额": "amount_wan",
    "从业人员": "employees",
    "从业人数": "employees",
    "营业收入": "annual_revenue_wan",
    "年营业收入": "annual_revenue_wan",
    "资产总额": "total_assets_wan",
    "注册资本": "registered_capital_wan",
    "目标值": "target",
}


def wan(value: Any, label: str) -> Decimal | None:
    """A 万元 amount: blank → None; negative, non-numeric or absurd → a Chinese message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | list | dict):
        raise InvalidInput(f"{label}必须是数字", field=_FIELD_OF.get(label, label))
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput(f"{label}必须是数字（万元）", field=_FIELD_OF.get(label, label))
    if not d.is_finite():
        raise InvalidInput(f"{label}必须是数字（万元）", field=_FIELD_OF.get(label, label))
    if d < 0:
        raise InvalidInput(f"{label}不能为负数", field=_FIELD_OF.get(label, label))
    if d >= MAX_WAN:
        raise InvalidInput(f"{label}超出合理范围（单位为万元）", field=_FIELD_OF.get(label, label))
    return d.quantize(Decimal("0.01"))


def headcount(value: Any, label: str = "从业人员") -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | list | dict):
        raise InvalidInput(f"{label}必须是整数", field=_FIELD_OF.get(label, label))
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{label}必须是整数", field=_FIELD_OF.get(label, label))
    if not d.is_finite() or d != d.to_integral():
        raise InvalidInput(f"{label}必须是整数", field=_FIELD_OF.get(label, label))
    if d < 0:
        raise InvalidInput(f"{label}不能为负数", field=_FIELD_OF.get(label, label))
    if d > 1_000_000:
        raise InvalidInput(f"{label}超出合理范围", field=_FIELD_OF.get(label, label))
    return int(d)


def _day(value: Any, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise InvalidInput(f"{label}应为日期，如 2025-03-31", field=label)


# -- size class ------------------------------------------------------------------------------


def current_standard(on: dt.date | None = None) -> SizeStandard:
    on = on or timezone.localdate()
    std = SizeStandard.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    std = std or SizeStandard.objects.order_by("-effective_from").first()
    if std is None:
        # The shipped table is loaded by a migration; a database emptied since (a flush, a
        # restore of an older dump) gets it back from the same file rather than no size classes.
        std = install_shipped_standard()
    return std


SHIPPED_STANDARD = Path(__file__).resolve().parent / "data" / "size_standard_2017.json"


def install_shipped_standard() -> SizeStandard:
    table = json.loads(SHIPPED_STANDARD.read_text(encoding="utf-8"))
    std, _ = SizeStandard.objects.get_or_create(
        version=table["version"],
        defaults={
            "title": table["title"],
            "effective_from": table["effective_from"],
            "table": table,
        },
    )
    return std


def compute_size(entity: MarketEntity, standard: SizeStandard | None = None) -> sizing.SizeResult:
    std = standard or current_standard()
    figs = sizing.Figures(entity.employees, entity.annual_revenue_wan, entity.total_assets_wan)
    return sizing.classify(std.table, entity.industry, figs, entity.industry_detail)


def size_basis(entity: MarketEntity, result: sizing.SizeResult) -> dict[str, Any]:
    basis = result.as_dict()
    basis["year"] = entity.figures_year
    if entity.size_override:
        basis["computed"] = result.size_class
        basis["override"] = entity.size_override
        basis["override_reason"] = entity.size_override_reason
    return basis


def refresh_size(entity: MarketEntity, standard: SizeStandard | None = None) -> bool:
    """Recompute the stored class; True when it changed. Call inside the caller's transaction."""
    result = compute_size(entity, standard)
    cls = entity.size_override or (result.size_class or "")
    basis = size_basis(entity, result)
    changed = cls != entity.size_class or basis != entity.size_basis
    if changed:
        entity.size_class = cls
        entity.size_basis = basis
        MarketEntity.objects.filter(pk=entity.pk).update(size_class=cls, size_basis=basis)
    return changed


def size_label(entity: MarketEntity) -> str:
    return sizing.LABELS.get(entity.size_class, "未划型")


def override_size(actor: User, entity: MarketEntity, size_class: str, reason: str) -> MarketEntity:
    """Set (or, with size_class "", lift) a manual size class. A reason is required either way."""
    require_edit(actor, entity)
    size_class = (size_class or "").strip()
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if size_class and size_class not in sizing.CLASSES:
        raise InvalidInput("企业规模应为 large、medium、small 或 micro", field="size_class")
    if not reason:
        raise InvalidInput("人工认定或取消企业规模须说明理由", field="reason")
    if len(reason) > 200:
        raise InvalidInput("理由不能超过 200 字", field="reason")
    with transaction.atomic():
        entity = MarketEntity.objects.select_for_update().get(pk=entity.pk)
        before = entity.size_class
        entity.size_override = size_class
        entity.size_override_reason = reason if size_class else ""
        MarketEntity.objects.filter(pk=entity.pk).update(
            size_override=entity.size_override, size_override_reason=entity.size_override_reason
        )
        refresh_size(entity)
        record(
            entity,
            actor,
            "size_override" if size_class else "size_override_lifted",
            reason,
            before=before,
            after=entity.size_class,
        )
    return entity


# -- yearly figures --------------------------------------------------------------------------


@dataclass
class FigureInput:
    year: Any
    employees: Any = None
    employees_source: str = ""
    employees_date: Any = None
    annual_revenue_wan: Any = None
    revenue_source: str = ""
    revenue_date: Any = None
    total_assets_wan: Any = None
    assets_source: str = ""
    assets_date: Any = None


def _year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput("年度应为四位数字，如 2025", field="year")
    if not MIN_YEAR <= year <= timezone.localdate().year:
        raise InvalidInput(f"年度应在 {MIN_YEAR}–{timezone.localdate().year} 之间", field="year")
    return year


def _source(value: Any, label: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        raise InvalidInput(f"{label}应为文字", field=label)
    if len(text) > 50:
        raise InvalidInput(f"{label}不能超过 50 字", field=label)
    return text


def clean_figures(data: FigureInput) -> dict[str, Any]:
    out = {
        "year": _year(data.year),
        "employees": headcount(data.employees),
        "employees_source": _source(data.employees_source, "从业人员来源"),
        "employees_date": _day(data.employees_date, "从业人员取得日期"),
        "annual_revenue_wan": wan(data.annual_revenue_wan, "营业收入"),
        "revenue_source": _source(data.revenue_source, "营业收入来源"),
        "revenue_date": _day(data.revenue_date, "营业收入取得日期"),
        "total_assets_wan": wan(data.total_assets_wan, "资产总额"),
        "assets_source": _source(data.assets_source, "资产总额来源"),
        "assets_date": _day(data.assets_date, "资产总额取得日期"),
    }
    if (
        out["employees"] is None
        and out["annual_revenue_wan"] is None
        and out["total_assets_wan"] is None
    ):
        raise InvalidInput("从业人员、营业收入、资产总额至少填写一项", field="employees")
    today = timezone.localdate()
    for key in ("employees_date", "revenue_date", "assets_date"):
        day = out[key]
        if isinstance(day, dt.date) and day > today:
            raise InvalidInput("取得日期不能晚于今天", field=key)
    return out


def record_figures(actor: User, entity: MarketEntity, data: FigureInput) -> YearlyFigure:
    """Add or correct one year's figures; the newest year becomes the entity's current figures."""
    require_edit(actor, entity)
    cleaned = clean_figures(data)
    year = cleaned.pop("year")
    with transaction.atomic():
        entity = MarketEntity.objects.select_for_update().get(pk=entity.pk)
        row = YearlyFigure.objects.filter(entity=entity, year=year).first()
        before = (
            {k: getattr(row, k) for k in ("employees", "annual_revenue_wan", "total_assets_wan")}
            if row
            else None
        )
        if row is None:
            row = YearlyFigure(entity=entity, year=year)
        for k, v in cleaned.items():
            # A correction that leaves a figure blank keeps the one already known.
            if v is not None and v != "" or row.pk is None:
                setattr(row, k, v)
        row.recorded_by = actor
        row.save()
        latest = YearlyFigure.objects.filter(entity=entity).order_by("-year").first()
        if latest is not None and latest.pk == row.pk:
            entity.employees = row.employees
            entity.annual_revenue_wan = row.annual_revenue_wan
            entity.total_assets_wan = row.total_assets_wan
            entity.figures_year = row.year
            MarketEntity.objects.filter(pk=entity.pk).update(
                employees=row.employees,
                annual_revenue_wan=row.annual_revenue_wan,
                total_assets_wan=row.total_assets_wan,
                figures_year=row.year,
            )
        before_class = entity.size_class
        refresh_size(entity)
        after = {
            k: getattr(row, k) for k in ("employees", "annual_revenue_wan", "total_assets_wan")
        }
        record(
            entity,
            actor,
            "figures_corrected" if before else "figures_recorded",
            f"{year} 年度经营数据",
            year=year,
            before=before,
            after=after,
            size_before=before_class,
            size_after=entity.size_class,
        )
    return row


# -- certifications --------------------------------------------------------------------------


@dataclass
class CertificationInput:
    kind: str
    valid_from: Any
    valid_until: Any = None
    name: str = ""
    number: str = ""
    issuer: str = ""
    source: str = ""


def clean_certification(data: CertificationInput) -> dict[str, Any]:
    kind = data.kind.strip() if isinstance(data.kind, str) else ""
    by_label = {c.label: c.value for c in CertificationKind}
    kind = by_label.get(kind, kind)
    if kind not in CertificationKind.values:
        opts = "、".join(c.label for c in CertificationKind)
        raise InvalidInput(f"认定类别“{data.kind}”无效，可选：{opts}", field="kind")
    start = _day(data.valid_from, "有效期起")
    if start is None:
        raise InvalidInput("须填写有效期起始日期", field="valid_from")
    end = _day(data.valid_until, "有效期至")
    if end is not None and end < start:
        raise InvalidInput("有效期至不能早于有效期起", field="valid_until")
    texts = {}
    for key, label, limit in (
        ("name", "认定名称", 100),
        ("number", "证书编号", 60),
        ("issuer", "认定机关", 100),
        ("source", "来源", 50),
    ):
        value = getattr(data, key)
        if value not in (None, "") and not isinstance(value, str):
            raise InvalidInput(f"{label}应为文字", field=key)
        text = (value or "").strip()
        if len(text) > limit:
            raise InvalidInput(f"{label}不能超过 {limit} 字", field=key)
        texts[key] = text
    if kind == CertificationKind.OTHER and not texts["name"]:
        raise InvalidInput("“其他认定”须填写认定名称", field="name")
    return {"kind": kind, "valid_from": start, "valid_until": end, **texts}


def add_certification(actor: User, entity: MarketEntity, data: CertificationInput) -> Certification:
    require_edit(actor, entity)
    cleaned = clean_certification(data)
    with transaction.atomic():
        entity = MarketEntity.objects.select_for_update().get(pk=entity.pk)
        overlap = Certification.objects.filter(
            entity=entity, kind=cleaned["kind"], name=cleaned["name"], revoked_reason=""
        ).exclude(valid_until__lt=cleaned["valid_from"])
        if cleaned["valid_until"] is not None:
            overlap = overlap.exclude(valid_from__gt=cleaned["valid_until"])
        if overlap.exists():
            other = overlap.first()
            assert other is not None
            raise InvalidInput(
                f"该企业已有有效期重叠的“{other.title}”（{other.valid_from} 起），请先撤销或修改原记录",
                field="valid_from",
            )
        cert = Certification.objects.create(entity=entity, recorded_by=actor, **cleaned)
        record(entity, actor, "certification_added", cert.title, certification=cert.pk, **cleaned)
    return cert


def revoke_certification(actor: User, cert: Certification, reason: str) -> Certification:
    entity = cert.entity
    require_edit(actor, entity)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("撤销认定须说明理由", field="reason")
    if len(reason) > 200:
        raise InvalidInput("理由不能超过 200 字", field="reason")
    with transaction.atomic():
        cert = Certification.objects.select_for_update().get(pk=cert.pk)
        if cert.revoked_reason:
            raise InvalidInput("该认定已撤销")
        cert.revoked_reason = reason
        cert.save(update_fields=["revoked_reason"])
        record(entity, actor, "certification_revoked", reason, certification=cert.pk)
    return cert


# -- industry suggestion ---------------------------------------------------------------------


def example_text(name: str, main_business: str, business_scope: str) -> str:
    return f"{classify.name_core(name)} {main_business} {business_scope}".strip()


# park id → (key, index): rebuilt only when the park's classified entities change.
_NEIGHBOURS: dict[int, tuple[tuple[Any, ...], classify.Neighbours]] = {}


def park_neighbours(park: Park) -> classify.Neighbours:
    qs = (
        MarketEntity.objects.filter(park=park)
        .exclude(industry="")
        .exclude(business_scope="", main_business="")
    )
    agg = qs.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    key = (agg["n"], agg["last"], agg["top"])
    cached = _NEIGHBOURS.get(park.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = qs.order_by("-pk").values_list("name", "main_business", "business_scope", "industry")
    index = classify.Neighbours(
        classify.Example(example_text(n, m, s), i) for n, m, s, i in rows[:5000]
    )
    _NEIGHBOURS[park.pk] = (key, index)
    return index


def suggest_industry(
    park: Park | None, name: str, business_scope: str = "", main_business: str = ""
) -> classify.Suggestion | None:
    scope = "；".join(t for t in (main_business, business_scope) if t)
    neighbours = park_neighbours(park) if park is not None else None
    return classify.suggest(name or "", scope, neighbours)


def suggestion_dict(s: classify.Suggestion | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "section": s.section,
        "section_label": industries.label(s.section),
        "division": s.division,
        "division_label": s.label,
        "confidence": s.confidence,
        "words": s.words,
        "evidence": [
            {"text": e.text, "phrase": e.phrase, "division": e.division, "weight": e.weight}
            for e in s.evidence
        ],
        "alternatives": [
            {"division": d, "label": industries.label(d), "share": share}
            for d, share in s.alternatives
        ],
    }


# -- the facts a policy engine reads ---------------------------------------------------------


@dataclass(frozen=True)
class EntityFacts:
    entity_id: int
    park_id: int
    name: str
    kind: str
    tier: int
    industry: str  # 大类
    industry_detail: str
    section: str  # 门类
    size_class: str | None
    size_rule: str
    place: str
    figures: dict[int, dict[str, Any]] = field(default_factory=dict)  # year → figures
    certifications: tuple[str, ...] = ()  # kinds valid on the day
    certification_until: dict[str, dt.date | None] = field(default_factory=dict)
    # year → {"total", "local_sei"}: purchases (万元) in all, and from local 战略性新兴产业 firms
    purchases: dict[int, dict[str, Decimal]] = field(default_factory=dict)

    def figure(self, name: str, year: int | None = None) -> Any:
        if not self.figures:
            return None
        y = year if year is not None else max(self.figures)
        return self.figures.get(y, {}).get(name)

    def has(self, certification: str) -> bool:
        return certification in self.certifications


def entity_facts(entity: MarketEntity, on: dt.date | None = None) -> EntityFacts:
    """What is known of an entity on a day, in plain values (no model instances)."""
    on = on or timezone.localdate()
    figures = {
        f.year: {
            "employees": f.employees,
            "annual_revenue_wan": f.annual_revenue_wan,
            "total_assets_wan": f.total_assets_wan,
        }
        for f in entity.figures.all()
    }
    if not figures and entity.figures_year:
        figures[entity.figures_year] = {
            "employees": entity.employees,
            "annual_revenue_wan": entity.annual_revenue_wan,
            "total_assets_wan": entity.total_assets_wan,
        }
    valid = [c for c in entity.certifications.all() if c.valid_on(on)]
    from entities.purchases import yearly_totals  # purchases imports this module

    purchases = yearly_totals(p for p in entity.purchases.all() if p.purchased_on <= on)
    return EntityFacts(
        entity_id=entity.pk,
        park_id=entity.park_id,
        name=entity.name,
        kind=entity.kind,
        tier=entity.tier,
        industry=entity.industry,
        industry_detail=entity.industry_detail,
        section=industries.section_of(entity.industry) if entity.industry else "",
        size_class=entity.size_class or None,
        size_rule=str((entity.size_basis or {}).get("rule", "")),
        place=entity.address,
        figures=figures,
        certifications=tuple(sorted({c.kind for c in valid})),
        certification_until={c.kind: c.valid_until for c in valid},
        purchases=purchases,
    )
