"""Purchases from local firms (本地采购): recorded by hand, from a sheet, or by the matchmaking
app from a signed order (`record_purchase(..., source="order", source_ref="market.order:N")`).

Whether the supplier is a local 战略性新兴产业 enterprise: a park entity holding one of
`SEI_CERTIFICATIONS` valid on the purchase day is; otherwise the caller states it, with a basis.
Every change writes an EntityEvent on the buyer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from entities.models import (
    SEI_CERTIFICATIONS,
    Certification,
    MarketEntity,
    Purchase,
    PurchaseSource,
)
from entities.profile import _day, record, require_edit, wan
from orgs.models import User
from qinshang.errors import InvalidInput
from qinshang.validators import check_credit_code, normalize_credit_code


@dataclass
class PurchaseInput:
    amount_wan: Any
    purchased_on: Any
    supplier_id: int | None = None
    supplier_name: str = ""
    supplier_credit_code: str = ""
    evidence: str = ""
    # None: decide from the supplier's certifications; True/False: stated (True needs a basis).
    local_sei: bool | None = None
    local_sei_basis: str = ""
    source: str = PurchaseSource.MANUAL
    source_ref: str = ""


def _text(value: Any, label: str, limit: int, key: str) -> str:
    if value not in (None, "") and not isinstance(value, str):
        raise InvalidInput(f"{label}应为文字", field=key)
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字", field=key)
    return text


def sei_basis(supplier: MarketEntity, on: dt.date) -> str:
    """'' when the park entity holds no SEI certification on the day, else which one."""
    certs = Certification.objects.filter(
        entity=supplier, kind__in=SEI_CERTIFICATIONS, revoked_reason="", valid_from__lte=on
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    cert = certs.order_by("kind").first()
    return f"供应商持有“{cert.title}”（{cert.valid_from} 起）" if cert else ""


def clean_purchase(buyer: MarketEntity, data: PurchaseInput) -> dict[str, Any]:
    amount = wan(data.amount_wan, "采购金额")
    if amount is None:
        raise InvalidInput("须填写采购金额（万元）", field="amount_wan")
    if amount <= 0:
        raise InvalidInput("采购金额必须大于 0", field="amount_wan")
    day = _day(data.purchased_on, "采购日期")
    if day is None:
        raise InvalidInput("须填写采购日期", field="purchased_on")
    if day > timezone.localdate():
        raise InvalidInput("采购日期不能晚于今天", field="purchased_on")
    if data.source not in PurchaseSource.values:
        raise InvalidInput("来源应为 manual、import 或 order", field="source")
    code = normalize_credit_code(
        _text(data.supplier_credit_code, "供应商信用代码", 22, "supplier_credit_code")
    )
    name = _text(data.supplier_name, "供应商名称", 200, "supplier_name")
    supplier: MarketEntity | None = None
    if data.supplier_id is not None:
        supplier = MarketEntity.objects.filter(park_id=buyer.park_id, pk=data.supplier_id).first()
        if supplier is None:
            raise InvalidInput("本园区没有该供应商", field="supplier_id")
    elif code:
        supplier = MarketEntity.objects.filter(park_id=buyer.park_id, credit_code=code).first()
    elif name:
        supplier = MarketEntity.objects.filter(park_id=buyer.park_id, name=name).first()
    if supplier is not None:
        name, code = supplier.name, supplier.credit_code
    if not name:
        raise InvalidInput("须填写供应商名称或选择园区企业", field="supplier_name")
    problem = check_credit_code(code) if code and supplier is None else None
    if problem:
        raise InvalidInput(f"供应商统一社会信用代码：{problem}", field="supplier_credit_code")
    if supplier is None and not code:
        raise InvalidInput("园区外的供应商须填写统一社会信用代码", field="supplier_credit_code")
    if supplier is not None and supplier.pk == buyer.pk:
        raise InvalidInput("采购方和供应商不能是同一家企业", field="supplier_id")
    basis = _text(data.local_sei_basis, "认定依据", 200, "local_sei_basis")
    if data.local_sei is None:
        found = sei_basis(supplier, day) if supplier is not None else ""
        local_sei, basis = bool(found), found or basis
    else:
        local_sei = bool(data.local_sei)
        if local_sei and not basis:
            raise InvalidInput(
                "声明供应商为本地战略性新兴产业企业须写明依据（如认定文件）",
                field="local_sei_basis",
            )
    return {
        "supplier": supplier,
        "supplier_name": name,
        "supplier_credit_code": code,
        "amount_wan": amount,
        "purchased_on": day,
        "evidence": _text(data.evidence, "凭证", 200, "evidence"),
        "source": data.source,
        "source_ref": _text(data.source_ref, "来源编号", 60, "source_ref"),
        "local_sei": local_sei,
        "local_sei_basis": basis,
    }


def record_purchase(actor: User | None, buyer: MarketEntity, data: PurchaseInput) -> Purchase:
    """Record one purchase of `buyer`. `actor` None is a trusted system caller (a signed order
    of the matchmaking app); a person must be allowed to edit the buyer's profile. A second call
    with the same `source_ref` returns the first row unchanged (a replayed order)."""
    if actor is not None:
        require_edit(actor, buyer)
    cleaned = clean_purchase(buyer, data)
    with transaction.atomic():
        buyer = MarketEntity.objects.select_for_update().get(pk=buyer.pk)
        if cleaned["source_ref"]:
            earlier = Purchase.objects.filter(buyer=buyer, source_ref=cleaned["source_ref"]).first()
            if earlier is not None:
                return earlier
        row = Purchase.objects.create(buyer=buyer, recorded_by=actor, **cleaned)
        record(
            buyer,
            actor,
            "purchase_recorded",
            f"向{row.supplier_name}采购 {row.amount_wan} 万元",
            purchase=row.pk,
            supplier=row.supplier_id,
            amount_wan=row.amount_wan,
            purchased_on=row.purchased_on,
            local_sei=row.local_sei,
        )
    return row


def void_purchase(actor: User, purchase: Purchase, reason: str) -> Purchase:
    require_edit(actor, purchase.buyer)
    reason = _text(reason, "作废理由", 200, "reason")
    if not reason:
        raise InvalidInput("作废采购记录须说明理由", field="reason")
    with transaction.atomic():
        row = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if row.voided_reason:
            raise InvalidInput("该采购记录已作废")
        row.voided_reason = reason
        row.save(update_fields=["voided_reason"])
        record(row.buyer, actor, "purchase_voided", reason, purchase=row.pk)
    return row


def valid_purchases(buyer: MarketEntity) -> QuerySet[Purchase]:
    return Purchase.objects.filter(buyer=buyer, voided_reason="")


def yearly_totals(rows: Any) -> dict[int, dict[str, Decimal]]:
    """year → {"total": all purchases, "local_sei": from local 战略性新兴产业 firms} (万元)."""
    out: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"total": Decimal("0"), "local_sei": Decimal("0")}
    )
    for p in rows:
        if p.voided_reason:
            continue
        y = out[p.purchased_on.year]
        y["total"] += p.amount_wan
        if p.local_sei:
            y["local_sei"] += p.amount_wan
    return dict(out)
