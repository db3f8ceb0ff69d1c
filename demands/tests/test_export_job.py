"""A large ledger export runs as a background job with its progress and a download link."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from demands import exports
from demands.models import LedgerExport
from demands.tests.test_pages import login, make

pytestmark = pytest.mark.django_db


def test_over_the_threshold_the_export_is_a_job_with_progress_and_a_link(
    world, settings, django_capture_on_commit_callbacks
):
    settings.LEDGER_EXPORT_SYNC_MAX_ROWS = 2
    a = make(world, "申请技改贴息贷款", lead=world.dept_a)
    b = make(world, "厂区道路破损", description="货车通行困难")
    make(world, "用电增容")
    client = login(world, "dispatcher")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get("/demands/export.xlsx", {"q": "贴息"})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]  # 2 rows: at once
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get("/demands/export.xlsx", {"sort": "number"})
    assert r.status_code == 302
    job = LedgerExport.objects.get()
    assert r["Location"] == f"/demands/exports/{job.pk}/"
    assert (job.state, job.rows_total, job.rows_done, job.params) == (
        "done",
        3,
        3,
        {"sort": "number"},
    )
    page = client.get(r["Location"]).content.decode()
    assert "已完成" in page and f"/demands/exports/{job.pk}/file/" in page
    f = client.get(f"/demands/exports/{job.pk}/file/")
    assert f.status_code == 200 and "attachment" in f["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)))["问题台账"]
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("编号")
    assert {row[col] for row in rows[1:]} >= {a.number, b.number} and len(rows) == 4
    # Nobody else's: another user of the park, and the other park, get 404.
    assert login(world, "leader").get(r["Location"]).status_code == 404
    assert login(world, "dispatcher", other=True).get(r["Location"]).status_code in (403, 404)


def test_a_queued_job_polls_and_a_failed_one_says_so(world, monkeypatch):
    make(world)
    job = LedgerExport.objects.create(
        park=world.park, user=world.users["dispatcher"], name="x.xlsx", rows_total=10
    )
    client = login(world, "dispatcher")
    body = client.get(f"/demands/exports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in body and "排队中" in body
    assert client.get(f"/demands/exports/{job.pk}/file/").status_code == 404

    def boom(*args, **kw):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_ledger", boom)
    assert exports.run(job.pk) == "failed"
    body = client.get(f"/demands/exports/{job.pk}/").content.decode()
    assert "生成失败" in body and "every 2s" not in body


def test_progress_is_counted_per_chunk(world):
    for i in range(5):
        make(world, f"诉求{i}")
    job = LedgerExport.objects.create(
        park=world.park, user=world.users["dispatcher"], name="x.xlsx", rows_total=5
    )
    seen: list[int] = []
    real = exports.write_ledger

    def spy(qs, out, mask=None, *, progress=None):  # type: ignore[no-untyped-def]
        def both(n: int) -> None:
            seen.append(n)
            assert progress is not None
            progress(n)

        return real(qs, out, mask, progress=both, chunk_size=2)

    exports.write_ledger = spy  # type: ignore[assignment]
    try:
        assert exports.run(job.pk) == "done"
    finally:
        exports.write_ledger = real  # type: ignore[assignment]
    assert seen == [2, 4]
    job.refresh_from_db()
    assert (job.rows_done, job.percent) == (5, 100)
