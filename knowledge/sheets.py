"""Import of a department's 权责清单 from the sheet it keeps: one row per duty, each becoming (or
updating, matched on 事项编码) a 权责清单事项 entry owned by the department. Every problem is
reported with its row number, column and a Chinese message; nothing is written while any row is
wrong unless only the valid rows are asked for; a dry run writes nothing (as profiles.sheets)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.db.models import Q

from knowledge import services
from knowledge.models import Entry, EntryStatus, Kind
from orgs.models import Department, Park, Role, User
from qinshang.errors import Forbidden, InvalidInput
from qinshang.sheets import Column, RowError, read_rows

COLUMNS: tuple[Column, ...] = (
    Column("code", "事项编码", ("编码", "事项代码", "基本编码", "序号"), False, 14),
    Column("title", "事项名称", ("权责事项", "职权名称", "事项", "名称"), True, 30),
    Column("type", "事项类型", ("职权类型", "权力类型", "类别"), False, 12),
    Column("body", "职责内容", ("办理内容", "答复口径", "事项内容", "内容", "说明"), False, 40),
    Column("basis", "设定依据", ("依据", "法律依据", "实施依据"), False, 40),
    Column("specialist", "政策专员", ("责任人", "联系人", "专员"), False, 12),
    Column("public", "是否公开", ("公开",), False, 8),
    Column("valid_until", "有效期至", ("失效日期",), False, 12),
    Column("cycle", "复核周期（天）", ("复核周期",), False, 10),
)
FIELD_COLUMN = {
    "title": "事项名称",
    "标题": "事项名称",
    "body": "职责内容",
    "答复口径": "职责内容",
    "specialist_id": "政策专员",
    "duty_code": "事项编码",
    "valid_until": "有效期至",
    "review_cycle_days": "复核周期（天）",
}


@dataclass
class DutyImportReport:
    department: str
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    dry_run: bool = False
    valid_only: bool = False
    committed: bool = False

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def summary(self) -> str:
        bad = len(self.bad_rows)
        done = self.created + self.updated
        if self.committed:
            text = f"{self.department}权责清单：共 {self.total} 行，新增 {self.created} 项，更新 {self.updated} 项"
            return text + (f"；{bad} 行有误未导入" if bad else "")
        if self.dry_run:
            return f"试导入：共 {self.total} 行，{done} 行可导入，{bad} 行有误；未写入任何数据"
        return f"共 {self.total} 行，{bad} 行有误，未导入任何数据（可改正后重新导入，或只导入正确的行）"


def _specialist(park: Park, text: str) -> int | None:
    if not text:
        return None
    u = (
        User.objects.filter(Q(park=park) | Q(extra_parks=park), is_active=True)
        .filter(Q(username=text) | Q(full_name=text))
        .exclude(role__in=(Role.ENTERPRISE, Role.RESIDENT))
        .distinct()
        .order_by("id")
        .first()
    )
    if u is None:
        raise InvalidInput(f"本园区没有名为“{text}”的工作人员", field="specialist_id")
    return u.pk


def _yes(text: str) -> bool:
    return text.strip() in ("是", "公开", "y", "Y", "yes", "1", "√")


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10].replace("/", "-").replace(".", "-"))
    except ValueError:
        raise InvalidInput(f"日期“{text}”应写作 2026-12-31", field="valid_until") from None


def _cycle(text: str) -> int:
    if not text:
        return 365
    if not text.strip().isdigit():
        raise InvalidInput(f"复核周期“{text}”应为天数", field="review_cycle_days")
    return int(text.strip())


def import_duties(
    actor: User,
    park: Park,
    department: Department,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> DutyImportReport:
    if department.park_id != park.pk:
        raise InvalidInput("所选部门不属于本园区", field="department_id")
    allowed = actor.is_superuser or actor.role in (Role.DISPATCHER, Role.ADMIN)
    if actor.role == Role.DEPARTMENT_HEAD and actor.department_id == department.pk:
        allowed = True
    if not allowed or not actor.in_park(park.pk):
        raise Forbidden("只有派单中心、管理员或本部门负责人可以导入权责清单")
    index, ignored, body = read_rows(data, COLUMNS)
    report = DutyImportReport(
        department.name,
        total=len(body),
        ignored_headers=ignored,
        dry_run=dry_run,
        valid_only=valid_only,
    )

    def val(cells: list[str], key: str) -> str:
        j = index.get(key)
        return cells[j].strip() if j is not None and j < len(cells) else ""

    seen: dict[str, int] = {}
    with transaction.atomic():
        for n, cells in body:
            code = val(cells, "code")
            if code and code in seen:
                report.errors.append(RowError(n, "事项编码", f"与第 {seen[code]} 行的事项编码重复"))
                continue
            if code:
                seen[code] = n
            try:
                with transaction.atomic():
                    title = val(cells, "title")
                    basis = val(cells, "basis")
                    data_in = services.EntryInput(
                        kind=Kind.DUTY,
                        title=title,
                        body=val(cells, "body") or title,
                        department_id=department.pk,
                        specialist_id=_specialist(park, val(cells, "specialist")),
                        is_public=_yes(val(cells, "public")),
                        duty_code=code,
                        basis=basis,
                        keywords=val(cells, "type"),
                        valid_until=_date(val(cells, "valid_until")),
                        review_cycle_days=_cycle(val(cells, "cycle")),
                    )
                    old = (
                        Entry.objects.filter(department=department, duty_code=code).first()
                        if code
                        else None
                    )
                    if old is not None:
                        services.update_entry(actor, old, data_in, reason="权责清单导入")
                        if old.status != EntryStatus.PUBLISHED:
                            services.set_status(actor, old, EntryStatus.PUBLISHED, reason="导入")
                        report.updated += 1
                    else:
                        services.create_entry(
                            actor, park, data_in, publish=True, reason="权责清单导入"
                        )
                        report.created += 1
            except (InvalidInput, Forbidden) as exc:
                name = getattr(exc, "field", None) or ""
                report.errors.append(RowError(n, FIELD_COLUMN.get(name, "—"), exc.message))
        report.errors.sort(key=lambda e: (e.row, e.column))
        if dry_run or (report.errors and not valid_only):
            transaction.set_rollback(True)
            if not dry_run:
                report.created = report.updated = 0
        else:
            report.committed = True
    return report
