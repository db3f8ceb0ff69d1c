"""银企对接 workbooks on qinshang.sheets. The bank's workbook is built only from what
finance.access returned for the bank user: the needs shown to it and the consented fields."""

from __future__ import annotations

from finance.access import SharedProfile
from finance.models import FinancingNeed, Referral
from qinshang import sheets

AMOUNT = "#,##0.00"


def needs_workbook(needs: list[FinancingNeed]) -> bytes:
    wb, ws = sheets.new_workbook("融资需求")
    sheets.write_table(
        ws,
        [
            ("编号", 16),
            ("企业", 30),
            sheets.Header("融资金额（万元）", 14, AMOUNT),
            ("资金用途", 40),
            ("担保/抵押物", 24),
            ("期望期限（月）", 12),
            ("紧急程度", 10),
            ("状态", 10),
            ("登记时间", 18),
        ],
        (
            [
                n.number,
                n.entity.name,
                n.amount_wan,
                n.purpose,
                n.collateral,
                n.term_months,
                n.get_urgency_display(),
                n.get_status_display(),
                n.created_at.strftime("%Y-%m-%d %H:%M"),
            ]
            for n in needs
        ),
    )
    return sheets.to_bytes(wb)


def bank_workbook(refs: list[Referral], profiles: dict[int, SharedProfile]) -> bytes:
    wb, ws = sheets.new_workbook("融资对接")

    def row(r: Referral) -> list[object]:
        p = profiles.get(r.need.entity_id)
        contacts = "；".join(f"{c['name']} {c['phone']}" for c in (p.contacts if p else []))
        return [
            r.need.number,
            p.name if p and p.name else "（未授权）",
            p.credit_code if p and p.credit_code else "",
            p.industry if p and p.industry else "",
            p.size_class if p and p.size_class else "",
            contacts,
            r.need.amount_wan,
            r.need.purpose,
            r.need.collateral,
            r.deadline,
            r.get_status_display(),
            r.approved_amount_wan,
            r.rate_pct,
            r.term_months,
            r.subsidy_pct,
            r.decline_reason,
        ]

    sheets.write_table(
        ws,
        [
            ("编号", 16),
            ("企业（授权）", 30),
            ("统一社会信用代码（授权）", 22),
            ("行业（授权）", 20),
            ("规模（授权）", 10),
            ("联系人（授权）", 24),
            sheets.Header("融资金额（万元）", 14, AMOUNT),
            ("资金用途", 40),
            ("担保/抵押物", 24),
            sheets.Header("答复期限", 12, "yyyy-mm-dd"),
            ("状态", 10),
            sheets.Header("批准金额（万元）", 14, AMOUNT),
            ("年利率（%）", 10),
            ("期限（月）", 10),
            ("贴息（百分点）", 12),
            ("拒绝理由", 30),
        ],
        (row(r) for r in refs),
    )
    return sheets.to_bytes(wb)
