"""督查 at work: record an inspection, the department's rectification, its acceptance, and the
督查通报 for a period. Pages, the API and commands call these functions."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from demands.models import Demand, Task, TaskStatus
from orgs.models import DEPARTMENT_ROLES, Department, Park, Role, User
from qinshang import documents, inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from supervision.models import Inspection, InspectionEvent, InspectionStatus
from workcal import calendar as wcal

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

INSPECTORS = (Role.DISPATCHER, Role.ADMIN)
MAX_ITEMS = 200
MAX_DAYS = 60


def _require_inspector(actor: User, park: Park) -> None:
    if not (actor.is_superuser or (actor.role in INSPECTORS and actor.in_park(park.pk))):
        raise Forbidden("督查记录由派单员/督查登记")


def _text(value: str, label: str, limit: int = 4000) -> str:
    return inputs.text(value, label, limit=limit)


def _event(
    insp: Inspection,
    actor: User,
    action: str,
    note: str = "",
    *,
    at: dt.datetime | None = None,
    **data: object,
) -> None:
    InspectionEvent.objects.create(
        inspection=insp,
        actor=actor,
        action=action,
        note=note,
        data=data,
        created_at=at or timezone.now(),
    )


def parse_numbers(text: str) -> list[str]:
    """Demand numbers typed or pasted in any separator (space, comma, 、, new line)."""
    return [t.upper() for t in re.split(r"[\s,，、;；]+", text or "") if t]


def _next_number(park: Park, year: int) -> str:
    prefix = f"督查〔{year}〕"
    taken = Inspection.objects.filter(park=park, number__startswith=prefix).count()
    return f"{prefix}{taken + 1}号"


@dataclass
class NewInspection:
    department_id: int
    demand_ids: list[int]
    findings: str
    rectification_days: int
    inspected_on: dt.date | None = None


def create(
    actor: User, park: Park, data: NewInspection, *, at: dt.datetime | None = None
) -> Inspection:
    _require_inspector(actor, park)
    now = at or timezone.now()
    department = Department.objects.filter(pk=data.department_id, park=park, is_active=True).first()
    if department is None:
        raise InvalidInput("请选择本园区的被督查部门", field="department_id")
    findings = _text(data.findings, "发现的问题")
    days = data.rectification_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"整改时限应为 1 至 {MAX_DAYS} 个工作日", field="rectification_days")
    today = timezone.localtime(now).date() if at is not None else wcal.today()
    day = data.inspected_on or today
    if day > today:
        raise InvalidInput("督查日期不能晚于今天", field="inspected_on")
    ids = sorted(set(data.demand_ids))
    if not ids:
        raise InvalidInput("请至少选择一件督查事项", field="demand_ids")
    if len(ids) > MAX_ITEMS:
        raise InvalidInput(f"一次督查最多 {MAX_ITEMS} 件事项", field="demand_ids")
    # Items of the department's own handling: a task of it, in this park.
    handled = set(
        Task.objects.filter(
            department=department, demand_id__in=ids, demand__park=park
        ).values_list("demand_id", flat=True)
    )
    missing = [i for i in ids if i not in handled]
    if missing:
        numbers = dict(Demand.objects.filter(pk__in=missing, park=park).values_list("pk", "number"))
        shown = "、".join(numbers.get(i, f"#{i}") for i in missing[:5])
        raise InvalidInput(f"以下事项不是{department.name}办理的诉求：{shown}", field="demand_ids")
    due = wcal.add_working_days(day, days)
    with transaction.atomic():
        # The number is the count so far: concurrent inspections of one park queue on the park row.
        Park.objects.select_for_update().filter(pk=park.pk).first()
        insp = Inspection.objects.create(
            park=park,
            number=_next_number(park, day.year),
            department=department,
            inspector=actor,
            inspected_on=day,
            findings=findings,
            rectification_days=days,
            rectification_due=due,
            created_at=now,
        )
        insp.demands.set(ids)
        _event(insp, actor, "create", findings, at=now, items=len(ids), due=due.isoformat())
    return insp


def numbers_to_ids(park: Park, text: str) -> list[int]:
    numbers = parse_numbers(text)
    found = dict(Demand.objects.filter(park=park, number__in=numbers).values_list("number", "pk"))
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise InvalidInput(f"找不到这些诉求编号：{'、'.join(unknown[:5])}", field="numbers")
    return list(found.values())


def report(
    actor: User, insp: Inspection, text: str, *, at: dt.datetime | None = None
) -> Inspection:
    """The inspected department reports how it put things right."""
    if not (actor.role in DEPARTMENT_ROLES and actor.department_id == insp.department_id):
        raise Forbidden(f"整改情况由{insp.department.name}填报")
    text = _text(text, "整改情况")
    now = at or timezone.now()
    with transaction.atomic():
        insp = Inspection.objects.select_for_update().get(pk=insp.pk)
        if insp.status != InspectionStatus.RECTIFYING:
            raise InvalidState(f"该督查记录当前为“{insp.get_status_display()}”，不能再报整改")
        insp.status, insp.rectification, insp.reported_at = (
            InspectionStatus.REPORTED,
            text,
            now,
        )
        insp.save(update_fields=["status", "rectification", "reported_at"])
        _event(insp, actor, "report", text, at=now)
    return insp


def verify(
    actor: User, insp: Inspection, *, passed: bool, note: str, at: dt.datetime | None = None
) -> Inspection:
    """Accept the rectification, or send it back (it is worked on again until the deadline)."""
    _require_inspector(actor, insp.park)
    note = (note or "").strip()
    if not passed and not note:
        raise InvalidInput("退回整改须说明理由", field="note")
    now = at or timezone.now()
    with transaction.atomic():
        insp = Inspection.objects.select_for_update().get(pk=insp.pk)
        if insp.status != InspectionStatus.REPORTED:
            raise InvalidState(f"该督查记录当前为“{insp.get_status_display()}”，没有待验收的整改")
        if passed:
            insp.status, insp.verified_at, insp.result = (
                InspectionStatus.VERIFIED,
                now,
                note or "整改到位",
            )
        else:
            insp.status, insp.result = InspectionStatus.RECTIFYING, note
        insp.save(update_fields=["status", "verified_at", "result"])
        _event(insp, actor, "verify" if passed else "send_back", note, at=now)
    return insp


def is_overdue(insp: Inspection, today: dt.date | None = None) -> bool:
    today = today or wcal.today()
    return insp.status == InspectionStatus.RECTIFYING and insp.rectification_due < today


def overdue_tasks_by_department(park: Park, today: dt.date) -> list[tuple[str, int]]:
    """Tasks past their deadline and still being worked on, per department: the ledger's facts
    that a 督查通报 names."""
    rows = (
        Task.objects.filter(
            demand__park=park,
            status__in=(TaskStatus.PENDING, TaskStatus.SIGNED),
            deadline__lt=today,
        )
        .values_list("department__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "department__name")
    )
    return [(name, n) for name, n in rows]


# --------------------------------------------------------------------------- 督查通报


class BulletinCounts(TypedDict):
    items: int  # demands the inspection covers


def bulletin_rows(
    park: Park, start: dt.date, end: dt.date
) -> list[WithAnnotations[Inspection, BulletinCounts]]:
    return list(
        Inspection.objects.filter(park=park, inspected_on__gte=start, inspected_on__lte=end)
        .select_related("department")
        .annotate(items=Count("demands"))
        .order_by("inspected_on", "id")
    )


def bulletin_docx(park: Park, start: dt.date, end: dt.date, today: dt.date | None = None) -> bytes:
    """The 督查通报 of a period, from the inspection records and the ledger."""
    today = today or wcal.today()
    rows = bulletin_rows(park, start, end)
    doc = documents.new_document()
    documents.title(
        doc, f"{park.name}督查通报", f"（{start:%Y年%-m月%-d日}至{end:%Y年%-m月%-d日}）"
    )
    status = Counter(r.status for r in rows)
    late = sum(1 for r in rows if is_overdue(r, today))
    depts = len({r.department_id for r in rows})
    documents.heading(doc, "一、督查情况")
    documents.paragraph(
        doc,
        f"本期共开展督查{len(rows)}次，涉及部门{depts}个、督查事项{sum(r.items for r in rows)}件。"
        f"已验收{status[InspectionStatus.VERIFIED]}次，已报整改待验收{status[InspectionStatus.REPORTED]}次，"
        f"整改中{status[InspectionStatus.RECTIFYING]}次，其中逾期未整改{late}次。",
    )
    documents.heading(doc, "二、发现的问题及整改情况")
    if rows:
        documents.table(
            doc,
            ["编号", "部门", "督查日期", "事项", "发现问题", "整改期限", "状态"],
            [
                [
                    r.number,
                    r.department.name,
                    f"{r.inspected_on:%m-%d}",
                    f"{r.items}件",
                    r.findings,
                    f"{r.rectification_due:%Y-%m-%d}",
                    "逾期未整改" if is_overdue(r, today) else r.get_status_display(),
                ]
                for r in rows
            ],
            [2.6, 2.6, 1.6, 1.2, 4.6, 2.2, 1.6],
            keep_whole=(0, 2, 3, 5, 6),
            size=9,
        )
    else:
        documents.paragraph(doc, "本期未开展督查。")
    documents.heading(doc, "三、逾期未办结事项")
    overdue = overdue_tasks_by_department(park, today)
    if overdue:
        documents.paragraph(
            doc,
            f"截至{today:%Y年%-m月%-d日}，仍有{sum(n for _, n in overdue)}项交办任务超过办结时限：",
        )
        documents.table(doc, ["部门", "逾期任务"], overdue, [8.0, 3.0], keep_whole=(1,))
    else:
        documents.paragraph(doc, f"截至{today:%Y年%-m月%-d日}，无逾期未办结的交办任务。")
    documents.heading(doc, "四、工作要求")
    documents.paragraph(
        doc,
        "请各被督查部门对照发现的问题，在整改期限内完成整改并在系统中报送整改情况；"
        "逾期未整改的，纳入下期通报。",
    )
    return documents.to_bytes(doc)


def department_choices(park: Park) -> list[Department]:
    return list(
        Department.objects.filter(park=park, is_active=True, is_dispatch_centre=False).order_by(
            "sort", "id"
        )
    )


def open_items_of(department: Department, today: dt.date) -> list[Demand]:
    """What an inspector looks at first: the department's late and urged items."""
    tasks = Task.objects.filter(
        department=department, status__in=(TaskStatus.PENDING, TaskStatus.SIGNED)
    ).filter(Q(deadline__lt=today) | Q(urge_level__gt=0))
    return list(
        Demand.objects.filter(pk__in=tasks.values("demand_id")).order_by("due_date", "id")[:50]
    )
