"""The ledger import in committed batches (issue 16, point 4): a run stopped inside a batch is
resumed from the job's cursor and gives each sheet row exactly once, with the same items and
figures as a run that was never stopped; a newer sheet of the same tickets (issue 18) adds their
new registrations and brings their state up to date, with a row report of what it changed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.files.base import ContentFile

from demands.models import Demand, Event, Status, Task
from exchange import importer
from exchange.importer import import_ledger
from exchange.models import ImportJob, ImportRow, SheetOrigin
from exchange.tests import hotline
from orgs.models import Park
from reports import metrics
from reports.metrics import Scope
from reports.periods import parse as period

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 20)
FIGURES = ("received", "answered", "closed", "open", "tasks", "overdue")
RATES = ("response", "on_time", "solve", "satisfaction")


def figures(park: Park) -> metrics.Figures:
    return metrics.summary(Scope.for_period(park, period("2026"), today=TODAY))


def same_figures(a: Park, b: Park) -> None:
    fa, fb = figures(a), figures(b)
    for name in FIGURES:
        assert getattr(fa, name) == getattr(fb, name), name
    for name in RATES:
        ra, rb = getattr(fa, name), getattr(fb, name)
        assert (ra.num, ra.den) == (rb.num, rb.den), name
    assert (fa.on_time_unknown, fa.response_unknown) == (fb.on_time_unknown, fb.response_unknown)


def later_registrations_last(led: hotline.Ledger) -> hotline.Ledger:
    """As a sheet sorted by 登记时间 has them: a ticket's re-registration rows far below its first
    row, so that they fall into a later batch than the item they belong to."""
    seen: set[str] = set()
    first, again = [], []
    for r in led.rows:
        (again if r["工单编号"] in seen else first).append(r)
        seen.add(r["工单编号"])
    led.rows = first + again
    return led


def new_job(park: Park, data: bytes) -> ImportJob:
    job = ImportJob(park=park, user=None, original_name="热线台账.xlsx")
    job.file.save("hotline.xlsx", ContentFile(data), save=False)
    job.save()
    return job


@pytest.fixture
def parks(world):  # type: ignore[no-untyped-def]
    """Two parks alike (no categories or departments yet: the sheet's are made in each)."""
    return (
        Park.objects.create(name="导入园区", short_name="导入", code="importing"),
        Park.objects.create(name="对照园区", short_name="对照", code="control"),
    )


def test_an_import_stopped_in_a_batch_and_resumed_gives_each_row_once(parks, world, monkeypatch):
    park, control = parks
    led = later_registrations_last(hotline.build(60, seed=11, reregister=8))
    data = led.data()
    # The run that is never stopped.
    whole = import_ledger(data, park=control, create_missing=True, batch_size=10)
    assert whole.refused == 0 and whole.registered == 8  # the re-registrations, a batch later

    job = new_job(park, data)
    real_write = importer._write
    calls = Counter[str]()

    def crash_in_third_batch(*args, **kw):  # type: ignore[no-untyped-def]
        calls["write"] += 1
        if calls["write"] == 3:
            raise RuntimeError("worker killed")
        return real_write(*args, **kw)

    monkeypatch.setattr(importer, "_write", crash_in_third_batch)
    with pytest.raises(RuntimeError):
        import_ledger(data, park=park, create_missing=True, batch_size=10, job=job)
    job.refresh_from_db()
    assert job.batches == 2 and job.rows_done == 20
    assert job.cursor == 4 + 20 - 1  # title, blank, header rows above the data
    assert ImportRow.objects.filter(job=job).count() == 20
    assert Demand.objects.filter(park=park).count() == 20  # the third batch left nothing

    monkeypatch.setattr(importer, "_write", real_write)
    report = import_ledger(
        data, park=park, create_missing=True, batch_size=10, job=job, resume=True
    )
    job.refresh_from_db()
    assert job.rows_done == len(led.rows) and job.cursor == 3 + len(led.rows)
    rows = list(ImportRow.objects.filter(job=job).values_list("row", flat=True))
    assert sorted(rows) == list(range(4, 4 + len(led.rows)))  # each row exactly once
    assert report.imported + report.registered == whole.imported + whole.registered
    assert (report.items, report.refused, report.skipped) == (whole.items, 0, 0)
    numbers = list(Demand.objects.filter(park=park).values_list("source_ref", flat=True))
    assert len(numbers) == len(set(numbers)) == 60
    assert (
        Task.objects.filter(demand__park=park).count()
        == Task.objects.filter(demand__park=control).count()
    )
    assert (
        Event.objects.filter(demand__park=park).count()
        == Event.objects.filter(demand__park=control).count()
    )
    same_figures(park, control)

    # Run once more (a worker that picked the finished job up again): nothing changes.
    events = Event.objects.count()
    again = import_ledger(
        data, park=park, create_missing=True, batch_size=10, job=new_job(park, data)
    )
    assert again.skipped == len(led.rows) and again.imported == 0
    assert Event.objects.count() == events


def test_batches_give_the_figures_of_one_pass(parks):
    """Re-registrations met a batch later are added to their item as one pass would have
    planned them: the same tasks, states and figures."""
    park, control = parks
    led = later_registrations_last(hotline.build(50, seed=4, reregister=10))
    import_ledger(led.data(), park=park, create_missing=True, batch_size=7)
    import_ledger(led.data(), park=control, create_missing=True, batch_size=10_000)
    for number in {r["工单编号"] for r in led.rows}:
        a = Demand.objects.get(park=park, source_ref=number)
        b = Demand.objects.get(park=control, source_ref=number)
        assert (a.status, a.answered_at, a.satisfaction, a.outcome) == (
            b.status,
            b.answered_at,
            b.satisfaction,
            b.outcome,
        ), number
        assert a.lead_department.name == b.lead_department.name
        tasks = lambda d: sorted(  # noqa: E731
            Task.objects.filter(demand=d).values_list("department__name", "status", "deadline"),
            key=str,
        )
        assert tasks(a) == tasks(b), number
        assert a.sheet_origin.versions == b.sheet_origin.versions
    same_figures(park, control)


def older(led: hotline.Ledger, open_tickets: set[str]) -> hotline.Ledger:
    """The same ledger exported earlier: the tickets in `open_tickets` not answered yet, and no
    re-registration made since."""
    out = hotline.Ledger(list(led.head))
    seen: set[str] = set()
    for r in led.rows:
        if r["工单编号"] in seen:
            continue
        seen.add(r["工单编号"])
        r = dict(r)
        if r["工单编号"] in open_tickets:
            for h in ("回复时间", "办理结果", "解决类型", "解决", "满意"):
                r[h] = ""
        out.rows.append(r)
    return out


def test_a_newer_sheet_adds_registrations_and_updates_state(parks, world):
    park, control = parks
    led = hotline.build(40, seed=13, reregister=6)
    answered = [r["工单编号"] for r in led.latest() if r["回复时间"]]
    opened = set(answered[:10])
    before = older(led, opened)
    first = import_ledger(before.data(), park=park, create_missing=True)
    assert first.items == 40 and first.reregistered == 0
    still_open = Demand.objects.filter(park=park, source_ref__in=opened)
    assert not still_open.filter(status__in=(Status.ANSWERED, Status.CLOSED)).exists()

    job = new_job(park, led.data())
    report = import_ledger(led.data(), park=park, create_missing=True, job=job)
    again = [n for n, c in Counter(r["工单编号"] for r in led.rows).items() if c == 2]
    assert report.items == 0 and report.imported == 0  # no item made twice
    assert report.registered == len(again) == 6
    assert report.updated == len(opened - set(again))
    assert report.skipped == len(led.rows) - report.registered - report.updated
    assert Demand.objects.filter(park=park).count() == 40
    # The row report: which rows changed which items.
    changed = ImportRow.objects.filter(job=job).exclude(action=ImportRow.Action.SKIPPED)
    assert changed.count() == report.registered + report.updated
    for r in changed.select_related("demand"):
        sheet_row = led.rows[r.row - 4]
        assert r.demand.source_ref == sheet_row["工单编号"]
        assert r.note
    assert {c["number"] for c in report.changes} == set(
        changed.values_list("demand__number", flat=True)
    )

    # What the newer sheet says, as a fresh import of it says it.
    import_ledger(led.data(), park=control, create_missing=True)
    for number in {r["工单编号"] for r in led.rows}:
        a = Demand.objects.get(park=park, source_ref=number)
        b = Demand.objects.get(park=control, source_ref=number)
        assert (a.status, a.answered_at, a.satisfaction, a.outcome, a.answer) == (
            b.status,
            b.answered_at,
            b.satisfaction,
            b.outcome,
            b.answer,
        ), number
        assert a.lead_department.name == b.lead_department.name, number
        assert len(a.sheet_origin.versions) == len(b.sheet_origin.versions)
        assert a.sheet_origin.versions == b.sheet_origin.versions
    same_figures(park, control)
    # Every change is an event of the item.
    for number in opened | set(again):
        d = Demand.objects.get(park=park, source_ref=number)
        assert Event.objects.filter(demand=d, action="sheet_update").exists()

    # The same newer sheet once more: every row is already in, nothing moves.
    events, tasks = Event.objects.count(), Task.objects.count()
    third = import_ledger(led.data(), park=park, create_missing=True)
    assert third.skipped == len(led.rows) and third.updated == third.registered == 0
    assert (Event.objects.count(), Task.objects.count()) == (events, tasks)
    assert SheetOrigin.objects.filter(demand__park=park).count() == 40
