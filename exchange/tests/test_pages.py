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
