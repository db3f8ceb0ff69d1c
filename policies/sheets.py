"""Import of policies from a sheet (one row a policy), with the row-by-row report of the other
importers: every problem with its row, column and a Chinese message; nothing is written while
any row is wrong unless only the valid rows are asked for; a dry run writes nothing.

申享条件 is the rules as JSON ([{"field": "size_class", "op": "in", "value": ["small"]}]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction

from orgs.models import Park, User
from policies import access, services
from policies.models import BenefitKind, PolicyStatus, Track
from qinshang.errors import Forbidden, InvalidInput
from qinshang.sheets import Column, RowError, read_rows

POLICY_COLUMNS: tuple[Column, ...] = (
    Column("title", "政策名称", ("政策", "名称"), True, 30),
    Column("code", "政策编号", ("编号",), False, 12),
    Column("track", "兑现方式", ("兑现类型", "申享方式"), True, 10),
    Column("starts_on", "执行期起", ("开始日期", "生效日期"), True, 12),
    Column("ends_on", "执行期止", ("截止日期", "失效日期"), False, 12),
    Column("rules", "申享条件", ("条件", "申享条件(JSON)"), False, 40),
    Column("benefit_kind", "扶持方式", (), False, 10),
    Column("amount", "定额（万元）", ("金额（万元）", "定额"), False, 10),
    Column("formula", "计算公式", (), False, 20),
    Column("benefit_text", "扶持内容", ("扶持标准",), False, 30),
    Column("reference_year", "考核年度", (), False, 8),
    Column("department", "兑现部门", ("责任部门",), False, 14),
    Column("source_document", "政策依据", ("文件",), False, 24),
    Column("guide", "申兑指南", ("办事指南",), False, 40),
    Column("status", "状态", (), False, 8),
)
FIELD_COLUMN = {
    "title": "政策名称",
    "track": "兑现方式",
    "starts_on": "执行期起",
    "ends_on": "执行期止",
    "rules": "申享条件",
    "benefit_kind": "扶持方式",
    "benefit_amount_wan": "定额（万元）",
    "benefit_formula": "计算公式",
    "reference_year": "考核年度",
    "status": "状态",
}


@dataclass
class PolicyImportReport:
    total: int = 0
    valid: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    dry_run: bool = False
    valid_only: bool = False
    committed: bool = False
    label: str = "惠企政策"

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def summary(self) -> str:
        bad = len(self.bad_rows)
        if self.committed:
            text = f"共 {self.total} 行，已导入政策 {self.created} 项"
            return text + (f"；{bad} 行有误未导入" if bad else "")
        if self.dry_run:
            return (
                f"试导入：共 {self.total} 行，{self.valid} 行可导入，{bad} 行有误；未写入任何数据"
            )
        return f"共 {self.total} 行，{bad} 行有误，未导入任何数据（可改正后重新导入，或只导入正确的行）"


def _choice(text: str, choices: list[tuple[str, str]], default: str) -> str:
    if not text:
        return default
    by_label = {label: value for value, label in choices}
    return by_label.get(text, text)


def import_policies(
    actor: User,
    park: Park,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> PolicyImportReport:
    if not (actor.is_superuser or (access.can_edit(actor) and actor.in_park(park.pk))):
        raise Forbidden("只有派单员、园区领导或管理员可以导入惠企政策")
    raw = data if isinstance(data, bytes) else data.read()
    index, ignored, body = read_rows(raw, POLICY_COLUMNS)
    report = PolicyImportReport(
        total=len(body), ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only
    )

    def val(cells: list[str], key: str) -> str:
        j = index.get(key)
        return cells[j].strip() if j is not None and j < len(cells) else ""

    with transaction.atomic():
        for n, cells in body:
            text = val(cells, "rules")
            try:
                parsed = json.loads(text) if text else []
            except ValueError:
                report.errors.append(RowError(n, "申享条件", "申享条件应为 JSON 条件列表"))
                continue
            try:
                with transaction.atomic():
                    kind = _choice(val(cells, "benefit_kind"), BenefitKind.choices, "")
                    if not kind:
                        kind = (
                            BenefitKind.COMPUTED
                            if val(cells, "formula")
                            else BenefitKind.FIXED
                            if val(cells, "amount")
                            else BenefitKind.NONE
                        )
                    services.create_policy(
                        actor,
                        park,
                        services.PolicyInput(
                            title=val(cells, "title"),
                            track=_choice(val(cells, "track"), Track.choices, ""),
                            starts_on=val(cells, "starts_on"),
                            ends_on=val(cells, "ends_on") or None,
                            rules=parsed,
                            benefit_kind=kind,
                            benefit_amount_wan=val(cells, "amount") or None,
                            benefit_formula=val(cells, "formula"),
                            benefit_text=val(cells, "benefit_text"),
                            reference_year=val(cells, "reference_year") or None,
                            guide=val(cells, "guide"),
                            source_document=val(cells, "source_document"),
                            department=val(cells, "department"),
                            code=val(cells, "code"),
                            status=_choice(
                                val(cells, "status"), PolicyStatus.choices, PolicyStatus.DRAFT
                            ),
                        ),
                    )
                report.created += 1
            except (InvalidInput, Forbidden) as exc:
                field_name = getattr(exc, "field", None) or ""
                report.errors.append(RowError(n, FIELD_COLUMN.get(field_name, "—"), exc.message))
        report.valid = report.created
        report.errors.sort(key=lambda e: (e.row, e.column))
        if dry_run or (report.errors and not valid_only):
            transaction.set_rollback(True)
            report.created = 0
        else:
            report.committed = True
    return report
