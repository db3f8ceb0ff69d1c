"""Import of a department's 权责清单 from the sheet it keeps: one row per duty, each becoming (or
updating, matched on 事项编码) a 权责清单事项 entry owned by the department. Every problem is
reported with its row number, column and a Chinese message; nothing is written while any row is
wrong unless only the valid rows are asked for; a dry run writes nothing (the one loop,
qinshang.sheets.import_rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO

from django.db.models import Q

from knowledge import services
from knowledge.models import Entry, EntryStatus, Kind
from orgs.models import Department, Park, Role, User
from qinshang import sheets
from qinshang.errors import Forbidden, InvalidInput
from qinshang.sheets import Column, Row, import_rows, read_rows

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
class DutyImportReport(sheets.RowReport):
    kind: str = "duties"
    department: str = ""

    @property
    def label(self) -> str:
        return f"{self.department}权责清单事项"


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
        department=department.name,
        ignored_headers=ignored,
        dry_run=dry_run,
        valid_only=valid_only,
    )
    seen: dict[str, int] = {}

    def check(row: Row) -> services.EntryInput | None:
        val = row.val
        code = val("code")
        if code and code in seen:
            row.bad("事项编码", f"与第 {seen[code]} 行的事项编码重复")
            return None
        if code:
            seen[code] = row.n
        try:
            specialist_id = _specialist(park, val("specialist"))
            valid_until = _date(val("valid_until"))
            cycle = _cycle(val("cycle"))
        except InvalidInput as exc:
            row.bad(FIELD_COLUMN.get(exc.field or "", "—"), exc.message)
            return None
        title = val("title")
        return services.EntryInput(
            kind=Kind.DUTY,
            title=title,
            body=val("body") or title,
            department_id=department.pk,
            specialist_id=specialist_id,
            is_public=_yes(val("public")),
            duty_code=code,
            basis=val("basis"),
            keywords=val("type"),
            valid_until=valid_until,
            review_cycle_days=cycle,
        )

    def write(_n: int, data_in: services.EntryInput) -> None:
        code = data_in.duty_code
        old = Entry.objects.filter(department=department, duty_code=code).first() if code else None
        if old is None:
            services.create_entry(actor, park, data_in, publish=True, reason="权责清单导入")
            report.created += 1
            return
        services.update_entry(actor, old, data_in, reason="权责清单导入")
        if old.status != EntryStatus.PUBLISHED:
            services.set_status(actor, old, EntryStatus.PUBLISHED, reason="导入")
        report.updated += 1

    return import_rows(body, index, report, check=check, write=write, columns_of=FIELD_COLUMN)
