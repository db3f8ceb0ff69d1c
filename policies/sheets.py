"""Import of policies from a sheet (one row a policy), with the row-by-row report of the other
importers: every problem with its row, column and a Chinese message; nothing is written while
any row is wrong unless only the valid rows are asked for; a dry run writes nothing (the loop is
qinshang.sheets.import_rows). The page and `manage.py import_policies` both call `import_policies`.

申享条件 is the rules as JSON ([{"field": "size_class", "op": "in", "value": ["small"]}]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO

from orgs.models import Park, User
from policies import access, services
from policies.models import BenefitKind, PolicyStatus, Track
from qinshang import sheets
from qinshang.errors import Forbidden
from qinshang.sheets import Column, Row, import_rows, read_rows

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
class PolicyImportReport(sheets.RowReport):
    kind: str = "policies"

    @property
    def label(self) -> str:
        return "惠企政策"


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
    index, ignored, body = read_rows(data, POLICY_COLUMNS)
    report = PolicyImportReport(ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only)

    def check(row: Row) -> services.PolicyInput | None:
        val = row.val
        text = val("rules")
        try:
            parsed = json.loads(text) if text else []
        except ValueError:
            row.bad("申享条件", "申享条件应为 JSON 条件列表")
            return None
        kind = _choice(val("benefit_kind"), BenefitKind.choices, "")
        if not kind:
            kind = (
                BenefitKind.COMPUTED
                if val("formula")
                else BenefitKind.FIXED
                if val("amount")
                else BenefitKind.NONE
            )
        return services.PolicyInput(
            title=val("title"),
            track=_choice(val("track"), Track.choices, ""),
            starts_on=val("starts_on"),
            ends_on=val("ends_on") or None,
            rules=parsed,
            benefit_kind=kind,
            benefit_amount_wan=val("amount") or None,
            benefit_formula=val("formula"),
            benefit_text=val("benefit_text"),
            reference_year=val("reference_year") or None,
            guide=val("guide"),
            source_document=val("source_document"),
            department=val("department"),
            code=val("code"),
            status=_choice(val("status"), PolicyStatus.choices, PolicyStatus.DRAFT),
        )

    def write(_n: int, data_in: services.PolicyInput) -> None:
        services.create_policy(actor, park, data_in)
        report.created += 1

    return import_rows(body, index, report, check=check, write=write, columns_of=FIELD_COLUMN)
