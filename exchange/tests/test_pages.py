"""The import pages: upload, see the mapping and the dry run, correct it, import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from demands.models import Demand
from exchange.models import ImportJob
from exchange.tests.test_import import hotline_sheet

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def upload(c: Client, data: bytes, name: str = "热线台账.xlsx"):  # type: ignore[no-untyped-def]
    return c.post("/exchange/", {"file": SimpleUploadedFile(name, data)})


def test_upload_dry_run_map_and_import(world):
    c = login(world.users["dispatcher"])
    before = Demand.objects.count()
    r = upload(c, hotline_sheet(world))
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/exchange/{job.pk}/"
    assert Demand.objects.count() == before  # uploading only tries it
    page = c.get(f"/exchange/{job.pk}/").content.decode()
    assert "人才发展中心" in page and "同意新建" in page and "第 1 列" not in page
    headers = job.report["headers"]
    form = {f"map-{i}": job.report["mapping"][h] for i, h in enumerate(headers)}
    form[f"map-{headers.index('承办人')}"] = "ignore"
    c.post(f"/exchange/{job.pk}/", {**form, "create_missing": "1", "action": "check"})
    job.refresh_from_db()
    assert job.state == "checked" and job.report["imported"] == 3
    assert Demand.objects.count() == before
    r = c.post(f"/exchange/{job.pk}/", {**form, "create_missing": "1", "action": "import"})
    job.refresh_from_db()
    assert job.state == "imported" and Demand.objects.count() == before + 3
    assert "承办人" not in Demand.objects.get(source_ref="RX2026001").extra
    assert c.post(f"/exchange/{job.pk}/", {**form, "action": "import"}).status_code == 422


def test_wrong_files_are_refused_with_a_reason(world):
    c = login(world.users["admin"])
    r = upload(c, b"old excel", name="台账.xls")
    assert r.status_code == 422 and "另存为 .xlsx" in r.content.decode()


@pytest.mark.parametrize("who", ["handler", "leader", "enterprise", "head"])
def test_only_dispatchers_and_admins_import(world, who):
    assert login(world.users[who]).get("/exchange/").status_code == 403


def test_another_parks_jobs_are_invisible(world):
    c = login(world.users["dispatcher"])
    upload(c, hotline_sheet(world))
    job = ImportJob.objects.get()
    assert login(world.other_users["dispatcher"]).get(f"/exchange/{job.pk}/").status_code == 404


def test_a_refused_file_still_shows_its_columns_to_map(world):
    from exchange.tests.test_import import workbook

    c = login(world.users["dispatcher"])
    data = workbook(
        ["承办科室", "问题", "登记日期"], [["经济发展局", "申请技改补贴", "2026-05-06"]]
    )
    upload(c, data)
    job = ImportJob.objects.get()
    assert "诉求内容" in job.report["error"]
    page = c.get(f"/exchange/{job.pk}/").content.decode()
    assert "承办科室" in page and 'name="map-1"' in page
    form = {"map-0": "lead_department", "map-1": "description", "map-2": "created_at"}
    c.post(f"/exchange/{job.pk}/", {**form, "action": "import"})
    job.refresh_from_db()
    assert job.state == "imported"
    assert Demand.objects.filter(description="申请技改补贴").exists()


def test_a_large_sheet_is_tried_and_imported_in_the_background_with_progress(
    world, settings, django_capture_on_commit_callbacks
):
    settings.LEDGER_IMPORT_SYNC_MAX_BYTES = 1  # every sheet is "large"
    c = login(world.users["dispatcher"])
    before = Demand.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        upload(c, hotline_sheet(world))
    job = ImportJob.objects.get()
    assert job.state == "checked" and job.report["rows"] == 5  # tried by the task
    headers = job.report["headers"]
    form = {f"map-{i}": job.report["mapping"][h] for i, h in enumerate(headers)}
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/exchange/{job.pk}/", {**form, "create_missing": "1", "action": "check"})
    job.refresh_from_db()
    assert job.state == "checked" and job.report["imported"] == 3

    # Queued: the page polls its progress, and offers nothing to press meanwhile.
    job.state = ImportJob.State.QUEUED
    job.save()
    page = c.get(f"/exchange/{job.pk}/").content.decode()
    assert (
        'hx-trigger="every 2s"' in page and "排队等待导入" in page and 'value="import"' not in page
    )
    assert c.post(f"/exchange/{job.pk}/", {**form, "action": "import"}).status_code == 422
    job.state = ImportJob.State.CHECKED
    job.save()

    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/exchange/{job.pk}/", {**form, "create_missing": "1", "action": "import"})
    job.refresh_from_db()
    assert job.state == "imported" and Demand.objects.count() == before + 3
    assert (job.rows_total, job.rows_done, job.batches) == (5, 5, 1)
    assert job.rows.filter(action="created").count() == 3 and job.rows.count() == 5
    partial = c.get(
        f"/exchange/{job.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-progress"
    )
    assert "every 2s" not in partial.content.decode() and "查看结果" in partial.content.decode()


def test_an_interrupted_import_is_continued_from_the_page(world, monkeypatch):
    from exchange import importer

    c = login(world.users["dispatcher"])
    upload(c, hotline_sheet(world))
    job = ImportJob.objects.get()
    headers = job.report["headers"]
    form = {f"map-{i}": job.report["mapping"][h] for i, h in enumerate(headers)}
    monkeypatch.setattr(importer, "batch_rows", lambda: 2)
    real = importer._write
    calls = []

    def second_batch_fails(*args, **kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(*args, **kw)

    monkeypatch.setattr(importer, "_write", second_batch_fails)
    before = Demand.objects.count()
    with pytest.raises(RuntimeError):
        c.post(f"/exchange/{job.pk}/", {**form, "create_missing": "1", "action": "import"})
    job.refresh_from_db()
    assert job.state == "failed" and job.rows_done == 2 and job.rows.count() == 2
    made = Demand.objects.count() - before
    page = c.get(f"/exchange/{job.pk}/").content.decode()
    assert "导入中断" in page and 'value="resume"' in page
    monkeypatch.setattr(importer, "_write", real)
    c.post(f"/exchange/{job.pk}/", {"action": "resume"})
    job.refresh_from_db()
    assert job.state == "imported" and Demand.objects.count() == before + 3 and made < 3
    rows = list(job.rows.values_list("row", flat=True))
    assert len(rows) == len(set(rows)) == 5  # each row once


def test_the_whole_row_report_downloads_as_a_sheet_beyond_the_pages_300(world):  # type: ignore[no-untyped-def]
    import io

    from openpyxl import load_workbook

    c = login(world.users["dispatcher"])
    upload(c, hotline_sheet(world))
    job = ImportJob.objects.get()
    job.report = {
        **job.report,
        "problems": [
            {"row": i + 2, "column": "受理时间", "level": "error", "message": f"日期无法识别{i}"}
            for i in range(305)
        ],
        "changes": [
            {"row": i + 2, "number": f"RX{i}", "action": "updated", "note": "状态"}
            for i in range(301)
        ],
    }
    job.save()
    page = c.get(f"/exchange/{job.pk}/").content.decode()
    assert "另有 5 条" in page and 'href="?download=problems"' in page
    assert "另有 1 行" in page and 'href="?download=changes"' in page
    assert "命令行" not in page and "--json" not in page
    r = c.get(f"/exchange/{job.pk}/?download=problems")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("行", "列", "级别", "说明") and len(rows) == 306
    assert rows[-1] == (306, "受理时间", "错误", "日期无法识别304")
    ws = load_workbook(io.BytesIO(c.get(f"/exchange/{job.pk}/?download=changes").content)).active
    assert ws.max_row == 302
    # Another park's dispatcher gets nothing of it.
    other = login(world.other_users["dispatcher"])
    assert other.get(f"/exchange/{job.pk}/?download=problems").status_code == 404
