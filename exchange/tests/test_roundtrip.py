"""Export the ledger, import the sheet into another park, export again: every field survives."""

import io

import pytest
from openpyxl import load_workbook

from demands.models import Demand
from demands.workbook import export_ledger
from exchange.importer import import_ledger
from orgs.models import Park
from reports import metrics
from reports.metrics import Scope
from reports.periods import parse
from reports.tests.ledger import TODAY, build

pytestmark = pytest.mark.django_db


def sheet(data: bytes) -> tuple[list[str], list[dict]]:
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    return head, [dict(zip(head, r, strict=True)) for r in rows[1:]]


def test_export_has_the_layout_parks_use(world):
    build(world)
    head, rows = sheet(export_ledger(Demand.objects.filter(park=world.park).order_by("pk")))
    assert head[:12] == [
        "序号",
        "编号",
        "企业名称",
        "诉求内容",
        "类别",
        "责任单位",
        "协办单位",
        "交办时间",
        "办结时限",
        "办理情况",
        "是否办结",
        "满意度",
    ]
    d2 = next(r for r in rows if r["诉求标题"] == "申请流动资金贷款贴息")
    assert d2["责任单位"] == "经济发展局" and d2["协办单位"] == "自然资源和规划分局"
    assert d2["办结时限"].date().isoformat() == "2026-10-15"  # moved by the pause
    assert (d2["是否办结"], d2["满意度"], d2["状态"]) == ("是", "基本满意", "已销号")
    assert [r["序号"] for r in rows] == list(range(1, 8))


def test_every_visible_column_of_the_export_is_named_in_chinese(world):
    import re
    from collections import Counter

    from demands.columns import FIELDS
    from demands.workbook import _titles

    build(world)
    head, _ = sheet(export_ledger(Demand.objects.filter(park=world.park).order_by("pk")))
    assert len(head) >= 30
    assert all(re.search(r"[\u4e00-\u9fff]", h) and not re.search(r"[A-Za-z_]", h) for h in head)
    # Imported sheets whose own columns took every name of ours for 编号: still Chinese, unique.
    number = next(f for f in FIELDS if f.key == "number")
    taken = {n: None for n in (number.header, *number.synonyms)}
    titles = _titles(FIELDS, {"title": Counter({number.header: 2})}, taken)
    assert titles["number"] == f"{number.header}（本系统）"
    assert len(set(titles.values())) == len(titles)
    assert not any(re.search(r"[A-Za-z_]", t) for t in titles.values())


def test_export_costs_two_queries_however_many_rows(world, django_assert_max_num_queries):
    build(world)
    qs = Demand.objects.filter(park=world.park)
    with django_assert_max_num_queries(2):
        export_ledger(qs)


def test_round_trip_keeps_every_field(world):
    ledger = build(world)
    Demand.objects.filter(pk=ledger.d2.pk).update(extra={"走访批次": "第3次", "备注": "重点企业"})
    park_c = Park.objects.create(name="第三园区", short_name="第三", code="third")
    world.users["liaison"].extra_parks.add(park_c)
    first = export_ledger(Demand.objects.filter(park=world.park).order_by("pk"))

    report = import_ledger(first, park=park_c, user=None, create_missing=True)
    assert report.ok, report.problems
    assert report.imported == 7
    assert set(report.created) == {"department", "category", "enterprise"}
    assert sorted(report.kept_as_extra) == sorted(["走访批次", "备注"])

    second = export_ledger(Demand.objects.filter(park=park_c).order_by("pk"))
    head1, rows1 = sheet(first)
    head2, rows2 = sheet(second)
    # The items keep the numbers they came with; the new park's own numbers go beside them.
    assert [h for h in head2 if h != "系统编号"] == head1
    for a, b in zip(rows1, rows2, strict=True):
        assert b["系统编号"].startswith("QS-") and b["系统编号"] != a["编号"]
        for col in head1:
            assert a[col] == b[col], (a["诉求标题"], col, a[col], b[col])


def test_imported_history_gives_the_same_figures(world):
    build(world)
    park_c = Park.objects.create(name="第三园区", short_name="第三", code="third")
    world.users["liaison"].extra_parks.add(park_c)
    import_ledger(
        export_ledger(Demand.objects.filter(park=world.park)), park=park_c, create_missing=True
    )
    a = metrics.summary(Scope.for_period(world.park, parse("2026"), today=TODAY))
    c = metrics.summary(Scope.for_period(park_c, parse("2026"), today=TODAY))
    # A sheet holds each item's latest state, not its whole timeline: figures that need the
    # history (every 回访 of a redone item, response times without 签收时间) can differ.
    for name in (
        "received",
        "answered",
        "closed",
        "open",
        "overdue",
        "legacy_open",
        "on_spot",
        "tiers",
        "solve",
    ):
        assert getattr(a, name) == getattr(c, name), name


def test_importing_the_same_sheet_twice_skips_what_is_already_there(world):
    build(world)
    data = export_ledger(Demand.objects.filter(park=world.park))
    park_c = Park.objects.create(name="第三园区", short_name="第三", code="third")
    assert import_ledger(data, park=park_c, create_missing=True).imported == 7
    again = import_ledger(data, park=park_c, create_missing=True)
    assert (again.imported, again.skipped) == (0, 7)
    # The park's own export is recognised by its numbers too.
    own = import_ledger(export_ledger(Demand.objects.filter(park=park_c)), park=park_c)
    assert (own.imported, own.skipped) == (0, 7)
