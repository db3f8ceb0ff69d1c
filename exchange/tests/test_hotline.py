"""Real hotline ledgers in, with the figures they carry: 三率 equal to the shares of the sheet's
own 响应 / 解决 / 满意 columns, no time the sheet does not have, a finished year closed, the
round trip keeping the figures, re-registrations as one item's history."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from demands.models import Demand, Event, Status, Task, TaskStatus
from exchange.importer import import_ledger
from exchange.mapping import propose
from exchange.models import SheetOrigin
from exchange.tests import hotline
from exchange.xlsx import export_ledger, read_sheet
from experts import legacy
from orgs.models import Park
from reports import briefing, metrics
from reports.metrics import Scope
from reports.periods import parse as period

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 20)
CREDIT = {"已解决": 1.0, "部分解决": 0.5, "未解决": 0.0}
BUREAU_CREDIT = {"已解决": 1.0, "部分解决": 0.5, "未解决": 0.0, "非权属": 0.0}  # 剔除: not counted


def figures(park: Park, **kw) -> metrics.Figures:  # type: ignore[no-untyped-def]
    return metrics.summary(Scope.for_period(park, period("2026"), today=TODAY, **kw))


def bring_in(world, led: hotline.Ledger, **kw):  # type: ignore[no-untyped-def]
    report = import_ledger(
        led.data(), park=world.park, user=world.users["admin"], create_missing=True, **kw
    )
    assert report.refused == 0, [p for p in report.problems if p.level == "error"][:3]
    return report


def close_to(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 0.1


def test_the_proposal_reads_content_as_well_as_headers(world):
    led = hotline.build(30)
    headers, rows = read_sheet(led.data())
    cols = {c.header: c for c in propose(headers, rows)}
    assert cols["办理结果"].key == "answer"  # a free-text log is not the outcome
    assert "较长的文字" in cols["办理结果"].reason
    assert cols["来源"].key == "extra" and "市级" in cols["来源"].reason + "本级"
    assert cols["诉求来源"].key == "channel"
    assert cols["解决"].key == "outcome" and cols["解决类型"].key == "extra"
    assert (cols["响应"].key, cols["满意"].key) == ("responded", "satisfaction")
    assert cols["登记时间"].key == "created_at" and cols["派发时间"].key == "dispatched_at"
    assert cols["区级"].key == "extra" and cols["街/乡/镇"].key == "extra"
    # A sample of values beside each proposal, and the value map of each judgement column.
    assert cols["来源"].samples and set(cols["来源"].samples) <= {"市级", "本级"}
    words = {r["word"]: r["target"] for r in cols["解决"].values}
    assert words == {"已解决": "solved", "部分解决": "partly", "未解决": "not_feasible"}


def test_another_bureaus_vocabulary_maps_to_ours_and_the_map_is_editable(world):
    led = hotline.build(60, seed=11, bureau=True)
    headers, rows = read_sheet(led.data())
    cols = {c.header: c for c in propose(headers, rows)}
    assert cols["解决类型"].key == "outcome"
    assert cols["是否响应"].key == "responded" and cols["评价结果"].key == "satisfaction"
    words = {r["word"]: r["target"] for r in cols["解决类型"].values}
    assert words["非权属"] == "explained" and words["剔除"] == "" and words["已解决"] == "solved"

    report = bring_in(world, led)
    assert report.values["解决类型"]["剔除"] == ""  # shown in the report, as the page shows it
    f = figures(world.park)
    expected = led.shares(BUREAU_CREDIT)
    assert close_to(f.solve.percent, expected["solve"])
    assert close_to(f.response.percent, expected["response"])
    assert close_to(f.satisfaction.percent, expected["satisfaction"])

    # The park decides 非权属 counts in no rate either: the figure follows the edited map.
    park_b = Park.objects.create(name="第二园区", short_name="第二", code="second")
    import_ledger(led.data(), park=park_b, create_missing=True, values={"解决类型": {"非权属": ""}})
    strict = {k: v for k, v in BUREAU_CREDIT.items() if k != "非权属"}
    assert close_to(figures(park_b).solve.percent, led.shares(strict)["solve"])


@pytest.mark.parametrize("seed", [3, 19])
def test_three_rates_equal_the_sheets_own_columns(world, seed):
    led = hotline.build(90, seed=seed)
    bring_in(world, led)
    f = figures(world.park)
    expected = led.shares(CREDIT)
    assert close_to(f.response.percent, expected["response"]), (f.response, expected)
    assert close_to(f.solve.percent, expected["solve"]), (f.solve, expected)
    assert close_to(f.satisfaction.percent, expected["satisfaction"]), (f.satisfaction, expected)
    # The same figures through the monthly rollups and straight from the facts.
    g = metrics.summary(Scope.for_period(world.park, period("2026"), today=TODAY, rollups=False))
    assert (g.response, g.solve, g.satisfaction, g.sanlv) == (
        f.response,
        f.solve,
        f.satisfaction,
        f.sanlv,
    )


def _sheet_times(led: hotline.Ledger) -> dict[str, set[dt.datetime]]:
    from exchange import parse

    out: dict[str, set[dt.datetime]] = {}
    for r in led.rows:
        times = out.setdefault(r["工单编号"], set())
        for h in ("登记时间", "派发时间", "回复时间"):
            if r[h]:
                times.add(parse.when(r[h]))
    return out


def test_no_item_gets_a_time_the_sheet_does_not_have(world):
    led = hotline.build(90, seed=5)
    bring_in(world, led)
    sheet = _sheet_times(led)
    latest = {r["工单编号"]: r for r in led.latest()}
    demands = Demand.objects.filter(park=world.park)
    assert demands.count() == len(latest)
    from exchange import parse

    for d in demands:
        row = latest[d.source_ref]
        allowed = sheet[d.source_ref]
        assert (d.answered_at is None) == (row["回复时间"] == ""), d.source_ref
        assert (d.dispatched_at is None) == (row["派发时间"] == "")
        assert d.confirmed_at is None and d.closed_at is None  # the sheet has neither
        if row["时限要求"] == "":
            assert d.due_date is None
        for t in Task.objects.filter(demand=d):
            assert t.signed_at is None  # no 签收时间 column
            assert t.answered_at is None or t.answered_at in allowed
            assert t.assigned_at in allowed
        for e in Event.objects.filter(demand=d):
            assert e.created_at in allowed, (d.source_ref, e.action, e.created_at)
        if row["回复时间"]:
            assert d.answered_at == parse.when(row["回复时间"])
    f = figures(world.park)
    # Timed figures leave out what has no time, and say how many.
    no_deadline = sum(1 for r in led.rows if not r["时限要求"])
    assert f.on_time_unknown >= no_deadline > 0
    # No 签收时间 column: the registrations without a 响应 judgement are left out of 响应率.
    assert f.response_unknown == sum(1 for r in led.rows if not r["响应"])
    tasks = Task.objects.filter(demand__park=world.park).exclude(status=TaskStatus.CANCELLED)
    assert f.on_time.den + f.on_time_unknown <= tasks.count() + f.on_time_unknown
    answered_timed = sum(1 for r in led.rows if r["回复时间"] and r["派发时间"])
    assert f.avg_answer_days is not None and f.days_unknown > 0
    assert f.days_unknown + answered_timed >= sum(1 for r in led.rows if r["回复时间"])


def test_a_finished_year_imports_closed(world):
    led = hotline.build(70, seed=23, finished=True)
    report = bring_in(world, led)
    assert set(report.finished_by) == {"回复时间", "解决类型"}  # proposed, for the park
    demands = Demand.objects.filter(park=world.park)
    assert demands.count() == report.items
    assert set(demands.values_list("status", flat=True)) == {Status.CLOSED}
    latest = {r["工单编号"]: r for r in led.latest()}
    for d in demands:
        assert (d.answered_at is None) == (latest[d.source_ref]["回复时间"] == "")
    f = figures(world.park)
    assert f.closed == f.received == len(latest) and f.open == 0 and f.overdue == 0
    # Closed without a 销号时间 is not "open for ever" on the 清零 board either.
    board = legacy.period_figures(world.park, dt.date(2026, 1, 1), TODAY)
    assert board["open_at_end"] == 0 and board["became"] == 0

    # The park does not confirm the rule: nothing is closed on its behalf.
    park_b = Park.objects.create(name="第二园区", short_name="第二", code="second")
    import_ledger(led.data(), park=park_b, create_missing=True, finished_by=[])
    assert not Demand.objects.filter(park=park_b, status=Status.CLOSED).exists()


def test_reregistrations_are_one_items_history(world):
    led = hotline.build(40, seed=9, reregister=6)
    report = bring_in(world, led)
    assert report.rows == len(led.rows) and report.skipped == 0
    assert report.items == 40 and report.reregistered == 6
    twice = [
        n
        for n in {r["工单编号"] for r in led.rows}
        if sum(r["工单编号"] == n for r in led.rows) == 2
    ]
    assert len(twice) == 6
    for number in twice:
        d = Demand.objects.get(park=world.park, source_ref=number)
        rows = [r for r in led.rows if r["工单编号"] == number]
        leads = list(
            Task.objects.filter(demand=d, role="lead")
            .order_by("pk")
            .values_list("department__name", flat=True)
        )
        assert leads == [r["主办单位"] for r in rows]  # every registration's 主办单位
        assert d.lead_department.name == rows[-1]["主办单位"]
        assert len(d.sheet_origin.versions) == 1
        assert d.sheet_origin.versions[0]["主办单位"] == rows[0]["主办单位"]
        assert Event.objects.filter(demand=d, action="sheet_record").count() >= 1


def test_round_trip_keeps_items_fields_and_figures(world):
    led = hotline.build(90, seed=31)
    bring_in(world, led)
    first = export_ledger(Demand.objects.filter(park=world.park).order_by("pk"))
    head = [c.value for c in load_workbook(io.BytesIO(first)).active[1]]
    # The sheet's own names and numbers.
    for name in ("工单编号", "登记时间", "派发时间", "回复时间", "响应", "解决", "满意", "区级"):
        assert name in head, name
    ws = load_workbook(io.BytesIO(first)).active
    numbers = [r[head.index("工单编号")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(r["工单编号"] for r in led.rows)  # every registration

    park_c = Park.objects.create(name="第三园区", short_name="第三", code="third")
    again = import_ledger(first, park=park_c, create_missing=True)
    assert again.refused == 0 and again.items == Demand.objects.filter(park=world.park).count()
    a, c = figures(world.park), figures(park_c)
    for name in ("received", "answered", "closed", "open", "tasks"):
        assert getattr(a, name) == getattr(c, name), name
    for name in ("response", "on_time", "solve", "satisfaction", "on_spot"):
        assert close_to(getattr(a, name).percent, getattr(c, name).percent), name
    assert close_to(a.sanlv, c.sanlv)
    assert a.avg_answer_days == c.avg_answer_days
    assert (a.on_time_unknown, a.days_unknown) == (c.on_time_unknown, c.days_unknown)

    second = export_ledger(Demand.objects.filter(park=park_c).order_by("pk"))
    rows1 = list(load_workbook(io.BytesIO(first)).active.iter_rows(values_only=True))
    rows2 = list(load_workbook(io.BytesIO(second)).active.iter_rows(values_only=True))
    assert rows1[0] == rows2[0]
    mine = rows1[0].index("系统编号")
    for r1, r2 in zip(rows1[1:], rows2[1:], strict=True):
        assert r1[:mine] + r1[mine + 1 :] == r2[:mine] + r2[mine + 1 :]


def test_texts_name_the_demands_as_the_data_is(world):
    bring_in(world, hotline.build(20, seed=2))
    data = briefing.collect(world.park, period("2026"), today=TODAY)
    text = "".join(briefing.paragraphs(data))
    assert "共收集群众诉求" in text and "企业诉求" not in text
    assert metrics.demand_noun(Scope.for_period(world.park, period("2026"))) == "群众诉求"


def test_the_mapping_page_shows_samples_values_and_the_finish_rule(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from exchange.models import ImportJob

    c = Client()
    c.force_login(world.users["dispatcher"])
    led = hotline.build(30, seed=4, finished=True)
    c.post("/exchange/", {"file": SimpleUploadedFile("12345.xlsx", led.data())})
    job = ImportJob.objects.get()
    page = c.get(f"/exchange/{job.pk}/").content.decode()
    assert "市级" in page  # the sample beside 来源
    assert "较长的文字" in page  # why 办理结果 is the handling log
    assert "value-已解决" in page or "已解决" in page
    assert 'name="finish"' in page and "解决类型" in page
    form = {f"map-{i}": job.report["mapping"][h] for i, h in enumerate(job.report["headers"])}
    form.update({"create_missing": "1", "action": "import", "finish": ["回复时间", "解决类型"]})
    c.post(f"/exchange/{job.pk}/", form)
    job.refresh_from_db()
    assert job.state == "imported"
    assert set(Demand.objects.filter(park=world.park).values_list("status", flat=True)) == {
        Status.CLOSED
    }
    assert SheetOrigin.objects.filter(job=job).count() == job.report["items"]
    assert timezone.now()
