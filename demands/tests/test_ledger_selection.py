"""The ledger's rows can be ticked (x on the keyboard, or a tap) and worked together: 催办, 销号
and 签收 for those whose role runs them, and 导出所选 for every staff member who may export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from demands.models import Demand, Event, LedgerExport
from demands.tests.test_pages import login, make

pytestmark = pytest.mark.django_db


def _numbers(content: bytes) -> set[str]:
    ws = load_workbook(io.BytesIO(content))["问题台账"]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("编号")
    return {row[col] for row in rows[1:]}


def test_each_role_is_offered_the_bulk_actions_it_may_run(world):
    make(world, lead=world.dept_a)
    page = login(world, "dispatcher").get("/demands/").content.decode()
    assert 'id="ledger-bulk"' in page and 'name="ids"' in page
    assert "催办所选" in page and "销号所选" in page and "签收所选" not in page
    assert "导出所选" in page and "<kbd>x</kbd> 选中" in page
    handler = login(world, "handler").get("/demands/").content.decode()
    assert "签收所选" in handler and "催办所选" not in handler and "销号所选" not in handler
    # A leader reads the ledger but runs none of these: no boxes, and x is not announced.
    leader = login(world, "leader").get("/demands/").content.decode()
    assert 'id="ledger-bulk"' not in leader and 'name="ids"' not in leader
    assert "<kbd>x</kbd>" not in leader


def test_the_ticked_rows_are_urged_and_the_ledger_comes_back_as_it_was(world):
    a = make(world, "申请技改贴息贷款", lead=world.dept_a)
    b = make(world, "厂区道路破损", lead=world.dept_b)
    c = make(world, "用电增容", lead=world.dept_a)
    client = login(world, "dispatcher")
    back = "/demands/?status=open&sort=number"
    r = client.post(
        "/demands/bulk/",
        {"op": "urge", "ids": [a.pk, b.pk], "note": "请本周内答复", "next": back},
    )
    assert r.status_code == 302 and r["Location"] == back
    levels = dict(Demand.objects.values_list("pk", "urge_level"))
    assert (levels[a.pk], levels[b.pk], levels[c.pk]) == (1, 1, 0)
    urged = Event.objects.filter(action="urge").order_by("demand_id")
    assert [(e.demand_id, e.note) for e in urged] == [
        (a.pk, "请本周内答复"),
        (b.pk, "请本周内答复"),
    ]


def test_a_handler_signs_the_ticked_rows_of_the_department(world):
    a = make(world, "申请技改贴息贷款", lead=world.dept_a)
    b = make(world, "用电增容", lead=world.dept_a)
    client = login(world, "handler")
    r = client.post("/demands/bulk/", {"op": "sign", "ids": [a.pk, b.pk], "next": "/demands/"})
    assert r.status_code == 302
    assert set(Demand.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        "in_progress"
    }


def test_export_of_the_ticked_rows_holds_those_rows_only(world):
    a = make(world, "申请技改贴息贷款", lead=world.dept_a)
    b = make(world, "厂区道路破损")
    make(world, "用电增容")
    client = login(world, "dispatcher")
    r = client.post("/demands/export.xlsx", {"ids": [a.pk, b.pk]})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert _numbers(r.content) == {a.number, b.number}


def test_a_ticked_row_the_user_may_not_see_is_not_exported(world):
    mine = make(world, "申请技改贴息贷款", lead=world.dept_a)
    theirs = make(world, "厂区道路破损", lead=world.dept_b)
    # The handler of 经济发展局 sees its own department's demands, not 自然资源's.
    r = login(world, "handler").post("/demands/export.xlsx", {"ids": [mine.pk, theirs.pk]})
    assert r.status_code == 200
    assert _numbers(r.content) == {mine.number}


def test_a_bad_selection_gets_a_chinese_message_and_no_file(world):
    make(world)
    r = login(world, "dispatcher").post("/demands/export.xlsx", {"ids": ["1", "abc"]})
    assert r.status_code in (400, 422)
    assert "所选诉求“abc”无效" in r.content.decode()
    assert LedgerExport.objects.count() == 0


def test_a_large_selection_is_exported_as_a_job_that_keeps_the_selection(
    world, settings, django_capture_on_commit_callbacks
):
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 1
    a = make(world, "申请技改贴息贷款")
    b = make(world, "厂区道路破损")
    make(world, "用电增容")
    client = login(world, "dispatcher")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/demands/export.xlsx", {"ids": [a.pk, b.pk]})
    assert r.status_code == 302
    job = LedgerExport.objects.get()
    assert job.params == {"ids": f"{a.pk},{b.pk}"} and job.rows_total == 2
    f = client.get(f"/demands/exports/{job.pk}/file/")
    assert _numbers(b"".join(f.streaming_content)) == {a.number, b.number}


def test_ticked_ids_of_another_park_export_nothing_and_requesters_are_refused(world):
    theirs = make(world, "申请技改贴息贷款", lead=world.dept_a)
    # Another park's dispatcher posts park A's ids: the export holds none of them.
    r = login(world, "dispatcher", other=True).post("/demands/export.xlsx", {"ids": [theirs.pk]})
    assert r.status_code == 200 and _numbers(r.content) == set()
    # An enterprise or a resident has no ledger and no export, ticked rows or not.
    for who in ("enterprise", "resident"):
        r = login(world, who).post("/demands/export.xlsx", {"ids": [theirs.pk]})
        assert r.status_code == 403, who
    assert (
        login(world, "leader")
        .post("/demands/bulk/", {"op": "urge", "ids": [theirs.pk]})
        .status_code
        == 403
    )
    assert Demand.objects.get(pk=theirs.pk).urge_level == 0
