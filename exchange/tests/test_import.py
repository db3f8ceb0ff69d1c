"""Importing other organisations' ledgers: their header names, their dates, their gaps."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from demands.models import Category, Demand, Event, Status, Task
from demands.tests.helpers import snapshot
from exchange.importer import detect_mapping, import_ledger
from orgs.models import Department
from qinshang.errors import Forbidden, InvalidInput
from reports.models import DemandFact

pytestmark = pytest.mark.django_db

HOTLINE_HEAD = [
    "工单号",
    "来电时间",
    "企业名称",
    "反映内容",
    "诉求类型一级",
    "诉求类型二级",
    "诉求类型三级",
    "主办单位",
    "协办部门",
    "派发时间",
    "时限要求",
    "处理结果",
    "是否办结",
    "满意",
    "承办人",
    "备注",
]


def workbook(head: list, rows: list[list], title: str | None = "某园区企业诉求台账") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append([])
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hotline_sheet(world) -> bytes:
    return workbook(
        HOTLINE_HEAD,
        [
            # dates as text in three spellings, a cell holding an empty string, a 三级 category
            [
                "RX2026001",
                "2026/3/2 9:30",
                world.enterprise.name,
                "厂区门口道路破损，货车进出困难",
                "基础设施",
                "道路维修",
                "破损",
                "经济发展局",
                "",
                "2026年3月3日",
                "2026.3.10",
                "已安排维修",
                "是",
                "满意",
                "张三",
                "重点跟踪",
            ],
            # a department the park does not have yet
            [
                "RX2026002",
                "2026-03-05",
                world.enterprise2.name,
                "希望协调用工招聘",
                "用工需求",
                "",
                "",
                "人才发展中心",
                "经济发展局",
                "2026-03-05 10:00",
                "",
                "",
                "否",
                "",
                "李四",
                "",
            ],
            # an unreadable time limit: imported with a warning, the text kept
            [
                "RX2026003",
                "20260306",
                world.enterprise.name,
                "咨询高新技术企业认定",
                "融资困难",
                "贷款需求",
                "",
                "",
                "",
                "",
                "尽快",
                "现场答复认定条件",
                "是",
                "基本满意",
                "",
                "",
            ],
            # no content at all: refused
            [
                "RX2026004",
                "2026-03-08",
                world.enterprise.name,
                "  ",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            # no readable time anywhere: refused
            [
                "RX2026005",
                "三月初",
                world.enterprise.name,
                "咨询用电政策",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
    )


def test_headers_and_synonyms_are_recognised(world):
    mapping = detect_mapping(HOTLINE_HEAD)
    assert mapping["工单号"] == "number"
    assert mapping["来电时间"] == "created_at"
    assert mapping["反映内容"] == "description"
    assert mapping["诉求类型一级"] == "category_l1"
    assert mapping["诉求类型二级"] == "category"
    assert mapping["主办单位"] == "lead_department"
    assert mapping["派发时间"] == "dispatched_at"
    assert mapping["时限要求"] == "due_date"
    assert mapping["满意"] == "satisfaction"
    assert mapping["备注"] == "extra" and mapping["承办人"] == "extra"
    assert detect_mapping(["办结时限（工作日）", "责 任 单 位"]) == {
        "办结时限（工作日）": "due_date",
        "责 任 单 位": "lead_department",
    }


def test_missing_departments_and_categories_are_created_only_when_agreed(world):
    before = snapshot()
    report = import_ledger(hotline_sheet(world), park=world.park, user=world.users["admin"])
    assert report.missing["department"] == ["人才发展中心"]
    assert "基础设施" in report.missing["category"]
    assert report.created == {}
    refused = {p.row for p in report.problems if p.level == "error"}
    assert refused == {4, 5, 7, 8}  # rows naming what is missing, the empty one, the undated
    assert report.imported == 1  # row 6: an on-the-spot answer in a known category
    assert not Department.objects.filter(name="人才发展中心").exists()
    assert snapshot() != before


def test_a_dry_run_changes_nothing_and_reports_what_would_happen(world):
    before = snapshot()
    cats = Category.objects.count()
    report = import_ledger(
        hotline_sheet(world),
        park=world.park,
        user=world.users["admin"],
        create_missing=True,
        dry_run=True,
    )
    assert snapshot() == before
    assert Category.objects.count() == cats
    assert not Department.objects.filter(name="人才发展中心").exists()
    assert report.dry_run and report.imported == 3 and report.refused == 2
    assert report.created["department"] == ["人才发展中心"]
    assert "将导入 3 行" in report.summary()


def test_the_import_itself(world):
    report = import_ledger(
        hotline_sheet(world), park=world.park, user=world.users["admin"], create_missing=True
    )
    assert (report.imported, report.refused, report.skipped) == (3, 2, 0)
    problems = {(p.row, p.level, p.column): p.message for p in report.problems}
    assert "尽快" in problems[(6, "warning", "时限要求")]
    assert "诉求内容为空" in problems[(7, "error", "诉求内容")]
    assert "没有受理时间" in problems[(8, "error", "受理时间")]

    d1 = Demand.objects.get(park=world.park, source_ref="RX2026001")
    assert d1.status == Status.CLOSED and d1.satisfaction == "satisfied"
    assert timezone.localtime(d1.created_at) == timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30))
    assert d1.category.name == "道路维修" and d1.category.parent.name == "基础设施"
    assert d1.extra == {"诉求类型三级": "破损", "承办人": "张三", "备注": "重点跟踪"}
    lead = d1.tasks.get()
    assert (lead.department.name, lead.deadline) == ("经济发展局", dt.date(2026, 3, 10))
    steps = [e.action for e in d1.events.order_by("created_at", "pk")]
    assert [a for a in steps if a != "sheet_record"][:2] == ["create", "dispatch"]
    assert "sheet_record" in steps  # 满意 without a 回访 date: the sheet's rating, kept

    d2 = Demand.objects.get(park=world.park, source_ref="RX2026002")
    assert d2.status == Status.DISPATCHED
    assert [t.department.name for t in Task.objects.filter(demand=d2).order_by("-role")] == [
        "人才发展中心",
        "经济发展局",
    ]
    # No 时限要求: the deadline is unknown (时限未知) — no overdue scan or figure counts it, an
    # export leaves the cell empty; the category's limit stays as the task's days.
    assert d2.due_date is None
    assert all(t.deadline is None and t.time_limit_days for t in d2.tasks.all())
    assert "due_date" in d2.sheet_origin.unknown

    d3 = Demand.objects.get(park=world.park, source_ref="RX2026003")
    assert d3.tier == "on_spot" and d3.status == Status.CLOSED
    assert d3.extra["时限要求"] == "尽快"
    assert timezone.localtime(d3.created_at).date() == dt.date(2026, 3, 6)
    # Answered on the spot, but the sheet gives no answer time: none is invented.
    assert d3.answered_at is None
    assert not Event.objects.filter(demand=d3, action="resolve_on_spot").exists()
    assert DemandFact.objects.filter(demand__in=[d1, d2, d3]).count() == 3


def test_the_user_maps_what_is_not_recognised(world):
    data = workbook(
        ["序号", "承办科室", "问题", "登记日期"],
        [
            [1, "经济发展局", "申请技改补贴", "2026-05-06"],
        ],
        title=None,
    )
    with pytest.raises(InvalidInput, match="诉求内容"):
        import_ledger(data, park=world.park, user=world.users["dispatcher"])
    report = import_ledger(
        data,
        park=world.park,
        user=world.users["dispatcher"],
        mapping={"承办科室": "lead_department", "问题": "description"},
    )
    assert report.imported == 1
    d = Demand.objects.get(park=world.park, description="申请技改补贴")
    assert d.lead_department == world.dept_a and d.status == Status.DISPATCHED
    with pytest.raises(InvalidInput, match="没有名为"):
        import_ledger(data, park=world.park, mapping={"不存在的列": "title"})


def test_only_dispatchers_and_admins_of_the_park_may_import(world):
    data = hotline_sheet(world)
    with pytest.raises(Forbidden):
        import_ledger(data, park=world.park, user=world.users["handler"])
    with pytest.raises(Forbidden):
        import_ledger(data, park=world.park, user=world.other_users["admin"])


def test_a_file_that_is_not_a_workbook_is_refused_politely(world):
    with pytest.raises(InvalidInput, match="xlsx"):
        import_ledger(b"not a workbook", park=world.park)


def test_the_command_line(world, tmp_path, capsys):
    path = tmp_path / "hotline.xlsx"
    path.write_bytes(hotline_sheet(world))
    before = snapshot()
    call_command(
        "import_ledger",
        str(path),
        "--park",
        "test",
        "--dry-run",
        "--create-missing",
        "--map",
        "承办人=ignore",
    )
    out = capsys.readouterr().out
    assert "预演" in out and "第 7 行" in out and "承办人 → 忽略此列" in out
    assert snapshot() == before
    call_command(
        "import_ledger",
        str(path),
        "--park",
        "test",
        "--create-missing",
        "--map",
        "承办人=专属服务员",
    )
    out = capsys.readouterr().out
    assert "已导入 3 行" in out
    assert Demand.objects.get(source_ref="RX2026001").extra["专属服务员"] == "张三"
    with pytest.raises(CommandError, match="没有代码"):
        call_command("import_ledger", str(path), "--park", "nope")
